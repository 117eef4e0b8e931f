"""Capacity (seed §11): what zones, pods and clusters have and what is in use, by type.

Types follow CloudStack's numbering: 0 memory, 1 CPU, 2 primary storage (bytes used on the
pools, as the storage stats task last measured them, of their real size), 3 primary storage
allocated (the volumes' sizes reserved on the pools), 4 public IPs, 5 private (pod) IPs,
6 secondary storage, 8 direct-attached IPs, 9 local storage. CPU totals are multiplied by
cpu.overprovisioning.factor, memory by mem.overprovisioning.factor and the allocatable
storage of NFS pools by storage.overprovisioning.factor (other pools: x 1), the same factor
the allocator applies. Hosts in maintenance and removed resources do not count; an entry
whose total and use are both 0 is not listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from appliance.errors import ParamError
from appliance.models import (
    Cluster,
    Host,
    ImageStore,
    Pod,
    PublicIpAddress,
    StoragePool,
    VlanIpRange,
    Zone,
)
from appliance.models.infra import HostResourceState, StoragePoolType, StorageScope
from appliance.services import configuration, infra
from appliance.services.context import CallContext
from appliance.services.infra import pods
from appliance.services.paging import Page

MEMORY, CPU, STORAGE, STORAGE_ALLOCATED, PUBLIC_IP, PRIVATE_IP = 0, 1, 2, 3, 4, 5
SECONDARY_STORAGE, DIRECT_IP, LOCAL_STORAGE = 6, 8, 9
ZONE_TYPES = (MEMORY, CPU, STORAGE, STORAGE_ALLOCATED, PUBLIC_IP, PRIVATE_IP,
              SECONDARY_STORAGE, DIRECT_IP, LOCAL_STORAGE)
POD_TYPES = (MEMORY, CPU, STORAGE, STORAGE_ALLOCATED, PRIVATE_IP, LOCAL_STORAGE)
CLUSTER_TYPES = (MEMORY, CPU, STORAGE, STORAGE_ALLOCATED, LOCAL_STORAGE)


def percent(used: float, total: float) -> str:
    """CloudStack's '#.##' formatting of a percentage: 12.5, 0, 100."""
    value = 0.0 if total <= 0 else used / total * 100
    return f"{value:.2f}".rstrip("0").rstrip(".")


@dataclass
class CapacityView:
    type: int
    zone: Zone
    pod: Pod | None
    cluster: Cluster | None
    used: int
    total: int

    @property
    def percent_used(self) -> str:
        return percent(self.used, self.total)


def _scope(stmt: Any, model: Any, zone: Zone, pod: Pod | None,
           cluster: Cluster | None) -> Any:
    stmt = stmt.where(model.zone_id == zone.id)
    if pod is not None:
        stmt = stmt.where(model.pod_id == pod.id)
    if cluster is not None:
        stmt = stmt.where(model.cluster_id == cluster.id)
    return stmt


