"""libvirt domain and storage volume XML, built from a VmSpec and parsed back: pure functions.

Domain types: `kvm` and `qemu` (full virtualization; `qemu` is TCG, for hosts where KVM
acceleration does not boot guests) and `lxc` (containers: the root disk is a raw
filesystem image loop-mounted as `/`, the guest's init runs as PID 1).

CPU: the offering's core count is strict (`<vcpu>`); its MHz only weigh under contention
(admin guide §11.7.2), which is what cgroup CPU shares do: shares = cores × MHz.

Disks of kvm/qemu domains: virtio, named by device id (disk_target: the root vda, device n
vd + the (n+1)th letter, as CloudStack's KVM agent names them) both in the definition at
start and for a hot-plugged volume; every kvm/qemu domain has an IDE CD-ROM drive hdc,
empty when the VM has no ISO, so an ISO can be inserted while it runs.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from appliance.drivers.hypervisor.base import NicSpec, VmSpec

DOMAIN_TYPES = ("kvm", "qemu", "lxc")
# cgroup v1 cpu.shares accepts 2..262144 (v2 weights are converted by libvirt).
MIN_SHARES, MAX_SHARES = 2, 262144
METADATA_NS = "https://cirrus.apache-cloudstack-compatible.org/xmlns/vm/1"
LXC_INIT = "/sbin/init"
ROOT_TARGET = "vda"
CDROM_TARGET = "hdc"  # IDE secondary master, where CloudStack's KVM agent puts the ISO
DISK_BUS = "virtio"
CDROM_BUS = "ide"


@dataclass(frozen=True)
class AttachedDisk:
    """A disk as the domain sees it: a file on the host, already in its pool (None: an
    empty CD-ROM drive)."""

    path: str | None
    format: str = "qcow2"  # qcow2 | raw
    device: str = "disk"  # disk | cdrom
    is_root: bool = False
    device_id: int | None = None  # a data disk's device id: its target (disk_target)


@dataclass(frozen=True)
class BootFiles:
    """Direct kernel boot: kernel and initrd files on the host."""

    kernel: str
    initrd: str | None = None
    cmdline: str | None = None


@dataclass(frozen=True)
class Graphics:
    """VNC for the console proxy: autoport on `listen` with a per-VM password."""

    listen: str
    password: str


def cpu_shares(cpus: int, cpu_speed_mhz: int) -> int:
    """cgroup CPU shares proportional to the offering's total MHz (cores × MHz)."""
    return max(MIN_SHARES, min(MAX_SHARES, max(1, cpus) * max(1, cpu_speed_mhz)))


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def disk_target(device_id: int | None, taken: Collection[str] = ()) -> str:
    """The virtio target of a data disk: device id n >= 1 gives vd + the (n+1)th letter
    (1 vdb, 2 vdc, 25 vdz, 26 vdaa); the root disk is vda. A data disk without a device id
    (None or 0) takes the first target after vda that is not in `taken`."""
    if device_id is not None and device_id > 0:
        return "vd" + _letters(device_id)
    index = 1
    while "vd" + _letters(index) in taken:
        index += 1
    return "vd" + _letters(index)


def _disk_targets(disks: Sequence[AttachedDisk]) -> list[tuple[AttachedDisk, str, str]]:
    """(disk, target dev, bus): the root vda, data disks by device id (disk_target), in the
    order given; CD-ROMs on IDE from hdc."""
    explicit = [disk_target(d.device_id) for d in disks
                if d.device != "cdrom" and not d.is_root and (d.device_id or 0) > 0]
    duplicates = sorted({t for t in explicit if explicit.count(t) > 1})
    if duplicates:
        raise ValueError(f"several data disks have one device id (target "
                         f"{', '.join(duplicates)})")
    taken = {ROOT_TARGET, *explicit}
    result: list[tuple[AttachedDisk, str, str]] = []
    ide = 0
    for disk in disks:
        if disk.device == "cdrom":
            result.append((disk, "hd" + "cdefgh"[ide], CDROM_BUS))
            ide += 1
            continue
        if disk.is_root:
            target = ROOT_TARGET
        elif (disk.device_id or 0) > 0:
            target = disk_target(disk.device_id)
        else:
            target = disk_target(None, taken)
            taken.add(target)
        result.append((disk, target, DISK_BUS))
    return result


