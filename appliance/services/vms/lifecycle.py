"""VM operations after deployment: start, stop, reboot, destroy, recover, expunge, update,
change of offering; and the queries behind listVirtualMachines."""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import or_, select
from sqlalchemy.orm.attributes import set_committed_value

from appliance.errors import CloudError, ParamError, PermissionDenied
from appliance.models import (
    Host,
    OsType,
    ServiceOffering,
    VirtualMachine,
    VmState,
    Volume,
    VolumeState,
    VolumeType,
)
from appliance.models.base import utcnow
from appliance.orchestration import vm as orchestration
from appliance.services import limits, tenancy
from appliance.services.context import CallContext
from appliance.services.limits import ResourceType
from appliance.services.network import changes, guest, rules
from appliance.services.paging import Page, keyword_filter, paginate
from appliance.services.vms.deploy import check_user_data, service_offering_for
from appliance.services.vms.states import parse_state, require, transition

S = VmState


def get(ctx: CallContext, vm_id: str) -> VirtualMachine:
    """A user VM the caller may see (431 unknown or expunged, 531 another tenant's)."""
    vm = tenancy.get_owned(ctx, VirtualMachine, vm_id, what="virtual machine")
    if vm.removed is not None or vm.vm_type != "User":
        raise ParamError(f"Unable to find virtual machine with id {vm_id}")
    return vm


def start(ctx: CallContext, vm: VirtualMachine, host_id: str | None = None) -> VirtualMachine:
    if host_id is not None:
        if not ctx.caller.is_root_admin:
            raise PermissionDenied("Only root admins may choose the host of a VM")
        if ctx.session.get(Host, host_id) is None:
            raise ParamError(f"Unable to find host by id {host_id}")
        details = json.loads(vm.details) if vm.details else {}
        details["deployhostid"] = host_id
        vm.details = json.dumps(details)
    return orchestration.start(ctx, vm)


def leave_stopped(ctx: CallContext, vm: VirtualMachine) -> VirtualMachine:
    """A deployment asked not to start: the VM is ready and Stopped (as in CloudStack)."""
    if vm.state == S.CREATED:
        transition(ctx.session, vm, S.STOPPED)
    return vm


def check_startable(vm: VirtualMachine) -> None:
    if vm.state not in (S.RUNNING, S.STARTING):
        require(vm, S.STOPPED, S.CREATED, action="start")


def stop(ctx: CallContext, vm: VirtualMachine, *, forced: bool) -> VirtualMachine:
    return orchestration.stop(ctx, vm, forced=forced)


def check_stoppable(vm: VirtualMachine) -> None:
    if vm.state not in (S.STOPPED, S.STOPPING):
        require(vm, S.RUNNING, action="stop")


def require_running(vm: VirtualMachine, *, action: str) -> None:
    require(vm, S.RUNNING, action=action)


def require_expungeable(vm: VirtualMachine) -> None:
    if vm.state != S.EXPUNGING:
        require(vm, S.DESTROYED, S.ERROR, action="expunge")


def reboot(ctx: CallContext, vm: VirtualMachine) -> VirtualMachine:
    return orchestration.reboot(ctx, vm)


def check_destroyable(ctx: CallContext, vm: VirtualMachine, expunge: bool) -> None:
    if expunge and not ctx.caller.is_admin:
        raise PermissionDenied("Only administrators may expunge a VM when destroying it")
    if vm.state not in (S.DESTROYED, S.EXPUNGING) or not expunge:
        require(vm, S.RUNNING, S.STOPPED, S.CREATED, S.ERROR, S.STOPPING, S.STARTING,
                *((S.DESTROYED,) if expunge else ()), action="destroy")


