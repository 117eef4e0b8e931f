"""Zones (seed §4.1): create, update, delete, and who may list which zone."""

from __future__ import annotations

import ipaddress
from typing import Any

from sqlalchemy import exists, or_, select

from appliance.errors import ParamError, PermissionDenied, ResourceInUse
from appliance.models import (
    Domain,
    Host,
    ImageStore,
    Pod,
    StoragePool,
    VirtualMachine,
    VlanIpRange,
    Zone,
)
from appliance.models.base import utcnow
from appliance.models.infra import AllocationState, IsolationMethod, NetworkType
from appliance.services import infra, tenancy
from appliance.services.context import CallContext
from appliance.services.paging import Page, keyword_filter, paginate

_VNI_MAX = {IsolationMethod.VLAN: 4094, IsolationMethod.VXLAN: 16777215}


def _network_type(value: str) -> NetworkType:
    for kind in NetworkType:
        if kind.value.lower() == value.strip().lower():
            return kind
    raise ParamError(f"Invalid networktype {value!r}: expected Basic or Advanced")


def _isolation(value: str | None) -> IsolationMethod:
    if value is None:
        return IsolationMethod.VLAN
    try:
        return IsolationMethod(value.strip().lower())
    except ValueError:
        raise ParamError(f"Invalid isolationmethod {value!r}: expected vlan or vxlan") from None


def _vlan_range(value: str | None, method: IsolationMethod) -> str | None:
    """'start-end' of guest VLAN ids (1-4094) or VXLAN VNIs (1-16777215)."""
    if value is None or value == "":
        return None
    start, sep, end = value.strip().partition("-")
    try:
        low, high = int(start), int(end if sep else start)
    except ValueError:
        raise ParamError(f"Invalid vlan range {value!r}: expected start-end") from None
    top = _VNI_MAX[method]
    if not 1 <= low <= high <= top:
        raise ParamError(f"Invalid vlan range {value!r}: {method} ids go from 1 to {top} "
                         "and start must not exceed end")
    return f"{low}-{high}"


def _dns(value: str | None, what: str) -> str | None:
    if value is None or value == "":
        return None
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        raise ParamError(f"Invalid {what} {value!r}: not an IP address") from None


def _cidr(value: str) -> str:
    try:
        return str(ipaddress.IPv4Network(value.strip(), strict=True))
    except ValueError:
        raise ParamError(f"Invalid guestcidraddress {value!r}: expected a CIDR such as "
                         "10.1.1.0/24") from None


def _check_name(ctx: CallContext, name: str, zone_id: str | None = None) -> str:
    name = name.strip()
    if not name:
        raise ParamError("Zone name must not be empty")
    other = ctx.session.scalar(select(Zone.id).where(Zone.name == name))
    if other is not None and other != zone_id:
        raise ParamError(f"A zone with name {name} already exists")
    return name


def create(
    ctx: CallContext, *, name: str, network_type: str, dns1: str | None, dns2: str | None,
    internal_dns1: str | None, internal_dns2: str | None, guest_cidr: str | None,
    vlan: str | None, domain_id: str | None, network_domain: str | None,
    security_group_enabled: bool | None, local_storage_enabled: bool | None,
    allocation_state: str | None, isolation_method: str | None,
) -> Zone:
    infra.require_root(ctx, "create zones")
    method = _isolation(isolation_method)
    domain = tenancy.get_domain(ctx, domain_id) if domain_id else None
    zone = Zone(
        name=_check_name(ctx, name), network_type=_network_type(network_type),
        dns1=_dns(dns1, "dns1"), dns2=_dns(dns2, "dns2"),
        internal_dns1=_dns(internal_dns1, "internaldns1"),
        internal_dns2=_dns(internal_dns2, "internaldns2"),
        guest_cidr=_cidr(guest_cidr) if guest_cidr else "10.1.1.0/24",
        isolation_method=method, vlan_range=_vlan_range(vlan, method),
        network_domain=network_domain or None, domain_id=domain.id if domain else None,
        security_group_enabled=bool(security_group_enabled),
        local_storage_enabled=bool(local_storage_enabled),
        allocation_state=infra.allocation_state(allocation_state) or AllocationState.ENABLED,
    )
    ctx.session.add(zone)
    ctx.session.flush()
    ctx.log.info("created zone %s (%s, %s)", zone.name, zone.network_type, zone.id)
    return zone


