"""Disk image files on the management server, through qemu-img: what they are, standalone
copies, qcow2 deltas against a parent image, and rebasing of backing chains.

Snapshots of one volume live in one directory of secondary storage; a delta records its
parent by file name only (qemu-img resolves a relative backing file against the image's own
directory), so a store mounted elsewhere keeps its chains readable. Every helper that makes
a file writes `<dest>.part` first and renames it: a failure leaves nothing at `dest`.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

from appliance.drivers.hypervisor.base import DriverError


@dataclass(frozen=True)
class ImageInfo:
    virtual_size: int  # bytes the guest sees
    format: str  # qcow2, raw, ...
    actual_size: int  # bytes allocated on disk
    backing: str | None  # the backing file as recorded in the image (often relative)
    backing_path: str | None  # ... resolved to an absolute path


def _run(operation: str, target: str, *args: str) -> str:
    try:
        result = subprocess.run(["qemu-img", *args], capture_output=True, text=True)
    except FileNotFoundError:
        raise DriverError("qemu-img is not installed on the management server; it is "
                          "needed for snapshots and templates from volumes") from None
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip() or f"exit code {result.returncode}"
        raise DriverError(f"qemu-img {operation} of {target} failed: {detail}")
    return result.stdout


def _backing_arg(image: str, backing: str) -> str:
    """How `image` should name `backing`: relative when they share a directory tree."""
    relative = os.path.relpath(os.path.abspath(backing), os.path.dirname(os.path.abspath(image)))
    return relative if not relative.startswith("..") else os.path.abspath(backing)


def _require(path: str, what: str) -> None:
    if not os.path.isfile(path):
        raise DriverError(f"{what} {path} does not exist")


def info(path: str) -> ImageInfo:
    """Virtual size, format and backing file of an image (530 when it cannot be read)."""
    _require(path, "Image")
    data = json.loads(_run("info", path, "info", "--output=json", "-U", path))
    backing = data.get("backing-filename")
    return ImageInfo(virtual_size=int(data["virtual-size"]), format=str(data["format"]),
                     actual_size=int(data.get("actual-size", 0)), backing=backing,
                     backing_path=data.get("full-backing-filename") if backing else None)


@contextlib.contextmanager
def _partial(dest: str) -> Iterator[str]:
    """Yield `<dest>.part`; renamed to `dest` when the block succeeds, removed otherwise."""
    os.makedirs(os.path.dirname(os.path.abspath(dest)), exist_ok=True)
    part = f"{dest}.part"
    with contextlib.suppress(FileNotFoundError):
        os.unlink(part)
    try:
        yield part
        os.replace(part, dest)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(part)


def convert(source: str, dest: str, *, source_format: str | None = None) -> None:
    """Write `source` (any format; a chain is read through) as a standalone qcow2 `dest`."""
    _require(source, "Image")
    fmt = ["-f", source_format.lower()] if source_format else []
    with _partial(dest) as part:
        _run("convert", source, "convert", "-q", *fmt, "-O", "qcow2", source, part)


def convert_incremental(full: str, parent: str, dest: str) -> None:
    """Write `dest` as a qcow2 backed by `parent` holding only the clusters where the
    standalone image `full` differs from `parent`; `dest` then reads exactly as `full`.

    `qemu-img convert -B` copies every allocated cluster of its source, so the delta is
    made as an overlay of `full` that a safe rebase onto `parent` fills with just the
    differing clusters before it drops `full`.
    """
    _require(full, "Image")
    _require(parent, "Parent image")
    with _partial(dest) as part:
        _run("create", part, "create", "-q", "-f", "qcow2", "-b", os.path.abspath(full),
             "-F", "qcow2", part)
        _run("rebase", part, "rebase", "-q", "-f", "qcow2", "-b", _backing_arg(dest, parent),
             "-F", "qcow2", part)


def rebase(image: str, backing: str | None) -> None:
    """Make `image` read the same on top of `backing` (None: on nothing, standalone),
    copying in whatever its current backing chain provides and the new one does not.
    The image is changed in place; its content never changes."""
    _require(image, "Image")
    if backing is None:
        _run("rebase", image, "rebase", "-q", "-f", "qcow2", "-b", "", image)
        return
    _require(backing, "Backing image")
    _run("rebase", image, "rebase", "-q", "-f", "qcow2", "-b", _backing_arg(image, backing),
         "-F", "qcow2", image)


def flatten(image: str) -> None:
    """Fold `image`'s backing chain into it, in place: it becomes standalone."""
    rebase(image, None)

