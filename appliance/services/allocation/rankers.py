"""Host rankers: the order in which the hosts that passed every filter are tried (seed §1.6).

`vm.allocation.algorithm` names the ranker. CloudStack's values are accepted:

| value                          | here                                                        |
|--------------------------------|-------------------------------------------------------------|
| `firstfit` (default)           | hosts in a fixed order (cluster, id); the first that fits   |
|                                | wins, so one host fills before the next: vertical (§1.6)    |
| `random`                       | a random host among those that fit                          |
| `firstfitleastconsumed`,       | the least allocated host first (CPU share, then memory      |
| `roundrobin`, `horizontal`     | share): guests spread over hosts, horizontal allocation     |
| `userdispersing`               | the host running fewest of the account's VMs, then least    |
|                                | allocated: spreads one account's VMs                        |
| `userconcentratedpod_firstfit` | the pod running most of the account's VMs, then firstfit    |
| `userconcentratedpod_random`   | the pod running most of the account's VMs, then random      |

(CloudStack's own default is `random`; Cirrus defaults to `firstfit`.) Any other value is a
ranker plug-in: an entry point of group `cirrus.host_rankers` or `module:callable`.

A ranker has `order_by(ctx)`, SQL ORDER BY terms over the `host` table so the database
returns the best candidates first and stops at the batch size, and `rank(hosts, ctx)`,
which may reorder one batch in Python (a plug-in without SQL sees only the batch, of
`host.allocators.batch.size` hosts in id order). The OS preference (§11.7.1) and the
preferred host of a restart are applied around any ranker by the planner.
"""

from __future__ import annotations

import random
from typing import Any, ClassVar

from sqlalchemy import ColumnElement, func, literal, select

from appliance.models import Host, VirtualMachine
from appliance.services.allocation.state import HostState, PlanContext


class HostRanker:
    name: ClassVar[str] = ""

    def order_by(self, ctx: PlanContext) -> list[Any]:
        return [Host.id]

    def rank(self, hosts: list[HostState], ctx: PlanContext) -> list[HostState]:
        return hosts


class FirstFit(HostRanker):
    """Clusters and their hosts in id order: the walk of the host index, so the database
    stops at the first batch that fits instead of sorting the zone's hosts."""

    name = "firstfit"

    def order_by(self, ctx: PlanContext) -> list[Any]:
        return [Host.cluster_id, Host.id]

    def rank(self, hosts: list[HostState], ctx: PlanContext) -> list[HostState]:
        return sorted(hosts, key=lambda h: (h.cluster_id, h.id))


def _random(ctx: PlanContext) -> ColumnElement[Any]:
    return func.rand() if ctx.dialect in ("mysql", "mariadb") else func.random()


class Random(HostRanker):
    name = "random"

    def order_by(self, ctx: PlanContext) -> list[Any]:
        return [_random(ctx)]

    def rank(self, hosts: list[HostState], ctx: PlanContext) -> list[HostState]:
        shuffled = list(hosts)
        random.shuffle(shuffled)
        return shuffled


def _shares() -> list[Any]:
    cpu_total = func.nullif(Host.cpu_count * Host.cpu_speed_mhz, 0)
    return [Host.cpu_used_mhz * literal(1.0) / cpu_total,
            Host.memory_used * literal(1.0) / func.nullif(Host.memory, 0)]


def share_key(host: HostState) -> tuple[float, float, str]:
    cpu_total = host.cpu_count * host.cpu_speed_mhz
    return (host.cpu_used_mhz / cpu_total if cpu_total else 0.0,
            host.memory_used / host.memory if host.memory else 0.0, host.id)


class LeastConsumed(HostRanker):
    name = "firstfitleastconsumed"

    def order_by(self, ctx: PlanContext) -> list[Any]:
        return [*_shares(), Host.id]

    def rank(self, hosts: list[HostState], ctx: PlanContext) -> list[HostState]:
        return sorted(hosts, key=share_key)


def _account_vms(ctx: PlanContext, column: Any, host_column: Any) -> Any:
    return (select(func.count(VirtualMachine.id))
            .where(column == host_column, VirtualMachine.account_id == ctx.request.account_id,
                   VirtualMachine.removed.is_(None))
            .scalar_subquery())


class UserDispersing(HostRanker):
    name = "userdispersing"

    def order_by(self, ctx: PlanContext) -> list[Any]:
        return [_account_vms(ctx, VirtualMachine.host_id, Host.id), *_shares(), Host.id]


class UserConcentratedPodFirstFit(HostRanker):
    name = "userconcentratedpod_firstfit"

    def order_by(self, ctx: PlanContext) -> list[Any]:
        return [_account_vms(ctx, VirtualMachine.pod_id, Host.pod_id).desc(), Host.id]


class UserConcentratedPodRandom(HostRanker):
    name = "userconcentratedpod_random"

    def order_by(self, ctx: PlanContext) -> list[Any]:
        return [_account_vms(ctx, VirtualMachine.pod_id, Host.pod_id).desc(), _random(ctx)]


BUILTIN: dict[str, Any] = {c.name: c for c in (
    FirstFit, Random, LeastConsumed, UserDispersing, UserConcentratedPodFirstFit,
    UserConcentratedPodRandom,
)}
BUILTIN["roundrobin"] = BUILTIN["horizontal"] = LeastConsumed
BUILTIN["vertical"] = FirstFit
