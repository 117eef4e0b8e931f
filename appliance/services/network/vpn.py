"""Remote access VPN (seed §5.9): L2TP/IPsec with a preshared key on a public IP of an
isolated network, configured on that network's router; VPN users are an account's and
may dial in to each of its VPNs.

A VPN takes UDP 500, 4500 and 1701 on its address: port rules there conflict (537).
Every change bumps the rules version of the networks it touches (the router applies it).
"""

from __future__ import annotations

import ipaddress
import re
import secrets
import string

from sqlalchemy import func, select

from appliance.errors import NetworkRuleConflict, ParamError, ResourceLimitExceeded
from appliance.models import Account, Network, PublicIpAddress
from appliance.models.vpn import RemoteAccessVpn, VpnState, VpnUser, VpnUserState
from appliance.services import configuration, tenancy
from appliance.services.context import CallContext
from appliance.services.network import changes, public_ips, rules
from appliance.services.paging import Page, paginate

VPN_PORTS = (("udp", 500), ("udp", 4500), ("udp", 1701))
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9@._-]{0,63}$")
# chap-secrets and ipsec.secrets quote nothing: keep passwords to printable, unquoted text.
PASSWORD = re.compile(r"^[^\s\"'\\#]{1,255}$")


def _range(value: str) -> tuple[ipaddress.IPv4Address, ipaddress.IPv4Address]:
    try:
        first, last = (ipaddress.IPv4Address(part.strip()) for part in value.split("-", 1))
    except ValueError:
        raise ParamError(f"Invalid VPN IP range {value!r}: expected first-last") from None
    if int(last) - int(first) < 1:
        raise ParamError(f"VPN IP range {value} needs at least two addresses (the router's "
                         "end and one client)")
    return first, last


def create(ctx: CallContext, ip_id: str, ip_range: str | None) -> RemoteAccessVpn:
    """A VPN on the caller's address of an isolated network (one per network)."""
    ip = public_ips.lock_ip(ctx, ip_id)
    network = ctx.session.get(Network, ip.network_id) if ip.network_id else None
    if network is None or network.guest_type != "Isolated":
        raise ParamError(f"IP address {ip.address} is not on an isolated network: a remote "
                         "access VPN needs one")
    if ctx.session.scalar(select(RemoteAccessVpn.id).where(
            RemoteAccessVpn.network_id == network.id)):
        raise ParamError(f"Network {network.name} already has a remote access VPN")
    for protocol, port in VPN_PORTS:
        rules.check_port_conflict(ctx, ip, protocol, port, port)
    value = ip_range or str(configuration.get(ctx.session, "remote.access.vpn.client.iprange"))
    first, last = _range(value)
    guest = ipaddress.IPv4Network(network.cidr, strict=False)
    if first in guest or last in guest or (first < guest[0] and last > guest[-1]):
        raise ParamError(f"VPN IP range {value} overlaps the guest network {guest}")
    length = int(configuration.get(ctx.session, "remote.access.vpn.psk.length"))
    alphabet = string.ascii_letters + string.digits
    vpn = RemoteAccessVpn(
        ip_address_id=ip.id, network_id=network.id, account_id=ip.account_id,
        domain_id=ip.domain_id, ip_range=f"{first + 1}-{last}", local_ip=str(first),
        preshared_key="".join(secrets.choice(alphabet) for _ in range(length)))
    ctx.session.add(vpn)
    ctx.session.flush()
    changes.network_changed(ctx, network.id, f"remote access VPN on {ip.address}")
    return vpn


def check_port_free(ctx: CallContext, ip: PublicIpAddress, protocol: str, start: int,
                    end: int) -> None:
    """537 when a new port rule would take a VPN's port on its address."""
    if not ctx.session.scalar(select(RemoteAccessVpn.id).where(
            RemoteAccessVpn.ip_address_id == ip.id)):
        return
    for vpn_protocol, port in VPN_PORTS:
        if protocol == vpn_protocol and start <= port <= end:
            raise NetworkRuleConflict(f"Port {port}/{protocol} of IP address {ip.address} "
                                      "is taken by its remote access VPN")


def get_by_ip(ctx: CallContext, ip_id: str) -> RemoteAccessVpn:
    ip = public_ips.get_ip(ctx, ip_id)
    vpn = ctx.session.scalar(select(RemoteAccessVpn).where(
        RemoteAccessVpn.ip_address_id == ip.id))
    if vpn is None:
        raise ParamError(f"IP address {ip.address} has no remote access VPN")
    return vpn


def delete(ctx: CallContext, ip_id: str) -> str:
    """Remove the address's VPN; the network whose router must drop it."""
    public_ips.lock_ip(ctx, ip_id)
    vpn = get_by_ip(ctx, ip_id)
    network_id = vpn.network_id
    ctx.session.delete(vpn)
    ctx.session.flush()
    changes.network_changed(ctx, network_id, "remote access VPN removed")
    return network_id


