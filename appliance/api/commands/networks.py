"""createNetwork, listNetworks, updateNetwork, deleteNetwork (seed §5, §6.7)."""

from __future__ import annotations

from dataclasses import dataclass

from appliance.api.params import BOOLEAN, STRING, UUID, param
from appliance.api.registry import ALL_ROLES, Command, ListCommand, api_command
from appliance.api.responses.networks import NETWORK
from appliance.models import Network
from appliance.orchestration import network_elements
from appliance.services.context import CallContext
from appliance.services.network import networks
from appliance.services.paging import Page


@api_command("createNetwork", response=NETWORK, roles=ALL_ROLES, event="NETWORK.CREATE",
             related=("listNetworks",))
@dataclass(frozen=True)
class CreateNetwork(Command):
    """Creates a network"""

    name: str = param(STRING, required=True, doc="the name of the network")
    displaytext: str = param(STRING, required=True, doc="the display text of the network")
    networkofferingid: str = param(UUID, required=True, doc="the network offering id")
    zoneid: str = param(UUID, required=True, doc="the Zone ID for the network")
    gateway: str | None = param(STRING, doc="the gateway of the network")
    netmask: str | None = param(STRING, doc="the netmask of the network")
    startip: str | None = param(STRING, doc="the beginning IP address in the network IP "
                                "range (direct networks)")
    endip: str | None = param(STRING, doc="the ending IP address in the network IP range; "
                              "startip alone when omitted")
    vlan: str | None = param(STRING, doc="the ID or VID of the network's VLAN (direct "
                             "networks)")
    networkdomain: str | None = param(STRING, doc="network domain")
    account: str | None = param(STRING, doc="account who will own the network")
    domainid: str | None = param(UUID, doc="domain ID of the account owning a network")
    isdefault: bool | None = param(BOOLEAN, doc="true if network is default, false otherwise")
    isshared: bool | None = param(BOOLEAN, doc="accepted for compatibility: direct networks "
                                  "without account are shared")

    def run(self, ctx: CallContext) -> Network:
        return networks.create(
            ctx, name=self.name, display_text=self.displaytext,
            offering_id=self.networkofferingid, zone_id=self.zoneid, gateway=self.gateway,
            netmask=self.netmask, start_ip=self.startip, end_ip=self.endip, vlan=self.vlan,
            account=self.account, domain_id=self.domainid, is_default=self.isdefault,
            network_domain=self.networkdomain)


@api_command("listNetworks", response=NETWORK, roles=ALL_ROLES)
@dataclass(frozen=True)
class ListNetworks(ListCommand):
    """Lists all available networks."""

    id: str | None = param(UUID, doc="list networks by id")
    zoneid: str | None = param(UUID, doc="the Zone ID of the network")
    type: str | None = param(STRING, doc="the type of the network: Virtual or Direct")
    guestiptype: str | None = param(STRING, doc="the guest type of the network: Isolated or "
                                    "Shared")
    isdefault: bool | None = param(BOOLEAN, doc="true if network is default, false otherwise")
    traffictype: str | None = param(STRING, doc="type of the traffic")
    isshared: bool | None = param(BOOLEAN, doc="true if network is shared across accounts "
                                  "in the Zone")
    issystem: bool | None = param(BOOLEAN, doc="true if network is system, false otherwise")
    account: str | None = param(STRING, doc="account who will own the network; with "
                                "domainid")
    domainid: str | None = param(UUID, doc="domain ID of the account owning a network")
    isrecursive: bool | None = param(BOOLEAN, doc="with domainid: the domain's subtree too")
    listall: bool | None = param(BOOLEAN, doc="admins: every account's networks they may "
                                 "see")

    def run(self, ctx: CallContext) -> Page[Network]:
        if self.issystem:
            return Page([], 0)
        return networks.list_networks(
            ctx, network_id=self.id, zone_id=self.zoneid, type_=self.type,
            guest_ip_type=self.guestiptype, is_default=self.isdefault,
            traffic_type=self.traffictype, is_shared=self.isshared, account=self.account,
            domain_id=self.domainid, listall=bool(self.listall),
            isrecursive=bool(self.isrecursive), keyword=self.keyword, page=self.page,
            pagesize=self.pagesize)


@api_command("updateNetwork", response=NETWORK, roles=ALL_ROLES,
             related=("listNetworks",))
@dataclass(frozen=True)
class UpdateNetwork(Command):
    """Updates a network: its name and display text"""

    id: str = param(UUID, required=True, doc="the ID of the network")
    name: str | None = param(STRING, doc="the new name for the network")
    displaytext: str | None = param(STRING, doc="the new display text for the network")

    def run(self, ctx: CallContext) -> Network:
        return networks.update(ctx, self.id, name=self.name, display_text=self.displaytext)


@api_command("deleteNetwork", is_async=True, roles=ALL_ROLES, event="NETWORK.DELETE",
             instance_type="Network", idempotent=True)
@dataclass(frozen=True)
class DeleteNetwork(Command):
    """Deletes a network: refused (536) while virtual machines have NICs on it"""

    id: str = param(UUID, required=True, doc="the ID of the network")

    def accept(self, ctx: CallContext) -> str | None:
        networks.check_deletable(ctx, networks.get_managed(ctx, self.id))
        return self.id

    def run(self, ctx: CallContext) -> None:
        network = networks.get_managed(ctx, self.id)
        networks.check_deletable(ctx, network)
        network_elements.release(ctx, network)
        networks.delete(ctx, networks.get_managed(ctx, self.id))


@api_command("restartNetwork", response=NETWORK, is_async=True, roles=ALL_ROLES,
             event="NETWORK.RESTART",
             instance_type="Network")
@dataclass(frozen=True)
class RestartNetwork(Command):
    """Restarts the network: its router's whole configuration is applied again (with
    cleanup, the router is destroyed and a new one made)"""

    id: str = param(UUID, required=True, doc="The ID of the network to restart.")
    cleanup: bool | None = param(BOOLEAN, doc="If cleanup old network elements")

    def accept(self, ctx: CallContext) -> str | None:
        return networks.get_managed(ctx, self.id).id

    def run(self, ctx: CallContext) -> Network:
        network_elements.restart(ctx, networks.get_managed(ctx, self.id),
                                 cleanup=bool(self.cleanup))
        return networks.get(ctx, self.id)
