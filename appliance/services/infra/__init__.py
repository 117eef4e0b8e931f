"""Physical resources (seed §1.3, §4): lookups and checks every infra service shares.

Only root admins manage or see pods, clusters, hosts, storage, public ranges and capacity
(the commands are declared for ROOT_ADMIN; `require_root` is the service-side guard).
Zones are the one physical resource every role lists (see zones.visible).
"""

from __future__ import annotations

import ipaddress
from typing import TypeVar

from appliance.errors import ParamError, PermissionDenied
from appliance.models import Cluster, Host, ImageStore, Pod, StoragePool, Zone
from appliance.models.infra import AllocationState
from appliance.services.context import CallContext

T = TypeVar("T", Zone, Pod, Cluster, Host, StoragePool, ImageStore)


def require_root(ctx: CallContext, action: str) -> None:
    if not ctx.caller.is_root_admin:
        raise PermissionDenied(
            f"Account {ctx.caller.account.name} does not have permission to {action}")


def get(ctx: CallContext, model: type[T], obj_id: str, *, what: str) -> T:
    """A live (not removed) physical resource by id; 431 when unknown."""
    obj = ctx.session.get(model, obj_id)
    if obj is None or obj.removed is not None:
        raise ParamError(f"Unable to find {what} with id {obj_id}")
    return obj


def zone(ctx: CallContext, zone_id: str) -> Zone:
    return get(ctx, Zone, zone_id, what="zone")


def pod(ctx: CallContext, pod_id: str, zone_id: str | None = None) -> Pod:
    found = get(ctx, Pod, pod_id, what="pod")
    if zone_id is not None and found.zone_id != zone_id:
        raise ParamError(f"Pod {found.name} ({pod_id}) does not belong to zone {zone_id}")
    return found


def cluster(ctx: CallContext, cluster_id: str) -> Cluster:
    return get(ctx, Cluster, cluster_id, what="cluster")


def host(ctx: CallContext, host_id: str) -> Host:
    return get(ctx, Host, host_id, what="host")


def allocation_state(value: str | None) -> AllocationState | None:
    """Enabled|Disabled, case-insensitive (431 otherwise)."""
    if value is None:
        return None
    for state in AllocationState:
        if state.value.lower() == value.strip().lower():
            return state
    raise ParamError(f"Invalid allocationstate {value!r}: expected Enabled or Disabled")


def ipv4(value: str, what: str) -> ipaddress.IPv4Address:
    try:
        return ipaddress.IPv4Address(value.strip())
    except ValueError:
        raise ParamError(f"Invalid {what} {value!r}: not an IPv4 address") from None


def ipv4_network(gateway: str, netmask: str) -> ipaddress.IPv4Network:
    """The network of `gateway`/`netmask` (431 when either is not valid)."""
    ipv4(gateway, "gateway")
    try:
        return ipaddress.IPv4Network(f"{gateway.strip()}/{netmask.strip()}", strict=False)
    except ValueError:
        raise ParamError(f"Invalid netmask {netmask!r}") from None


def ip_range(start: str, end: str | None, network: ipaddress.IPv4Network | None,
             ) -> tuple[ipaddress.IPv4Address, ipaddress.IPv4Address]:
    """A start..end range inside `network` (431 when invalid or reversed)."""
    first = ipv4(start, "startip")
    last = ipv4(end, "endip") if end else first
    if int(last) < int(first):
        raise ParamError(f"Invalid IP range {start}-{end}: endip is lower than startip")
    if network is not None:
        for address in (first, last):
            if address not in network:
                raise ParamError(f"IP {address} is not in the network {network} of the "
                                 "gateway and netmask")
    return first, last


def overflow_name(name: str, obj_id: str) -> str:
    """The name a removed row keeps, so a new one may take the original name."""
    return f"{name}-removed-{obj_id[:8]}"[:255]
