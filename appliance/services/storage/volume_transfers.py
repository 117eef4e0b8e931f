"""uploadVolume and extractVolume's synchronous halves (seed §7.5): the checks and rows
recorded before their job runs, and the file behind an extract link.

An uploaded volume is fetched over HTTP into the zone's secondary storage (UploadOp, then
Uploaded or UploadError with the reason) and imported into primary storage on its first
attach. An extracted volume gets a copy on secondary storage and an expiring link served
by the appliance (/client/extract/<token>), the mechanism extractTemplate uses.
"""

from __future__ import annotations

import os
import secrets
import urllib.parse
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from appliance.errors import ParamError, ResourceUnavailable
from appliance.models import (
    DiskOffering,
    ImageStore,
    Template,
    VirtualMachine,
    VmState,
    Volume,
    VolumeState,
    VolumeType,
)
from appliance.models.base import new_uuid, utcnow
from appliance.services import limits, tenancy
from appliance.services.context import CallContext
from appliance.services.limits import ResourceType
from appliance.services.storage import secondary
from appliance.services.storage.volume_states import change, describe, require
from appliance.services.storage.volumes import get
from appliance.services.templates import download
from appliance.services.templates.registry import EXTRACT_LIFETIME
from appliance.services.vms import deploy

S = VolumeState
UPLOAD_FORMATS = ("QCOW2", "RAW", "VHD", "VHDX")
EXTRACT_MODE = "HTTP_DOWNLOAD"


@dataclass(frozen=True)
class UploadRequest:
    name: str
    url: str
    zone_id: str
    format: str
    checksum: str | None = None
    disk_offering_id: str | None = None
    account: str | None = None
    domain_id: str | None = None


def create_upload(ctx: CallContext, request: UploadRequest) -> Volume:
    """Check an upload and record its volume (UploadOp, on the zone's secondary storage)."""
    owner = tenancy.requested_owner(ctx, request.account, request.domain_id)
    zone = deploy.zone_for(ctx, request.zone_id, owner)
    fmt = request.format.strip().upper()
    if fmt not in UPLOAD_FORMATS:
        raise ParamError(f"Invalid format {request.format!r}: one of "
                         f"{', '.join(UPLOAD_FORMATS)}")
    scheme = urllib.parse.urlparse(request.url.strip()).scheme.lower()
    if scheme not in ("http", "https"):
        raise ParamError(f"Unsupported URL {request.url!r}: use http or https")
    try:
        download.parse_checksum(request.checksum)
    except ValueError as error:
        raise ParamError(str(error)) from None
    offering_id = None
    if request.disk_offering_id is not None:
        offering = ctx.session.get(DiskOffering, request.disk_offering_id)
        if offering is None or offering.removed is not None:
            raise ParamError(f"Unable to find disk offering by id {request.disk_offering_id}")
        tenancy.check_catalog_use(ctx, offering.domain_id,
                                  what=f"disk offering {offering.id}")
        if not offering.is_customized:
            raise ParamError(f"Disk offering {offering.name} must be a customized one: an "
                             "uploaded volume's size is only known once it is downloaded")
        offering_id = offering.id
    store = secondary.zone_store(ctx, zone.id)
    limits.reserve(ctx.session, owner, ResourceType.VOLUME)
    volume = Volume(id=new_uuid(), name=request.name.strip(), account_id=owner.id,
                    domain_id=owner.domain_id, zone_id=zone.id,
                    volume_type=VolumeType.DATADISK, disk_offering_id=offering_id, size=0,
                    state=S.UPLOAD_OP, url=request.url.strip(), checksum=request.checksum,
                    format=fmt, store_id=store.id, progress=0)
    volume.store_path = secondary.volume_path(volume)
    ctx.session.add(volume)
    ctx.session.flush()
    return volume


def _check_extractable(ctx: CallContext, volume: Volume) -> None:
    if volume.vm_id is not None:
        vm = ctx.session.get(VirtualMachine, volume.vm_id)
        if vm is not None and vm.state != VmState.STOPPED:
            raise ParamError(f"Invalid state of volume {describe(volume)}: it should be "
                             "either detached or its VM should be stopped")
    if volume.volume_type == VolumeType.ROOT and not ctx.caller.is_root_admin:
        template = ctx.session.get(Template, volume.template_id) if volume.template_id \
            else None
        if template is not None and not template.is_extractable:
            raise ParamError(f"Volume {describe(volume)} is not allowed to be extracted: "
                             f"its template {template.name} is not extractable")
    if volume.state == S.UPLOADED:
        return
    require(volume, S.READY, action="extract")
    if volume.pool_id is None:
        raise ParamError(f"Volume {describe(volume)} does not belong to a storage pool yet; "
                         "it cannot be extracted")


def prepare_extract(ctx: CallContext, volume_id: str, zone_id: str, mode: str, *,
                    base_url: str) -> Volume:
    """extractVolume's checks and its link (a random token valid EXTRACT_LIFETIME); the
    job then puts the copy on secondary storage."""
    if mode.strip().upper() != EXTRACT_MODE:
        raise ParamError(f"Unsupported extraction mode {mode!r}: only {EXTRACT_MODE}")
    volume = get(ctx, volume_id)
    if volume.zone_id != zone_id:
        raise ParamError(f"Volume {describe(volume)} is not in zone {zone_id}")
    _check_extractable(ctx, volume)
    secondary.zone_store(ctx, volume.zone_id)  # 534 now rather than in the job
    token = volume.extract_token
    if token is None or volume.extract_expires is None or volume.extract_expires < utcnow():
        token = secrets.token_urlsafe(32)
    change(ctx.session, volume, extract_token=token,
           extract_url=f"{base_url.rstrip('/')}/client/extract/{token}",
           extract_expires=utcnow() + EXTRACT_LIFETIME)
    return volume


def check_extract_ready(ctx: CallContext, volume: Volume) -> None:
    """The job's recheck: the link still stands and the volume can still be read."""
    if volume.extract_url is None or volume.extract_expires is None \
            or volume.extract_expires < utcnow():
        raise ResourceUnavailable(f"The download link of volume {describe(volume)} expired")
    _check_extractable(ctx, volume)


def extracted_file(session: Any, token: str) -> tuple[str, str] | None:
    """(path, download name) behind a volume's extract token that has not expired."""
    volume = session.scalar(select(Volume).where(Volume.extract_token == token))
    if volume is None or volume.removed is not None or volume.store_path is None:
        return None
    if volume.extract_expires is None or volume.extract_expires < utcnow():
        return None
    store = session.get(ImageStore, volume.store_id) if volume.store_id else None
    if store is None or store.local_path is None:
        return None
    return (os.path.join(store.local_path, volume.store_path),
            os.path.basename(volume.store_path))
