"""roles/router_netns: a virtual router hosted as a network namespace on a lab host.

Planning logic without a host, then the whole path on lab host h1 with real processes:
router_start (check mode, real, again unchanged) -> SSH and Ansible from this (the
appliance's) namespace through the host's sshd (ProxyCommand) -> the public side reaches the
lab's public gateway -> router_stop (and again) -> router_destroy."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

import lab
from lab import topology
from tests.roles.molecule_inventory import lab_inventory

REPO = Path(__file__).resolve().parents[2]
ROLE = REPO / "roles" / "router_netns"
PING = REPO / "roles" / "guest_network" / "molecule" / "default" / "files" / "icmp_ping.py"


def _load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


netns_module = _load(ROLE / "library" / "cirrus_router_netns.py", "cirrus_router_netns")
filters = _load(ROLE / "filter_plugins" / "router_netns.py", "router_netns_filters")


# ---- without a host ----------------------------------------------------------------------

def _params(**overrides: Any) -> dict[str, Any]:
    return {"name": "r-12-VM", "control_ip": "169.254.3.7", "control_prefix": 16,
            "control_mac": None, "control_bridge": "cloud0",
            "control_bridge_address": "169.254.0.1/16", "ssh_port": 3922,
            "interfaces": [{"name": "eth0", "bridge": "brvx-1234", "mac": "02:00:11:22:33:44"},
                           {"name": "eth2", "bridge": "breth0-100", "mac": "02:00:11:22:33:45"}],
            **overrides}


def test_host_ends_fit_in_15_characters_whatever_the_router_name() -> None:
    long_name = "r-123456789012345678-VM"
    ends = [netns_module.host_end(long_name, f"eth{n}") for n in range(3)]
    assert all(len(end) <= 15 for end in ends) and len(set(ends)) == 3
    assert ends[0].startswith(netns_module.host_prefix(long_name) + "-")
    assert netns_module.host_end("r-12-VM", "eth1") != netns_module.host_end("r-13-VM", "eth1")
    assert netns_module.control_mac("169.254.3.7") == "0e:00:a9:fe:03:07"


def test_a_fresh_host_gets_bridge_namespace_veths_and_address() -> None:
    p = _params()
    wanted = netns_module.wanted_interfaces(p)
    host_links = {name: {"ifname": name, "flags": ["UP"], "linkinfo": {"info_kind": "bridge"}}
                  for name in ("brvx-1234", "breth0-100")}
    cmds = [shlex.join(c) for c in netns_module.plan_present(p, host_links, False, {}, [], [],
                                                             wanted)]
    end = netns_module.host_prefix("r-12-VM")
    assert cmds[:5] == ["ip link add name cloud0 type bridge",
                        "ip addr add 169.254.0.1/16 dev cloud0", "ip link set dev cloud0 up",
                        "ip netns add r-12-VM", "ip -n r-12-VM link set dev lo up"]
    assert f"ip link add {end}-1 type veth peer name eth1 netns r-12-VM" in cmds
    assert f"ip link set dev {end}-1 master cloud0" in cmds
    assert "ip -n r-12-VM link set dev eth0 address 02:00:11:22:33:44" in cmds
    assert f"ip link set dev {end}-2 master breth0-100" in cmds
    assert cmds[-1] == "ip -n r-12-VM addr add 169.254.3.7/16 dev eth1"
    assert not [c for c in cmds if "addr add" in c and ("eth0" in c or "eth2" in c)]


def test_a_missing_bridge_fails_unless_in_check_mode() -> None:
    p = _params()
    wanted = netns_module.wanted_interfaces(p)
    with pytest.raises(ValueError, match="bridge brvx-1234 of eth0 does not exist"):
        netns_module.plan_present(p, {}, False, {}, [], [], wanted)
    assert netns_module.plan_present(p, {}, False, {}, [], [], wanted, check_mode=True)


def test_eth1_cannot_be_listed() -> None:
    with pytest.raises(ValueError, match="eth1 is the control interface"):
        netns_module.wanted_interfaces(_params(interfaces=[
            {"name": "eth1", "bridge": "x", "mac": "02:00:00:00:00:01"}]))


def test_host_provided_bridges_are_vlan_bridges_without_their_uplink() -> None:
    nets = [{"bridge": "brvx-7", "isolation": "vxlan", "vni": 7, "physical_dev": "eth0"},
            {"bridge": "breth0-100", "isolation": "vlan", "vlan": 100, "physical_dev": "eth0"},
            {"bridge": "breth0-200", "isolation": "vlan", "vlan": 200, "physical_dev": "eth0"},
            {"bridge": "breth0-300", "isolation": "vlan", "vlan": 300, "physical_dev": "eth0"}]
    bridge = {"linkinfo": {"info_kind": "bridge"}}
    links = [{"ifname": "brvx-7", **bridge}, {"ifname": "breth0-100", **bridge},
             {"ifname": "breth0-200", **bridge}, {"ifname": "eth0.200"}]
    assert filters.host_provided_bridges(nets, links) == [nets[1]]
    assert filters.host_provided_bridges([], links) == []


# ---- on a lab host ---------------------------------------------------------------------

def _env() -> dict[str, str]:
    env = {**os.environ, "ANSIBLE_ROLES_PATH": str(REPO / "roles"), "ANSIBLE_PIPELINING": "True",
           "ANSIBLE_HOST_KEY_CHECKING": "False", "ANSIBLE_FORCE_COLOR": "0", "NO_COLOR": "1",
           "PATH": f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("ANSIBLE_CONFIG", None)
    return env


def _playbook(inventory: Path, playbook: str, extra: dict[str, Any], tmp: Path,
              *options: str) -> tuple[subprocess.CompletedProcess[str], dict[str, int]]:
    extra_file = tmp / f"{playbook}.json"
    extra_file.write_text(json.dumps(extra))
    result = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", str(inventory),
         "-l", "h1", "-e", f"@{extra_file}", str(REPO / "playbooks" / f"{playbook}.yml"),
         *options], capture_output=True, text=True, timeout=300, env=_env())
    recap = re.search(r"^h1\s+:\s+(.*)$", result.stdout, re.M)
    counts = {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", recap.group(1))} \
        if recap else {}
    return result, counts


def _keygen(path: Path) -> str:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "cirrus-test",
                    "-f", str(path)], check=True)
    return (path.parent / f"{path.name}.pub").read_text().strip()


def _hop(lab_key: str, host: str) -> str:
    return (f"ssh -i {lab_key} -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null "
            f"-W %h:%p root@{host}")


@pytest.fixture
def router(lab_hosts: lab.Lab, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A router's variables for h1 (a unique name and control address per session); it is
    stopped and destroyed at the end whatever the test did."""
    host = lab_hosts.hosts[0]
    inventory = tmp_path / "lab.yml"
    inventory.write_text(yaml.safe_dump(lab_inventory(lab_hosts.hosts), sort_keys=False))
    key = tmp_path / "router_key"
    suffix = os.getpid() % 200
    vni = 16_100_000 + os.getpid() % 50_000
    guest_bridge = f"brvx-{vni}"
    router_host = {
        "name": f"r-{os.getpid()}-test-VM", "control_ip": f"169.254.{suffix}.{7 + suffix % 50}",
        "ssh_port": 3922, "authorized_key": _keygen(key),
        "interfaces": [
            {"name": "eth0", "bridge": guest_bridge, "mac": "02:00:5e:10:00:01"},
            {"name": "eth2", "bridge": topology.PUBLIC_BRIDGE, "mac": "02:00:5e:10:00:02"}]}
    extra = {"router_host": router_host, "guest_networks": [
        {"bridge": guest_bridge, "isolation": "vxlan", "vni": vni, "physical_dev": "eth0",
         "mtu": None},
        {"bridge": topology.PUBLIC_BRIDGE, "isolation": "vlan", "vlan": topology.PUBLIC_VLAN,
         "physical_dev": "eth0", "mtu": None}]}
    yield {"host": host, "inventory": inventory, "key": key, "extra": extra, "tmp": tmp_path,
           "vni": vni, "guest_bridge": guest_bridge}
    _playbook(inventory, "router_destroy", {"router_host": {"name": router_host["name"]}},
              tmp_path)
    host.run(f"ip link del vxlan{vni}; ip link del {guest_bridge}; "
             f"rm -f /var/lib/libvirt/cirrus/guest_networks/{guest_bridge}.sh", check=False)


