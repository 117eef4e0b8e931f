"""listPublicIpAddresses, associateIpAddress, disassociateIpAddress (seed §5.6)."""

from __future__ import annotations

from dataclasses import dataclass

from appliance.api.params import BOOLEAN, STRING, UUID, param
from appliance.api.registry import Command, OwnedListCommand, api_command
from appliance.api.responses.network import ASSOCIATED_IP, PUBLIC_IP
from appliance.errors import InternalError
from appliance.jobs import queue
from appliance.models import PublicIpAddress
from appliance.orchestration import network_elements
from appliance.services.context import CallContext
from appliance.services.network import public_ips
from appliance.services.paging import Page


@api_command("listPublicIpAddresses", response=PUBLIC_IP)
@dataclass(frozen=True)
class ListPublicIpAddresses(OwnedListCommand):
    """Lists all public IP addresses"""

    id: str | None = param(UUID, doc="lists IP address by ID")
    ipaddress: str | None = param(STRING, doc="lists the specified IP address")
    zoneid: str | None = param(UUID, doc="lists all public IP addresses by zone ID")
    vlanid: str | None = param(UUID, doc="lists all public IP addresses by VLAN range ID")
    associatednetworkid: str | None = param(UUID, doc="lists addresses of this network")
    issourcenat: bool | None = param(BOOLEAN, doc="list only source NAT addresses")
    allocatedonly: bool | None = param(BOOLEAN, doc="limits search results to allocated "
                                       "public IP addresses (default true)")
    forvirtualnetwork: bool | None = param(BOOLEAN, doc="accepted for compatibility")

    def run(self, ctx: CallContext) -> Page[PublicIpAddress]:
        return public_ips.list_ips(ctx, public_ips.IpFilter(
            id=self.id, address=self.ipaddress, zone_id=self.zoneid, vlan_id=self.vlanid,
            network_id=self.associatednetworkid, source_nat=self.issourcenat,
            allocated_only=self.allocatedonly is not False, keyword=self.keyword),
            owner=self.owner_filter(), page=self.page, pagesize=self.pagesize)


IP = "IpAddress"


@api_command("associateIpAddress", response=ASSOCIATED_IP, is_async=True, event="NET.IPASSIGN",
             instance_type=IP, related=("listPublicIpAddresses",))
@dataclass(frozen=True)
class AssociateIpAddress(Command):
    """Acquires and associates a public IP to an account."""

    zoneid: str | None = param(UUID, doc="the ID of the availability zone you want to "
                               "acquire an public IP address from")
    networkid: str | None = param(UUID, doc="The network this IP address should be "
                                  "associated to.")
    account: str | None = param(STRING, doc="the account to associate with this IP address")
    domainid: str | None = param(UUID, doc="the ID of the domain to associate with this IP "
                                 "address")

    def accept(self, ctx: CallContext) -> str | None:
        return public_ips.associate(ctx, zone_id=self.zoneid, network_id=self.networkid,
                                    account=self.account, domain_id=self.domainid).id

    def run(self, ctx: CallContext) -> PublicIpAddress:
        ip_id = queue.instance_id(ctx.session, ctx.job_id)
        if ip_id is None:
            raise InternalError("associateIpAddress job has no IP address")
        ip = public_ips.get_ip(ctx, ip_id)
        network_elements.apply(ctx, ip.network_id)
        ctx.session.refresh(ip)
        return ip

    def describe(self) -> str:
        return "associating a public IP address"


@api_command("disassociateIpAddress", is_async=True, event="NET.IPRELEASE",
             instance_type=IP)
@dataclass(frozen=True)
class DisassociateIpAddress(Command):
    """Disassociates an IP address from the account."""

    id: str = param(UUID, required=True, doc="the ID of the public IP address to "
                    "disassociate")

    def accept(self, ctx: CallContext) -> str | None:
        return public_ips.check_releasable(ctx, self.id).id

    def run(self, ctx: CallContext) -> None:
        network_elements.apply(ctx, public_ips.disassociate(ctx, self.id))
