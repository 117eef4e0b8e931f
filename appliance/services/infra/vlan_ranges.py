"""Public (and direct guest) VLAN IP ranges (seed §4.7): one address row per IP.

Each address of a range becomes a `public_ip_address` row when the range is created, so
handing one out later is a single conditional UPDATE and the (zone, address) unique key
guarantees no address exists twice.
"""

from __future__ import annotations

import ipaddress

from sqlalchemy import delete as sql_delete
from sqlalchemy import exists, insert, or_, select

from appliance.errors import ParamError, ResourceInUse
from appliance.models import PublicIpAddress, VlanIpRange, Zone
from appliance.models.base import new_uuid
from appliance.models.infra import IsolationMethod
from appliance.services import infra, tenancy
from appliance.services.context import CallContext
from appliance.services.paging import Page, paginate

MAX_ADDRESSES = 65536
UNTAGGED = "untagged"


def _vlan(value: str | None, zone: Zone) -> str:
    if value is None or value.strip().lower() in ("", UNTAGGED, "vlan://untagged"):
        return UNTAGGED
    text = value.strip().lower().removeprefix("vlan://").removeprefix("vxlan://")
    top = 16777215 if zone.isolation_method == IsolationMethod.VXLAN else 4094
    if not text.isdigit() or not 1 <= int(text) <= top:
        raise ParamError(f"Invalid vlan {value!r}: expected untagged or an id from 1 to {top}")
    return str(int(text))


def create(ctx: CallContext, *, zone_id: str | None, pod_id: str | None, vlan: str | None,
           gateway: str | None, netmask: str | None, start_ip: str, end_ip: str | None,
           for_virtual_network: bool | None, account: str | None, domain_id: str | None,
           network_id: str | None) -> VlanIpRange:
    infra.require_root(ctx, "create VLAN IP ranges")
    if zone_id is None:
        if pod_id is None:
            raise ParamError("zoneid must be specified")
        zone_id = infra.pod(ctx, pod_id).zone_id
    zone = infra.zone(ctx, zone_id)
    pod = infra.pod(ctx, pod_id, zone.id) if pod_id else None
    if gateway is None or netmask is None:
        raise ParamError("gateway and netmask must be specified for a new VLAN IP range")
    network = infra.ipv4_network(gateway, netmask)
    first, last = infra.ip_range(start_ip, end_ip, network)
    gw = infra.ipv4(gateway, "gateway")
    size = int(last) - int(first) + 1
    if size > MAX_ADDRESSES:
        raise ParamError(f"The IP range {first}-{last} holds {size} addresses; at most "
                         f"{MAX_ADDRESSES} may be added at once")
    if int(first) <= int(gw) <= int(last):
        raise ParamError(f"The gateway {gw} must not be inside the range {first}-{last}")
    tag = _vlan(vlan, zone)
    owner = None
    domain = None
    if account is not None:
        owner = tenancy.find_account(ctx, account, domain_id)
        domain = owner.domain
    elif domain_id is not None:
        domain = tenancy.get_domain(ctx, domain_id)
    for other in ctx.session.scalars(select(VlanIpRange).where(VlanIpRange.zone_id == zone.id)):
        low = int(ipaddress.IPv4Address(other.start_ip))
        high = int(ipaddress.IPv4Address(other.end_ip))
        if int(first) <= high and low <= int(last):
            raise ParamError(f"The IP range {first}-{last} overlaps the range "
                             f"{other.start_ip}-{other.end_ip} in zone {zone.name}")
        if tag != UNTAGGED and other.vlan == tag and (
                other.gateway != str(gw) or other.netmask != str(network.netmask)):
            raise ParamError(f"VLAN {tag} in zone {zone.name} already has gateway "
                             f"{other.gateway} and netmask {other.netmask}")
    vlan_range = VlanIpRange(
        zone_id=zone.id, pod_id=pod.id if pod else None, vlan=tag, gateway=str(gw),
        netmask=str(network.netmask), start_ip=str(first), end_ip=str(last),
        for_virtual_network=True if for_virtual_network is None else for_virtual_network,
        network_id=network_id, account_id=owner.id if owner else None,
        domain_id=domain.id if domain else None)
    ctx.session.add(vlan_range)
    ctx.session.flush()
    taken = ctx.session.scalar(select(PublicIpAddress.address).where(
        PublicIpAddress.zone_id == zone.id,
        PublicIpAddress.address_int.between(int(first), int(last))).limit(1))
    if taken is not None:
        raise ParamError(f"Address {taken} of range {first}-{last} already exists in zone "
                         f"{zone.name}")
    rows = [{"id": new_uuid(), "zone_id": zone.id, "vlan_range_id": vlan_range.id,
             "address": str(ipaddress.IPv4Address(value)), "address_int": value,
             "state": "Free", "is_source_nat": False}
            for value in range(int(first), int(last) + 1)]
    for chunk in range(0, len(rows), 5000):
        ctx.session.execute(insert(PublicIpAddress), rows[chunk:chunk + 5000])
    ctx.log.info("created VLAN %s range %s-%s (%d addresses) in zone %s", tag, first, last,
                 size, zone.name)
    return vlan_range


