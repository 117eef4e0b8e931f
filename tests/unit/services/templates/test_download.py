"""download.fetch/copy_stream: limits while streaming, checksums, decompression, sizes."""

from __future__ import annotations

import bz2
import gzip
import hashlib
import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from appliance.services.templates import download
from appliance.services.templates.download import Checksum, DownloadFailed
from tests.support.image_server import ImageServer, Route, qcow2_image, start_image_server


@pytest.fixture(scope="module")
def images() -> Iterator[ImageServer]:
    srv = start_image_server()
    yield srv
    srv.stop()


def test_parse_checksum_forms() -> None:
    md5 = hashlib.md5(b"x").hexdigest()
    sha256 = hashlib.sha256(b"x").hexdigest()
    assert download.parse_checksum(md5) == Checksum("md5", md5)
    assert download.parse_checksum("{SHA-256}" + sha256.upper()) == Checksum("sha256", sha256)
    assert download.parse_checksum("{sha1}" + hashlib.sha1(b"x").hexdigest()).algorithm == "sha1"
    assert download.parse_checksum(None) is None and download.parse_checksum(" ") is None
    for bad in ("zz", "{md5}" + sha256, "{crc32}abcd", "abc"):
        with pytest.raises(ValueError):
            download.parse_checksum(bad)


def test_qcow2_header() -> None:
    assert download.qcow2_virtual_size(qcow2_image(7 * 1024**3)) == 7 * 1024**3
    assert download.qcow2_virtual_size(b"not a qcow2 header at all, no......") is None


def test_limit_is_enforced_while_streaming(tmp_path: Path) -> None:
    """No Content-Length: the limit still stops the transfer, and no file is left."""
    dest = str(tmp_path / "big.raw")
    with pytest.raises(DownloadFailed, match="larger than max.template.iso.size"):
        download.copy_stream(io.BytesIO(bytes(10_000)), dest, url="http://h/big.raw",
                             total=None, max_bytes=4096)
    assert not os.path.exists(dest) and not os.path.exists(dest + ".part")


def test_decompression_bomb_is_stopped(tmp_path: Path) -> None:
    bomb = gzip.compress(bytes(1_000_000))
    with pytest.raises(DownloadFailed, match="decompresses to more than"):
        download.copy_stream(io.BytesIO(bomb), str(tmp_path / "b"), url="http://h/b.gz",
                             total=len(bomb), max_bytes=100_000)


def test_gz_and_bz2_by_suffix_or_magic(tmp_path: Path) -> None:
    data = qcow2_image(3 * 1024**3, payload=8192)
    for name, body in (("a.gz", gzip.compress(data)), ("b.bz2", bz2.compress(data)),
                       ("c", bz2.compress(data)), ("d", data)):
        dest = str(tmp_path / name)
        fetched = download.copy_stream(io.BytesIO(body), dest, url=f"http://h/{name}",
                                       total=len(body), max_bytes=10**9)
        assert Path(dest).read_bytes() == data, name
        assert fetched.virtual_size == 3 * 1024**3 and fetched.physical_size == len(data)
        assert fetched.downloaded == len(body)


def test_truncated_and_corrupt_streams(tmp_path: Path) -> None:
    body = gzip.compress(os.urandom(50_000))
    with pytest.raises(DownloadFailed, match="Truncated"):
        download.copy_stream(io.BytesIO(body[:-20]), str(tmp_path / "t"), url="http://h/t.gz",
                             total=None, max_bytes=10**9)
    with pytest.raises(DownloadFailed, match="ended after"):
        download.copy_stream(io.BytesIO(b"abc"), str(tmp_path / "s"), url="http://h/s",
                             total=10, max_bytes=10**9)


def test_progress_steps(tmp_path: Path) -> None:
    seen: list[int] = []
    download.copy_stream(io.BytesIO(bytes(download.CHUNK * 40)), str(tmp_path / "p"),
                         url="http://h/p", total=download.CHUNK * 40, max_bytes=10**9,
                         progress=seen.append)
    assert seen == sorted(seen) and 0 < len(seen) <= 21 and max(seen) <= 99
    assert all(b - a >= 5 for a, b in zip(seen, seen[1:], strict=False))


def test_fetch_over_http(images: ImageServer, tmp_path: Path) -> None:
    data = os.urandom(100_000)
    url = images.serve("img.raw", data)
    sha = "{sha256}" + hashlib.sha256(data).hexdigest()
    fetched = download.fetch(url, str(tmp_path / "img"), max_bytes=10**6,
                             checksum=download.parse_checksum(sha))
    assert fetched.physical_size == len(data)
    with pytest.raises(DownloadFailed, match="Checksum mismatch"):
        download.fetch(url, str(tmp_path / "img2"), max_bytes=10**6,
                       checksum=download.parse_checksum(hashlib.md5(b"").hexdigest()))
    assert not (tmp_path / "img2").exists()
    with pytest.raises(DownloadFailed, match="HTTP 404"):
        download.fetch(images.add("/gone", Route(status=404)), str(tmp_path / "x"),
                       max_bytes=10**6)
    big = images.serve("big", b"x", content_length=5 * 1024**3)
    with pytest.raises(DownloadFailed, match="larger than max.template.iso.size"):
        download.fetch(big, str(tmp_path / "y"), max_bytes=1024**3)
    with pytest.raises(DownloadFailed, match="Unsupported URL scheme"):
        download.fetch("file:///etc/passwd", str(tmp_path / "z"), max_bytes=10**6)
    with pytest.raises(DownloadFailed, match="Unable to fetch"):
        download.fetch("http://127.0.0.1:9/nothing", str(tmp_path / "w"), max_bytes=10**6)
