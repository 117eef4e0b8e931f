"""dryRunAction: an action's playbook in check mode reports changes and makes none."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from appliance.db import Database
from appliance.models import JobStatus
from appliance.orchestration import actions
from tests.automation.conftest import run_command
from tests.automation.infra import stack


def _link_exists(name: str) -> bool:
    return subprocess.run(["ip", "link", "show", name], capture_output=True).returncode == 0


def test_network_ensure_dry_run_reports_the_bridge_without_creating_it(db: Database) -> None:
    if not os.path.isfile(os.path.join(actions.automation.ROOT, "playbooks",
                                       "network_ensure.yml")):
        pytest.skip("playbooks/network_ensure.yml is not written yet")
    ids = stack(db)  # a host on 127.0.0.1: reached with ansible_connection=local
    vni = 4321
    assert not _link_exists(f"brvx-{vni}")
    job = run_command(db, "dryRunAction", action="network_ensure", hostids=ids["host0"],
                      **{"parameters": [{"key": "isolation", "value": "vxlan"},
                                        {"key": "vnet", "value": str(vni)},
                                        {"key": "physicaldev", "value": "eth0"}]})
    assert job.status == JobStatus.SUCCEEDED, job.result
    report = json.loads(job.result or "{}")["dryrun"]
    assert report["action"] == "network_ensure" and report["changed"] is True
    tasks = {(c["host"], c["task"]) for c in report["changes"]}
    assert (ids["host0"], "Ensure guest bridges and their uplinks") in tasks
    assert any(f"brvx-{vni}" in c["diff"] for c in report["changes"])
    assert not _link_exists(f"brvx-{vni}")
    assert not _link_exists(f"vxlan{vni}")


def test_dry_run_of_an_unknown_action_is_refused(db: Database) -> None:
    from appliance.errors import ParamError

    with pytest.raises(ParamError, match="action"):
        run_command(db, "dryRunAction", action="reformat_everything", hostids=stack(db)["host0"])
