"""The ansible-runner bridge: run an orchestration playbook against hosts of the cloud.

    result = automation.run(ctx, "host_add", hosts=[host.id], extra_vars={...})

renders the inventory from the database, commits the caller's transaction (no lock is
held while hosts are configured), waits for the per-host (or per-router) locks, runs the
playbook with `--diff` (and `--check` for a dry run) in a private data dir, streams each
task result into the job's log and its progress into `jobprocstatus`, and returns a
RunResult. A failed task raises AutomationError (530) naming task, host and message; an
unreachable host raises HostUnreachableError. Either fails the job it runs in.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from appliance.automation import inventory as inventory_module
from appliance.automation import locks
from appliance.automation.errors import AutomationError, HostUnreachableError
from appliance.automation.events import EventRecorder
from appliance.automation.inventory import InventoryHost
from appliance.automation.results import Change, RunResult, TaskFailure
from appliance.automation.runner import RunRequest, control_path_dir, execute
from appliance.errors import ParamError
from appliance.services import configuration
from appliance.services.context import CallContext

__all__ = [
    "AutomationError", "Change", "HostUnreachableError", "InventoryHost", "RunResult",
    "Settings", "TaskFailure", "playbook_path", "run",
]

# The installation (or repository) root: appliance/automation/__init__.py → ../../
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@dataclass(frozen=True)
class Settings:
    playbook_dir: str
    roles_path: tuple[str, ...]
    collections_path: tuple[str, ...]
    python: str
    forks: int
    timeout: int
    lock_timeout: int
    max_parallel: int

    @classmethod
    def load(cls, session: Session) -> Settings:
        playbook_dir = str(configuration.get(session, "automation.playbook.dir") or "")
        return cls(
            playbook_dir=playbook_dir or os.path.join(ROOT, "playbooks"),
            roles_path=(os.path.join(ROOT, "roles"),),
            collections_path=(os.path.join(ROOT, "collections"),),
            python=str(configuration.get(session, "automation.python.interpreter")),
            forks=int(configuration.get(session, "automation.forks")),
            timeout=int(configuration.get(session, "automation.run.timeout")),
            lock_timeout=int(configuration.get(session, "automation.lock.timeout")),
            max_parallel=int(configuration.get(session, "automation.max.parallel")),
        )


def runs_dir() -> str:
    from appliance.app import cirrus_home

    return os.path.join(cirrus_home(), "automation", "runs")


def playbook_path(playbook: str, playbook_dir: str) -> str:
    """`host_add` → <playbook dir>/host_add.yml; an absolute path is taken as it is."""
    if os.path.isabs(playbook):
        path = playbook
    else:
        name = playbook if playbook.endswith((".yml", ".yaml")) else f"{playbook}.yml"
        path = os.path.join(playbook_dir, name)
    if not os.path.isfile(path):
        raise ParamError(f"playbook {playbook!r} not found (looked for {path})")
    return path


def run(ctx: CallContext, playbook: str, *, hosts: Sequence[str] = (),
        extra_vars: Mapping[str, Any] | None = None, check: bool = False,
        lock_keys: Sequence[str] | None = None,
        extra_hosts: Sequence[InventoryHost] = (),
        timeout: int | None = None) -> RunResult:
    """Run `playbook` against the database hosts `hosts` (ids) plus `extra_hosts`.

    `lock_keys` defaults to one key per host ("host:<id>", "host:<name>" for extra hosts);
    runs sharing a key never overlap, whichever process runs them. Commits `ctx.session`.
    """
    db = ctx.database
    settings = Settings.load(ctx.session)
    path = playbook_path(playbook, settings.playbook_dir)
    host_ids = list(dict.fromkeys(hosts))
    rendered = inventory_module.render(ctx.session, host_ids, extra_hosts,
                                       python=settings.python)
    missing = [h for h in host_ids if h not in rendered["all"]["hosts"]]
    if missing:
        raise ParamError(f"host {missing[0]} is not a Routing host of this cloud")
    if lock_keys is None:
        lock_keys = [locks.host_key(h) for h in host_ids]
        lock_keys += [locks.host_key(extra.name) for extra in extra_hosts]
    ctx.checkpoint()  # no transaction stays open while hosts are configured

    name = os.path.splitext(os.path.basename(path))[0]
    ident = f"{ctx.job_id or 'run'}-{name}-{uuid.uuid4().hex[:8]}"
    data_dir = os.path.join(runs_dir(), ident)
    os.makedirs(data_dir, mode=0o700, exist_ok=True)
    from appliance.automation import keys

    request = RunRequest(
        ident=ident, private_data_dir=data_dir, playbook=path, inventory=rendered,
        extra_vars=dict(extra_vars or {}), limit=tuple(host_ids) if host_ids else (),
        check=check, forks=settings.forks, timeout=timeout or settings.timeout,
        private_key=keys.private_key_path(), roles_path=settings.roles_path,
        collections_path=settings.collections_path,
        control_path_dir=control_path_dir(os.path.dirname(os.path.dirname(runs_dir()))))
    result = RunResult(playbook=name, ok=False, check=check, status="pending", rc=None,
                       private_data_dir=data_dir)
    recorder = EventRecorder(db, ctx.job_id, result)
    ctx.log.info("automation: %s%s on %s (%s)", name, " --check" if check else "",
                 ", ".join(rendered["all"]["hosts"]) or "no hosts", data_dir)
    with locks.hold(db, lock_keys, timeout=settings.lock_timeout), \
            locks.process_slot(settings.max_parallel):
        recorder.start()
        outcome = execute(request, event_handler=recorder.on_event,
                          status_handler=recorder.on_status)
    result.status, result.rc, result.artifacts = outcome.status, outcome.rc, outcome.artifacts
    result.ok = outcome.status == "successful" and not result.failures
    if result.ok:
        ctx.log.info("automation: %s ok, %d change(s)", name, len(result.changes))
        recorder.write(event="run_end", status="changed" if result.changed else "ok",
                       message=f"{name} succeeded, {len(result.changes)} change(s)")
        return result
    labels = {host: str(hostvars.get("cirrus_host_name") or host)
              for host, hostvars in rendered["all"]["hosts"].items()}
    error = _error(result, name, labels)
    recorder.write(event="run_end", status="failed", message=error.text)
    ctx.log.warning("automation: %s", error.text)
    raise error


def _error(result: RunResult, playbook: str, labels: dict[str, str]) -> AutomationError:
    failures = [f for f in result.failures if not f.unreachable]
    if failures:
        first = failures[0]
        return AutomationError(first.task, first.host, first.message, playbook=playbook,
                               host_label=labels.get(first.host))
    unreachable = [f for f in result.failures if f.unreachable]
    if unreachable:
        first = unreachable[0]
        return HostUnreachableError(first.task, first.host, first.message, playbook=playbook,
                                    host_label=labels.get(first.host))
    return AutomationError(None, None, f"ansible-playbook ended {result.status} "
                           f"(rc {result.rc}): {_stdout_tail(result.artifacts)}",
                           playbook=playbook)


def _stdout_tail(artifacts: str, lines: int = 5) -> str:
    try:
        with open(os.path.join(artifacts, "stdout"), errors="replace") as handle:
            text = [line.strip() for line in handle.read().splitlines() if line.strip()]
    except OSError:
        return "no output"
    return " | ".join(text[-lines:]) or "no output"
