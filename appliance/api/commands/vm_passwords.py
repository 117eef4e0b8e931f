"""resetPasswordForVirtualMachine (seed §7.6): a stopped VM of a password-enabled
template gets a new password, served by its router at the next boot."""

from __future__ import annotations

from dataclasses import dataclass

from appliance.api.params import UUID, param
from appliance.api.registry import Command, api_command
from appliance.api.responses.compute import VIRTUAL_MACHINE_WITH_PASSWORD
from appliance.models import VirtualMachine
from appliance.orchestration import network_elements
from appliance.services.context import CallContext
from appliance.services.vms import lifecycle, passwords


@api_command("resetPasswordForVirtualMachine", response=VIRTUAL_MACHINE_WITH_PASSWORD,
             is_async=True, event="VM.RESETPASSWORD", instance_type="VirtualMachine")
@dataclass(frozen=True)
class ResetPasswordForVirtualMachine(Command):
    """Resets the password for virtual machine. The virtual machine must be in a "Stopped"
    state and the template must already support this feature for this command to take
    effect."""

    id: str = param(UUID, required=True, doc="The ID of the virtual machine")

    def accept(self, ctx: CallContext) -> str | None:
        passwords.check_resettable(ctx, lifecycle.get(ctx, self.id))
        return self.id

    def run(self, ctx: CallContext) -> VirtualMachine:
        vm, networks = passwords.reset(ctx, lifecycle.get(ctx, self.id))
        for network_id in networks:
            network_elements.apply(ctx, network_id)
        return lifecycle.get(ctx, self.id)
