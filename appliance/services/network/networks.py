"""Guest networks through the API (seed §5, §6.7): createNetwork, listNetworks,
updateNetwork, deleteNetwork, and which networks a deployment may use.

Two kinds, after the offering's guest IP type:
- Virtual: an account's isolated network on a VLAN/VNI of its zone's guest range (taken
  through guest.py's allocation), addressed from the zone's guest CIDR or the given
  gateway/netmask; the virtual router is its gateway.
- Direct: a shared network on a tagged (or untagged) VLAN with an admin-given range
  (a VlanIpRange with network_id, for_virtual_network=false); zone-wide, or one account's.
  Addresses of its NICs come from that range, lowest free.

Basic zones have one shared direct untagged network, made on the zone's first deployment
(`basic_network`): its addresses come from the pod guest ranges (createVlanIpRange with
podid, forvirtualnetwork=false), whenever those were added.
"""

from __future__ import annotations

import ipaddress

import sqlalchemy as sa
from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.exc import IntegrityError

from appliance.errors import (
    InsufficientCapacity,
    InternalError,
    ParamError,
    PermissionDenied,
    ResourceInUse,
)
from appliance.models import (
    Account,
    FirewallRule,
    GuestVnet,
    Network,
    NetworkOffering,
    Nic,
    VlanIpRange,
    Zone,
)
from appliance.models.base import utcnow
from appliance.models.infra import NetworkType
from appliance.models.network import NetworkState
from appliance.services import infra, tenancy
from appliance.services.context import CallContext
from appliance.services.infra import vlan_ranges
from appliance.services.network import guest, public_ips
from appliance.services.paging import Page, keyword_filter, paginate

ISOLATED = "Isolated"  # guest_type of networks from Virtual offerings
SHARED = "Shared"  # guest_type of networks from Direct offerings
VIRTUAL = "Virtual"
BASIC_ZONE_VNET = 0  # the guest_vnet claim of a basic zone's one shared network
DIRECT = "Direct"


def wire_type(network: Network) -> str:
    """CloudStack 2.2's `type` of a guest network: Virtual or Direct."""
    return VIRTUAL if network.guest_type == ISOLATED else DIRECT


def offering_of(ctx: CallContext, offering_id: str) -> NetworkOffering:
    offering = ctx.session.get(NetworkOffering, offering_id)
    if offering is None or offering.removed is not None or offering.is_system or \
            offering.traffic_type != "Guest":
        raise ParamError(f"Unable to find guest network offering by id {offering_id}")
    if offering.state != "Enabled":
        raise ParamError(f"Network offering {offering.name} is {offering.state}")
    return offering


def virtual_availability(ctx: CallContext) -> str:
    """The availability of the default virtual network offering (seed §6.7.2):
    Required, Optional or Unavailable."""
    offering = ctx.session.scalar(select(NetworkOffering).where(
        NetworkOffering.guest_ip_type == VIRTUAL, NetworkOffering.is_default.is_(True),
        NetworkOffering.is_system.is_(False), NetworkOffering.removed.is_(None)))
    return offering.availability if offering is not None else "Optional"


def _owner(ctx: CallContext, account: str | None, domain_id: str | None) -> Account | None:
    if account is None:
        if domain_id is not None:
            raise ParamError("domainid must be used together with account")
        return None
    return tenancy.find_account(ctx, account, domain_id)


def _zone(ctx: CallContext, zone_id: str, owner: Account) -> Zone:
    zone = ctx.session.get(Zone, zone_id)
    if zone is None or zone.removed is not None:
        raise ParamError(f"Unable to find zone by id {zone_id}")
    tenancy.check_zone_use(ctx, zone, owner)
    return zone


def _cidr_of(gateway: str, netmask: str) -> ipaddress.IPv4Network:
    return infra.ipv4_network(gateway, netmask)


