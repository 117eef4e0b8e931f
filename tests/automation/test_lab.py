"""The bridge against lab hosts over SSH (10.233.0.11/12, root, Cirrus's own key)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

import lab
from appliance import automation
from appliance.automation import keys
from appliance.db import Database
from appliance.models import JobStatus
from tests.automation.conftest import context, playbook, run_command
from tests.automation.infra import stack


@pytest.fixture(scope="module")
def lab_cloud(lab_hosts: lab.Lab, db: Database, home: str) -> Iterator[dict[str, str]]:
    """Two DB hosts on the lab's first two hosts, with Cirrus's key authorized there."""
    keys.private_key_path()
    lab.up(hosts=2, authorize_keys=[keys.private_key_path() + ".pub"])
    first, second = lab_hosts.hosts[:2]
    ids = stack(db, address=first.address, url=first.libvirt_uri("qemu"))
    other = stack(db, address=second.address, url=second.libvirt_uri("qemu"))
    yield {**ids, "other": other["host0"]}


def test_noop_over_ssh_on_two_lab_hosts(lab_cloud: dict[str, str], db: Database) -> None:
    with db.session() as session:
        result = automation.run(context(db, session), playbook("noop"),
                                hosts=[lab_cloud["host0"], lab_cloud["other"]])
    assert result.ok
    assert {h: s["ok"] for h, s in result.stats.items()} == {lab_cloud["host0"]: 1,
                                                            lab_cloud["other"]: 1}


def test_host_add_dry_run_reports_capacity_and_changes_nothing(
        lab_cloud: dict[str, str], db: Database) -> None:
    job = run_command(db, "dryRunAction", action="host_add", hostids=lab_cloud["host0"])
    assert job.status == JobStatus.SUCCEEDED, job.result
    report = json.loads(job.result or "{}")["dryrun"]
    [stats] = report["hosts"]
    assert stats["host"] == lab_cloud["host0"] and not stats.get("failures")
    with db.session() as session:
        result = automation.run(context(db, session), "host_add", hosts=[lab_cloud["host0"]],
                                check=True)
    facts = result.host_stats[lab_cloud["host0"]]["cirrus_host_facts"]
    assert facts["cpu_count"] >= 1 and facts["memory_bytes"] > 0


def test_network_ensure_dry_run_on_a_lab_host(lab_hosts: lab.Lab, lab_cloud: dict[str, str],
                                              db: Database) -> None:
    job = run_command(db, "dryRunAction", action="network_ensure",
                      hostids=lab_cloud["host0"],
                      parameters=[{"key": "isolation", "value": "vxlan"},
                                  {"key": "vnet", "value": "777"}])
    assert job.status == JobStatus.SUCCEEDED, job.result
    report = json.loads(job.result or "{}")["dryrun"]
    assert report["changed"] is True
    assert any("brvx-777" in change["diff"] for change in report["changes"])
    links = lab_hosts.hosts[0].run("ip -o link show").stdout
    assert "brvx-777" not in links and "vxlan777" not in links