def _disk_element(parent: ET.Element, disk: AttachedDisk, dev: str, bus: str) -> ET.Element:
    element = _sub(parent, "disk", type="file", device=disk.device)
    _sub(element, "driver", name="qemu", type=disk.format)
    if disk.path is not None:
        _sub(element, "source", file=disk.path)
    _sub(element, "target", dev=dev, bus=bus)
    if disk.device == "cdrom":
        _sub(element, "readonly")
    return element


def disk_xml(disk: AttachedDisk, target: str) -> str:
    """One <disk> for attachDeviceFlags (a virtio data disk at `target`)."""
    return _serialize(_disk_element(ET.Element("root"), disk, target, DISK_BUS))


def cdrom_xml(path: str | None, target: str = CDROM_TARGET, bus: str = CDROM_BUS) -> str:
    """The CD-ROM drive `target` holding the ISO file `path` (None: empty), for
    updateDeviceFlags."""
    disk = AttachedDisk(path=path, format="raw", device="cdrom")
    return _serialize(_disk_element(ET.Element("root"), disk, target, bus))


def _letters(index: int) -> str:
    """0 -> a, 25 -> z, 26 -> aa (libvirt's disk naming)."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("a") + rest) + name
    return name


def _interface(devices: ET.Element, nic: NicSpec, *, model: str | None) -> None:
    interface = _sub(devices, "interface", type="bridge")
    _sub(interface, "mac", address=nic.mac.lower())
    _sub(interface, "source", bridge=nic.bridge)
    if model:
        _sub(interface, "model", type=model)


def domain_xml(spec: VmSpec, domain_type: str, disks: Sequence[AttachedDisk], *,
               serial_log: str | None = None, graphics: Graphics | None = None,
               boot: BootFiles | None = None, lxc_init: str | None = None) -> str:
    """The domain definition of `spec` for `domain_type` (kvm | qemu | lxc)."""
    if domain_type not in DOMAIN_TYPES:
        raise ValueError(f"libvirt domain type {domain_type!r} is not one of "
                         f"{', '.join(DOMAIN_TYPES)}")
    lxc = domain_type == "lxc"
    domain = ET.Element("domain", type=domain_type)
    _sub(domain, "name", spec.instance_name)
    if _is_uuid(spec.vm_id):
        _sub(domain, "uuid", spec.vm_id)
    metadata = _sub(domain, "metadata")
    ET.SubElement(metadata, f"{{{METADATA_NS}}}vm", {"id": spec.vm_id})
    _sub(domain, "memory", str(spec.memory_mib), unit="MiB")
    _sub(domain, "currentMemory", str(spec.memory_mib), unit="MiB")
    _sub(domain, "vcpu", str(max(1, spec.cpus)), placement="static")
    cputune = _sub(domain, "cputune")
    _sub(cputune, "shares", str(cpu_shares(spec.cpus, spec.cpu_speed_mhz)))

    os_element = _sub(domain, "os")
    if lxc:
        _sub(os_element, "type", "exe", arch="x86_64")
        _sub(os_element, "init", lxc_init or spec.extra.get("init") or LXC_INIT)
    else:
        _sub(os_element, "type", "hvm", arch="x86_64", machine="pc")
        if boot is not None:
            _sub(os_element, "kernel", boot.kernel)
            if boot.initrd:
                _sub(os_element, "initrd", boot.initrd)
            if boot.cmdline:
                _sub(os_element, "cmdline", boot.cmdline)
        else:
            if spec.boot_from_iso and any(d.device == "cdrom" and d.path for d in disks):
                _sub(os_element, "boot", dev="cdrom")
            _sub(os_element, "boot", dev="hd")
        features = _sub(domain, "features")
        _sub(features, "acpi")
        _sub(features, "apic")
    _sub(domain, "clock", offset="utc")
    _sub(domain, "on_poweroff", "destroy")
    _sub(domain, "on_reboot", "restart")
    _sub(domain, "on_crash", "destroy")

    devices = _sub(domain, "devices")
    if lxc:
        root = next((d for d in disks if d.is_root), None)
        if root is None:
            raise ValueError(f"LXC domain {spec.instance_name} needs a root disk "
                             "(a filesystem image)")
        if root.path is None:
            raise ValueError(f"LXC domain {spec.instance_name} needs a root disk file")
        filesystem = _sub(devices, "filesystem", type="file", accessmode="passthrough")
        _sub(filesystem, "driver", type="loop", format="raw")
        _sub(filesystem, "source", file=root.path)
        _sub(filesystem, "target", dir="/")
        for nic in spec.nics:
            _interface(devices, nic, model=None)
        console = _sub(devices, "console", type="pty")
        _sub(console, "target", type="lxc", port="0")
        return _serialize(domain)

    if not any(d.device == "cdrom" for d in disks):  # an empty drive, for insert_iso
        disks = [*disks, AttachedDisk(path=None, format="raw", device="cdrom")]
    for disk, dev, bus in _disk_targets(disks):
        _disk_element(devices, disk, dev, bus)
    for nic in spec.nics:
        _interface(devices, nic, model="virtio")
    if serial_log:
        serial = _sub(devices, "serial", type="file")
        _sub(serial, "source", path=serial_log, append="on")
        _sub(serial, "target", port="0")  # libvirt adds the matching <console>
    else:
        serial = _sub(devices, "serial", type="pty")
        _sub(serial, "target", port="0")
    if graphics is not None:
        vnc = _sub(devices, "graphics", type="vnc", port="-1", autoport="yes",
                   listen=graphics.listen, passwd=graphics.password)
        _sub(vnc, "listen", type="address", address=graphics.listen)
        video = _sub(devices, "video")
        _sub(video, "model", type="vga")
    _sub(devices, "input", type="tablet", bus="usb")
    _sub(devices, "memballoon", model="virtio")
    return _serialize(domain)


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _serialize(element: ET.Element) -> str:
    ET.register_namespace("cirrus", METADATA_NS)
    ET.indent(element)
    return ET.tostring(element, encoding="unicode")


# -- storage volumes ----------------------------------------------------------------------

def volume_xml(name: str, capacity: int, *, format: str = "qcow2",
               backing_path: str | None = None, backing_format: str | None = None) -> str:
    """A volume of `capacity` bytes; with `backing_path` a copy-on-write overlay of it."""
    volume = ET.Element("volume")
    _sub(volume, "name", name)
    _sub(volume, "capacity", str(capacity), unit="bytes")
    _sub(volume, "allocation", "0", unit="bytes")
    target = _sub(volume, "target")
    _sub(target, "format", type=format)
    if backing_path is not None:
        backing = _sub(volume, "backingStore")
        _sub(backing, "path", backing_path)
        _sub(backing, "format", type=backing_format or "qcow2")
    return _serialize(volume)


def dir_pool_xml(name: str, path: str) -> str:
    """A directory storage pool (what the primary_storage role defines on hosts)."""
    pool = ET.Element("pool", type="dir")
    _sub(pool, "name", name)
    target = _sub(pool, "target")
    _sub(target, "path", path)
    return _serialize(pool)


# -- reading a live definition back -------------------------------------------------------

@dataclass(frozen=True)
class DomainDevices:
    interfaces: tuple[str, ...]  # target dev names (vnet0, ...) for interfaceStats
    disks: tuple[str, ...]  # target devs (vda, ...) of disks, not CD-ROMs, for blockStats
    vnc_port: int | None
    vnc_listen: str | None
    vnc_password: str | None


def devices_of(domain_definition: str) -> DomainDevices:
    """What stats and the console need from a domain's (live, secure) XML."""
    root = ET.fromstring(domain_definition)
    interfaces = tuple(
        target.get("dev", "") for target in root.findall("./devices/interface/target")
        if target.get("dev"))
    disks = tuple(
        target.get("dev", "") for disk in root.findall("./devices/disk")
        if disk.get("device", "disk") == "disk"
        for target in disk.findall("target") if target.get("dev"))
    port = listen = password = None
    vnc = root.find("./devices/graphics[@type='vnc']")
    if vnc is not None:
        raw_port = vnc.get("port")
        port = int(raw_port) if raw_port and raw_port.lstrip("-").isdigit() else None
        if port is not None and port < 0:
            port = None
        listen = vnc.get("listen")
        address = vnc.find("listen[@type='address']")
        if address is not None and address.get("address"):
            listen = address.get("address")
        password = vnc.get("passwd")
    return DomainDevices(interfaces=interfaces, disks=disks, vnc_port=port,
                         vnc_listen=listen, vnc_password=password)


