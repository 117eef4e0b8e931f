"""Host filters: the rules a host must pass to take a VM (seed §1.6, §4, §11.7.2).

A filter is a named rule with two forms that must agree:

- `where(ctx)`: the rule as a SQL predicate over the `host` table, so the planner filters
  50,000 hosts in the database rather than in Python (None: the filter has no SQL form and
  runs in Python on each batch of candidates);
- `passes(host, ctx)`: the same rule as a pure predicate over a `HostState`.

`reason(ctx)` says what was missing when this filter removed the last host; `failure`
turns it into the error (533 InsufficientCapacity unless the filter says otherwise).

The chain is `host.allocators.filters`: a comma list of the names below, of entry points
of group `cirrus.host_filters`, or of `module:callable`; `default` stands for DEFAULT_CHAIN.
A plug-in needs only `name` and `passes`; a class is instantiated without arguments and a
plain function `f(host, ctx) -> bool` is wrapped (plugins.py).
"""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import ColumnElement, and_, false, func, select, true

from appliance.errors import CloudError, InsufficientCapacity, PermissionDenied
from appliance.models import Cluster, Host, Pod, StoragePool
from appliance.services.allocation.capacity import host_fits
from appliance.services.allocation.state import (
    MIB,
    HostState,
    PlanContext,
    describe_disk,
    has_tags,
)
from appliance.services.allocation.storage import (
    fitting,
    pool_where,
    reachable,
    tags_match,
)

ENABLED = "Enabled"


class HostFilter:
    """Base of the built-in filters (plug-ins may duck-type it)."""

    name: ClassVar[str] = ""

    def where(self, ctx: PlanContext) -> ColumnElement[bool] | None:
        return None

    def passes(self, host: HostState, ctx: PlanContext) -> bool:
        raise NotImplementedError

    def reason(self, ctx: PlanContext) -> str:
        return f"no host in zone {ctx.zone.name} passed the {self.name} filter"

    def failure(self, ctx: PlanContext, text: str) -> CloudError:
        return InsufficientCapacity(text)


class ZoneEnabled(HostFilter):
    """The zone is Enabled (a root admin may also use a Disabled zone)."""

    name = "zone"

    def zone_ok(self, ctx: PlanContext) -> bool:
        return ctx.request.allow_disabled or ctx.zone.allocation_state == ENABLED

    def where(self, ctx: PlanContext) -> ColumnElement[bool]:
        return true() if self.zone_ok(ctx) else false()

    def passes(self, host: HostState, ctx: PlanContext) -> bool:
        return self.zone_ok(ctx)

    def reason(self, ctx: PlanContext) -> str:
        return f"zone {ctx.zone.name} is {ctx.zone.allocation_state}"


class Dedication(HostFilter):
    """A zone dedicated to domain D takes only VMs of accounts in D's subtree.

    Deploying into a zone dedicated to another domain is a permission problem, not a
    capacity one: CloudStack refuses it with a PermissionDeniedException, so this filter
    fails with PermissionDenied (531) rather than InsufficientCapacity (533).
    """

    name = "dedication"

    def zone_ok(self, ctx: PlanContext) -> bool:
        path = ctx.zone.dedicated_path
        return path is None or ctx.domain_path.startswith(path)

    def where(self, ctx: PlanContext) -> ColumnElement[bool]:
        return true() if self.zone_ok(ctx) else false()

    def passes(self, host: HostState, ctx: PlanContext) -> bool:
        return self.zone_ok(ctx)

    def reason(self, ctx: PlanContext) -> str:
        return (f"zone {ctx.zone.name} is dedicated to domain {ctx.zone.dedicated_name}, "
                f"which the VM's account is not in")

    def failure(self, ctx: PlanContext, text: str) -> CloudError:
        return PermissionDenied(text)


