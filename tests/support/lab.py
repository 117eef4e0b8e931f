"""The `lab_hosts` fixture: the one-box lab (lab/), brought up once per test session.

Use it from a conftest.py: `from tests.support.lab import lab_hosts  # noqa: F401` (and
`lab_images`, `lab_image_urls`: the guest images, and the same on a loopback HTTP server).

Several test sessions may share one lab (engineers run suites side by side): each session
holds a lease (a file named by its pid) while it runs; the lab is brought down by the last
session to leave, and only when a test session (not a person, `cirrus lab up`) brought it up.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

import lab
from lab import control, images, topology
from tests.support.image_server import ImageServer, md5, start_image_server

LEASES = topology.LEASE_DIR
SESSION_OWNED = topology.SESSION_OWNED_FILE
TOOLS = ("ip", "nsenter", "unshare", "libvirtd", "virtlogd", "virsh", "ssh", "ssh-keygen")


def unavailable() -> str | None:
    """Why this machine cannot run the lab, or None when it can."""
    if os.geteuid() != 0:
        return "the lab needs root (network namespaces, bridges, libvirtd); run pytest as root"
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if not os.path.exists("/usr/sbin/sshd"):
        missing.append("sshd")
    if missing:
        return (f"the lab needs {', '.join(missing)}: apt-get install libvirt-daemon "
                "libvirt-daemon-driver-qemu libvirt-daemon-driver-lxc libvirt-clients "
                "openssh-server iproute2 (scripts/setup)")
    try:
        import libvirt  # noqa: F401
    except ImportError:
        return "libvirt-python is not installed in this environment (pip install -e .)"
    probe = subprocess.run(["unshare", "--net", "--mount", "true"], capture_output=True,
                           text=True)
    if probe.returncode != 0:
        return f"this machine cannot create network/mount namespaces: {probe.stderr.strip()}"
    return None


@pytest.fixture(scope="session")
def lab_hosts() -> Iterator[lab.Lab]:
    """The running lab (two hosts at least), shared by every test of the session."""
    reason = unavailable()
    if reason:
        pytest.skip(reason)
    lease = os.path.join(LEASES, str(os.getpid()))
    with control.locked():
        recorded = lab.status().recorded
        if not recorded:
            with open(SESSION_OWNED, "w") as handle:
                handle.write(f"{os.getpid()}\n")
        os.makedirs(LEASES, exist_ok=True)
        with open(lease, "w") as handle:
            handle.write("pytest\n")
    try:
        the_lab = lab.up(hosts=2)
    except lab.LabError as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(lease)
        pytest.fail(f"cirrus lab up failed: {exc}")
    yield the_lab
    with control.locked():
        with contextlib.suppress(FileNotFoundError):
            os.unlink(lease)
        last_out = not [pid for pid in control.live_leases() if pid != os.getpid()]
        bring_down = last_out and os.path.exists(SESSION_OWNED)
    if bring_down:
        # Refused when another session took a lease meanwhile: it brings the lab down.
        with contextlib.suppress(lab.LabError):
            lab.down()


@pytest.fixture(scope="session")
def lab_images() -> images.GuestImages:
    """The lab's guest images (built from Debian packages once, then cached)."""
    if os.geteuid() != 0:
        pytest.skip("building the lab guest images needs root (mknod, apt-get download)")
    try:
        return images.build()
    except images.ImageError as exc:
        pytest.skip(f"the lab guest images cannot be made on this machine: {exc}")


@dataclass(frozen=True)
class ServedImage:
    url: str
    checksum: str  # md5, as registerTemplate's checksum parameter takes it
    size: int


@dataclass(frozen=True)
class LabImageUrls:
    """The lab images on a loopback HTTP server, to registerTemplate/registerIso them."""

    server: ImageServer
    qcow2: ServedImage  # cirrus-tiny.qcow2 (format QCOW2, BIOS-bootable)
    iso: ServedImage  # cirrus-tiny.iso (bootable)
    lxc_rootfs: ServedImage  # lxc-rootfs.tar.gz (format TAR for LXC zones)
    kernel: ServedImage
    initrd: ServedImage


def serve_lab_images(server: ImageServer, guest_images: images.GuestImages) -> LabImageUrls:
    """Put the lab images on `server` (tests/support/image_server.py) under stable names."""

    def serve(path: str, name: str) -> ServedImage:
        with open(path, "rb") as handle:
            body = handle.read()
        return ServedImage(server.serve(name, body), md5(body), len(body))

    return LabImageUrls(
        server=server,
        qcow2=serve(guest_images.template_qcow2, "cirrus-tiny.qcow2"),
        iso=serve(guest_images.iso, "cirrus-tiny.iso"),
        lxc_rootfs=serve(guest_images.lxc_rootfs_tarball, "cirrus-tiny-lxc.tar.gz"),
        kernel=serve(guest_images.kernel, "vmlinuz"),
        initrd=serve(guest_images.initrd, "initrd.gz"))


@pytest.fixture(scope="session")
def lab_image_urls(lab_images: images.GuestImages) -> Iterator[LabImageUrls]:
    """A loopback HTTP server (127.0.0.1, free port) serving the lab images."""
    server = start_image_server()
    try:
        yield serve_lab_images(server, lab_images)
    finally:
        server.stop()
