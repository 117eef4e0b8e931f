"""What filters, rankers and storage allocators see: plain values, no sessions.

`HostState` and `PoolState` are snapshots of rows read by the planner; `PlanContext` is
one placement's request with the configuration it runs under. Built-in filters turn the
same rules into SQL (`where`) and into a pure predicate over these values (`passes`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from appliance.services.allocation import PlacementRequest

MIB = 1024 * 1024
GIB = 1024 * MIB
NFS = "NetworkFilesystem"


def split_tags(text: str | None) -> tuple[str, ...]:
    """'a, b,,c' -> ('a', 'b', 'c'): host and pool tags are comma-separated lists."""
    return tuple(t.strip() for t in (text or "").split(",") if t.strip())


def has_tags(have: tuple[str, ...], want: tuple[str, ...]) -> bool:
    """Every wanted tag is among `have` (case-insensitive, as the SQL LIKE match is)."""
    lowered = {t.lower() for t in have}
    return all(t.strip().lower() in lowered for t in want if t.strip())


@dataclass(frozen=True)
class PoolState:
    id: str
    name: str
    zone_id: str
    scope: str  # CLUSTER, ZONE or HOST
    cluster_id: str | None
    host_id: str | None
    pool_type: str
    capacity_bytes: int
    allocated_bytes: int
    tags: tuple[str, ...] = ()
    state: str = "Up"

    @property
    def local(self) -> bool:
        return self.scope == "HOST"


@dataclass(frozen=True)
class Disk:
    """A volume to allocate: 'root' or 'data', its size, storage tags and locality."""

    kind: str
    size: int
    tags: tuple[str, ...]
    local: bool


@dataclass(frozen=True)
class HostState:
    id: str
    name: str
    zone_id: str
    pod_id: str
    cluster_id: str
    hypervisor: str
    cpu_count: int
    cpu_speed_mhz: int
    memory: int
    cpu_used_mhz: int = 0
    memory_used: int = 0
    host_tags: tuple[str, ...] = ()
    os_category_id: str | None = None
    type: str = "Routing"
    status: str = "Up"
    resource_state: str = "Enabled"
    cluster_allocation_state: str = "Enabled"
    pod_allocation_state: str = "Enabled"
    cluster_hypervisor: str | None = None
    # Primary storage this host reaches: its cluster's, its zone's and its own local pools.
    pools: tuple[PoolState, ...] = ()


@dataclass(frozen=True)
class ZoneState:
    id: str
    name: str
    allocation_state: str = "Enabled"
    # Path ('/a/b/') of the domain the zone is dedicated to; None: a public zone.
    dedicated_path: str | None = None
    dedicated_name: str | None = None


@dataclass(frozen=True)
class PlanContext:
    """One placement: the request, its zone and owner, and the factors it runs under."""

    request: PlacementRequest
    zone: ZoneState
    domain_path: str  # the VM owner's domain
    cpu_factor: float = 1.0
    storage_factor: float = 1.0
    dialect: str = "sqlite"
    # Pools the VM's existing volumes are on (restarts): the host must reach them all.
    pinned_pools: tuple[PoolState, ...] = ()
    settings: Mapping[str, Any] = field(default_factory=dict)

    @property
    def cpu_mhz(self) -> int:
        return self.request.cpu_number * self.request.cpu_speed_mhz

    @property
    def disks(self) -> tuple[Disk, ...]:
        """The volumes that need a pool now (size 0: the volume already exists)."""
        r = self.request
        out = []
        if r.root_disk_bytes > 0:
            out.append(Disk("root", r.root_disk_bytes, r.root_storage_tags, r.local_storage))
        if r.data_disk_bytes > 0:
            local = r.local_storage if r.data_local_storage is None else r.data_local_storage
            out.append(Disk("data", r.data_disk_bytes, r.data_storage_tags, local))
        return tuple(out)

    def pool_factor(self, pool_type: str) -> float:
        """storage.overprovisioning.factor applies to NFS pools only (seed §4.5)."""
        return self.storage_factor if pool_type == NFS else 1.0

    def pool_fits(self, pool: PoolState, disk: Disk) -> bool:
        return (
            pool.state == "Up"
            and pool.local == disk.local
            and has_tags(pool.tags, disk.tags)
            and pool.allocated_bytes + disk.size
            <= pool.capacity_bytes * self.pool_factor(pool.pool_type)
        )

    @property
    def vm_label(self) -> str:
        return f"VM {self.request.vm_name}" if self.request.vm_name else "VM"


def describe_disk(disk: Disk) -> str:
    size = f"{disk.size / GIB:g} GB" if disk.size >= GIB else f"{disk.size // MIB} MB"
    tags = f" tagged '{','.join(disk.tags)}'" if disk.tags else ""
    kind = "local" if disk.local else "shared"
    return f"{kind} primary storage{tags} with {size} free for the {disk.kind} disk"
