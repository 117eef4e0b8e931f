"""The libvirt driver's volume operations against real libvirtd on two lab hosts
(tests/support/lab.py), with QEMU-TCG guests booted from the lab images (lab/images.py)
whose disk agent reports on the serial console what the guest sees of its disks.

Two guests only (they boot slowly under TCG): A on h1 and B on h2, whose root disk is the
live export of A's root disk imported into h2's pool; A boots a second time in the last of
its tests. Each host gets a dir pool of this module, removed at the end with every domain
of the module.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

import lab
from appliance.drivers.hypervisor.base import (
    DiskSpec,
    DriverError,
    HostAccess,
    PowerState,
    StorageFeature,
    TemplateSpec,
    VmSpec,
    VolumeRef,
)
from appliance.drivers.hypervisor.libvirt import LibvirtDriver
from appliance.drivers.hypervisor.libvirt import connection as libvirt_connection
from appliance.drivers.hypervisor.libvirt.driver import SERIAL_LOG_DIR
from lab import images as labimages
from tests.drivers import guest_images
from tests.support.waiting import eventually

TAG = f"s{os.getpid() % 100000}"
MIB = 1 << 20
ROOT_SIZE = 64 * MIB  # the template's size: the root marker (last sector) stays in place
BOOT_TIMEOUT = 180  # two TCG guests booting side by side on two cores
AGENT_TIMEOUT = 60
libvirt: Any = libvirt_connection.libvirt


@dataclass(frozen=True)
class Guest:
    host: lab.LabHost
    access: HostAccess
    pool: str
    name: str
    root_marker: str  # what the disk agent found or wrote on vda's last sector
    spec: VmSpec


def _access(host: lab.LabHost, domain_type: str = "qemu") -> HostAccess:
    return HostAccess(id=host.name, name=host.name, url=f"http://{host.address}",
                      hypervisor="LXC" if domain_type == "lxc" else "KVM",
                      ip_address=host.address, libvirt_domain_type=domain_type)


def _connect(host: lab.LabHost) -> Any:
    return libvirt.open(host.libvirt_uri("qemu"))


def _pool_on(host: lab.LabHost, name: str) -> Iterator[str]:
    conn = _connect(host)
    path = f"/var/lib/libvirt/images/{name}"
    host.run(f"mkdir -p {path}")
    pool = conn.storagePoolDefineXML(
        f"<pool type='dir'><name>{name}</name><target><path>{path}</path></target></pool>", 0)
    pool.create(0)
    try:
        yield name
    finally:
        for uri in (host.libvirt_uri("qemu"), host.libvirt_uri("lxc")):
            other = libvirt.open(uri)
            try:
                for domain in other.listAllDomains(0):
                    if domain.name().startswith(f"i-{TAG}-"):
                        if domain.isActive():
                            domain.destroy()
                        domain.undefine()
            finally:
                other.close()
        for volume in pool.listAllVolumes(0):
            volume.delete(0)
        pool.destroy()
        pool.undefine()
        host.run(f"rmdir {path}", check=False)
        conn.close()


@pytest.fixture(scope="module")
def h1(lab_hosts: lab.Lab) -> lab.LabHost:
    return lab_hosts.hosts[0]


@pytest.fixture(scope="module")
def h2(lab_hosts: lab.Lab) -> lab.LabHost:
    return lab_hosts.hosts[1]


@pytest.fixture(scope="module")
def pool_a(h1: lab.LabHost) -> Iterator[str]:
    yield from _pool_on(h1, f"csto-{TAG}a")


@pytest.fixture(scope="module")
def pool_b(h2: lab.LabHost) -> Iterator[str]:
    yield from _pool_on(h2, f"csto-{TAG}b")


@pytest.fixture(scope="module")
def driver() -> Iterator[LibvirtDriver]:
    instance = LibvirtDriver()
    yield instance
    instance.connections.close_all()


@pytest.fixture(scope="module")
def scratch() -> Iterator[str]:
    """A directory on the management server (here) for exports."""
    with tempfile.TemporaryDirectory(prefix=f"cirrus-sto-{TAG}-") as path:
        yield path


def _template(images: labimages.GuestImages, hostname: str) -> TemplateSpec:
    return TemplateSpec(template_id=f"{TAG}-tiny", path=images.template_qcow2, format="QCOW2",
                        size=ROOT_SIZE, kernel=images.kernel, initrd=images.initrd,
                        kernel_args=labimages.kernel_cmdline(hostname=hostname))


def _spec(name: str, pool: str, images: labimages.GuestImages, *,
          disks: tuple[DiskSpec, ...] = ()) -> VmSpec:
    root = DiskSpec(path=f"{name}-root", device_id=0, size=ROOT_SIZE, pool=pool,
                    name=f"{name}-root", is_root=True)
    return VmSpec(vm_id=str(uuid.uuid4()), instance_name=name, cpus=1, cpu_speed_mhz=500,
                  memory_mib=192, disks=(root, *disks),
                  template=_template(images, name.lower()))


def _serial(host: lab.LabHost, name: str) -> str:
    try:
        with open(host.host_path(f"{SERIAL_LOG_DIR}/{name}.serial.log"),
                  errors="replace") as handle:
            return handle.read()
    except FileNotFoundError:
        return ""


def _agent(guest: Guest, pattern: str, *, since: int = 0,
           timeout: float = AGENT_TIMEOUT) -> re.Match[str]:
    """The first match of `pattern` in the guest's serial log after offset `since`."""
    regex = re.compile(pattern)
    return eventually(lambda: regex.search(_serial(guest.host, guest.name)[since:]), timeout,
                      f"{pattern!r} on the serial console of {guest.name}", interval=0.3)