def test_router_start_ssh_ansible_and_stop_on_a_lab_host(router: dict[str, Any]) -> None:
    host: lab.LabHost = router["host"]
    inventory, tmp, extra = router["inventory"], router["tmp"], router["extra"]
    name, control_ip = extra["router_host"]["name"], extra["router_host"]["control_ip"]
    state_dir = f"/var/lib/cirrus-router-host/{name}"

    # Check mode: reports the change, makes nothing.
    result, counts = _playbook(inventory, "router_start", extra, tmp, "--check", "--diff")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    assert counts["changed"] >= 1 and f"ip netns add {name}" in result.stdout
    assert name not in host.run("ip netns list").stdout.split()
    assert not os.path.exists(state_dir)

    result, counts = _playbook(inventory, "router_start", extra, tmp)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    assert counts["changed"] >= 1
    again, counts = _playbook(inventory, "router_start", extra, tmp)
    assert again.returncode == 0 and counts["changed"] == 0, again.stdout[-3000:]

    inside = json.loads(host.run(["ip", "-n", name, "-j", "addr", "show"]).stdout)
    by_name = {link["ifname"]: link for link in inside}
    assert sorted(by_name) == ["eth0", "eth1", "eth2", "lo"]
    assert by_name["eth0"]["address"] == "02:00:5e:10:00:01"
    assert [a["local"] for a in by_name["eth1"]["addr_info"] if a["family"] == "inet"] == \
        [control_ip]
    with open(f"{state_dir}/sshd.pid") as handle:
        sshd = int(handle.read())
    # Nothing of the router is mounted in this (the root) mount namespace.
    with open("/proc/self/mountinfo") as handle:
        assert f"/run/netns/{name} " not in handle.read()

    # The appliance's path: this namespace -> the host's sshd (-W) -> the router's sshd.
    ssh = ["ssh", "-o", f"ProxyCommand={_hop(host.ssh_key_path, host.address)}",
           "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
           "-o", "BatchMode=yes", "-p", "3922", "-i", str(router["key"]), f"root@{control_ip}"]
    login = subprocess.run([*ssh, "readlink /proc/self/ns/net; /usr/bin/python3 -V"],
                           capture_output=True, text=True, timeout=60)
    assert login.returncode == 0, login.stderr
    assert login.stdout.split()[0] == host.run(
        ["ip", "netns", "exec", name, "readlink", "/proc/self/ns/net"]).stdout.strip()
    assert "Python 3" in login.stdout

    # Ansible with exactly the variables the appliance renders for a router.
    hop = " ".join(shlex.quote(part) for part in (
        "ssh", "-i", host.ssh_key_path, "-o", "StrictHostKeyChecking=no", "-o",
        "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-W", "%h:%p",
        f"root@{host.address}"))
    router_vars = {
        "ansible_host": control_ip, "ansible_port": 3922, "ansible_user": "root",
        "ansible_ssh_private_key_file": str(router["key"]),
        "ansible_python_interpreter": "/usr/bin/python3",
        "ansible_ssh_common_args": f"-o ProxyCommand={shlex.quote(hop)} "
                                   "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null"}
    router_inventory = tmp / "router.yml"
    router_inventory.write_text(yaml.safe_dump({"all": {"hosts": {name: router_vars}}}))
    ansible = os.path.join(os.path.dirname(sys.executable), "ansible")
    ping = subprocess.run([ansible, "-i", str(router_inventory), name, "-m",
                           "ansible.builtin.ping"], capture_output=True, text=True,
                          timeout=120, env=_env())
    assert ping.returncode == 0 and '"ping": "pong"' in ping.stdout, ping.stdout + ping.stderr

    # The public side: an address on eth2 reaches the lab's public gateway (and back).
    address = f"10.233.100.{200 + os.getpid() % 50}"
    public = subprocess.run([*ssh, f"ip addr add {address}/24 dev eth2 && "
                             f"/usr/bin/python3 {PING} {topology.PUBLIC_GATEWAY}"],
                            capture_output=True, text=True, timeout=60)
    assert public.returncode == 0, public.stdout + public.stderr
    assert f"{topology.PUBLIC_GATEWAY} answered" in public.stdout
    back = subprocess.run(["ip", "netns", "exec", topology.PUBLIC_NETNS, "python3", str(PING),
                           address], capture_output=True, text=True, timeout=30)
    assert back.returncode == 0, back.stdout

    # A dead sshd is restarted by router_start (and only that changes).
    host.run(["kill", str(sshd)])
    restarted, counts = _playbook(inventory, "router_start", extra, tmp)
    assert restarted.returncode == 0 and counts["changed"] == 1, restarted.stdout[-3000:]

    stop_vars = {"router_host": {"name": name}}
    stopped, counts = _playbook(inventory, "router_stop", stop_vars, tmp)
    assert stopped.returncode == 0 and counts["changed"] == 1, stopped.stdout[-3000:]
    assert name not in host.run("ip netns list").stdout.split()
    prefix = netns_module.host_prefix(name)
    assert prefix not in host.run("ip -o link show").stdout
    assert subprocess.run(["pgrep", "-f", f"{state_dir}/sshd_config"],
                          capture_output=True).returncode == 1  # no sshd left
    again, counts = _playbook(inventory, "router_stop", stop_vars, tmp)
    assert again.returncode == 0 and counts["changed"] == 0, again.stdout[-3000:]

    destroyed, counts = _playbook(inventory, "router_destroy", stop_vars, tmp)
    assert destroyed.returncode == 0 and counts["changed"] == 1, destroyed.stdout[-3000:]
    assert not os.path.exists(state_dir)