def destroy(ctx: CallContext, vm: VirtualMachine, *, expunge: bool) -> VirtualMachine:
    """Stop (forced) and mark destroyed; expunged at once when asked, else by the GC."""
    if vm.state in (S.RUNNING, S.STOPPING):
        orchestration.stop(ctx, vm, forced=True)
    if vm.state in (S.STOPPED, S.CREATED):
        transition(ctx.session, vm, S.DESTROYED)
        limits.release(ctx.session, vm.account, ResourceType.USER_VM)
        _set_root_state(ctx, vm, VolumeState.DESTROY)
        vm.destroyed = utcnow()
    elif vm.state == S.ERROR:
        transition(ctx.session, vm, S.DESTROYED)
        vm.destroyed = utcnow()
    ctx.checkpoint()
    if expunge:
        return expunge_vm(ctx, vm)
    return vm


def _set_root_state(ctx: CallContext, vm: VirtualMachine, state: VolumeState) -> None:
    for volume in ctx.session.scalars(select(Volume).where(
            Volume.vm_id == vm.id, Volume.volume_type == VolumeType.ROOT,
            Volume.removed.is_(None))):
        volume.state = state


def recover(ctx: CallContext, vm: VirtualMachine) -> VirtualMachine:
    """Bring a destroyed, not yet expunged VM back as Stopped (its quota is taken again)."""
    require(vm, S.DESTROYED, action="recover")
    limits.reserve(ctx.session, vm.account, ResourceType.USER_VM)
    transition(ctx.session, vm, S.STOPPED)
    vm.destroyed = None
    for volume in ctx.session.scalars(select(Volume).where(
            Volume.vm_id == vm.id, Volume.volume_type == VolumeType.ROOT,
            Volume.removed.is_(None))):
        volume.state = VolumeState.READY if volume.pool_id else VolumeState.ALLOCATED
    return vm


def expunge_vm(ctx: CallContext, vm: VirtualMachine) -> VirtualMachine:
    """Remove the VM from its host and the root volume from its pool; keep data volumes."""
    if vm.removed is not None:
        return vm
    if vm.state != S.EXPUNGING:
        require(vm, S.DESTROYED, S.ERROR, action="expunge")
        transition(ctx.session, vm, S.EXPUNGING)
        ctx.checkpoint()
    orchestration.undefine(ctx, vm)
    # Whoever sets `removed` first (a job or the collector) releases the volumes, once.
    now = utcnow()
    won = ctx.session.execute(
        sa.update(VirtualMachine)
        .where(VirtualMachine.id == vm.id, VirtualMachine.removed.is_(None))
        .values(removed=now).execution_options(synchronize_session=False))
    if won.rowcount != 1:  # type: ignore[attr-defined]
        ctx.session.refresh(vm)
        return vm
    set_committed_value(vm, "removed", now)
    roots = [v for v in ctx.session.scalars(select(Volume).where(
        Volume.vm_id == vm.id, Volume.removed.is_(None), Volume.volume_type == VolumeType.ROOT))]
    orchestration.destroy_volumes(ctx, vm)
    changed = rules.release_vm(ctx, vm.id)
    for _, network in guest.nics_of(ctx, vm.id):
        changed.add(network.id)
        changes.network_changed(ctx, network.id, f"{vm.instance_name} expunged")
    guest.release_nics(ctx, vm.id)
    limits.release(ctx.session, vm.account, ResourceType.VOLUME, len(roots))
    ctx.checkpoint()
    _apply_networks(ctx, vm, changed)
    return vm


def _apply_networks(ctx: CallContext, vm: VirtualMachine, network_ids: set[str]) -> None:
    """The VM is gone for good: its routers drop its lease and rules. A router that
    cannot be reached now gets the same configuration on its next apply or restart."""
    try:
        orchestration.apply_networks(ctx, network_ids)
    except CloudError as error:
        ctx.log.warning("routers of %s's networks not updated: %s", vm.instance_name,
                        error.text)


@dataclass(frozen=True)
class VmUpdate:
    display_name: str | None = None
    group: str | None = None
    ha_enabled: bool | None = None
    os_type_id: str | None = None
    user_data: str | None = None


