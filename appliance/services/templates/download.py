"""Fetching an image over HTTP(S) into a file: size limit, checksum, decompression, sizes.

No database here: `fetch` streams `url` into `dest` (through `dest.part`, renamed at the
end, so a half-written file never looks complete) and reports progress through a callback.
Every problem is a `DownloadFailed` whose text says what was wrong; the caller records it.
"""

from __future__ import annotations

import bz2
import contextlib
import hashlib
import os
import re
import shutil
import struct
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO

CHUNK = 256 * 1024
GZIP_MAGIC = b"\x1f\x8b"
BZIP2_MAGIC = b"BZh"
QCOW2_MAGIC = b"QFI\xfb"
# Plain hex checksums are recognised by their length (ACS takes bare MD5 too).
_BY_LENGTH = {32: "md5", 40: "sha1", 64: "sha256", 128: "sha512"}
_ALGORITHMS = {"md5": "md5", "sha1": "sha1", "sha-1": "sha1", "sha256": "sha256",
               "sha-256": "sha256", "sha512": "sha512", "sha-512": "sha512"}
_CHECKSUM = re.compile(r"^(?:\{(?P<algo>[A-Za-z0-9-]+)\})?(?P<hex>[0-9a-fA-F]+)$")

Progress = Callable[[int], None]


class DownloadFailed(Exception):
    """Why an image could not be fetched or verified (shown as the template's status)."""


@dataclass(frozen=True)
class Checksum:
    algorithm: str
    hexdigest: str


@dataclass(frozen=True)
class Fetched:
    physical_size: int  # bytes stored (after decompression)
    virtual_size: int  # the disk's size as a guest sees it (qcow2 header), else the file size
    downloaded: int  # bytes received


def parse_checksum(value: str | None) -> Checksum | None:
    """ACS's "{SHA-256}hex" form or bare hex (md5/sha1/sha256/sha512 by length)."""
    if value is None or not value.strip():
        return None
    match = _CHECKSUM.match(value.strip())
    if match is None:
        raise ValueError(f"Invalid checksum {value!r}: expected hex digits, optionally "
                         "prefixed with {md5}, {sha1}, {sha256} or {sha512}")
    digest = match["hex"].lower()
    if match["algo"]:
        algorithm = _ALGORITHMS.get(match["algo"].lower())
        if algorithm is None:
            raise ValueError(f"Unsupported checksum algorithm {match['algo']!r}")
    else:
        algorithm = _BY_LENGTH.get(len(digest), "")
        if not algorithm:
            raise ValueError(f"Invalid checksum {value!r}: {len(digest)} hex digits match no "
                             "known algorithm")
    if len(digest) != hashlib.new(algorithm).digest_size * 2:
        raise ValueError(f"Invalid {algorithm} checksum {value!r}: wrong length")
    return Checksum(algorithm, digest)


def qcow2_virtual_size(header: bytes) -> int | None:
    """The virtual disk size from a qcow2 header (big-endian u64 at offset 24)."""
    if len(header) < 32 or not header.startswith(QCOW2_MAGIC):
        return None
    size: int = struct.unpack(">Q", header[24:32])[0]
    return size


def virtual_size(path: str) -> int:
    with open(path, "rb") as handle:
        size = qcow2_virtual_size(handle.read(32))
    return size if size is not None else os.path.getsize(path)


class _Decoder:
    """Passes bytes through, or gunzips / bunzips them when the stream is compressed."""

    def __init__(self, kind: str | None) -> None:
        self.kind = kind
        self._impl: Any = None
        if kind == "gz":
            self._impl = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif kind == "bz2":
            self._impl = bz2.BZ2Decompressor()

    def feed(self, data: bytes) -> bytes:
        if self._impl is None:
            return data
        try:
            out: bytes = self._impl.decompress(data)
        except (zlib.error, OSError, EOFError) as exc:
            raise DownloadFailed(f"Corrupt {self.kind} stream: {exc}") from None
        return out

    def finish(self) -> bytes:
        if self.kind == "gz":
            out: bytes = self._impl.flush()
            if not self._impl.eof:
                raise DownloadFailed("Truncated gz stream")
            return out
        if self.kind == "bz2" and not self._impl.eof:
            raise DownloadFailed("Truncated bz2 stream")
        return b""


def _compression(url: str, first: bytes) -> str | None:
    path = urllib.parse.urlparse(url).path.lower()
    if path.endswith((".gz", ".tgz")) or first.startswith(GZIP_MAGIC):
        return "gz"
    if path.endswith((".bz2", ".tbz2")) or first.startswith(BZIP2_MAGIC):
        return "bz2"
    return None


