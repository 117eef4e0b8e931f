"""Volume commands (seed §7.5): create, attach, detach, delete, list, resize, extract,
upload."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from appliance.api.extract import public_base_url
from appliance.api.params import BOOLEAN, LIST, LONG, MAP, STRING, UUID, param
from appliance.api.registry import Command, OwnedListCommand, api_command
from appliance.api.responses.volumes import EXTRACTED_VOLUME, VOLUME
from appliance.errors import InternalError
from appliance.jobs import queue
from appliance.models import VirtualMachine, Volume
from appliance.orchestration import volume_transfers as transfers
from appliance.orchestration import volumes as orchestration
from appliance.services.context import CallContext
from appliance.services.paging import Page
from appliance.services.storage import volume_transfers, volumes

INSTANCE = "Volume"


def _job_volume(ctx: CallContext) -> Volume:
    """The volume the running job's accept recorded."""
    volume_id = queue.instance_id(ctx.session, ctx.job_id)
    volume = ctx.session.get(Volume, volume_id) if volume_id else None
    if volume is None:
        raise InternalError(f"volume {volume_id} of this job is gone")
    return volume


@api_command("createVolume", response=VOLUME, is_async=True, event="VOLUME.CREATE",
             instance_type=INSTANCE, idempotent=True, related=("listVolumes",))
@dataclass(frozen=True)
class CreateVolume(Command):
    """Creates a disk volume from a disk offering or a snapshot; its disk is made on its
    first attach, nearest the virtual machine"""

    name: str | None = param(STRING, doc="the name of the disk volume")
    zoneid: str | None = param(UUID, doc="the ID of the availability zone (required with a "
                               "disk offering)")
    diskofferingid: str | None = param(UUID, doc="the ID of the disk offering (with "
                                       "snapshotid: the offering the restored volume "
                                       "gets); diskofferingid or snapshotid is required")
    size: int | None = param(LONG, doc="size of the volume in GB (customized disk offerings)")
    snapshotid: str | None = param(UUID, doc="the snapshot to restore into the volume; "
                                   "diskofferingid or snapshotid is required")
    account: str | None = param(STRING, doc="the account associated with the disk volume; "
                                "must be used with the domainId parameter")
    domainid: str | None = param(UUID, doc="the domain ID associated with the disk volume; "
                                 "must be used with account")
    displayvolume: bool | None = param(BOOLEAN, doc="accepted for compatibility: volumes "
                                       "are always displayed")
    miniops: int | None = param(LONG, doc="accepted for compatibility (no QoS)")
    maxiops: int | None = param(LONG, doc="accepted for compatibility (no QoS)")

    def accept(self, ctx: CallContext) -> str | None:
        return volumes.create(ctx, volumes.VolumeRequest(
            name=self.name, zone_id=self.zoneid, disk_offering_id=self.diskofferingid,
            size_gb=self.size, snapshot_id=self.snapshotid, account=self.account,
            domain_id=self.domainid)).id

    def run(self, ctx: CallContext) -> Volume:
        return _job_volume(ctx)

    def describe(self) -> str:
        return f"creating volume {self.name or ''}".rstrip()


@api_command("attachVolume", response=VOLUME, is_async=True, event="VOLUME.ATTACH",
             instance_type=INSTANCE, idempotent=True)
@dataclass(frozen=True)
class AttachVolume(Command):
    """Attaches a disk volume to a virtual machine (hot plugged when it runs)"""

    id: str = param(UUID, required=True, doc="the ID of the disk volume")
    virtualmachineid: str = param(UUID, required=True, doc="the ID of the virtual machine")
    deviceid: int | None = param(LONG, doc="the device id of the disk: 1, 2 or 4 and up (0 "
                                 "is the root disk, 3 the CD-ROM); the next free one when "
                                 "omitted")

    def accept(self, ctx: CallContext) -> str | None:
        return volumes.claim_attach(ctx, self.id, self.virtualmachineid, self.deviceid).id

    def run(self, ctx: CallContext) -> Volume:
        volume = _job_volume(ctx)
        vm = ctx.session.get(VirtualMachine, self.virtualmachineid)
        if vm is None:
            raise InternalError(f"virtual machine {self.virtualmachineid} is gone")
        return orchestration.attach(ctx, volume, vm)


