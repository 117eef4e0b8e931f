"""deployVirtualMachine and the VM lifecycle commands (seed §1.7, §10.4)."""

from __future__ import annotations

from dataclasses import dataclass

from appliance.api.params import BOOLEAN, LIST, LONG, STRING, UUID, param
from appliance.api.registry import (
    ADMINS,
    ALL_ROLES,
    Command,
    ListCommand,
    OwnedListCommand,
    api_command,
)
from appliance.api.responses.compute import NIC, VIRTUAL_MACHINE, VIRTUAL_MACHINE_WITH_PASSWORD
from appliance.errors import InternalError
from appliance.jobs import queue
from appliance.models import Nic, VirtualMachine
from appliance.services.context import CallContext
from appliance.services.network import guest
from appliance.services.paging import Page
from appliance.services.vms import deploy, lifecycle

VM = "VirtualMachine"


@dataclass(frozen=True)
class _VmCommand(Command):
    id: str = param(UUID, required=True, doc="The ID of the virtual machine")

    def vm(self, ctx: CallContext) -> VirtualMachine:
        return lifecycle.get(ctx, self.id)


@api_command("deployVirtualMachine", response=VIRTUAL_MACHINE_WITH_PASSWORD, is_async=True,
             roles=ALL_ROLES, event="VM.CREATE", instance_type=VM, idempotent=True,
             related=("listVirtualMachines",))
@dataclass(frozen=True)
class DeployVirtualMachine(Command):
    """Creates and automatically starts a virtual machine based on a service offering, disk
    offering, and template."""

    serviceofferingid: str = param(UUID, required=True,
                                   doc="the ID of the service offering for the virtual machine")
    templateid: str = param(UUID, required=True,
                            doc="the ID of the template (or bootable ISO) for the VM")
    zoneid: str = param(UUID, required=True, doc="availability zone for the virtual machine")
    diskofferingid: str | None = param(
        UUID, doc="the ID of the disk offering: a data disk, or the root disk when templateid "
        "is an ISO")
    size: int | None = param(LONG, doc="the size in GB of a customized disk offering's disk")
    name: str | None = param(STRING, length=63, doc="host name for the virtual machine")
    displayname: str | None = param(STRING, length=255,
                                    doc="an optional user generated name for the VM")
    group: str | None = param(STRING, length=255, doc="an optional group for the VM")
    userdata: str | None = param(STRING, length=32768,
                                 doc="base64-encoded user data made available to the VM")
    hypervisor: str | None = param(STRING, doc="the hypervisor on which to deploy the VM")
    hostid: str | None = param(UUID, doc="destination host (root admins only)")
    startvm: bool | None = param(BOOLEAN, doc="true by default: start the VM once deployed")
    account: str | None = param(STRING, doc="an optional account for the VM; must be used "
                                "with domainId")
    domainid: str | None = param(UUID, doc="an optional domainId for the VM; must be used "
                                 "with account")
    keyboard: str | None = param(STRING, doc="accepted for compatibility (console keyboard)")
    networkids: list[str] | None = param(LIST, item_type=UUID, doc="list of network ids "
                                         "used by the virtual machine; the first is the "
                                         "default")
    securitygroupids: list[str] | None = param(
        LIST, item_type=UUID, doc="comma separated list of security groups id that going to "
        "be applied to the virtual machine (zones with security groups enabled); mutually "
        "exclusive with securitygroupnames")
    securitygroupnames: list[str] | None = param(
        LIST, doc="comma separated list of security groups names that going to be applied "
        "to the virtual machine (zones with security groups enabled); mutually exclusive "
        "with securitygroupids")

    def accept(self, ctx: CallContext) -> str | None:
        vm = deploy.create(ctx, deploy.DeployRequest(
            zone_id=self.zoneid, service_offering_id=self.serviceofferingid,
            template_id=self.templateid, disk_offering_id=self.diskofferingid,
            size_gb=self.size, name=self.name, display_name=self.displayname, group=self.group,
            user_data=self.userdata, hypervisor=self.hypervisor, host_id=self.hostid,
            account=self.account, domain_id=self.domainid,
            network_ids=tuple(self.networkids) if self.networkids else None,
            security_group_ids=tuple(self.securitygroupids or ()),
            security_group_names=tuple(self.securitygroupnames or ())))
        return vm.id

    def run(self, ctx: CallContext) -> VirtualMachine:
        vm_id = queue.instance_id(ctx.session, ctx.job_id)
        if vm_id is None:
            raise InternalError("deployVirtualMachine job has no virtual machine")
        vm = ctx.session.get(VirtualMachine, vm_id)
        if vm is None:
            raise InternalError(f"virtual machine {vm_id} of this job is gone")
        if self.startvm is False:
            return lifecycle.leave_stopped(ctx, vm)
        return lifecycle.start(ctx, vm)

    def describe(self) -> str:
        return f"deploying VM {self.name or self.displayname or ''}".rstrip()