def update(ctx: CallContext, zone: Zone, **changes: Any) -> Zone:
    """Apply the given (non-None) changes; keys are the create() keyword names."""
    infra.require_root(ctx, "update zones")
    if changes.get("name") is not None:
        zone.name = _check_name(ctx, changes["name"], zone.id)
    for key in ("dns1", "dns2", "internal_dns1", "internal_dns2"):
        if changes.get(key) is not None:
            setattr(zone, key, _dns(changes[key], key.replace("_", "")))
    if changes.get("guest_cidr") is not None:
        zone.guest_cidr = _cidr(changes["guest_cidr"])
    if changes.get("isolation_method") is not None:
        zone.isolation_method = _isolation(changes["isolation_method"])
    if changes.get("vlan") is not None:
        zone.vlan_range = _vlan_range(changes["vlan"], IsolationMethod(zone.isolation_method))
    if changes.get("network_domain") is not None:
        zone.network_domain = changes["network_domain"] or None
    if changes.get("domain_id") is not None:
        zone.domain_id = tenancy.get_domain(ctx, changes["domain_id"]).id
    if changes.get("security_group_enabled") is not None:
        zone.security_group_enabled = changes["security_group_enabled"]
    if changes.get("local_storage_enabled") is not None:
        zone.local_storage_enabled = changes["local_storage_enabled"]
    state = infra.allocation_state(changes.get("allocation_state"))
    if state is not None:
        zone.allocation_state = state
    return zone


def delete(ctx: CallContext, zone: Zone) -> None:
    """Remove an empty zone (536 naming what it still has)."""
    infra.require_root(ctx, "delete zones")
    checks: tuple[tuple[str, Any], ...] = (
        ("pods", select(Pod.id).where(Pod.zone_id == zone.id, Pod.removed.is_(None))),
        ("hosts", select(Host.id).where(Host.zone_id == zone.id, Host.removed.is_(None))),
        ("primary storage", select(StoragePool.id).where(
            StoragePool.zone_id == zone.id, StoragePool.removed.is_(None))),
        ("secondary storage", select(ImageStore.id).where(
            ImageStore.zone_id == zone.id, ImageStore.removed.is_(None))),
        ("public IP ranges", select(VlanIpRange.id).where(VlanIpRange.zone_id == zone.id)),
        ("virtual machines", select(VirtualMachine.id).where(
            VirtualMachine.zone_id == zone.id, VirtualMachine.removed.is_(None))),
    )
    for what, stmt in checks:
        if ctx.session.scalar(select(exists(stmt))):
            raise ResourceInUse(f"Zone {zone.name} cannot be deleted: it still has {what}")
    zone.name = infra.overflow_name(zone.name, zone.id)
    zone.removed = utcnow()
    ctx.log.info("removed zone %s", zone.id)


def _ancestor_paths(path: str) -> list[str]:
    """'/a/b/' -> ['/', '/a/', '/a/b/']."""
    parts = [p for p in path.split("/") if p]
    return ["/"] + ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]


def visible(ctx: CallContext) -> Any:
    """A condition on Zone: the zones the caller may see and use.

    Public zones are everyone's; a zone dedicated to a domain serves that domain's subtree
    (so its users see it when it is dedicated to their domain or an ancestor); a domain
    admin also sees zones dedicated inside its own subtree. Disabled zones are root's only.
    """
    caller = ctx.caller
    if caller.is_root_admin:
        return Zone.removed.is_(None)
    allowed = select(Domain.id).where(Domain.path.in_(_ancestor_paths(caller.domain.path)))
    condition = or_(Zone.domain_id.is_(None), Zone.domain_id.in_(allowed))
    if caller.is_domain_admin:
        condition = or_(condition, Zone.domain_id.in_(tenancy.subtree_ids(caller.domain.path)))
    return Zone.removed.is_(None) & (Zone.allocation_state == AllocationState.ENABLED) \
        & condition


def get_visible(ctx: CallContext, zone_id: str) -> Zone:
    """A zone the caller may use (431 unknown, 531 dedicated elsewhere or disabled)."""
    zone = infra.zone(ctx, zone_id)
    if not ctx.session.scalar(select(exists().where(Zone.id == zone.id, visible(ctx)))):
        raise PermissionDenied(f"Account {ctx.caller.account.name} does not have permission "
                               f"to use zone {zone.name}")
    return zone


def list_zones(
    ctx: CallContext, *, zone_id: str | None, name: str | None, available: bool | None,
    domain_id: str | None, network_type: str | None, keyword: str | None,
    page: int | None, pagesize: int | None,
) -> Page[Zone]:
    stmt = select(Zone).where(visible(ctx)).order_by(Zone.created, Zone.id)
    if zone_id is not None:
        stmt = stmt.where(Zone.id == zone_id)
    if name is not None:
        stmt = stmt.where(Zone.name == name)
    if available:
        stmt = stmt.where(Zone.allocation_state == AllocationState.ENABLED)
    if domain_id is not None:
        tenancy.get_domain(ctx, domain_id)
        stmt = stmt.where(Zone.domain_id == domain_id)
    if network_type is not None:
        stmt = stmt.where(Zone.network_type == _network_type(network_type))
    stmt = keyword_filter(stmt, keyword, Zone.name, Zone.description)
    return paginate(ctx.session, stmt, page, pagesize)
