"""Test-only callback: writes every task's result, by host and task name, with how long it
took (`seconds`), to the JSON file named by RECORD_RESULTS_PATH when the playbook ends."""

from __future__ import annotations

import json
import os
import time
from typing import Any

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):  # type: ignore[misc]
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "record_results"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self) -> None:
        super().__init__()
        self.results: dict[str, dict[str, Any]] = {}
        self.started: dict[tuple[str, str], float] = {}

    def v2_runner_on_start(self, host: Any, task: Any) -> None:
        self.started[(host.get_name(), task._uuid)] = time.monotonic()

    def _record(self, result: Any, status: str) -> None:
        host = self.results.setdefault(result.host.get_name(), {})
        started = self.started.get((result.host.get_name(), result._task._uuid))
        seconds = round(time.monotonic() - started, 2) if started else None
        host[result.task_name] = dict(result.result, status=status, seconds=seconds)

    def v2_runner_on_ok(self, result: Any) -> None:
        self._record(result, "ok")

    def v2_runner_on_failed(self, result: Any, ignore_errors: bool = False) -> None:
        self._record(result, "failed")

    def v2_runner_on_skipped(self, result: Any) -> None:
        self._record(result, "skipped")

    def v2_playbook_on_stats(self, stats: Any) -> None:
        with open(os.environ["RECORD_RESULTS_PATH"], "w") as handle:
            json.dump(self.results, handle, default=str)
