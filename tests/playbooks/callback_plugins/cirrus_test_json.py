"""stdout callback for the playbook tests: one JSON document (the shape of ansible.posix's
`json` callback: plays -> tasks -> hosts, stats, custom_stats), which ansible-core lacks."""

from __future__ import annotations

import json
from typing import Any

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: cirrus_test_json
type: stdout
short_description: JSON output for Cirrus's playbook tests
description: Prints plays, tasks, per-host results, stats and custom stats as one JSON document.
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "stdout"
    CALLBACK_NAME = "cirrus_test_json"

    def __init__(self) -> None:
        super().__init__()
        self.plays: list[dict[str, Any]] = []

    def v2_playbook_on_play_start(self, play: Any) -> None:
        self.plays.append({"play": {"name": play.get_name()}, "tasks": []})

    def v2_playbook_on_task_start(self, task: Any, is_conditional: bool) -> None:
        self.plays[-1]["tasks"].append({"task": {"name": task.get_name()}, "hosts": {}})

    v2_playbook_on_handler_task_start = v2_playbook_on_task_start  # type: ignore[assignment]

    def _record(self, result: Any, **flags: bool) -> None:
        data = dict(result._result)
        data.update(flags)
        self.plays[-1]["tasks"][-1]["hosts"][result._host.get_name()] = data

    def v2_runner_on_ok(self, result: Any) -> None:
        self._record(result)

    def v2_runner_on_failed(self, result: Any, ignore_errors: bool = False) -> None:
        self._record(result, failed=True)

    def v2_runner_on_skipped(self, result: Any) -> None:
        self._record(result, skipped=True)

    def v2_runner_on_unreachable(self, result: Any) -> None:
        self._record(result, unreachable=True)

    def v2_playbook_on_stats(self, stats: Any) -> None:
        hosts = sorted(stats.processed)
        document = {
            "plays": self.plays,
            "stats": {host: stats.summarize(host) for host in hosts},
            "custom_stats": {host: stats.custom[host] for host in stats.custom
                             if host != "_run"},
            "global_custom_stats": stats.custom.get("_run", {}),
        }
        self._display.display(json.dumps(document, cls=_Encoder, sort_keys=True))


class _Encoder(json.JSONEncoder):
    def default(self, o: Any) -> Any:
        return str(o)
