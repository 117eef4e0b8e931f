"""The host planner: filters in SQL, a ranker, a storage allocator, conditional reservations.

`place` runs in the caller's write transaction:

1. The configured filter chain becomes one WHERE clause over the `host` table (the zone's
   hosts via the composite index on zone, status, resource state, cluster); plug-in filters
   without SQL run in Python on each batch.
2. The database orders the survivors by the configured ranker and returns one batch
   (`host.allocators.batch.size`). The preferred host of a restart is tried first, then the
   OS preference (§11.7.1) orders tiers: hosts preferring the VM's OS category, then hosts
   without a preference, then the rest (a preference, never a requirement).
3. For each candidate in order: the storage allocator orders the pools that fit each new
   disk; the host's CPU and memory are reserved by a conditional UPDATE, then each disk's
   pool likewise. A lost race (rowcount 0) moves on to the next pool or host; a host won
   without a pool is released. Nothing is locked in the process, so any number of servers
   can place against one database.
4. With no candidate left, one more query counts the zone's hosts left after each filter
   (logged) and the error names the first filter that left none: 533 InsufficientCapacity,
   or 531 PermissionDenied for a zone dedicated to another domain.

The conditional UPDATEs alone never overcommit. But a transaction keeps the row lock of a
host it won and then released (no pool left), so on MariaDB two placements crossing such
hosts deadlock and one is rolled back (error 1213) — seen in the pool-limited race test.
`place` therefore first locks the zone's row (SELECT ... FOR UPDATE), so placements in one
zone queue for the few milliseconds of a decision until the caller commits (the lifecycle
commits right after `place`); SQLite's BEGIN IMMEDIATE serializes them anyway.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from appliance.errors import CloudError, InsufficientCapacity, ParamError
from appliance.models import Cluster, Domain, Host, Pod, StoragePool, Zone
from appliance.services import configuration
from appliance.services.allocation import Placement, PlacementRequest, plugins
from appliance.services.allocation import filters as host_filters
from appliance.services.allocation import rankers as host_rankers
from appliance.services.allocation import storage as pool_allocators
from appliance.services.allocation.capacity import (
    release_host,
    release_pool,
    reserve_host,
    reserve_pool,
)
from appliance.services.allocation.state import (
    HostState,
    PlanContext,
    PoolState,
    ZoneState,
    split_tags,
)

log = logging.getLogger(__name__)

ALGORITHM = "vm.allocation.algorithm"
FILTERS = "host.allocators.filters"
STORAGE_ALLOCATOR = "storage.pool.allocator"
BATCH = "host.allocators.batch.size"
CPU_FACTOR = "cpu.overprovisioning.factor"
STORAGE_FACTOR = "storage.overprovisioning.factor"
SETTINGS = (ALGORITHM, FILTERS, STORAGE_ALLOCATOR, BATCH, CPU_FACTOR, STORAGE_FACTOR)


@dataclass(frozen=True)
class Planner:
    """One placement's chain, ranker and storage allocator, resolved from configuration."""

    ctx: PlanContext
    chain: tuple[Any, ...]
    ranker: Any
    allocator: Any
    batch_size: int

    @cached_property
    def sql_filters(self) -> list[tuple[Any, ColumnElement[bool]]]:
        out = []
        for f in self.chain:
            where = getattr(f, "where", None)
            clause = where(self.ctx) if where is not None else None
            if clause is not None:
                out.append((f, clause))
        return out

    @cached_property
    def python_filters(self) -> list[Any]:
        sql = {id(f) for f, _ in self.sql_filters}
        return [f for f in self.chain if id(f) not in sql]


def _settings(session: Session, config: Mapping[str, Any] | None) -> dict[str, Any]:
    values = {}
    for name in SETTINGS:
        if config is not None and name in config:
            values[name] = config[name]
        else:
            values[name] = configuration.get(session, name)
    return values


