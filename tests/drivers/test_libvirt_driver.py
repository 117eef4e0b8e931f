"""The libvirt driver against real libvirtd on a lab host (tests/support/lab.py): LXC
containers and QEMU-TCG guests started, stopped (gracefully, and forced after the timeout),
rebooted, destroyed; host facts, power states, stats and the VNC console.

Each test module defines its own dir pool and guest bridge on lab host h1 and removes them
(and every domain it defined) at the end.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

import lab
from appliance.drivers.hypervisor import driver_for
from appliance.drivers.hypervisor.base import (
    DiskSpec,
    DriverError,
    HostAccess,
    HostUnreachable,
    NicSpec,
    PowerState,
    TemplateSpec,
    VmSpec,
)
from appliance.drivers.hypervisor.libvirt import LibvirtDriver
from appliance.drivers.hypervisor.libvirt import connection as libvirt_connection
from appliance.drivers.hypervisor.libvirt.driver import SERIAL_LOG_DIR
from tests.drivers import guest_images

TAG = f"t{os.getpid() % 100000}"
POOL = f"cirrus-drv-{TAG}"
BRIDGE = f"cirdrv{os.getpid() % 10000}"
BRIDGE_NET = f"192.168.{200 + os.getpid() % 50}"


@pytest.fixture(scope="module")
def images() -> dict[str, str]:
    reason = guest_images.unavailable()
    if reason:
        pytest.skip(reason)
    return {"rootfs": guest_images.lxc_rootfs(), "kernel": guest_images.kernel(),
            "initrd": guest_images.initrd(), "blank": guest_images.blank_qcow2()}


@pytest.fixture(scope="module")
def lab_host(lab_hosts: lab.Lab) -> Iterator[lab.LabHost]:
    """Lab host h1 with this module's guest bridge (with an address, to send traffic)."""
    host = lab_hosts.hosts[0]
    host.run(f"ip link add {BRIDGE} type bridge && ip addr add {BRIDGE_NET}.1/24 dev {BRIDGE}"
             f" && ip link set {BRIDGE} up")
    yield host
    host.run(f"ip link del {BRIDGE}", check=False)


@pytest.fixture(scope="module")
def pool(lab_host: lab.LabHost) -> Iterator[str]:
    """A dir pool on the host (what the primary_storage role defines in production)."""
    libvirt = libvirt_connection.libvirt
    conn = libvirt.open(lab_host.libvirt_uri("qemu"))
    path = f"/var/lib/libvirt/images/{POOL}"
    lab_host.run(f"mkdir -p {path}")
    created = conn.storagePoolDefineXML(
        f"<pool type='dir'><name>{POOL}</name><target><path>{path}</path></target></pool>", 0)
    created.create(0)
    yield POOL
    for name in list(_our_domains(conn)):
        domain = conn.lookupByName(name)
        if domain.isActive():
            domain.destroy()
        domain.undefine()
    for volume in created.listAllVolumes(0):
        volume.delete(0)
    created.destroy()
    created.undefine()
    lab_host.run(f"rmdir {path}", check=False)
    conn.close()


def _our_domains(conn: Any) -> list[str]:
    names = [d.name() for d in conn.listAllDomains(0)]
    lxc = libvirt_connection.libvirt.open(conn.getURI().replace("qemu", "lxc").replace(
        "/system", "/"))
    try:
        for domain in lxc.listAllDomains(0):
            if domain.name().startswith(f"i-{TAG}-"):
                if domain.isActive():
                    domain.destroy()
                domain.undefine()
    finally:
        lxc.close()
    return [name for name in names if name.startswith(f"i-{TAG}-")]


@pytest.fixture(scope="module")
def driver() -> Iterator[LibvirtDriver]:
    instance = LibvirtDriver()
    yield instance
    instance.connections.close_all()


def _access(host: lab.LabHost, domain_type: str) -> HostAccess:
    return HostAccess(id=host.name, name=host.name, url=f"http://{host.address}",
                      hypervisor="LXC" if domain_type == "lxc" else "KVM",
                      ip_address=host.address, libvirt_domain_type=domain_type)


_names = iter(range(1, 1000))