@api_command("startVirtualMachine", response=VIRTUAL_MACHINE, is_async=True,
             event="VM.START", instance_type=VM, idempotent=True)
@dataclass(frozen=True)
class StartVirtualMachine(_VmCommand):
    """Starts a virtual machine."""

    hostid: str | None = param(UUID, doc="destination host (root admins only)")

    def accept(self, ctx: CallContext) -> str | None:
        lifecycle.check_startable(self.vm(ctx))
        return self.id

    def run(self, ctx: CallContext) -> VirtualMachine:
        return lifecycle.start(ctx, self.vm(ctx), self.hostid)


@api_command("stopVirtualMachine", response=VIRTUAL_MACHINE, is_async=True,
             event="VM.STOP", instance_type=VM, idempotent=True)
@dataclass(frozen=True)
class StopVirtualMachine(_VmCommand):
    """Stops a virtual machine."""

    forced: bool | None = param(BOOLEAN, doc="Force stop the VM (power off at once)")

    def accept(self, ctx: CallContext) -> str | None:
        lifecycle.check_stoppable(self.vm(ctx))
        return self.id

    def run(self, ctx: CallContext) -> VirtualMachine:
        return lifecycle.stop(ctx, self.vm(ctx), forced=bool(self.forced))


@api_command("rebootVirtualMachine", response=VIRTUAL_MACHINE, is_async=True,
             event="VM.REBOOT", instance_type=VM, idempotent=True)
@dataclass(frozen=True)
class RebootVirtualMachine(_VmCommand):
    """Reboots a virtual machine."""

    def accept(self, ctx: CallContext) -> str | None:
        lifecycle.require_running(self.vm(ctx), action="reboot")
        return self.id

    def run(self, ctx: CallContext) -> VirtualMachine:
        return lifecycle.reboot(ctx, self.vm(ctx))


@api_command("destroyVirtualMachine", response=VIRTUAL_MACHINE, is_async=True,
             event="VM.DESTROY", instance_type=VM, idempotent=True)
@dataclass(frozen=True)
class DestroyVirtualMachine(_VmCommand):
    """Destroys a virtual machine; it is expunged after expunge.delay unless recovered."""

    expunge: bool | None = param(BOOLEAN, doc="expunge at once (admins only)")

    def accept(self, ctx: CallContext) -> str | None:
        lifecycle.check_destroyable(ctx, self.vm(ctx), bool(self.expunge))
        return self.id

    def run(self, ctx: CallContext) -> VirtualMachine:
        vm = ctx.session.get(VirtualMachine, self.id)
        if vm is not None and vm.removed is not None:  # resumed after the expunge finished
            return vm
        return lifecycle.destroy(ctx, self.vm(ctx), expunge=bool(self.expunge))


@api_command("expungeVirtualMachine", is_async=True, roles=ADMINS, event="VM.EXPUNGE",
             instance_type=VM, idempotent=True, since="4.2.1")
@dataclass(frozen=True)
class ExpungeVirtualMachine(_VmCommand):
    """Expunges a destroyed virtual machine at once."""

    def accept(self, ctx: CallContext) -> str | None:
        lifecycle.require_expungeable(self.vm(ctx))
        return self.id

    def run(self, ctx: CallContext) -> None:
        vm = ctx.session.get(VirtualMachine, self.id)
        if vm is not None and vm.removed is None:
            lifecycle.expunge_vm(ctx, self.vm(ctx))


