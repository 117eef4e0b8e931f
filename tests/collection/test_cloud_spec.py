"""playbooks/examples/cloud_spec.yml builds its whole cloud on the package's live server
(zone, pod, cluster, simulator hosts, storage, public range, offerings, template, domain,
accounts, networks, running VMs, static NAT, port forwards and firewall rules), and a
second run changes nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.cloud import Cloud
from tests.support.module_scenarios import COLLECTIONS

REPO = Path(COLLECTIONS).parent
SPEC = REPO / "playbooks" / "examples" / "cloud_spec.yml"
HERE = Path(__file__).resolve().parent


def run_spec(cloud: Cloud, workdir: Path, name: str) -> tuple[subprocess.CompletedProcess[str],
                                                               dict[str, Any]]:
    record = workdir / f"{name}.json"
    clean = {key: value for key, value in os.environ.items()
             if not key.startswith(("CIRRUS_", "CLOUDSTACK_", "ANSIBLE_"))}
    env = dict(clean, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_NOCOLOR="1",
               ANSIBLE_HOME=str(workdir / "ansible-home"),
               ANSIBLE_LOCAL_TEMP=str(workdir / "tmp"), ANSIBLE_PIPELINING="1",
               ANSIBLE_CALLBACK_PLUGINS=str(HERE / "callback_plugins"),
               ANSIBLE_CALLBACKS_ENABLED="record_results", RECORD_RESULTS_PATH=str(record),
               CIRRUS_ENDPOINT=cloud.endpoint, CIRRUS_API_KEY=cloud.admin_key,
               CIRRUS_SECRET_KEY=cloud.admin_secret)
    extra = {"ansible_python_interpreter": sys.executable, "cloud_spec_job_timeout": 60,
             "cloud_spec_secondary_url": f"file://{cloud.server.home}/secondary/spec",
             "cloud_spec_template_url":
                 f"{cloud.server.base}/demo/templates/centos56-x86_64-simulator.qcow2"}
    done = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
         "-i", "localhost,", "--extra-vars", json.dumps(extra), str(SPEC)],
        capture_output=True, text=True, env=env, timeout=900, cwd=workdir)
    results = json.loads(record.read_text()) if record.exists() else {}
    return done, results


def recap(stdout: str) -> dict[str, int]:
    line = next(line for line in stdout.splitlines() if line.startswith("localhost "))
    return {key: int(value) for key, value in
            (part.split("=") for part in line.split(":", 1)[1].split())}


@pytest.fixture(scope="module")
def runs(cirrus: Cloud, tmp_path_factory: pytest.TempPathFactory
         ) -> tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]]:
    workdir = tmp_path_factory.mktemp("cloud-spec")
    first, _ = run_spec(cirrus, workdir, "first")
    assert first.returncode == 0, first.stdout[-6000:] + first.stderr[-3000:]
    second, _ = run_spec(cirrus, workdir, "second")
    assert second.returncode == 0, second.stdout[-6000:] + second.stderr[-3000:]
    return first, second


def test_the_first_run_builds_the_cloud(cirrus: Cloud, runs: Any) -> None:
    first, _ = runs
    assert recap(first.stdout)["changed"] > 0
    admin = cirrus.admin
    (zone,) = admin.listZones(name="spec-zone")["zone"]
    assert {h["name"] for h in admin.listHosts(zoneid=zone["id"], type="Routing")["host"]} \
        == {"spec-h1", "spec-h2"}
    vms = {vm["name"]: vm for vm in admin.listVirtualMachines(
        zoneid=zone["id"], listall=True)["virtualmachine"]}
    assert set(vms) == {"spec-web-1", "spec-web-2", "spec-app-1"}
    assert {vm["state"] for vm in vms.values()} == {"Running"}
    assert vms["spec-web-1"]["account"] == "spec-acme"
    assert vms["spec-app-1"]["nic"][0]["networkname"] == "spec-globex-app"
    assert vms["spec-app-1"]["serviceofferingname"] == "spec-large"
    # web-1 is reachable through static NAT, with ports 80 and 443 open.
    nat_ip = vms["spec-web-1"]["publicip"]
    opened = admin.listFirewallRules(ipaddressid=vms["spec-web-1"]["publicipid"],
                                     listall=True)["firewallrule"]
    assert {(r["protocol"], r["startport"]) for r in opened} >= {("tcp", 80), ("tcp", 443)}
    assert nat_ip
    # web-2's SSH is forwarded from the source NAT address of its network.
    forwards = admin.listPortForwardingRules(listall=True)["portforwardingrule"]
    by_vm = {(r["virtualmachinename"], str(r["publicport"]), str(r["privateport"]))
             for r in forwards}
    assert {("spec-web-2", "2222", "22"), ("spec-app-1", "8080", "8080")} <= by_vm


def test_the_second_run_changes_nothing(runs: Any) -> None:
    _, second = runs
    counts = recap(second.stdout)
    assert counts["changed"] == 0 and counts["failed"] == 0, second.stdout[-6000:]
