"""ISOs in VMs' CD-ROM drives (seed §7.6): attachIso and detachIso.

Any ready ISO of the VM's zone that the caller (and the VM's owner) may use attaches,
bootable or not, to a Running or Stopped VM with an empty drive. A running VM gets it in
its drive at once; a stopped one only records it, and its next start carries it. The drive
is claimed with a conditional UPDATE (`iso_id` still empty) before the host is asked, so of
two concurrent attaches one wins, and a failed insert gives the drive back.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from appliance.errors import CloudError, ParamError
from appliance.models import Account, Template, TemplateZone, VirtualMachine, VmState
from appliance.orchestration import isos as drive
from appliance.services import templates, tenancy
from appliance.services.context import CallContext
from appliance.services.templates import registry
from appliance.services.vms import lifecycle

S = VmState
DRIVE_STATES = (S.RUNNING, S.STOPPED)


def _require_state(vm: VirtualMachine) -> None:
    if vm.state not in DRIVE_STATES:
        raise ParamError(f"Please specify a VM that is either Stopped or Running: virtual "
                         f"machine {vm.display_name or vm.name} ({vm.id}) is {vm.state}")


def _iso_for(ctx: CallContext, iso_id: str, vm: VirtualMachine) -> tuple[Template, TemplateZone]:
    """The ISO and its ready copy in the VM's zone (431 unknown, not there or not ready;
    531 when the caller or the VM's owner may not use it)."""
    iso = registry.get(ctx, iso_id, is_iso=True)
    owner = ctx.session.get(Account, vm.account_id)
    if owner is not None and owner.id != ctx.caller.account.id:
        tenancy.check_owner_template_use(ctx, iso, owner)
    copy = registry.copy_in_zone(ctx, iso, vm.zone_id)
    if not copy.ready:
        raise ParamError(f"ISO {iso.name} ({iso.id}) is not ready in the zone of virtual "
                         f"machine {vm.id}")
    return iso, copy


def _require_empty(ctx: CallContext, vm: VirtualMachine) -> None:
    if vm.iso_id is not None:
        current = ctx.session.get(Template, vm.iso_id)
        raise ParamError(f"Virtual machine {vm.id} already has ISO "
                         f"{current.name if current else vm.iso_id} attached; detach it first")


def check_attach(ctx: CallContext, iso_id: str, vm_id: str) -> VirtualMachine:
    """What attachIso checks before queueing its job."""
    vm = lifecycle.get(ctx, vm_id)
    _, copy = _iso_for(ctx, iso_id, vm)
    _require_state(vm)
    _require_empty(ctx, vm)
    if vm.state == S.RUNNING:
        templates.readable_path(ctx, copy)  # 534 at once while secondary storage is out
    return vm


def _set_iso(ctx: CallContext, vm: VirtualMachine, iso_id: str | None, *,
             expected: str | None) -> bool:
    """Compare-and-set of the VM's drive: `iso_id` if it still holds `expected`."""
    stmt = update(VirtualMachine).where(VirtualMachine.id == vm.id)
    stmt = stmt.where(VirtualMachine.iso_id.is_(None) if expected is None
                      else VirtualMachine.iso_id == expected)
    if expected is None:
        stmt = stmt.where(VirtualMachine.state.in_(DRIVE_STATES))
    won = ctx.session.execute(stmt.values(iso_id=iso_id)
                              .execution_options(synchronize_session=False))
    if won.rowcount != 1:  # type: ignore[attr-defined]
        ctx.session.refresh(vm)
        return False
    set_committed_value(vm, "iso_id", iso_id)
    ctx.session.expire(vm, ["iso"])
    return True


def attach(ctx: CallContext, iso_id: str, vm_id: str) -> VirtualMachine:
    """Claim the VM's drive for the ISO, then insert it when the VM runs (the job body;
    a resumed job whose claim was recorded inserts again, which drivers allow)."""
    vm = lifecycle.get(ctx, vm_id)
    iso, copy = _iso_for(ctx, iso_id, vm)
    if vm.iso_id != iso.id:
        _require_state(vm)
        _require_empty(ctx, vm)
        if not _set_iso(ctx, vm, iso.id, expected=None):
            _require_state(vm)
            _require_empty(ctx, vm)
            raise ParamError(f"Virtual machine {vm.id} changed while attaching ISO {iso.id}")
        ctx.checkpoint()
    if vm.state == S.RUNNING:
        try:
            drive.insert(ctx, vm, iso, copy)
        except CloudError:
            _set_iso(ctx, vm, None, expected=iso.id)
            ctx.checkpoint()
            raise
    ctx.log.info("ISO %s attached to %s", iso.name, vm.instance_name)
    return vm


def check_detach(ctx: CallContext, vm_id: str) -> VirtualMachine:
    """What detachIso checks before queueing its job."""
    vm = lifecycle.get(ctx, vm_id)
    if vm.iso_id is None:
        raise ParamError(f"Virtual machine {vm.id} has no ISO attached to it")
    _require_state(vm)
    return vm


def detach(ctx: CallContext, vm_id: str) -> VirtualMachine:
    """Eject the ISO from a running VM, then empty the drive's record (the job body)."""
    vm = lifecycle.get(ctx, vm_id)
    if vm.iso_id is None:
        return vm  # a retried job: already done
    _require_state(vm)
    iso_id = vm.iso_id
    if vm.state == S.RUNNING:
        drive.eject(ctx, vm)
    if not _set_iso(ctx, vm, None, expected=iso_id) and vm.iso_id is not None:
        raise ParamError(f"Virtual machine {vm.id} changed while detaching ISO {iso_id}")
    ctx.log.info("ISO %s detached from %s", iso_id, vm.instance_name)
    return vm
