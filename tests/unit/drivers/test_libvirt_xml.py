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


def test_disks_root_first_on_virtio() -> None:
    disks = _kvm().findall("devices/disk")
    assert [(d.get("device"), d.find("source").get("file"),  # type: ignore[union-attr]
             d.find("target").get("dev"), d.find("target").get("bus"),  # type: ignore[union-attr]
             d.find("driver").get("type")) for d in disks] == [  # type: ignore[union-attr]
        ("disk", "/pool/p1/vol-root", "vda", "virtio", "qcow2"),
        ("disk", "/pool/p1/vol-data", "vdb", "virtio", "qcow2")]


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