@api_command("detachVolume", response=VOLUME, is_async=True, event="VOLUME.DETACH",
             instance_type=INSTANCE, idempotent=True)
@dataclass(frozen=True)
class DetachVolume(Command):
    """Detaches a disk volume from a virtual machine"""

    id: str | None = param(UUID, doc="the ID of the disk volume")
    virtualmachineid: str | None = param(UUID, doc="the ID of the virtual machine the "
                                         "volume is attached to (with deviceid)")
    deviceid: int | None = param(LONG, doc="the device id of the volume on that virtual "
                                 "machine (with virtualmachineid)")

    def accept(self, ctx: CallContext) -> str | None:
        return volumes.check_detach(ctx, self.id, self.virtualmachineid, self.deviceid).id

    def run(self, ctx: CallContext) -> Volume:
        return orchestration.detach(ctx, _job_volume(ctx))


@api_command("deleteVolume", event="VOLUME.DELETE")
@dataclass(frozen=True)
class DeleteVolume(Command):
    """Deletes a detached disk volume; it is removed after expunge.delay, its snapshots
    stay"""

    id: str = param(UUID, required=True, doc="the ID of the disk volume")

    def run(self, ctx: CallContext) -> None:
        volumes.delete(ctx, volumes.get(ctx, self.id))


@api_command("listVolumes", response=VOLUME)
@dataclass(frozen=True)
class ListVolumes(OwnedListCommand):
    """Lists the volumes the caller may see, root volumes included"""

    id: str | None = param(UUID, doc="the ID of the disk volume")
    ids: list[str] | None = param(LIST, item_type=UUID, doc="the IDs of the volumes")
    name: str | None = param(STRING, doc="the name of the disk volume")
    virtualmachineid: str | None = param(UUID, doc="the ID of the virtual machine")
    type: str | None = param(STRING, doc="the type of disk volume: ROOT or DATADISK")
    zoneid: str | None = param(UUID, doc="the ID of the availability zone")
    podid: str | None = param(UUID, doc="the pod id the disk volume belongs to (root admins)")
    hostid: str | None = param(UUID, doc="list volumes of the VMs on this host (root admins)")
    storageid: str | None = param(UUID, doc="the ID of the storage pool (root admins)")
    diskofferingid: str | None = param(UUID, doc="list volumes of this disk offering")
    state: str | None = param(STRING, doc="state of the volume (deleted ones, Destroy, are "
                              "only listed when asked by state or id)")
    tags: Any = param(MAP, doc="List resources by tags (key/value pairs)")
    displayvolume: bool | None = param(BOOLEAN, doc="accepted for compatibility: every "
                                       "volume is displayed")

    def run(self, ctx: CallContext) -> Page[Volume]:
        return volumes.list_volumes(ctx, volumes.VolumeFilter(
            id=self.id, ids=tuple(self.ids or ()), name=self.name,
            vm_id=self.virtualmachineid, type=self.type, zone_id=self.zoneid,
            pod_id=self.podid, host_id=self.hostid, storage_id=self.storageid,
            disk_offering_id=self.diskofferingid, state=self.state, keyword=self.keyword,
            tags=tuple(self.tags or ())), owner=self.owner_filter(), page=self.page,
            pagesize=self.pagesize)


@api_command("resizeVolume", response=VOLUME, is_async=True, event="VOLUME.RESIZE",
             instance_type=INSTANCE, idempotent=True, since="4.2.0")
