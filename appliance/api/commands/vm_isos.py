"""attachIso and detachIso: an ISO in a VM's CD-ROM drive (seed §7.6)."""

from __future__ import annotations

from dataclasses import dataclass

from appliance.api.params import UUID, param
from appliance.api.registry import Command, api_command
from appliance.api.responses.compute import VIRTUAL_MACHINE
from appliance.models import VirtualMachine
from appliance.services.context import CallContext
from appliance.services.vms import isos

VM = "VirtualMachine"


@api_command("attachIso", response=VIRTUAL_MACHINE, is_async=True, event="ISO.ATTACH",
             instance_type=VM, idempotent=True)
@dataclass(frozen=True)
class AttachIso(Command):
    """Attaches an ISO to a virtual machine"""

    id: str = param(UUID, required=True, doc="the ID of the ISO file")
    virtualmachineid: str = param(UUID, required=True, doc="the ID of the virtual machine")

    def accept(self, ctx: CallContext) -> str | None:
        return isos.check_attach(ctx, self.id, self.virtualmachineid).id

    def run(self, ctx: CallContext) -> VirtualMachine:
        return isos.attach(ctx, self.id, self.virtualmachineid)

    def describe(self) -> str:
        return f"attaching ISO {self.id} to VM {self.virtualmachineid}"


@api_command("detachIso", response=VIRTUAL_MACHINE, is_async=True, event="ISO.DETACH",
             instance_type=VM, idempotent=True)
@dataclass(frozen=True)
class DetachIso(Command):
    """Detaches any ISO file (if any) currently attached to a virtual machine"""

    virtualmachineid: str = param(UUID, required=True, doc="The ID of the virtual machine")

    def accept(self, ctx: CallContext) -> str | None:
        return isos.check_detach(ctx, self.virtualmachineid).id

    def run(self, ctx: CallContext) -> VirtualMachine:
        return isos.detach(ctx, self.virtualmachineid)

    def describe(self) -> str:
        return f"detaching the ISO of VM {self.virtualmachineid}"
