"""Small fake host states and contexts for testing filters and rankers without a database."""

from __future__ import annotations

from typing import Any

from appliance.services.allocation import PlacementRequest
from appliance.services.allocation.state import (
    GIB,
    MIB,
    HostState,
    PlanContext,
    PoolState,
    ZoneState,
)

ZONE = ZoneState(id="z1", name="Sandbox-1")


def pool(pid: str = "p1", **kw: Any) -> PoolState:
    values: dict[str, Any] = dict(id=pid, name=pid, zone_id="z1", scope="CLUSTER",
                                  cluster_id="c1", host_id=None, pool_type="NetworkFilesystem",
                                  capacity_bytes=100 * GIB, allocated_bytes=0)
    values.update(kw)
    return PoolState(**values)


def host(hid: str = "h1", **kw: Any) -> HostState:
    values: dict[str, Any] = dict(id=hid, name=hid, zone_id="z1", pod_id="p1",
                                  cluster_id="c1", hypervisor="KVM", cpu_count=4,
                                  cpu_speed_mhz=2000, memory=8192 * MIB, pools=(pool(),))
    values.update(kw)
    return HostState(**values)


def ctx(*, zone: ZoneState = ZONE, domain_path: str = "/", cpu_factor: float = 1.0,
        storage_factor: float = 1.0, pinned: tuple[PoolState, ...] = (),
        **request: Any) -> PlanContext:
    values: dict[str, Any] = dict(zone_id=zone.id, account_id="a1", domain_id="d1",
                                  cpu_number=1, cpu_speed_mhz=1000, memory_bytes=1024 * MIB)
    values.update(request)
    return PlanContext(request=PlacementRequest(**values), zone=zone, domain_path=domain_path,
                       cpu_factor=cpu_factor, storage_factor=storage_factor,
                       pinned_pools=pinned)
