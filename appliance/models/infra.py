"""Physical resources (seed §1.3, §4): zones, pods, clusters, hosts, storage, public ranges.

Capacity that allocators reserve lives on the host and pool rows themselves
(`cpu_used_mhz`, `memory_used`, `allocated_bytes`) so that a reservation is one
conditional UPDATE that cannot overcommit, whichever server runs it.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from appliance.models.base import Base, Created, Timestamp, UuidPk


class NetworkType(StrEnum):
    BASIC = "Basic"
    ADVANCED = "Advanced"


class IsolationMethod(StrEnum):
    VLAN = "vlan"
    VXLAN = "vxlan"


class AllocationState(StrEnum):
    ENABLED = "Enabled"
    DISABLED = "Disabled"


class HypervisorType(StrEnum):
    SIMULATOR = "Simulator"
    KVM = "KVM"
    LXC = "LXC"
    VMWARE = "VMware"


class HostStatus(StrEnum):
    CONNECTING = "Connecting"
    UP = "Up"
    DOWN = "Down"
    DISCONNECTED = "Disconnected"
    ALERT = "Alert"


class HostResourceState(StrEnum):
    ENABLED = "Enabled"
    DISABLED = "Disabled"
    PREPARE_FOR_MAINTENANCE = "PrepareForMaintenance"
    MAINTENANCE = "Maintenance"
    ERROR_IN_MAINTENANCE = "ErrorInMaintenance"


class StoragePoolType(StrEnum):
    NFS = "NetworkFilesystem"
    ISCSI = "IscsiLUN"
    SHARED_MOUNT_POINT = "SharedMountPoint"
    FILESYSTEM = "Filesystem"


class StoragePoolState(StrEnum):
    UP = "Up"
    DISABLED = "Disabled"
    PREPARE_FOR_MAINTENANCE = "PrepareForMaintenance"
    MAINTENANCE = "Maintenance"
    CANCEL_MAINTENANCE = "CancelMaintenance"
    ERROR_IN_MAINTENANCE = "ErrorInMaintenance"


class StorageScope(StrEnum):
    CLUSTER = "CLUSTER"
    HOST = "HOST"
    ZONE = "ZONE"


class Zone(Base):
    """A datacenter (seed §4.1); optionally dedicated to one domain's subtree."""

    __tablename__ = "zone"

    id: Mapped[UuidPk]
    name: Mapped[str] = mapped_column(String(255), unique=True)
    description: Mapped[str | None] = mapped_column(String(1024))
    network_type: Mapped[NetworkType] = mapped_column(String(16))
    dns1: Mapped[str | None] = mapped_column(String(64))
    dns2: Mapped[str | None] = mapped_column(String(64))
    internal_dns1: Mapped[str | None] = mapped_column(String(64))
    internal_dns2: Mapped[str | None] = mapped_column(String(64))
    guest_cidr: Mapped[str] = mapped_column(String(64), default="10.1.1.0/24")
    isolation_method: Mapped[IsolationMethod] = mapped_column(String(8),
                                                              default=IsolationMethod.VLAN)
    # "start-end" of VLAN ids or VXLAN VNIs for isolated guest networks; None: none yet.
    vlan_range: Mapped[str | None] = mapped_column(String(255))
    network_domain: Mapped[str | None] = mapped_column(String(255))
    domain_id: Mapped[str | None] = mapped_column(ForeignKey("domain.id"), index=True)
    allocation_state: Mapped[AllocationState] = mapped_column(
        String(16), default=AllocationState.ENABLED)
    local_storage_enabled: Mapped[bool] = mapped_column(default=False)
    security_group_enabled: Mapped[bool] = mapped_column(default=False)
    created: Mapped[Created]
    removed: Mapped[Timestamp]