def create(ctx: CallContext, *, name: str, display_text: str, offering_id: str,
           zone_id: str, gateway: str | None = None, netmask: str | None = None,
           start_ip: str | None = None, end_ip: str | None = None, vlan: str | None = None,
           account: str | None = None, domain_id: str | None = None,
           is_default: bool | None = None, network_domain: str | None = None) -> Network:
    offering = offering_of(ctx, offering_id)
    owner = _owner(ctx, account, domain_id)
    if offering.guest_ip_type == VIRTUAL:
        return _create_isolated(ctx, offering, owner or ctx.caller.account, name=name,
                                display_text=display_text, zone_id=zone_id, gateway=gateway,
                                netmask=netmask, is_default=is_default,
                                network_domain=network_domain)
    if not ctx.caller.is_root_admin:
        raise PermissionDenied("Only root admins may create direct networks")
    return _create_direct(ctx, offering, owner, name=name, display_text=display_text,
                          zone_id=zone_id, gateway=gateway, netmask=netmask,
                          start_ip=start_ip, end_ip=end_ip, vlan=vlan, is_default=is_default,
                          network_domain=network_domain)


def _create_isolated(ctx: CallContext, offering: NetworkOffering, owner: Account, *,
                     name: str, display_text: str, zone_id: str, gateway: str | None,
                     netmask: str | None, is_default: bool | None,
                     network_domain: str | None) -> Network:
    zone = _zone(ctx, zone_id, owner)
    if zone.network_type != NetworkType.ADVANCED:
        raise ParamError(f"Zone {zone.name} is a basic zone: it has no virtual networks")
    if offering.availability == "Unavailable":
        raise ParamError(f"Network offering {offering.name} is Unavailable: virtual "
                         "networks cannot be created")
    if (gateway is None) != (netmask is None):
        raise ParamError("gateway and netmask must be given together")
    if gateway is not None and netmask is not None:
        cidr = _cidr_of(gateway, netmask)
        gw = str(infra.ipv4(gateway, "gateway"))
    else:
        cidr = ipaddress.ip_network(zone.guest_cidr, strict=False)  # type: ignore[assignment]
        gw = str(next(cidr.hosts()))
    current_default = guest.find_default_network(ctx, owner, zone)
    if is_default is None:
        is_default = current_default is None
    elif is_default and current_default is not None:
        raise ParamError(f"Account {owner.name} already has a default virtual network "
                         f"({current_default.name}) in zone {zone.name}")
    network = Network(
        name=name, display_text=display_text, zone_id=zone.id, account_id=owner.id,
        domain_id=owner.domain_id, network_offering_id=offering.id, guest_type=ISOLATED,
        isolation=str(zone.isolation_method), cidr=str(cidr), gateway=gw,
        netmask=str(cidr.netmask), is_default=is_default,
        network_domain=network_domain or owner.network_domain or zone.network_domain)
    ctx.session.add(network)
    ctx.session.flush()
    network.vnet = guest.take_vnet(ctx, zone, network)
    guest.give_source_nat(ctx, network)
    ctx.session.flush()
    return network


def _create_direct(ctx: CallContext, offering: NetworkOffering, owner: Account | None, *,
                   name: str, display_text: str, zone_id: str, gateway: str | None,
                   netmask: str | None, start_ip: str | None, end_ip: str | None,
                   vlan: str | None, is_default: bool | None,
                   network_domain: str | None) -> Network:
    zone = infra.zone(ctx, zone_id)
    if zone.network_type != NetworkType.ADVANCED:
        raise ParamError(f"Zone {zone.name} is a basic zone: its one direct network is "
                         "made by the appliance")
    if gateway is None or netmask is None or start_ip is None:
        raise ParamError("gateway, netmask and startip are required for a direct network")
    if offering.specify_vlan and vlan is None:
        raise ParamError(f"Network offering {offering.name} requires a vlan")
    cidr = _cidr_of(gateway, netmask)
    network = Network(
        name=name, display_text=display_text, zone_id=zone.id,
        account_id=owner.id if owner else None, domain_id=owner.domain_id if owner else None,
        network_offering_id=offering.id, guest_type=SHARED, isolation="vlan",
        cidr=str(cidr), gateway=str(infra.ipv4(gateway, "gateway")),
        netmask=str(cidr.netmask), is_default=bool(is_default),
        network_domain=network_domain or zone.network_domain)
    ctx.session.add(network)
    ctx.session.flush()
    created = vlan_ranges.create(
        ctx, zone_id=zone.id, pod_id=None, vlan=vlan, gateway=gateway, netmask=netmask,
        start_ip=start_ip, end_ip=end_ip, for_virtual_network=False,
        account=owner.name if owner else None, domain_id=owner.domain_id if owner else None,
        network_id=network.id)
    if created.vlan != vlan_ranges.UNTAGGED:
        network.vnet = int(created.vlan)
        _claim_vnet(ctx, zone, network, network.vnet)
    ctx.session.flush()
    return network


