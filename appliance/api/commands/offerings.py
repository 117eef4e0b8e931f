"""Service, disk and network offerings (seed §3.1–3.3)."""

from __future__ import annotations

from dataclasses import dataclass

from appliance.api.params import BOOLEAN, INTEGER, LONG, STRING, UUID, param
from appliance.api.registry import ALL_ROLES, ROOT_ADMIN, Command, ListCommand, api_command
from appliance.api.responses.catalog import DISK_OFFERING, NETWORK_OFFERING, SERVICE_OFFERING
from appliance.models import DiskOffering, NetworkOffering, ServiceOffering
from appliance.services import offerings
from appliance.services.context import CallContext
from appliance.services.paging import Page

_STORAGE = ("shared", "local")


@api_command("createServiceOffering", response=SERVICE_OFFERING, roles=ROOT_ADMIN,
             event="SERVICE.OFFERING.CREATE", related=("listServiceOfferings",))
@dataclass(frozen=True)
class CreateServiceOffering(Command):
    """Creates a service offering"""

    name: str = param(STRING, required=True, doc="the name of the service offering")
    displaytext: str = param(STRING, required=True, doc="the display text of the offering")
    cpunumber: int = param(LONG, required=True, doc="the CPU number of the service offering")
    cpuspeed: int = param(LONG, required=True, doc="the CPU speed of the service offering in MHz")
    memory: int = param(LONG, required=True, doc="the total memory of the offering in MB")
    offerha: bool | None = param(BOOLEAN, doc="the HA for the service offering")
    limitcpuuse: bool | None = param(BOOLEAN, doc="restrict the CPU usage to committed "
                                     "service offering")
    storagetype: str | None = param(STRING, choices=_STORAGE,
                                    doc="the storage type of the offering: local or shared")
    tags: str | None = param(STRING, doc="the storage tags for this service offering")
    hosttags: str | None = param(STRING, doc="the host tag for this service offering")
    networkrate: int | None = param(INTEGER, doc="data transfer rate in megabits per second "
                                    "allowed")
    domainid: str | None = param(UUID, doc="the ID of the containing domain; empty for "
                                 "public offerings")

    def run(self, ctx: CallContext) -> ServiceOffering:
        return offerings.create_service_offering(
            ctx, name=self.name, display_text=self.displaytext, cpu_number=self.cpunumber,
            cpu_speed=self.cpuspeed, memory=self.memory, offer_ha=bool(self.offerha),
            limit_cpu_use=bool(self.limitcpuuse), storage_type=self.storagetype,
            tags=self.tags, host_tags=self.hosttags, network_rate=self.networkrate,
            domain_id=self.domainid)


@api_command("updateServiceOffering", response=SERVICE_OFFERING, roles=ROOT_ADMIN,
             event="SERVICE.OFFERING.EDIT", related=("listServiceOfferings",))
@dataclass(frozen=True)
class UpdateServiceOffering(Command):
    """Updates a service offering: only its name and display text can change"""

    id: str = param(UUID, required=True, doc="the ID of the service offering to be updated")
    name: str | None = param(STRING, doc="the name of the service offering to be updated")
    displaytext: str | None = param(STRING, doc="the display text of the service offering")

    def run(self, ctx: CallContext) -> ServiceOffering:
        return offerings.update_service_offering(ctx, self.id, name=self.name,
                                                 display_text=self.displaytext)


@api_command("deleteServiceOffering", roles=ROOT_ADMIN, event="SERVICE.OFFERING.DELETE")
@dataclass(frozen=True)
class DeleteServiceOffering(Command):
    """Deletes a service offering: hidden from lists and new VMs; existing VMs keep it"""

    id: str = param(UUID, required=True, doc="the ID of the service offering")

    def run(self, ctx: CallContext) -> None:
        offerings.delete_service_offering(ctx, self.id)


@api_command("listServiceOfferings", response=SERVICE_OFFERING, roles=ALL_ROLES)
@dataclass(frozen=True)
class ListServiceOfferings(ListCommand):
    """Lists all available service offerings"""

    id: str | None = param(UUID, doc="ID of the service offering")
    name: str | None = param(STRING, doc="name of the service offering")
    domainid: str | None = param(UUID, doc="the ID of the domain associated with the offering")
    virtualmachineid: str | None = param(UUID, doc="the ID of the virtual machine: lists the "
                                         "offerings it can be changed to")
    issystem: bool | None = param(BOOLEAN, doc="is this a system vm offering")
    systemvmtype: str | None = param(STRING, doc="the system VM type: domainrouter, "
                                     "consoleproxy or secondarystoragevm")

    def run(self, ctx: CallContext) -> Page[ServiceOffering]:
        return offerings.list_service_offerings(
            ctx, offering_id=self.id, name=self.name, domain_id=self.domainid,
            vm_id=self.virtualmachineid, is_system=self.issystem,
            system_vm_type=self.systemvmtype, keyword=self.keyword, page=self.page,
            pagesize=self.pagesize)


@api_command("createDiskOffering", response=DISK_OFFERING, roles=ROOT_ADMIN,
             event="DISK.OFFERING.CREATE", related=("listDiskOfferings",))
