"""Secondary storage (seed §4.6): a zone's image stores for templates, ISOs, snapshots.

`file:///dir` is a directory of the management server used as the store (the embedded
default): it is the store's local_path, created if missing and measured. `nfs://server/path`
stores are reached under `image.store.mount.root`/<store id>; mounting them is left to the
storage automation, so their capacity stays 0 until then.
"""

from __future__ import annotations

import os
import shutil
from urllib.parse import unquote, urlsplit

from sqlalchemy import exists, select

from appliance.errors import ParamError, ResourceInUse
from appliance.models import ImageStore, TemplateZone
from appliance.models.base import utcnow
from appliance.services import configuration, infra
from appliance.services.context import CallContext
from appliance.services.paging import Page, keyword_filter, paginate
from appliance.services.storage import secondary

PROVIDERS = ("NFS",)


def _parse(url: str) -> tuple[str, str | None]:
    """(protocol, local directory for file://) of an image store URL."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    path = unquote(parts.path)
    if scheme == "file":
        if not path.startswith("/") or path == "/":
            raise ParamError(f"Invalid image store url {url!r}: expected file:///path")
        return "file", path
    if scheme == "nfs":
        if not parts.hostname or not path or path == "/":
            raise ParamError(f"Invalid image store url {url!r}: expected nfs://server/path")
        return "nfs", None
    raise ParamError(f"Invalid image store url {url!r}: the scheme must be nfs or file")


def add(ctx: CallContext, *, zone_id: str | None, url: str, name: str | None,
        provider: str) -> ImageStore:
    infra.require_root(ctx, "add secondary storage")
    if provider.strip().upper() not in PROVIDERS:
        raise ParamError(f"Invalid image store provider {provider!r}: expected "
                         f"{', '.join(PROVIDERS)}")
    zone = infra.zone(ctx, zone_id) if zone_id else None
    protocol, local = _parse(url)
    if ctx.session.scalar(select(ImageStore.id).where(ImageStore.url == url.strip(),
                                                      ImageStore.removed.is_(None))):
        raise ParamError(f"An image store with url {url} already exists")
    store = ImageStore(name=(name or url).strip(), zone_id=zone.id if zone else None,
                       url=url.strip(), protocol=protocol, provider="NFS", state="Up")
    ctx.session.add(store)
    ctx.session.flush()
    if local is not None:
        try:
            os.makedirs(local, exist_ok=True)
        except OSError as error:
            raise ParamError(f"Cannot use directory {local} for an image store: "
                             f"{error.strerror}") from None
        store.local_path = local
        secondary.mark(local, store.id)
        usage = shutil.disk_usage(local)
        store.capacity_bytes, store.used_bytes = usage.total, usage.used
    else:
        root = str(configuration.get(ctx.session, "image.store.mount.root"))
        store.local_path = os.path.join(root, store.id)
    return store


def get(ctx: CallContext, store_id: str) -> ImageStore:
    return infra.get(ctx, ImageStore, store_id, what="image store")


def delete(ctx: CallContext, store: ImageStore) -> None:
    """Remove a store; 536 while templates or ISOs are kept on it."""
    infra.require_root(ctx, "delete secondary storage")
    if ctx.session.scalar(select(exists().where(TemplateZone.image_store_id == store.id,
                                                TemplateZone.removed.is_(None)))):
        raise ResourceInUse(f"Image store {store.name} cannot be deleted: templates or ISOs "
                            "are stored on it")
    store.removed = utcnow()


def list_stores(ctx: CallContext, *, store_id: str | None, name: str | None,
                zone_id: str | None, provider: str | None, protocol: str | None,
                keyword: str | None, page: int | None,
                pagesize: int | None) -> Page[ImageStore]:
    infra.require_root(ctx, "list secondary storage")
    stmt = select(ImageStore).where(ImageStore.removed.is_(None)).order_by(
        ImageStore.created, ImageStore.id)
    for column, value in ((ImageStore.id, store_id), (ImageStore.name, name),
                          (ImageStore.zone_id, zone_id)):
        if value is not None:
            stmt = stmt.where(column == value)
    if provider is not None:
        stmt = stmt.where(ImageStore.provider == provider.upper())
    if protocol is not None:
        stmt = stmt.where(ImageStore.protocol == protocol.lower())
    stmt = keyword_filter(stmt, keyword, ImageStore.name)
    return paginate(ctx.session, stmt, page, pagesize)
