"""Runs with the same lock key never overlap, across processes; other keys run alongside."""

from __future__ import annotations

import os
import subprocess
import sys

from appliance.db import Database
from tests.automation.conftest import playbook

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _interval(path: str) -> tuple[float, float]:
    with open(path) as handle:
        marks = dict(line.split() for line in handle if line.strip())
    return float(marks["start"]), float(marks["end"])


def test_same_key_serializes_and_other_keys_run_in_parallel(db: Database, home: str) -> None:
    runs = {"a": "host:shared", "b": "host:shared", "c": "host:other"}
    procs = {}
    for name, key in runs.items():
        timeline = os.path.join(home, f"timeline-{name}")
        procs[name] = (timeline, subprocess.Popen(
            [sys.executable, "-m", "tests.automation.run_hold", db.url, key, timeline, "2",
             playbook("hold")],
            cwd=ROOT, env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.STDOUT))
    for name, (_, proc) in procs.items():
        out, _ = proc.communicate(timeout=180)
        assert proc.returncode == 0, f"run {name}: {out.decode(errors='replace')}"
    a, b, c = (_interval(procs[name][0]) for name in "abc")
    first, second = sorted([a, b])
    assert first[1] <= second[0], f"same key overlapped: {a} {b}"
    overlaps = [c[0] < other[1] and other[0] < c[1] for other in (a, b)]
    assert any(overlaps), f"another key waited: c={c} a={a} b={b}"