@dataclass(frozen=True)
class ResizeVolume(Command):
    """Resizes a volume where its hypervisor allows it: grows it, or shrinks it when
    asked"""

    id: str = param(UUID, required=True, doc="the ID of the disk volume")
    size: int | None = param(LONG, doc="the new size in GB (customized disk offerings)")
    diskofferingid: str | None = param(UUID, doc="the new disk offering")
    shrinkok: bool | None = param(BOOLEAN, doc="allow a smaller size (data beyond it is "
                                  "lost); false by default")
    miniops: int | None = param(LONG, doc="accepted for compatibility (no QoS)")
    maxiops: int | None = param(LONG, doc="accepted for compatibility (no QoS)")

    def _target(self, ctx: CallContext, volume: Volume) -> tuple[int, str | None]:
        return volumes.resize_target(ctx, volume, self.diskofferingid, self.size,
                                     bool(self.shrinkok))

    def accept(self, ctx: CallContext) -> str | None:
        volume = volumes.get(ctx, self.id)
        volumes.check_resizable(ctx, volume)
        self._target(ctx, volume)
        return volume.id

    def run(self, ctx: CallContext) -> Volume:
        volume = volumes.get(ctx, self.id)
        size, offering_id = self._target(ctx, volume)
        return orchestration.resize(ctx, volume, size, offering_id)


@api_command("extractVolume", response=EXTRACTED_VOLUME, is_async=True,
             event="VOLUME.EXTRACT", instance_type=INSTANCE, idempotent=True)
@dataclass(frozen=True)
class ExtractVolume(Command):
    """Extracts a volume: answers a URL its content (qcow2) can be downloaded from until it
    expires"""

    id: str = param(UUID, required=True, doc="the ID of the volume")
    zoneid: str = param(UUID, required=True, doc="the ID of the zone where the volume is")
    mode: str = param(STRING, required=True, doc="the mode of extraction: HTTP_DOWNLOAD")
    url: str | None = param(STRING, length=2048, doc="FTP_UPLOAD target (not supported)")

    def accept(self, ctx: CallContext) -> str | None:
        return volume_transfers.prepare_extract(ctx, self.id, self.zoneid, self.mode,
                                                base_url=public_base_url()).id

    def run(self, ctx: CallContext) -> Volume:
        return transfers.export(ctx, volumes.get(ctx, self.id))


@api_command("uploadVolume", response=VOLUME, is_async=True, event="VOLUME.UPLOAD",
             instance_type=INSTANCE, idempotent=True)
@dataclass(frozen=True)
class UploadVolume(Command):
    """Uploads a data disk from an HTTP(S) URL into the zone's secondary storage; it goes
    to primary storage on its first attach"""

    name: str = param(STRING, required=True, doc="the name of the volume")
    url: str = param(STRING, required=True, length=2048, doc="the URL of where the volume "
                     "is hosted (http or https)")
    zoneid: str = param(UUID, required=True, doc="the ID of the zone the volume is to be "
                        "hosted on")
    format: str = param(STRING, required=True, doc="the format of the volume: QCOW2, RAW, "
                        "VHD or VHDX")
    checksum: str | None = param(STRING, doc="the checksum of the volume ({md5}, {sha1}, "
                                 "{sha256} or {sha512} prefix, or bare hex)")
    diskofferingid: str | None = param(UUID, doc="a customized disk offering (its storage "
                                       "tags place the volume)")
    account: str | None = param(STRING, doc="an optional account; must be used with "
                                "domainid")
    domainid: str | None = param(UUID, doc="an optional domain ID; must be used with account")
    imagestoreuuid: str | None = param(STRING, doc="accepted for compatibility: the zone's "
                                       "image store is used")

    def accept(self, ctx: CallContext) -> str | None:
        return volume_transfers.create_upload(ctx, volume_transfers.UploadRequest(
            name=self.name, url=self.url, zone_id=self.zoneid, format=self.format,
            checksum=self.checksum, disk_offering_id=self.diskofferingid,
            account=self.account, domain_id=self.domainid)).id

    def run(self, ctx: CallContext) -> Volume:
        return transfers.upload(ctx, _job_volume(ctx))