class Pod(Base):
    """A rack in a zone with the private range system VMs take addresses from (seed §4.2)."""

    __tablename__ = "pod"

    id: Mapped[UuidPk]
    zone_id: Mapped[str] = mapped_column(ForeignKey("zone.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    gateway: Mapped[str] = mapped_column(String(64))
    netmask: Mapped[str] = mapped_column(String(64))
    start_ip: Mapped[str] = mapped_column(String(64))
    end_ip: Mapped[str | None] = mapped_column(String(64))
    allocation_state: Mapped[AllocationState] = mapped_column(
        String(16), default=AllocationState.ENABLED)
    created: Mapped[Created]
    removed: Mapped[Timestamp]

    zone: Mapped[Zone] = relationship()


class Cluster(Base):
    """Hosts of one hypervisor type sharing primary storage (seed §4.3)."""

    __tablename__ = "cluster"

    id: Mapped[UuidPk]
    zone_id: Mapped[str] = mapped_column(ForeignKey("zone.id"), index=True)
    pod_id: Mapped[str] = mapped_column(ForeignKey("pod.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    hypervisor: Mapped[HypervisorType] = mapped_column(String(32))
    cluster_type: Mapped[str] = mapped_column(String(32), default="CloudManaged")
    # libvirt domain type for KVM clusters: kvm, qemu (TCG) or lxc.
    libvirt_domain_type: Mapped[str | None] = mapped_column(String(8))
    allocation_state: Mapped[AllocationState] = mapped_column(
        String(16), default=AllocationState.ENABLED)
    managed_state: Mapped[str] = mapped_column(String(16), default="Managed")
    created: Mapped[Created]
    removed: Mapped[Timestamp]

    zone: Mapped[Zone] = relationship()
    pod: Mapped[Pod] = relationship()


class Host(Base):
    """A hypervisor host; CPU/RAM detected by its driver, allocation reserved on the row."""

    __tablename__ = "host"
    # The planner's candidate query filters on these first (services/allocation).
    __table_args__ = (
        Index("ix_host_zone_id_status_resource_state_cluster_id_id",
              "zone_id", "status", "resource_state", "cluster_id", "id"),
    )

    id: Mapped[UuidPk]
    name: Mapped[str] = mapped_column(String(255))
    type: Mapped[str] = mapped_column(String(32), default="Routing")
    zone_id: Mapped[str] = mapped_column(ForeignKey("zone.id"), index=True)
    pod_id: Mapped[str] = mapped_column(ForeignKey("pod.id"), index=True)
    cluster_id: Mapped[str] = mapped_column(ForeignKey("cluster.id"), index=True)
    hypervisor: Mapped[HypervisorType] = mapped_column(String(32))
    url: Mapped[str] = mapped_column(String(1024))
    ip_address: Mapped[str | None] = mapped_column(String(64))
    username: Mapped[str | None] = mapped_column(String(255))
    password: Mapped[str | None] = mapped_column(String(255))
    cpu_count: Mapped[int] = mapped_column(Integer, default=0)
    cpu_speed_mhz: Mapped[int] = mapped_column(Integer, default=0)
    memory: Mapped[int] = mapped_column(BigInteger, default=0)
    cpu_used_mhz: Mapped[int] = mapped_column(BigInteger, default=0)
    memory_used: Mapped[int] = mapped_column(BigInteger, default=0)
    host_tags: Mapped[str | None] = mapped_column(String(1024))
    # OS preference (seed §11.7.1): guests of this category are placed here first.
    os_category_id: Mapped[str | None] = mapped_column(ForeignKey("os_category.id"),
                                                       index=True)
    status: Mapped[HostStatus] = mapped_column(String(16), default=HostStatus.CONNECTING)
    resource_state: Mapped[HostResourceState] = mapped_column(
        String(32), default=HostResourceState.ENABLED)
    version: Mapped[str | None] = mapped_column(String(64))
    capabilities: Mapped[str | None] = mapped_column(String(255))
    last_heartbeat: Mapped[Timestamp]
    ping_failures: Mapped[int] = mapped_column(Integer, default=0)
    disconnected: Mapped[Timestamp]
    created: Mapped[Created]
    removed: Mapped[Timestamp]

    zone: Mapped[Zone] = relationship()
    pod: Mapped[Pod] = relationship()
    cluster: Mapped[Cluster] = relationship()

    @property
    def cpu_total_mhz(self) -> int:
        return self.cpu_count * self.cpu_speed_mhz


class StoragePool(Base):
    """Primary storage (seed §4.5): cluster-wide, zone-wide or one host's local disk."""

    __tablename__ = "storage_pool"

    id: Mapped[UuidPk]
    name: Mapped[str] = mapped_column(String(255))
    zone_id: Mapped[str] = mapped_column(ForeignKey("zone.id"), index=True)
    pod_id: Mapped[str | None] = mapped_column(ForeignKey("pod.id"), index=True)
    cluster_id: Mapped[str | None] = mapped_column(ForeignKey("cluster.id"), index=True)
    host_id: Mapped[str | None] = mapped_column(ForeignKey("host.id"), index=True)
    scope: Mapped[StorageScope] = mapped_column(String(8), default=StorageScope.CLUSTER)
    pool_type: Mapped[StoragePoolType] = mapped_column(String(32))
    url: Mapped[str] = mapped_column(String(1024))
    server: Mapped[str | None] = mapped_column(String(255))
    path: Mapped[str] = mapped_column(String(1024))
    port: Mapped[int | None] = mapped_column(Integer)
    hypervisor: Mapped[str | None] = mapped_column(String(32))
    capacity_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    used_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    allocated_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    tags: Mapped[str | None] = mapped_column(String(1024))
    state: Mapped[StoragePoolState] = mapped_column(String(32), default=StoragePoolState.UP)
    created: Mapped[Created]
    removed: Mapped[Timestamp]

    zone: Mapped[Zone] = relationship()


class ImageStore(Base):
    """Secondary storage of a zone (seed §4.6): templates, ISOs and snapshots live here."""

    __tablename__ = "image_store"

    id: Mapped[UuidPk]
    name: Mapped[str] = mapped_column(String(255))
    zone_id: Mapped[str | None] = mapped_column(ForeignKey("zone.id"), index=True)
    url: Mapped[str] = mapped_column(String(1024))
    protocol: Mapped[str] = mapped_column(String(16))
    provider: Mapped[str] = mapped_column(String(32), default="NFS")
    # Where the management server reaches the store's files (a mount or local directory).
    local_path: Mapped[str | None] = mapped_column(String(1024))
    capacity_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    used_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    state: Mapped[str] = mapped_column(String(16), default="Up")
    created: Mapped[Created]
    removed: Mapped[Timestamp]


class VlanIpRange(Base):
    """A public (or direct guest) VLAN with an IP range in a zone (seed §4.7)."""

    __tablename__ = "vlan_ip_range"

    id: Mapped[UuidPk]
    zone_id: Mapped[str] = mapped_column(ForeignKey("zone.id"), index=True)
    pod_id: Mapped[str | None] = mapped_column(ForeignKey("pod.id"))
    vlan: Mapped[str] = mapped_column(String(64), default="untagged")
    gateway: Mapped[str] = mapped_column(String(64))
    netmask: Mapped[str] = mapped_column(String(64))
    start_ip: Mapped[str] = mapped_column(String(64))
    end_ip: Mapped[str] = mapped_column(String(64))
    for_virtual_network: Mapped[bool] = mapped_column(default=True)
    network_id: Mapped[str | None] = mapped_column(String(36), index=True)
    account_id: Mapped[str | None] = mapped_column(ForeignKey("account.id"), index=True)
    domain_id: Mapped[str | None] = mapped_column(ForeignKey("domain.id"), index=True)
    created: Mapped[Created]


class PublicIpAddress(Base):
    """One address of a public range; unique per zone so no address is handed out twice."""

    __tablename__ = "public_ip_address"
    __table_args__ = (UniqueConstraint("zone_id", "address"),)

    id: Mapped[UuidPk]
    zone_id: Mapped[str] = mapped_column(ForeignKey("zone.id"), index=True)
    vlan_range_id: Mapped[str] = mapped_column(ForeignKey("vlan_ip_range.id"), index=True)
    address: Mapped[str] = mapped_column(String(64))
    # Integer form of the address keeps "next free" scans ordered on both backends.
    address_int: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(16), default="Free")
    account_id: Mapped[str | None] = mapped_column(ForeignKey("account.id"), index=True)
    domain_id: Mapped[str | None] = mapped_column(ForeignKey("domain.id"))
    network_id: Mapped[str | None] = mapped_column(String(36), index=True)
    is_source_nat: Mapped[bool] = mapped_column(default=False)
    allocated: Mapped[Timestamp]

