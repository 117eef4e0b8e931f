"""Test-only async command running any playbook through the automation bridge against
this machine (ansible_connection=local), loaded like tests/support/slow_commands.py."""

from __future__ import annotations

import json
from dataclasses import dataclass

from appliance import automation
from appliance.api.params import BOOLEAN, STRING, param
from appliance.api.registry import ROOT_ADMIN, Command, api_command
from appliance.automation.results import RunResult
from appliance.services.context import CallContext


@api_command("testRunPlaybook", is_async=True, roles=ROOT_ADMIN, kind="raw")
@dataclass(frozen=True)
class RunPlaybook(Command):
    """Runs `playbook` (a path) against localhost through automation.run"""

    playbook: str = param(STRING, required=True, length=1024, doc="playbook path")
    extravars: str | None = param(STRING, length=4096, doc="extra vars as JSON")
    check: bool = param(BOOLEAN, default=False, doc="check mode")
    hostvars: str | None = param(STRING, length=4096, doc="localhost's vars as JSON")

    def run(self, ctx: CallContext) -> dict[str, object]:
        local = automation.InventoryHost.local(**json.loads(self.hostvars or "{}"))
        result: RunResult = automation.run(
            ctx, self.playbook, extra_vars=json.loads(self.extravars or "{}"),
            check=self.check, extra_hosts=[local])
        return {"changed": result.changed, "hoststats": result.host_stats,
                "changes": [c.__dict__ for c in result.changes]}
