"""What a run reports back: per-host stats, the changes (with diffs), facts set by plays."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Change:
    """A task that changed (or, in check mode, would change) a host, with its diff text."""

    host: str
    task: str
    diff: str


@dataclass(frozen=True)
class TaskFailure:
    host: str
    task: str
    message: str
    unreachable: bool = False


@dataclass
class RunResult:
    """The outcome of one playbook run (a failed run raises instead; see AutomationError)."""

    playbook: str
    ok: bool
    check: bool
    status: str
    rc: int | None
    # host -> {"ok": n, "changed": n, "failures": n, "unreachable": n, "skipped": n, ...}
    stats: dict[str, dict[str, int]] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
    # Data plays reported with ansible.builtin.set_stats, per host (per_host: true) and
    # under "_run" for the aggregate (per_host: false).
    host_stats: dict[str, dict[str, Any]] = field(default_factory=dict)
    failures: list[TaskFailure] = field(default_factory=list)
    artifacts: str = ""
    private_data_dir: str = ""

    @property
    def changed(self) -> bool:
        return bool(self.changes) or any(s.get("changed", 0) for s in self.stats.values())