def _spec(kind: str, images: dict[str, str], *, init: str | None = None) -> VmSpec:
    n = next(_names)
    name = f"i-{TAG}-{n}-VM"
    vm_id = str(uuid.uuid4())
    if kind == "lxc":
        template = TemplateSpec(template_id=f"{TAG}-rootfs", path=images["rootfs"],
                                format="RAW", size=os.path.getsize(images["rootfs"]))
        disks: tuple[DiskSpec, ...] = (DiskSpec(
            path=f"{name}-root", device_id=0, size=template.size, pool=POOL,
            name=f"{name}-root", is_root=True),)
    else:
        template = TemplateSpec(
            template_id=f"{TAG}-tiny", path=images["blank"], format="QCOW2", size=16 << 20,
            kernel=images["kernel"], initrd=images["initrd"],
            kernel_args="console=ttyS0 panic=-1")
        disks = (DiskSpec(path=f"{name}-root", device_id=0, size=32 << 20, pool=POOL,
                          name=f"{name}-root", is_root=True),
                 DiskSpec(path=f"{name}-data", device_id=1, size=8 << 20, pool=POOL,
                          name=f"{name}-data"))
    return VmSpec(vm_id=vm_id, instance_name=name, cpus=1, cpu_speed_mhz=500,
                  memory_mib=64 if kind == "lxc" else 192, disks=disks,
                  nics=(NicSpec(mac=f"02:00:5e:{n // 256:02x}:{n % 256:02x}:01",
                                bridge=BRIDGE),),
                  template=template, extra={"init": init} if init else {})


def _wait(predicate: Any, timeout: float, what: str) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if predicate():
            return time.monotonic() - start
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen within {timeout} s")


def _traffic(host: lab.LabHost) -> None:
    """Broadcast pings on the guest bridge: every guest NIC on it receives them."""
    host.run(f"ping -b -c 3 -i 0.2 -W 1 {BRIDGE_NET}.255 >/dev/null 2>&1", check=False)


def _volumes(host: lab.LabHost) -> set[str]:
    conn = libvirt_connection.libvirt.open(host.libvirt_uri("qemu"))
    try:
        return {v.name() for v in conn.storagePoolLookupByName(POOL).listAllVolumes(0)}
    finally:
        conn.close()


# -- host ---------------------------------------------------------------------------------

def test_registered_for_kvm_and_lxc() -> None:
    assert isinstance(driver_for("KVM", _FakeDb()), LibvirtDriver)  # type: ignore[arg-type]
    assert isinstance(driver_for("LXC", _FakeDb()), LibvirtDriver)  # type: ignore[arg-type]


class _FakeDb:
    url = f"sqlite:///libvirt-driver-test-{TAG}"


def test_detect_reports_the_host(driver: LibvirtDriver, lab_host: lab.LabHost) -> None:
    facts = driver.detect(_access(lab_host, "qemu"))
    assert facts.cpu_count == os.cpu_count()
    assert facts.cpu_speed_mhz > 0
    assert facts.memory > 256 << 20
    assert facts.version.startswith("libvirt ") and facts.capabilities == "hvm"
    assert facts.ip_address == lab_host.address
    assert driver.detect(_access(lab_host, "lxc")).capabilities == "exe"
    driver.ping(_access(lab_host, "lxc"))


def test_unreachable_host_fails_fast(driver: LibvirtDriver) -> None:
    gone = HostAccess(id="gone", name="gone", url="qemu+tcp://127.0.0.1:9/system",
                      hypervisor="KVM", libvirt_domain_type="qemu")
    start = time.monotonic()
    with pytest.raises(HostUnreachable) as failure:
        driver.ping(gone)
    assert failure.value.code == 534 and "127.0.0.1" in failure.value.text
    assert time.monotonic() - start < 6


def test_missing_pool_is_a_driver_error(driver: LibvirtDriver, lab_host: lab.LabHost,
                                        images: dict[str, str], pool: str) -> None:
    spec = _spec("lxc", images)
    broken = VmSpec(**{**spec.__dict__, "disks": (DiskSpec(
        path="x", device_id=0, size=1, pool="no-such-pool", name="x", is_root=True),)})
    with pytest.raises(DriverError) as failure:
        driver.start(_access(lab_host, "lxc"), broken)
    assert failure.value.code == 530 and "no-such-pool" in failure.value.text


