"""Templates and ISOs (seed §7.6–7.8): register, update, delete, copy, extract, and the
check the VM lifecycle makes before deploying from one.

A template has one `TemplateZone` row per zone it is stored in; that row carries the
download status, progress and the file's path inside the zone's image store. Downloads and
copies run as durable jobs (appliance/services/templates/jobs.py) so a takeover resumes them.
"""

from __future__ import annotations

import os
import secrets
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from appliance.errors import ParamError, PermissionDenied, ResourceUnavailable
from appliance.jobs import queue
from appliance.models import (
    Account,
    DownloadStatus,
    ImageStore,
    OsType,
    Template,
    TemplatePermission,
    TemplateZone,
    VirtualMachine,
    Zone,
)
from appliance.models.base import utcnow
from appliance.models.infra import HypervisorType
from appliance.services import limits, tags, tenancy
from appliance.services.context import CallContext
from appliance.services.limits import ResourceType
from appliance.services.storage import secondary
from appliance.services.templates import download

TEMPLATE_FORMATS = ("QCOW2", "RAW", "VHD", "VMDK", "OVA", "TAR")
ALL_ZONES = "-1"
DOWNLOAD_COMMAND = "downloadTemplateToZone"
EXTRACT_LIFETIME = timedelta(hours=4)  # ACS's extract.url.expiration.interval default
_EXTENSIONS = {"QCOW2": "qcow2", "RAW": "img", "VHD": "vhd", "VMDK": "vmdk", "OVA": "ova",
               "TAR": "tar", "ISO": "iso"}


def kind(template: Template) -> str:
    return "ISO" if template.is_iso else "template"


# -- lookups ------------------------------------------------------------------------

def get(ctx: CallContext, template_id: str, *, is_iso: bool | None = None) -> Template:
    """A template or ISO the caller may use (431 unknown or deleted, 531 not visible)."""
    template = ctx.session.get(Template, template_id)
    what = "ISO" if is_iso else "template"
    if template is None or template.removed is not None or (
            is_iso is not None and template.is_iso != is_iso):
        raise ParamError(f"Unable to find {what} by id {template_id}")
    tenancy.check_template_use(ctx, template)
    return template


def get_managed(ctx: CallContext, template_id: str, *, is_iso: bool | None = None) -> Template:
    """A template or ISO the caller owns or administers (431 unknown, 531 otherwise)."""
    template = get(ctx, template_id, is_iso=is_iso)
    tenancy.check_template_manage(ctx, template)
    return template


def copies(ctx: CallContext, template: Template) -> list[TemplateZone]:
    return list(ctx.session.scalars(select(TemplateZone).where(
        TemplateZone.template_id == template.id, TemplateZone.removed.is_(None))
        .order_by(TemplateZone.created)))


def copy_in_zone(ctx: CallContext, template: Template, zone_id: str) -> TemplateZone:
    copy = ctx.session.scalar(select(TemplateZone).where(
        TemplateZone.template_id == template.id, TemplateZone.zone_id == zone_id,
        TemplateZone.removed.is_(None)))
    if copy is None:
        raise ParamError(f"{kind(template).capitalize()} {template.name} ({template.id}) is "
                         f"not available in zone {zone_id}")
    return copy


def usable_for_deploy(ctx: CallContext, template_id: str,
                      zone_id: str) -> tuple[Template, TemplateZone]:
    """The template (or ISO) and its copy in `zone_id`, ready for a VM of the caller.

    431: unknown id, not in that zone, not completely downloaded; 531: not the caller's
    to use (private to another account and not shared with it); 534: the zone's secondary
    storage, which the new VM's disk is made from, is out.
    """
    template = get(ctx, template_id)
    copy = copy_in_zone(ctx, template, zone_id)
    if not copy.ready:
        raise ParamError(f"{kind(template).capitalize()} {template.name} ({template.id}) has "
                         f"not been completely downloaded to zone {zone_id}")
    readable_path(ctx, copy)
    return template, copy


def image_store(ctx: CallContext, zone: Zone) -> ImageStore:
    """The zone's secondary storage the management server can write (534 when there is
    none or it is out)."""
    return secondary.zone_store(ctx, zone.id)


def install_path(ctx: CallContext, copy: TemplateZone) -> str:
    """The absolute path of a zone copy's file on the management server."""
    store = ctx.session.get(ImageStore, copy.image_store_id) if copy.image_store_id else None
    if store is None or store.local_path is None or copy.install_path is None:
        raise ResourceUnavailable(f"Template copy {copy.id} has no file on secondary storage")
    return os.path.join(store.local_path, copy.install_path)


