"""What must happen on hosts when a data volume is attached, detached, resized or removed,
run inside async jobs and by the volume collector (seed §7.5).

Each step records the volume's transitional state by compare-and-set and commits
(`ctx.checkpoint()`) before the driver acts, then records the outcome; a job resumed
after a crash finds the row telling it where it stopped, and every driver call is
idempotent. The disk of a new volume is made on its first attach, in a pool the VM's host
reaches; a volume moving to a VM of another cluster is copied through the zone's secondary
storage (export, import into a pool the new cluster reaches, delete the old copy).
"""

from __future__ import annotations

from sqlalchemy import select

from appliance.drivers.hypervisor import driver_for
from appliance.drivers.hypervisor.base import (
    DiskSpec,
    HostAccess,
    HypervisorDriver,
    StorageFeature,
    VolumeRef,
)
from appliance.errors import CloudError, InsufficientCapacity, ParamError, ResourceUnavailable
from appliance.models import (
    Host,
    ImageStore,
    Snapshot,
    StoragePool,
    VirtualMachine,
    VmState,
    Volume,
    VolumeState,
)
from appliance.models.base import utcnow
from appliance.models.infra import HostStatus
from appliance.orchestration.vm import host_access
from appliance.orchestration.volume_placement import (
    anchor_host,
    hosts_reaching,
    reserve_near,
    vm_hypervisor,
)
from appliance.services import tags
from appliance.services.allocation import release_pool, reserve_pool
from appliance.services.context import CallContext
from appliance.services.infra.pool_hosts import reaches
from appliance.services.storage import secondary
from appliance.services.storage.volume_states import (
    ConcurrentVolumeChange,
    InvalidVolumeState,
    change,
    describe,
    require,
    transition,
)

S = VolumeState


def driver_of(ctx: CallContext, host: Host) -> HypervisorDriver:
    return driver_for(str(host.hypervisor), ctx.database)


def volume_ref(volume: Volume, pool_id: str | None = None) -> VolumeRef:
    pool = pool_id or volume.pool_id
    assert pool is not None
    return VolumeRef(pool=pool, name=volume.id, size=volume.size,
                     format=volume.format or "qcow2")


def disk_spec(volume: Volume) -> DiskSpec:
    """The volume as a disk of its VM (as orchestration/vm.py `_spec` lists it)."""
    return DiskSpec(path=volume.path or volume.id, device_id=volume.device_id or 0,
                    size=volume.size, format=volume.format or "qcow2", volume_id=volume.id,
                    pool=volume.pool_id, name=volume.id)


def _features(ctx: CallContext, host: Host) -> frozenset[StorageFeature]:
    access = host_access(ctx, host)
    ctx.checkpoint()
    return driver_of(ctx, host).storage_features(access)


def worker_for(ctx: CallContext, pool: StoragePool, preferred: Host | None,
            hypervisor: str | None) -> Host | None:
    """An Up host that mounts `pool` to act on it: `preferred` when it can."""
    if preferred is not None and preferred.status == HostStatus.UP and reaches(pool, preferred):
        return preferred
    found = hosts_reaching(ctx, pool, hypervisor)
    return found[0] if found else None


def _pool(ctx: CallContext, volume: Volume) -> StoragePool:
    pool = ctx.session.get(StoragePool, volume.pool_id) if volume.pool_id else None
    if pool is None:
        raise ResourceUnavailable(f"The storage pool of volume {describe(volume)} is gone")
    return pool


# -- making the disk ------------------------------------------------------------------

def _needs_content(volume: Volume) -> bool:
    """An uploaded volume or one restored from a snapshot: its disk is imported."""
    return volume.url is not None or volume.snapshot_id is not None