def _claim_vnet(ctx: CallContext, zone: Zone, network: Network, vnet: int) -> None:
    """Take `vnet` of the zone for a direct network, so no isolated network (nor another
    direct one) is put on the same VLAN (431 when one already is)."""
    try:
        with ctx.session.begin_nested():
            ctx.session.add(GuestVnet(zone_id=zone.id, vnet=vnet, network_id=network.id,
                                      account_id=network.account_id))
    except IntegrityError:
        holder = ctx.session.scalar(select(Network.name).join(
            GuestVnet, GuestVnet.network_id == Network.id).where(
            GuestVnet.zone_id == zone.id, GuestVnet.vnet == vnet))
        raise ParamError(f"VLAN {vnet} of zone {zone.name} is already used by network "
                         f"{holder or 'another network'}") from None


def get(ctx: CallContext, network_id: str) -> Network:
    """A network the caller may see (431 unknown, 531 another account's)."""
    network = ctx.session.get(Network, network_id)
    if network is None or network.removed is not None:
        raise ParamError(f"Unable to find network with id {network_id}")
    if network.account_id is not None and network.domain_id is not None:
        tenancy.check_owner(ctx, network.account_id, network.domain_id,
                            what=f"network {network_id}")
    return network


def get_managed(ctx: CallContext, network_id: str) -> Network:
    """A network the caller may change or delete: its owner's, or a root admin for
    zone-wide ones."""
    network = get(ctx, network_id)
    if network.account_id is None and not ctx.caller.is_root_admin:
        raise PermissionDenied(f"Only root admins may change the zone-wide network "
                               f"{network.name}")
    return network


def update(ctx: CallContext, network_id: str, *, name: str | None,
           display_text: str | None) -> Network:
    network = get_managed(ctx, network_id)
    if name is not None:
        network.name = name
    if display_text is not None:
        network.display_text = display_text
    ctx.session.flush()
    return network


def check_deletable(ctx: CallContext, network: Network) -> None:
    used = ctx.session.scalar(select(exists().where(
        Nic.network_id == network.id, Nic.removed.is_(None))))
    if used:
        raise ResourceInUse(f"Network {network.name} is in use by virtual machines: "
                            "remove them first")


def delete(ctx: CallContext, network: Network) -> None:
    """Remove a network with no NICs; its VLAN/VNI, direct range, public IPs (with their
    rules) and egress rules go back."""
    check_deletable(ctx, network)
    session = ctx.session
    public_ips.release_network_ips(ctx, network.id)
    session.execute(sa.delete(FirewallRule).where(FirewallRule.network_id == network.id,
                                                  FirewallRule.ip_address_id.is_(None)))
    for vnet in session.scalars(select(GuestVnet).where(GuestVnet.network_id == network.id)):
        session.delete(vnet)
    if network.guest_type == SHARED:
        for vlan_range in session.scalars(select(VlanIpRange).where(
                VlanIpRange.network_id == network.id)):
            vlan_ranges.delete(ctx, vlan_range)
    network.state = NetworkState.DESTROY
    network.removed = utcnow()
    session.flush()


