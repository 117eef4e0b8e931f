"""Pods (seed §4.2): a rack of a zone with the private range its system VMs use."""

from __future__ import annotations

import ipaddress
from typing import Any

from sqlalchemy import exists, select

from appliance.errors import ParamError, ResourceInUse
from appliance.models import Cluster, Host, Pod, StoragePool, VirtualMachine, VlanIpRange, Zone
from appliance.models.base import utcnow
from appliance.models.infra import AllocationState
from appliance.services import infra
from appliance.services.context import CallContext
from appliance.services.paging import Page, keyword_filter, paginate


def _network(gateway: str, netmask: str, start: str, end: str | None,
             ) -> tuple[ipaddress.IPv4Network, str, str | None]:
    network = infra.ipv4_network(gateway, netmask)
    first, last = infra.ip_range(start, end, network)
    gw = infra.ipv4(gateway, "gateway")
    if int(first) <= int(gw) <= int(last):
        raise ParamError(f"The gateway {gw} must not be inside the pod's range "
                         f"{first}-{last}")
    return network, str(first), str(last) if end else None


def _check(ctx: CallContext, zone: Zone, name: str, network: ipaddress.IPv4Network,
           pod_id: str | None = None) -> str:
    name = name.strip()
    if not name:
        raise ParamError("Pod name must not be empty")
    for other in ctx.session.scalars(select(Pod).where(Pod.zone_id == zone.id,
                                                       Pod.removed.is_(None))):
        if other.id == pod_id:
            continue
        if other.name == name:
            raise ParamError(f"A pod with name {name} already exists in zone {zone.name}")
        theirs = ipaddress.IPv4Network(f"{other.gateway}/{other.netmask}", strict=False)
        if theirs.overlaps(network):
            raise ParamError(f"The pod's network {network} overlaps pod {other.name}'s "
                             f"network {theirs} in zone {zone.name}")
    return name


def create(ctx: CallContext, *, zone_id: str, name: str, gateway: str, netmask: str,
           start_ip: str, end_ip: str | None, allocation_state: str | None) -> Pod:
    infra.require_root(ctx, "create pods")
    zone = infra.zone(ctx, zone_id)
    network, start, end = _network(gateway, netmask, start_ip, end_ip)
    pod = Pod(zone_id=zone.id, name=_check(ctx, zone, name, network),
              gateway=gateway.strip(), netmask=str(network.netmask), start_ip=start,
              end_ip=end,
              allocation_state=infra.allocation_state(allocation_state)
              or AllocationState.ENABLED)
    ctx.session.add(pod)
    ctx.session.flush()
    return pod


def update(ctx: CallContext, pod: Pod, *, name: str | None, gateway: str | None,
           netmask: str | None, start_ip: str | None, end_ip: str | None,
           allocation_state: str | None) -> Pod:
    infra.require_root(ctx, "update pods")
    gateway = gateway or pod.gateway
    netmask = netmask or pod.netmask
    start = start_ip or pod.start_ip
    end = end_ip if end_ip is not None else pod.end_ip
    network, start, end = _network(gateway, netmask, start, end)
    pod.name = _check(ctx, pod.zone, name if name is not None else pod.name, network, pod.id)
    pod.gateway, pod.netmask = gateway.strip(), str(network.netmask)
    pod.start_ip, pod.end_ip = start, end
    state = infra.allocation_state(allocation_state)
    if state is not None:
        pod.allocation_state = state
    return pod


def delete(ctx: CallContext, pod: Pod) -> None:
    infra.require_root(ctx, "delete pods")
    checks: tuple[tuple[str, Any], ...] = (
        ("clusters", select(Cluster.id).where(Cluster.pod_id == pod.id,
                                              Cluster.removed.is_(None))),
        ("hosts", select(Host.id).where(Host.pod_id == pod.id, Host.removed.is_(None))),
        ("primary storage", select(StoragePool.id).where(
            StoragePool.pod_id == pod.id, StoragePool.removed.is_(None))),
        ("IP ranges", select(VlanIpRange.id).where(VlanIpRange.pod_id == pod.id)),
        ("virtual machines", select(VirtualMachine.id).where(
            VirtualMachine.pod_id == pod.id, VirtualMachine.removed.is_(None))),
    )
    for what, stmt in checks:
        if ctx.session.scalar(select(exists(stmt))):
            raise ResourceInUse(f"Pod {pod.name} cannot be deleted: it still has {what}")
    pod.removed = utcnow()


def address_count(pod: Pod) -> int:
    """How many private addresses the pod's range holds."""
    first = int(ipaddress.IPv4Address(pod.start_ip))
    last = int(ipaddress.IPv4Address(pod.end_ip)) if pod.end_ip else first
    return last - first + 1


def list_pods(ctx: CallContext, *, pod_id: str | None, name: str | None,
              zone_id: str | None, allocation_state: str | None, keyword: str | None,
              page: int | None, pagesize: int | None) -> Page[Pod]:
    infra.require_root(ctx, "list pods")
    stmt = select(Pod).where(Pod.removed.is_(None)).order_by(Pod.created, Pod.id)
    if pod_id is not None:
        stmt = stmt.where(Pod.id == pod_id)
    if name is not None:
        stmt = stmt.where(Pod.name == name)
    if zone_id is not None:
        stmt = stmt.where(Pod.zone_id == zone_id)
    state = infra.allocation_state(allocation_state)
    if state is not None:
        stmt = stmt.where(Pod.allocation_state == state)
    stmt = keyword_filter(stmt, keyword, Pod.name)
    return paginate(ctx.session, stmt, page, pagesize)
