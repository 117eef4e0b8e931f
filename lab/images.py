"""Guest images for the lab, made only from Debian packages (`apt-get download` into
/var/cache/cirrus-lab/debs, then extracted):

- kernel: Debian's `linux-image-amd64` (its vmlinuz);
- initrd: a busybox-static initramfs (cpio.gz) with the kernel's virtio modules. Its /init
  mounts proc/sys/dev, loads the modules, brings eth0 up (static address from the kernel
  command line or the environment, else DHCP with udhcpc), prints
  `CIRRUS-GUEST-BOOTED <hostname>` on the console (ttyS0 for QEMU), serves its hostname on
  HTTP port 80, powers off on the ACPI power button (QEMU) or SIGTERM (LXC), and keeps a
  shell on the console; in QEMU guests it also runs the disk agent (below);
- template_qcow2: `cirrus-tiny.qcow2`, a 64 MiB BIOS-bootable disk (MBR, one FAT partition
  with SYSLINUX, the kernel and the initrd, ending 1 MiB before the end of the disk so the
  disk agent's root marker lies outside it): a VM whose root disk is a qcow2 overlay on it
  boots to the marker with no kernel/initrd outside the disk. (A domain may instead boot the
  kernel and initrd directly, `<kernel>`/`<initrd>`/`<cmdline>`, e.g. to pass
  `cirrus.hostname=` or a static address; the disk is then just a disk.)
- iso: `cirrus-tiny.iso`, the same kernel and initrd on an ISOLINUX CD (bootable ISO);
- lxc_rootfs: a directory with the same busybox tree and /sbin/init (the same script) for
  libvirt LXC domains (`<filesystem type='mount'>`, may be shared read-only: everything the
  guest writes goes to tmpfs), and lxc_rootfs_tarball, the same as .tar.gz.

Guest settings (kernel command line `cirrus.NAME=VALUE`, or for LXC `<initenv>`
`CIRRUS_NAME`): hostname, ip (ADDRESS/PREFIX), gw, dns, ping (an address the guest pings
until it answers, printing `CIRRUS-PING-OK <address>`). After DHCP the guest prints
`CIRRUS-GUEST-IP <address> <hostname>`.

Disk agent (/sbin/cirrus-disk-agent, QEMU guests only; LXC guests get no block devices):
once a second it compares the virtio disks in /sys/block with what it saw before and says
on the console (the serial log):
- `CIRRUS-DISK-READ vdX <marker>`: a new disk whose marker sector holds a line
  `CIRRUS-DATA <marker>`; `CIRRUS-DISK-WROTE vdX <marker>`: the sector was blank, the agent
  wrote a new marker (`<hostname>-<8 hex digits>`) there (fsync'ed before it says so);
  `CIRRUS-DISK-OTHER vdX`: the sector holds something else (left alone).
  The marker sector of a data disk is its first, of the root disk vda its last (outside
  the partition: a copy of the root disk, a snapshot or a template made from it, carries
  the marker to the VM that boots from it, as long as the size stays the same).
- `CIRRUS-DISK-SIZE vdX <bytes>`: a known disk changed size (an online resize);
  `CIRRUS-DISK-GONE vdX`: a known disk went away (hot unplug).
- `CIRRUS-CDROM sr0 <volume label>` / `CIRRUS-CDROM-EMPTY sr0`: the CD-ROM drive's medium
  changed (an ISO inserted or ejected while the guest runs).
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import hashlib
import json
import os
import shutil
import struct
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass

from lab import topology

MARKER = "CIRRUS-GUEST-BOOTED"
IP_MARKER = "CIRRUS-GUEST-IP"
PING_MARKER = "CIRRUS-PING-OK"
DISK_READ = "CIRRUS-DISK-READ"
DISK_WROTE = "CIRRUS-DISK-WROTE"
DISK_OTHER = "CIRRUS-DISK-OTHER"
DISK_SIZE = "CIRRUS-DISK-SIZE"
DISK_GONE = "CIRRUS-DISK-GONE"
CDROM = "CIRRUS-CDROM"
CDROM_EMPTY = "CIRRUS-CDROM-EMPTY"
DISK_DATA = "CIRRUS-DATA"  # the marker line on a disk
DEBS_DIR = os.path.join(topology.CACHE_DIR, "debs")
IMAGES_DIR = os.path.join(topology.CACHE_DIR, "images")
KERNEL_META_PACKAGE = "linux-image-amd64"
BUSYBOX_PACKAGE = "busybox-static"
# Modules the initramfs loads (with their dependencies, found by modinfo).
MODULES = ("virtio_pci", "virtio_net", "virtio_blk", "virtio_console", "virtio_rng",
           "virtio_balloon", "button", "evdev", "ata_piix", "sr_mod")
DISK_SIZE_MIB = 64
PARTITION_MIB = DISK_SIZE_MIB - 2  # from 1 MiB; the last MiB stays outside the partition
SYSLINUX_DIRS = ("/usr/lib/syslinux/modules/bios", "/usr/lib/syslinux")
MBR_BIN = "/usr/lib/syslinux/mbr/mbr.bin"
ISOLINUX_BIN = "/usr/lib/ISOLINUX/isolinux.bin"

INIT = r"""#!/bin/sh
# Cirrus lab guest init (busybox). PID 1 in a QEMU guest's initramfs or an LXC domain.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root TERM=vt100
cd /
# Before anything can signal it (the boot marker included): a SIGTERM that arrives early
# must still end the guest. libvirt LXC's shutdown is SIGTERM to init.
if [ -n "${container:-}" ]; then
  trap 'kill -TERM -1 2>/dev/null; exit 0' TERM