# -- LXC ----------------------------------------------------------------------------------

def test_lxc_lifecycle(driver: LibvirtDriver, lab_host: lab.LabHost, images: dict[str, str],
                       pool: str) -> None:
    host = _access(lab_host, "lxc")
    spec = _spec("lxc", images)
    started = time.monotonic()
    driver.start(host, spec)
    took = time.monotonic() - started
    print(f"LXC start (first, staging the rootfs): {took:.2f} s")
    assert driver.power_states(host)[spec.instance_name] == PowerState.RUNNING
    again = time.monotonic()
    driver.start(host, spec)  # idempotent
    print(f"LXC start of a running container: {time.monotonic() - again:.3f} s")
    assert {f"tmpl-{TAG}-rootfs", f"{spec.instance_name}-root"} <= _volumes(lab_host)

    first = driver.stats(host, spec.instance_name)
    assert first.memory_kib > 0 and first.cpu_time_total_ns > 0
    _traffic(lab_host)
    time.sleep(0.5)
    second = driver.stats(host, spec.instance_name)
    assert second.network_read_bytes_total > first.network_read_bytes_total
    assert second.network_read_kbs > 0
    assert 0 <= second.cpu_used_pct <= 100

    conn = driver.connections.get(lab_host.libvirt_uri("lxc"))
    domain_id = conn.lookupByName(spec.instance_name).ID()
    driver.reboot(host, spec.instance_name)
    assert conn.lookupByName(spec.instance_name).ID() != domain_id
    assert driver.power_states(host)[spec.instance_name] == PowerState.RUNNING

    # the init exits on SIGTERM: a graceful stop, well before the timeout
    stopped = time.monotonic()
    driver.stop(host, spec.instance_name, forced=False, timeout=20)
    took = time.monotonic() - stopped
    print(f"LXC graceful stop: {took:.2f} s")
    assert took < 10
    assert driver.power_states(host)[spec.instance_name] == PowerState.STOPPED
    driver.stop(host, spec.instance_name, forced=False, timeout=20)  # idempotent

    # started again from its definition and volumes, then destroyed: the volumes stay
    driver.start(host, spec)
    assert driver.power_states(host)[spec.instance_name] == PowerState.RUNNING
    driver.destroy(host, spec.instance_name)
    assert spec.instance_name not in driver.power_states(host)
    driver.destroy(host, spec.instance_name)  # idempotent
    assert f"{spec.instance_name}-root" in _volumes(lab_host)
    driver.delete_volume(host, POOL, f"{spec.instance_name}-root")
    driver.delete_volume(host, POOL, f"{spec.instance_name}-root")
    assert f"{spec.instance_name}-root" not in _volumes(lab_host)
    with pytest.raises(DriverError):
        driver.stats(host, spec.instance_name)


def test_lxc_stop_is_forced_after_the_timeout(driver: LibvirtDriver, lab_host: lab.LabHost,
                                              images: dict[str, str], pool: str) -> None:
    host = _access(lab_host, "lxc")
    spec = _spec("lxc", images, init="/sbin/stubborn")  # ignores SIGTERM
    driver.start(host, spec)
    stopped = time.monotonic()
    driver.stop(host, spec.instance_name, forced=False, timeout=1.5)
    took = time.monotonic() - stopped
    print(f"LXC stop of a guest ignoring SIGTERM, timeout 1.5 s: {took:.2f} s")
    assert 1.5 <= took < 8
    assert driver.power_states(host)[spec.instance_name] == PowerState.STOPPED
    driver.start(host, spec)
    forced = time.monotonic()
    driver.stop(host, spec.instance_name, forced=True, timeout=60)
    assert time.monotonic() - forced < 5
    assert driver.power_states(host)[spec.instance_name] == PowerState.STOPPED
    driver.destroy(host, spec.instance_name)


# -- QEMU (TCG) ---------------------------------------------------------------------------