def update(ctx: CallContext, vm: VirtualMachine, change: VmUpdate) -> VirtualMachine:
    if change.display_name is not None:
        vm.display_name = change.display_name
    if change.group is not None:
        vm.group_name = change.group or None
    if change.ha_enabled is not None:
        vm.ha_enabled = change.ha_enabled
    if change.os_type_id is not None:
        if ctx.session.get(OsType, change.os_type_id) is None:
            raise ParamError(f"Unable to find OS type by id {change.os_type_id}")
        vm.guest_os_id = change.os_type_id
    if change.user_data is not None:
        vm.user_data = check_user_data(ctx, change.user_data)
    return vm


def change_service(ctx: CallContext, vm: VirtualMachine, offering_id: str) -> VirtualMachine:
    """A new offering for a stopped VM (seed §10.4: upgrades apply at the next start)."""
    if vm.state != S.STOPPED:
        raise ParamError(
            f"Unable to upgrade virtual machine {vm.id}: it must be stopped (it is {vm.state})")
    offering = service_offering_for(ctx, offering_id)
    current = ctx.session.get(ServiceOffering, vm.service_offering_id)
    if current is not None and offering.id == current.id:
        raise ParamError(f"Virtual machine {vm.id} already has service offering "
                         f"{offering.name}")
    if current is not None and (offering.storage_type != current.storage_type
                                or (offering.tags or "") != (current.tags or "")):
        raise ParamError("The new service offering must have the same storage type and "
                         "storage tags as the current one")
    vm.service_offering_id = offering.id
    vm.ha_enabled = offering.offer_ha
    return vm


@dataclass(frozen=True)
class VmFilter:
    id: str | None = None
    ids: tuple[str, ...] = ()
    name: str | None = None
    state: str | None = None
    zone_id: str | None = None
    host_id: str | None = None
    pod_id: str | None = None
    group: str | None = None
    template_id: str | None = None
    service_offering_id: str | None = None
    keyword: str | None = None


def list_vms(ctx: CallContext, flt: VmFilter, *, owner: dict[str, object],
             page: int | None, pagesize: int | None) -> Page[VirtualMachine]:
    stmt = select(VirtualMachine).where(VirtualMachine.removed.is_(None),
                                        VirtualMachine.vm_type == "User")
    stmt = tenancy.scope(stmt, ctx, account_col=VirtualMachine.account_id,
                         domain_col=VirtualMachine.domain_id, **owner)  # type: ignore[arg-type]
    if (flt.host_id or flt.pod_id) and not ctx.caller.is_root_admin:
        raise PermissionDenied("Only root admins may list VMs by host or pod")
    if flt.id:
        stmt = stmt.where(VirtualMachine.id == flt.id)
    if flt.ids:
        stmt = stmt.where(VirtualMachine.id.in_(flt.ids))
    if flt.name:
        stmt = stmt.where(or_(VirtualMachine.name == flt.name,
                              VirtualMachine.display_name == flt.name))
    if flt.state:
        stmt = stmt.where(VirtualMachine.state == parse_state(flt.state))
    else:
        # Destroyed VMs are shown to admins only (they alone can recover them).
        if not ctx.caller.is_admin:
            stmt = stmt.where(VirtualMachine.state.notin_([S.DESTROYED, S.EXPUNGING]))
    for column, value in ((VirtualMachine.zone_id, flt.zone_id),
                          (VirtualMachine.host_id, flt.host_id),
                          (VirtualMachine.pod_id, flt.pod_id),
                          (VirtualMachine.group_name, flt.group),
                          (VirtualMachine.template_id, flt.template_id),
                          (VirtualMachine.service_offering_id, flt.service_offering_id)):
        if value:
            stmt = stmt.where(column == value)
    stmt = keyword_filter(stmt, flt.keyword, VirtualMachine.name, VirtualMachine.display_name,
                          VirtualMachine.instance_name, VirtualMachine.state)
    return paginate(ctx.session, stmt.order_by(VirtualMachine.created, VirtualMachine.id),
                    page, pagesize)