def _mark(guest: Guest) -> int:
    return len(_serial(guest.host, guest.name))


def _boot(host: lab.LabHost, spec: VmSpec, pool: str, timeout: float) -> Guest:
    """Wait for the disk agent's line about the root disk."""
    name = spec.instance_name
    pattern = re.compile(rf"(?:{labimages.DISK_WROTE}|{labimages.DISK_READ}) vda (\S+)")
    match = eventually(lambda: pattern.search(_serial(host, name)), timeout,
                       f"the disk agent's root disk line on {name}'s serial console",
                       interval=0.5)
    return Guest(host=host, access=_access(host), pool=pool, name=name,
                 root_marker=match.group(1), spec=spec)


def _domain_disks(host: lab.LabHost, name: str, flags: int = 0) -> list[tuple[str, str | None]]:
    """(target, source file) of the domain's disks, from its live (or inactive) XML."""
    import xml.etree.ElementTree as ET

    conn = _connect(host)
    try:
        root = ET.fromstring(conn.lookupByName(name).XMLDesc(flags))
    finally:
        conn.close()
    result = []
    for disk in root.findall("./devices/disk"):
        source = disk.find("source")
        target = disk.find("target")
        assert target is not None
        result.append((str(target.get("dev")),
                       source.get("file") if source is not None else None))
    return result


def _volumes(host: lab.LabHost, pool: str) -> dict[str, str]:
    conn = _connect(host)
    try:
        return {v.name(): v.path()
                for v in conn.storagePoolLookupByName(pool).listAllVolumes(0)}
    finally:
        conn.close()


def _capacity(host: lab.LabHost, pool: str, name: str) -> int:
    conn = _connect(host)
    try:
        return int(conn.storagePoolLookupByName(pool).storageVolLookupByName(name).info()[1])
    finally:
        conn.close()


def _info(path: str) -> dict[str, Any]:
    result = subprocess.run(["qemu-img", "info", "-U", "--output=json", path],
                            capture_output=True, text=True, check=True)
    info: dict[str, Any] = json.loads(result.stdout)
    return info


def _sector(path: str, sector: int) -> bytes:
    """Sector `sector` (-1: the last) of the disk image `path`, as the guest sees it."""
    if sector < 0:
        sector += int(_info(path)["virtual-size"]) // 512
    with tempfile.TemporaryDirectory() as directory:
        out = os.path.join(directory, "disk.raw")  # sparse: the test images are small
        subprocess.run(["qemu-img", "convert", "-U", "-O", "raw", path, out],
                       capture_output=True, check=True)
        with open(out, "rb") as handle:
            handle.seek(sector * 512)
            return handle.read(512)


def _marker(data: bytes) -> str:
    line = data.split(b"\n", 1)[0].decode(errors="replace")
    assert line.startswith(f"{labimages.DISK_DATA} "), data[:80]
    return line.split(" ", 1)[1]


