"""Small guests for the libvirt driver tests, from Debian packages only (cached):

- lxc_rootfs(): a raw ext4 image with busybox-static and two inits: /sbin/init prints
  `CIRRUS-TEST-BOOTED` and exits on SIGTERM; /sbin/stubborn ignores SIGTERM;
- kernel(): Debian's vmlinuz (`apt-get download` of linux-image-amd64's kernel package);
- initrd(): a busybox initramfs whose /init prints `CIRRUS-TEST-BOOTED` on ttyS0 (it has no
  ACPI handling: a graceful stop of that guest must end forced);
- blank_qcow2(): a 16 MiB qcow2 template for root disks of direct-kernel-boot guests.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile

CACHE = os.environ.get("CIRRUS_TEST_CACHE", "/var/cache/cirrus-test")
MARKER = "CIRRUS-TEST-BOOTED"
BUSYBOX = "/bin/busybox"
APPLETS = ("sh", "sleep", "echo", "cat", "mount", "ls", "ip", "poweroff", "reboot")

LXC_INIT = f"""#!/bin/sh
trap 'echo cirrus-test: stopping; exit 0' TERM
ip link set eth0 up 2>/dev/null
echo {MARKER}
while :; do sleep 1; done
"""
STUBBORN_INIT = f"""#!/bin/sh
trap '' TERM
ip link set eth0 up 2>/dev/null
echo {MARKER}
while :; do sleep 1; done
"""
QEMU_INIT = f"""#!/bin/sh
mount -t devtmpfs devtmpfs /dev
mount -t proc proc /proc
mount -t sysfs sysfs /sys
echo {MARKER} > /dev/ttyS0
while :; do sleep 1; done
"""


def unavailable() -> str | None:
    missing = [tool for tool in ("mkfs.ext4", "cpio", "gzip", "qemu-img", "apt-get",
                                 "dpkg-deb") if shutil.which(tool) is None]
    if not os.path.exists(BUSYBOX):
        missing.append("busybox-static")
    return f"guest images need {', '.join(missing)}" if missing else None


def _tree(root: str, inits: dict[str, str]) -> None:
    for directory in ("bin", "sbin", "proc", "sys", "dev", "tmp", "etc", "root"):
        os.makedirs(os.path.join(root, directory), exist_ok=True)
    shutil.copy2(BUSYBOX, os.path.join(root, "bin", "busybox"))
    for applet in APPLETS:
        os.symlink("busybox", os.path.join(root, "bin", applet))
    for path, text in inits.items():
        target = os.path.join(root, path.lstrip("/"))
        with open(target, "w") as handle:
            handle.write(text)
        os.chmod(target, 0o755)


def _cached(name: str) -> str:
    os.makedirs(CACHE, exist_ok=True)
    return os.path.join(CACHE, name)


def lxc_rootfs() -> str:
    out = _cached("lxc-rootfs-v2.img")
    if not os.path.exists(out):
        with tempfile.TemporaryDirectory() as scratch:
            root = os.path.join(scratch, "root")
            _tree(root, {"/sbin/init": LXC_INIT, "/sbin/stubborn": STUBBORN_INIT})
            subprocess.run(["mkfs.ext4", "-q", "-d", root, f"{out}.tmp", "16M"], check=True)
        os.replace(f"{out}.tmp", out)
    return out


def initrd() -> str:
    out = _cached("initrd-v2.cpio.gz")
    if not os.path.exists(out):
        with tempfile.TemporaryDirectory() as scratch:
            root = os.path.join(scratch, "root")
            _tree(root, {"/init": QEMU_INIT})
            find = subprocess.run(["find", "."], cwd=root, capture_output=True, check=True)
            archive = subprocess.run(["cpio", "-o", "-H", "newc", "--quiet"], cwd=root,
                                     input=find.stdout, capture_output=True, check=True)
            packed = subprocess.run(["gzip", "-9"], input=archive.stdout,
                                    capture_output=True, check=True)
        with open(f"{out}.tmp", "wb") as handle:
            handle.write(packed.stdout)
        os.replace(f"{out}.tmp", out)
    return out


def kernel() -> str:
    found = sorted(glob.glob(os.path.join(CACHE, "kernel", "x", "boot", "vmlinuz-*")))
    if found:
        return found[-1]
    directory = _cached("kernel")
    os.makedirs(directory, exist_ok=True)
    depends = subprocess.run(["apt-cache", "depends", "linux-image-amd64"],
                             capture_output=True, text=True, check=True).stdout
    package = next(line.split()[-1] for line in depends.splitlines()
                   if "Depends:" in line and "linux-image-" in line)
    subprocess.run(["apt-get", "download", package], cwd=directory, check=True,
                   capture_output=True)
    deb = sorted(glob.glob(os.path.join(directory, f"{package}_*.deb")))[-1]
    extract = os.path.join(directory, "x")
    os.makedirs(extract, exist_ok=True)
    tar = subprocess.run(["dpkg-deb", "--fsys-tarfile", deb], capture_output=True,
                         check=True)
    subprocess.run(["tar", "-x", "-C", extract, "--wildcards", "./boot/vmlinuz-*"],
                   input=tar.stdout, check=True)
    return sorted(glob.glob(os.path.join(extract, "boot", "vmlinuz-*")))[-1]


def blank_qcow2() -> str:
    out = _cached("blank-16m.qcow2")
    if not os.path.exists(out):
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", f"{out}.tmp", "16M"],
                       check=True)
        os.replace(f"{out}.tmp", out)
    return out
