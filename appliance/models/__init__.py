"""SQLAlchemy models, one module per area; importing this package registers all tables."""

from appliance.models.automation import AutomationLock, JobLogLine
from appliance.models.base import Base
from appliance.models.catalog import (
    DiskOffering,
    DownloadStatus,
    NetworkOffering,
    OsCategory,
    OsType,
    ResourceTag,
    ServiceOffering,
    Template,
    TemplatePermission,
    TemplateZone,
)
from appliance.models.compute import VirtualMachine, VmState, VmStats
from appliance.models.identity import Account, AccountType, Domain, LoginSession, User
from appliance.models.infra import (
    Cluster,
    Host,
    ImageStore,
    Pod,
    PublicIpAddress,
    StoragePool,
    VlanIpRange,
    Zone,
)
from appliance.models.network import (
    FirewallRule,
    GuestVnet,
    Network,
    NetworkState,
    Nic,
    RulePurpose,
    RuleState,
)
from appliance.models.ops import (
    AsyncJob,
    Configuration,
    Event,
    IdSequence,
    JobStatus,
    ManagementProcess,
    ResourceCount,
    ResourceLimit,
)
from appliance.models.router import DomainRouter, RouterState
from appliance.models.security_group import SecurityGroup, SecurityGroupRule, SecurityGroupVm
from appliance.models.simulator import SimulatorFault, SimulatorVm
from appliance.models.storage import (
    IntervalType,
    Snapshot,
    SnapshotPolicy,
    SnapshotState,
    StoragePoolWork,
    Volume,
    VolumeState,
    VolumeType,
)
from appliance.models.vpn import RemoteAccessVpn, VpnUser

__all__ = [
    "Account", "AccountType", "AsyncJob", "Base", "Cluster", "Configuration", "DiskOffering",
    "Domain", "DownloadStatus", "Event", "FirewallRule", "GuestVnet", "Host", "IdSequence",
    "ImageStore", "JobStatus", "LoginSession", "ManagementProcess", "Network",
    "NetworkOffering", "NetworkState", "Nic", "OsCategory", "OsType", "Pod", "PublicIpAddress",
    "ResourceCount", "ResourceLimit", "ResourceTag", "RulePurpose", "RuleState",
    "ServiceOffering", "SimulatorFault", "SimulatorVm", "StoragePool", "Template",
    "TemplatePermission", "TemplateZone", "User", "VirtualMachine", "VlanIpRange", "VmState",
    "VmStats", "Volume", "VolumeState", "VolumeType", "Zone",
    "AutomationLock", "JobLogLine", "DomainRouter", "RouterState",
    "RemoteAccessVpn", "VpnUser",
    "SecurityGroup", "SecurityGroupRule", "SecurityGroupVm",
    "IntervalType", "Snapshot", "SnapshotPolicy", "SnapshotState", "StoragePoolWork",
]
