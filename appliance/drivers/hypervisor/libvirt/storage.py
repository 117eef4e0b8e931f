"""Volumes in a host's libvirt storage pools, all idempotent by volume name.

- A template (or ISO, kernel, initrd) is staged once per pool: a volume `tmpl-<id>[-part]`
  created with the file's size and filled through a libvirt storage stream
  (virStorageVol.upload) from the management server's file. A failed upload deletes the
  half-written volume, so "the volume exists" means "the template is there".
- A root disk is a qcow2 overlay whose <backingStore> is the template volume (qemu/kvm);
  for LXC, where the root is a loop-mounted filesystem image, a full raw copy of it.
- A data disk is a new, empty qcow2 volume of its size.

Volume import/export and operations on a running domain's disks are in volumes.py and
live.py; the bytes travel through streams.py.
"""

from __future__ import annotations

import contextlib
import logging
import os
from typing import Any

from appliance.drivers.hypervisor.base import DiskSpec, DriverError, TemplateSpec
from appliance.drivers.hypervisor.libvirt import streams
from appliance.drivers.hypervisor.libvirt import xml as virxml
from appliance.drivers.hypervisor.libvirt.connection import _libvirt, libvirt

log = logging.getLogger(__name__)
VOLUME_FORMATS = ("qcow2", "raw")
PART_SUFFIX = ".part"  # `<volume>.part`: an import under way (volumes.py)
OVERLAY_SUFFIX = ".overlay"  # `<volume>.overlay`: the writes of a frozen volume (live.py)

# Template formats libvirt/qemu read directly; others must be converted before registering.
_FORMATS = {"QCOW2": "qcow2", "RAW": "raw", "ISO": "raw", "IMG": "raw"}


def image_format(template: TemplateSpec) -> str:
    fmt = _FORMATS.get(template.format.upper())
    if fmt is None:
        raise DriverError(f"template {template.template_id} is {template.format}; the libvirt "
                          f"driver takes {', '.join(sorted(_FORMATS))}")
    return fmt


def pool_for(conn: Any, disk: DiskSpec) -> Any:
    """The pool holding `disk`: by name (the primary storage pool's id), else the pool whose
    target directory is the directory of `disk.path`."""
    if disk.pool:
        try:
            pool = conn.storagePoolLookupByName(disk.pool)
        except _libvirt.libvirtError as error:
            if error.get_error_code() != libvirt.VIR_ERR_NO_STORAGE_POOL:
                raise
            raise DriverError(f"storage pool {disk.pool} is not defined on the host "
                              "(add the primary storage to the host's cluster first)") from None
        return _active(pool)
    directory = os.path.dirname(disk.path.rstrip("/"))
    for pool in conn.listAllStoragePools(0):
        if _target_path(pool) == directory.rstrip("/"):
            return _active(pool)
    raise DriverError(f"no storage pool on the host holds {disk.path}")


def pool_named(conn: Any, name: str, host: str) -> Any:
    """The active storage pool `name` (a primary storage pool's id) of host `host`."""
    try:
        pool = conn.storagePoolLookupByName(name)
    except _libvirt.libvirtError as error:
        if error.get_error_code() != libvirt.VIR_ERR_NO_STORAGE_POOL:
            raise
        raise DriverError(f"storage pool {name} is not defined on host {host} (add the "
                          "primary storage to the host's cluster first)") from None
    return _active(pool)


def require(pool: Any, name: str, host: str) -> Any:
    """Volume `name` of `pool`; DriverError naming host, pool and volume when missing."""
    volume = lookup(pool, name)
    if volume is None:
        raise DriverError(f"volume {name} does not exist in storage pool {pool.name()} on "
                          f"host {host}")
    return volume


def volume_format(volume: Any) -> str:
    """qcow2 | raw (| another format libvirt detected) of a volume."""
    return virxml.volume_facts(volume.XMLDesc(0))[0]


