"""Virtual routers in the database (seed §5, §11.8): one per guest network, made when the
network is first implemented, with its addresses; listing and lookups.

The host-side life of a router (where it runs, starting it, applying its configuration)
is appliance/orchestration/router.py; this module never touches a host.
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets

from sqlalchemy import select

from appliance.errors import InsufficientCapacity, ParamError, PermissionDenied
from appliance.models import Network, Nic, PublicIpAddress, VlanIpRange, Zone
from appliance.models.router import DomainRouter, RouterState
from appliance.services import configuration, sequences, tenancy
from appliance.services.context import CallContext
from appliance.services.paging import Page, keyword_filter, paginate

CONTROL_ADDRESSES = 250 * 250
SSH_PORT = 3922  # CloudStack's port for a router's control sshd
LIVE = (RouterState.STARTING, RouterState.RUNNING, RouterState.STOPPING)


def _mac() -> str:
    # Locally administered (02:...) like guest NICs, but 0e: so router MACs stand out.
    return "0e:00:" + ":".join(f"{b:02x}" for b in secrets.token_bytes(4))


def control_ip(number: int, salt: str = "") -> str:
    """The router's link-local control address: 169.254.<1..250>.<2..251>, distinct for
    every router number of this cloud (169.254.0.1 is each host's cloud0 bridge). `salt`
    (the instance name suffix) shifts where a cloud starts, so clouds sharing hosts (test
    sessions on one lab) do not start on the same addresses."""
    offset = int(hashlib.sha256(salt.encode()).hexdigest(), 16) % CONTROL_ADDRESSES if salt \
        else 0
    third, fourth = divmod((number + offset) % CONTROL_ADDRESSES, 250)
    return f"169.254.{third + 1}.{fourth + 2}"


def router_of(ctx: CallContext, network_id: str) -> DomainRouter | None:
    """The network's router (not destroyed), if it has one."""
    return ctx.session.scalar(select(DomainRouter).where(
        DomainRouter.network_id == network_id, DomainRouter.removed.is_(None)))


def has_public_side(network: Network) -> bool:
    """Isolated networks reach the public network through their router (SNAT, rules)."""
    return network.guest_type == "Isolated"


def public_addresses(ctx: CallContext, network_id: str) -> list[PublicIpAddress]:
    return list(ctx.session.scalars(select(PublicIpAddress).where(
        PublicIpAddress.network_id == network_id, PublicIpAddress.state == "Allocated")
        .order_by(PublicIpAddress.address_int)))


def public_range_of(ctx: CallContext, ip: PublicIpAddress) -> VlanIpRange | None:
    return ctx.session.get(VlanIpRange, ip.vlan_range_id)


def _guest_ip(ctx: CallContext, network: Network) -> str:
    """An isolated network's router is its gateway; on a shared network (whose gateway is
    a physical router) it takes the highest free address of the network's ranges, NICs
    take the lowest (services/network/guest.py skips router addresses)."""
    if network.guest_type == "Isolated":
        return network.gateway
    from appliance.services.network import networks

    used = set(ctx.session.scalars(select(Nic.ip_address).where(Nic.network_id == network.id)))
    used |= set(ctx.session.scalars(select(DomainRouter.guest_ip).where(
        DomainRouter.network_id == network.id, DomainRouter.removed.is_(None))))
    used.add(network.gateway)
    for vlan_range in reversed(networks.ranges_of(ctx, network)):
        first = int(ipaddress.IPv4Address(vlan_range.start_ip))
        last = int(ipaddress.IPv4Address(vlan_range.end_ip))
        for value in range(last, first - 1, -1):
            address = str(ipaddress.IPv4Address(value))
            if address not in used:
                return address
    raise InsufficientCapacity(f"Network {network.name} has no free address for its router")


def router_addresses(ctx: CallContext, network_id: str) -> set[str]:
    """Guest addresses routers of `network_id` hold (NIC allocation skips them)."""
    return {ip for ip in ctx.session.scalars(select(DomainRouter.guest_ip).where(
        DomainRouter.network_id == network_id, DomainRouter.removed.is_(None))) if ip}


def create(ctx: CallContext, network: Network) -> DomainRouter:
    """The network's router row (Stopped, nowhere yet). Callers serialize per network
    (orchestration's `ensure_router`): two jobs implementing one network make one router."""
    session = ctx.session
    existing = router_of(ctx, network.id)
    if existing is not None:
        return existing
    number = sequences.next_value(session, "router")
    suffix = str(configuration.get(session, "instance.name")) or "VM"
    router = DomainRouter(
        number=number, name=f"r-{number}-{suffix}", network_id=network.id,
        zone_id=network.zone_id, account_id=network.account_id, domain_id=network.domain_id,
        state=RouterState.STOPPED, guest_ip=_guest_ip(ctx, network), guest_mac=_mac(),
        public_mac=_mac(), control_ip=control_ip(number, suffix), applied_version=-1)
    session.add(router)
    session.flush()
    ctx.log.info("network %s: router %s created", network.name, router.name)
    return router


def get(ctx: CallContext, router_id: str) -> DomainRouter:
    """A router the caller (an admin) may manage; 431 when unknown."""
    router = ctx.session.get(DomainRouter, router_id)
    if router is None or router.removed is not None:
        raise ParamError(f"Unable to find router by id {router_id}")
    if router.account_id is not None and router.domain_id is not None:
        tenancy.check_owner(ctx, router.account_id, router.domain_id,
                            what=f"router {router_id}")
    elif not ctx.caller.is_root_admin:  # a shared network's router: the root admin's
        raise PermissionDenied(f"Only the root admin manages router {router.name}")
    return router


def list_routers(ctx: CallContext, *, router_id: str | None, name: str | None,
                 state: str | None, zone_id: str | None, network_id: str | None,
                 host_id: str | None, keyword: str | None, owner: dict[str, object],
                 page: int | None, pagesize: int | None) -> Page[DomainRouter]:
    stmt = select(DomainRouter).where(DomainRouter.removed.is_(None))
    stmt = tenancy.scope(stmt, ctx, account_col=DomainRouter.account_id,
                         domain_col=DomainRouter.domain_id, admin_sees_all=True,
                         **owner)  # type: ignore[arg-type]
    for column, value in ((DomainRouter.id, router_id), (DomainRouter.name, name),
                          (DomainRouter.zone_id, zone_id), (DomainRouter.network_id, network_id),
                          (DomainRouter.host_id, host_id)):
        if value is not None:
            stmt = stmt.where(column == value)
    if state is not None:
        stmt = stmt.where(DomainRouter.state.ilike(state))
    stmt = keyword_filter(stmt, keyword, DomainRouter.name)
    return paginate(ctx.session, stmt.order_by(DomainRouter.number), page, pagesize)


def zone_dns(zone: Zone) -> list[str]:
    return [d for d in (zone.dns1, zone.dns2) if d]