def available_store(ctx: CallContext, copy: TemplateZone) -> ImageStore:
    """The image store holding `copy`, reachable now (534 naming it while it is out)."""
    store = ctx.session.get(ImageStore, copy.image_store_id) if copy.image_store_id else None
    if store is None or store.removed is not None:
        raise ResourceUnavailable(f"Template copy {copy.id} has no secondary storage")
    return secondary.require_available(store)


def readable_path(ctx: CallContext, copy: TemplateZone) -> str:
    """The file of a downloaded copy on reachable secondary storage (534 otherwise)."""
    store = available_store(ctx, copy)
    path = install_path(ctx, copy)
    if not os.path.isfile(path):
        raise ResourceUnavailable(f"The file of template copy {copy.id} is missing from "
                                  f"secondary storage {store.name}: {path}")
    return path


def require_sources(ctx: CallContext, zone_id: str, *images: Template | None) -> None:
    """534 unless each template or ISO can be read from the zone's secondary storage now:
    what a VM's first start stages onto its host."""
    for image in images:
        if image is None:
            continue
        copy = ctx.session.scalar(select(TemplateZone).where(
            TemplateZone.template_id == image.id, TemplateZone.zone_id == zone_id,
            TemplateZone.removed.is_(None)))
        if copy is None or not copy.ready:
            raise ResourceUnavailable(f"{kind(image).capitalize()} {image.name} ({image.id}) "
                                      f"is not available in zone {zone_id}")
        readable_path(ctx, copy)


def _zone(ctx: CallContext, zone_id: str) -> Zone:
    zone = ctx.session.get(Zone, zone_id)
    if zone is None or zone.removed is not None:
        raise ParamError(f"Unable to find zone by id {zone_id}")
    return zone


# -- register -----------------------------------------------------------------------

def _owner(ctx: CallContext, account: str | None, domain_id: str | None) -> Account:
    if account is None:
        if domain_id is not None and domain_id != ctx.caller.domain.id:
            raise ParamError("domainid must be used together with account")
        return ctx.caller.account
    if not ctx.caller.is_admin:
        raise PermissionDenied("Only administrators can register for another account")
    return tenancy.find_account(ctx, account, domain_id)


def _hypervisor(value: str | None) -> str | None:
    if value is None:
        return None
    for known in HypervisorType:
        if known.value.lower() == value.lower():
            return known.value
    raise ParamError(f"Invalid hypervisor {value!r}: expected one of "
                     f"{', '.join(h.value for h in HypervisorType)}")


def _os_type(ctx: CallContext, os_type_id: str | None) -> str | None:
    if os_type_id is None:
        return None
    if ctx.session.get(OsType, os_type_id) is None:
        raise ParamError(f"Unable to find OS type by id {os_type_id}")
    return os_type_id


def _check_url(url: str) -> str:
    url = url.strip()
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme not in ("http", "https") or "//" not in url:
        raise ParamError(f"Unsupported URL {url!r}: only http:// and https:// URLs are "
                         "supported")
    return url


def _target_zones(ctx: CallContext, zone_id: str, owner: Account) -> list[tuple[Zone, ImageStore]]:
    if zone_id == ALL_ZONES:
        zones = list(ctx.session.scalars(select(Zone).where(Zone.removed.is_(None))
                                         .order_by(Zone.created)))
        targets = []
        for zone in zones:
            try:
                targets.append((zone, secondary.zone_store(ctx, zone.id)))
            except ResourceUnavailable as out:
                # A zone whose store is out gets no copy: copyTemplate adds it later.
                ctx.log.warning("registering in all zones without zone %s: %s", zone.name,
                                out.text)
                continue
        if not targets:
            raise ResourceUnavailable("No zone has available secondary storage (an image "
                                      "store)")
        return targets
    try:
        uuid.UUID(zone_id)
    except ValueError:
        raise ParamError(f"Invalid zoneid {zone_id!r}: a zone id or -1 for all zones") from None
    zone = _zone(ctx, zone_id)
    tenancy.check_zone_use(ctx, zone, owner)
    return [(zone, secondary.zone_store(ctx, zone.id))]