# -- the guests ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def guest_a(driver: LibvirtDriver, h1: lab.LabHost, pool_a: str,
            lab_images: labimages.GuestImages) -> Guest:
    name = f"i-{TAG}-a-VM"
    spec = _spec(name, pool_a, lab_images)
    driver.start(_access(h1), spec)
    guest = _boot(h1, spec, pool_a, BOOT_TIMEOUT)
    assert f"{labimages.DISK_WROTE} vda {guest.root_marker}" in _serial(h1, name)
    return guest


@pytest.fixture(scope="module")
def root_export(driver: LibvirtDriver, guest_a: Guest, scratch: str) -> str:
    """A's root disk exported while A runs (taken on primary, copied, removed)."""
    dest = os.path.join(scratch, "a-root.qcow2")
    driver.export_volume(guest_a.access, VolumeRef(pool=guest_a.pool,
                                                   name=f"{guest_a.name}-root",
                                                   size=ROOT_SIZE),
                         dest, instance_name=guest_a.name)
    return dest


@pytest.fixture(scope="module")
def guest_b(driver: LibvirtDriver, h2: lab.LabHost, pool_b: str, root_export: str,
            lab_images: labimages.GuestImages) -> Guest:
    """B on h2, booting from A's exported root disk (imported as B's root volume): started
    here, not waited for (it boots while A's tests run)."""
    name = f"i-{TAG}-b-VM"
    driver.import_volume(_access(h2), VolumeRef(pool=pool_b, name=f"{name}-root",
                                                size=ROOT_SIZE), root_export)
    spec = _spec(name, pool_b, lab_images)
    driver.start(_access(h2), spec)
    return Guest(host=h2, access=_access(h2), pool=pool_b, name=name, root_marker="",
                 spec=spec)


# -- features and volumes without guests --------------------------------------------------

def test_storage_features_by_domain_type(driver: LibvirtDriver, h1: lab.LabHost) -> None:
    assert driver.storage_features(_access(h1, "qemu")) == frozenset(StorageFeature)
    assert driver.storage_features(_access(h1, "kvm")) == frozenset(StorageFeature)
    assert driver.storage_features(_access(h1, "lxc")) == frozenset()


def test_pool_usage_follows_what_volumes_take(driver: LibvirtDriver, h1: lab.LabHost,
                                              pool_a: str) -> None:
    access = _access(h1)
    assert driver.pool_usage(access, "no-such-pool") is None
    before = driver.pool_usage(access, pool_a)
    assert before is not None and before.capacity and before.capacity > before.used > 0
    name = f"usage-{TAG}"
    driver.create_volume(access, VolumeRef(pool=pool_a, name=name, size=64 * MIB,
                                           format="raw"))
    conn = _connect(h1)
    try:
        volume = conn.storagePoolLookupByName(pool_a).storageVolLookupByName(name)
        h1.run(f"dd if=/dev/urandom of={volume.path()} bs=1M count=32 conv=notrunc")
        after = driver.pool_usage(access, pool_a)
        assert after is not None and after.used >= before.used + 16 * MIB
    finally:
        driver.delete_volume(access, pool_a, name)
        conn.close()


