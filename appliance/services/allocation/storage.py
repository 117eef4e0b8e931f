"""Primary storage: which pools a disk may go to, and the pool allocators that order them.

A pool fits a disk when it is Up, of the disk's kind (a host's local pool for local disks;
its cluster's or zone-wide pools otherwise), carries every storage tag the offering asks
for, and has room: allocated + size <= capacity x storage.overprovisioning.factor for NFS
pools, x 1 for others (seed §4.5). `pool_where` is that rule in SQL, `PlanContext.pool_fits`
the same rule in Python.

A storage allocator orders the fitting pools a chosen host reaches; the planner reserves the
first one it can. Allocators are named by `storage.pool.allocator`: a built-in name below, an
entry point of group `cirrus.storage_allocators`, or `module:callable`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any, ClassVar, Protocol

from sqlalchemy import ColumnElement, and_, func, literal, or_, select, true

from appliance.models import StoragePool
from appliance.services.allocation.capacity import pool_fits
from appliance.services.allocation.state import Disk, HostState, PlanContext, PoolState


def tags_match(column: Any, tags: Sequence[str]) -> ColumnElement[bool]:
    """Every tag is an element of the comma-separated `column` (spaces and case ignored)."""
    wrapped = func.lower(literal(",") + func.replace(func.coalesce(column, ""), " ", "")
                         + literal(","))
    return and_(true(), *(
        wrapped.contains(f",{t.strip().lower()},", autoescape=True) for t in tags if t.strip()
    ))


def pool_where(ctx: PlanContext, disk: Disk) -> ColumnElement[bool]:
    """SQL: the pool is usable for `disk` in the request's zone (reachability aside)."""
    return and_(
        StoragePool.zone_id == ctx.zone.id,
        StoragePool.removed.is_(None),
        StoragePool.state == "Up",
        (StoragePool.scope == "HOST") if disk.local else StoragePool.scope.in_(("CLUSTER",
                                                                                "ZONE")),
        tags_match(StoragePool.tags, disk.tags),
        pool_fits(disk.size, ctx.storage_factor),
    )


def reachable(pool: PoolState, host: HostState) -> bool:
    if pool.scope == "ZONE":
        return pool.zone_id == host.zone_id
    if pool.scope == "HOST":
        return pool.host_id == host.id
    return pool.cluster_id == host.cluster_id


def load_pools(session: Any, ctx: PlanContext, hosts: Sequence[Any]) -> list[PoolState]:
    """The Up pools of the zone that `hosts` (rows or states) reach, in one query."""
    clusters = {h.cluster_id for h in hosts}
    host_ids = {h.id for h in hosts}
    reach = [StoragePool.scope == "ZONE"]
    if clusters:
        reach.append(and_(StoragePool.scope == "CLUSTER", StoragePool.cluster_id.in_(clusters)))
    if host_ids:
        reach.append(and_(StoragePool.scope == "HOST", StoragePool.host_id.in_(host_ids)))
    rows = session.scalars(select(StoragePool).where(
        StoragePool.zone_id == ctx.zone.id, StoragePool.removed.is_(None),
        StoragePool.state == "Up", or_(*reach)))
    return [pool_state(p) for p in rows]


def pool_state(p: Any) -> PoolState:
    from appliance.services.allocation.state import split_tags

    return PoolState(id=p.id, name=p.name, zone_id=p.zone_id, scope=str(p.scope),
                     cluster_id=p.cluster_id, host_id=p.host_id, pool_type=str(p.pool_type),
                     capacity_bytes=p.capacity_bytes, allocated_bytes=p.allocated_bytes,
                     tags=split_tags(p.tags), state=str(p.state))


class StorageAllocator(Protocol):
    """Orders the pools that fit a disk on the chosen host; the first reservable one wins."""

    def order(self, pools: list[PoolState], disk: Disk, host: HostState,
              ctx: PlanContext) -> list[PoolState]: ...


def _free_ratio(pool: PoolState, ctx: PlanContext) -> float:
    cap = pool.capacity_bytes * ctx.pool_factor(pool.pool_type)
    return (cap - pool.allocated_bytes) / cap if cap else 0.0


class ClosestLeastAllocated:
    """Default: the closest pools first (local or cluster before zone-wide), then the one
    with the largest share of free space, so volumes spread over a cluster's pools."""

    name: ClassVar[str] = "default"

    def order(self, pools: list[PoolState], disk: Disk, host: HostState,
              ctx: PlanContext) -> list[PoolState]:
        return sorted(pools, key=lambda p: (p.scope == "ZONE", -_free_ratio(p, ctx), p.id))


class FirstFitPools:
    """The pools in a fixed order (by id): fills one pool before the next."""

    name: ClassVar[str] = "firstfit"

    def order(self, pools: list[PoolState], disk: Disk, host: HostState,
              ctx: PlanContext) -> list[PoolState]:
        return sorted(pools, key=lambda p: p.id)


class RandomPools:
    name: ClassVar[str] = "random"

    def order(self, pools: list[PoolState], disk: Disk, host: HostState,
              ctx: PlanContext) -> list[PoolState]:
        shuffled = list(pools)
        random.shuffle(shuffled)
        return shuffled


BUILTIN: dict[str, Any] = {c.name: c for c in (ClosestLeastAllocated, FirstFitPools,
                                                RandomPools)}


def fitting(host: HostState, disk: Disk, ctx: PlanContext) -> list[PoolState]:
    """The pools `host` reaches that fit `disk` now (by the planner's snapshot)."""
    return [p for p in host.pools if reachable(p, host) and ctx.pool_fits(p, disk)]