def register(
    ctx: CallContext, *, is_iso: bool, name: str, display_text: str, url: str, zone_id: str,
    format: str | None = None, hypervisor: str | None = None, os_type_id: str | None = None,
    is_public: bool = False, is_featured: bool = False, is_extractable: bool = False,
    password_enabled: bool = False, requires_hvm: bool = True, bootable: bool = True,
    checksum: str | None = None, account: str | None = None, domain_id: str | None = None,
) -> list[TemplateZone]:
    """Record the template and its zone copies, then queue one download job per zone."""
    owner = _owner(ctx, account, domain_id)
    if is_featured and not ctx.caller.is_admin:
        raise PermissionDenied("Only administrators can make templates and ISOs featured")
    if not name.strip():
        raise ParamError("Parameter name must not be empty")
    url = _check_url(url)
    try:
        download.parse_checksum(checksum)
    except ValueError as exc:
        raise ParamError(str(exc)) from None
    if is_iso:
        fmt = "ISO"
    else:
        fmt = (format or "").upper()
        if fmt not in TEMPLATE_FORMATS:
            raise ParamError(f"Invalid format {format!r}: expected one of "
                             f"{', '.join(TEMPLATE_FORMATS)}")
        if os_type_id is None:
            raise ParamError("Parameter ostypeid is required for templates")
    targets = _target_zones(ctx, zone_id, owner)
    limits.reserve(ctx.session, owner, ResourceType.TEMPLATE)
    template = Template(
        name=name.strip(), display_text=display_text.strip() or name.strip(), is_iso=is_iso,
        format=fmt, hypervisor=None if is_iso else _hypervisor(hypervisor),
        os_type_id=_os_type(ctx, os_type_id), account_id=owner.id, domain_id=owner.domain_id,
        url=url, checksum=checksum or None, is_public=is_public or is_featured,
        is_featured=is_featured, is_extractable=is_extractable,
        password_enabled=password_enabled, bootable=bootable if is_iso else True,
        requires_hvm=requires_hvm, cross_zones=zone_id == ALL_ZONES)
    ctx.session.add(template)
    ctx.session.flush()
    made = []
    for zone, store in targets:
        copy = TemplateZone(template_id=template.id, zone_id=zone.id, image_store_id=store.id,
                            status=DownloadStatus.NOT_DOWNLOADED, download_pct=0,
                            install_path=_relative_path(template))
        ctx.session.add(copy)
        ctx.session.flush()
        _queue_download(ctx, template, copy, zone)
        made.append(copy)
    ctx.log.info("registered %s %s (%s) from %s in %d zone(s)", kind(template), template.name,
                 template.id, url, len(made))
    return made


def _relative_path(template: Template) -> str:
    folder = "iso" if template.is_iso else "tmpl"
    ext = _EXTENSIONS.get(template.format, "img")
    return f"template/{folder}/{template.account_id}/{template.id}/{template.id}.{ext}"


def _queue_download(ctx: CallContext, template: Template, copy: TemplateZone, zone: Zone) -> None:
    queue.submit(ctx, DOWNLOAD_COMMAND, {"id": copy.id},
                 event_type="TEMPLATE.DOWNLOAD.START",
                 description=f"downloading {kind(template)} {template.name} to zone {zone.name}",
                 instance_type="Iso" if template.is_iso else "Template",
                 instance_id=template.id)


# -- update and permissions ----------------------------------------------------------

def update(ctx: CallContext, template_id: str, *, is_iso: bool, name: str | None = None,
           display_text: str | None = None, os_type_id: str | None = None,
           password_enabled: bool | None = None, bootable: bool | None = None,
           format: str | None = None) -> Template:
    template = get_managed(ctx, template_id, is_iso=is_iso)
    if name is not None:
        if not name.strip():
            raise ParamError("Parameter name must not be empty")
        template.name = name.strip()
    if display_text is not None:
        template.display_text = display_text.strip() or template.name
    if os_type_id is not None:
        template.os_type_id = _os_type(ctx, os_type_id)
    if password_enabled is not None:
        template.password_enabled = password_enabled
    if bootable is not None:
        template.bootable = bootable
    if format is not None and not is_iso:
        fmt = format.upper()
        if fmt not in TEMPLATE_FORMATS:
            raise ParamError(f"Invalid format {format!r}: expected one of "
                             f"{', '.join(TEMPLATE_FORMATS)}")
        template.format = fmt
    return template