def test_create_and_import_are_idempotent_and_a_failed_import_leaves_nothing(
        driver: LibvirtDriver, h1: lab.LabHost, pool_a: str, scratch: str) -> None:
    host = _access(h1)
    blank = VolumeRef(pool=pool_a, name=f"{TAG}-blank", size=8 * MIB)
    driver.create_volume(host, blank)
    path = _volumes(h1, pool_a)[blank.name]
    driver.create_volume(host, VolumeRef(pool=pool_a, name=blank.name, size=32 * MIB))
    assert _capacity(h1, pool_a, blank.name) == 8 * MIB  # kept, not recreated
    assert _volumes(h1, pool_a)[blank.name] == path

    # a sparse raw image with a marker, imported and grown to 24 MiB (a qcow2 import: the
    # data volume that moves between guests, below)
    source = os.path.join(scratch, "marked.raw")
    with open(source, "wb") as handle:
        handle.write(f"{labimages.DISK_DATA} imported-{TAG}\n".encode().ljust(512, b"\0"))
        handle.truncate(4 * MIB)
    imported = VolumeRef(pool=pool_a, name=f"{TAG}-imported", size=24 * MIB)
    driver.import_volume(host, imported, source)
    assert _capacity(h1, pool_a, imported.name) == 24 * MIB
    copy = os.path.join(scratch, "imported.qcow2")
    driver.export_volume(host, imported, copy)
    assert _marker(_sector(copy, 0)) == f"imported-{TAG}"
    assert _info(copy)["virtual-size"] == 24 * MIB and _info(copy)["format"] == "qcow2"

    # importing it again keeps the volume (another file would not replace it)
    other = os.path.join(scratch, "other.raw")
    with open(other, "wb") as handle:
        handle.truncate(MIB)
    driver.import_volume(host, imported, other)
    assert _capacity(h1, pool_a, imported.name) == 24 * MIB

    # failures: an image with a backing file (it could point at the host's files), and a
    # size the host's file system cannot hold: neither leaves a volume or a part behind
    layered = os.path.join(scratch, "layered.qcow2")
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-b", source, "-F", "raw",
                    layered], check=True)
    with pytest.raises(DriverError, match="backing file"):
        driver.import_volume(host, VolumeRef(pool=pool_a, name=f"{TAG}-layered",
                                             size=MIB), layered)
    huge = VolumeRef(pool=pool_a, name=f"{TAG}-huge", size=1 << 62)
    with pytest.raises(DriverError) as failure:
        driver.import_volume(host, huge, source)
    assert huge.name in failure.value.text and pool_a in failure.value.text
    assert not {name for name in _volumes(h1, pool_a) if name.startswith(f"{TAG}-huge")
                or name.startswith(f"{TAG}-layered")}

    missing = VolumeRef(pool=pool_a, name=f"{TAG}-missing", size=MIB)
    with pytest.raises(DriverError, match=f"{missing.name} does not exist in storage pool "
                                          f"{pool_a} on host {h1.name}"):
        driver.export_volume(host, missing, os.path.join(scratch, "missing.qcow2"))
    assert not os.path.exists(os.path.join(scratch, "missing.qcow2"))
    with pytest.raises(DriverError, match=f"storage pool no-such-pool is not defined on "
                                          f"host {h1.name}"):
        driver.create_volume(host, VolumeRef(pool="no-such-pool", name="x", size=MIB))
    for name in (blank.name, imported.name):
        driver.delete_volume(host, pool_a, name)


# -- QEMU guests --------------------------------------------------------------------------

def test_live_export_of_a_running_root_disk(driver: LibvirtDriver, guest_a: Guest,
                                            root_export: str, guest_b: Guest) -> None:
    root = f"{guest_a.name}-root"
    volumes = _volumes(guest_a.host, guest_a.pool)
    # the domain is back on its own disk file, live and in its definition; no overlay left
    for flags in (0, libvirt.VIR_DOMAIN_XML_INACTIVE):
        disks = dict(_domain_disks(guest_a.host, guest_a.name, flags))
        assert disks["vda"] == volumes[root]
    assert not [name for name in volumes if name.endswith(".overlay")]
    assert sorted(volumes) == sorted([root, f"tmpl-{TAG}-tiny", f"tmpl-{TAG}-tiny-kernel",
                                      f"tmpl-{TAG}-tiny-initrd"])
    driver.stats(guest_a.access, guest_a.name)  # still running
    assert driver.power_states(guest_a.access)[guest_a.name] == PowerState.RUNNING
    # a standalone qcow2 (template chain included) holding A's root marker
    info = _info(root_export)
    assert info["format"] == "qcow2" and "backing-filename" not in info
    assert info["virtual-size"] == ROOT_SIZE
    assert _marker(_sector(root_export, -1)) == guest_a.root_marker
    assert _sector(root_export, 0)[510:512] == b"\x55\xaa"  # the template's MBR came along


