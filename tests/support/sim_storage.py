"""The test server's storage as its simulated hosts and its secondary storage hold it: the
volumes of a VM (from the database), the sparse files of simulated volumes (written as a
guest would), and images on secondary storage read back through qemu-img."""

from __future__ import annotations

import os
import subprocess
import tempfile
from typing import Any

import pytest
from sqlalchemy import select

from appliance.db import Database
from appliance.drivers.hypervisor import simulator
from appliance.models import Snapshot, Volume
from tests.support.cloud import Cloud


def _rows(cloud: Cloud, model: Any, *where: Any) -> list[dict[str, Any]]:
    db = Database(cloud.server.database_url)
    try:
        with db.session(write=False) as session:
            rows = session.scalars(select(model).where(*where)).all()
            return [{c.key: getattr(row, c.key) for c in model.__table__.columns}
                    for row in rows]
    finally:
        db.dispose()


def volumes_of(cloud: Cloud, vm_id: str) -> dict[str, dict[str, Any]]:
    """The VM's volumes by type (ROOT, DATADISK) as database rows."""
    rows = _rows(cloud, Volume, Volume.vm_id == vm_id, Volume.removed.is_(None))
    return {str(row["volume_type"]): row for row in rows}


def row(cloud: Cloud, model: Any, row_id: str) -> dict[str, Any]:
    """One database row (a volume, snapshot, template...) by id, as a dict."""
    return _rows(cloud, model, model.id == row_id)[0]


def volume_row(cloud: Cloud, volume_id: str) -> dict[str, Any]:
    return row(cloud, Volume, volume_id)


def snapshot_row(cloud: Cloud, snapshot_id: str) -> dict[str, Any]:
    return row(cloud, Snapshot, snapshot_id)


def pool_file(cloud: Cloud, pool_id: str, volume_id: str) -> str:
    """The simulator's file of volume `volume_id` in pool `pool_id` on the test server."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CIRRUS_HOME", cloud.server.home)
        return simulator.volume_file(pool_id, volume_id)


def volume_file(cloud: Cloud, volume: dict[str, Any]) -> str:
    """The simulator's file of a (physically created) volume on the test server."""
    assert volume["pool_id"], f"volume {volume['id']} has no pool yet"
    return pool_file(cloud, volume["pool_id"], volume["id"])


def write(cloud: Cloud, volume: dict[str, Any], offset: int, data: bytes) -> None:
    """Write into the volume as its guest would (a volume never written reads as zeros)."""
    path = volume_file(cloud, volume)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "ab"):
        pass
    if os.path.getsize(path) < volume["size"]:
        os.truncate(path, volume["size"])
    with open(path, "r+b") as handle:
        handle.seek(offset)
        handle.write(data)


def read(cloud: Cloud, volume: dict[str, Any], offset: int, length: int) -> bytes:
    with open(volume_file(cloud, volume), "rb") as handle:
        handle.seek(offset)
        return handle.read(length)


def image_bytes(path: str, offset: int, length: int) -> bytes:
    """What a guest would read at `offset` of an image file (its whole backing chain)."""
    with tempfile.TemporaryDirectory() as scratch:
        raw = os.path.join(scratch, "image.raw")
        subprocess.run(["qemu-img", "convert", "-U", "-O", "raw", path, raw], check=True)
        with open(raw, "rb") as handle:
            handle.seek(offset)
            return handle.read(length)


def secondary_dir(cloud: Cloud, zone_name: str = "tiny") -> str:
    """The directory of a datacenter spec's secondary storage (file://${CIRRUS_HOME}/...)."""
    return os.path.join(cloud.server.home, "secondary", zone_name)