def _entries(ctx: CallContext, zone: Zone, pod: Pod | None, cluster: Cluster | None,
             types: tuple[int, ...]) -> list[CapacityView]:
    session = ctx.session
    out: list[CapacityView] = []

    def add(kind: int, used: float | None, total: float | None) -> None:
        if kind in types and (used or total):
            out.append(CapacityView(kind, zone, pod, cluster, int(used or 0), int(total or 0)))

    if MEMORY in types or CPU in types:
        hosts = _scope(select(
            func.sum(Host.cpu_count * Host.cpu_speed_mhz), func.sum(Host.cpu_used_mhz),
            func.sum(Host.memory), func.sum(Host.memory_used),
        ).where(Host.removed.is_(None), Host.type == "Routing",
                Host.resource_state != HostResourceState.MAINTENANCE), Host, zone, pod, cluster)
        # MariaDB sums are Decimals: count in Python ints.
        cpu_total, cpu_used, mem_total, mem_used = (
            int(value or 0) for value in session.execute(hosts).one())
        cpu_factor = float(configuration.get(session, "cpu.overprovisioning.factor"))
        mem_factor = float(configuration.get(session, "mem.overprovisioning.factor"))
        add(MEMORY, mem_used, mem_total * mem_factor)
        add(CPU, cpu_used, cpu_total * cpu_factor)
    if {STORAGE, STORAGE_ALLOCATED, LOCAL_STORAGE} & set(types):
        storage_factor = float(configuration.get(session, "storage.overprovisioning.factor"))
        pools = _scope(select(StoragePool).where(StoragePool.removed.is_(None)),
                       StoragePool, zone, pod, cluster)
        shared_total = shared_used = allocated_total = allocated = 0.0
        local_total = local_used = 0.0
        for pool in session.scalars(pools):
            if pool.scope == StorageScope.HOST:
                local_total += pool.capacity_bytes
                local_used += pool.used_bytes
                continue
            shared_total += pool.capacity_bytes
            shared_used += pool.used_bytes
            factor = storage_factor if pool.pool_type == StoragePoolType.NFS else 1.0
            allocated_total += pool.capacity_bytes * factor
            allocated += pool.allocated_bytes
        add(STORAGE, shared_used, shared_total)
        add(STORAGE_ALLOCATED, allocated, allocated_total)
        add(LOCAL_STORAGE, local_used, local_total)
    if PRIVATE_IP in types and cluster is None:
        pod_rows = select(Pod).where(Pod.zone_id == zone.id, Pod.removed.is_(None))
        if pod is not None:
            pod_rows = pod_rows.where(Pod.id == pod.id)
        add(PRIVATE_IP, 0, sum(pods.address_count(p) for p in session.scalars(pod_rows)))
    if pod is None and cluster is None:
        for kind, virtual in ((PUBLIC_IP, True), (DIRECT_IP, False)):
            if kind not in types:
                continue
            base = select(func.count()).select_from(PublicIpAddress).join(
                VlanIpRange, VlanIpRange.id == PublicIpAddress.vlan_range_id).where(
                PublicIpAddress.zone_id == zone.id,
                VlanIpRange.for_virtual_network == virtual)
            total = session.scalar(base) or 0
            used = session.scalar(base.where(PublicIpAddress.state != "Free")) or 0
            add(kind, used, total)
        if SECONDARY_STORAGE in types:
            total, used = session.execute(select(
                func.sum(ImageStore.capacity_bytes), func.sum(ImageStore.used_bytes)).where(
                ImageStore.zone_id == zone.id, ImageStore.removed.is_(None))).one()
            add(SECONDARY_STORAGE, int(used or 0), int(total or 0))
    return out


def of(ctx: CallContext, target: Zone | Pod | Cluster) -> list[CapacityView]:
    """Every capacity entry of one zone, pod or cluster (showcapacities)."""
    if isinstance(target, Zone):
        return _entries(ctx, target, None, None, ZONE_TYPES)
    if isinstance(target, Pod):
        return _entries(ctx, target.zone, target, None, POD_TYPES)
    return _entries(ctx, target.zone, target.pod, target, CLUSTER_TYPES)


def list_capacity(ctx: CallContext, *, zone_id: str | None, pod_id: str | None,
                  cluster_id: str | None, capacity_type: int | None, sort_by: str | None,
                  page: int | None, pagesize: int | None) -> Page[CapacityView]:
    infra.require_root(ctx, "list capacity")
    if capacity_type is not None and capacity_type not in ZONE_TYPES:
        raise ParamError(f"Invalid capacity type {capacity_type}: expected one of "
                         f"{', '.join(str(t) for t in ZONE_TYPES)}")
    if sort_by is not None and sort_by.lower() != "usage":
        raise ParamError(f"Invalid sortby {sort_by!r}: only usage is supported")
    entries: list[CapacityView] = []
    if cluster_id is not None:
        cluster = infra.cluster(ctx, cluster_id)
        entries = _entries(ctx, cluster.zone, cluster.pod, cluster, CLUSTER_TYPES)
    elif pod_id is not None:
        pod = infra.pod(ctx, pod_id, zone_id)
        entries = _entries(ctx, pod.zone, pod, None, POD_TYPES)
    else:
        zones = select(Zone).where(Zone.removed.is_(None)).order_by(Zone.created, Zone.id)
        if zone_id is not None:
            zones = zones.where(Zone.id == infra.zone(ctx, zone_id).id)
        for zone in ctx.session.scalars(zones):
            entries.extend(_entries(ctx, zone, None, None, ZONE_TYPES))
    if capacity_type is not None:
        entries = [e for e in entries if e.type == capacity_type]
    if sort_by is not None:
        entries.sort(key=lambda e: e.used / e.total if e.total else 0.0, reverse=True)
    total = len(entries)
    if pagesize is not None and pagesize > 0:
        start = ((page or 1) - 1) * pagesize
        entries = entries[start:start + pagesize]
    return Page(entries, total)