def _context(session: Session, request: PlacementRequest,
             config: Mapping[str, Any] | None) -> PlanContext:
    # Placements in one zone queue on its row (FOR UPDATE on MariaDB; SQLite's write lock
    # already serializes): see the module docstring on deadlocks.
    zone = session.get(Zone, request.zone_id, with_for_update=True)
    if zone is None or zone.removed is not None:
        raise ParamError(f"Unable to find zone by id {request.zone_id}")
    dedicated = session.get(Domain, zone.domain_id) if zone.domain_id else None
    owner = session.get(Domain, request.domain_id)
    if owner is None:
        raise ParamError(f"Unable to find domain by id {request.domain_id}")
    pinned: tuple[PoolState, ...] = ()
    if request.required_pool_ids:
        rows = session.scalars(select(StoragePool).where(
            StoragePool.id.in_(request.required_pool_ids), StoragePool.removed.is_(None)))
        pinned = tuple(pool_allocators.pool_state(p) for p in rows)
    settings = _settings(session, config)
    return PlanContext(
        request=request,
        zone=ZoneState(id=zone.id, name=zone.name, allocation_state=str(zone.allocation_state),
                       dedicated_path=dedicated.path if dedicated else None,
                       dedicated_name=dedicated.display_path if dedicated else None),
        domain_path=owner.path,
        cpu_factor=float(settings[CPU_FACTOR]),
        storage_factor=float(settings[STORAGE_FACTOR]),
        dialect=session.get_bind().dialect.name,
        pinned_pools=pinned,
        settings=settings,
    )


def planner(session: Session, request: PlacementRequest, *,
            config: Mapping[str, Any] | None = None) -> Planner:
    """Resolve the configured chain, ranker and storage allocator for `request`."""
    ctx = _context(session, request, config)
    s = ctx.settings
    chain = tuple(plugins.load(plugins.FILTERS, n, host_filters.BUILTIN)
                  for n in plugins.names(str(s[FILTERS]), host_filters.DEFAULT_CHAIN))
    ranker = plugins.load(plugins.RANKERS, str(s[ALGORITHM]) or "firstfit",
                          host_rankers.BUILTIN)
    allocator = plugins.load(plugins.STORAGE, str(s[STORAGE_ALLOCATOR]) or "default",
                             pool_allocators.BUILTIN)
    return Planner(ctx, chain, ranker, allocator, max(1, int(s[BATCH])))


def _zone_hosts(ctx: PlanContext) -> list[ColumnElement[bool]]:
    return [Host.zone_id == ctx.zone.id, Host.removed.is_(None)]


def _tiers(session: Session, ctx: PlanContext) -> list[ColumnElement[bool] | None]:
    """Extra conditions tried in turn: the preferred host of a restart, then the OS
    preference (§11.7.1) as separate queries, so each stays an index walk in the ranker's
    order that stops at the batch size, rather than one sort of every host."""
    req = ctx.request
    tiers: list[ColumnElement[bool] | None] = []
    if req.preferred_host_id:
        tiers.append(Host.id == req.preferred_host_id)
    if req.os_category_id:
        # An index probe: skip the first tier when no host of the zone prefers the category.
        preferring = session.scalar(select(Host.id).where(
            Host.os_category_id == req.os_category_id, Host.zone_id == ctx.zone.id).limit(1))
        if preferring is not None:
            tiers.append(Host.os_category_id == req.os_category_id)
        tiers += [Host.os_category_id.is_(None), Host.os_category_id != req.os_category_id]
    else:
        tiers.append(None)
    return tiers


def _preference_key(ctx: PlanContext) -> Callable[[HostState], tuple[int, int]]:
    req = ctx.request

    def key(h: HostState) -> tuple[int, int]:
        preferred = 0 if h.id == req.preferred_host_id else 1
        if not req.os_category_id:
            return preferred, 0
        os_rank = (0 if h.os_category_id == req.os_category_id
                   else 1 if h.os_category_id is None else 2)
        return preferred, os_rank
    return key


_HOST_COLUMNS = (Host.id, Host.name, Host.zone_id, Host.pod_id, Host.cluster_id,
                 Host.hypervisor, Host.cpu_count, Host.cpu_speed_mhz, Host.memory,
                 Host.cpu_used_mhz, Host.memory_used, Host.host_tags, Host.os_category_id,
                 Host.type, Host.status, Host.resource_state)


