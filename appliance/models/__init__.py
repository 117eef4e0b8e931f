"""SQLAlchemy models, one module per area; importing this package registers all tables."""

from appliance.models.base import Base
from appliance.models.identity import Account, AccountType, Domain, LoginSession, User
from appliance.models.ops import (
    AsyncJob,
    Configuration,
    Event,
    JobStatus,
    ManagementProcess,
    ResourceCount,
    ResourceLimit,
)

__all__ = [
    "Account",
    "AccountType",
    "AsyncJob",
    "Base",
    "Configuration",
    "Domain",
    "Event",
    "JobStatus",
    "LoginSession",
    "ManagementProcess",
    "ResourceCount",
    "ResourceLimit",
    "User",
]
