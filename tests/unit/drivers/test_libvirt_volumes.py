"""The management server's side of libvirt volume import and export (volumes.py,
streams.py): checking an image before it is uploaded, turning a downloaded backing chain
into one standalone qcow2, the sections of a sparse file. Real qemu-img; no libvirtd."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from appliance.drivers.hypervisor.base import DriverError
from appliance.drivers.hypervisor.libvirt import streams, volumes

MIB = 1 << 20
pytestmark = pytest.mark.skipif(shutil.which("qemu-img") is None or
                                shutil.which("qemu-io") is None,
                                reason="needs qemu-img and qemu-io (qemu-utils)")


def _img(*args: str) -> None:
    subprocess.run(["qemu-img", *args], check=True, capture_output=True)


def _io(path: str, fmt: str, command: str) -> None:
    subprocess.run(["qemu-io", "-f", fmt, "-c", command, path], check=True,
                   capture_output=True)


def _sector(path: str, sector: int, tmp: Path) -> bytes:
    raw = tmp / "read.raw"
    _img("convert", "-O", "raw", path, str(raw))
    with open(raw, "rb") as handle:
        handle.seek(sector * 512)
        return handle.read(512)


def test_inspect_takes_standalone_qcow2_and_raw_images(tmp_path: Path) -> None:
    raw = tmp_path / "disk.raw"
    raw.write_bytes(b"\0" * (3 * MIB))
    assert volumes.inspect(str(raw)) == volumes.ImageInfo(format="raw",
                                                          virtual_size=3 * MIB)
    qcow2 = tmp_path / "disk.qcow2"
    _img("create", "-f", "qcow2", str(qcow2), "40M")
    assert volumes.inspect(str(qcow2)) == volumes.ImageInfo(format="qcow2",
                                                            virtual_size=40 * MIB)


@pytest.mark.parametrize("kind", ["backing file", "data file", "vmdk", "missing"])
def test_inspect_refuses_what_could_reach_other_files_or_is_no_image(
        tmp_path: Path, kind: str) -> None:
    path = str(tmp_path / "image")
    if kind == "backing file":
        _img("create", "-f", "qcow2", str(tmp_path / "base.qcow2"), "1M")
        _img("create", "-f", "qcow2", "-b", str(tmp_path / "base.qcow2"), "-F", "qcow2",
             path)
    elif kind == "data file":
        _img("create", "-f", "qcow2", "-o", f"data_file={tmp_path / 'data.raw'}", path, "1M")
    elif kind == "vmdk":
        _img("create", "-f", "vmdk", path, "1M")
    with pytest.raises(DriverError) as failure:
        volumes.inspect(path)
    assert path in failure.value.text
    assert {"backing file": "backing file", "data file": "external data file",
            "vmdk": "vmdk image", "missing": "no such file"}[kind] in failure.value.text


def test_flatten_turns_a_downloaded_chain_into_one_standalone_qcow2(tmp_path: Path) -> None:
    """A root disk as a host keeps it: a qcow2 overlay (backing file named by its path on
    the host) on a raw template; downloaded, rebased onto the local copy, converted."""
    template = tmp_path / "template.raw"
    with open(template, "wb") as handle:
        handle.write(b"TEMPLATE-FIRST".ljust(512, b"\0"))
        handle.seek(8 * MIB - 512)
        handle.write(b"TEMPLATE-LAST".ljust(512, b"\0"))
    overlay = tmp_path / "overlay.qcow2"
    _img("create", "-f", "qcow2", "-b", str(template), "-F", "raw", str(overlay), "16M")
    _io(str(overlay), "qcow2", "write -P 0x61 512 512")  # sector 1
    _io(str(overlay), "qcow2", f"write -P 0x7a {16 * MIB - 512} 512")  # the last sector
    _img("rebase", "-u", "-f", "qcow2", "-b", "/var/lib/libvirt/images/p1/tmpl-9", "-F",
         "raw", str(overlay))  # as on the host
    workdir = tmp_path / "work"
    workdir.mkdir()
    layers = [volumes.Layer(path=str(workdir / "layer-0.qcow2"), format="qcow2"),
              volumes.Layer(path=str(workdir / "layer-1.raw"), format="raw")]
    shutil.copy(overlay, layers[0].path)
    shutil.copy(template, layers[1].path)
    dest = tmp_path / "export.qcow2"

    volumes.flatten(layers, str(dest), str(workdir))

    info = json.loads(subprocess.run(["qemu-img", "info", "--output=json", str(dest)],
                                     capture_output=True, text=True, check=True).stdout)
    assert info["format"] == "qcow2" and "backing-filename" not in info
    assert info["virtual-size"] == 16 * MIB
    assert _sector(str(dest), 0, tmp_path).startswith(b"TEMPLATE-FIRST")
    assert _sector(str(dest), 1, tmp_path) == b"a" * 512
    assert _sector(str(dest), 8 * 2048 - 1, tmp_path).startswith(b"TEMPLATE-LAST")
    assert _sector(str(dest), 16 * 2048 - 1, tmp_path) == b"z" * 512
    assert sorted(os.listdir(workdir)) == ["layer-0.qcow2", "layer-1.raw"]  # renamed out


def test_export_workdir_is_beside_the_destination_and_goes_away(tmp_path: Path) -> None:
    dest = tmp_path / "snapshots" / "s1.qcow2"
    with pytest.raises(DriverError, match="is not a directory on the management server"), \
            volumes.workdir_beside(str(dest)):
        pass
    dest.parent.mkdir()
    with volumes.workdir_beside(str(dest)) as workdir:
        assert os.path.dirname(workdir) == str(dest.parent)
        Path(workdir, "partial").write_bytes(b"x")
    assert os.listdir(dest.parent) == []


def test_sparse_sections_of_a_file(tmp_path: Path) -> None:
    path = tmp_path / "sparse.raw"
    with open(path, "wb") as handle:
        handle.truncate(4 * MIB)
        handle.seek(MIB)
        handle.write(b"x" * 4096)
    fd = os.open(path, os.O_RDONLY)
    try:
        assert streams.section(None, fd) == (False, MIB)
        os.lseek(fd, MIB, os.SEEK_SET)
        in_data, length = streams.section(None, fd)
        assert in_data and 4096 <= length < 4 * MIB - MIB
        assert os.lseek(fd, 0, os.SEEK_CUR) == MIB  # the offset stays
        os.lseek(fd, MIB + length, os.SEEK_SET)
        assert streams.section(None, fd) == (False, 3 * MIB - length)
        os.lseek(fd, 4 * MIB, os.SEEK_SET)
        assert streams.section(None, fd) == (False, 0)  # the end
    finally:
        os.close(fd)