def _fill(ctx: CallContext, volume: Volume, host: Host | None) -> None:
    """Create (or import) the volume's disk in its pool through `host`; no host: an empty
    disk is left for the driver to create when the VM starts, content cannot wait."""
    pool = _pool(ctx, volume)
    worker = worker_for(ctx, pool, host, volume.hypervisor)
    if worker is None:
        if _needs_content(volume):
            raise ResourceUnavailable(f"No Up host reaches storage pool {pool.name} to put "
                                      f"the content of volume {describe(volume)} there")
        ctx.log.info("no Up host reaches pool %s: volume %s is made when its VM starts",
                     pool.name, volume.id)
        return
    driver, access, ref = driver_of(ctx, worker), host_access(ctx, worker), volume_ref(volume)
    if volume.url is not None and volume.store_path is not None:
        store = ctx.session.get(ImageStore, volume.store_id) if volume.store_id else None
        if store is None:
            raise ResourceUnavailable(f"The uploaded copy of volume {describe(volume)} is gone")
        source = secondary.absolute(secondary.require_available(store), volume.store_path)
        ctx.checkpoint()
        ctx.log.info("importing uploaded volume %s into pool %s on %s", volume.id, pool.name,
                     worker.name)
        driver.import_volume(access, ref, source)
    elif volume.snapshot_id is not None:
        _import_snapshot(ctx, volume, driver, access, ref)
    else:
        ctx.checkpoint()
        ctx.log.info("creating volume %s in pool %s on %s", volume.id, pool.name, worker.name)
        driver.create_volume(access, ref)


def _import_snapshot(ctx: CallContext, volume: Volume, driver: HypervisorDriver,
                     access: HostAccess, ref: VolumeRef) -> None:
    from appliance.orchestration import snapshots  # late: volumes load without it

    snapshot = ctx.session.get(Snapshot, volume.snapshot_id)
    if snapshot is None or snapshot.removed is not None:
        raise ParamError(f"Snapshot {volume.snapshot_id} of volume {describe(volume)} is gone")
    ctx.checkpoint()
    with snapshots.flattened(ctx, snapshot) as path:
        ctx.checkpoint()
        ctx.log.info("restoring snapshot %s into volume %s", snapshot.id, volume.id)
        driver.import_volume(access, ref, path)


def _create(ctx: CallContext, volume: Volume, near: Host) -> None:
    """Reserve a pool `near` reaches, make the disk there, and mark the volume Ready."""
    before = S(volume.state)
    hypervisor = volume.hypervisor
    if before != S.CREATING:
        pool = reserve_near(ctx, volume, near)
        transition(ctx.session, volume, S.CREATING, pool_id=pool.id,
                   pod_id=pool.pod_id or near.pod_id,
                   path=f"{pool.path.rstrip('/')}/{volume.id}", format="qcow2",
                   hypervisor=volume.hypervisor or str(near.hypervisor))
        ctx.checkpoint()
    else:  # resumed after a crash: the pool was chosen and reserved
        before = S.UPLOADED if volume.url is not None else S.ALLOCATED
    try:
        _fill(ctx, volume, near)
    except CloudError:
        if volume.pool_id is not None:
            release_pool(ctx.session, volume.pool_id, volume.size)
        transition(ctx.session, volume, before, pool_id=None, pod_id=None, path=None,
                   hypervisor=hypervisor)
        ctx.checkpoint()
        raise
    uploaded = (volume.store_id, volume.store_path) if volume.url is not None else None
    transition(ctx.session, volume, S.READY,
               **({"store_id": None, "store_path": None} if uploaded else {}))
    ctx.checkpoint()
    if uploaded is not None and uploaded[1] is not None:
        _remove_copy(ctx, uploaded[0], uploaded[1])


def _remove_copy(ctx: CallContext, store_id: str | None, relative: str) -> None:
    store = ctx.session.get(ImageStore, store_id) if store_id else None
    if store is not None:
        secondary.remove(store, relative)


# -- moving between clusters through secondary storage --------------------------------

