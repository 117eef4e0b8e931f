"""The job of createTemplate: the template's file written on secondary storage from a
snapshot (flattened) or from a stopped VM's root volume (exported by a host of its pool),
then the zone copy made ready. A failure removes the file and the template, and gives the
owner's template limit back."""

from __future__ import annotations

import contextlib
import os

from appliance.drivers.hypervisor.base import DriverError
from appliance.errors import CloudError, ParamError
from appliance.models import (
    Account,
    DownloadStatus,
    ImageStore,
    Snapshot,
    TemplateZone,
    VirtualMachine,
    VmState,
    Volume,
)
from appliance.models.base import utcnow
from appliance.orchestration import snapshots
from appliance.services import limits
from appliance.services.context import CallContext
from appliance.services.limits import ResourceType
from appliance.services.storage import images, secondary


def create(ctx: CallContext, copy: TemplateZone) -> TemplateZone:
    """Fill the template's zone copy; resumable (an interrupted job writes it again)."""
    if copy.ready:
        return copy
    if copy.removed is not None:
        raise ParamError(f"Template {copy.template_id} was deleted while it was being made")
    try:
        _write(ctx, copy)
    except (CloudError, OSError) as failure:
        error = failure if isinstance(failure, CloudError) else DriverError(
            f"Template {copy.template_id} could not be written to secondary storage: "
            f"{failure}")
        _failed(ctx, copy.id, error)
        raise error from None
    return copy


def _write(ctx: CallContext, copy: TemplateZone) -> None:
    session = ctx.session
    template = copy.template
    store = session.get(ImageStore, copy.image_store_id) if copy.image_store_id else None
    if store is None or copy.install_path is None:
        raise ParamError(f"Template {template.id} has no place on secondary storage")
    secondary.require_available(store)
    dest = secondary.prepare(store, copy.install_path)
    copy.status, copy.download_pct, copy.error = DownloadStatus.DOWNLOAD_IN_PROGRESS, 0, None
    ctx.checkpoint()
    if template.source_snapshot_id is not None:
        snapshot = session.get(Snapshot, template.source_snapshot_id)
        if snapshot is None:
            raise ParamError(f"Snapshot {template.source_snapshot_id} is gone")
        snapshots.flatten_to(ctx, snapshot, dest)
    else:
        volume = session.get(Volume, template.source_volume_id)
        if volume is None or volume.removed is not None:
            raise ParamError(f"Volume {template.source_volume_id} is gone")
        vm = session.get(VirtualMachine, volume.vm_id) if volume.vm_id else None
        if vm is not None and vm.state != VmState.STOPPED:
            raise ParamError(f"VM {vm.name} was started while its root volume was to be "
                             "copied into a template: stop it and try again")
        partial = f"{dest}.part"
        try:
            snapshots.export_volume(ctx, volume, partial)
            os.replace(partial, dest)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(partial)
    secondary.require_available(store)  # it may have gone while the file was written
    written = images.info(dest)
    copy.size, copy.physical_size = written.virtual_size, os.path.getsize(dest)
    copy.status, copy.download_pct, copy.updated = DownloadStatus.DOWNLOADED, 100, utcnow()
    ctx.checkpoint()
    ctx.log.info("template %s ready in zone %s (%d bytes)", template.id, copy.zone_id,
                 copy.physical_size)


def _failed(ctx: CallContext, copy_id: str, error: CloudError) -> None:
    ctx.session.rollback()
    copy = ctx.session.get(TemplateZone, copy_id)
    if copy is None or copy.removed is not None:
        return
    store = ctx.session.get(ImageStore, copy.image_store_id) if copy.image_store_id else None
    if store is not None and store.local_path and copy.install_path:
        dest = secondary.absolute(store, copy.install_path)
        for path in (dest, f"{dest}.part"):
            with contextlib.suppress(OSError):
                os.unlink(path)
    now = utcnow()
    copy.status, copy.error, copy.removed = DownloadStatus.DOWNLOAD_ERROR, error.text, now
    template = copy.template
    if template.removed is None:
        template.removed = now
        owner = ctx.session.get(Account, template.account_id)
        if owner is not None:
            limits.release(ctx.session, owner, ResourceType.TEMPLATE)
    ctx.checkpoint()
    ctx.log.warning("template %s failed: %s", template.id, error.text)
