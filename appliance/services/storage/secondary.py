"""Files on a zone's secondary storage as the management server reaches them.

A store is available when its directory holds the marker written when it was added (an NFS
store whose mount went away shows an empty directory, not an error). Every template,
snapshot and volume operation that needs the store asks `zone_store` first, so an outage
fails those operations with 534 naming the store, touches nothing else, and they work again
once the store is back.
"""

from __future__ import annotations

import contextlib
import os

from sqlalchemy import select

from appliance.errors import ResourceUnavailable
from appliance.models import ImageStore, Snapshot, Volume, Zone
from appliance.services.context import CallContext

MARKER = ".cirrus-image-store"


def mark(path: str, store_id: str) -> None:
    """Write the marker of store `store_id` into its directory `path`."""
    with open(os.path.join(path, MARKER), "w") as handle:
        handle.write(f"{store_id}\n")


def available(store: ImageStore) -> bool:
    return bool(store.local_path) and os.path.isfile(
        os.path.join(str(store.local_path), MARKER))


def state(store: ImageStore) -> str:
    """What listImageStores and listHosts show: Up while the store is available, else Down."""
    return "Up" if available(store) else "Down"


def require_available(store: ImageStore) -> ImageStore:
    if not available(store):
        raise ResourceUnavailable(
            f"Secondary storage {store.name} ({store.url}) is not available: "
            f"{store.local_path} is not reachable from the management server")
    return store


def zone_store(ctx: CallContext, zone_id: str) -> ImageStore:
    """The zone's secondary storage, available (534 when there is none or it is down)."""
    zone = ctx.session.get(Zone, zone_id)
    store = ctx.session.scalar(select(ImageStore).where(
        ImageStore.zone_id == zone_id, ImageStore.removed.is_(None),
        ImageStore.local_path.is_not(None)).order_by(ImageStore.created))
    if store is None:
        name = zone.name if zone is not None else zone_id
        raise ResourceUnavailable(f"Zone {name} has no secondary storage (image store); add "
                                  "one with addImageStore first")
    return require_available(store)


def absolute(store: ImageStore, relative: str) -> str:
    assert store.local_path is not None
    return os.path.join(store.local_path, relative)


def snapshot_path(snapshot: Snapshot) -> str:
    """Where a snapshot's file goes, relative to its store."""
    return f"snapshots/{snapshot.account_id}/{snapshot.volume_id}/{snapshot.id}.qcow2"


def volume_path(volume: Volume) -> str:
    """Where a volume's copy (upload, move between clusters, extract) goes."""
    return f"volumes/{volume.account_id}/{volume.id}.qcow2"


def prepare(store: ImageStore, relative: str) -> str:
    """The absolute path of `relative` on the store, its directory made."""
    path = absolute(store, relative)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return path


def remove(store: ImageStore, relative: str | None) -> None:
    """Delete a file of the store; one already gone is fine."""
    if relative and store.local_path:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(absolute(store, relative))