def _move(ctx: CallContext, volume: Volume, near: Host) -> None:
    """Copy the volume from its pool to one `near` reaches through secondary storage."""
    if volume.state == S.MIGRATING:  # resumed after a crash: start the copy again
        _abandon_move(ctx, volume)
    old = _pool(ctx, volume)
    source = worker_for(ctx, old, None, volume.hypervisor)
    if source is None:
        raise ResourceUnavailable(f"No Up host reaches storage pool {old.name} to copy "
                                  f"volume {describe(volume)} from")
    store = secondary.zone_store(ctx, volume.zone_id)
    relative = secondary.volume_path(volume)
    copy = secondary.prepare(store, relative)
    transition(ctx.session, volume, S.MIGRATING, store_id=store.id, store_path=relative)
    src_driver, src_access = driver_of(ctx, source), host_access(ctx, source)
    old_ref = volume_ref(volume)
    ctx.checkpoint()
    new: StoragePool | None = None
    try:
        ctx.log.info("copying volume %s from pool %s to secondary storage %s", volume.id,
                     old.name, store.name)
        src_driver.export_volume(src_access, old_ref, copy)
        new = reserve_near(ctx, volume, near)
        change(ctx.session, volume, move_pool_id=new.id)  # with the reservation
        dest = worker_for(ctx, new, near, volume.hypervisor)
        if dest is None:
            raise ResourceUnavailable(f"No Up host reaches storage pool {new.name} to copy "
                                      f"volume {describe(volume)} into")
        dest_driver, dest_access = driver_of(ctx, dest), host_access(ctx, dest)
        new_ref = volume_ref(volume, new.id)
        ctx.checkpoint()
        ctx.log.info("copying volume %s from secondary storage into pool %s", volume.id,
                     new.name)
        dest_driver.import_volume(dest_access, new_ref, copy)
    except CloudError:
        if new is not None:
            release_pool(ctx.session, new.id, volume.size)
        transition(ctx.session, volume, S.READY, store_id=None, store_path=None,
                   move_pool_id=None)
        ctx.checkpoint()
        secondary.remove(store, relative)
        raise
    transition(ctx.session, volume, S.READY, pool_id=new.id, pod_id=new.pod_id or near.pod_id,
               path=f"{new.path.rstrip('/')}/{volume.id}", store_id=None, store_path=None,
               move_pool_id=None)
    release_pool(ctx.session, old.id, volume.size)
    ctx.checkpoint()
    try:
        src_driver.delete_volume(src_access, old.id, volume.id)
    except CloudError as error:
        ctx.log.warning("volume %s moved, but its old copy in pool %s stays: %s", volume.id,
                        old.name, error.text)
    secondary.remove(store, relative)


def _abandon_move(ctx: CallContext, volume: Volume) -> None:
    """A move cut short by a crash: give back the room it reserved, delete what it may have
    copied there (import is all or nothing) and its copy on secondary storage."""
    target = ctx.session.get(StoragePool, volume.move_pool_id) if volume.move_pool_id \
        else None
    store = ctx.session.get(ImageStore, volume.store_id) if volume.store_id else None
    relative = volume.store_path
    if target is not None:
        # Released and forgotten in one transaction: a second crash cannot release twice.
        release_pool(ctx.session, target.id, volume.size)
        change(ctx.session, volume, move_pool_id=None)
        worker = worker_for(ctx, target, None, volume.hypervisor)
        if worker is not None:
            driver, access = driver_of(ctx, worker), host_access(ctx, worker)
            ctx.checkpoint()
            try:
                driver.delete_volume(access, target.id, volume.id)
            except CloudError as error:
                ctx.log.warning("the copy of volume %s left in pool %s by an interrupted "
                                "move stays: %s", volume.id, target.name, error.text)
    transition(ctx.session, volume, S.READY, store_id=None, store_path=None,
               move_pool_id=None)
    ctx.checkpoint()
    if store is not None and relative is not None:
        secondary.remove(store, relative)


def place_near(ctx: CallContext, volume: Volume, near: Host) -> None:
    """Make sure the volume's disk exists in a pool `near` reaches (created, imported or
    moved there)."""
    if volume.pool_id is None or volume.state == S.CREATING:
        _create(ctx, volume, near)
    elif volume.state == S.MIGRATING or not reaches(_pool(ctx, volume), near):
        _move(ctx, volume, near)