class PodClusterEnabled(HostFilter):
    """The host's pod and cluster are Enabled (a root admin may use Disabled ones)."""

    name = "pod_cluster"

    def where(self, ctx: PlanContext) -> ColumnElement[bool]:
        clusters = select(Cluster.id).where(Cluster.zone_id == ctx.zone.id,
                                            Cluster.removed.is_(None))
        pods = select(Pod.id).where(Pod.zone_id == ctx.zone.id, Pod.removed.is_(None))
        if not ctx.request.allow_disabled:
            clusters = clusters.where(Cluster.allocation_state == ENABLED)
            pods = pods.where(Pod.allocation_state == ENABLED)
        return and_(Host.cluster_id.in_(clusters), Host.pod_id.in_(pods))

    def passes(self, host: HostState, ctx: PlanContext) -> bool:
        return ctx.request.allow_disabled or (
            host.cluster_allocation_state == ENABLED and host.pod_allocation_state == ENABLED)

    def reason(self, ctx: PlanContext) -> str:
        return f"no host in an enabled pod and cluster in zone {ctx.zone.name}"


class HostUp(HostFilter):
    """A routing (hypervisor) host whose status is Up and resource state Enabled."""

    name = "host_state"

    def where(self, ctx: PlanContext) -> ColumnElement[bool]:
        return and_(Host.status == "Up", Host.resource_state == ENABLED,
                    Host.type == "Routing")

    def passes(self, host: HostState, ctx: PlanContext) -> bool:
        return (host.status == "Up" and host.resource_state == ENABLED
                and host.type == "Routing")

    def reason(self, ctx: PlanContext) -> str:
        return f"no host Up and Enabled in zone {ctx.zone.name}"


class Avoid(HostFilter):
    """Hosts the VM just failed to start on are not tried again."""

    name = "avoid"

    def where(self, ctx: PlanContext) -> ColumnElement[bool]:
        avoid = ctx.request.avoid_host_ids
        return Host.id.not_in(sorted(avoid)) if avoid else true()

    def passes(self, host: HostState, ctx: PlanContext) -> bool:
        return host.id not in ctx.request.avoid_host_ids

    def reason(self, ctx: PlanContext) -> str:
        n = len(ctx.request.avoid_host_ids)
        return f"no host left in zone {ctx.zone.name} besides the {n} the VM failed to start on"


class Volumes(HostFilter):
    """A VM whose volumes exist already runs where they are: the required cluster, and a
    host that reaches every pool they are on (the very host for a local pool)."""

    name = "volumes"

    def where(self, ctx: PlanContext) -> ColumnElement[bool]:
        conds: list[ColumnElement[bool]] = []
        req = ctx.request
        if req.required_cluster_id:
            conds.append(Host.cluster_id == req.required_cluster_id)
        if len(ctx.pinned_pools) < len(set(req.required_pool_ids)):
            return false()  # a pool is gone or not Up
        for pool in ctx.pinned_pools:
            if pool.state != "Up":
                return false()
            if pool.scope == "HOST":
                conds.append(Host.id == pool.host_id)
            elif pool.scope == "CLUSTER":
                conds.append(Host.cluster_id == pool.cluster_id)
            else:
                conds.append(Host.zone_id == pool.zone_id)
        return and_(true(), *conds)

    def passes(self, host: HostState, ctx: PlanContext) -> bool:
        req = ctx.request
        if req.required_cluster_id and host.cluster_id != req.required_cluster_id:
            return False
        if len(ctx.pinned_pools) < len(set(req.required_pool_ids)):
            return False
        return all(p.state == "Up" and reachable(p, host) for p in ctx.pinned_pools)

    def reason(self, ctx: PlanContext) -> str:
        pools = ", ".join(p.name for p in ctx.pinned_pools) or "its pools"
        return (f"no available host in zone {ctx.zone.name} reaches the VM's volumes "
                f"(on {pools})")


class Hypervisor(HostFilter):
    """The host runs the template's hypervisor (any when the request names none)."""

    name = "hypervisor"

    def where(self, ctx: PlanContext) -> ColumnElement[bool]:
        hv = ctx.request.hypervisor
        return func.lower(Host.hypervisor) == hv.lower() if hv else true()

    def passes(self, host: HostState, ctx: PlanContext) -> bool:
        hv = ctx.request.hypervisor
        return not hv or host.hypervisor.lower() == hv.lower()

    def reason(self, ctx: PlanContext) -> str:
        return f"no available {ctx.request.hypervisor} host in zone {ctx.zone.name}"