def update_permissions(
    ctx: CallContext, template_id: str, *, is_iso: bool, is_public: bool | None,
    is_featured: bool | None, is_extractable: bool | None, accounts: list[str] | None,
    op: str | None,
) -> None:
    """Seed §7.8.5–7.8.6: public/featured/extractable flags and the accounts a private
    template is shared with (op add, remove or reset)."""
    template = get_managed(ctx, template_id, is_iso=is_iso)
    if is_featured is not None and not ctx.caller.is_admin:
        raise PermissionDenied("Only administrators can change whether a template is featured")
    if is_public is not None:
        template.is_public = is_public
    if is_featured is not None:
        template.is_featured = is_featured
        if is_featured:
            template.is_public = True
    if is_extractable is not None:
        if not ctx.caller.is_admin and is_extractable and not template.is_extractable \
                and template.account_id != ctx.caller.account.id:
            raise PermissionDenied("Only the owner or an administrator can make it extractable")
        template.is_extractable = is_extractable
    if op is None:
        if accounts:
            raise ParamError("Parameter op (add, remove or reset) is required with accounts")
        return
    op = op.lower()
    if op not in ("add", "remove", "reset"):
        raise ParamError(f"Invalid op {op!r}: expected add, remove or reset")
    existing = {p.account_id: p for p in ctx.session.scalars(
        select(TemplatePermission).where(TemplatePermission.template_id == template.id))}
    if op == "reset":
        for permission in existing.values():
            ctx.session.delete(permission)
        ctx.session.flush()
        return
    if not accounts:
        raise ParamError(f"Parameter accounts is required with op={op}")
    for account_name in accounts:
        target = ctx.session.scalar(select(Account).where(
            Account.name == account_name, Account.domain_id == template.domain_id,
            Account.removed.is_(None)))
        if target is None:
            raise ParamError(f"Unable to find account {account_name} in the template's domain")
        if op == "add" and target.id not in existing and target.id != template.account_id:
            permission = TemplatePermission(template_id=template.id, account_id=target.id)
            ctx.session.add(permission)
            existing[target.id] = permission
        elif op == "remove" and target.id in existing:
            ctx.session.delete(existing.pop(target.id))
    ctx.session.flush()


def permitted_accounts(ctx: CallContext, template: Template) -> list[Account]:
    return list(ctx.session.scalars(
        select(Account).join(TemplatePermission, TemplatePermission.account_id == Account.id)
        .where(TemplatePermission.template_id == template.id, Account.removed.is_(None))
        .order_by(Account.name)))


def forget_account_permissions(ctx: CallContext, account_id: str) -> None:
    """deleteAccount: templates and ISOs other accounts shared with it are no longer."""
    for permission in ctx.session.scalars(select(TemplatePermission).where(
            TemplatePermission.account_id == account_id)):
        ctx.session.delete(permission)


# -- delete, copy, extract -----------------------------------------------------------

def check_deletable(ctx: CallContext, template_id: str, zone_id: str | None, *,
                    is_iso: bool) -> Template:
    """Owner or admin; with zoneid the zone must hold a copy. VMs made from the template
    keep running (seed §7.8: "the VMs instantiated from them will continue to run"); an
    ISO in a VM's drive cannot go (431, detach it first). 534 while the secondary storage
    holding a copy to delete is out: its file would stay behind."""
    template = get_managed(ctx, template_id, is_iso=is_iso)
    if zone_id is not None:
        copy_in_zone(ctx, template, zone_id)
    if template.is_iso:
        user = ctx.session.scalar(select(VirtualMachine).where(
            VirtualMachine.iso_id == template.id, VirtualMachine.removed.is_(None)).limit(1))
        if user is not None:
            raise ParamError(f"Unable to delete ISO {template.name} ({template.id}): it is "
                             f"attached to virtual machine {user.id}; detach it first")
    _deleted_copies(ctx, template, zone_id)
    return template


def _deleted_copies(ctx: CallContext, template: Template,
                    zone_id: str | None) -> list[TemplateZone]:
    """The copies a delete removes, each on reachable secondary storage (534 otherwise)."""
    chosen = [c for c in copies(ctx, template) if zone_id is None or c.zone_id == zone_id]
    for copy in chosen:
        store = ctx.session.get(ImageStore, copy.image_store_id) if copy.image_store_id \
            else None
        if store is not None and store.removed is None:
            secondary.require_available(store)
    return chosen


def delete(ctx: CallContext, template_id: str, zone_id: str | None, *, is_iso: bool) -> None:
    template = ctx.session.get(Template, template_id)
    if template is None or template.removed is not None:
        return  # a retried job: already done
    tenancy.check_template_manage(ctx, template)
    now = utcnow()
    # Every store is checked before any file goes, so an outage removes nothing.
    for copy in _deleted_copies(ctx, template, zone_id):
        _remove_file(ctx, copy)
        copy.removed, copy.status = now, DownloadStatus.ABANDONED
    ctx.session.flush()
    if not copies(ctx, template):
        template.removed = now
        tags.forget(ctx, "ISO" if template.is_iso else "Template", template.id)
        owner = ctx.session.get(Account, template.account_id)
        if owner is not None:
            limits.release(ctx.session, owner, ResourceType.TEMPLATE)
    ctx.log.info("deleted %s %s in %s", kind(template), template.id, zone_id or "all zones")