def delete_of_ip(ctx: CallContext, ip_id: str) -> None:
    """The address is released: its VPN goes with it."""
    for vpn in ctx.session.scalars(select(RemoteAccessVpn).where(
            RemoteAccessVpn.ip_address_id == ip_id)):
        ctx.session.delete(vpn)


def of_network(ctx: CallContext, network_id: str) -> RemoteAccessVpn | None:
    return ctx.session.scalar(select(RemoteAccessVpn).where(
        RemoteAccessVpn.network_id == network_id))


def users_of(ctx: CallContext, account_id: str) -> list[VpnUser]:
    return list(ctx.session.scalars(select(VpnUser).where(
        VpnUser.account_id == account_id).order_by(VpnUser.username)))


def applied(ctx: CallContext, network_id: str) -> None:
    """The network's router applied its VPN: it runs, and its account's users are live."""
    vpn = of_network(ctx, network_id)
    if vpn is None:
        return
    vpn.state = VpnState.RUNNING
    for user in users_of(ctx, vpn.account_id):
        user.state = VpnUserState.ACTIVE


def networks_of_account(ctx: CallContext, account_id: str) -> list[str]:
    return list(ctx.session.scalars(select(RemoteAccessVpn.network_id).where(
        RemoteAccessVpn.account_id == account_id)))


def _users_changed(ctx: CallContext, account_id: str, reason: str) -> list[str]:
    """The account's VPN users changed: every network with one of its VPNs; bumped."""
    networks = networks_of_account(ctx, account_id)
    for network_id in networks:
        changes.network_changed(ctx, network_id, reason)
    return networks


def add_user(ctx: CallContext, owner: Account, username: str, password: str) -> VpnUser:
    """A VPN user of `owner` (the account's limit applies)."""
    if not USERNAME.match(username):
        raise ParamError(f"Invalid VPN user name {username!r}: letters, digits and @._- "
                         "only, starting with a letter or digit")
    if not PASSWORD.match(password):
        raise ParamError("A VPN password may not contain spaces, quotes, backslashes or #")
    session = ctx.session
    session.scalar(select(Account.id).where(Account.id == owner.id).with_for_update())
    if session.scalar(select(VpnUser.id).where(VpnUser.account_id == owner.id,
                                               VpnUser.username == username)):
        raise ParamError(f"VPN user {username} already exists in account {owner.name}")
    limit = int(configuration.get(session, "remote.access.vpn.user.limit"))
    count = session.scalar(select(func.count(VpnUser.id)).where(
        VpnUser.account_id == owner.id)) or 0
    if count >= limit:
        raise ResourceLimitExceeded(f"Account {owner.name} has its maximum of {limit} VPN "
                                    "users")
    user = VpnUser(account_id=owner.id, domain_id=owner.domain_id, username=username,
                   password=password)
    session.add(user)
    session.flush()
    _users_changed(ctx, owner.id, f"VPN user {username} added")
    return user


def find_user(ctx: CallContext, owner: Account, username: str) -> VpnUser:
    user = ctx.session.scalar(select(VpnUser).where(VpnUser.account_id == owner.id,
                                                    VpnUser.username == username))
    if user is None:
        raise ParamError(f"Account {owner.name} has no VPN user {username}")
    return user


def remove_user(ctx: CallContext, owner: Account, username: str) -> list[str]:
    """Remove a VPN user; the networks whose routers must drop it."""
    ctx.session.delete(find_user(ctx, owner, username))
    ctx.session.flush()
    return _users_changed(ctx, owner.id, f"VPN user {username} removed")


def list_vpns(ctx: CallContext, *, vpn_id: str | None, ip_id: str | None,
              network_id: str | None, owner: dict[str, object], page: int | None,
              pagesize: int | None) -> Page[RemoteAccessVpn]:
    stmt = tenancy.scope(select(RemoteAccessVpn), ctx,
                         account_col=RemoteAccessVpn.account_id,
                         domain_col=RemoteAccessVpn.domain_id, **owner)  # type: ignore[arg-type]
    for column, value in ((RemoteAccessVpn.id, vpn_id),
                          (RemoteAccessVpn.ip_address_id, ip_id),
                          (RemoteAccessVpn.network_id, network_id)):
        if value is not None:
            stmt = stmt.where(column == value)
    return paginate(ctx.session, stmt.order_by(RemoteAccessVpn.created), page, pagesize)


def list_users(ctx: CallContext, *, user_id: str | None, username: str | None,
               owner: dict[str, object], page: int | None,
               pagesize: int | None) -> Page[VpnUser]:
    stmt = tenancy.scope(select(VpnUser), ctx, account_col=VpnUser.account_id,
                         domain_col=VpnUser.domain_id, **owner)  # type: ignore[arg-type]
    if user_id is not None:
        stmt = stmt.where(VpnUser.id == user_id)
    if username is not None:
        stmt = stmt.where(VpnUser.username == username)
    return paginate(ctx.session, stmt.order_by(VpnUser.username), page, pagesize)
