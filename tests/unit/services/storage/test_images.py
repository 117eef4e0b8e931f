"""qemu-img helpers: incremental chains are smaller than full copies and read back the
exact bytes; rebasing keeps a chain readable when a member goes."""

from __future__ import annotations

import os
import subprocess

import pytest

from appliance.drivers.hypervisor.base import DriverError
from appliance.services.storage import images

MIB = 1024**2
SIZE = 64 * MIB


def _disk(path: str, writes: dict[int, bytes], base: str | None = None) -> str:
    """A raw disk: a copy of `base` (or zeros) with `writes` (offset -> bytes) applied."""
    with open(path, "wb") as handle:
        if base is not None:
            with open(base, "rb") as source:
                handle.write(source.read())
        handle.truncate(SIZE)
    with open(path, "r+b") as handle:
        for offset, data in writes.items():
            handle.seek(offset)
            handle.write(data)
    return path


def _qcow2(raw: str, dest: str) -> str:
    images.convert(raw, dest, source_format="raw")
    return dest


def _raw_bytes(image: str, tmp_path: object) -> bytes:
    """What a guest reads from `image` (its whole chain), as raw bytes."""
    out = os.path.join(str(tmp_path), f"read-{os.path.basename(image)}.raw")
    subprocess.run(["qemu-img", "convert", "-O", "raw", image, out], check=True)
    with open(out, "rb") as handle:
        data = handle.read()
    os.unlink(out)
    return data


def test_incremental_chain_is_small_and_reads_every_version(tmp_path: object) -> None:
    d = str(tmp_path)
    payload = os.urandom(8 * MIB)
    v1 = _disk(f"{d}/v1.raw", {MIB: payload})
    v2 = _disk(f"{d}/v2.raw", {20 * MIB: os.urandom(64 * 1024)}, base=v1)
    v3 = _disk(f"{d}/v3.raw", {MIB: os.urandom(128 * 1024)}, base=v2)
    snaps = f"{d}/snapshots"
    s1 = _qcow2(v1, f"{snaps}/s1.qcow2")
    full2, full3 = _qcow2(v2, f"{d}/full2.qcow2"), _qcow2(v3, f"{d}/full3.qcow2")
    images.convert_incremental(full2, s1, f"{snaps}/s2.qcow2")
    images.convert_incremental(full3, f"{snaps}/s2.qcow2", f"{snaps}/s3.qcow2")

    for delta, full in ((f"{snaps}/s2.qcow2", full2), (f"{snaps}/s3.qcow2", full3)):
        # A delta holds only the changed clusters, a full copy all 8 MiB of data.
        assert os.path.getsize(delta) < os.path.getsize(full) // 8
    s3 = images.info(f"{snaps}/s3.qcow2")
    assert (s3.virtual_size, s3.format, s3.backing) == (SIZE, "qcow2", "s2.qcow2")
    assert s3.backing_path == f"{snaps}/s2.qcow2"
    assert images.info(s1).backing is None
    for image, raw in ((s1, v1), (f"{snaps}/s2.qcow2", v2), (f"{snaps}/s3.qcow2", v3)):
        with open(raw, "rb") as handle:
            assert _raw_bytes(image, tmp_path) == handle.read()
    assert not [name for name in os.listdir(snaps) if name.endswith(".part")]


def test_removing_a_middle_snapshot_keeps_later_ones_readable(tmp_path: object) -> None:
    d = str(tmp_path)
    v1 = _disk(f"{d}/v1.raw", {0: os.urandom(2 * MIB)})
    v2 = _disk(f"{d}/v2.raw", {4 * MIB: os.urandom(MIB)}, base=v1)
    v3 = _disk(f"{d}/v3.raw", {0: os.urandom(64 * 1024)}, base=v2)
    s1 = _qcow2(v1, f"{d}/s1.qcow2")
    images.convert_incremental(_qcow2(v2, f"{d}/f2.qcow2"), s1, f"{d}/s2.qcow2")
    images.convert_incremental(_qcow2(v3, f"{d}/f3.qcow2"), f"{d}/s2.qcow2", f"{d}/s3.qcow2")

    images.rebase(f"{d}/s3.qcow2", s1)  # s2 goes: s3 takes in what s2 gave it
    os.unlink(f"{d}/s2.qcow2")
    assert images.info(f"{d}/s3.qcow2").backing == "s1.qcow2"
    with open(v3, "rb") as handle:
        assert _raw_bytes(f"{d}/s3.qcow2", tmp_path) == handle.read()

    images.flatten(f"{d}/s3.qcow2")  # then the full one goes too
    os.unlink(s1)
    assert images.info(f"{d}/s3.qcow2").backing is None
    with open(v3, "rb") as handle:
        assert _raw_bytes(f"{d}/s3.qcow2", tmp_path) == handle.read()


def test_convert_flattens_a_chain_into_a_standalone_copy(tmp_path: object) -> None:
    d = str(tmp_path)
    v1 = _disk(f"{d}/v1.raw", {MIB: b"first" * 1000})
    v2 = _disk(f"{d}/v2.raw", {3 * MIB: b"second" * 1000}, base=v1)
    s1 = _qcow2(v1, f"{d}/s1.qcow2")
    images.convert_incremental(_qcow2(v2, f"{d}/f2.qcow2"), s1, f"{d}/s2.qcow2")
    images.convert(f"{d}/s2.qcow2", f"{d}/out/standalone.qcow2")
    os.unlink(s1)
    assert images.info(f"{d}/out/standalone.qcow2").backing is None
    with open(v2, "rb") as handle:
        assert _raw_bytes(f"{d}/out/standalone.qcow2", tmp_path) == handle.read()


def test_failures_name_the_file_and_leave_nothing_behind(tmp_path: object) -> None:
    d = str(tmp_path)
    with pytest.raises(DriverError, match="missing.qcow2 does not exist"):
        images.convert(f"{d}/missing.qcow2", f"{d}/out.qcow2")
    with open(f"{d}/broken.qcow2", "wb") as handle:
        handle.write(b"QFI\xfb" + b"\xff" * 200)  # a qcow2 magic with a corrupt header
    with pytest.raises(DriverError, match=r"qemu-img convert of .*broken.qcow2 failed: "):
        images.convert(f"{d}/broken.qcow2", f"{d}/out.qcow2")
    full = _qcow2(_disk(f"{d}/v.raw", {0: b"x" * 4096}), f"{d}/full.qcow2")
    with pytest.raises(DriverError, match="Parent image .*nothing.qcow2 does not exist"):
        images.convert_incremental(full, f"{d}/nothing.qcow2", f"{d}/delta.qcow2")
    with pytest.raises(DriverError, match="qemu-img info of .*broken.qcow2 failed"):
        images.info(f"{d}/broken.qcow2")
    assert sorted(os.listdir(d)) == ["broken.qcow2", "full.qcow2", "v.raw"]
