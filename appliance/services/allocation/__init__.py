"""Placement of VMs on hosts and of volumes on primary storage (seed §1.6, §11.7, §13.2.2).

The contract the VM lifecycle uses. `place` picks a host and pools through the planner
chosen by configuration and reserves their capacity in the caller's transaction, so two
concurrent deploys can never both take the last slot of a host or a pool.

The planner (planner.py) is a chain of host filters (filters.py), a host ranker
(rankers.py) and a storage pool allocator (storage.py), each chosen by configuration and
each replaceable by a plug-in (plugins.py); reservations are conditional UPDATEs
(capacity.py).
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
    # Shown in the 533 text ("Unable to create a deployment for VM i-2-7-VM: ...").
    vm_name: str | None = None
    # Whether the new data disk goes to local storage; None: as the root disk.
    data_local_storage: bool | None = None
    # Root admin: disabled zones, pods and clusters are still usable (as in CloudStack).
    allow_disabled: bool = False


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


from appliance.services.allocation.capacity import (  # noqa: E402
    release_host,
    release_pool,
    reserve_host,
    reserve_pool,
)
from appliance.services.allocation.planner import candidates, place  # noqa: E402

__all__ = [
    "Placement", "PlacementRequest", "candidates", "place", "release_host", "release_pool",
    "reserve_host", "reserve_pool",
]
