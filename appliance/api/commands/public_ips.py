"""listPublicIpAddresses (seed §5.6)."""

from __future__ import annotations

from dataclasses import dataclass

from appliance.api.params import BOOLEAN, STRING, UUID, param
from appliance.api.registry import OwnedListCommand, api_command
from appliance.api.responses.network import PUBLIC_IP
from appliance.models import PublicIpAddress
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
