"""ansible-runner events → the job's log (`job_log` rows), progress and the run's result.

Each row is written in its own short transaction so pollers (`listAsyncJobLog`,
`queryAsyncJobResult`'s jobprocstatus) see progress while the play runs; nothing holds
a transaction across the run.
"""

from __future__ import annotations

import difflib
import logging
from typing import Any

from sqlalchemy import func, select, update

from appliance.automation.results import Change, RunResult, TaskFailure
from appliance.db import Database
from appliance.models import AsyncJob
from appliance.models.automation import JobLogLine

log = logging.getLogger("cirrus.automation")

MESSAGE_LIMIT = 4000
DIFF_LIMIT = 64_000

_RESULT_STATUS = {
    "runner_on_ok": "ok",
    "runner_on_failed": "failed",
    "runner_on_skipped": "skipped",
    "runner_on_unreachable": "unreachable",
}


def render_diff(diff: Any) -> str:
    """Ansible's diff (a dict or a list of dicts with before/after or `prepared`) as
    unified diff text."""
    if not diff:
        return ""
    parts = diff if isinstance(diff, list) else [diff]
    out: list[str] = []
    for part in parts:
        if not isinstance(part, dict):
            out.append(str(part))
            continue
        if part.get("prepared"):
            out.append(str(part["prepared"]).rstrip("\n"))
            continue
        if "before" not in part and "after" not in part:
            continue
        before, after = _text(part.get("before")), _text(part.get("after"))
        if before == after:
            continue
        out.extend(line.rstrip("\n") for line in difflib.unified_diff(
            before.splitlines(keepends=True), after.splitlines(keepends=True),
            fromfile=str(part.get("before_header") or "before"),
            tofile=str(part.get("after_header") or "after")))
    return "\n".join(out)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        import json

        return json.dumps(value, indent=2, sort_keys=True) + "\n"
    text = str(value)
    return text if not text or text.endswith("\n") else text + "\n"


def _message(res: dict[str, Any]) -> str:
    """The most telling text of a task result."""
    for key in ("msg", "reason", "stderr", "module_stderr", "stdout", "module_stdout"):
        value = res.get(key)
        if value:
            return str(value).strip()[:MESSAGE_LIMIT]
    results = res.get("results")
    if isinstance(results, list):
        for item in results:
            if isinstance(item, dict) and item.get("failed"):
                return _message(item)
    return ""


def _result_diff(res: dict[str, Any]) -> str:
    texts = [render_diff(res.get("diff"))]
    for item in res.get("results") or ():
        if isinstance(item, dict) and item.get("changed"):
            texts.append(render_diff(item.get("diff")))
    return "\n".join(t for t in texts if t)[:DIFF_LIMIT]


class EventRecorder:
    """The event and status handlers of one run, building its RunResult as events arrive."""

    def __init__(self, db: Database | None, job_id: str | None, result: RunResult) -> None:
        self.db = db
        self.job_id = job_id if db is not None else None
        self.result = result
        self.tasks_started = 0
        self._seq = self._next_seq()

    def _next_seq(self) -> int:
        if self.job_id is None or self.db is None:
            return 1
        with self.db.session(write=False) as session:
            last = session.scalar(select(func.max(JobLogLine.seq))
                                  .where(JobLogLine.job_id == self.job_id))
        return (last or 0) + 1

    def write(self, *, event: str, host: str | None = None, task: str | None = None,
              status: str | None = None, message: str | None = None,
              diff: str | None = None) -> None:
        """One log row, in a transaction of its own."""
        if self.job_id is None or self.db is None:
            return
        seq, self._seq = self._seq, self._seq + 1
        try:
            with self.db.session(write=True) as session:
                session.add(JobLogLine(job_id=self.job_id, seq=seq,
                                       playbook=self.result.playbook, host=host, task=task,
                                       event=event, status=status, message=message or None,
                                       diff=diff or None))
        except Exception:  # progress is best effort: never fail the run over its log
            log.exception("job-%s: could not record automation event %s", self.job_id, event)

    def start(self) -> None:
        mode = " (check mode)" if self.result.check else ""
        self.write(event="run_start", message=f"running {self.result.playbook}{mode}")

    def on_event(self, event: dict[str, Any]) -> bool:
        """ansible-runner's event_handler: True keeps the event in the artifacts."""
        name = event.get("event", "")
        data: dict[str, Any] = event.get("event_data") or {}
        if name == "playbook_on_task_start":
            self.tasks_started += 1
            if self.job_id is not None and self.db is not None:
                try:
                    with self.db.session(write=True) as session:
                        session.execute(update(AsyncJob).where(AsyncJob.id == self.job_id)
                                        .values(proc_status=self.tasks_started))
                except Exception:
                    log.exception("job-%s: could not record progress", self.job_id)
        elif name in _RESULT_STATUS:
            self._task_result(name, data)
        elif name == "playbook_on_stats":
            self._stats(data)
        return True

    def _task_result(self, name: str, data: dict[str, Any]) -> None:
        res: dict[str, Any] = data.get("res") or {}
        host = str(data.get("host") or data.get("remote_addr") or "")
        task = str(data.get("task") or data.get("task_action") or "")
        status = _RESULT_STATUS[name]
        if status == "ok" and res.get("changed"):
            status = "changed"
        message = _message(res)
        diff = _result_diff(res) if status == "changed" else ""
        if status == "changed":
            self.result.changes.append(Change(host=host, task=task, diff=diff))
        stats = res.get("ansible_stats")
        if status in ("ok", "changed") and isinstance(stats, dict):
            target = host if stats.get("per_host") else "_run"
            self.result.host_stats.setdefault(target, {}).update(stats.get("data") or {})
        if status == "failed" and data.get("ignore_errors"):
            message = f"(ignored) {message}"
        elif status in ("failed", "unreachable"):
            self.result.failures.append(TaskFailure(host=host, task=task, message=message,
                                                    unreachable=status == "unreachable"))
        self.write(event=name, host=host, task=task, status=status, message=message,
                   diff=diff)

    def _stats(self, data: dict[str, Any]) -> None:
        stats: dict[str, dict[str, int]] = {}
        for key in ("ok", "changed", "failures", "dark", "skipped", "rescued", "ignored",
                    "processed"):
            for host, count in (data.get(key) or {}).items():
                name = "unreachable" if key == "dark" else key
                stats.setdefault(host, {})[name] = int(count) if key != "processed" else 1
        self.result.stats = stats
        aggregate = data.get("artifact_data") or {}
        if aggregate:
            self.result.host_stats.setdefault("_run", {}).update(aggregate)
        recap = "; ".join(
            f"{host}: ok={s.get('ok', 0)} changed={s.get('changed', 0)} "
            f"failed={s.get('failures', 0)} unreachable={s.get('unreachable', 0)}"
            for host, s in sorted(stats.items()))
        self.write(event="playbook_on_stats", message=recap or "no hosts matched")

    def on_status(self, status: dict[str, Any], runner_config: Any) -> None:
        """ansible-runner's status_handler: starting, running, successful, failed, timeout."""
        self.result.status = str(status.get("status", ""))
        if self.result.status in ("timeout", "canceled"):
            self.write(event="status", status="failed",
                       message=f"run {self.result.status}")