@dataclass(frozen=True)
class CreateDiskOffering(Command):
    """Creates a disk offering"""

    name: str = param(STRING, required=True, doc="name of the disk offering")
    displaytext: str = param(STRING, required=True, doc="alternate display text of the offering")
    disksize: int | None = param(LONG, doc="size of the disk offering in GB")
    customized: bool | None = param(BOOLEAN, doc="whether disk offering is custom or not: the "
                                    "user chooses the size")
    tags: str | None = param(STRING, doc="tags for the disk offering")
    storagetype: str | None = param(STRING, choices=_STORAGE,
                                    doc="the storage type of the offering: local or shared")
    domainid: str | None = param(UUID, doc="the ID of the containing domain; empty for "
                                 "public offerings")

    def run(self, ctx: CallContext) -> DiskOffering:
        return offerings.create_disk_offering(
            ctx, name=self.name, display_text=self.displaytext, disk_size_gb=self.disksize,
            customized=bool(self.customized), tags=self.tags, storage_type=self.storagetype,
            domain_id=self.domainid)


@api_command("updateDiskOffering", response=DISK_OFFERING, roles=ROOT_ADMIN,
             event="DISK.OFFERING.EDIT", related=("listDiskOfferings",))
@dataclass(frozen=True)
class UpdateDiskOffering(Command):
    """Updates a disk offering: only its name and display text can change"""

    id: str = param(UUID, required=True, doc="ID of the disk offering")
    name: str | None = param(STRING, doc="updates name of the disk offering with this value")
    displaytext: str | None = param(STRING, doc="updates alternate display text of the disk "
                                    "offering with this value")

    def run(self, ctx: CallContext) -> DiskOffering:
        return offerings.update_disk_offering(ctx, self.id, name=self.name,
                                              display_text=self.displaytext)


@api_command("deleteDiskOffering", roles=ROOT_ADMIN, event="DISK.OFFERING.DELETE")
@dataclass(frozen=True)
class DeleteDiskOffering(Command):
    """Updates a disk offering: hidden from lists and new volumes; existing volumes keep it"""

    id: str = param(UUID, required=True, doc="ID of the disk offering")

    def run(self, ctx: CallContext) -> None:
        offerings.delete_disk_offering(ctx, self.id)


@api_command("listDiskOfferings", response=DISK_OFFERING, roles=ALL_ROLES)
@dataclass(frozen=True)
class ListDiskOfferings(ListCommand):
    """Lists all available disk offerings"""

    id: str | None = param(UUID, doc="ID of the disk offering")
    name: str | None = param(STRING, doc="name of the disk offering")
    domainid: str | None = param(UUID, doc="the ID of the domain of the disk offering")

    def run(self, ctx: CallContext) -> Page[DiskOffering]:
        return offerings.list_disk_offerings(
            ctx, offering_id=self.id, name=self.name, domain_id=self.domainid,
            keyword=self.keyword, page=self.page, pagesize=self.pagesize)


@api_command("updateNetworkOffering", response=NETWORK_OFFERING, roles=ROOT_ADMIN,
             event="NETWORK.OFFERING.EDIT", related=("listNetworkOfferings",))
@dataclass(frozen=True)
class UpdateNetworkOffering(Command):
    """Updates a network offering: name, display text, and for virtual ones availability"""

    id: str = param(UUID, required=True, doc="the id of the network offering")
    name: str | None = param(STRING, doc="the name of the network offering")
    displaytext: str | None = param(STRING, doc="the display text of the network offering")
    availability: str | None = param(STRING, doc="the availability of the offering: "
                                     "Required, Optional or Unavailable (seed §6.7.2)")

    def run(self, ctx: CallContext) -> NetworkOffering:
        return offerings.update_network_offering(ctx, self.id, name=self.name,
                                                 display_text=self.displaytext,
                                                 availability=self.availability)


@api_command("listNetworkOfferings", response=NETWORK_OFFERING, roles=ALL_ROLES)
@dataclass(frozen=True)
class ListNetworkOfferings(ListCommand):
    """Lists all available network offerings"""

    id: str | None = param(UUID, doc="list network offerings by id")
    name: str | None = param(STRING, doc="list network offerings by name")
    displaytext: str | None = param(STRING, doc="list network offerings by display text")
    traffictype: str | None = param(STRING, doc="list by traffic type")
    guestiptype: str | None = param(STRING, doc="list by guest type: Virtual or Direct")
    availability: str | None = param(STRING, doc="the availability of the offering")
    isdefault: bool | None = param(BOOLEAN, doc="true if need to list only default offerings")
    specifyvlan: bool | None = param(BOOLEAN, doc="the tagged traffic type")
    issystem: bool | None = param(BOOLEAN, doc="true if need to list only system offerings")

    def run(self, ctx: CallContext) -> Page[NetworkOffering]:
        return offerings.list_network_offerings(
            ctx, offering_id=self.id, name=self.name, display_text=self.displaytext,
            traffic_type=self.traffictype, guest_ip_type=self.guestiptype,
            availability=self.availability, is_default=self.isdefault,
            specify_vlan=self.specifyvlan, is_system=self.issystem, keyword=self.keyword,
            page=self.page, pagesize=self.pagesize)
