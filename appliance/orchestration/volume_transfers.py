"""The job halves of uploadVolume and extractVolume: moving a volume's bytes between an
HTTP server, secondary storage and primary storage.

No transaction is open while bytes move: the upload's progress is written in short
transactions of its own (as template downloads do), its outcome in the job's.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import update

from appliance.errors import ResourceUnavailable
from appliance.models import Host, ImageStore, StoragePool, VirtualMachine, Volume, VolumeState
from appliance.orchestration.vm import host_access
from appliance.orchestration.volumes import driver_of, volume_ref, worker_for
from appliance.services import configuration
from appliance.services.context import CallContext
from appliance.services.storage import secondary
from appliance.services.storage.volume_states import change, describe, transition
from appliance.services.storage.volume_transfers import check_extract_ready
from appliance.services.templates import download

S = VolumeState
GIB = 1024**3


def _progress(ctx: CallContext, volume_id: str) -> Callable[[int], None]:
    def report(pct: int) -> None:
        with ctx.database.session(write=True) as session:
            session.execute(update(Volume).where(
                Volume.id == volume_id, Volume.state == S.UPLOAD_OP).values(progress=pct))
    return report


def upload(ctx: CallContext, volume: Volume) -> Volume:
    """Fetch the volume's URL into its copy on secondary storage: Uploaded with its size,
    or UploadError with the reason (and the job fails with it)."""
    if volume.state != S.UPLOAD_OP:
        return volume  # resumed after it finished
    store = ctx.session.get(ImageStore, volume.store_id) if volume.store_id else None
    if store is None or volume.store_path is None:
        raise ResourceUnavailable(f"Volume {describe(volume)} has no place on secondary "
                                  "storage to upload to")
    dest = secondary.prepare(secondary.require_available(store), volume.store_path)
    url, checksum = volume.url or "", volume.checksum
    # Uploads share the limit of every image the management server downloads.
    max_bytes = int(configuration.get(ctx.session, "max.template.iso.size")) * GIB
    ctx.checkpoint()
    ctx.log.info("uploading volume %s from %s", volume.id, url)
    try:
        fetched = download.fetch(url, dest, max_bytes=max_bytes,
                                 checksum=download.parse_checksum(checksum),
                                 progress=_progress(ctx, volume.id))
    except (download.DownloadFailed, ValueError) as failure:
        ctx.session.refresh(volume)
        transition(ctx.session, volume, S.UPLOAD_ERROR, status_text=str(failure), progress=0)
        ctx.checkpoint()
        raise ResourceUnavailable(f"Failed to upload volume {describe(volume)}: "
                                  f"{failure}") from None
    ctx.session.refresh(volume)
    transition(ctx.session, volume, S.UPLOADED, size=fetched.virtual_size, progress=100,
               status_text=None)
    ctx.checkpoint()
    return volume


def export(ctx: CallContext, volume: Volume) -> Volume:
    """Put a copy of the volume on the zone's secondary storage for its extract link (an
    uploaded volume already has one)."""
    check_extract_ready(ctx, volume)
    if volume.state == S.UPLOADED:
        return volume
    store = secondary.zone_store(ctx, volume.zone_id)
    relative = secondary.volume_path(volume)
    dest = secondary.prepare(store, relative)
    pool = ctx.session.get(StoragePool, volume.pool_id) if volume.pool_id else None
    if pool is None:
        raise ResourceUnavailable(f"The storage pool of volume {describe(volume)} is gone")
    vm = ctx.session.get(VirtualMachine, volume.vm_id) if volume.vm_id else None
    last = ctx.session.get(Host, vm.last_host_id) if vm and vm.last_host_id else None
    host = worker_for(ctx, pool, last, volume.hypervisor)
    if host is None:
        raise ResourceUnavailable(f"No Up host reaches storage pool {pool.name} to copy "
                                  f"volume {describe(volume)} from")
    access, ref = host_access(ctx, host), volume_ref(volume)
    ctx.checkpoint()
    ctx.log.info("exporting volume %s to secondary storage %s", volume.id, store.name)
    driver_of(ctx, host).export_volume(access, ref, dest)
    change(ctx.session, volume, store_id=store.id, store_path=relative)
    ctx.checkpoint()
    return volume
