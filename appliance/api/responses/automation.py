"""Wire shapes of automation: a job's log lines, a dry run's report."""

from __future__ import annotations

from typing import Any

from appliance.api.responses import ResponseSpec, drop_none, wire_date
from appliance.automation.results import RunResult
from appliance.models.automation import JobLogLine
from appliance.services.context import CallContext


def render_log_line(line: JobLogLine, ctx: CallContext) -> dict[str, Any]:
    return drop_none({
        "jobid": line.job_id,
        "seq": line.seq,
        "created": wire_date(line.created),
        "playbook": line.playbook,
        "host": line.host,
        "task": line.task,
        "event": line.event,
        "status": line.status,
        "message": line.message,
        "diff": line.diff,
    })


JOB_LOG_LINE = ResponseSpec("asyncjoblog", (
    ("jobid", "the ID of the async job"),
    ("seq", "the position of the line in the job's log (1-based)"),
    ("created", "when the line was written"),
    ("playbook", "the playbook the line belongs to"),
    ("host", "the host the task ran on"),
    ("task", "the task's name"),
    ("event", "the ansible-runner event (runner_on_ok, playbook_on_stats, run_start, ...)"),
    ("status", "ok, changed, failed, skipped or unreachable"),
    ("message", "the task's message, or the run's summary"),
    ("diff", "what the task changed (or would change in a dry run), as a unified diff"),
), render_log_line)


def render_dry_run(result: RunResult, ctx: CallContext) -> dict[str, Any]:
    return {
        "action": result.playbook,
        "changed": result.changed,
        "changes": [{"host": c.host, "task": c.task, "diff": c.diff} for c in result.changes],
        "hosts": [{"host": host, **stats} for host, stats in sorted(result.stats.items())],
    }


DRY_RUN = ResponseSpec("dryrun", (
    ("action", "the action that was run in check mode"),
    ("changed", "true when running the action would change a host"),
    ("changes", "the tasks that would change a host: host, task and diff"),
    ("hosts", "per host: counts of ok, changed, failures, unreachable, skipped tasks"),
), render_dry_run)