else
  trap 'poweroff -f' TERM
fi
if [ -z "${container:-}" ]; then
  mount -t proc proc /proc
  mount -t sysfs sysfs /sys
  mount -t devtmpfs devtmpfs /dev
  exec 0</dev/console 1>/dev/console 2>&1
  mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
  for m in $(cat /lib/modules/order 2>/dev/null); do insmod "/lib/modules/$m.ko" 2>/dev/null; done
  for word in $(cat /proc/cmdline); do
    case "$word" in
      cirrus.*=*) name=${word#cirrus.}; name=${name%%=*}
                  value=${word#*=}
                  export "CIRRUS_$(echo "$name" | tr a-z A-Z)=$value" ;;
    esac
  done
fi
mount -t tmpfs tmpfs /tmp 2>/dev/null
mount -t tmpfs tmpfs /run 2>/dev/null
HOSTNAME=${CIRRUS_HOSTNAME:-}
[ -n "$HOSTNAME" ] || HOSTNAME=$(hostname)
case "$HOSTNAME" in ""|"(none)"|localhost) HOSTNAME=cirrus-guest ;; esac
hostname "$HOSTNAME"
echo "$HOSTNAME" > /tmp/hostname
echo "$HOSTNAME" > /tmp/index.html
: > /tmp/resolv.conf
ip link set lo up
ip link set eth0 up 2>/dev/null
if [ -n "${CIRRUS_IP:-}" ]; then
  ip addr add "$CIRRUS_IP" dev eth0
  [ -n "${CIRRUS_GW:-}" ] && ip route add default via "$CIRRUS_GW"
  [ -n "${CIRRUS_DNS:-}" ] && echo "nameserver $CIRRUS_DNS" > /tmp/resolv.conf
fi
echo "CIRRUS-GUEST-BOOTED $HOSTNAME"
if [ -z "${container:-}" ]; then
  cirrus-disk-agent "$HOSTNAME" &
fi
if [ -z "${CIRRUS_IP:-}" ] && ip link show eth0 >/dev/null 2>&1 \
   && ! ip -4 addr show dev eth0 | grep -q inet; then
  udhcpc -i eth0 -b -S -s /etc/udhcpc.script -x "hostname:$HOSTNAME" >/dev/null 2>&1
fi
httpd -p 80 -h /tmp
if [ -n "${CIRRUS_PING:-}" ]; then
  ( while ! ping -c 1 -W 1 "$CIRRUS_PING" >/dev/null 2>&1; do sleep 0.2; done
    echo "CIRRUS-PING-OK $CIRRUS_PING" ) &
fi
if [ -z "${container:-}" ]; then
  acpid -c /etc/acpi 2>/dev/null
fi
if [ -n "${container:-}" ]; then shell="sh -l"; else shell="cttyhack sh -l"; fi
( while :; do setsid $shell; sleep 1; done ) &
while :; do sleep 3600 & wait $!; done
"""

DISK_AGENT = r"""#!/bin/sh
# Cirrus lab disk agent (QEMU guests; started by /init, see lab/images.py): reports the
# virtio disks and the CD-ROM medium the guest sees on the console, once a second.
name=${1:-cirrus-guest}
say() { echo "$*" > /dev/console; }
# check DEV SECTORS: the marker sector of a new disk (the first; the last for vda).
check() {
  dev=$1 sector=0
  [ "$dev" = vda ] && sector=$(($2 - 1))
  dd if="/dev/$dev" of=/tmp/agent.sector bs=512 skip="$sector" count=1 2>/dev/null \
    || return 1
  [ "$(wc -c < /tmp/agent.sector)" -eq 512 ] || return 1
  line=$(head -n 1 /tmp/agent.sector | tr -d '\000')
  case "$line" in
    "CIRRUS-DATA "*) say "CIRRUS-DISK-READ $dev ${line#CIRRUS-DATA }"; return 0 ;;
  esac
  if [ "$(tr -d '\000' < /tmp/agent.sector | wc -c)" -ne 0 ]; then
    say "CIRRUS-DISK-OTHER $dev"; return 0
  fi
  marker="$name-$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  echo "CIRRUS-DATA $marker" > /tmp/agent.marker
  dd if=/tmp/agent.marker of="/dev/$dev" bs=512 seek="$sector" count=1 \
    conv=sync,notrunc,fsync 2>/dev/null || return 1
  say "CIRRUS-DISK-WROTE $dev $marker"
}
# The kernel must neither close the tray nor lock the door when the agent reads the drive:
# libvirt opens the tray to change the medium.
echo 0 2>/dev/null > /proc/sys/dev/cdrom/autoclose
echo 0 2>/dev/null > /proc/sys/dev/cdrom/lock
known=" " label=""
while :; do
  seen=" "
  for path in /sys/block/vd*; do
    [ -e "$path/size" ] || continue
    dev=${path##*/}
    sectors=$(cat "$path/size")
    [ "$sectors" -gt 0 ] 2>/dev/null || continue
    case "$known" in
      *" $dev:$sectors "*) ;;
      *" $dev:"*) say "CIRRUS-DISK-SIZE $dev $((sectors * 512))" ;;
      *) check "$dev" "$sectors" || continue ;;
    esac
    seen="$seen$dev:$sectors "
  done
  for entry in $known; do
    case "$seen" in *" ${entry%%:*}:"*) ;; *) say "CIRRUS-DISK-GONE ${entry%%:*}" ;; esac
  done
  known=$seen
  if [ -e /dev/sr0 ]; then
    now=$(dd if=/dev/sr0 bs=2048 skip=16 count=1 2>/dev/null \
          | dd bs=1 skip=40 count=32 2>/dev/null | tr -d '\000' | sed 's/ *$//')
    if [ "$now" != "$label" ]; then
      if [ -n "$now" ]; then say "CIRRUS-CDROM sr0 $now"; else say "CIRRUS-CDROM-EMPTY sr0"; fi
      label=$now
    fi
  fi
  sleep 1