def test_online_resize_grows_the_disk_the_guest_sees(driver: LibvirtDriver,
                                                     guest_a: Guest) -> None:
    volume = VolumeRef(pool=guest_a.pool, name=f"{TAG}-grow", size=16 * MIB)
    disk = DiskSpec(path=volume.name, device_id=2, size=volume.size, pool=volume.pool,
                    name=volume.name)
    driver.create_volume(guest_a.access, volume)
    since = _mark(guest_a)
    driver.attach_volume(guest_a.access, guest_a.name, disk)
    assert ("vdc", _volumes(guest_a.host, guest_a.pool)[volume.name]) in _domain_disks(
        guest_a.host, guest_a.name)  # the target follows the device id
    device = _agent(guest_a, rf"{labimages.DISK_WROTE} (vd[b-z]) ", since=since).group(1)

    since = _mark(guest_a)
    driver.resize_volume(guest_a.access, volume, 40 * MIB, instance_name=guest_a.name)
    _agent(guest_a, rf"{labimages.DISK_SIZE} {device} {40 * MIB}\b", since=since)
    assert _capacity(guest_a.host, guest_a.pool, volume.name) == 40 * MIB
    driver.resize_volume(guest_a.access, volume, 24 * MIB, instance_name=guest_a.name)
    assert _capacity(guest_a.host, guest_a.pool, volume.name) == 40 * MIB  # never shrinks

    since = _mark(guest_a)
    driver.detach_volume(guest_a.access, guest_a.name, disk)
    _agent(guest_a, rf"{labimages.DISK_GONE} {device}\b", since=since)
    driver.resize_volume(guest_a.access, volume, 48 * MIB, instance_name=guest_a.name)
    assert _capacity(guest_a.host, guest_a.pool, volume.name) == 48 * MIB  # offline
    driver.delete_volume(guest_a.access, guest_a.pool, volume.name)


def test_insert_and_eject_an_iso_while_the_guest_runs(
        driver: LibvirtDriver, guest_a: Guest, lab_images: labimages.GuestImages) -> None:
    iso = TemplateSpec(template_id=f"{TAG}-iso", path=lab_images.iso, format="ISO",
                       size=os.path.getsize(lab_images.iso))
    assert dict(_domain_disks(guest_a.host, guest_a.name))["hdc"] is None  # an empty drive
    since = _mark(guest_a)
    driver.insert_iso(guest_a.access, guest_a.name, iso)
    staged = _volumes(guest_a.host, guest_a.pool)[f"tmpl-{iso.template_id}"]
    for flags in (0, libvirt.VIR_DOMAIN_XML_INACTIVE):
        assert dict(_domain_disks(guest_a.host, guest_a.name, flags))["hdc"] == staged
    _agent(guest_a, rf"{labimages.CDROM} sr0 CIRRUS_TINY", since=since)
    driver.insert_iso(guest_a.access, guest_a.name, iso)  # inserted already

    since = _mark(guest_a)
    driver.eject_iso(guest_a.access, guest_a.name)
    for flags in (0, libvirt.VIR_DOMAIN_XML_INACTIVE):
        assert dict(_domain_disks(guest_a.host, guest_a.name, flags))["hdc"] is None
    _agent(guest_a, rf"{labimages.CDROM_EMPTY} sr0", since=since)
    driver.eject_iso(guest_a.access, guest_a.name)  # empty already


def test_a_failed_live_export_leaves_the_guest_on_its_disk(driver: LibvirtDriver,
                                                           guest_a: Guest,
                                                           scratch: str) -> None:
    """The copy runs out of space (a 2 MiB tmpfs) while the disk is frozen."""
    small = os.path.join(scratch, "small")
    os.makedirs(small)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", small], check=True)
    try:
        root = VolumeRef(pool=guest_a.pool, name=f"{guest_a.name}-root", size=ROOT_SIZE)
        with pytest.raises(DriverError) as failure:
            driver.export_volume(guest_a.access, root, os.path.join(small, "root.qcow2"),
                                 instance_name=guest_a.name)
        assert root.name in failure.value.text
        assert os.listdir(small) == []
    finally:
        subprocess.run(["umount", small], check=True)
    volumes = _volumes(guest_a.host, guest_a.pool)
    for flags in (0, libvirt.VIR_DOMAIN_XML_INACTIVE):
        assert dict(_domain_disks(guest_a.host, guest_a.name, flags))["vda"] == (
            volumes[root.name])
    assert not [name for name in volumes if name.endswith(".overlay")]
    assert driver.power_states(guest_a.access)[guest_a.name] == PowerState.RUNNING


