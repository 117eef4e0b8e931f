"""The action playbooks (playbooks/*.yml) run through ansible-playbook against the lab
hosts, as the automation bridge runs them: dry runs (--check --diff) report changes and make
none, real runs make them, second runs change nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.roles.molecule_inventory import lab_inventory

REPO = Path(__file__).resolve().parents[2]
STATE_DIR = "/var/lib/libvirt/cirrus"  # the roles' cirrus_host_state_dir default


@dataclass
class PlaybookRun:
    rc: int
    stats: dict[str, dict[str, int]]
    custom_stats: dict[str, Any]
    output: dict[str, Any]
    stderr: str

    def changed(self, host: str) -> int:
        return self.stats[host]["changed"]

    def task_results(self, task_name: str, host: str) -> list[dict[str, Any]]:
        found = []
        for play in self.output["plays"]:
            for task in play["tasks"]:
                name = task["task"]["name"]
                if (name == task_name or name.endswith(f" : {task_name}")) \
                        and host in task["hosts"]:
                    found.append(task["hosts"][host])
        return found

    def changed_tasks(self, host: str) -> list[str]:
        return [task["task"]["name"] for play in self.output["plays"] for task in play["tasks"]
                if task["hosts"].get(host, {}).get("changed")]


class Runner:
    def __init__(self, inventory: Path) -> None:
        self.inventory = inventory

    def __call__(self, playbook: str, extra_vars: dict[str, Any] | None = None, *,
                 limit: str = "all", check: bool = False) -> PlaybookRun:
        argv = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
                "-i", str(self.inventory), "--limit", limit,
                str(REPO / "playbooks" / f"{playbook}.yml")]
        if extra_vars:
            argv += ["--extra-vars", json.dumps(extra_vars)]
        if check:
            argv += ["--check", "--diff"]
        env = {**os.environ, "ANSIBLE_STDOUT_CALLBACK": "cirrus_test_json",
               "ANSIBLE_CALLBACK_PLUGINS": str(Path(__file__).parent / "callback_plugins"),
               "ANSIBLE_ROLES_PATH": str(REPO / "roles"), "ANSIBLE_PIPELINING": "True",
               "ANSIBLE_SHOW_CUSTOM_STATS": "True", "ANSIBLE_NOCOLOR": "1",
               "PATH": f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ['PATH']}"}
        result = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=600)
        try:
            output = json.loads(result.stdout)
        except json.JSONDecodeError:
            pytest.fail(f"{playbook}: no JSON output (rc {result.returncode}):\n"
                        f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        return PlaybookRun(result.returncode, output["stats"],
                           output.get("custom_stats", {}), output, result.stderr)


@pytest.fixture(scope="module")
def lab(lab_hosts):  # noqa: F811
    return lab_hosts


@pytest.fixture(scope="module")
def playbook(lab, tmp_path_factory) -> Runner:
    path = tmp_path_factory.mktemp("playbooks") / "lab.yml"
    path.write_text(yaml.safe_dump(lab_inventory(lab.hosts), sort_keys=False))
    return Runner(path)


def links(host) -> dict[str, dict[str, Any]]:
    out = host.run(["ip", "-j", "-d", "link", "show"]).stdout
    return {link["ifname"]: link for link in json.loads(out)}


def pool_state(host, pool_id: str) -> str | None:
    """'running' or 'inactive' for a defined pool, None when libvirtd does not know it."""
    result = host.run(["virsh", "-q", "-c", "qemu:///system", "pool-info", pool_id],
                      check=False)
    if result.returncode != 0:
        return None
    for line in result.stdout.splitlines():
        if line.startswith("State:"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def host_file_exists(host, path: str) -> bool:
    return host.run(["test", "-e", path], check=False).returncode == 0


def test_host_add_dry_run_changes_nothing_then_reports_capacity(lab, playbook) -> None:
    h1 = lab.hosts[0]
    h1.run(["rm", "-f", f"{STATE_DIR}/host.json"])

    dry = playbook("host_add", limit=h1.name, check=True)
    assert dry.rc == 0, dry.stderr
    assert dry.changed(h1.name) >= 1
    diff = dry.task_results("Record that Cirrus manages this host", h1.name)[0]["diff"]
    assert '"managed_by": "Cirrus"' in diff[0]["after"]
    assert not host_file_exists(h1, f"{STATE_DIR}/host.json")

    real = playbook("host_add", limit=h1.name)
    assert real.rc == 0, real.stderr
    facts = real.custom_stats[h1.name]["cirrus_host_facts"]
    assert facts["cpu_count"] == os.cpu_count()
    with open("/proc/meminfo", encoding="utf-8") as meminfo:
        mem_kib = int(meminfo.readline().split()[1])
    assert facts["memory_bytes"] == mem_kib // 1024 * 1048576
    assert facts["cpu_speed_mhz"] > 0
    assert facts["hypervisor_version"].startswith("QEMU ")
    assert "hvm" in facts["capabilities"].split(",")
    assert host_file_exists(h1, f"{STATE_DIR}/host.json")

    again = playbook("host_add", limit=h1.name)
    assert again.rc == 0 and again.changed(h1.name) == 0


def test_network_ensure_dry_run_then_ensure_and_release(lab, playbook) -> None:
    # As appliance/orchestration/actions.py sends them: mtu null when not set.
    networks: dict[str, Any] = {"guest_networks": [
        {"bridge": "brvx-4343", "isolation": "vxlan", "vni": 4343, "physical_dev": "eth0",
         "mtu": None}]}
    playbook("network_release", networks)  # leftovers of an interrupted run

    dry = playbook("network_ensure", networks, check=True)
    assert dry.rc == 0, dry.stderr
    for host in lab.hosts[:2]:
        assert dry.changed(host.name) >= 1
        result = dry.task_results("Ensure guest bridges and their uplinks", host.name)[0]
        planned = result["results"][0]["commands"]
        assert planned[0] == ("ip link add vxlan4343 type vxlan id 4343 group 239.0.16.247 "
                              "ttl 10 dev eth0 dstport 4789")
        assert "brvx-4343" not in links(host) and "vxlan4343" not in links(host)

    real = playbook("network_ensure", networks)
    assert real.rc == 0, real.stderr
    for host in lab.hosts[:2]:
        present = links(host)
        assert present["vxlan4343"]["master"] == "brvx-4343"
        assert "UP" in present["brvx-4343"]["flags"]
    assert playbook("network_ensure", networks, check=True).changed(lab.hosts[0].name) == 0

    dry_release = playbook("network_release", networks, check=True)
    assert dry_release.rc == 0 and dry_release.changed(lab.hosts[0].name) >= 1
    assert "brvx-4343" in links(lab.hosts[0])

    released = playbook("network_release", networks)
    assert released.rc == 0, released.stderr
    for host in lab.hosts[:2]:
        assert "brvx-4343" not in links(host) and "vxlan4343" not in links(host)


def test_vlan_network_dry_run_reports_the_8021q_commands(lab, playbook) -> None:
    h1 = lab.hosts[0]
    networks: dict[str, Any] = {"guest_networks": [
        {"bridge": "breth0-77", "isolation": "vlan", "vlan": 77, "physical_dev": "eth0",
         "mtu": 1400}]}
    dry = playbook("network_ensure", networks, limit=h1.name, check=True)
    assert dry.rc == 0, dry.stderr
    result = dry.task_results("Ensure guest bridges and their uplinks", h1.name)[0]["results"][0]
    assert result["changed"]
    assert result["commands"] == [
        "ip link add link eth0 name eth0.77 type vlan id 77",
        "ip link add name breth0-77 type bridge",
        "ip link set dev eth0.77 mtu 1400",
        "ip link set dev eth0.77 master breth0-77",
        "ip link set dev breth0-77 mtu 1400",
        "ip link set dev eth0.77 up",
        "ip link set dev breth0-77 up",
    ]
    assert '"kind": "vlan"' in result["diff"]["after"]
    assert "breth0-77" not in links(h1)


def test_storage_pool_add_dry_run_then_add_and_remove(lab, playbook) -> None:
    h2 = lab.hosts[1]
    pool: dict[str, dict[str, Any]] = {"storage_pool": {
        "id": "5a0c3f1e-0000-4000-8000-0000000000b1", "name": "playbook-local",
        "type": "Filesystem", "path": "/var/lib/libvirt/images/cirrus-playbook-pool",
        "server": None, "mount_point": "/mnt/cirrus/5a0c3f1e-0000-4000-8000-0000000000b1"}}
    playbook("storage_pool_remove", pool, limit=h2.name)

    dry = playbook("storage_pool_add", pool, limit=h2.name, check=True)
    assert dry.rc == 0, dry.stderr
    assert dry.changed(h2.name) >= 1
    assert pool_state(h2, pool["storage_pool"]["id"]) is None
    assert not host_file_exists(h2, pool["storage_pool"]["path"])

    real = playbook("storage_pool_add", pool, limit=h2.name)
    assert real.rc == 0, real.stderr
    assert pool_state(h2, pool["storage_pool"]["id"]) == "running"
    again = playbook("storage_pool_add", pool, limit=h2.name)
    assert again.rc == 0 and again.changed(h2.name) == 0

    assert playbook("storage_pool_remove", pool, limit=h2.name, check=True).changed(h2.name)
    assert pool_state(h2, pool["storage_pool"]["id"]) == "running"
    removed = playbook("storage_pool_remove", pool, limit=h2.name)
    assert removed.rc == 0, removed.stderr
    assert pool_state(h2, pool["storage_pool"]["id"]) is None
    assert host_file_exists(h2, pool["storage_pool"]["path"])  # directories are kept
    h2.run(["rmdir", pool["storage_pool"]["path"]])


def test_nfs_storage_pool_dry_run(lab, playbook) -> None:
    """This kernel has no NFS client (mount.nfs: No such device), so only the dry run."""
    h1 = lab.hosts[0]
    pool: dict[str, dict[str, Any]] = {"storage_pool": {
        "id": "5a0c3f1e-0000-4000-8000-0000000000b2", "name": "playbook-nfs",
        "type": "NetworkFilesystem", "server": "10.233.0.1", "path": "/export/primary"}}
    dry = playbook("storage_pool_add", pool, limit=h1.name, check=True)
    assert dry.rc == 0, dry.stderr
    mount = dry.task_results("Mount the NFS export", h1.name)[0]
    assert mount["changed"]
    assert mount["commands"][-1].startswith("mount -t nfs -o ")
    assert mount["commands"][-1].endswith(
        "10.233.0.1:/export/primary /mnt/cirrus/primary/5a0c3f1e-0000-4000-8000-0000000000b2")
    assert pool_state(h1, pool["storage_pool"]["id"]) is None


def test_host_remove_undoes_what_cirrus_set_up(lab, playbook) -> None:
    h2 = lab.hosts[1]
    networks: dict[str, Any] = {"guest_networks": [
        {"bridge": "brvx-4444", "isolation": "vxlan", "vni": 4444, "physical_dev": "eth0"}]}
    pool: dict[str, dict[str, Any]] = {"storage_pool": {
        "id": "5a0c3f1e-0000-4000-8000-0000000000b3", "name": "remove-me",
        "type": "Filesystem", "path": "/var/lib/libvirt/images/cirrus-host-remove"}}
    assert playbook("host_add", limit=h2.name).rc == 0
    assert playbook("network_ensure", networks, limit=h2.name).rc == 0
    assert playbook("storage_pool_add", pool, limit=h2.name).rc == 0

    dry = playbook("host_remove", limit=h2.name, check=True)
    assert dry.rc == 0, dry.stderr
    assert dry.changed(h2.name) >= 1
    assert "brvx-4444" in links(h2)
    assert pool_state(h2, pool["storage_pool"]["id"]) == "running"

    removed = playbook("host_remove", limit=h2.name)
    assert removed.rc == 0, removed.stderr
    assert "brvx-4444" not in links(h2) and "vxlan4444" not in links(h2)
    assert pool_state(h2, pool["storage_pool"]["id"]) is None
    assert not host_file_exists(h2, f"{STATE_DIR}/host.json")
    # libvirtd itself is left alone
    assert h2.run(["virsh", "-c", "qemu:///system", "nodeinfo"]).returncode == 0
    again = playbook("host_remove", limit=h2.name)
    assert again.changed(h2.name) == 0, again.changed_tasks(h2.name)
    h2.run(["rmdir", pool["storage_pool"]["path"]])