def _first_host(ctx: CallContext, volume: Volume, vm: VirtualMachine) -> Host:
    """A host of the VM's hypervisor in the zone, to restore content for a VM never
    placed: the VM then starts in that host's cluster."""
    kind = vm_hypervisor(ctx, vm)
    stmt = select(Host).where(Host.zone_id == vm.zone_id, Host.removed.is_(None),
                              Host.status == HostStatus.UP, Host.type == "Routing",
                              Host.resource_state == "Enabled")
    for host in ctx.session.scalars(stmt.order_by(Host.name, Host.id)):
        if kind is None or str(host.hypervisor).lower() == kind.lower():
            return host
    raise ResourceUnavailable(f"No Up host of hypervisor {kind or 'any'} in the zone of "
                              f"volume {describe(volume)} to restore its content on")


# -- attach / detach ------------------------------------------------------------------

def attach(ctx: CallContext, volume: Volume, vm: VirtualMachine) -> Volume:
    """Finish the attach accept claimed (the volume names `vm`, `attached` is empty): make
    or move the disk near the VM, plug it in when the VM runs, record the attachment.
    On failure the claim is dropped (a disk already made stays, Ready and detached)."""
    if volume.vm_id != vm.id:
        raise InvalidVolumeState(f"Volume {describe(volume)} is no longer being attached to "
                                 f"virtual machine {vm.name}")
    if volume.attached is not None:
        return volume  # resumed after it finished
    try:
        _attach(ctx, volume, vm)
    except CloudError:
        ctx.session.refresh(volume)
        if volume.vm_id == vm.id and volume.attached is None:
            change(ctx.session, volume, vm_id=None, device_id=None)
            ctx.checkpoint()
        raise
    return volume


def _attach(ctx: CallContext, volume: Volume, vm: VirtualMachine) -> None:
    if vm.state not in (VmState.RUNNING, VmState.STOPPED):
        raise ParamError(f"Please specify a VM that is either running or stopped: "
                         f"{vm.name} is {vm.state}")
    running = vm.state == VmState.RUNNING
    host = ctx.session.get(Host, vm.host_id) if running and vm.host_id else anchor_host(ctx, vm)
    if running:
        assert host is not None
        features = _features(ctx, host)
        if StorageFeature.HOT_PLUG not in features or StorageFeature.ATTACH not in features:
            raise ParamError(f"Host {host.name} cannot attach a volume to running virtual "
                             f"machine {vm.name}; stop the VM first")
    if host is not None:
        place_near(ctx, volume, host)
    elif _needs_content(volume) and volume.pool_id is None:
        place_near(ctx, volume, _first_host(ctx, volume, vm))
    # else: a VM never placed takes the volume where its first start puts its disks.
    if running:
        assert host is not None
        access = host_access(ctx, host)
        spec = disk_spec(volume)
        ctx.checkpoint()
        ctx.log.info("plugging volume %s into %s as device %s", volume.id, vm.instance_name,
                     spec.device_id)
        driver_of(ctx, host).attach_volume(access, vm.instance_name, spec)
    change(ctx.session, volume, attached=utcnow())
    ctx.checkpoint()


def detach(ctx: CallContext, volume: Volume) -> Volume:
    """Unplug the volume from its VM (running: on the host) and record it detached; the
    disk stays where it is."""
    vm = ctx.session.get(VirtualMachine, volume.vm_id) if volume.vm_id else None
    if vm is None:
        return volume  # resumed after it finished
    if vm.state in (VmState.STARTING, VmState.STOPPING, VmState.MIGRATING):
        raise ParamError(f"Unable to detach volume {describe(volume)} while virtual machine "
                         f"{vm.name} is {vm.state}")
    if vm.state == VmState.RUNNING and vm.host_id and volume.pool_id is not None:
        host = ctx.session.get(Host, vm.host_id)
        assert host is not None
        access, spec = host_access(ctx, host), disk_spec(volume)
        ctx.checkpoint()
        ctx.log.info("unplugging volume %s from %s", volume.id, vm.instance_name)
        driver_of(ctx, host).detach_volume(access, vm.instance_name, spec)
    try:
        change(ctx.session, volume, vm_id=None, device_id=None, attached=None,
               detached=utcnow())
    except ConcurrentVolumeChange:
        if volume.vm_id is not None:
            raise
    ctx.checkpoint()
    return volume


