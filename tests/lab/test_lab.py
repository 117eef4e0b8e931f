"""The one-box lab itself: hosts reachable by SSH and libvirt, guests boot, VXLAN between
hosts carries traffic, `lab down` leaves nothing."""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
import time
from collections.abc import Callable

import pytest

import lab
from lab import control, guests, images, topology
from lab import hosts as hostlib
from tests.support import lab as lab_support


def _ssh(host: lab.LabHost, command: str, known_hosts: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["ssh", "-i", host.ssh_key_path, "-o", "BatchMode=yes",
         "-o", "StrictHostKeyChecking=no", "-o", f"UserKnownHostsFile={known_hosts}",
         "-o", "ConnectTimeout=5", f"root@{host.address}", command],
        capture_output=True, text=True, timeout=30)


def test_topology_is_fixed(lab_hosts: lab.Lab) -> None:
    assert [h.address for h in lab_hosts.hosts[:2]] == ["10.233.0.11", "10.233.0.12"]
    assert [h.netns for h in lab_hosts.hosts[:2]] == ["cirlab-h1", "cirlab-h2"]
    assert lab_hosts.hosts[0].libvirt_uri("qemu") == "qemu+tcp://10.233.0.11/system"
    assert lab_hosts.hosts[0].libvirt_uri("lxc") == "lxc+tcp://10.233.0.11/"
    bridge = subprocess.run(["ip", "-o", "-4", "addr", "show", "dev", topology.BRIDGE],
                            capture_output=True, text=True, check=True).stdout
    assert "10.233.0.1/24" in bridge
    inside = lab_hosts.hosts[0].run("ip -o -4 addr show dev eth0; hostname").stdout
    assert "10.233.0.11/24" in inside and inside.split()[-1] == "h1"


def test_hosts_answer_ssh_with_the_lab_key(lab_hosts: lab.Lab) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        known_hosts = os.path.join(scratch, "known_hosts")
        for host in lab_hosts.hosts[:2]:
            result = _ssh(host, "hostname; ls /var/lib/libvirt", known_hosts)
            assert result.returncode == 0, result.stderr
            assert result.stdout.split()[0] == host.name
        # The lab's own known_hosts holds the real host keys (strict checking passes).
        strict = subprocess.run([*lab_hosts.hosts[1].ssh_args(), "true"],
                                capture_output=True, text=True, timeout=30)
        assert strict.returncode == 0, strict.stderr


def test_hosts_refuse_passwords_and_unknown_keys(lab_hosts: lab.Lab) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        stranger = os.path.join(scratch, "id_ed25519")
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", stranger],
                       check=True)
        result = subprocess.run(
            ["ssh", "-i", stranger, "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
             "-o", f"UserKnownHostsFile={scratch}/known_hosts", "-o", "IdentitiesOnly=yes",
             f"root@{lab_hosts.hosts[0].address}", "true"],
            capture_output=True, text=True, timeout=30)
        assert result.returncode == 255
        assert "Permission denied (publickey)" in result.stderr


def test_each_host_has_its_own_libvirtd(lab_hosts: lab.Lab) -> None:
    import libvirt

    names = []
    for host in lab_hosts.hosts[:2]:
        qemu = libvirt.open(host.libvirt_uri("qemu"))
        try:
            info = qemu.getInfo()
            assert info[0] == "x86_64" and info[2] >= 1  # arch, cpus
            names.append(qemu.getHostname())
        finally:
            qemu.close()
        lxc = libvirt.open(host.libvirt_uri("lxc"))
        try:
            assert lxc.getType() == "LXC"
        finally:
            lxc.close()
    assert names == ["h1", "h2"]
    # Private /var/lib/libvirt: a file made in h1's sits in h1's directory only.
    h1, h2 = lab_hosts.hosts[:2]
    h1.run("touch /var/lib/libvirt/images/only-on-h1")
    assert os.path.exists(h1.host_path("/var/lib/libvirt/images/only-on-h1"))
    assert h2.run("ls /var/lib/libvirt/images").stdout.split() == []
    h1.run("rm /var/lib/libvirt/images/only-on-h1")


