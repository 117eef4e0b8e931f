"""Wire shapes of remote access VPNs and VPN users."""

from __future__ import annotations

from typing import Any

from appliance.api.responses import ResponseSpec, drop_none
from appliance.models import Account, Domain, PublicIpAddress
from appliance.models.vpn import RemoteAccessVpn, VpnUser
from appliance.services.context import CallContext


def _owner(obj: RemoteAccessVpn | VpnUser, ctx: CallContext) -> dict[str, Any]:
    account = ctx.session.get(Account, obj.account_id)
    domain = ctx.session.get(Domain, obj.domain_id)
    return {"account": account.name if account else None, "domainid": obj.domain_id,
            "domain": domain.name if domain else None}


def render_vpn(vpn: RemoteAccessVpn, ctx: CallContext) -> dict[str, Any]:
    ip = ctx.session.get(PublicIpAddress, vpn.ip_address_id)
    return drop_none({
        "id": vpn.id, "publicipid": vpn.ip_address_id,
        "publicip": ip.address if ip else None, "iprange": vpn.ip_range,
        "presharedkey": vpn.preshared_key, "state": str(vpn.state),
        "networkid": vpn.network_id, **_owner(vpn, ctx)})


def render_vpn_user(user: VpnUser, ctx: CallContext) -> dict[str, Any]:
    return drop_none({"id": user.id, "username": user.username, "state": str(user.state),
                      **_owner(user, ctx)})


REMOTE_ACCESS_VPN = ResponseSpec("remoteaccessvpn", (
    ("id", "the id of the remote access vpn"),
    ("publicipid", "the public ip address of the vpn server"),
    ("publicip", "the public ip address of the vpn server"),
    ("iprange", "the range of ips to allocate to the clients"),
    ("presharedkey", "the ipsec preshared key"),
    ("state", "the state of the rule: Added until the router applied it, then Running"),
    ("networkid", "the id of the network the VPN belongs to"),
    ("account", "the account of the remote access vpn"),
    ("domainid", "the domain id of the account of the remote access vpn"),
    ("domain", "the domain name of the account of the remote access vpn"),
), render_vpn)

VPN_USER = ResponseSpec("vpnuser", (
    ("id", "the vpn userID"), ("username", "the username of the vpn user"),
    ("state", "the state of the Vpn User: Add until a router applied it, then Active"),
    ("account", "the account of the remote access vpn"),
    ("domainid", "the domain id of the account of the remote access vpn"),
    ("domain", "the domain name of the account of the remote access vpn"),
), render_vpn_user)
