"""Volumes as the API sees them (seed §7.5): lookup with tenancy, createVolume's row,
listVolumes, deleteVolume, and the checks and claims attach/detach/resize record before
their job runs (appliance/orchestration/volumes.py does the work on hosts).

A new volume is only a row (Allocated): its disk is made on its first attach, nearest the
VM. Deleting one marks it Destroy; the volume collector removes it physically after
expunge.delay. Its snapshots are kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from appliance.errors import ParamError, PermissionDenied
from appliance.models import (
    Account,
    DiskOffering,
    Snapshot,
    SnapshotState,
    VirtualMachine,
    VmState,
    Volume,
    VolumeState,
    VolumeType,
)
from appliance.models.base import new_uuid, utcnow
from appliance.orchestration import volume_placement as placement
from appliance.services import configuration, limits, tags, tenancy
from appliance.services.context import CallContext
from appliance.services.limits import ResourceType
from appliance.services.paging import Page, keyword_filter, paginate
from appliance.services.storage.volume_states import (
    ConcurrentVolumeChange,
    change,
    describe,
    parse_state,
    require,
    transition,
)
from appliance.services.vms import deploy, lifecycle

S = VolumeState
GIB = 1024**3
CDROM_DEVICE_ID = 3  # CloudStack keeps device 3 for the CD-ROM drive; 0 is the root disk
# Data disks a VM may have, per hypervisor type. CloudStack falls back to 6 when its
# hypervisor_capabilities table says nothing; KVM's virtio disks vdb..vdz leave room for
# 24 besides the root disk and the CD-ROM slot; VMware's SCSI controller has 13 free slots.
MAX_DATA_VOLUMES = {"kvm": 24, "lxc": 24, "vmware": 13}
DEFAULT_MAX_DATA_VOLUMES = 6
GONE = (S.DESTROY, S.EXPUNGING, S.EXPUNGED)


def get(ctx: CallContext, volume_id: str) -> Volume:
    """A volume the caller may see (431 unknown or expunged, 531 another tenant's)."""
    volume = tenancy.get_owned(ctx, Volume, volume_id, what="volume")
    if volume.removed is not None or volume.state in (S.EXPUNGING, S.EXPUNGED):
        raise ParamError(f"Unable to find volume with id {volume_id}")
    return volume


def owner_of(ctx: CallContext, volume: Volume) -> Account:
    account = ctx.session.get(Account, volume.account_id)
    assert account is not None
    return account


# -- create ---------------------------------------------------------------------------

@dataclass(frozen=True)
class VolumeRequest:
    """createVolume: a disk offering (a size in GB for a customized one) or a snapshot."""

    name: str | None = None
    zone_id: str | None = None
    disk_offering_id: str | None = None
    size_gb: int | None = None
    snapshot_id: str | None = None
    account: str | None = None
    domain_id: str | None = None


def _from_snapshot(ctx: CallContext, request: VolumeRequest
                   ) -> tuple[str, int, str | None, str | None]:
    """(zone id, size, disk offering id, hypervisor) of a volume restored from a snapshot:
    the snapshot's size (or a larger `size`), the given offering or the source volume's."""
    assert request.snapshot_id is not None
    snapshot = tenancy.get_owned(ctx, Snapshot, request.snapshot_id, what="snapshot")
    if snapshot.removed is not None:
        raise ParamError(f"Unable to find snapshot with id {request.snapshot_id}")
    if snapshot.state != SnapshotState.BACKED_UP:
        raise ParamError(f"Snapshot {snapshot.name} ({snapshot.id}) is not backed up yet "
                         f"(state {snapshot.state})")
    if request.zone_id is not None and request.zone_id != snapshot.zone_id:
        raise ParamError(f"Snapshot {snapshot.id} is in another zone than {request.zone_id}")
    size = snapshot.size
    if request.size_gb:
        if request.size_gb * GIB < size:
            raise ParamError(f"Size {request.size_gb} GB is smaller than snapshot "
                             f"{snapshot.id} ({size} bytes)")
        size = request.size_gb * GIB
    if request.disk_offering_id is not None:  # where the restored disk may go (its tags)
        offering_id: str | None = _offering(ctx, request.disk_offering_id).id
    else:
        source = ctx.session.get(Volume, snapshot.volume_id)
        offering_id = source.disk_offering_id if source is not None else None
    return snapshot.zone_id, size, offering_id, snapshot.hypervisor


def _offering(ctx: CallContext, offering_id: str) -> DiskOffering:
    offering = ctx.session.get(DiskOffering, offering_id)
    if offering is None or offering.removed is not None:
        raise ParamError(f"Unable to find disk offering by id {offering_id}")
    tenancy.check_catalog_use(ctx, offering.domain_id, what=f"disk offering {offering_id}")
    return offering


def create(ctx: CallContext, request: VolumeRequest) -> Volume:
    """Record a new data volume (Allocated; nothing physical yet) and count it."""
    owner = tenancy.requested_owner(ctx, request.account, request.domain_id)
    if request.disk_offering_id is None and request.snapshot_id is None:
        raise ParamError("Either diskofferingid or snapshotid must be passed to create a "
                         "volume")
    hypervisor: str | None = None
    if request.snapshot_id is not None:
        zone_id, size, offering_id, hypervisor = _from_snapshot(ctx, request)
    else:
        assert request.disk_offering_id is not None
        if request.zone_id is None:
            raise ParamError("Unable to execute API command createvolume due to missing "
                             "parameter zoneid")
        offering, size = deploy.disk_offering_for(ctx, request.disk_offering_id,
                                                  request.size_gb)
        zone_id, offering_id = request.zone_id, offering.id
    zone = deploy.zone_for(ctx, zone_id, owner)
    volume_id = new_uuid()
    name = (request.name or "").strip() or f"DATA-{volume_id[:8]}"
    limits.reserve(ctx.session, owner, ResourceType.VOLUME)
    volume = Volume(id=volume_id, name=name, account_id=owner.id, domain_id=owner.domain_id,
                    zone_id=zone.id, volume_type=VolumeType.DATADISK,
                    disk_offering_id=offering_id, snapshot_id=request.snapshot_id, size=size,
                    state=S.ALLOCATED, hypervisor=hypervisor)
    ctx.session.add(volume)
    ctx.session.flush()
    return volume


# -- list -----------------------------------------------------------------------------

@dataclass(frozen=True)
class VolumeFilter:
    id: str | None = None
    ids: tuple[str, ...] = ()
    name: str | None = None
    vm_id: str | None = None
    type: str | None = None
    zone_id: str | None = None
    pod_id: str | None = None
    host_id: str | None = None
    storage_id: str | None = None
    disk_offering_id: str | None = None
    state: str | None = None
    keyword: str | None = None
    tags: tuple[dict[str, str], ...] = ()


def list_volumes(ctx: CallContext, flt: VolumeFilter, *, owner: dict[str, object],
                 page: int | None, pagesize: int | None) -> Page[Volume]:
    """Volumes (root ones too) the caller may see; deleted ones only when asked by id or
    state."""
    if (flt.host_id or flt.pod_id or flt.storage_id) and not ctx.caller.is_root_admin:
        raise PermissionDenied("Only root admins may list volumes by host, pod or storage")
    stmt = select(Volume).where(Volume.removed.is_(None), Volume.state != S.EXPUNGED)
    stmt = tenancy.scope(stmt, ctx, account_col=Volume.account_id,
                         domain_col=Volume.domain_id, **owner)  # type: ignore[arg-type]
    if flt.state:
        stmt = stmt.where(Volume.state == parse_state(flt.state))
    elif not flt.id and not flt.ids:
        stmt = stmt.where(Volume.state.not_in(GONE))
    if flt.type:
        kind = flt.type.strip().upper()
        if kind not in (t.value for t in VolumeType):
            raise ParamError(f"Invalid volume type {flt.type}: ROOT or DATADISK")
        stmt = stmt.where(Volume.volume_type == kind)
    for column, value in ((Volume.id, flt.id), (Volume.name, flt.name),
                          (Volume.vm_id, flt.vm_id), (Volume.zone_id, flt.zone_id),
                          (Volume.pod_id, flt.pod_id), (Volume.pool_id, flt.storage_id),
                          (Volume.disk_offering_id, flt.disk_offering_id)):
        if value:
            stmt = stmt.where(column == value)
    if flt.ids:
        stmt = stmt.where(Volume.id.in_(flt.ids))
    if flt.host_id:
        stmt = stmt.where(Volume.vm_id.in_(select(VirtualMachine.id).where(
            VirtualMachine.host_id == flt.host_id)))
    if flt.tags:
        stmt = tags.filter_by_tags(stmt, Volume.id, "Volume", list(flt.tags))
    stmt = keyword_filter(stmt, flt.keyword, Volume.name, Volume.state)
    return paginate(ctx.session, stmt.order_by(Volume.created, Volume.id), page, pagesize)


# -- delete ---------------------------------------------------------------------------

def delete(ctx: CallContext, volume: Volume) -> None:
    """Mark a detached data volume Destroy and give its quota back; the collector removes
    it after expunge.delay. Its snapshots stay."""
    if volume.volume_type == VolumeType.ROOT:
        raise ParamError(f"Unable to delete volume {describe(volume)}: it is a ROOT volume, "
                         "which goes with its virtual machine")
    if volume.vm_id is not None:
        raise ParamError(f"Unable to delete volume {describe(volume)}: it is attached to "
                         f"virtual machine {volume.vm_id}; please specify a volume that is "
                         "not attached to any VM")
    require(volume, S.ALLOCATED, S.READY, S.UPLOADED, S.UPLOAD_ERROR, action="delete")
    transition(ctx.session, volume, S.DESTROY, destroyed=utcnow())
    limits.release(ctx.session, owner_of(ctx, volume), ResourceType.VOLUME)
    ctx.log.info("volume %s deleted; removed after expunge.delay", volume.id)


# -- attach and detach: checks and the claim accept records ---------------------------

def max_data_volumes(hypervisor: str | None) -> int:
    return MAX_DATA_VOLUMES.get((hypervisor or "").lower(), DEFAULT_MAX_DATA_VOLUMES)


def _used_devices(ctx: CallContext, vm: VirtualMachine) -> dict[int, str]:
    rows = ctx.session.execute(select(Volume.device_id, Volume.volume_type).where(
        Volume.vm_id == vm.id, Volume.removed.is_(None), Volume.device_id.is_not(None)))
    return {int(device): str(kind) for device, kind in rows if device is not None}


def _device_for(used: dict[int, str], wanted: int | None, limit: int) -> int:
    """The device id a new data disk gets: `wanted` if free and valid, else the lowest
    free one of 1, 2, 4, 5, ... (1..limit+1 hold `limit` disks besides the CD-ROM)."""
    highest = limit + 1
    if wanted is not None:
        if wanted == 0:
            raise ParamError("deviceid can't be 0, which is used by the root device")
        if wanted == CDROM_DEVICE_ID:
            raise ParamError(f"deviceid can't be {CDROM_DEVICE_ID}, which is used by the "
                             "CD-ROM device")
        if not 0 < wanted <= highest:
            raise ParamError(f"deviceid should be 1, 2 or 4-{highest}")
        if wanted in used:
            raise ParamError(f"deviceid {wanted} is already in use")
        return wanted
    for device in range(1, highest + 1):
        if device != CDROM_DEVICE_ID and device not in used:
            return device
    raise ParamError(f"No free device id left (1-{highest})")


def _check_attachable(ctx: CallContext, volume: Volume, vm: VirtualMachine) -> None:
    if volume.volume_type != VolumeType.DATADISK:
        raise ParamError(f"Volume {describe(volume)} is a ROOT volume; only data volumes "
                         "can be attached")
    if volume.vm_id is not None:
        holder = ctx.session.get(VirtualMachine, volume.vm_id)
        raise ParamError(f"Volume {describe(volume)} is already attached to virtual machine "
                         f"{holder.name if holder else volume.vm_id}; please specify a "
                         "volume that is not attached to any VM")
    if volume.state == S.UPLOAD_ERROR:
        raise ParamError(f"Volume {describe(volume)} failed to upload "
                         f"({volume.status_text}); it cannot be attached")
    require(volume, S.ALLOCATED, S.READY, S.UPLOADED, action="attach")
    if vm.state not in (VmState.RUNNING, VmState.STOPPED):
        raise ParamError(f"Please specify a VM that is either running or stopped: "
                         f"{vm.name} ({vm.id}) is {vm.state}")
    if volume.zone_id != vm.zone_id:
        raise ParamError(f"Please specify a VM that is in the same zone as volume "
                         f"{describe(volume)}")
    if volume.account_id != vm.account_id:
        raise ParamError(f"Virtual machine {vm.name} and volume {describe(volume)} belong "
                         "to different accounts; they cannot be attached")
    kind = placement.vm_hypervisor(ctx, vm)
    if not placement.same_hypervisor(volume.hypervisor, kind):
        raise ParamError(f"Volume {describe(volume)} is a {volume.hypervisor} volume; it "
                         f"cannot be attached to virtual machine {vm.name}, which runs on "
                         f"{kind}")


def claim_attach(ctx: CallContext, volume_id: str, vm_id: str,
                 device_id: int | None) -> Volume:
    """attachVolume's synchronous half: check, pick the device id and record the claim
    (the volume names the VM, `attached` still empty) by compare-and-set, so of two
    concurrent attaches of one volume exactly one is accepted."""
    volume = get(ctx, volume_id)
    vm = lifecycle.get(ctx, vm_id)
    _check_attachable(ctx, volume, vm)
    # Attaches to one VM queue on its row (FOR UPDATE on MariaDB, SQLite's write lock), so
    # two disks never get the same device id.
    ctx.session.execute(select(VirtualMachine.id).where(VirtualMachine.id == vm.id)
                        .with_for_update())
    used = _used_devices(ctx, vm)
    limit = max_data_volumes(placement.vm_hypervisor(ctx, vm))
    data = sum(1 for kind in used.values() if kind == VolumeType.DATADISK)
    if data >= limit:
        raise ParamError(f"The specified VM already has the maximum number of data disks "
                         f"({limit}) attached. Please specify another VM.")
    device = _device_for(used, device_id, limit)
    try:
        change(ctx.session, volume, vm_id=vm.id, device_id=device, attached=None)
    except ConcurrentVolumeChange:
        _check_attachable(ctx, volume, vm)  # names the winner when it was another attach
        raise
    return volume


def _check_vm_idle(vm: VirtualMachine, action: str) -> None:
    if vm.state in (VmState.STARTING, VmState.STOPPING, VmState.MIGRATING,
                    VmState.EXPUNGING):
        raise ParamError(f"Unable to {action} a volume of virtual machine {vm.name} "
                         f"({vm.id}) while it is {vm.state}")


def check_detach(ctx: CallContext, volume_id: str | None, vm_id: str | None,
                 device_id: int | None) -> Volume:
    """detachVolume's checks: by volume id, or by VM id and device id."""
    if volume_id is not None:
        volume = get(ctx, volume_id)
    elif vm_id is not None and device_id is not None:
        vm = lifecycle.get(ctx, vm_id)
        found = ctx.session.scalar(select(Volume).where(
            Volume.vm_id == vm.id, Volume.device_id == device_id, Volume.removed.is_(None)))
        if found is None:
            raise ParamError(f"Unable to find a volume with device id {device_id} on "
                             f"virtual machine {vm.name}")
        volume = found
    else:
        raise ParamError("Please provide either a volume id, or a tuple (device id, "
                         "instance id)")
    if volume.volume_type != VolumeType.DATADISK:
        raise ParamError(f"Volume {describe(volume)} is a ROOT volume: please specify a "
                         "data volume")
    if volume.vm_id is None:
        raise ParamError(f"Volume {describe(volume)} is not attached to any VM")
    if volume.attached is None:
        raise ParamError(f"Volume {describe(volume)} is still being attached; try again "
                         "when it is")
    holder = ctx.session.get(VirtualMachine, volume.vm_id)
    if holder is not None:
        _check_vm_idle(holder, "detach")
    return volume


# -- resize ---------------------------------------------------------------------------

def resize_target(ctx: CallContext, volume: Volume, disk_offering_id: str | None,
                  size_gb: int | None, shrink_ok: bool) -> tuple[int, str | None]:
    """(new size in bytes, new disk offering id) resizeVolume asks for (431 when wrong)."""
    offering_id = volume.disk_offering_id
    if disk_offering_id is not None:
        offering, size = deploy.disk_offering_for(ctx, disk_offering_id, size_gb)
        current = (ctx.session.get(DiskOffering, volume.disk_offering_id)
                   if volume.disk_offering_id else None)
        if current is not None and (offering.storage_type != current.storage_type):
            raise ParamError("The new disk offering must have the same storage type as the "
                             f"current one ({current.storage_type})")
        offering_id = offering.id
    elif size_gb is not None:
        current = (ctx.session.get(DiskOffering, volume.disk_offering_id)
                   if volume.disk_offering_id else None)
        if current is not None and not current.is_customized:
            raise ParamError(f"Disk offering {current.name} has a fixed size: choose a "
                             "customized disk offering (diskofferingid) to resize volume "
                             f"{describe(volume)}")
        if size_gb <= 0:
            raise ParamError(f"Invalid size {size_gb} GB")
        maximum = int(configuration.get(ctx.session, "max.volume.size.gb"))
        if size_gb > maximum:
            raise ParamError(f"Volume size {size_gb} GB exceeds max.volume.size.gb {maximum}")
        size = size_gb * GIB
    else:
        raise ParamError("Either size or diskofferingid is required to resize a volume")
    if size < volume.size and not shrink_ok:
        raise ParamError(f"Going from {volume.size} to {size} bytes would shrink volume "
                         f"{describe(volume)}; pass shrinkok=true to allow it")
    return size, offering_id


def check_resizable(ctx: CallContext, volume: Volume) -> None:
    require(volume, S.ALLOCATED, S.READY, action="resize")
    if volume.vm_id is not None and volume.attached is None:
        raise ParamError(f"Volume {describe(volume)} is being attached; try again when "
                         "it is")
    holder = ctx.session.get(VirtualMachine, volume.vm_id) if volume.vm_id else None
    if holder is not None:
        _check_vm_idle(holder, "resize")