def test_the_live_root_export_boots_as_another_vm(guest_a: Guest, guest_b: Guest) -> None:
    """B booted from A's exported root disk: its agent reads A's root marker."""
    _agent(guest_b, rf"{labimages.DISK_READ} vda {re.escape(guest_a.root_marker)}\b",
           timeout=BOOT_TIMEOUT)
    assert f"CIRRUS-GUEST-BOOTED {guest_b.name.lower()}" in _serial(guest_b.host, guest_b.name)


def test_a_data_volume_moves_between_running_guests_on_two_hosts(
        driver: LibvirtDriver, guest_a: Guest, guest_b: Guest, scratch: str) -> None:
    volume = VolumeRef(pool=guest_a.pool, name=f"{TAG}-data", size=16 * MIB)
    disk = DiskSpec(path=volume.name, device_id=1, size=volume.size, pool=volume.pool,
                    name=volume.name)
    driver.create_volume(guest_a.access, volume)
    since = _mark(guest_a)
    driver.attach_volume(guest_a.access, guest_a.name, disk)
    wrote = _agent(guest_a, rf"{labimages.DISK_WROTE} (vd[b-z]) (\S+)", since=since)
    device, marker = wrote.group(1), wrote.group(2)
    assert marker.startswith(guest_a.name.lower())
    driver.attach_volume(guest_a.access, guest_a.name, disk)  # attached already
    path = _volumes(guest_a.host, guest_a.pool)[volume.name]
    assert [t for t, s in _domain_disks(guest_a.host, guest_a.name) if s == path] == ["vdb"]

    since = _mark(guest_a)
    driver.detach_volume(guest_a.access, guest_a.name, disk)
    _agent(guest_a, rf"{labimages.DISK_GONE} {device}\b", since=since)
    for flags in (0, libvirt.VIR_DOMAIN_XML_INACTIVE):
        assert path not in dict(_domain_disks(guest_a.host, guest_a.name, flags)).values()
    driver.detach_volume(guest_a.access, guest_a.name, disk)  # detached already

    exported = os.path.join(scratch, "data.qcow2")
    driver.export_volume(guest_a.access, volume, exported)
    assert "backing-filename" not in _info(exported)
    assert _marker(_sector(exported, 0)) == marker

    moved = VolumeRef(pool=guest_b.pool, name=f"{TAG}-data-moved", size=volume.size)
    driver.import_volume(guest_b.access, moved, exported)
    driver.import_volume(guest_b.access, moved, exported)  # imported already
    _agent(guest_b, rf"{labimages.DISK_READ} vda ", timeout=BOOT_TIMEOUT)  # B is up
    since = _mark(guest_b)
    driver.attach_volume(guest_b.access, guest_b.name,
                         DiskSpec(path=moved.name, device_id=1, size=moved.size,
                                  pool=moved.pool, name=moved.name))
    _agent(guest_b, rf"{labimages.DISK_READ} vd[b-z] {re.escape(marker)}\b", since=since)


def test_volume_errors_name_the_host_and_the_volume(driver: LibvirtDriver,
                                                    guest_a: Guest) -> None:
    host = guest_a.access
    ghost = DiskSpec(path="ghost", device_id=5, size=MIB, pool=guest_a.pool,
                     name=f"{TAG}-ghost")
    with pytest.raises(DriverError, match=f"{TAG}-ghost does not exist in storage pool "
                                          f"{guest_a.pool} on host {host.name}"):
        driver.attach_volume(host, guest_a.name, ghost)
    driver.detach_volume(host, guest_a.name, ghost)  # nothing plugged: fine
    with pytest.raises(DriverError, match=f"i-{TAG}-nope-VM is not running on host "
                                          f"{host.name}"):
        driver.eject_iso(host, f"i-{TAG}-nope-VM")


