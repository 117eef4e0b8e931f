"""Placement of VMs on hosts and of volumes on primary storage (seed §1.6, §11.7).

The contract the VM lifecycle uses. `place` picks a host and pools through the planner
chosen by configuration and reserves their capacity in the caller's transaction, so two
concurrent deploys can never both take the last slot of a host or a pool.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PlacementRequest:
    """What a VM needs; sizes in MHz and bytes."""

    zone_id: str
    account_id: str
    domain_id: str
    cpu_number: int
    cpu_speed_mhz: int
    memory_bytes: int
    hypervisor: str | None = None  # the template's; None: any
    root_disk_bytes: int = 0  # 0: the root volume already exists (a restart)
    root_storage_tags: tuple[str, ...] = ()
    data_disk_bytes: int = 0
    data_storage_tags: tuple[str, ...] = ()
    host_tags: tuple[str, ...] = ()
    local_storage: bool = False
    os_category_id: str | None = None
    avoid_host_ids: frozenset[str] = field(default_factory=frozenset)
    # A restart goes back to the host and cluster its volumes live in when it can.
    preferred_host_id: str | None = None
    required_cluster_id: str | None = None
    required_pool_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Placement:
    """A decision with what was reserved for it."""

    host_id: str
    pod_id: str
    cluster_id: str
    cpu_mhz: int
    memory_bytes: int
    root_pool_id: str | None = None
    data_pool_id: str | None = None