@dataclass(frozen=True)
class DomainDisk:
    """One <disk> of a domain's definition, as the volume operations need it."""

    target: str
    device: str  # disk | cdrom
    bus: str
    source: str | None  # the file; None for an empty CD-ROM drive
    format: str | None
    backing: str | None  # the file of its first <backingStore>, when libvirt shows it
    mirror_job: str | None  # a running block job's <mirror job=...> (active-commit, ...)
    mirror_ready: bool


def domain_disks(domain_definition: str) -> tuple[DomainDisk, ...]:
    """The disks and CD-ROM drives of a domain definition (live or inactive)."""
    root = ET.fromstring(domain_definition)
    result = []
    for disk in root.findall("./devices/disk"):
        target = disk.find("target")
        if target is None or not target.get("dev"):
            continue
        source = disk.find("source")
        driver = disk.find("driver")
        backing = disk.find("backingStore/source")
        mirror = disk.find("mirror")
        result.append(DomainDisk(
            target=target.get("dev", ""), device=disk.get("device", "disk"),
            bus=target.get("bus", ""),
            source=source.get("file") if source is not None else None,
            format=driver.get("type") if driver is not None else None,
            backing=backing.get("file") if backing is not None else None,
            mirror_job=mirror.get("job") if mirror is not None else None,
            mirror_ready=mirror is not None and mirror.get("ready") == "yes"))
    return tuple(result)


def disk_snapshot_xml(targets: Sequence[str], frozen: str, overlay: str) -> str:
    """An external disk-only snapshot of disk `frozen` into the existing qcow2 file `overlay`
    (the domain writes there from then on); the other `targets` are left out."""
    snapshot = ET.Element("domainsnapshot")
    _sub(snapshot, "description", f"cirrus: {frozen} frozen for a copy")
    disks = _sub(snapshot, "disks")
    for target in targets:
        if target != frozen:
            _sub(disks, "disk", name=target, snapshot="no")
            continue
        disk = _sub(disks, "disk", name=target, snapshot="external", type="file")
        _sub(disk, "driver", type="qcow2")
        _sub(disk, "source", file=overlay)
    return _serialize(snapshot)


def volume_facts(volume_definition: str) -> tuple[str, str | None, str | None]:
    """(format, backing file, backing format) of a storage volume's XML."""
    root = ET.fromstring(volume_definition)
    target_format = root.find("./target/format")
    backing_format = root.find("./backingStore/format")
    return (target_format.get("type", "raw") if target_format is not None else "raw",
            root.findtext("./backingStore/path") or None,
            backing_format.get("type") if backing_format is not None else None)