def test_a_copy_cut_short_while_the_guest_stopped_is_merged_at_its_next_start(
        driver: LibvirtDriver, guest_a: Guest, scratch: str) -> None:
    """The process dies while A's root disk is frozen (the overlay stays, A writes into
    it), then A is stopped: its next start merges the overlay back first (in a paused
    domain) and A boots on its own disk, with what it had written into the overlay. Last of
    A's tests: it restarts A."""
    root = _volumes(guest_a.host, guest_a.pool)[f"{guest_a.name}-root"]
    subprocess.run([sys.executable, "-c", f"""
import os
from appliance.drivers.hypervisor.libvirt import live
from appliance.drivers.hypervisor.libvirt.connection import libvirt
conn = libvirt.open({guest_a.host.libvirt_uri("qemu")!r})
pool = conn.storagePoolLookupByName({guest_a.pool!r})
freeze = live.frozen(conn.lookupByName({guest_a.name!r}), pool,
                     pool.storageVolLookupByName({guest_a.name + "-root"!r}), host="h1")
freeze.__enter__()
os._exit(0)  # dies with the disk frozen
"""], check=True, cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    overlay = f"{root}.overlay"
    assert dict(_domain_disks(guest_a.host, guest_a.name))["vda"] == overlay
    driver.stop(guest_a.access, guest_a.name, forced=True, timeout=0)
    assert dict(_domain_disks(guest_a.host, guest_a.name,
                              libvirt.VIR_DOMAIN_XML_INACTIVE))["vda"] == overlay
    # what the guest wrote while frozen: a new root marker (written here, on the host)
    written = os.path.join(scratch, "frozen-write")
    with open(written, "wb") as handle:
        handle.write(f"{labimages.DISK_DATA} frozen-{TAG}\n".encode().ljust(512, b"\0"))
    guest_a.host.run(["qemu-io", "-f", "qcow2", "-c",
                      f"write -q -s {written} {ROOT_SIZE - 512} 512", overlay])

    since = _mark(guest_a)
    driver.start(guest_a.access, guest_a.spec)
    volumes = _volumes(guest_a.host, guest_a.pool)
    assert not [name for name in volumes if name.endswith(".overlay")]
    for flags in (0, libvirt.VIR_DOMAIN_XML_INACTIVE):
        assert dict(_domain_disks(guest_a.host, guest_a.name, flags))["vda"] == root
    _agent(guest_a, rf"{labimages.DISK_READ} vda frozen-{TAG}\b", since=since,
           timeout=BOOT_TIMEOUT)


# -- LXC ----------------------------------------------------------------------------------

def test_lxc_root_exports_only_while_stopped(driver: LibvirtDriver, h1: lab.LabHost,
                                             pool_a: str, scratch: str) -> None:
    reason = guest_images.unavailable()
    if reason:
        pytest.skip(reason)
    rootfs = guest_images.lxc_rootfs()
    host = _access(h1, "lxc")
    name = f"i-{TAG}-l-VM"  # libvirt LXC: the root file path must fit in 63 bytes
    size = os.path.getsize(rootfs)
    spec = VmSpec(vm_id=str(uuid.uuid4()), instance_name=name, cpus=1, cpu_speed_mhz=500,
                  memory_mib=64,
                  disks=(DiskSpec(path=f"{name}-root", device_id=0, size=size, pool=pool_a,
                                  name=f"{name}-root", is_root=True),),
                  template=TemplateSpec(template_id=f"{TAG}-rootfs", path=rootfs,
                                        format="RAW", size=size))
    driver.start(host, spec)
    root = VolumeRef(pool=pool_a, name=f"{name}-root", size=size, format="raw")
    data = DiskSpec(path="d", device_id=1, size=MIB, pool=pool_a, name=f"{TAG}-lxc-data")
    with pytest.raises(DriverError, match="LXC containers on host h1 get no block devices"):
        driver.attach_volume(host, name, data)
    dest = os.path.join(scratch, "lxc-root.qcow2")
    with pytest.raises(DriverError, match="only be copied while the container is stopped"):
        driver.export_volume(host, root, dest, instance_name=name)
    driver.stop(host, name, forced=True, timeout=5)
    driver.export_volume(host, root, dest, instance_name=name)
    info = _info(dest)
    assert info["format"] == "qcow2" and info["virtual-size"] == size
    with open(rootfs, "rb") as handle:
        handle.seek(1024)
        superblock = handle.read(512)
    copied = _sector(dest, 2)  # the ext4 superblock (the container updated its counts)
    assert copied[0x38:0x3A] == superblock[0x38:0x3A] == b"\x53\xef"  # magic
    assert copied[0x68:0x78] == superblock[0x68:0x78]  # the file system's UUID
    driver.destroy(host, name)
