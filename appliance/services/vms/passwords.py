"""Guest passwords (seed §7.6: password-enabled templates): a new random password is
handed to the VM's router, whose password server gives it to the guest once."""

from __future__ import annotations

import secrets
import string

from appliance.errors import ParamError
from appliance.models import Template, VirtualMachine
from appliance.models.compute import VmState
from appliance.services.context import CallContext
from appliance.services.network import changes, guest
from appliance.services.vms.states import require

ALPHABET = string.ascii_letters + string.digits
LENGTH = 12


def generate() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def check_resettable(ctx: CallContext, vm: VirtualMachine) -> None:
    """431 unless the VM is Stopped and its template is password-enabled."""
    template = ctx.session.get(Template, vm.template_id) if vm.template_id else None
    if template is None or not template.password_enabled:
        raise ParamError(f"Virtual machine {vm.name}'s template is not password enabled: "
                         "its password cannot be reset")
    require(vm, VmState.STOPPED, action="reset the password of")


def reset(ctx: CallContext, vm: VirtualMachine) -> tuple[VirtualMachine, list[str]]:
    """A new password for `vm`; the networks whose routers must serve it."""
    check_resettable(ctx, vm)
    vm.password = generate()
    networks = [network.id for _, network in guest.nics_of(ctx, vm.id)]
    for network_id in networks:
        changes.network_changed(ctx, network_id, f"new password for {vm.instance_name}")
    return vm, networks