def _batch(session: Session, plan: Planner, exclude: Sequence[str],
           tier: ColumnElement[bool] | None = None) -> list[HostState]:
    ctx = plan.ctx
    where = _zone_hosts(ctx) + [clause for _, clause in plan.sql_filters]
    if tier is not None:
        where.append(tier)
    if exclude:
        where.append(Host.id.not_in(list(exclude)))
    order = list(getattr(plan.ranker, "order_by", lambda c: [Host.id])(ctx))
    rows = session.execute(
        select(*_HOST_COLUMNS).where(*where).order_by(*order).limit(plan.batch_size)).all()
    if not rows:
        return []
    cluster_ids = {r.cluster_id for r in rows}
    pod_ids = {r.pod_id for r in rows}
    clusters = {c.id: c for c in session.execute(
        select(Cluster.id, Cluster.allocation_state, Cluster.hypervisor)
        .where(Cluster.id.in_(cluster_ids)))}
    pods = {p.id: p for p in session.execute(
        select(Pod.id, Pod.allocation_state).where(Pod.id.in_(pod_ids)))}
    pools = pool_allocators.load_pools(session, ctx, rows)
    states = []
    for r in rows:
        cluster, pod = clusters.get(r.cluster_id), pods.get(r.pod_id)
        state = HostState(
            id=r.id, name=r.name, zone_id=r.zone_id, pod_id=r.pod_id, cluster_id=r.cluster_id,
            hypervisor=str(r.hypervisor), cpu_count=r.cpu_count, cpu_speed_mhz=r.cpu_speed_mhz,
            memory=r.memory, cpu_used_mhz=r.cpu_used_mhz, memory_used=r.memory_used,
            host_tags=split_tags(r.host_tags), os_category_id=r.os_category_id,
            type=r.type, status=str(r.status), resource_state=str(r.resource_state),
            cluster_allocation_state=str(cluster.allocation_state) if cluster else "Disabled",
            pod_allocation_state=str(pod.allocation_state) if pod else "Disabled",
            cluster_hypervisor=str(cluster.hypervisor) if cluster else None,
        )
        reach = tuple(p for p in pools if pool_allocators.reachable(p, state))
        states.append(_with_pools(state, reach))
    return states


def _with_pools(state: HostState, pools: tuple[Any, ...]) -> HostState:
    from dataclasses import replace

    return replace(state, pools=pools)


def _python_filter(plan: Planner, hosts: list[HostState]) -> tuple[list[HostState], str | None]:
    """Apply the Python-only filters; also name the one that removed the last host."""
    emptied = None
    for f in plan.python_filters:
        before = len(hosts)
        hosts = [h for h in hosts if f.passes(h, plan.ctx)]
        if before and not hosts:
            emptied = getattr(f, "name", type(f).__name__)
    return hosts, emptied


def _ranked(plan: Planner, hosts: list[HostState]) -> list[HostState]:
    rank = getattr(plan.ranker, "rank", None)
    if rank is not None:
        hosts = list(rank(hosts, plan.ctx))
    return sorted(hosts, key=_preference_key(plan.ctx))  # stable: the ranker's order within


def _try(session: Session, plan: Planner, host: HostState) -> Placement | None:
    """Reserve `host` and a pool per new disk, or nothing at all."""
    ctx = plan.ctx
    choices = []
    for disk in ctx.disks:
        fitting = pool_allocators.fitting(host, disk, ctx)
        ordered = list(plan.allocator.order(fitting, disk, host, ctx)) if fitting else []
        if not ordered:
            return None
        choices.append((disk, ordered))
    memory = ctx.request.memory_bytes
    if not reserve_host(session, host.id, ctx.cpu_mhz, memory, cpu_factor=ctx.cpu_factor):
        log.debug("host %s was taken concurrently", host.name)
        return None
    won: dict[str, str] = {}
    taken: list[tuple[str, int]] = []
    for disk, pools in choices:
        for pool in pools:
            if reserve_pool(session, pool.id, disk.size, storage_factor=ctx.storage_factor):
                won[disk.kind] = pool.id
                taken.append((pool.id, disk.size))
                break
        else:
            log.debug("no pool left for the %s disk on host %s; releasing it", disk.kind,
                      host.name)
            for pool_id, size in taken:
                release_pool(session, pool_id, size)
            release_host(session, host.id, ctx.cpu_mhz, memory)
            return None
    return Placement(host_id=host.id, pod_id=host.pod_id, cluster_id=host.cluster_id,
                     cpu_mhz=ctx.cpu_mhz, memory_bytes=memory, root_pool_id=won.get("root"),
                     data_pool_id=won.get("data"))


