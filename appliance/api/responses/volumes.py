"""Wire shape of volumes, and of an extracted volume's download link."""

from __future__ import annotations

from typing import Any

from appliance.api.responses import ResponseSpec, drop_none, wire_date
from appliance.models import (
    Account,
    DiskOffering,
    Domain,
    StoragePool,
    Template,
    VirtualMachine,
    Volume,
    VolumeState,
    VolumeType,
    Zone,
)
from appliance.services import tags
from appliance.services.context import CallContext

S = VolumeState


def _status(volume: Volume) -> str | None:
    """The upload's progress or outcome, as CloudStack shows it in `status`."""
    if volume.state == S.UPLOAD_OP:
        return f"{volume.progress}% Uploaded"
    if volume.state == S.UPLOAD_ERROR:
        return volume.status_text or "Upload Error"
    if volume.url is not None and volume.state == S.UPLOADED:
        return "Upload Complete"
    return None


def render_volume(volume: Volume, ctx: CallContext) -> dict[str, Any]:
    session = ctx.session
    zone = session.get(Zone, volume.zone_id)
    account = session.get(Account, volume.account_id)
    domain = session.get(Domain, volume.domain_id)
    vm = session.get(VirtualMachine, volume.vm_id) if volume.vm_id else None
    offering = (session.get(DiskOffering, volume.disk_offering_id)
                if volume.disk_offering_id else None)
    pool = session.get(StoragePool, volume.pool_id) if volume.pool_id else None
    admin, root = ctx.caller.is_admin, ctx.caller.is_root_admin
    template = session.get(Template, volume.template_id) if volume.template_id else None
    return drop_none({
        "id": volume.id,
        "name": volume.name,
        "zoneid": volume.zone_id,
        "zonename": zone.name if zone else None,
        "type": str(volume.volume_type),
        "deviceid": volume.device_id if vm is not None else None,
        "virtualmachineid": vm.id if vm else None,
        "vmname": vm.name if vm else None,
        "vmdisplayname": (vm.display_name or vm.name) if vm else None,
        "vmstate": str(vm.state) if vm else None,
        "vmtype": vm.vm_type if vm else None,
        "size": volume.size,
        "created": wire_date(volume.created),
        "attached": wire_date(volume.attached) if vm is not None else None,
        "destroyed": volume.state in (S.DESTROY, S.EXPUNGING, S.EXPUNGED),
        "state": str(volume.state),
        "account": account.name if account else None,
        "domainid": volume.domain_id,
        "domain": domain.name if domain else None,
        "storagetype": offering.storage_type if offering else (
            "local" if pool is not None and pool.scope == "HOST" else "shared"),
        "hypervisor": volume.hypervisor,
        "diskofferingid": offering.id if offering else None,
        "diskofferingname": offering.name if offering else None,
        "diskofferingdisplaytext": offering.display_text if offering else None,
        "storage": pool.name if pool is not None and admin else None,
        "storageid": pool.id if pool is not None and root else None,
        "podid": volume.pod_id if root else None,
        "path": volume.path if root else None,
        "templateid": template.id if template else None,
        "templatename": template.name if template else None,
        "snapshotid": volume.snapshot_id,
        # A root disk is as extractable as the template it was made from.
        "isextractable": volume.volume_type == VolumeType.DATADISK or template is None
        or template.is_extractable,
        "status": _status(volume),
        "tags": tags.tags_for(ctx, "Volume", [volume.id])[volume.id],
    })


VOLUME = ResponseSpec("volume", (
    ("id", "ID of the disk volume"), ("name", "name of the disk volume"),
    ("zoneid", "ID of the availability zone"), ("zonename", "name of the availability zone"),
    ("type", "type of the disk volume (ROOT or DATADISK)"),
    ("deviceid", "the ID of the device on user vm the volume is attached to; not returned "
                 "when the volume is detached"),
    ("virtualmachineid", "id of the virtual machine"),
    ("vmname", "name of the virtual machine"),
    ("vmdisplayname", "display name of the virtual machine"),
    ("vmstate", "state of the virtual machine"), ("vmtype", "type of the virtual machine"),
    ("size", "size of the disk volume in bytes"),
    ("created", "the date the disk volume was created"),
    ("attached", "the date the volume was attached to a VM instance"),
    ("destroyed", "whether the volume is destroyed (deleted, not yet expunged)"),
    ("state", "the state of the disk volume"),
    ("account", "the account associated with the disk volume"),
    ("domainid", "the ID of the domain associated with the disk volume"),
    ("domain", "the domain associated with the disk volume"),
    ("storagetype", "shared or local storage"),
    ("hypervisor", "Hypervisor the volume belongs to"),
    ("diskofferingid", "ID of the disk offering"),
    ("diskofferingname", "name of the disk offering"),
    ("diskofferingdisplaytext", "the display text of the disk offering"),
    ("storage", "name of the primary storage hosting the disk volume (admins only)"),
    ("storageid", "id of the primary storage hosting the disk volume (root admins only)"),
    ("podid", "pod id of the volume (root admins only)"),
    ("path", "the path of the volume (root admins only)"),
    ("templateid", "the ID of the template a root volume was made from"),
    ("templatename", "the name of the template a root volume was made from"),
    ("snapshotid", "ID of the snapshot from which this volume was created"),
    ("isextractable", "true if the volume is extractable, false otherwise"),
    ("status", "the status of the volume (an upload's progress or failure)"),
    ("tags", "the list of resource tags associated with the volume"),
), render_volume)


def render_extract(volume: Volume, ctx: CallContext) -> dict[str, Any]:
    zone = ctx.session.get(Zone, volume.zone_id)
    return drop_none({
        "id": volume.id, "name": volume.name, "extractId": volume.id,
        "accountid": volume.account_id, "state": "DOWNLOAD_URL_CREATED",
        "status": "DOWNLOAD_URL_CREATED", "uploadpercentage": 100, "storagetype": "shared",
        "zoneid": volume.zone_id, "zonename": zone.name if zone else None,
        "extractMode": "HTTP_DOWNLOAD", "url": volume.extract_url,
        "created": wire_date(volume.created),
    })


EXTRACTED_VOLUME = ResponseSpec("volume", (
    ("id", "the id of extracted object"), ("name", "the name of the extracted object"),
    ("extractId", "the upload id of extracted object"),
    ("accountid", "the account id to which the extracted object belongs"),
    ("state", "the state of the extracted object"), ("status", "the status of the extraction"),
    ("uploadpercentage", "the percentage of the entity uploaded to the specified location"),
    ("storagetype", "type of the storage"), ("zoneid", "zone ID the object was extracted from"),
    ("zonename", "zone name the object was extracted from"),
    ("extractMode", "the mode of extraction - upload or download"),
    ("url", "the url of the extracted volume, downloadable until it expires"),
    ("created", "the time and date the object was created"),
), render_extract)
