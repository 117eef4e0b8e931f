"""createVlanIpRange, deleteVlanIpRange, listVlanIpRanges."""

from __future__ import annotations

from dataclasses import dataclass

from appliance.api.params import BOOLEAN, STRING, UUID, param
from appliance.api.registry import ROOT_ADMIN, Command, ListCommand, api_command
from appliance.api.responses.infra import VLAN, VLAN_IP_RANGE
from appliance.models import VlanIpRange
from appliance.services.context import CallContext
from appliance.services.infra import vlan_ranges
from appliance.services.paging import Page


@api_command("createVlanIpRange", response=VLAN, roles=ROOT_ADMIN,
             event="VLAN.IP.RANGE.CREATE", related=("listVlanIpRanges",))
@dataclass(frozen=True)
class CreateVlanIpRange(Command):
    """Creates a VLAN IP range."""

    startip: str = param(STRING, required=True, doc="the beginning IP address in the VLAN IP "
                         "range")
    endip: str | None = param(STRING, doc="the ending IP address in the VLAN IP range")
    zoneid: str | None = param(UUID, doc="the Zone ID of the VLAN IP range")
    podid: str | None = param(UUID, doc="optional parameter. Have to be specified for Direct "
                              "Untagged vlan only.")
    vlan: str | None = param(STRING, doc="the ID or VID of the VLAN; untagged if not given")
    gateway: str | None = param(STRING, doc="the gateway of the VLAN IP range")
    netmask: str | None = param(STRING, doc="the netmask of the VLAN IP range")
    forvirtualnetwork: bool | None = param(BOOLEAN, doc="true if VLAN is of Virtual type, "
                                           "false if Direct")
    account: str | None = param(STRING, doc="account who will own the VLAN; with domainid")
    domainid: str | None = param(UUID, doc="domain ID of the account owning a VLAN")
    networkid: str | None = param(UUID, doc="the network id")

    def run(self, ctx: CallContext) -> VlanIpRange:
        return vlan_ranges.create(
            ctx, zone_id=self.zoneid, pod_id=self.podid, vlan=self.vlan, gateway=self.gateway,
            netmask=self.netmask, start_ip=self.startip, end_ip=self.endip,
            for_virtual_network=self.forvirtualnetwork, account=self.account,
            domain_id=self.domainid, network_id=self.networkid)

    def describe(self) -> str:
        return f"creating VLAN IP range {self.startip}-{self.endip or self.startip}"


@api_command("deleteVlanIpRange", roles=ROOT_ADMIN, event="VLAN.IP.RANGE.DELETE")
@dataclass(frozen=True)
class DeleteVlanIpRange(Command):
    """Deletes a VLAN IP range."""

    id: str = param(UUID, required=True, doc="the id of the VLAN IP range")

    def run(self, ctx: CallContext) -> None:
        vlan_ranges.delete(ctx, vlan_ranges.get(ctx, self.id))


@api_command("listVlanIpRanges", response=VLAN_IP_RANGE, roles=ROOT_ADMIN)
@dataclass(frozen=True)
class ListVlanIpRanges(ListCommand):
    """Lists all VLAN IP ranges."""

    id: str | None = param(UUID, doc="the ID of the VLAN IP range")
    zoneid: str | None = param(UUID, doc="the Zone ID of the VLAN IP range")
    podid: str | None = param(UUID, doc="the Pod ID of the VLAN IP range")
    vlan: str | None = param(STRING, doc="the ID or VID of the VLAN")
    forvirtualnetwork: bool | None = param(BOOLEAN, doc="true if VLAN is of Virtual type")
    account: str | None = param(STRING, doc="the account with which the VLAN IP range is "
                                "associated; must be used with domainid")
    domainid: str | None = param(UUID, doc="the domain ID with which the VLAN IP range is "
                                 "associated")
    networkid: str | None = param(UUID, doc="network id of the VLAN IP range")

    def run(self, ctx: CallContext) -> Page[VlanIpRange]:
        return vlan_ranges.list_ranges(
            ctx, range_id=self.id, zone_id=self.zoneid, pod_id=self.podid, vlan=self.vlan,
            for_virtual_network=self.forvirtualnetwork, account=self.account,
            domain_id=self.domainid, network_id=self.networkid, keyword=self.keyword,
            page=self.page, pagesize=self.pagesize)