def place(session: Session, request: PlacementRequest, *,
          config: Mapping[str, Any] | None = None) -> Placement:
    """Choose a host (and pools for new disks) for `request` and reserve their capacity.

    Runs in the caller's write transaction: the reservation commits or rolls back with it;
    give it back with `release_host` / `release_pool`. `config` overrides configuration
    values by name (tests, benchmarks). Raises InsufficientCapacity (533) naming what was
    missing, PermissionDenied (531) for a zone dedicated to a domain outside the VM owner's
    subtree, ParamError (431) for an unknown zone or domain.
    """
    plan = planner(session, request, config=config)
    tried: list[str] = []
    emptied_by = None
    for tier in _tiers(session, plan.ctx):
        while True:
            batch = _batch(session, plan, tried, tier)
            tried.extend(h.id for h in batch)
            survivors, emptied = _python_filter(plan, batch)
            emptied_by = emptied or emptied_by
            for host in _ranked(plan, survivors):
                placement = _try(session, plan, host)
                if placement is not None:
                    log.info("placed %s on host %s (cluster %s)", plan.ctx.vm_label,
                             host.name, host.cluster_id)
                    return placement
            if len(batch) < plan.batch_size:
                break
    raise _failure(session, plan, emptied_by)


def candidates(session: Session, request: PlacementRequest, *,
               config: Mapping[str, Any] | None = None,
               limit: int | None = None) -> list[HostState]:
    """Dry run: the hosts `place` would try first, in order, without reserving anything."""
    plan = planner(session, request, config=config)
    if limit is not None:
        plan = Planner(plan.ctx, plan.chain, plan.ranker, plan.allocator, max(1, limit))
    found: list[HostState] = []
    for tier in _tiers(session, plan.ctx):
        batch = _batch(session, plan, [h.id for h in found], tier)
        found += _ranked(plan, _python_filter(plan, batch)[0])
        if len(found) >= plan.batch_size:
            break
    return found[:plan.batch_size]


def filter_counts(session: Session, plan: Planner) -> list[tuple[str, int]]:
    """Hosts of the zone left after each SQL filter of the chain, in one query."""
    sql = plan.sql_filters
    if not sql:
        return []
    terms = []
    cumulative: list[ColumnElement[bool]] = []
    for _, clause in sql:
        cumulative.append(clause)
        terms.append(func.coalesce(func.sum(case((and_(*cumulative), 1), else_=0)), 0))
    row = session.execute(select(func.count(Host.id), *terms).where(*_zone_hosts(plan.ctx)))
    values = row.one()
    names = [getattr(f, "name", type(f).__name__) for f, _ in sql]
    return [("zone hosts", int(values[0]))] + list(zip(names, map(int, values[1:]), strict=True))


def _failure(session: Session, plan: Planner, emptied_by: str | None) -> CloudError:
    ctx = plan.ctx
    counts = filter_counts(session, plan)
    log.info("no host for %s in zone %s; hosts left after each filter: %s", ctx.vm_label,
             ctx.zone.name, ", ".join(f"{n}={c}" for n, c in counts))
    by_name = {getattr(f, "name", type(f).__name__): f for f in plan.chain}
    # A zone-level rule (disabled or dedicated zone) explains the failure before any count.
    culprit = next((f for f in plan.chain
                    if hasattr(f, "zone_ok") and not f.zone_ok(ctx)), None)
    if culprit is None and counts and counts[0][1] == 0:
        return InsufficientCapacity(f"Unable to create a deployment for {ctx.vm_label}: "
                                    f"no host in zone {ctx.zone.name}")
    if culprit is None:
        culprit = next((by_name[n] for n, c in counts[1:] if c == 0), None)
    if culprit is None and emptied_by is not None:
        culprit = by_name.get(emptied_by)
    if culprit is None:
        # Hosts passed every filter but were all taken by concurrent placements meanwhile.
        culprit = by_name.get("capacity") or host_filters.Capacity()
    reason = culprit.reason(ctx) if hasattr(culprit, "reason") else (
        f"no host in zone {ctx.zone.name} passed the {getattr(culprit, 'name', '?')} filter")
    text = f"Unable to create a deployment for {ctx.vm_label}: {reason}"
    failure = getattr(culprit, "failure", None)
    if failure is not None:
        error = failure(ctx, text)
        assert isinstance(error, CloudError)
        return error
    return InsufficientCapacity(text)
