"""The job halves of downloads and copies: long transfers with progress others can see.

The job's own transaction is committed before the transfer starts (no lock is held while
bytes move); progress is written every few percent in short transactions of its own, and
the final state in the job's transaction. Running a job again restarts the transfer into
a fresh `.part` file, so a takeover after a crash resumes cleanly.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import update

from appliance.errors import ResourceUnavailable
from appliance.models import DownloadStatus, Template, TemplateZone, Zone
from appliance.models.base import utcnow
from appliance.services import configuration, events
from appliance.services.context import CallContext
from appliance.services.templates import download
from appliance.services.templates.registry import available_store, install_path, kind

GIB = 1024**3


def _progress(ctx: CallContext, copy_id: str) -> Callable[[int], None]:
    def report(pct: int) -> None:
        with ctx.database.session(write=True) as session:
            session.execute(update(TemplateZone).where(
                TemplateZone.id == copy_id,
                TemplateZone.status == DownloadStatus.DOWNLOAD_IN_PROGRESS,
            ).values(download_pct=pct, updated=utcnow()))
    return report


def _event(ctx: CallContext, template: Template, outcome: str, text: str) -> None:
    level = events.Level.ERROR if outcome.endswith("FAILED") else events.Level.INFO
    events.record(ctx.session, type=f"TEMPLATE.{outcome}", description=text,
                  user=ctx.caller.user, account=ctx.caller.account, level=level,
                  job_id=ctx.job_id)


def _start(ctx: CallContext, copy_id: str) -> tuple[TemplateZone, Template] | None:
    copy = ctx.session.get(TemplateZone, copy_id)
    if copy is None or copy.removed is not None or copy.status == DownloadStatus.DOWNLOADED:
        return None  # deleted meanwhile, or a retry of a finished job
    template = copy.template
    copy.status, copy.download_pct, copy.error = DownloadStatus.DOWNLOAD_IN_PROGRESS, 0, None
    copy.updated = utcnow()
    return copy, template


def _finish(ctx: CallContext, copy: TemplateZone, template: Template, dest: str,
            result: download.Fetched | None, error: str | None, what: str) -> None:
    ctx.session.refresh(copy)
    zone = ctx.session.get(Zone, copy.zone_id)
    zone_name = zone.name if zone else copy.zone_id
    if copy.removed is not None:
        download.remove_image(dest)  # deleted while it was being transferred
        return
    copy.updated = utcnow()
    if error is not None or result is None:
        copy.status, copy.error, copy.download_pct = DownloadStatus.DOWNLOAD_ERROR, error, 0
        _event(ctx, template, "DOWNLOAD.FAILED",
               f"Failed to {what} {kind(template)} {template.name} to zone {zone_name}: {error}")
        ctx.checkpoint()
        raise ResourceUnavailable(f"Failed to {what} {kind(template)} {template.name}: {error}")
    copy.status, copy.download_pct, copy.error = DownloadStatus.DOWNLOADED, 100, None
    copy.size, copy.physical_size = result.virtual_size, result.physical_size
    _event(ctx, template, "DOWNLOAD.SUCCESS",
           f"{kind(template).capitalize()} {template.name} is ready in zone {zone_name}")


def run_download(ctx: CallContext, copy_id: str) -> None:
    """Fetch the template's URL into its zone copy: the body of downloadTemplateToZone."""
    started = _start(ctx, copy_id)
    if started is None:
        return
    copy, template = started
    dest = install_path(ctx, copy)
    url, checksum_text = template.url or "", template.checksum
    max_bytes = int(configuration.get(ctx.session, "max.template.iso.size")) * GIB
    error = _outage(ctx, copy)
    ctx.checkpoint()
    result = None
    if error is None:
        ctx.log.info("downloading %s to %s", url, dest)
        try:
            result = download.fetch(url, dest, max_bytes=max_bytes,
                                    checksum=download.parse_checksum(checksum_text),
                                    progress=_progress(ctx, copy_id))
        except (download.DownloadFailed, ValueError) as exc:
            error = str(exc)
    _finish(ctx, copy, template, dest, result, error, "download")


def _outage(ctx: CallContext, *copies: TemplateZone) -> str | None:
    """Why a transfer touching `copies` cannot run now (a store is out), else None. The
    transfer is then recorded as failed rather than written into an unmounted directory."""
    try:
        for copy in copies:
            available_store(ctx, copy)
    except ResourceUnavailable as out:
        return out.text
    return None


def run_copy(ctx: CallContext, source_copy_id: str, dest_copy_id: str) -> TemplateZone:
    """Copy a ready zone copy's file into another zone's image store (copyTemplate)."""
    source = ctx.session.get(TemplateZone, source_copy_id)
    dest_copy = ctx.session.get(TemplateZone, dest_copy_id)
    if source is None or dest_copy is None:
        raise ResourceUnavailable("The template copy to copy from or to no longer exists")
    if dest_copy.status == DownloadStatus.DOWNLOADED and dest_copy.removed is None:
        return dest_copy
    source_path = install_path(ctx, source)
    started = _start(ctx, dest_copy_id)
    if started is None:
        raise ResourceUnavailable("The destination copy was deleted")
    copy, template = started
    dest = install_path(ctx, copy)
    error = _outage(ctx, source, copy)
    ctx.checkpoint()
    result = None
    if error is None:
        try:
            result = download.copy_file(source_path, dest,
                                        progress=_progress(ctx, dest_copy_id))
        except (download.DownloadFailed, OSError) as exc:
            error = str(exc)
    _finish(ctx, copy, template, dest, result, error, "copy")
    return copy