def list_networks(ctx: CallContext, *, network_id: str | None, zone_id: str | None,
                  type_: str | None, guest_ip_type: str | None, is_default: bool | None,
                  traffic_type: str | None, is_shared: bool | None, account: str | None,
                  domain_id: str | None, listall: bool, isrecursive: bool,
                  keyword: str | None, page: int | None, pagesize: int | None) -> Page[Network]:
    """The caller's networks (or, for admins, those of the accounts they ask for) and the
    zone-wide shared ones."""
    owned = tenancy.scope(select(Network.id).where(Network.account_id.is_not(None)), ctx,
                          account_col=Network.account_id, domain_col=Network.domain_id,
                          account=account, domainid=domain_id, isrecursive=isrecursive,
                          listall=listall)
    visible: ColumnElement[bool] = Network.id.in_(owned)
    if account is None and domain_id is None:
        visible = or_(visible, Network.account_id.is_(None))
    stmt = select(Network).where(visible, Network.removed.is_(None))
    if network_id is not None:
        stmt = stmt.where(Network.id == network_id)
    if zone_id is not None:
        stmt = stmt.where(Network.zone_id == zone_id)
    kind = type_ or guest_ip_type
    if kind is not None:
        wanted = {"virtual": ISOLATED, "isolated": ISOLATED, "direct": SHARED,
                  "shared": SHARED}.get(kind.lower())
        if wanted is None:
            raise ParamError(f"Invalid network type {kind}: Virtual/Isolated or "
                             "Direct/Shared")
        stmt = stmt.where(Network.guest_type == wanted)
    if is_default is not None:
        stmt = stmt.where(Network.is_default.is_(is_default))
    if traffic_type is not None:
        stmt = stmt.where(Network.traffic_type.ilike(traffic_type))
    if is_shared is not None:
        stmt = stmt.where(Network.account_id.is_(None) if is_shared
                          else Network.account_id.is_not(None))
    stmt = keyword_filter(stmt, keyword, Network.name, Network.display_text)
    return paginate(ctx.session, stmt.order_by(Network.created, Network.id), page, pagesize)


def ranges_of(ctx: CallContext, network: Network) -> list[VlanIpRange]:
    """The direct ranges a network's NICs take addresses from: its own, or in a basic
    zone every pod guest range of the zone."""
    zone = ctx.session.get(Zone, network.zone_id)
    stmt = select(VlanIpRange).where(VlanIpRange.zone_id == network.zone_id,
                                     VlanIpRange.for_virtual_network.is_(False))
    if zone is not None and zone.network_type == NetworkType.BASIC:
        stmt = stmt.where(or_(VlanIpRange.network_id.is_(None),
                              VlanIpRange.network_id == network.id))
    else:
        stmt = stmt.where(VlanIpRange.network_id == network.id)
    return list(ctx.session.scalars(stmt.order_by(VlanIpRange.created, VlanIpRange.id)))


def basic_network(ctx: CallContext, zone: Zone) -> Network:
    """The basic zone's one shared direct untagged network, made on first use from its
    first pod guest range (533 while the zone has none)."""
    session = ctx.session
    network = session.scalar(select(Network).where(
        Network.zone_id == zone.id, Network.guest_type == SHARED,
        Network.account_id.is_(None), Network.removed.is_(None)).order_by(Network.created))
    if network is not None:
        return network
    first = session.scalar(select(VlanIpRange).where(
        VlanIpRange.zone_id == zone.id, VlanIpRange.for_virtual_network.is_(False))
        .order_by(VlanIpRange.created, VlanIpRange.id).limit(1))
    if first is None:
        raise InsufficientCapacity(
            f"Basic zone {zone.name} has no guest IP range: add one with createVlanIpRange "
            "(podid, forvirtualnetwork=false)")
    offering = session.scalar(select(NetworkOffering).where(
        NetworkOffering.guest_ip_type == DIRECT, NetworkOffering.is_default.is_(True),
        NetworkOffering.removed.is_(None)))
    cidr = _cidr_of(first.gateway, first.netmask)
    network = Network(
        name=f"{zone.name}-guest", display_text=f"Basic zone {zone.name}'s guest network",
        zone_id=zone.id, network_offering_id=offering.id if offering else None,
        guest_type=SHARED, isolation="vlan", vnet=None, cidr=str(cidr),
        gateway=first.gateway, netmask=first.netmask, is_default=True,
        network_domain=zone.network_domain)
    try:
        with session.begin_nested():
            session.add(network)
            session.flush()
            # No VLAN id 0 exists: claiming it makes the zone's (zone, vnet) unique key
            # allow one basic network only, whichever server deploys first.
            session.add(GuestVnet(zone_id=zone.id, vnet=BASIC_ZONE_VNET,
                                  network_id=network.id))
    except IntegrityError:
        # Another server made it meanwhile; a locking read sees its committed row.
        winner = session.scalar(select(Network).where(
            Network.zone_id == zone.id, Network.guest_type == SHARED,
            Network.account_id.is_(None), Network.removed.is_(None))
            .order_by(Network.created).limit(1).with_for_update())
        if winner is None:
            raise InternalError(f"Basic zone {zone.name}'s guest network was being made "
                                "by another server; try again") from None
        return winner
    return network


