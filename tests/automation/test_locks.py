"""Runs with the same lock key never overlap, across processes; other keys run alongside."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from appliance.automation import locks
from appliance.db import Database
from tests.automation.conftest import playbook

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _interval(path: str) -> tuple[float, float]:
    with open(path) as handle:
        marks = dict(line.split() for line in handle if line.strip())
    return float(marks["start"]), float(marks["end"])


def _hold_run(db: Database, key: str, timeline: str) -> subprocess.Popen[bytes]:
    """tests/automation/playbooks/hold.yml (2 s) in its own process under lock `key`."""
    return subprocess.Popen(
        [sys.executable, "-m", "tests.automation.run_hold", db.url, key, timeline, "2",
         playbook("hold")],
        cwd=ROOT, env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _finish(proc: subprocess.Popen[bytes], name: str) -> None:
    out, _ = proc.communicate(timeout=180)
    assert proc.returncode == 0, f"run {name}: {out.decode(errors='replace')}"


def test_runs_with_the_same_key_in_two_processes_never_overlap(db: Database,
                                                                home: str) -> None:
    timelines = [os.path.join(home, f"timeline-same-{index}") for index in range(2)]
    procs = [_hold_run(db, "host:shared", timeline) for timeline in timelines]
    for index, proc in enumerate(procs):
        _finish(proc, f"same-{index}")
    first, second = sorted(_interval(timeline) for timeline in timelines)
    assert first[1] <= second[0], f"same key overlapped: {first} {second}"


def test_another_key_runs_while_a_key_is_held(db: Database, home: str) -> None:
    """Deterministic on a loaded machine: this process holds host:shared itself; a run
    under another key completes meanwhile, one under host:shared starts only after."""
    other, shared = (os.path.join(home, f"timeline-{name}") for name in ("other", "shared"))
    with locks.hold(db, ["host:shared"], timeout=10):
        waiting = _hold_run(db, "host:shared", shared)
        _finish(_hold_run(db, "host:other", other), "other")
        assert not os.path.exists(shared), "a run started while its key was held"
        released = time.time()
    _finish(waiting, "shared")
    assert _interval(shared)[0] >= released
    assert _interval(other)[1] <= released