def _limit_text(max_bytes: int) -> str:
    gib = max_bytes / 1024**3
    return f"{gib:g} GB" if gib >= 1 else f"{max_bytes} bytes"


def copy_stream(source: BinaryIO, dest: str, *, url: str, total: int | None, max_bytes: int,
                checksum: Checksum | None = None, progress: Progress | None = None,
                decompress: bool = True, step: int = 5) -> Fetched:
    """Stream `source` into `dest`, enforcing the limit and verifying the checksum."""
    os.makedirs(os.path.dirname(dest) or ".", exist_ok=True)
    part = dest + ".part"
    digest = hashlib.new(checksum.algorithm) if checksum else None
    received = written = 0
    reported = -1
    decoder: _Decoder | None = None
    limit = _limit_text(max_bytes)
    try:
        with open(part, "wb") as out:
            while True:
                data = source.read(CHUNK)
                if not data:
                    break
                if decoder is None:
                    decoder = _Decoder(_compression(url, data) if decompress else None)
                received += len(data)
                if received > max_bytes:
                    raise DownloadFailed(
                        f"{url} is larger than max.template.iso.size ({limit})")
                if digest is not None:
                    digest.update(data)
                plain = decoder.feed(data)
                written += len(plain)
                if written > max_bytes:
                    raise DownloadFailed(f"{url} decompresses to more than "
                                         f"max.template.iso.size ({limit})")
                out.write(plain)
                if progress is not None and total:
                    pct = min(99, received * 100 // total)
                    if pct >= reported + step:
                        progress(pct)
                        reported = pct
            if decoder is not None:
                tail = decoder.finish()
                written += len(tail)
                out.write(tail)
        if total is not None and received < total:
            raise DownloadFailed(f"Download of {url} ended after {received} of {total} bytes")
        if received == 0:
            raise DownloadFailed(f"{url} is empty")
        if digest is not None and checksum is not None \
                and digest.hexdigest() != checksum.hexdigest:
            raise DownloadFailed(
                f"Checksum mismatch for {url}: expected {checksum.algorithm} "
                f"{checksum.hexdigest}, got {digest.hexdigest()}")
        os.replace(part, dest)
    except BaseException:
        _remove(part)
        raise
    return Fetched(physical_size=written, virtual_size=virtual_size(dest), downloaded=received)


def fetch(url: str, dest: str, *, max_bytes: int, checksum: Checksum | None = None,
          progress: Progress | None = None, timeout: float = 60) -> Fetched:
    """Download `url` (http or https) to `dest`; raises DownloadFailed with the reason."""
    scheme = urllib.parse.urlparse(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise DownloadFailed(f"Unsupported URL scheme {scheme!r} in {url}: use http or https")
    request = urllib.request.Request(url, headers={"User-Agent": "Cirrus-Template-Downloader"})
    try:
        response = urllib.request.urlopen(request, timeout=timeout)  # noqa: S310
    except urllib.error.HTTPError as exc:
        raise DownloadFailed(f"HTTP {exc.code} {exc.reason} from {url}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DownloadFailed(f"Unable to fetch {url}: {reason}") from None
    with response:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        if total is not None and total > max_bytes:
            raise DownloadFailed(
                f"{url} is {total} bytes, larger than max.template.iso.size "
                f"({_limit_text(max_bytes)})")
        try:
            return copy_stream(response, dest, url=url, total=total, max_bytes=max_bytes,
                               checksum=checksum, progress=progress)
        except (OSError, TimeoutError) as exc:
            raise DownloadFailed(f"Download of {url} failed: {exc}") from None


def copy_file(source: str, dest: str, *, progress: Progress | None = None,
              max_bytes: int | None = None) -> Fetched:
    """Copy a stored image to another store (copyTemplate), with the same progress."""
    total = os.path.getsize(source)
    with open(source, "rb") as handle:
        return copy_stream(handle, dest, url=source, total=total,
                           max_bytes=max_bytes or max(total, 1), progress=progress,
                           decompress=False)


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)


def remove_image(path: str) -> None:
    """Delete a stored image and its directory when that is left empty."""
    _remove(path)
    _remove(path + ".part")
    directory = os.path.dirname(path)
    if os.path.isdir(directory) and not os.listdir(directory):
        shutil.rmtree(directory, ignore_errors=True)
