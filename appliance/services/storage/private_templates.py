"""createTemplate's checks and rows (seed §7.8.2, §7.9.4): a private template made from a
snapshot, or from the root volume of a stopped VM, into the zone's secondary storage.

The template belongs to the caller, counts against its TEMPLATE limit, and is listed (not
ready) from the moment it is accepted; the job (appliance/orchestration/private_templates.py)
writes the file and makes the zone copy ready.
"""

from __future__ import annotations

from dataclasses import dataclass

from appliance.errors import ParamError, PermissionDenied
from appliance.models import (
    DownloadStatus,
    OsType,
    SnapshotState,
    Template,
    TemplateZone,
    VmState,
    VolumeType,
)
from appliance.services import limits
from appliance.services.context import CallContext
from appliance.services.limits import ResourceType
from appliance.services.storage import secondary, snapshots


@dataclass(frozen=True)
class TemplateRequest:
    name: str
    display_text: str
    os_type_id: str
    snapshot_id: str | None = None
    volume_id: str | None = None
    is_public: bool = False
    is_featured: bool = False
    is_extractable: bool = False
    password_enabled: bool = False
    requires_hvm: bool = True


def install_path(template: Template) -> str:
    """Where the template's file goes in the store, laid out like registered templates."""
    return f"template/tmpl/{template.account_id}/{template.id}/{template.id}.qcow2"


def create(ctx: CallContext, request: TemplateRequest) -> TemplateZone:
    """Record the template and its zone copy (not ready yet) for the job to fill.

    431: neither or both of snapshotid/volumeid, a snapshot not backed up, a volume that
    is not the root volume of a stopped VM, an unknown OS type; 531: another tenant's
    snapshot or volume, featured by a non-admin; 534: secondary storage unavailable; 532:
    the caller's template limit.
    """
    if (request.snapshot_id is None) == (request.volume_id is None):
        raise ParamError("Specify exactly one of snapshotid and volumeid")
    name = request.name.strip()
    if not name:
        raise ParamError("Parameter name must not be empty")
    if request.is_featured and not ctx.caller.is_admin:
        raise PermissionDenied("Only administrators can make templates featured")
    if ctx.session.get(OsType, request.os_type_id) is None:
        raise ParamError(f"Unable to find OS type by id {request.os_type_id}")
    if request.snapshot_id is not None:
        snapshot = snapshots.get(ctx, request.snapshot_id)
        if snapshot.state != SnapshotState.BACKED_UP:
            raise ParamError(f"Snapshot {snapshot.name} ({snapshot.id}) is {snapshot.state}: "
                             "a template can be made once it is BackedUp")
        zone_id, hypervisor, size = snapshot.zone_id, snapshot.hypervisor, snapshot.size
    else:
        assert request.volume_id is not None
        volume = snapshots.volume(ctx, request.volume_id)
        if volume.volume_type != VolumeType.ROOT:
            raise ParamError(f"Volume {volume.name} is a data disk: templates are made from "
                             "root volumes (or from snapshots)")
        snapshots.require_created(volume)
        vm = snapshots.attached_vm(ctx, volume)
        if vm is None or vm.state != VmState.STOPPED:
            state = vm.state if vm is not None else "not attached"
            raise ParamError(f"VM {vm.name if vm else ''} of volume {volume.name} is {state}: "
                             "stop it before making a template of its root volume")
        zone_id, hypervisor, size = volume.zone_id, volume.hypervisor, volume.size
    store = secondary.zone_store(ctx, zone_id)
    owner = ctx.caller.account
    limits.reserve(ctx.session, owner, ResourceType.TEMPLATE)
    template = Template(
        name=name, display_text=request.display_text.strip() or name, is_iso=False,
        format="QCOW2", hypervisor=hypervisor, os_type_id=request.os_type_id,
        account_id=owner.id, domain_id=owner.domain_id, template_type="USER",
        is_public=request.is_public or request.is_featured, is_featured=request.is_featured,
        is_extractable=request.is_extractable, password_enabled=request.password_enabled,
        requires_hvm=request.requires_hvm, bootable=True,
        source_snapshot_id=request.snapshot_id, source_volume_id=request.volume_id)
    ctx.session.add(template)
    ctx.session.flush()
    copy = TemplateZone(template_id=template.id, zone_id=zone_id, image_store_id=store.id,
                        status=DownloadStatus.NOT_DOWNLOADED, download_pct=0,
                        install_path=install_path(template), size=size)
    ctx.session.add(copy)
    ctx.session.flush()
    ctx.log.info("template %s (%s) accepted from %s", template.name, template.id,
                 f"snapshot {request.snapshot_id}" if request.snapshot_id
                 else f"volume {request.volume_id}")
    return copy
