"""Snapshots of volumes (seed §7.9): the checks and rows of createSnapshot/deleteSnapshot
and listSnapshots. The work on hosts and secondary storage is appliance/orchestration/
snapshots.py, run in the job.

A snapshot belongs to its volume's owner and counts against the owner's SNAPSHOT limit
from the moment it is accepted until it is deleted (or fails). Manual snapshots are always
taken; only recurring ones skip inactive volumes (snapshot_policies.run_due).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select

from appliance.errors import ParamError
from appliance.models import (
    Account,
    Snapshot,
    SnapshotPolicy,
    SnapshotState,
    VirtualMachine,
    VmState,
    Volume,
    VolumeState,
)
from appliance.models.base import utcnow
from appliance.services import limits, tenancy
from appliance.services.context import CallContext
from appliance.services.limits import ResourceType
from appliance.services.paging import Page, keyword_filter, paginate
from appliance.services.storage import secondary

MANUAL = "MANUAL"
GONE = (VolumeState.DESTROY, VolumeState.EXPUNGING, VolumeState.EXPUNGED)
IN_PROGRESS = (SnapshotState.CREATING, SnapshotState.BACKING_UP)
# A VM in any other state is on its way somewhere: its disks are not to be read now.
SNAPSHOT_VM_STATES = (VmState.RUNNING, VmState.STOPPED)


def volume(ctx: CallContext, volume_id: str) -> Volume:
    """A volume the caller may act on (431 unknown or deleted, 531 another tenant's)."""
    row = ctx.session.get(Volume, volume_id)
    if row is None or row.removed is not None or row.state in GONE:
        raise ParamError(f"Unable to find volume with id {volume_id}")
    tenancy.check_owner(ctx, row.account_id, row.domain_id, what=f"volume {volume_id}")
    return row


def require_created(row: Volume) -> None:
    """431 unless the volume exists on primary storage (seed §7.5: disks are made lazily,
    on first attach)."""
    if row.state == VolumeState.ALLOCATED or row.pool_id is None:
        raise ParamError(f"Volume {row.name} ({row.id}) has not been created yet: attach it "
                         "to a VM and start the VM first")
    if row.state != VolumeState.READY:
        raise ParamError(f"Volume {row.name} ({row.id}) is {row.state}, not Ready")


def attached_vm(ctx: CallContext, row: Volume) -> VirtualMachine | None:
    return ctx.session.get(VirtualMachine, row.vm_id) if row.vm_id else None


def get(ctx: CallContext, snapshot_id: str) -> Snapshot:
    """A snapshot the caller may see (431 unknown or deleted, 531 another tenant's)."""
    row = ctx.session.get(Snapshot, snapshot_id)
    if row is None or row.removed is not None:
        raise ParamError(f"Unable to find snapshot with id {snapshot_id}")
    tenancy.check_owner(ctx, row.account_id, row.domain_id, what=f"snapshot {snapshot_id}")
    return row


def create(ctx: CallContext, volume_id: str, *, policy_id: str | None = None,
           name: str | None = None) -> Snapshot:
    """Check and record a snapshot of the volume (state Creating) for the job to take.

    431: unknown volume or policy, a volume not created yet, a VM in transition; 531:
    another tenant's volume; 534: the zone's secondary storage is unavailable; 532: the
    owner's snapshot limit is reached. Nothing is recorded when any check fails.
    """
    row = volume(ctx, volume_id)
    require_created(row)
    policy = None
    if policy_id is not None:
        policy = ctx.session.get(SnapshotPolicy, policy_id)
        if policy is None or policy.removed is not None or policy.volume_id != row.id:
            raise ParamError(f"Unable to find snapshot policy {policy_id} of volume {row.id}")
    vm = attached_vm(ctx, row)
    if vm is not None and vm.state not in SNAPSHOT_VM_STATES:
        raise ParamError(f"Volume {row.name} is attached to VM {vm.name}, which is "
                         f"{vm.state}: snapshots need it Running or Stopped")
    store = secondary.zone_store(ctx, row.zone_id)
    owner = ctx.session.get(Account, row.account_id)
    assert owner is not None
    limits.reserve(ctx.session, owner, ResourceType.SNAPSHOT)
    stamp = utcnow().strftime("%Y%m%d%H%M%S")
    snapshot = Snapshot(
        name=(name or "").strip() or f"{vm.name if vm else 'detached'}_{row.name}_{stamp}",
        account_id=row.account_id, domain_id=row.domain_id, zone_id=row.zone_id,
        volume_id=row.id, volume_type=row.volume_type,
        snapshot_type=str(policy.interval_type) if policy else MANUAL,
        policy_id=policy.id if policy else None, hypervisor=row.hypervisor,
        state=SnapshotState.CREATING, size=row.size, store_id=store.id)
    ctx.session.add(snapshot)
    ctx.session.flush()
    ctx.log.info("snapshot %s of volume %s accepted", snapshot.id, row.id)
    return snapshot


def release(ctx: CallContext, snapshot: Snapshot) -> None:
    """Give the snapshot's place in its owner's limit back (deleted or failed)."""
    owner = ctx.session.get(Account, snapshot.account_id)
    if owner is not None:
        limits.release(ctx.session, owner, ResourceType.SNAPSHOT)


def check_deletable(ctx: CallContext, snapshot_id: str) -> Snapshot:
    """deleteSnapshot's checks: the caller's snapshot, not being taken right now (431)."""
    snapshot = get(ctx, snapshot_id)
    if snapshot.state in IN_PROGRESS:
        raise ParamError(f"Snapshot {snapshot.name} ({snapshot.id}) is {snapshot.state}: it "
                         "can be deleted once it is backed up")
    return snapshot


@dataclass(frozen=True)
class SnapshotFilter:
    id: str | None = None
    volume_id: str | None = None
    name: str | None = None
    snapshot_type: str | None = None
    interval_type: str | None = None
    zone_id: str | None = None
    keyword: str | None = None


def _types(value: str, param: str) -> str:
    wanted = value.strip().upper()
    if wanted not in (MANUAL, "RECURRING", "HOURLY", "DAILY", "WEEKLY", "MONTHLY"):
        raise ParamError(f"Invalid {param} {value!r}: expected MANUAL, RECURRING, HOURLY, "
                         "DAILY, WEEKLY or MONTHLY")
    return wanted


def _filtered(stmt: Select[Any], wanted: SnapshotFilter) -> Select[Any]:
    if wanted.id is not None:
        stmt = stmt.where(Snapshot.id == wanted.id)
    if wanted.volume_id is not None:
        stmt = stmt.where(Snapshot.volume_id == wanted.volume_id)
    if wanted.name is not None:
        stmt = stmt.where(Snapshot.name == wanted.name)
    if wanted.zone_id is not None:
        stmt = stmt.where(Snapshot.zone_id == wanted.zone_id)
    # Both filters name the snapshot's type: MANUAL, or the interval of its policy
    # (RECURRING matches every recurring one).
    for value, param in ((wanted.snapshot_type, "snapshottype"),
                         (wanted.interval_type, "intervaltype")):
        if value is None:
            continue
        kind = _types(value, param)
        stmt = stmt.where(Snapshot.snapshot_type != MANUAL if kind == "RECURRING"
                          else Snapshot.snapshot_type == kind)
    return keyword_filter(stmt, wanted.keyword, Snapshot.name)


def list_snapshots(ctx: CallContext, wanted: SnapshotFilter, *, owner: dict[str, object],
                   page: int | None, pagesize: int | None) -> Page[Snapshot]:
    """Snapshots the caller may see, newest first."""
    if wanted.id is not None:
        get(ctx, wanted.id)
    stmt = select(Snapshot).where(Snapshot.removed.is_(None)).order_by(
        Snapshot.created.desc(), Snapshot.id)
    stmt = tenancy.scope(stmt, ctx, account_col=Snapshot.account_id,
                         domain_col=Snapshot.domain_id, **owner)  # type: ignore[arg-type]
    return paginate(ctx.session, _filtered(stmt, wanted), page, pagesize)