def _serial(lab_host: lab.LabHost, name: str) -> str:
    path = lab_host.host_path(f"{SERIAL_LOG_DIR}/{name}.serial.log")
    try:
        with open(path, errors="replace") as handle:
            return handle.read()
    except FileNotFoundError:
        return ""


def _rfb_banner(address: str, port: int) -> bytes:
    with socket.create_connection((address, port), timeout=5) as sock:
        return sock.recv(12)


def test_qemu_lifecycle(driver: LibvirtDriver, lab_host: lab.LabHost, images: dict[str, str],
                        pool: str) -> None:
    host = _access(lab_host, "qemu")
    spec = _spec("qemu", images)
    started = time.monotonic()
    driver.start(host, spec)
    print(f"QEMU define+start (staging template, kernel, initrd): "
          f"{time.monotonic() - started:.2f} s")
    assert driver.power_states(host)[spec.instance_name] == PowerState.RUNNING
    volumes = _volumes(lab_host)
    assert {f"tmpl-{TAG}-tiny", f"tmpl-{TAG}-tiny-kernel", f"tmpl-{TAG}-tiny-initrd",
            f"{spec.instance_name}-root", f"{spec.instance_name}-data"} <= volumes
    root = json.loads(subprocess.run(
        ["qemu-img", "info", "-U", "--output=json", lab_host.host_path(
            f"/var/lib/libvirt/images/{POOL}/{spec.instance_name}-root")],
        capture_output=True, text=True, check=True).stdout)
    assert root["format"] == "qcow2" and root["virtual-size"] == 32 << 20
    assert root["backing-filename"].endswith(f"/tmpl-{TAG}-tiny")  # an overlay on it
    booted = _wait(lambda: guest_images.MARKER in _serial(lab_host, spec.instance_name), 90,
                   "the guest's boot marker on its serial log")
    print(f"QEMU-TCG guest printed its marker {booted:.1f} s after start returned")

    first = driver.stats(host, spec.instance_name)
    _traffic(lab_host)
    time.sleep(1)
    second = driver.stats(host, spec.instance_name)
    assert second.memory_kib > 0 and second.memory_target_kib == 192 * 1024
    assert second.cpu_time_total_ns > first.cpu_time_total_ns
    assert second.cpu_used_pct > 0
    # The tap counts what reached it (the initramfs loads no virtio_net driver, so the
    # guest takes no more frames once booted); the firmware read the root disk.
    assert second.network_read_bytes_total >= first.network_read_bytes_total > 0
    assert second.disk_read_ios_total >= 1 and second.disk_read_bytes_total > 0

    address, port, password = driver.console(host, spec.instance_name)
    assert address == lab_host.address and port >= 5900 and len(password) == 8
    assert _rfb_banner(address, port).startswith(b"RFB ")

    driver.reboot(host, spec.instance_name)
    _wait(lambda: _serial(lab_host, spec.instance_name).count(guest_images.MARKER) >= 2, 90,
          "a second boot marker after reboot")

    # busybox init does not act on the ACPI power button: forced after the timeout
    stopped = time.monotonic()
    driver.stop(host, spec.instance_name, forced=False, timeout=2)
    took = time.monotonic() - stopped
    print(f"QEMU stop of a guest ignoring ACPI, timeout 2 s: {took:.2f} s")
    assert 2 <= took < 10
    assert driver.power_states(host)[spec.instance_name] == PowerState.STOPPED
    assert driver.stats(host, spec.instance_name).memory_kib == 0
    with pytest.raises(DriverError):
        driver.console(host, spec.instance_name)

    driver.destroy(host, spec.instance_name)
    assert spec.instance_name not in driver.power_states(host)
    assert f"{spec.instance_name}-data" in _volumes(lab_host)


def test_reconnects_after_the_connection_drops(driver: LibvirtDriver,
                                               lab_host: lab.LabHost) -> None:
    host = _access(lab_host, "qemu")
    driver.ping(host)
    conn = driver.connections.get(lab_host.libvirt_uri("qemu"))
    conn.close()  # as if libvirtd had gone away and come back
    driver.ping(host)
    assert driver.connections.get(lab_host.libvirt_uri("qemu")) is not conn
