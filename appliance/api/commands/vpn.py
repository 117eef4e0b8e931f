"""Remote access VPN and VPN users (seed §5.9)."""

from __future__ import annotations

from dataclasses import dataclass

from appliance.api.params import BOOLEAN, STRING, UUID, param
from appliance.api.registry import Command, OwnedListCommand, api_command
from appliance.api.responses.vpn import REMOTE_ACCESS_VPN, VPN_USER
from appliance.errors import InternalError
from appliance.jobs import queue
from appliance.models import Account
from appliance.models.vpn import RemoteAccessVpn, VpnUser
from appliance.orchestration import network_elements
from appliance.services import tenancy
from appliance.services.context import CallContext
from appliance.services.network import vpn
from appliance.services.paging import Page


@api_command("createRemoteAccessVpn", response=REMOTE_ACCESS_VPN, is_async=True,
             event="VPN.REMOTE.ACCESS.CREATE", instance_type="IpAddress",
             related=("listRemoteAccessVpns",))
@dataclass(frozen=True)
class CreateRemoteAccessVpn(Command):
    """Creates a L2TP/IPsec remote access VPN on a public IP of an isolated network"""

    publicipid: str = param(UUID, required=True, doc="public ip address id of the vpn "
                            "server")
    iprange: str | None = param(STRING, length=64, doc="the range of ip addresses to "
                                "allocate to vpn clients. The first ip in the range will be "
                                "taken by the vpn server")
    account: str | None = param(STRING, doc="an optional account for the VPN. Must be used "
                                "with domainId.")
    domainid: str | None = param(UUID, doc="an optional domainId for the VPN. If the "
                                 "account parameter is used, domainId must also be used.")
    openfirewall: bool | None = param(BOOLEAN, doc="ignored: the VPN's ports (UDP 500, "
                                      "4500, 1701) are always open on its address")

    def accept(self, ctx: CallContext) -> str | None:
        return vpn.create(ctx, self.publicipid, self.iprange).ip_address_id

    def run(self, ctx: CallContext) -> RemoteAccessVpn:
        created = vpn.get_by_ip(ctx, self.publicipid)
        network_elements.apply(ctx, created.network_id)
        ctx.session.refresh(created)  # Running once applied
        return created

    def describe(self) -> str:
        return f"creating a remote access VPN on IP address {self.publicipid}"


@api_command("deleteRemoteAccessVpn", is_async=True, event="VPN.REMOTE.ACCESS.DESTROY",
             instance_type="IpAddress")
@dataclass(frozen=True)
class DeleteRemoteAccessVpn(Command):
    """Destroys a remote access vpn"""

    publicipid: str = param(UUID, required=True, doc="public ip address id of the vpn "
                            "server")

    def accept(self, ctx: CallContext) -> str | None:
        return vpn.get_by_ip(ctx, self.publicipid).ip_address_id

    def run(self, ctx: CallContext) -> None:
        network_elements.apply(ctx, vpn.delete(ctx, self.publicipid))


@api_command("listRemoteAccessVpns", response=REMOTE_ACCESS_VPN)
@dataclass(frozen=True)
class ListRemoteAccessVpns(OwnedListCommand):
    """Lists remote access vpns"""

    id: str | None = param(UUID, doc="Lists remote access vpn rule with the specified ID")
    publicipid: str | None = param(UUID, doc="public ip address id of the vpn server")
    networkid: str | None = param(UUID, doc="list remote access VPNs for certain network")

    def run(self, ctx: CallContext) -> Page[RemoteAccessVpn]:
        return vpn.list_vpns(ctx, vpn_id=self.id, ip_id=self.publicipid,
                             network_id=self.networkid, owner=self.owner_filter(),
                             page=self.page, pagesize=self.pagesize)


@dataclass(frozen=True)
class _VpnUserCommand(Command):
    username: str = param(STRING, required=True, length=64, doc="username for the vpn "
                          "user")
    account: str | None = param(STRING, doc="an optional account for the vpn user. Must be "
                                "used with domainId.")
    domainid: str | None = param(UUID, doc="an optional domainId for the vpn user. If the "
                                 "account parameter is used, domainId must also be used.")

    def owner(self, ctx: CallContext) -> Account:
        return tenancy.requested_owner(ctx, self.account, self.domainid)


@api_command("addVpnUser", response=VPN_USER, is_async=True, event="VPN.USER.ADD",
             instance_type="VpnUser", related=("listVpnUsers",))
@dataclass(frozen=True)
class AddVpnUser(_VpnUserCommand):
    """Adds vpn users"""

    password: str = param(STRING, required=True, length=255, doc="password for the "
                          "username")

    def accept(self, ctx: CallContext) -> str | None:
        return vpn.add_user(ctx, self.owner(ctx), self.username, self.password).id

    def run(self, ctx: CallContext) -> VpnUser:
        user_id = queue.instance_id(ctx.session, ctx.job_id)
        user = ctx.session.get(VpnUser, user_id) if user_id else None
        if user is None:
            raise InternalError("addVpnUser job has no VPN user")
        for network_id in vpn.networks_of_account(ctx, user.account_id):
            network_elements.apply(ctx, network_id)
        ctx.session.refresh(user)
        return user

    def describe(self) -> str:
        return f"adding VPN user {self.username}"


@api_command("removeVpnUser", is_async=True, event="VPN.USER.REMOVE", instance_type="VpnUser")
@dataclass(frozen=True)
class RemoveVpnUser(_VpnUserCommand):
    """Removes vpn user"""

    def accept(self, ctx: CallContext) -> str | None:
        return vpn.find_user(ctx, self.owner(ctx), self.username).id

    def run(self, ctx: CallContext) -> None:
        for network_id in vpn.remove_user(ctx, self.owner(ctx), self.username):
            network_elements.apply(ctx, network_id)


@api_command("listVpnUsers", response=VPN_USER)
@dataclass(frozen=True)
class ListVpnUsers(OwnedListCommand):
    """Lists vpn users"""

    id: str | None = param(UUID, doc="The uuid of the Vpn user")
    username: str | None = param(STRING, doc="The username of the vpn user.")

    def run(self, ctx: CallContext) -> Page[VpnUser]:
        return vpn.list_users(ctx, user_id=self.id, username=self.username,
                              owner=self.owner_filter(), page=self.page,
                              pagesize=self.pagesize)
