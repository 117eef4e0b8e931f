"""Where a data volume lives: the pool nearest a VM, and the hosts that reach a pool.

A volume is made lazily, on its first attach, in a pool its VM's host reaches (seed §7.5):
the pools that fit the disk (state, kind, storage tags, room; the allocation module's
`pool_where`) are ordered by the configured storage allocator and the first one whose
conditional reservation succeeds is taken, as the planner does for a VM's disks.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, func, or_, select

from appliance.errors import InsufficientCapacity
from appliance.models import (
    Cluster,
    DiskOffering,
    Host,
    StoragePool,
    VirtualMachine,
    Volume,
    VolumeType,
    Zone,
)
from appliance.models.infra import StorageScope
from appliance.services import configuration
from appliance.services.allocation import PlacementRequest, plugins, reserve_pool
from appliance.services.allocation import storage as pool_allocators
from appliance.services.allocation.planner import STORAGE_ALLOCATOR, STORAGE_FACTOR
from appliance.services.allocation.state import (
    Disk,
    HostState,
    PlanContext,
    ZoneState,
    describe_disk,
    split_tags,
)
from appliance.services.context import CallContext
from appliance.services.infra import pool_hosts


def _reach_clause(host: Host) -> ColumnElement[bool]:
    return or_(StoragePool.scope == StorageScope.ZONE,
               and_(StoragePool.scope == StorageScope.CLUSTER,
                    StoragePool.cluster_id == host.cluster_id),
               and_(StoragePool.scope == StorageScope.HOST, StoragePool.host_id == host.id))


def hosts_reaching(ctx: CallContext, pool: StoragePool,
                   hypervisor: str | None = None) -> list[Host]:
    """The Up hosts that mount `pool` (of `hypervisor` when given), by name."""
    return pool_hosts.hosts_reaching(ctx.session, pool, hypervisor)


def anchor_host(ctx: CallContext, vm: VirtualMachine) -> Host | None:
    """The host whose reach decides where `vm`'s disks go: the one it runs on or last ran
    on, else one of the cluster holding its root disk; None for a VM never placed."""
    for host_id in (vm.host_id, vm.last_host_id):
        host = ctx.session.get(Host, host_id) if host_id else None
        if host is not None and host.removed is None:
            return host
    root_pool = ctx.session.scalar(
        select(StoragePool).join(Volume, Volume.pool_id == StoragePool.id)
        .where(Volume.vm_id == vm.id, Volume.volume_type == VolumeType.ROOT,
               Volume.removed.is_(None)))
    if root_pool is None:
        return None
    reaching = hosts_reaching(ctx, root_pool)
    return reaching[0] if reaching else None


def vm_hypervisor(ctx: CallContext, vm: VirtualMachine) -> str | None:
    """The hypervisor type `vm` runs on: its own record, else its anchor host's."""
    if vm.hypervisor:
        return vm.hypervisor
    host = anchor_host(ctx, vm)
    return str(host.hypervisor) if host is not None else None


def same_hypervisor(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a.lower() == b.lower()


def disk_of(ctx: CallContext, volume: Volume, size: int | None = None) -> Disk:
    """What a pool must offer `volume`: its offering's tags and locality, its size."""
    offering = (ctx.session.get(DiskOffering, volume.disk_offering_id)
                if volume.disk_offering_id else None)
    return Disk("data", volume.size if size is None else size,
                split_tags(offering.tags if offering else None),
                offering is not None and offering.storage_type == "local")


def _plan_context(ctx: CallContext, volume: Volume) -> PlanContext:
    zone = ctx.session.get(Zone, volume.zone_id)
    assert zone is not None
    settings = {name: configuration.get(ctx.session, name)
                for name in (STORAGE_FACTOR, STORAGE_ALLOCATOR)}
    request = PlacementRequest(zone_id=zone.id, account_id=volume.account_id,
                               domain_id=volume.domain_id, cpu_number=0, cpu_speed_mhz=0,
                               memory_bytes=0)
    return PlanContext(request=request, zone=ZoneState(id=zone.id, name=zone.name),
                       domain_path="", storage_factor=float(settings[STORAGE_FACTOR]),
                       dialect=ctx.session.get_bind().dialect.name, settings=settings)


def _host_state(ctx: CallContext, host: Host) -> HostState:
    cluster = ctx.session.get(Cluster, host.cluster_id)
    return HostState(id=host.id, name=host.name, zone_id=host.zone_id, pod_id=host.pod_id,
                     cluster_id=host.cluster_id, hypervisor=str(host.hypervisor),
                     cpu_count=host.cpu_count, cpu_speed_mhz=host.cpu_speed_mhz,
                     memory=host.memory, host_tags=split_tags(host.host_tags),
                     cluster_hypervisor=str(cluster.hypervisor) if cluster else None)


def reserve_near(ctx: CallContext, volume: Volume, host: Host) -> StoragePool:
    """Reserve room for `volume` in the best pool `host` reaches (533 when none fits).

    The reservation is a conditional UPDATE in the caller's transaction: commit it before
    the host creates the disk, give it back with `allocation.release_pool` on failure.
    """
    plan = _plan_context(ctx, volume)
    disk = disk_of(ctx, volume)
    rows = list(ctx.session.scalars(select(StoragePool).where(
        pool_allocators.pool_where(plan, disk), _reach_clause(host),
        or_(StoragePool.hypervisor.is_(None),
            func.lower(StoragePool.hypervisor) == str(host.hypervisor).lower()))))
    by_id = {p.id: p for p in rows}
    allocator = plugins.load(plugins.STORAGE, str(plan.settings[STORAGE_ALLOCATOR]) or "default",
                             pool_allocators.BUILTIN)
    ordered = allocator.order([pool_allocators.pool_state(p) for p in rows], disk,
                              _host_state(ctx, host), plan) if rows else []
    for candidate in ordered:
        if reserve_pool(ctx.session, candidate.id, disk.size,
                        storage_factor=plan.storage_factor):
            ctx.log.info("volume %s goes to pool %s (near host %s)", volume.id,
                         candidate.name, host.name)
            return by_id[candidate.id]
    raise InsufficientCapacity(
        f"Unable to create volume {volume.name} ({volume.id}): no pool reachable from host "
        f"{host.name} has {describe_disk(disk)}")