def create_volume(pool: Any, name: str, size: int, fmt: str = "qcow2") -> Any:
    """An empty volume of `size` bytes (an existing one is kept)."""
    if fmt not in VOLUME_FORMATS:
        raise DriverError(f"volume {name}: format {fmt} is not one of "
                          f"{', '.join(VOLUME_FORMATS)}")
    existing = lookup(pool, name)
    if existing is not None:
        return existing
    return pool.createXML(virxml.volume_xml(name, max(size, 1 << 20), format=fmt), 0)


def _active(pool: Any) -> Any:
    if not pool.isActive():
        pool.create(0)
    return pool


def _target_path(pool: Any) -> str:
    import xml.etree.ElementTree as ET

    path = ET.fromstring(pool.XMLDesc(0)).findtext("./target/path") or ""
    return path.rstrip("/")


def volume_name(disk: DiskSpec) -> str:
    return disk.name or os.path.basename(disk.path.rstrip("/")) or (disk.volume_id or "")


def lookup(pool: Any, name: str) -> Any | None:
    try:
        return pool.storageVolLookupByName(name)
    except _libvirt.libvirtError as error:
        if error.get_error_code() == libvirt.VIR_ERR_NO_STORAGE_VOL:
            return None
        raise


def stage_file(conn: Any, pool: Any, name: str, source: str) -> Any:
    """Volume `name` holding the bytes of the management server's file `source` (once)."""
    existing = lookup(pool, name)
    if existing is not None:
        return existing
    try:
        size = os.path.getsize(source)
    except OSError as error:
        raise DriverError(f"cannot read {source} on the management server: {error}") from None
    volume = pool.createXML(virxml.volume_xml(name, size, format="raw"), 0)
    try:
        streams.upload(conn, volume, source)
    except BaseException:
        with contextlib.suppress(Exception):  # keep the upload's error
            volume.delete(0)
        raise
    log.info("staged %s (%d bytes) as %s in pool %s", source, size, name, pool.name())
    return volume


def stage_template(conn: Any, pool: Any, template: TemplateSpec, suffix: str = "") -> Any:
    """The template's volume in `pool`, uploaded on first use."""
    return stage_file(conn, pool, f"tmpl-{template.template_id}{suffix}", template.path)


def root_disk(conn: Any, pool: Any, disk: DiskSpec, template: TemplateSpec | None, *,
              copy: bool = False) -> Any:
    """The VM's root volume: an overlay on the staged template (a full copy when `copy`),
    or a blank qcow2 disk when the VM has no template (it boots from an ISO)."""
    name = volume_name(disk)
    existing = lookup(pool, name)
    if existing is not None:
        return existing
    if template is None:
        return pool.createXML(virxml.volume_xml(name, max(disk.size, 1 << 20)), 0)
    base = stage_template(conn, pool, template)
    fmt = image_format(template)
    if copy:
        xml = virxml.volume_xml(name, max(template.size, base.info()[1]), format=fmt)
        return pool.createXMLFrom(xml, base, 0)
    capacity = max(disk.size, template.size)
    xml = virxml.volume_xml(name, capacity, backing_path=base.path(), backing_format=fmt)
    return pool.createXML(xml, 0)


def data_disk(pool: Any, disk: DiskSpec) -> Any:
    return create_volume(pool, volume_name(disk), disk.size)


def delete_volume(conn: Any, pool_name: str, name: str) -> None:
    try:
        pool = conn.storagePoolLookupByName(pool_name)
    except _libvirt.libvirtError as error:
        if error.get_error_code() == libvirt.VIR_ERR_NO_STORAGE_POOL:
            return
        raise
    pool = _active(pool)
    # with what an interrupted import (volumes.py) or freeze (live.py) may have left
    for leftover in (name, name + PART_SUFFIX, name + OVERLAY_SUFFIX):
        volume = lookup(pool, leftover)
        if volume is not None:
            volume.delete(0)
