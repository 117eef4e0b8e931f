"""Taking and deleting snapshots on hosts and secondary storage (seed §7.9), run in jobs.

A snapshot is copied off primary storage by the host that reaches the volume (the running
VM's host, which keeps the guest running, else any Up host of the pool) into a temporary
file on the zone's secondary storage, then kept there: where the host supports incremental
backups, as a qcow2 delta backed by the volume's previous snapshot (at most
`snapshot.delta.max` deltas after a full one), else as a standalone qcow2.

Snapshots of one volume form chains, so everything that reads or rewrites a chain (take,
delete, flatten) holds the volume's chain lock. Deleting a snapshot that others build on
first rebases each of them onto the deleted one's parent (or makes them standalone), so
they stay readable. A snapshot that fails leaves no file and no listed row behind, and
gives its place in the owner's limit back.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

from sqlalchemy import select

from appliance.automation import locks
from appliance.drivers.hypervisor import driver_for
from appliance.drivers.hypervisor.base import DriverError, StorageFeature, VolumeRef
from appliance.errors import CloudError, ParamError, ResourceUnavailable
from appliance.models import (
    Account,
    Host,
    ImageStore,
    Snapshot,
    SnapshotPolicy,
    SnapshotState,
    StoragePool,
    VirtualMachine,
    VmState,
    Volume,
)
from appliance.models.base import utcnow
from appliance.models.infra import HostResourceState
from appliance.orchestration.vm import host_access
from appliance.orchestration.volume_placement import hosts_reaching
from appliance.services import configuration, events
from appliance.services.context import CallContext
from appliance.services.storage import images, secondary
from appliance.services.storage import snapshots as service

S = SnapshotState


def chain_lock(volume_id: str) -> str:
    return f"snapshot-chain:{volume_id}"


# -- reaching a volume ---------------------------------------------------------------

def reaching_host(ctx: CallContext, volume: Volume) -> tuple[Host, str | None]:
    """A host that reaches the volume's pool, and the instance name of the running VM
    the volume is attached to there (None when no VM runs it)."""
    vm = ctx.session.get(VirtualMachine, volume.vm_id) if volume.vm_id else None
    if vm is not None and vm.state == VmState.RUNNING and vm.host_id is not None:
        host = ctx.session.get(Host, vm.host_id)
        if host is not None:
            return host, vm.instance_name
    pool = ctx.session.get(StoragePool, volume.pool_id) if volume.pool_id else None
    if pool is None:
        raise ParamError(f"Volume {volume.name} ({volume.id}) is not on primary storage")
    candidates = hosts_reaching(ctx, pool, volume.hypervisor)
    if not candidates:
        raise ResourceUnavailable(f"No host that reaches primary storage {pool.name} is Up: "
                                  f"volume {volume.name} cannot be read now")
    last = vm.last_host_id if vm is not None else None
    candidates.sort(key=lambda h: (h.id != last,
                                   h.resource_state != HostResourceState.ENABLED))
    return candidates[0], None


def export_volume(ctx: CallContext, volume: Volume, dest: str) -> None:
    """Write the volume's content as a standalone qcow2 `dest` on the management server
    (consistent while a running VM goes on writing, where the host supports that)."""
    host, instance = reaching_host(ctx, volume)
    driver = driver_for(str(host.hypervisor), ctx.database)
    access = host_access(ctx, host)
    assert volume.pool_id is not None
    ref = VolumeRef(pool=volume.pool_id, name=volume.id, size=volume.size,
                    format=volume.format or "qcow2")
    name = volume.name
    ctx.checkpoint()
    if instance is not None and \
            StorageFeature.LIVE_SNAPSHOT not in driver.storage_features(access):
        raise ParamError(f"Volume {name} is in use by running VM {instance} and host "
                         f"{host.name} cannot copy it while the VM runs: stop the VM first")
    ctx.log.info("exporting volume %s through host %s%s", name, host.name,
                 f" (running {instance})" if instance else "")
    driver.export_volume(access, ref, dest, instance_name=instance)


# -- taking ---------------------------------------------------------------------------

def take(ctx: CallContext, snapshot: Snapshot) -> Snapshot:
    """Copy the volume to secondary storage and keep it as `snapshot` (BackedUp); then
    the policy's snapshots beyond its maxsnaps go. Resumable: an interrupted job starts
    the copy again."""
    if snapshot.state == S.BACKED_UP:
        return snapshot
    if snapshot.removed is not None or snapshot.state not in service.IN_PROGRESS:
        raise ParamError(f"Snapshot {snapshot.name} ({snapshot.id}) is {snapshot.state}")
    with locks.held(ctx, [chain_lock(snapshot.volume_id)]):
        try:
            _backup(ctx, snapshot)
        except (CloudError, OSError) as failure:
            error = failure if isinstance(failure, CloudError) else DriverError(
                f"Snapshot {snapshot.id} could not be written to secondary storage: {failure}")
            _failed(ctx, snapshot.id, error)
            raise error from None
        try:
            _enforce_retention(ctx, snapshot)
        except CloudError as error:
            # The snapshot itself is kept; the next one of the policy tries again.
            ctx.session.rollback()
            ctx.log.warning("old snapshots of policy %s not deleted: %s", snapshot.policy_id,
                            error.text)
    return snapshot


def _backup(ctx: CallContext, snapshot: Snapshot) -> None:
    session = ctx.session
    volume = session.get(Volume, snapshot.volume_id)
    if volume is None or volume.removed is not None or volume.pool_id is None:
        raise ParamError(f"Volume {snapshot.volume_id} of snapshot {snapshot.id} is gone")
    store = secondary.zone_store(ctx, snapshot.zone_id)
    host, instance = reaching_host(ctx, volume)
    driver = driver_for(str(host.hypervisor), ctx.database)
    access = host_access(ctx, host)
    parent = _previous(ctx, snapshot, store)
    deltas = _deltas_before(ctx, parent) if parent is not None else 0
    delta_max = int(configuration.get(session, "snapshot.delta.max"))
    relative = secondary.snapshot_path(snapshot)
    final = secondary.prepare(store, relative)
    exported = f"{final}.export"
    parent_file = (secondary.absolute(store, parent.install_path)
                   if parent is not None and parent.install_path else None)
    snapshot.store_id, snapshot.size, snapshot.status_text = store.id, volume.size, None
    ctx.checkpoint()
    incremental = (parent is not None and parent_file is not None and deltas < delta_max
                   and StorageFeature.INCREMENTAL in driver.storage_features(access))
    try:
        export_volume(ctx, volume, exported)
        # The store may have gone while the host copied (an NFS mount that dropped).
        secondary.require_available(store)
        snapshot.state = S.BACKING_UP
        ctx.checkpoint()
        if incremental:
            assert parent is not None and parent_file is not None
            images.convert_incremental(exported, parent_file, final)
            snapshot.parent_id, snapshot.full = parent.id, False
        else:
            os.replace(exported, final)  # the export is a standalone qcow2 already
            snapshot.parent_id, snapshot.full = None, True
        secondary.require_available(store)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(exported)
    snapshot.install_path, snapshot.physical_size = relative, os.path.getsize(final)
    snapshot.state = S.BACKED_UP
    ctx.checkpoint()
    ctx.log.info("snapshot %s of volume %s backed up (%s, %d bytes) through host %s%s",
                 snapshot.id, volume.name, "delta" if incremental else "full",
                 snapshot.physical_size, host.name, f" while {instance} ran" if instance else "")


def _previous(ctx: CallContext, snapshot: Snapshot, store: ImageStore) -> Snapshot | None:
    """The volume's newest backed-up snapshot on `store` with its file there: the parent
    of an incremental one."""
    candidate = ctx.session.scalar(
        select(Snapshot).where(Snapshot.volume_id == snapshot.volume_id,
                               Snapshot.id != snapshot.id, Snapshot.removed.is_(None),
                               Snapshot.state == S.BACKED_UP, Snapshot.store_id == store.id,
                               Snapshot.install_path.is_not(None))
        .order_by(Snapshot.created.desc(), Snapshot.id.desc()).limit(1))
    if candidate is None or candidate.install_path is None:
        return None
    if not os.path.isfile(secondary.absolute(store, candidate.install_path)):
        return None
    return candidate


def _deltas_before(ctx: CallContext, snapshot: Snapshot) -> int:
    """How many deltas `snapshot` and its ancestors are since their full one."""
    count, seen = 0, set()
    current: Snapshot | None = snapshot
    while current is not None and not current.full and current.id not in seen:
        seen.add(current.id)
        count += 1
        current = ctx.session.get(Snapshot, current.parent_id) if current.parent_id else None
    return count


def _failed(ctx: CallContext, snapshot_id: str, error: CloudError) -> None:
    """Nothing half-done stays: the files go, the row leaves the lists, the limit's
    place comes back. The reason is kept on the row."""
    ctx.session.rollback()
    snapshot = ctx.session.get(Snapshot, snapshot_id)
    if snapshot is None or snapshot.removed is not None:
        return
    store = ctx.session.get(ImageStore, snapshot.store_id) if snapshot.store_id else None
    if store is not None and store.local_path:
        final = secondary.absolute(store, secondary.snapshot_path(snapshot))
        for path in (final, f"{final}.export", f"{final}.part"):
            with contextlib.suppress(OSError):
                os.unlink(path)
    snapshot.state, snapshot.status_text, snapshot.removed = S.ERROR, error.text, utcnow()
    snapshot.install_path = None
    service.release(ctx, snapshot)
    ctx.checkpoint()
    ctx.log.warning("snapshot %s failed: %s", snapshot_id, error.text)


def _enforce_retention(ctx: CallContext, snapshot: Snapshot) -> None:
    """Seed §7.9.1: a policy keeps its newest `maxsnaps` snapshots; older ones go."""
    policy = ctx.session.get(SnapshotPolicy, snapshot.policy_id) if snapshot.policy_id else None
    if policy is None or policy.removed is not None:
        return
    surplus = list(ctx.session.scalars(
        select(Snapshot).where(Snapshot.policy_id == policy.id, Snapshot.removed.is_(None),
                               Snapshot.state == S.BACKED_UP)
        .order_by(Snapshot.created.desc(), Snapshot.id.desc()).offset(policy.max_snaps)))
    for old in surplus:
        _delete_locked(ctx, old)
        owner = ctx.session.get(Account, old.account_id)
        events.record(ctx.session, type="SNAPSHOT.DELETE", user=ctx.caller.user, account=owner,
                      description=f"Deleted snapshot {old.name} ({old.id}): policy "
                                  f"{policy.id} keeps {policy.max_snaps}")
        ctx.checkpoint()


# -- deleting ------------------------------------------------------------------------

def delete(ctx: CallContext, snapshot: Snapshot) -> None:
    """Remove the snapshot and its file; snapshots built on it stay readable. 534 (and
    nothing changed) while its secondary storage is unavailable."""
    if snapshot.removed is not None:
        return
    with locks.held(ctx, [chain_lock(snapshot.volume_id)]):
        ctx.session.refresh(snapshot)
        if snapshot.removed is None:
            _delete_locked(ctx, snapshot)


def _delete_locked(ctx: CallContext, snapshot: Snapshot) -> None:
    session = ctx.session
    store = session.get(ImageStore, snapshot.store_id) if snapshot.store_id else None
    if snapshot.install_path is not None and store is not None:
        secondary.require_available(store)
        parent = session.get(Snapshot, snapshot.parent_id) if snapshot.parent_id else None
        if parent is not None and (parent.removed is not None or parent.install_path is None):
            parent = None
        children = list(session.scalars(select(Snapshot).where(
            Snapshot.parent_id == snapshot.id, Snapshot.removed.is_(None),
            Snapshot.install_path.is_not(None))))
        for child in children:
            assert child.install_path is not None
            child_file = secondary.absolute(store, child.install_path)
            parent_file = (secondary.absolute(store, parent.install_path)
                           if parent is not None and parent.install_path else None)
            ctx.checkpoint()
            # The child takes in what the deleted snapshot gave it; the file reads the
            # same before, during and after.
            images.rebase(child_file, parent_file)
            child.parent_id = parent.id if parent is not None else None
            child.full = parent is None
            child.physical_size = os.path.getsize(child_file)
            ctx.checkpoint()
        path = secondary.absolute(store, snapshot.install_path)
        ctx.checkpoint()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
    snapshot.state, snapshot.removed, snapshot.install_path = S.DESTROYED, utcnow(), None
    service.release(ctx, snapshot)
    ctx.checkpoint()
    ctx.log.info("deleted snapshot %s of volume %s", snapshot.id, snapshot.volume_id)


# -- reading --------------------------------------------------------------------------

def flatten_to(ctx: CallContext, snapshot: Snapshot, dest: str) -> None:
    """Write the snapshot's content as a standalone qcow2 `dest` (431 when it is not
    backed up, 534 while its secondary storage is unavailable)."""
    if snapshot.removed is not None or snapshot.state != S.BACKED_UP:
        raise ParamError(f"Snapshot {snapshot.name} ({snapshot.id}) is {snapshot.state}, "
                         "not BackedUp")
    store = ctx.session.get(ImageStore, snapshot.store_id) if snapshot.store_id else None
    if store is None or snapshot.install_path is None:
        raise ResourceUnavailable(f"Snapshot {snapshot.id} has no file on secondary storage")
    secondary.require_available(store)
    with locks.held(ctx, [chain_lock(snapshot.volume_id)]):
        ctx.session.refresh(snapshot)
        if snapshot.removed is not None or snapshot.install_path is None:
            raise ParamError(f"Snapshot {snapshot.id} was deleted meanwhile")
        source = secondary.absolute(store, snapshot.install_path)
        ctx.checkpoint()
        images.convert(source, dest)


@contextlib.contextmanager
def flattened(ctx: CallContext, snapshot: Snapshot) -> Iterator[str]:
    """A standalone qcow2 of the snapshot's content for the block (createVolume from a
    snapshot, createTemplate): a temporary file on its secondary storage, removed after.
    431 when the snapshot is not backed up, 534 while its storage is unavailable."""
    store = ctx.session.get(ImageStore, snapshot.store_id) if snapshot.store_id else None
    if store is None:
        raise ResourceUnavailable(f"Snapshot {snapshot.id} has no file on secondary storage")
    secondary.require_available(store)
    temporary = secondary.prepare(store, f"tmp/{snapshot.id}-{uuid.uuid4().hex[:12]}.qcow2")
    try:
        flatten_to(ctx, snapshot, temporary)
        yield temporary
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