done
"""

UDHCPC_SCRIPT = r"""#!/bin/sh
# udhcpc events: configure eth0 from the lease and say so on the console.
case "$1" in
  deconfig) ip -4 addr flush dev "$interface" ;;
  bound|renew)
    ip -4 addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    for r in $router; do ip route add default via "$r" dev "$interface"; break; done
    : > /tmp/resolv.conf
    for d in $dns; do echo "nameserver $d" >> /tmp/resolv.conf; done
    [ "$1" = bound ] && echo "CIRRUS-GUEST-IP $ip $(hostname)" > /dev/console
    ;;
esac
exit 0
"""

SYSLINUX_CFG = """SERIAL 0 115200
DEFAULT cirrus
PROMPT 0
TIMEOUT 0
LABEL cirrus
  KERNEL vmlinuz
  INITRD initrd.gz
  APPEND console=tty0 console=ttyS0,115200 quiet
"""


@dataclass(frozen=True)
class GuestImages:
    kernel: str
    initrd: str
    template_qcow2: str
    iso: str
    lxc_rootfs: str
    lxc_rootfs_tarball: str
    kernel_version: str
    kernel_package: str
    busybox_package: str


class ImageError(RuntimeError):
    """The guest images cannot be made; the text says which step failed."""


def _run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, capture_output=True, text=True, **kwargs)  # type: ignore
    if result.returncode != 0:
        raise ImageError(f"{' '.join(args)} failed (rc {result.returncode}): "
                         f"{(result.stderr or result.stdout).strip()[-2000:]}")
    return result


@contextlib.contextmanager
def _locked() -> Iterator[None]:
    os.makedirs(topology.CACHE_DIR, exist_ok=True)
    with open(os.path.join(topology.CACHE_DIR, "lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _kernel_package() -> str:
    """The versioned kernel package linux-image-amd64 depends on (apt-cache)."""
    result = subprocess.run(["apt-cache", "depends", KERNEL_META_PACKAGE],
                            capture_output=True, text=True)
    for line in result.stdout.splitlines():
        line = line.strip()
        if line.startswith("Depends:") and "linux-image-" in line:
            return line.split()[-1]
    raise ImageError(f"apt-cache cannot resolve {KERNEL_META_PACKAGE} (run apt-get update): "
                     f"{result.stderr.strip()}")


def _deb(pattern: str) -> str | None:
    found = sorted(glob.glob(os.path.join(DEBS_DIR, pattern)))
    return found[-1] if found else None


def fetch_debs(refresh: bool = False) -> tuple[str, str]:
    """The kernel and busybox-static .deb files, downloaded once into the cache."""
    os.makedirs(DEBS_DIR, exist_ok=True)
    kernel = None if refresh else _deb("linux-image-*-amd64_*.deb")
    busybox = None if refresh else _deb(f"{BUSYBOX_PACKAGE}_*.deb")
    wanted = []
    if kernel is None:
        wanted.append(_kernel_package())
    if busybox is None:
        wanted.append(BUSYBOX_PACKAGE)
    if wanted:
        _run(["apt-get", "download", "-q", *wanted], cwd=DEBS_DIR)
        kernel = _deb("linux-image-*-amd64_*.deb")
        busybox = _deb(f"{BUSYBOX_PACKAGE}_*.deb")
    if not kernel or not busybox:
        raise ImageError(f"apt-get download did not leave {', '.join(wanted)} in {DEBS_DIR}")
    return kernel, busybox


def _module_order(modules_root: str) -> list[str]:
    """MODULES and their dependencies, dependencies first (file paths)."""
    by_name = {}
    for path in glob.glob(os.path.join(modules_root, "**", "*.ko"), recursive=True):
        by_name[os.path.basename(path)[:-3].replace("-", "_")] = path
    order: list[str] = []

    def visit(name: str) -> None:
        name = name.replace("-", "_")
        if name in order or name not in by_name:  # not a module: built into the kernel
            return
        depends = _run(["modinfo", "-F", "depends", by_name[name]]).stdout.strip()
        for dependency in filter(None, depends.split(",")):
            visit(dependency)
        order.append(name)

    for module in MODULES:
        visit(module)
    return [by_name[name] for name in order]


def _busybox_tree(root: str, busybox: str) -> None:
    """A root filesystem: busybox and its applet links, the init, udhcpc and acpid hooks."""
    for sub in ("bin", "sbin", "etc/acpi/PWRF", "proc", "sys", "dev", "tmp", "run", "root",
                "lib/modules", "usr/bin", "usr/sbin", "var"):
        os.makedirs(os.path.join(root, sub), exist_ok=True)
    shutil.copy2(busybox, os.path.join(root, "bin", "busybox"))
    os.chmod(os.path.join(root, "bin", "busybox"), 0o755)
    applets = _run([os.path.join(root, "bin", "busybox"), "--list"]).stdout.split()
    for applet in applets:
        if applet != "busybox":
            link = os.path.join(root, "bin", applet)
            if not os.path.lexists(link):
                os.symlink("busybox", link)
    files = {
        "init": (INIT, 0o755),
        "etc/udhcpc.script": (UDHCPC_SCRIPT, 0o755),
        "sbin/cirrus-disk-agent": (DISK_AGENT, 0o755),
        "etc/acpi/PWRF/00000080": ("#!/bin/sh\npoweroff -f\n", 0o755),
        "etc/passwd": ("root:x:0:0:root:/root:/bin/sh\n", 0o644),
        "etc/shadow": ("root:*:19000:0:99999:7:::\n", 0o600),
        "etc/group": ("root:x:0:\n", 0o644),
        "etc/profile": ("export PATH=/bin:/sbin:/usr/bin:/usr/sbin\nPS1='\\h:\\w# '\n", 0o644),
        "etc/cirrus-guest": (f"{MARKER}\n", 0o644),
    }
    for relative, (text, mode) in files.items():
        path = os.path.join(root, relative)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(path, mode)
    os.symlink("../init", os.path.join(root, "sbin", "init"))
    os.symlink("/tmp/resolv.conf", os.path.join(root, "etc", "resolv.conf"))
    os.symlink("/tmp/hostname", os.path.join(root, "etc", "hostname"))


def _make_initrd(staging: str, busybox: str, modules: list[str], out: str) -> None:
    root = os.path.join(staging, "initramfs")
    _busybox_tree(root, busybox)
    names = []
    for path in modules:
        name = os.path.basename(path)[:-3]
        shutil.copy2(path, os.path.join(root, "lib", "modules", f"{name}.ko"))
        names.append(name)
    with open(os.path.join(root, "lib", "modules", "order"), "w", encoding="utf-8") as handle:
        handle.write("\n".join(names) + "\n")
    # The kernel opens /dev/console before /init runs (devtmpfs is mounted by /init).
    os.mknod(os.path.join(root, "dev", "console"), 0o600 | 0o020000, os.makedev(5, 1))
    listing = _run(["find", ".", "-mindepth", "1"], cwd=root).stdout
    with open(out, "wb") as handle:
        cpio = subprocess.Popen(["cpio", "--quiet", "-o", "-H", "newc", "-R", "0:0"],
                                cwd=root, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        gzip = subprocess.Popen(["gzip", "-9", "-n"], stdin=cpio.stdout, stdout=handle)
        assert cpio.stdin is not None and cpio.stdout is not None
        cpio.stdout.close()
        cpio.stdin.write(listing.encode())
        cpio.stdin.close()
        if cpio.wait() != 0 or gzip.wait() != 0:
            raise ImageError("cpio | gzip of the initramfs failed")


def _syslinux_file(name: str) -> str:
    for directory in SYSLINUX_DIRS:
        path = os.path.join(directory, name)
        if os.path.exists(path):
            return path
    raise ImageError(f"{name} not found (apt-get install syslinux syslinux-common)")


def _make_disk(staging: str, kernel: str, initrd: str, out: str) -> None:
    """A BIOS-bootable disk: MBR (syslinux mbr.bin), one bootable FAT partition from 1 MiB
    with SYSLINUX, vmlinuz and initrd.gz, and a free last MiB (the disk agent's root
    marker); converted to qcow2."""
    part = os.path.join(staging, "part.img")
    part_mib = PARTITION_MIB
    _run(["mkfs.vfat", "-n", "CIRRUS", "-C", part, str(part_mib * 1024)])
    config = os.path.join(staging, "syslinux.cfg")
    with open(config, "w", encoding="utf-8") as handle:
        handle.write(SYSLINUX_CFG)
    env = {**os.environ, "MTOOLS_SKIP_CHECK": "1"}
    _run(["mcopy", "-i", part, kernel, "::vmlinuz"], env=env)
    _run(["mcopy", "-i", part, initrd, "::initrd.gz"], env=env)
    _run(["mcopy", "-i", part, config, "::syslinux.cfg"], env=env)
    _run(["syslinux", "--install", part])
    raw = os.path.join(staging, "disk.raw")
    with open(raw, "wb") as handle:
        handle.truncate(DISK_SIZE_MIB * 1024 * 1024)
    with open(MBR_BIN, "rb") as handle:
        boot_code = handle.read(440)
    # One bootable FAT32-LBA (0x0c) partition from sector 2048; CHS fields say "use LBA".
    first, sectors = 2048, part_mib * 2048
    entry = struct.pack("<B3sB3sII", 0x80, b"\xfe\xff\xff", 0x0C, b"\xfe\xff\xff",
                        first, sectors)
    mbr = boot_code + b"\0" * 6 + entry + b"\0" * 48 + b"\x55\xaa"
    with open(raw, "r+b") as disk, open(part, "rb") as partition:
        disk.write(mbr)
        disk.seek(1024 * 1024)
        shutil.copyfileobj(partition, disk)
    _run(["qemu-img", "convert", "-q", "-f", "raw", "-O", "qcow2", raw, out])


def _make_iso(staging: str, kernel: str, initrd: str, out: str) -> None:
    tree = os.path.join(staging, "iso")
    os.makedirs(os.path.join(tree, "isolinux"))
    shutil.copy2(ISOLINUX_BIN, os.path.join(tree, "isolinux", "isolinux.bin"))
    shutil.copy2(_syslinux_file("ldlinux.c32"), os.path.join(tree, "isolinux", "ldlinux.c32"))
    shutil.copy2(kernel, os.path.join(tree, "vmlinuz"))
    shutil.copy2(initrd, os.path.join(tree, "initrd.gz"))
    with open(os.path.join(tree, "isolinux", "isolinux.cfg"), "w", encoding="utf-8") as handle:
        handle.write(SYSLINUX_CFG.replace("KERNEL vmlinuz", "KERNEL /vmlinuz")
                     .replace("INITRD initrd.gz", "INITRD /initrd.gz"))
    _run(["xorriso", "-as", "mkisofs", "-quiet", "-o", out, "-V", "CIRRUS_TINY",
          "-b", "isolinux/isolinux.bin", "-c", "isolinux/boot.cat", "-no-emul-boot",
          "-boot-load-size", "4", "-boot-info-table", tree])


def _inputs_key(kernel_deb: str, busybox_deb: str) -> str:
    digest = hashlib.sha256()
    for part in (os.path.basename(kernel_deb), os.path.basename(busybox_deb), INIT,
                 DISK_AGENT, UDHCPC_SCRIPT, SYSLINUX_CFG, ",".join(MODULES),
                 str(DISK_SIZE_MIB), str(PARTITION_MIB)):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def _load(directory: str) -> GuestImages | None:
    try:
        with open(os.path.join(directory, "images.json"), encoding="utf-8") as handle:
            images = GuestImages(**json.load(handle))
    except (OSError, ValueError, TypeError):
        return None
    paths = [images.kernel, images.initrd, images.template_qcow2, images.iso,
             images.lxc_rootfs, images.lxc_rootfs_tarball]
    return images if all(os.path.exists(path) for path in paths) else None


def build(refresh: bool = False) -> GuestImages:
    """Make the guest images (once; later calls return the cached ones)."""
    with _locked():
        kernel_deb, busybox_deb = fetch_debs(refresh=refresh)
        directory = os.path.join(IMAGES_DIR, _inputs_key(kernel_deb, busybox_deb))
        existing = _load(directory)
        if existing is not None and not refresh:
            return existing
        os.makedirs(IMAGES_DIR, exist_ok=True)
        staging = tempfile.mkdtemp(prefix="build-", dir=IMAGES_DIR)
        try:
            extracted = os.path.join(staging, "debs")
            os.makedirs(os.path.join(extracted, "kernel"))
            os.makedirs(os.path.join(extracted, "busybox"))
            _run(["dpkg-deb", "-x", kernel_deb, os.path.join(extracted, "kernel")])
            _run(["dpkg-deb", "-x", busybox_deb, os.path.join(extracted, "busybox")])
            vmlinuz = sorted(glob.glob(os.path.join(extracted, "kernel", "boot",
                                                    "vmlinuz-*")))
            if not vmlinuz:
                raise ImageError(f"{kernel_deb} holds no /boot/vmlinuz-*")
            version = os.path.basename(vmlinuz[-1]).removeprefix("vmlinuz-")
            busybox = os.path.join(extracted, "busybox", "bin", "busybox")
            out = os.path.join(staging, "out")
            os.makedirs(out)
            kernel = os.path.join(out, "vmlinuz")
            shutil.copy2(vmlinuz[-1], kernel)
            modules = _module_order(os.path.join(extracted, "kernel", "lib", "modules",
                                                 version))
            initrd = os.path.join(out, "initrd.gz")
            _make_initrd(staging, busybox, modules, initrd)
            _make_disk(staging, kernel, initrd, os.path.join(out, "cirrus-tiny.qcow2"))
            _make_iso(staging, kernel, initrd, os.path.join(out, "cirrus-tiny.iso"))
            rootfs = os.path.join(out, "lxc-rootfs")
            _busybox_tree(rootfs, busybox)
            _run(["tar", "-C", rootfs, "--numeric-owner", "-czf",
                  os.path.join(out, "lxc-rootfs.tar.gz"), "."])
            if os.path.exists(directory):
                shutil.rmtree(directory)
            os.rename(out, directory)
            images = GuestImages(
                kernel=os.path.join(directory, "vmlinuz"),
                initrd=os.path.join(directory, "initrd.gz"),
                template_qcow2=os.path.join(directory, "cirrus-tiny.qcow2"),
                iso=os.path.join(directory, "cirrus-tiny.iso"),
                lxc_rootfs=os.path.join(directory, "lxc-rootfs"),
                lxc_rootfs_tarball=os.path.join(directory, "lxc-rootfs.tar.gz"),
                kernel_version=version,
                kernel_package=os.path.basename(kernel_deb),
                busybox_package=os.path.basename(busybox_deb))
            with open(os.path.join(directory, "images.json"), "w", encoding="utf-8") as handle:
                json.dump(asdict(images), handle, indent=2)
            return images
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def kernel_path() -> str:
    """Debian's vmlinuz (direct kernel boot: `<kernel>`)."""
    return build().kernel


