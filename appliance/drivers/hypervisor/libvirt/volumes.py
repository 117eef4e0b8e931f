"""Volumes to and from files of the management server, over libvirt storage streams.

- import: the image file (qcow2 or raw, detected with qemu-img; no backing or external data
  file: it would point at files of the host) is uploaded as volume `<name>.part`, grown to
  the requested size, then cloned into `<name>` (virStorageVolCreateXMLFrom) and the part
  deleted: volume `<name>` exists only once it is whole, whatever fails or drops meanwhile,
  so "the volume exists" means "the import is done".
- export: the volume and its backing chain (a root disk is a qcow2 overlay on the staged
  template `tmpl-<id>`) are downloaded into a temporary directory beside the destination,
  the local copies rebased onto each other (`qemu-img rebase -u`) and converted into one
  standalone qcow2 file, renamed to the destination when complete.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from appliance.drivers.hypervisor.base import DriverError
from appliance.drivers.hypervisor.libvirt import storage, streams
from appliance.drivers.hypervisor.libvirt import xml as virxml
from appliance.drivers.hypervisor.libvirt.connection import _libvirt, libvirt

log = logging.getLogger(__name__)
MAX_CHAIN = 32
QEMU_IMG_TIMEOUT = 6 * 3600.0
# libvirt re-reads an uploaded volume's header (its format) in a pool refresh it starts
# when the stream closes; we wait for it, refreshing ourselves now and then.
SETTLE_TIMEOUT = 20.0
SETTLE_POLL = 0.2
REFRESH_EVERY = 2.0


@dataclass(frozen=True)
class ImageInfo:
    format: str  # qcow2 | raw
    virtual_size: int


@dataclass(frozen=True)
class Layer:
    """One downloaded file of a volume's chain (index 0 is the volume itself)."""

    path: str
    format: str


def qemu_img(*args: str) -> str:
    """Run qemu-img on the management server; DriverError with its message on failure."""
    try:
        result = subprocess.run(["qemu-img", *args], capture_output=True, text=True,
                                timeout=QEMU_IMG_TIMEOUT)
    except FileNotFoundError:
        raise DriverError("qemu-img is not installed on the management server") from None
    except subprocess.TimeoutExpired:
        raise DriverError(f"qemu-img {args[0]} took more than {QEMU_IMG_TIMEOUT:.0f} s") \
            from None
    if result.returncode != 0:
        raise DriverError(f"qemu-img {args[0]} failed: "
                          f"{(result.stderr or result.stdout).strip()}")
    return result.stdout


def inspect(source: str) -> ImageInfo:
    """The format and virtual size of an image file to import (qcow2 or raw, standalone)."""
    if not os.path.isfile(source):
        raise DriverError(f"cannot read {source} on the management server: no such file")
    info = json.loads(qemu_img("info", "--output=json", source))
    fmt = str(info.get("format", ""))
    if fmt not in storage.VOLUME_FORMATS:
        raise DriverError(f"{source} is a {fmt or 'unknown'} image; volumes are imported "
                          f"from {' or '.join(storage.VOLUME_FORMATS)} files")
    if info.get("backing-filename") or info.get("full-backing-filename"):
        raise DriverError(f"{source} has a backing file ({info.get('backing-filename')}); "
                          "only standalone images are imported")
    specific = (info.get("format-specific") or {}).get("data") or {}
    if specific.get("data-file"):
        raise DriverError(f"{source} has an external data file ({specific['data-file']}); "
                          "only standalone images are imported")
    return ImageInfo(format=fmt, virtual_size=int(info["virtual-size"]))