def _remove_file(ctx: CallContext, copy: TemplateZone) -> None:
    try:
        path = install_path(ctx, copy)
    except ResourceUnavailable:
        return
    download.remove_image(path)


def prepare_copy(ctx: CallContext, template_id: str, source_zone_id: str, dest_zone_id: str,
                 *, is_iso: bool) -> TemplateZone:
    """Checks and the destination copy row (NOT_DOWNLOADED) for copyTemplate/copyIso."""
    template = get_managed(ctx, template_id, is_iso=is_iso)
    if source_zone_id == dest_zone_id:
        raise ParamError("Source and destination zones are the same")
    source = copy_in_zone(ctx, template, source_zone_id)
    if not source.ready:
        raise ParamError(f"{kind(template).capitalize()} {template.name} is not ready in zone "
                         f"{source_zone_id}")
    dest_zone = _zone(ctx, dest_zone_id)
    readable_path(ctx, source)
    store = secondary.zone_store(ctx, dest_zone.id)
    row = ctx.session.scalar(select(TemplateZone).where(
        TemplateZone.template_id == template.id, TemplateZone.zone_id == dest_zone.id))
    if row is not None and row.removed is None \
            and row.status in (DownloadStatus.DOWNLOADED, DownloadStatus.DOWNLOAD_IN_PROGRESS):
        raise ParamError(f"{kind(template).capitalize()} {template.name} is already in "
                             f"zone {dest_zone.name}")
    if row is None:
        row = TemplateZone(template_id=template.id, zone_id=dest_zone.id)
        ctx.session.add(row)
    row.image_store_id, row.install_path = store.id, _relative_path(template)
    row.status, row.download_pct, row.error, row.removed = (
        DownloadStatus.NOT_DOWNLOADED, 0, None, None)
    row.size = row.physical_size = 0
    ctx.session.flush()
    return row


def prepare_extract(ctx: CallContext, template_id: str, zone_id: str | None, *,
                    is_iso: bool, base_url: str) -> TemplateZone:
    """A signed, expiring download link for a ready copy (extractTemplate/extractIso)."""
    template = get(ctx, template_id, is_iso=is_iso)
    owner_or_admin = ctx.caller.is_root_admin or template.account_id == ctx.caller.account.id
    if not template.is_extractable and not owner_or_admin:
        raise ParamError(f"Unable to extract {kind(template)} {template.id}: it is not "
                         "extractable")
    if zone_id is None:
        ready = [c for c in copies(ctx, template) if c.ready]
        if not ready:
            raise ParamError(f"{kind(template).capitalize()} {template.id} is not ready in "
                             "any zone")
        copy = ready[0]
    else:
        copy = copy_in_zone(ctx, template, zone_id)
        if not copy.ready:
            raise ParamError(f"{kind(template).capitalize()} {template.id} is not ready in "
                             f"zone {zone_id}")
    readable_path(ctx, copy)
    if copy.extract_token is None or copy.extract_expires is None \
            or copy.extract_expires < utcnow():
        copy.extract_token = secrets.token_urlsafe(32)
        copy.extract_url = f"{base_url.rstrip('/')}/client/extract/{copy.extract_token}"
    copy.extract_expires = utcnow() + EXTRACT_LIFETIME
    ctx.session.flush()
    return copy


def extracted_copy(ctx: CallContext, template_id: str, zone_id: str | None, *,
                   is_iso: bool) -> TemplateZone:
    """The copy whose link prepare_extract made (the extract job's result)."""
    template = get(ctx, template_id, is_iso=is_iso)
    for copy in copies(ctx, template):
        if (zone_id is None or copy.zone_id == zone_id) and copy.extract_url \
                and copy.extract_expires is not None and copy.extract_expires > utcnow():
            readable_path(ctx, copy)
            return copy
    raise ResourceUnavailable(f"No download link for {kind(template)} {template.id}: "
                              "it was deleted or the link expired")


def extracted_file(session: Any, token: str) -> tuple[str, str] | None:
    """(path, download name) behind an extract token that has not expired, else None."""
    copy = session.scalar(select(TemplateZone).where(TemplateZone.extract_token == token))
    if copy is None or copy.removed is not None or not copy.ready:
        return None
    if copy.extract_expires is None or copy.extract_expires < utcnow():
        return None
    store = session.get(ImageStore, copy.image_store_id)
    if store is None or store.local_path is None or copy.install_path is None:
        return None
    path = os.path.join(store.local_path, copy.install_path)
    return path, os.path.basename(copy.install_path)