def get(ctx: CallContext, range_id: str) -> VlanIpRange:
    found = ctx.session.get(VlanIpRange, range_id)
    if found is None:
        raise ParamError(f"Unable to find VLAN IP range with id {range_id}")
    return found


def in_use(ctx: CallContext, vlan_range: VlanIpRange) -> int:
    """How many of the range's addresses are allocated."""
    return len(ctx.session.scalars(select(PublicIpAddress.id).where(
        PublicIpAddress.vlan_range_id == vlan_range.id,
        or_(PublicIpAddress.state != "Free", PublicIpAddress.allocated.is_not(None)))).all())


def delete(ctx: CallContext, vlan_range: VlanIpRange) -> None:
    infra.require_root(ctx, "delete VLAN IP ranges")
    if ctx.session.scalar(select(exists().where(
            PublicIpAddress.vlan_range_id == vlan_range.id,
            or_(PublicIpAddress.state != "Free", PublicIpAddress.allocated.is_not(None))))):
        raise ResourceInUse(f"The IP range {vlan_range.start_ip}-{vlan_range.end_ip} cannot "
                            "be deleted: some of its addresses are allocated")
    ctx.session.execute(sql_delete(PublicIpAddress).where(
        PublicIpAddress.vlan_range_id == vlan_range.id))
    ctx.session.delete(vlan_range)
    ctx.session.flush()


def release_account_ranges(ctx: CallContext, account_id: str) -> int:
    """deleteAccount: public ranges dedicated to the account go back to the zone's shared
    pool (as Apache CloudStack releases them); how many."""
    dedicated = list(ctx.session.scalars(select(VlanIpRange).where(
        VlanIpRange.account_id == account_id, VlanIpRange.for_virtual_network.is_(True))))
    for vlan_range in dedicated:
        vlan_range.account_id, vlan_range.domain_id = None, None
    ctx.session.flush()
    return len(dedicated)


def list_ranges(ctx: CallContext, *, range_id: str | None, zone_id: str | None,
                pod_id: str | None, vlan: str | None, for_virtual_network: bool | None,
                account: str | None, domain_id: str | None, network_id: str | None,
                keyword: str | None, page: int | None,
                pagesize: int | None) -> Page[VlanIpRange]:
    infra.require_root(ctx, "list VLAN IP ranges")
    stmt = select(VlanIpRange).order_by(VlanIpRange.created, VlanIpRange.id)
    for column, value in ((VlanIpRange.id, range_id), (VlanIpRange.zone_id, zone_id),
                          (VlanIpRange.pod_id, pod_id), (VlanIpRange.network_id, network_id)):
        if value is not None:
            stmt = stmt.where(column == value)
    if vlan is not None:
        stmt = stmt.where(VlanIpRange.vlan == vlan.lower().removeprefix("vlan://"))
    if for_virtual_network is not None:
        stmt = stmt.where(VlanIpRange.for_virtual_network == for_virtual_network)
    if account is not None:
        stmt = stmt.where(VlanIpRange.account_id == tenancy.find_account(ctx, account,
                                                                         domain_id).id)
    elif domain_id is not None:
        stmt = stmt.where(VlanIpRange.domain_id == tenancy.get_domain(ctx, domain_id).id)
    if keyword:
        stmt = stmt.where(or_(VlanIpRange.vlan.like(f"%{keyword}%"),
                              VlanIpRange.start_ip.like(f"%{keyword}%")))
    return paginate(ctx.session, stmt, page, pagesize)
