"""Primary storage maintenance (seed §7.1.2), run inside the enable/cancel jobs.

Entering: the pool is already PrepareForMaintenance (set when the call was accepted, so no
new volume lands on it from then on). Every VM with a volume on the pool is written down in
`storage_pool_work` (was it running?) before it is stopped, so a job taken over after a crash
goes on where it was and cancelling knows which VMs to start again. Virtual routers hold no
volumes (they run in network namespaces of their hosts), so only VMs are stopped. When a stop
fails the pool goes ErrorInMaintenance and the job fails with the reason; enabling again
continues with the VMs still running.

Cancelling: the pool is Up again first (a VM only starts where all its pools are Up), then
the VMs that were running at entry are started; one that cannot start stays Stopped with
its reason, and the others still start.
"""

from __future__ import annotations

from sqlalchemy import select

from appliance.errors import CloudError, ParamError
from appliance.models import StoragePool, StoragePoolWork, VirtualMachine, VmState, Volume
from appliance.models.infra import StoragePoolState
from appliance.orchestration import vm as vm_orchestration
from appliance.services import events
from appliance.services.context import CallContext
from appliance.services.infra import pool_states

P = StoragePoolState
S = VmState
STOPPED_STATES = (S.STOPPED, S.CREATED, S.ERROR, S.DESTROYED, S.EXPUNGING)
# Rounds of stopping: a start placed just before the pool left Up may still come up.
MAX_ROUNDS = 3


def _vms_on(ctx: CallContext, pool: StoragePool) -> list[VirtualMachine]:
    """The live VMs with a volume on `pool`, oldest first."""
    on_pool = select(Volume.vm_id).where(Volume.pool_id == pool.id, Volume.removed.is_(None),
                                         Volume.vm_id.is_not(None))
    return list(ctx.session.scalars(
        select(VirtualMachine).where(VirtualMachine.id.in_(on_pool),
                                     VirtualMachine.removed.is_(None))
        .order_by(VirtualMachine.created, VirtualMachine.id)))


def _work(ctx: CallContext, pool: StoragePool, vm: VirtualMachine) -> StoragePoolWork:
    """The VM's row of this maintenance, made on first sight (a retry keeps was_running)."""
    work = ctx.session.scalar(select(StoragePoolWork).where(
        StoragePoolWork.pool_id == pool.id, StoragePoolWork.vm_id == vm.id))
    if work is None:
        work = StoragePoolWork(pool_id=pool.id, vm_id=vm.id,
                               was_running=vm.state in (S.RUNNING, S.STOPPING),
                               stopped=vm.state in STOPPED_STATES)
        ctx.session.add(work)
        ctx.session.flush()
    return work


def _stop_round(ctx: CallContext, pool: StoragePool) -> int:
    """Stop every VM still active on the pool; returns how many were found active."""
    active = 0
    for vm in _vms_on(ctx, pool):
        work = _work(ctx, pool, vm)
        if vm.state in STOPPED_STATES:
            work.stopped = True
            ctx.checkpoint()
            continue
        active += 1
        if vm.state not in (S.RUNNING, S.STOPPING):
            raise CloudError(f"virtual machine {vm.instance_name} ({vm.id}) is {vm.state}; "
                             "enable maintenance again once it has settled")
        ctx.checkpoint()
        ctx.log.info("storage pool %s maintenance: stopping %s", pool.name, vm.instance_name)
        try:
            vm_orchestration.stop(ctx, vm, forced=False)
        except CloudError as error:
            raise CloudError(f"unable to stop virtual machine {vm.instance_name} ({vm.id}): "
                             f"{error.text}", error.code) from None
        work.stopped = True
        ctx.checkpoint()
    return active


def enter(ctx: CallContext, pool: StoragePool) -> StoragePool:
    """Stop every VM with a volume on the pool, then Maintenance (the enable job's body)."""
    if pool.state == P.MAINTENANCE:
        return pool  # a resumed job that had finished
    if pool.state != P.PREPARE_FOR_MAINTENANCE:
        raise ParamError(f"Primary storage {pool.name} is {pool.state}, not "
                         f"{P.PREPARE_FOR_MAINTENANCE}")
    try:
        for _ in range(MAX_ROUNDS):
            if not _stop_round(ctx, pool):
                break
        else:
            raise CloudError("virtual machines with volumes on it are still being started")
    except CloudError as error:
        ctx.session.rollback()
        reason = f"Primary storage {pool.name} could not enter maintenance: {error.text}"
        pool_states.move(ctx.session, pool, P.ERROR_IN_MAINTENANCE, P.PREPARE_FOR_MAINTENANCE)
        ctx.checkpoint()
        ctx.log.warning("%s", reason)
        raise CloudError(reason, error.code) from None
    if not pool_states.move(ctx.session, pool, P.MAINTENANCE, P.PREPARE_FOR_MAINTENANCE):
        raise ParamError(f"Primary storage {pool.name} changed to {pool.state} while entering "
                         "maintenance")
    ctx.checkpoint()
    ctx.log.info("storage pool %s is in Maintenance", pool.name)
    return pool


def cancel(ctx: CallContext, pool: StoragePool) -> StoragePool:
    """Bring the pool Up, then start the VMs that were running at entry (the cancel job's
    body); the work rows go as each VM is dealt with."""
    if pool.state == P.CANCEL_MAINTENANCE:
        pool_states.move(ctx.session, pool, P.UP, P.CANCEL_MAINTENANCE)
        ctx.checkpoint()
    if pool.state != P.UP:
        raise ParamError(f"Primary storage {pool.name} is {pool.state}, not "
                         f"{P.CANCEL_MAINTENANCE}")
    failures: list[str] = []
    works = list(ctx.session.scalars(select(StoragePoolWork).where(
        StoragePoolWork.pool_id == pool.id).order_by(StoragePoolWork.created,
                                                     StoragePoolWork.id)))
    for work in works:
        vm = ctx.session.get(VirtualMachine, work.vm_id)
        if work.was_running and not work.started and vm is not None \
                and vm.removed is None and vm.state == S.STOPPED:
            ctx.checkpoint()
            ctx.log.info("storage pool %s back: starting %s", pool.name, vm.instance_name)
            try:
                vm_orchestration.start(ctx, vm)
            except CloudError as error:
                ctx.session.rollback()
                failures.append(f"{vm.instance_name}: {error.text}")
        ctx.session.delete(work)
        ctx.checkpoint()
    if failures:
        text = (f"Primary storage {pool.name} is Up; virtual machines that did not start "
                f"again: {'; '.join(failures)}")
        ctx.log.warning("%s", text)
        events.record(ctx.session, type="MAINT.CANCEL.PS", description=text,
                      user=ctx.caller.user, account=ctx.caller.account,
                      level=events.Level.WARN, job_id=ctx.job_id)
        ctx.checkpoint()
    return pool