def test_an_authorized_key_is_added_to_a_running_lab(lab_hosts: lab.Lab) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        key = os.path.join(scratch, "id_ed25519")
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key], check=True)
        before = {h.pids["libvirtd"] for h in lab_hosts.hosts}
        again = lab.up(hosts=2, authorize_keys=[f"{key}.pub"])
        assert {h.pids["libvirtd"] for h in again.hosts} == before  # reused, not restarted
        result = subprocess.run(
            ["ssh", "-i", key, "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
             "-o", f"UserKnownHostsFile={scratch}/known_hosts", "-o", "IdentitiesOnly=yes",
             f"root@{again.hosts[1].address}", "hostname"],
            capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "h2"


@pytest.fixture
def guest_images(lab_images: images.GuestImages) -> images.GuestImages:
    return lab_images


def _destroy(domain: object) -> None:
    import libvirt

    with contextlib.suppress(libvirt.libvirtError):
        domain.destroy()  # type: ignore[attr-defined]


def test_an_lxc_guest_boots_from_the_lab_rootfs(lab_hosts: lab.Lab,
                                                 guest_images: images.GuestImages) -> None:
    import libvirt

    host = lab_hosts.hosts[0]
    conn = libvirt.open(host.libvirt_uri("lxc"))
    name = f"labtest-lxc-{os.getpid()}"
    started = time.monotonic()
    domain = conn.createXML(guests.lxc_domain_xml(
        name, guest_images.lxc_rootfs, env={"CIRRUS_HOSTNAME": name}), 0)
    try:
        console = guests.Console(conn, domain)
        output = console.wait_for(guests.marker_line(name), timeout=20)
        assert time.monotonic() - started < 20
        assert f"{images.MARKER} {name}" in output
        # Only h1 sees it; SIGTERM shutdown (libvirt LXC's signal mode) ends the container.
        other = libvirt.open(lab_hosts.hosts[1].libvirt_uri("lxc"))
        assert name not in [d.name() for d in other.listAllDomains()]
        other.close()
        domain.shutdownFlags(libvirt.VIR_DOMAIN_SHUTDOWN_SIGNAL)
        assert _wait(lambda: name not in [d.name() for d in conn.listAllDomains()], 30)
        console.close()
    finally:
        _destroy(domain)
        conn.close()


def test_qemu_guests_boot_the_debian_kernel_and_the_disk_template(
        lab_hosts: lab.Lab, guest_images: images.GuestImages) -> None:
    """h1: direct kernel boot (kernel + initramfs); h2: a qcow2 overlay on cirrus-tiny.qcow2
    booted by the BIOS (SYSLINUX on the disk). Both print the marker on ttyS0."""
    import libvirt

    h1, h2 = lab_hosts.hosts[:2]
    suffix = os.getpid()
    direct, disk = f"labtest-kernel-{suffix}", f"labtest-disk-{suffix}"
    overlay = f"/var/lib/libvirt/images/{disk}.qcow2"
    h2.run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b",
            guest_images.template_qcow2, overlay])
    c1, c2 = libvirt.open(h1.libvirt_uri("qemu")), libvirt.open(h2.libvirt_uri("qemu"))
    domains = []
    try:
        domains.append(c1.createXML(guests.qemu_domain_xml(
            direct, serial_log=guests.serial_log_path(direct), kernel=guest_images.kernel,
            initrd=guest_images.initrd, cmdline=images.kernel_cmdline(hostname=direct)), 0))
        domains.append(c2.createXML(guests.qemu_domain_xml(
            disk, serial_log=guests.serial_log_path(disk), disk=overlay), 0))
        log1 = guests.wait_for_file_text(h1.host_path(guests.serial_log_path(direct)),
                                         guests.marker_line(direct), timeout=120)
        log2 = guests.wait_for_file_text(h2.host_path(guests.serial_log_path(disk)),
                                         images.MARKER, timeout=120)
        assert f"{images.MARKER} {direct}" in log1
        assert f"{images.MARKER} cirrus-guest" in log2
        assert domains[0].info()[0] == libvirt.VIR_DOMAIN_RUNNING
    finally:
        for domain in domains:
            _destroy(domain)
        c1.close()
        c2.close()
        h2.run(["rm", "-f", overlay], check=False)


