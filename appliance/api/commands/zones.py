"""createZone, updateZone, deleteZone, listZones."""

from __future__ import annotations

from dataclasses import dataclass

from appliance.api.params import BOOLEAN, STRING, UUID, param
from appliance.api.registry import ALL_ROLES, ROOT_ADMIN, Command, ListCommand, api_command
from appliance.api.responses.infra import ZONE
from appliance.models import Zone
from appliance.services import infra
from appliance.services.context import CallContext
from appliance.services.infra import zones
from appliance.services.paging import Page


@dataclass(frozen=True)
class _ZoneSettings(Command):
    dns1: str | None = param(STRING, doc="the first DNS server of the zone")
    dns2: str | None = param(STRING, doc="the second DNS server of the zone")
    internaldns1: str | None = param(STRING, doc="the first internal DNS server of the zone")
    internaldns2: str | None = param(STRING, doc="the second internal DNS server of the zone")
    guestcidraddress: str | None = param(STRING, doc="the guest CIDR of the zone "
                                         "(default 10.1.1.0/24)")
    vlan: str | None = param(STRING, doc="the guest VLAN (or VXLAN VNI) range, start-end")
    domain: str | None = param(STRING, doc="network domain name for the zone's networks")
    domainid: str | None = param(UUID, doc="the domain the zone is dedicated to (its "
                                 "subtree may use it)")
    securitygroupenabled: bool | None = param(BOOLEAN, doc="true if the zone uses security "
                                              "groups")
    localstorageenabled: bool | None = param(BOOLEAN, doc="true if local storage offerings "
                                             "may be used in the zone")
    allocationstate: str | None = param(STRING, doc="Enabled or Disabled")
    isolationmethod: str | None = param(STRING, choices=("vlan", "vxlan"),
                                        doc="guest isolation: vlan (default) or vxlan "
                                        "(Cirrus)")

    def settings(self) -> dict[str, object]:
        return {
            "dns1": self.dns1, "dns2": self.dns2, "internal_dns1": self.internaldns1,
            "internal_dns2": self.internaldns2, "guest_cidr": self.guestcidraddress,
            "vlan": self.vlan, "domain_id": self.domainid, "network_domain": self.domain,
            "security_group_enabled": self.securitygroupenabled,
            "local_storage_enabled": self.localstorageenabled,
            "allocation_state": self.allocationstate, "isolation_method": self.isolationmethod,
        }


@api_command("createZone", response=ZONE, roles=ROOT_ADMIN, event="ZONE.CREATE",
             related=("listZones",))
@dataclass(frozen=True)
class CreateZone(_ZoneSettings):
    """Creates a Zone."""

    name: str = param(STRING, required=True, doc="the name of the Zone")
    networktype: str = param(STRING, required=True, doc="network type of the zone: Basic or "
                             "Advanced")

    def run(self, ctx: CallContext) -> Zone:
        settings = self.settings()
        return zones.create(ctx, name=self.name, network_type=self.networktype,
                            **settings)  # type: ignore[arg-type]


@api_command("updateZone", response=ZONE, roles=ROOT_ADMIN, event="ZONE.EDIT",
             related=("listZones",))
@dataclass(frozen=True)
class UpdateZone(_ZoneSettings):
    """Updates a Zone."""

    id: str = param(UUID, required=True, doc="the ID of the Zone")
    name: str | None = param(STRING, doc="the name of the Zone")

    def run(self, ctx: CallContext) -> Zone:
        return zones.update(ctx, infra.zone(ctx, self.id), name=self.name, **self.settings())


@api_command("deleteZone", roles=ROOT_ADMIN, event="ZONE.DELETE")
@dataclass(frozen=True)
class DeleteZone(Command):
    """Deletes a Zone."""

    id: str = param(UUID, required=True, doc="the ID of the Zone")

    def run(self, ctx: CallContext) -> None:
        zones.delete(ctx, infra.zone(ctx, self.id))


@api_command("listZones", response=ZONE, roles=ALL_ROLES)
@dataclass(frozen=True)
class ListZones(ListCommand):
    """Lists zones"""

    id: str | None = param(UUID, doc="the ID of the zone")
    name: str | None = param(STRING, doc="the name of the zone")
    available: bool | None = param(BOOLEAN, doc="true to list only zones open for new "
                                   "resources (enabled)")
    domainid: str | None = param(UUID, doc="the ID of the domain the zones are dedicated to")
    networktype: str | None = param(STRING, doc="the network type of the zone: Basic or "
                                    "Advanced")
    showcapacities: bool | None = param(BOOLEAN, doc="flag to display the capacity of the "
                                        "zones")

    def run(self, ctx: CallContext) -> Page[Zone]:
        if self.showcapacities and ctx.caller.is_root_admin:
            ctx.cache["showcapacities"] = True
        return zones.list_zones(
            ctx, zone_id=self.id, name=self.name, available=self.available,
            domain_id=self.domainid, network_type=self.networktype, keyword=self.keyword,
            page=self.page, pagesize=self.pagesize)
