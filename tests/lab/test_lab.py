"""The one-box lab itself: hosts reachable by SSH and libvirt, guests boot, VXLAN between
hosts carries traffic, `lab down` leaves nothing."""

from __future__ import annotations

import os
import subprocess
import tempfile

import pytest

import lab
from lab import topology
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
    others = [pid for pid in lab_support._live_leases() if pid != os.getpid()]
    if others:
        pytest.skip(f"test sessions {others} use the lab now; taking it down would break them")
    pids = [pid for host in lab_hosts.hosts for pid in host.pids.values()]
    session_owned = os.path.exists(topology.SESSION_OWNED_FILE)
    removed = lab.down()
    assert any("h1" in line for line in removed) and any("h2" in line for line in removed)
    assert _lab_leftovers() == []
    assert not [pid for pid in pids if os.path.exists(f"/proc/{pid}")]
    assert not lab.status().recorded
    lab_hosts.hosts[:] = lab.up(hosts=len(lab_hosts.hosts)).hosts
    if session_owned:
        with open(topology.SESSION_OWNED_FILE, "w") as handle:
            handle.write(f"{os.getpid()}\n")