def default_direct_network(ctx: CallContext, zone: Zone, owner: Account) -> Network | None:
    """The zone's default direct network `owner` may use: its own first, then zone-wide."""
    return ctx.session.scalar(select(Network).where(
        Network.zone_id == zone.id, Network.guest_type == SHARED,
        Network.is_default.is_(True), Network.removed.is_(None),
        or_(Network.account_id == owner.id, Network.account_id.is_(None)))
        .order_by(Network.account_id.is_(None), Network.created))


def usable(ctx: CallContext, network_id: str, owner: Account, zone: Zone) -> Network:
    """A network `owner`'s VM may have a NIC on (431 unknown or another zone's, 531 an
    account's network of someone else)."""
    network = get(ctx, network_id)
    if network.account_id is not None and network.account_id != owner.id:
        raise PermissionDenied(f"Account {owner.name} may not use network {network.name} "
                               f"({network.id}) of another account")
    if network.zone_id != zone.id:
        raise ParamError(f"Network {network.name} ({network.id}) is not in zone {zone.name}")
    return network


def networks_for_deploy(ctx: CallContext, owner: Account, zone: Zone,
                        network_ids: list[str] | None) -> list[Network]:
    """The networks of a new VM's NICs, the default (first) one first, after the default
    virtual network offering's availability (seed §6.7.2)."""
    if zone.network_type == NetworkType.BASIC:
        if network_ids:
            chosen = [usable(ctx, nid, owner, zone) for nid in network_ids]
            return _distinct(chosen)
        return [basic_network(ctx, zone)]
    availability = virtual_availability(ctx)
    chosen = _distinct([usable(ctx, nid, owner, zone) for nid in network_ids or []])
    if availability == "Unavailable":
        virtual = [n for n in chosen if n.guest_type == ISOLATED]
        if virtual:
            raise ParamError(f"Virtual networks are Unavailable: network {virtual[0].name} "
                             "cannot be used")
        if chosen:
            return chosen
        direct = default_direct_network(ctx, zone, owner)
        if direct is None:
            raise ParamError(f"Virtual networks are Unavailable and zone {zone.name} has no "
                             "default direct network: pass networkids")
        return [direct]
    if not chosen:
        network = guest.default_network(ctx, owner, zone)
        return [network] if network is not None else []
    if availability == "Required":
        first_virtual = next((i for i, n in enumerate(chosen) if n.guest_type == ISOLATED),
                             None)
        if first_virtual is None:
            network = guest.default_network(ctx, owner, zone)
            if network is not None:
                chosen.insert(0, network)
        elif first_virtual != 0:
            raise ParamError("The virtual network is Required: it must be the default "
                             "(first) network of networkids")
    return chosen


def _distinct(networks: list[Network]) -> list[Network]:
    seen: set[str] = set()
    out = []
    for network in networks:
        if network.id in seen:
            raise ParamError(f"Network {network.name} ({network.id}) is listed twice")
        seen.add(network.id)
        out.append(network)
    return out