def test_vxlan_between_hosts_carries_guest_traffic(lab_hosts: lab.Lab,
                                                   guest_images: images.GuestImages) -> None:
    """A VXLAN + bridge on each host, an LXC guest on each bridge: the guest on h2 pings
    the guest on h1 across the lab network."""
    import libvirt

    hosts = lab_hosts.hosts[:2]
    vni, bridge = 16_000_000 + os.getpid() % 700_000, "cbrlabtest"  # VNI unlikely in use
    for index, host in enumerate(hosts):
        peer = hosts[1 - index]
        host.run(f"ip link add vxlabtest type vxlan id {vni} local {host.address} "
                 f"remote {peer.address} dstport 4789 dev eth0 && "
                 f"ip link add {bridge} type bridge && "
                 f"ip link set vxlabtest master {bridge} && "
                 f"ip link set vxlabtest up && ip link set {bridge} up")
    conns = [libvirt.open(host.libvirt_uri("lxc")) for host in hosts]
    domains = []
    consoles = []
    try:
        for index, conn in enumerate(conns):
            name = f"labtest-vx{index + 1}-{os.getpid()}"
            env = {"CIRRUS_HOSTNAME": name}
            if index == 1:
                env["CIRRUS_PING"] = "10.250.0.1"
            domains.append(conn.createXML(guests.lxc_domain_xml(
                name, guest_images.lxc_rootfs, bridge=bridge, ip=f"10.250.0.{index + 1}/24",
                mac=f"52:54:00:fa:00:0{index + 1}", env=env), 0))
            consoles.append(guests.Console(conn, domains[-1]))
        output = consoles[1].wait_for(f"{images.PING_MARKER} 10.250.0.1", timeout=30)
        assert f"{images.MARKER} labtest-vx2" in output
        fdb = hosts[0].run("bridge fdb show dev vxlabtest").stdout
        assert "52:54:00:fa:00:02" in fdb  # h1 learned h2's guest through the tunnel
    finally:
        for console in consoles:
            console.close()
        for domain in domains:
            _destroy(domain)
        for conn in conns:
            conn.close()
        for host in hosts:
            host.run(f"ip link del vxlabtest; ip link del {bridge}", check=False)


def _wait(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_the_images_are_served_on_loopback(lab_image_urls: lab_support.LabImageUrls) -> None:
    import urllib.request

    assert lab_image_urls.qcow2.url.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(lab_image_urls.qcow2.url, timeout=10) as response:
        head = response.read(4)
        assert response.headers["Content-Length"] == str(lab_image_urls.qcow2.size)
    assert head == b"QFI\xfb"  # a qcow2 file
    with urllib.request.urlopen(lab_image_urls.iso.url, timeout=10) as response:
        assert len(response.read()) == lab_image_urls.iso.size


def _lab_leftovers() -> list[str]:
    found = []
    netns = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    found += [f"netns {line.split()[0]}" for line in netns.splitlines()
              if line.startswith("cirlab-")]
    links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout
    found += [f"link {line.split(':')[1].strip()}" for line in links.splitlines()
              if "cirlab" in line.split(":")[1]]
    ps = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout
    found += [f"process {line.strip()}" for line in ps.splitlines()
              if topology.STATE_DIR in line]
    return found


def test_down_leaves_nothing(lab_hosts: lab.Lab) -> None:
    """Last in this module: brings the lab down, checks, and brings it back for the
    session (unless another test session uses the lab at the same time)."""
    others = [pid for pid in control.live_leases() if pid != os.getpid()]
    if others:
        pytest.skip(f"test sessions {others} use the lab now; taking it down would break them")
    pids = [pid for host in lab_hosts.hosts for pid in host.pids.values()]
    session_owned = os.path.exists(topology.SESSION_OWNED_FILE)
    removed = lab.down()
    assert any("h1" in line for line in removed) and any("h2" in line for line in removed)
    assert _lab_leftovers() == []
    # A daemon whose parent (here PID 1) has not reaped it yet is a zombie: stopped all
    # the same; only a live process is a leftover.
    assert not [pid for pid in pids if hostlib.pid_alive(pid)]
    assert not lab.status().recorded
    lab_hosts.hosts[:] = lab.up(hosts=len(lab_hosts.hosts)).hosts
    if session_owned:
        with open(topology.SESSION_OWNED_FILE, "w") as handle:
            handle.write(f"{os.getpid()}\n")

