"""Which hosts mount a primary storage pool: its cluster's, its zone's, or its one host."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from appliance.models import Host, StoragePool
from appliance.models.infra import HostStatus, StorageScope


def reaches(pool: StoragePool, host: Host) -> bool:
    """Whether `host` mounts `pool` (its cluster's, its zone's or its own local pool)."""
    if pool.scope == StorageScope.ZONE:
        return pool.zone_id == host.zone_id
    if pool.scope == StorageScope.HOST:
        return pool.host_id == host.id
    return pool.cluster_id == host.cluster_id


def hosts_reaching(session: Session, pool: StoragePool,
                   hypervisor: str | None = None) -> list[Host]:
    """The Up hosts that mount `pool` (of `hypervisor` when given), by name."""
    stmt = select(Host).where(Host.zone_id == pool.zone_id, Host.removed.is_(None),
                              Host.status == HostStatus.UP, Host.type == "Routing")
    if pool.scope == StorageScope.HOST:
        stmt = stmt.where(Host.id == pool.host_id)
    elif pool.scope == StorageScope.CLUSTER:
        stmt = stmt.where(Host.cluster_id == pool.cluster_id)
    kind = hypervisor or pool.hypervisor
    if kind:
        stmt = stmt.where(func.lower(Host.hypervisor) == kind.lower())
    return list(session.scalars(stmt.order_by(Host.name, Host.id)))