# -- resize ---------------------------------------------------------------------------

def resize(ctx: CallContext, volume: Volume, size: int, offering_id: str | None) -> Volume:
    """Grow (or, asked explicitly, shrink) a volume. One not made yet only changes its
    row; a made one is resized on a host reaching its pool (online when its VM runs),
    where the hypervisor allows it (431 otherwise)."""
    if size == volume.size and offering_id == volume.disk_offering_id:
        return volume
    require(volume, S.ALLOCATED, S.READY, action="resize")
    if volume.pool_id is None:
        change(ctx.session, volume, size=size, disk_offering_id=offering_id)
        return volume
    pool = _pool(ctx, volume)
    vm = ctx.session.get(VirtualMachine, volume.vm_id) if volume.vm_id else None
    instance: str | None = None
    if vm is not None and vm.state == VmState.RUNNING and vm.host_id is not None:
        host = ctx.session.get(Host, vm.host_id)
        instance = vm.instance_name
    else:
        host = worker_for(ctx, pool, None, volume.hypervisor)
    if host is None:
        raise ResourceUnavailable(f"No Up host reaches storage pool {pool.name} to resize "
                                  f"volume {describe(volume)}")
    if StorageFeature.RESIZE not in _features(ctx, host):
        raise ParamError(f"The {host.hypervisor} hypervisor of host {host.name} does not "
                         f"support resizing volume {describe(volume)}")
    old_size, old_offering = volume.size, volume.disk_offering_id
    grow = size - old_size
    if grow > 0 and not reserve_pool(ctx.session, pool.id, grow):
        raise InsufficientCapacity(f"Storage pool {pool.name} has no room to grow volume "
                                   f"{describe(volume)} by {grow} bytes")
    # The new size is recorded (and reserved) before the host acts.
    change(ctx.session, volume, size=size, disk_offering_id=offering_id)
    access, ref = host_access(ctx, host), volume_ref(volume)
    ctx.checkpoint()
    try:
        ctx.log.info("resizing volume %s from %s to %s bytes", volume.id, old_size, size)
        driver_of(ctx, host).resize_volume(access, ref, size, instance_name=instance)
    except CloudError:
        if grow > 0:
            release_pool(ctx.session, pool.id, grow)
        change(ctx.session, volume, size=old_size, disk_offering_id=old_offering)
        ctx.checkpoint()
        raise
    if grow < 0:
        release_pool(ctx.session, pool.id, -grow)
    ctx.checkpoint()
    return volume


# -- physical removal (the volume collector) -------------------------------------------

def expunge(ctx: CallContext, volume: Volume) -> None:
    """Remove a deleted volume's disk from its pool and any copy from secondary storage,
    then mark it Expunged. On failure it goes back to Destroy (retried next run)."""
    if volume.state != S.EXPUNGING:
        transition(ctx.session, volume, S.EXPUNGING)
        ctx.checkpoint()
    try:
        if volume.pool_id is not None:
            pool = _pool(ctx, volume)
            worker = worker_for(ctx, pool, None, volume.hypervisor)
            if worker is None:
                raise ResourceUnavailable(f"No Up host reaches storage pool {pool.name} to "
                                          f"delete volume {describe(volume)} from")
            access = host_access(ctx, worker)
            ctx.checkpoint()
            driver_of(ctx, worker).delete_volume(access, pool.id, volume.id)
        if volume.store_path is not None:
            store = ctx.session.get(ImageStore, volume.store_id) if volume.store_id else None
            if store is not None and store.removed is None:
                secondary.remove(secondary.require_available(store), volume.store_path)
    except CloudError:
        transition(ctx.session, volume, S.DESTROY)
        ctx.checkpoint()
        raise
    # The compare-and-set first: of two rounds that got here, one releases the pool bytes.
    transition(ctx.session, volume, S.EXPUNGED, removed=utcnow(), extract_token=None,
               extract_url=None, extract_expires=None)
    if volume.pool_id is not None:
        release_pool(ctx.session, volume.pool_id, volume.size)
    tags.forget(ctx, "Volume", volume.id)
    ctx.checkpoint()