def initrd_path() -> str:
    """The busybox initramfs, cpio.gz (`<initrd>`)."""
    return build().initrd


def template_qcow2_path() -> str:
    """cirrus-tiny.qcow2: a BIOS-bootable disk to register as a QCOW2 template."""
    return build().template_qcow2


def iso_path() -> str:
    """cirrus-tiny.iso: a bootable ISO (ISOLINUX) with the same kernel and initramfs."""
    return build().iso


def lxc_rootfs_path() -> str:
    """A directory root filesystem for LXC domains (busybox, /sbin/init prints the marker)."""
    return build().lxc_rootfs


def lxc_rootfs_tarball_path() -> str:
    """The LXC root filesystem as a .tar.gz (to register as a template for LXC zones)."""
    return build().lxc_rootfs_tarball


def kernel_cmdline(hostname: str | None = None, ip: str | None = None,
                   gateway: str | None = None, dns: str | None = None,
                   ping: str | None = None) -> str:
    """The kernel command line for direct kernel boot of the lab initramfs."""
    words = ["console=ttyS0,115200", "quiet"]
    for name, value in (("hostname", hostname), ("ip", ip), ("gw", gateway), ("dns", dns),
                        ("ping", ping)):
        if value:
            words.append(f"cirrus.{name}={value}")
    return " ".join(words)
