"""Runner events → RunResult and job_log rows (synthetic events, no ansible)."""

from __future__ import annotations

from sqlalchemy import select

from appliance.automation.events import EventRecorder, render_diff
from appliance.automation.results import RunResult
from appliance.db import Database
from appliance.jobs import queue
from appliance.models import AsyncJob, User
from appliance.models.automation import JobLogLine
from appliance.services.context import CallContext


def test_render_diff_of_before_after_and_prepared() -> None:
    text = render_diff({"before": "a\nb\n", "after": "a\nc\n", "before_header": "/etc/x",
                        "after_header": "/etc/x"})
    assert text.splitlines() == ["--- /etc/x", "+++ /etc/x", "@@ -1,2 +1,2 @@", " a", "-b",
                                 "+c"]
    assert render_diff([{"prepared": "+ new line\n"}]) == "+ new line"
    assert render_diff({"before": {"state": "absent"}, "after": {"state": "present"}}) \
        .count("state") == 2
    assert render_diff(None) == ""


def _job(db: Database) -> str:
    with db.session() as session:
        admin = session.scalar(select(User).where(User.username == "admin"))
        ctx = CallContext.for_user(session, admin)
        return queue.submit(ctx, "dryRunAction", {}, event_type=None, description="t",
                            instance_type=None, instance_id=None).id


def test_events_become_log_rows_progress_and_result(db: Database) -> None:
    job_id = _job(db)
    result = RunResult(playbook="p", ok=False, check=True, status="", rc=None)
    recorder = EventRecorder(db, job_id, result)
    recorder.start()
    recorder.on_event({"event": "playbook_on_task_start", "event_data": {"task": "t1"}})
    recorder.on_event({"event": "runner_on_ok", "event_data": {
        "host": "h1", "task": "t1", "res": {"changed": True, "diff": {
            "before": "", "after": "x\n", "after_header": "/f"}}}})
    recorder.on_event({"event": "playbook_on_task_start", "event_data": {"task": "t2"}})
    recorder.on_event({"event": "runner_on_ok", "event_data": {
        "host": "h1", "task": "t2", "res": {"changed": False, "ansible_stats": {
            "data": {"cirrus_host_facts": {"cpu_count": 4}}, "per_host": True}}}})
    recorder.on_event({"event": "runner_on_failed", "event_data": {
        "host": "h2", "task": "t2", "ignore_errors": True, "res": {"msg": "meh"}}})
    recorder.on_event({"event": "runner_on_unreachable", "event_data": {
        "host": "h3", "task": "t2", "res": {"msg": "ssh: connection refused"}}})
    recorder.on_event({"event": "playbook_on_stats", "event_data": {
        "ok": {"h1": 2}, "changed": {"h1": 1}, "dark": {"h3": 1},
        "artifact_data": {"total": 1}}})
    assert [(c.host, c.task) for c in result.changes] == [("h1", "t1")]
    assert "+x" in result.changes[0].diff
    assert result.host_stats == {"h1": {"cirrus_host_facts": {"cpu_count": 4}},
                                 "_run": {"total": 1}}
    assert [(f.host, f.unreachable) for f in result.failures] == [("h3", True)]
    assert result.stats == {"h1": {"ok": 2, "changed": 1}, "h3": {"unreachable": 1}}
    with db.session(write=False) as session:
        rows = list(session.scalars(select(JobLogLine).where(JobLogLine.job_id == job_id)
                                    .order_by(JobLogLine.seq)))
        proc_status = session.get(AsyncJob, job_id).proc_status  # type: ignore[union-attr]
    assert [(r.seq, r.event, r.status) for r in rows] == [
        (1, "run_start", None), (2, "runner_on_ok", "changed"), (3, "runner_on_ok", "ok"),
        (4, "runner_on_failed", "failed"), (5, "runner_on_unreachable", "unreachable"),
        (6, "playbook_on_stats", None)]
    assert rows[3].message == "(ignored) meh"
    assert proc_status == 2
    # A second run in the same job continues the sequence.
    EventRecorder(db, job_id, result).start()
    with db.session(write=False) as session:
        assert session.scalar(select(JobLogLine.seq).where(JobLogLine.job_id == job_id)
                              .order_by(JobLogLine.seq.desc()).limit(1)) == 7