@api_command("recoverVirtualMachine", response=VIRTUAL_MACHINE, roles=ADMINS,
             event="VM.RECOVER")
@dataclass(frozen=True)
class RecoverVirtualMachine(_VmCommand):
    """Recovers a destroyed virtual machine that has not been expunged yet."""

    def run(self, ctx: CallContext) -> VirtualMachine:
        return lifecycle.recover(ctx, self.vm(ctx))


@api_command("updateVirtualMachine", response=VIRTUAL_MACHINE, event="VM.UPDATE")
@dataclass(frozen=True)
class UpdateVirtualMachine(_VmCommand):
    """Updates properties of a virtual machine."""

    displayname: str | None = param(STRING, length=255, doc="user generated name")
    group: str | None = param(STRING, length=255, doc="group of the virtual machine")
    haenable: bool | None = param(BOOLEAN, doc="true if high-availability is enabled")
    ostypeid: str | None = param(UUID, doc="the ID of the OS type of the VM")
    userdata: str | None = param(STRING, length=32768, doc="new base64-encoded user data")

    def run(self, ctx: CallContext) -> VirtualMachine:
        return lifecycle.update(ctx, self.vm(ctx), lifecycle.VmUpdate(
            display_name=self.displayname, group=self.group, ha_enabled=self.haenable,
            os_type_id=self.ostypeid, user_data=self.userdata))


@api_command("changeServiceForVirtualMachine", response=VIRTUAL_MACHINE, event="VM.UPGRADE")
@dataclass(frozen=True)
class ChangeServiceForVirtualMachine(_VmCommand):
    """Changes the service offering of a stopped virtual machine."""

    serviceofferingid: str = param(UUID, required=True, doc="the new service offering")

    def run(self, ctx: CallContext) -> VirtualMachine:
        return lifecycle.change_service(ctx, self.vm(ctx), self.serviceofferingid)


@api_command("listVirtualMachines", response=VIRTUAL_MACHINE)
@dataclass(frozen=True)
class ListVirtualMachines(OwnedListCommand):
    """Lists the virtual machines the caller may see."""

    id: str | None = param(UUID, doc="the ID of the virtual machine")
    ids: list[str] | None = param(LIST, item_type=UUID, doc="the IDs of the virtual machines")
    name: str | None = param(STRING, doc="name of the virtual machine")
    state: str | None = param(STRING, doc="state of the virtual machine")
    zoneid: str | None = param(UUID, doc="the availability zone ID")
    hostid: str | None = param(UUID, doc="the host ID (root admins only)")
    podid: str | None = param(UUID, doc="the pod ID (root admins only)")
    groupid: str | None = param(STRING, doc="the group of the virtual machines")
    templateid: str | None = param(UUID, doc="list VMs deployed from this template")
    serviceofferingid: str | None = param(UUID, doc="list VMs with this service offering")
    details: list[str] | None = param(LIST, doc="accepted for compatibility: every detail "
                                      "group is always returned")

    def run(self, ctx: CallContext) -> Page[VirtualMachine]:
        return lifecycle.list_vms(ctx, lifecycle.VmFilter(
            id=self.id, ids=tuple(self.ids or ()), name=self.name, state=self.state,
            zone_id=self.zoneid, host_id=self.hostid, pod_id=self.podid, group=self.groupid,
            template_id=self.templateid, service_offering_id=self.serviceofferingid,
            keyword=self.keyword), owner=self.owner_filter(), page=self.page,
            pagesize=self.pagesize)


@api_command("listNics", response=NIC, since="4.2.0")
@dataclass(frozen=True)
class ListNics(ListCommand):
    """Lists the NICs of a virtual machine."""

    virtualmachineid: str = param(UUID, required=True, doc="the ID of the VM")
    nicid: str | None = param(UUID, doc="the ID of the NIC")
    networkid: str | None = param(UUID, doc="list the VM's NICs on this network")

    def run(self, ctx: CallContext) -> Page[Nic]:
        return guest.list_nics(ctx, self.virtualmachineid, nic_id=self.nicid,
                               network_id=self.networkid, page=self.page,
                               pagesize=self.pagesize)