class HostTags(HostFilter):
    """The host carries every host tag of the service offering."""

    name = "host_tags"

    def where(self, ctx: PlanContext) -> ColumnElement[bool]:
        return tags_match(Host.host_tags, ctx.request.host_tags)

    def passes(self, host: HostState, ctx: PlanContext) -> bool:
        return has_tags(host.host_tags, ctx.request.host_tags)

    def reason(self, ctx: PlanContext) -> str:
        tags = ",".join(ctx.request.host_tags)
        return f"no available host tagged '{tags}' in zone {ctx.zone.name}"


class CpuCores(HostFilter):
    """Core count is strict and a virtual core is never faster than the host's cores."""

    name = "cpu_cores"

    def where(self, ctx: PlanContext) -> ColumnElement[bool]:
        req = ctx.request
        return and_(Host.cpu_count >= req.cpu_number, Host.cpu_speed_mhz >= req.cpu_speed_mhz)

    def passes(self, host: HostState, ctx: PlanContext) -> bool:
        req = ctx.request
        return host.cpu_count >= req.cpu_number and host.cpu_speed_mhz >= req.cpu_speed_mhz

    def reason(self, ctx: PlanContext) -> str:
        req = ctx.request
        return (f"no available host with {req.cpu_number} cores of at least "
                f"{req.cpu_speed_mhz} MHz in zone {ctx.zone.name}")


class Capacity(HostFilter):
    """Free CPU (x cpu.overprovisioning.factor) and memory (never over-provisioned)."""

    name = "capacity"

    def where(self, ctx: PlanContext) -> ColumnElement[bool]:
        return host_fits(ctx.cpu_mhz, ctx.request.memory_bytes, ctx.cpu_factor)

    def passes(self, host: HostState, ctx: PlanContext) -> bool:
        cap = host.cpu_count * host.cpu_speed_mhz * ctx.cpu_factor
        return (host.cpu_used_mhz + ctx.cpu_mhz <= cap
                and host.memory_used + ctx.request.memory_bytes <= host.memory)

    def reason(self, ctx: PlanContext) -> str:
        req = ctx.request
        return (f"no host with {req.cpu_number} CPUs x {req.cpu_speed_mhz} MHz/"
                f"{req.memory_bytes // MIB} MB free in zone {ctx.zone.name}")


class Storage(HostFilter):
    """The host reaches a pool with room for each new disk (see storage.py)."""

    name = "storage"

    def where(self, ctx: PlanContext) -> ColumnElement[bool]:
        conds: list[ColumnElement[bool]] = []
        for disk in ctx.disks:
            fits = pool_where(ctx, disk)
            if disk.local:
                conds.append(Host.id.in_(select(StoragePool.host_id).where(fits)))
            else:
                zone_wide = select(StoragePool.id).where(fits, StoragePool.scope == "ZONE")
                cluster_ids = select(StoragePool.cluster_id).where(
                    fits, StoragePool.scope == "CLUSTER")
                conds.append(zone_wide.exists() | Host.cluster_id.in_(cluster_ids))
        return and_(true(), *conds)

    def passes(self, host: HostState, ctx: PlanContext) -> bool:
        return all(fitting(host, disk, ctx) for disk in ctx.disks)

    def reason(self, ctx: PlanContext) -> str:
        needs = " and ".join(describe_disk(d) for d in ctx.disks) or "primary storage"
        return f"no available host in zone {ctx.zone.name} reaches {needs}"


BUILTIN: dict[str, Any] = {c.name: c for c in (
    ZoneEnabled, Dedication, PodClusterEnabled, HostUp, Avoid, Volumes, Hypervisor, HostTags,
    CpuCores, Capacity, Storage,
)}
# The order also decides which filter a 533 names: the first one that leaves no host.
DEFAULT_CHAIN = ("zone", "dedication", "pod_cluster", "host_state", "avoid", "volumes",
                 "hypervisor", "host_tags", "cpu_cores", "capacity", "storage")