def import_file(conn: Any, pool: Any, name: str, source: str, info: ImageInfo, size: int,
                host: str) -> Any:
    """Volume `name` of `pool` holding image `source`, at least `size` bytes (kept when it
    exists). A failed import leaves neither `name` nor its part behind."""
    existing = storage.lookup(pool, name)
    if existing is not None:
        return existing
    part_name = name + storage.PART_SUFFIX
    stale = storage.lookup(pool, part_name)
    if stale is not None:  # an import that died with its connection
        stale.delete(0)
    part = pool.createXML(virxml.volume_xml(part_name, os.path.getsize(source),
                                            format="raw"), 0)
    try:
        streams.upload(conn, part, source)
        part = _settled(pool, part_name, info.format, host)
        capacity = max(size, info.virtual_size)
        if capacity > int(part.info()[1]):
            part.resize(capacity, 0)
        volume = pool.createXMLFrom(
            virxml.volume_xml(name, capacity, format=info.format), part, 0)
    except BaseException:
        with contextlib.suppress(Exception):  # keep the import's own error
            part.delete(0)
        raise
    try:
        part.delete(0)
    except _libvirt.libvirtError as error:  # the import is done; the next one removes it
        log.warning("volume %s imported, but its part stays in pool %s on %s: %s", name,
                    pool.name(), host, error.get_error_message())
    log.info("imported %s (%s, %d bytes) as volume %s in pool %s on %s", source,
             info.format, capacity, name, pool.name(), host)
    return volume


def _settled(pool: Any, name: str, fmt: str, host: str) -> Any:
    """Volume `name` once libvirt sees it in format `fmt` (after the upload's refresh)."""
    deadline = time.monotonic() + SETTLE_TIMEOUT
    next_refresh = time.monotonic() + REFRESH_EVERY
    while True:
        volume = storage.lookup(pool, name)
        seen = storage.volume_format(volume) if volume is not None else None
        if seen == fmt:
            return volume
        now = time.monotonic()
        if now >= deadline:
            raise DriverError(f"libvirt on host {host} sees uploaded volume {name} in pool "
                              f"{pool.name()} as {seen or 'missing'}, not {fmt}")
        if now >= next_refresh:
            with contextlib.suppress(_libvirt.libvirtError):  # busy: its own refresh runs
                pool.refresh(0)
            next_refresh = now + REFRESH_EVERY
        time.sleep(SETTLE_POLL)


def chain(conn: Any, volume: Any, host: str) -> list[tuple[Any, str]]:
    """(libvirt volume, format) of `volume` and of each backing file below it."""
    layers: list[tuple[Any, str]] = []
    current = volume
    seen: set[str] = set()
    while True:
        fmt, backing, _backing_format = virxml.volume_facts(current.XMLDesc(0))
        layers.append((current, fmt))
        seen.add(current.path())
        if not backing:
            return layers
        if backing in seen or len(layers) >= MAX_CHAIN:
            raise DriverError(f"volume {volume.name()} on host {host} has a backing chain "
                              f"that loops or is deeper than {MAX_CHAIN} ({backing})")
        try:
            current = conn.storageVolLookupByPath(backing)
        except _libvirt.libvirtError as error:
            if error.get_error_code() != libvirt.VIR_ERR_NO_STORAGE_VOL:
                raise
            raise DriverError(f"the backing file {backing} of volume {volume.name()} on "
                              f"host {host} is in no storage pool") from None


def download_chain(conn: Any, layers: list[tuple[Any, str]], workdir: str) -> list[Layer]:
    """Download every layer into `workdir` (top first)."""
    files = []
    for index, (volume, fmt) in enumerate(layers):
        path = os.path.join(workdir, f"layer-{index}.{fmt}")
        streams.download(conn, volume, path)
        files.append(Layer(path=path, format=fmt))
    return files


def flatten(files: list[Layer], dest: str, workdir: str) -> None:
    """Chain the downloaded layers onto each other and write them as one standalone qcow2
    `dest` (renamed into place when complete)."""
    for layer, below in zip(files, files[1:], strict=False):
        if layer.format != "qcow2":
            raise DriverError(f"a {layer.format} layer cannot have a backing file")
        qemu_img("rebase", "-u", "-f", "qcow2", "-b", below.path, "-F", below.format,
                 layer.path)
    out = os.path.join(workdir, "export.qcow2")
    qemu_img("convert", "-q", "-f", files[0].format, "-O", "qcow2", files[0].path, out)
    os.replace(out, dest)


@contextlib.contextmanager
def workdir_beside(dest: str) -> Iterator[str]:
    """A temporary directory in the destination's directory (same file system: the
    finished file is renamed into place), removed afterwards."""
    directory = os.path.dirname(os.path.abspath(dest))
    if not os.path.isdir(directory):
        raise DriverError(f"cannot export to {dest}: {directory} is not a directory on the "
                          "management server")
    path = tempfile.mkdtemp(prefix=f".{os.path.basename(dest)}.", dir=directory)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
