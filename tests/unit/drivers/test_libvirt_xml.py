"""Domain and volume XML of the libvirt driver, from a VmSpec (pure; no libvirtd)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from appliance.drivers.hypervisor.base import NicSpec, VmSpec
from appliance.drivers.hypervisor.libvirt import xml as virxml

VM_ID = "0b6e3a7c-5f1e-4c1e-9a55-1c3c8a6f0e11"


def _spec(**overrides: object) -> VmSpec:
    values: dict[str, object] = dict(
        vm_id=VM_ID, instance_name="i-2-7-VM", cpus=2, cpu_speed_mhz=1000, memory_mib=512,
        nics=(NicSpec(mac="02:00:4A:5B:00:01", bridge="brvx-1001", device_id=0),
              NicSpec(mac="02:00:4a:5b:00:02", bridge="cloudbr0", device_id=1)))
    values.update(overrides)
    return VmSpec(**values)  # type: ignore[arg-type]


ROOT = virxml.AttachedDisk(path="/pool/p1/vol-root", format="qcow2", is_root=True)
DATA = virxml.AttachedDisk(path="/pool/p1/vol-data", format="qcow2")


def _kvm(spec: VmSpec | None = None, **kwargs: object) -> ET.Element:
    params: dict[str, object] = dict(
        serial_log="/var/log/libvirt/qemu/i-2-7-VM.serial.log",
        graphics=virxml.Graphics(listen="10.233.0.11", password="s3cretPw"))
    params.update(kwargs)
    text = virxml.domain_xml(spec or _spec(), "kvm", [ROOT, DATA], **params)  # type: ignore[arg-type]
    return ET.fromstring(text)


def test_vcpus_memory_and_identity() -> None:
    domain = _kvm()
    assert domain.get("type") == "kvm"
    assert domain.findtext("name") == "i-2-7-VM"
    assert domain.findtext("uuid") == VM_ID
    assert domain.findtext("vcpu") == "2"
    memory = domain.find("memory")
    assert memory is not None and memory.text == "512" and memory.get("unit") == "MiB"
    assert domain.findtext("currentMemory") == "512"
    assert domain.find(f"metadata/{{{virxml.METADATA_NS}}}vm").get("id") == VM_ID  # type: ignore[union-attr]


@pytest.mark.parametrize(("cpus", "mhz", "shares"), [
    (1, 500, 500), (2, 1000, 2000), (4, 2400, 9600), (1, 1, 2), (64, 10_000, 262144)])
def test_cpu_shares_proportional_to_offering_mhz(cpus: int, mhz: int, shares: int) -> None:
    assert virxml.cpu_shares(cpus, mhz) == shares
    domain = _kvm(_spec(cpus=cpus, cpu_speed_mhz=mhz))
    assert domain.findtext("cputune/shares") == str(shares)


def test_twice_the_mhz_gets_twice_the_weight() -> None:
    small = int(_kvm(_spec(cpus=1, cpu_speed_mhz=500)).findtext("cputune/shares") or 0)
    large = int(_kvm(_spec(cpus=1, cpu_speed_mhz=1000)).findtext("cputune/shares") or 0)
    assert large == 2 * small


def test_disks_root_first_on_virtio_and_an_empty_cdrom_drive() -> None:
    disks = _kvm().findall("devices/disk")
    assert [(d.get("device"), d.find("source").get("file")  # type: ignore[union-attr]
             if d.find("source") is not None else None,
             d.find("target").get("dev"), d.find("target").get("bus"),  # type: ignore[union-attr]
             d.find("driver").get("type")) for d in disks] == [  # type: ignore[union-attr]
        ("disk", "/pool/p1/vol-root", "vda", "virtio", "qcow2"),
        ("disk", "/pool/p1/vol-data", "vdb", "virtio", "qcow2"),
        ("cdrom", None, "hdc", "ide", "raw")]
    assert disks[2].find("readonly") is not None


def test_root_volume_is_an_overlay_on_the_template() -> None:
    volume = ET.fromstring(virxml.volume_xml(
        "vol-root", 5 << 30, backing_path="/pool/p1/tmpl-42", backing_format="qcow2"))
    assert volume.findtext("name") == "vol-root"
    assert volume.findtext("capacity") == str(5 << 30)
    assert volume.find("target/format").get("type") == "qcow2"  # type: ignore[union-attr]
    assert volume.findtext("backingStore/path") == "/pool/p1/tmpl-42"
    assert volume.find("backingStore/format").get("type") == "qcow2"  # type: ignore[union-attr]
    blank = ET.fromstring(virxml.volume_xml("vol-data", 1 << 30))
    assert blank.find("backingStore") is None


def test_nics_with_mac_bridge_and_virtio() -> None:
    interfaces = _kvm().findall("devices/interface")
    assert [(i.get("type"), i.find("mac").get("address"),  # type: ignore[union-attr]
             i.find("source").get("bridge"), i.find("model").get("type"))  # type: ignore[union-attr]
            for i in interfaces] == [
        ("bridge", "02:00:4a:5b:00:01", "brvx-1001", "virtio"),
        ("bridge", "02:00:4a:5b:00:02", "cloudbr0", "virtio")]


def test_serial_console_to_a_file_under_the_log_dir() -> None:
    serial = _kvm().find("devices/serial")
    assert serial is not None and serial.get("type") == "file"
    assert serial.find("source").get("path") == (  # type: ignore[union-attr]
        "/var/log/libvirt/qemu/i-2-7-VM.serial.log")


def test_vnc_on_the_host_address_with_the_vm_password() -> None:
    domain = _kvm()
    vnc = domain.find("devices/graphics")
    assert vnc is not None and vnc.get("type") == "vnc"
    assert vnc.get("autoport") == "yes" and vnc.get("listen") == "10.233.0.11"
    assert vnc.get("passwd") == "s3cretPw"
    # what console() reads back from a live definition (the port is filled in by libvirt)
    vnc.set("port", "5901")
    devices = virxml.devices_of(ET.tostring(domain, encoding="unicode"))
    assert (devices.vnc_listen, devices.vnc_port, devices.vnc_password) == (
        "10.233.0.11", 5901, "s3cretPw")
    assert devices.disks == ("vda", "vdb")


def test_direct_kernel_boot() -> None:
    domain = _kvm(boot=virxml.BootFiles(kernel="/pool/p1/tmpl-9-kernel",
                                        initrd="/pool/p1/tmpl-9-initrd",
                                        cmdline="console=ttyS0"))
    assert domain.findtext("os/kernel") == "/pool/p1/tmpl-9-kernel"
    assert domain.findtext("os/initrd") == "/pool/p1/tmpl-9-initrd"
    assert domain.findtext("os/cmdline") == "console=ttyS0"
    assert domain.find("os/boot") is None
    assert domain.findtext("os/type") == "hvm"


def test_iso_boot_puts_the_cdrom_first() -> None:
    iso = virxml.AttachedDisk(path="/pool/p1/tmpl-iso", format="raw", device="cdrom")
    text = virxml.domain_xml(_spec(boot_from_iso=True), "qemu", [ROOT, iso])
    domain = ET.fromstring(text)
    assert domain.get("type") == "qemu"
    assert [b.get("dev") for b in domain.findall("os/boot")] == ["cdrom", "hd"]
    cdrom = domain.find("devices/disk[@device='cdrom']")
    assert cdrom is not None and cdrom.find("readonly") is not None
    assert cdrom.find("target").get("dev") == "hdc"  # type: ignore[union-attr]


def test_lxc_domain_with_a_filesystem_root_and_init() -> None:
    rootfs = virxml.AttachedDisk(path="/pool/p1/vol-root", format="raw", is_root=True)
    domain = ET.fromstring(virxml.domain_xml(_spec(cpus=1, cpu_speed_mhz=500), "lxc",
                                             [rootfs], lxc_init="/sbin/init"))
    assert domain.get("type") == "lxc"
    assert domain.findtext("os/type") == "exe"
    assert domain.findtext("os/init") == "/sbin/init"
    assert domain.findtext("cputune/shares") == "500"
    filesystem = domain.find("devices/filesystem")
    assert filesystem is not None and filesystem.get("type") == "file"
    assert filesystem.find("source").get("file") == "/pool/p1/vol-root"  # type: ignore[union-attr]
    assert filesystem.find("target").get("dir") == "/"  # type: ignore[union-attr]
    assert filesystem.find("driver").get("type") == "loop"  # type: ignore[union-attr]
    assert [i.find("mac").get("address") for i in domain.findall("devices/interface")] == [  # type: ignore[union-attr]
        "02:00:4a:5b:00:01", "02:00:4a:5b:00:02"]
    assert domain.find("devices/console").get("type") == "pty"  # type: ignore[union-attr]
    assert domain.find("devices/graphics") is None and domain.find("devices/disk") is None


def test_lxc_without_root_and_unknown_types_are_refused() -> None:
    with pytest.raises(ValueError, match="needs a root disk"):
        virxml.domain_xml(_spec(), "lxc", [])
    with pytest.raises(ValueError, match="xen"):
        virxml.domain_xml(_spec(), "xen", [ROOT])


# -- volumes: targets by device id, hot plug, CD-ROM, freezing --------------------------

@pytest.mark.parametrize(("device_id", "target"), [
    (1, "vdb"), (2, "vdc"), (4, "vde"), (25, "vdz"), (26, "vdaa"), (27, "vdab")])
def test_a_data_disk_target_follows_its_device_id(device_id: int, target: str) -> None:
    assert virxml.disk_target(device_id) == target
    assert virxml.disk_target(device_id, taken={"vda", target}) == target  # no fallback


def test_a_data_disk_without_device_id_takes_the_first_free_target() -> None:
    assert virxml.disk_target(None) == "vdb"
    assert virxml.disk_target(None, taken={"vda", "vdb", "vdd"}) == "vdc"
    assert virxml.disk_target(0, taken={"vda", "vdb"}) == "vdc"  # 0 is the root's


def test_domain_names_data_disks_by_device_id_as_attach_does() -> None:
    disks = [virxml.AttachedDisk(path="/p/d4", device_id=4),
             virxml.AttachedDisk(path="/p/root", is_root=True, device_id=0),
             virxml.AttachedDisk(path="/p/d1", device_id=1),
             virxml.AttachedDisk(path="/p/legacy", format="raw")]
    domain = ET.fromstring(virxml.domain_xml(_spec(), "qemu", disks))
    targets = {d.find("target").get("dev"): d.find("source").get("file")  # type: ignore[union-attr]
               for d in domain.findall("devices/disk[@device='disk']")}
    assert targets == {"vda": "/p/root", "vde": "/p/d4", "vdb": "/p/d1", "vdc": "/p/legacy"}
    # the disk a running VM gets for device id 4 is the one it would get at start
    plugged = ET.fromstring(virxml.disk_xml(virxml.AttachedDisk(path="/p/d4", device_id=4),
                                            virxml.disk_target(4)))
    started = next(d for d in domain.findall("devices/disk")
                   if d.find("source").get("file") == "/p/d4")  # type: ignore[union-attr]
    assert _shape(plugged) == _shape(started)


def _shape(element: ET.Element) -> tuple[object, ...]:
    """An element without its whitespace: tag, attributes, children."""
    return (element.tag, element.attrib, (element.text or "").strip(),
            tuple(_shape(child) for child in element))


def test_two_data_disks_with_one_device_id_are_refused() -> None:
    disks = [ROOT, virxml.AttachedDisk(path="/p/a", device_id=2),
             virxml.AttachedDisk(path="/p/b", device_id=2)]
    with pytest.raises(ValueError, match="vdc"):
        virxml.domain_xml(_spec(), "kvm", disks)


def test_hot_plugged_disk_xml() -> None:
    disk = ET.fromstring(virxml.disk_xml(
        virxml.AttachedDisk(path="/pool/p1/vol-7", format="raw", device_id=3), "vdd"))
    assert (disk.tag, disk.get("type"), disk.get("device")) == ("disk", "file", "disk")
    assert disk.find("driver").get("type") == "raw"  # type: ignore[union-attr]
    assert disk.find("source").get("file") == "/pool/p1/vol-7"  # type: ignore[union-attr]
    assert disk.find("target").attrib == {"dev": "vdd", "bus": "virtio"}  # type: ignore[union-attr]


def test_cdrom_media_xml() -> None:
    inserted = ET.fromstring(virxml.cdrom_xml("/pool/p1/tmpl-iso"))
    assert inserted.get("device") == "cdrom" and inserted.find("readonly") is not None
    assert inserted.find("source").get("file") == "/pool/p1/tmpl-iso"  # type: ignore[union-attr]
    assert inserted.find("target").attrib == {"dev": "hdc", "bus": "ide"}  # type: ignore[union-attr]
    ejected = ET.fromstring(virxml.cdrom_xml(None, "hdd", "sata"))
    assert ejected.find("source") is None
    assert ejected.find("target").attrib == {"dev": "hdd", "bus": "sata"}  # type: ignore[union-attr]


def test_iso_boot_needs_a_medium() -> None:
    empty = ET.fromstring(virxml.domain_xml(_spec(boot_from_iso=True), "qemu", [ROOT]))
    assert [b.get("dev") for b in empty.findall("os/boot")] == ["hd"]
    assert len(empty.findall("devices/disk[@device='cdrom']")) == 1
    lxc = ET.fromstring(virxml.domain_xml(_spec(), "lxc", [ROOT]))
    assert lxc.find("devices/disk") is None  # containers get no CD-ROM drive


def test_disk_only_snapshot_of_one_disk_into_an_overlay() -> None:
    snapshot = ET.fromstring(virxml.disk_snapshot_xml(
        ["vda", "vdb", "hdc"], "vdb", "/pool/p1/vol-9.overlay"))
    disks = {d.get("name"): d for d in snapshot.findall("disks/disk")}
    assert {name: d.get("snapshot") for name, d in disks.items()} == {
        "vda": "no", "vdb": "external", "hdc": "no"}
    assert disks["vdb"].find("source").get("file") == "/pool/p1/vol-9.overlay"  # type: ignore[union-attr]
    assert disks["vdb"].find("driver").get("type") == "qcow2"  # type: ignore[union-attr]


LIVE = """<domain type='qemu'><name>i-2-7-VM</name><devices>
  <disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
    <source file='/pool/p1/root.overlay'/>
    <backingStore type='file'><format type='qcow2'/><source file='/pool/p1/root'/>
      <backingStore/></backingStore>
    <mirror type='file' job='active-commit' ready='yes'><format type='qcow2'/>
      <source file='/pool/p1/root'/></mirror>
    <target dev='vda' bus='virtio'/></disk>
  <disk type='file' device='disk'><driver name='qemu' type='raw'/>
    <source file='/pool/p1/data'/><target dev='vdb' bus='virtio'/></disk>
  <disk type='file' device='cdrom'><driver name='qemu' type='raw'/>
    <target dev='hdc' bus='ide'/><readonly/></disk>
</devices></domain>"""


def test_domain_disks_read_back_from_a_live_definition() -> None:
    root, data, cdrom = virxml.domain_disks(LIVE)
    assert root == virxml.DomainDisk(
        target="vda", device="disk", bus="virtio", source="/pool/p1/root.overlay",
        format="qcow2", backing="/pool/p1/root", mirror_job="active-commit",
        mirror_ready=True)
    assert (data.target, data.source, data.format, data.backing, data.mirror_job,
            data.mirror_ready) == ("vdb", "/pool/p1/data", "raw", None, None, False)
    assert (cdrom.device, cdrom.target, cdrom.bus, cdrom.source) == (
        "cdrom", "hdc", "ide", None)
    assert virxml.devices_of(LIVE).disks == ("vda", "vdb")  # stats leave the drive out


def test_volume_facts() -> None:
    overlay = virxml.volume_xml("vol-root", 5 << 30, backing_path="/pool/p1/tmpl-42",
                                backing_format="raw")
    assert virxml.volume_facts(overlay) == ("qcow2", "/pool/p1/tmpl-42", "raw")
    assert virxml.volume_facts(virxml.volume_xml("d", 1 << 20, format="raw")) == (
        "raw", None, None)
