"""automation.run against this machine: events in the job log, typed failures, check mode
with diffs, set_stats read back, unreachable hosts."""

from __future__ import annotations

import json
import os

import pytest
from sqlalchemy import select

from appliance import automation
from appliance.api.commands.automation import ListAsyncJobLog
from appliance.automation import HostUnreachableError
from appliance.db import Database
from appliance.models import JobStatus
from appliance.models.automation import JobLogLine
from tests.automation.conftest import context, playbook, run_command


def _log(db: Database, job_id: str) -> list[JobLogLine]:
    with db.session(write=False) as session:
        return list(session.scalars(select(JobLogLine).where(JobLogLine.job_id == job_id)
                                    .order_by(JobLogLine.seq)))


def test_noop_play_through_an_async_job_records_its_events(db: Database) -> None:
    job = run_command(db, "testRunPlaybook", playbook=playbook("noop"))
    assert job.status == JobStatus.SUCCEEDED, job.result
    assert json.loads(job.result or "{}")["changed"] is False
    lines = _log(db, job.id)
    assert [line.seq for line in lines] == list(range(1, len(lines) + 1))
    events = [line.event for line in lines]
    assert events[0] == "run_start" and events[-1] == "run_end"
    task = next(line for line in lines if line.event == "runner_on_ok")
    assert (task.host, task.task, task.status) == ("localhost", "Run true", "ok")
    assert "localhost: ok=1 changed=0 failed=0" in next(
        line.message for line in lines if line.event == "playbook_on_stats")
    assert job.proc_status == 0  # reset when the job finished; progress counted tasks


def test_failing_task_fails_the_job_with_task_host_and_message(db: Database) -> None:
    job = run_command(db, "testRunPlaybook", playbook=playbook("fail"))
    assert job.status == JobStatus.FAILED
    assert job.result_code == 530
    text = json.loads(job.result or "{}")["errortext"]
    assert text == "task 'Break on purpose' failed on host localhost: the disk is on fire"
    with db.session(write=False) as session:
        ctx = context(db, session)
        page = ListAsyncJobLog(jobid=job.id, status="failed").run(ctx)
    failed = [line for line in page.items if line.event == "runner_on_failed"]
    assert [(line.task, line.host, line.message) for line in failed] == [
        ("Break on purpose", "localhost", "the disk is on fire")]
    assert page.items[-1].event == "run_end" and page.items[-1].message == text
    assert "Never reached" not in {line.task for line in _log(db, job.id)}


def test_failing_task_raises_automation_error(db: Database) -> None:
    with db.session() as session:
        ctx = context(db, session)
        with pytest.raises(automation.AutomationError) as caught:
            automation.run(ctx, playbook("fail"),
                           extra_hosts=[automation.InventoryHost.local()])
    error = caught.value
    assert (error.task, error.host, error.message) == (
        "Break on purpose", "localhost", "the disk is on fire")
    assert int(error.code) == 530


def test_check_mode_reports_the_diff_and_writes_nothing(db: Database, home: str) -> None:
    marker = os.path.join(home, "marker.txt")
    job = run_command(db, "testRunPlaybook", playbook=playbook("write_file"), check="true",
                      extravars=json.dumps({"marker_path": marker}))
    assert job.status == JobStatus.SUCCEEDED, job.result
    result = json.loads(job.result or "{}")
    assert result["changed"] is True
    [change] = result["changes"]
    assert (change["host"], change["task"]) == ("localhost", "Write the marker file")
    assert "+hello from cirrus" in change["diff"]
    assert not os.path.exists(marker)
    [logged] = [line for line in _log(db, job.id)
                if line.status == "changed" and line.event == "runner_on_ok"]
    assert "+hello from cirrus" in (logged.diff or "")


def test_real_run_changes_then_is_idempotent_and_reports_set_stats(db: Database,
                                                                   home: str) -> None:
    marker = os.path.join(home, "written.txt")
    with db.session() as session:
        ctx = context(db, session)
        local = automation.InventoryHost.local()
        first = automation.run(ctx, playbook("write_file"), extra_vars={"marker_path": marker},
                               extra_hosts=[local])
        second = automation.run(ctx, playbook("write_file"),
                                extra_vars={"marker_path": marker}, extra_hosts=[local])
    assert first.changed and [c.task for c in first.changes] == ["Write the marker file"]
    with open(marker) as handle:
        assert handle.read() == "hello from cirrus\n"
    assert not second.changed and second.changes == []
    assert second.host_stats["localhost"]["cirrus_host_facts"] == {"marker": marker,
                                                                   "answer": 42}
    assert first.stats["localhost"]["changed"] == 1
    assert os.path.isfile(os.path.join(first.artifacts, "stdout"))
    assert first.private_data_dir.startswith(os.path.join(home, "automation", "runs"))


def test_unreachable_host_raises_host_unreachable(db: Database) -> None:
    nowhere = automation.InventoryHost("nowhere", {
        "ansible_host": "127.0.0.1", "ansible_port": 1, "ansible_user": "root",
        "ansible_connection": "ssh", "ansible_python_interpreter": "/usr/bin/python3"})
    with db.session() as session:
        ctx = context(db, session)
        with pytest.raises(HostUnreachableError) as caught:
            automation.run(ctx, playbook("noop"), extra_hosts=[nowhere])
    assert caught.value.host == "nowhere"
    assert "unreachable" in caught.value.text and caught.value.task == "Run true"


def test_unknown_playbook_is_a_parameter_error(db: Database) -> None:
    from appliance.errors import ParamError

    with db.session() as session, pytest.raises(ParamError, match="'no_such_action' not found"):
        automation.run(context(db, session), "no_such_action",
                       extra_hosts=[automation.InventoryHost.local()])
