"""listAsyncJobLog, dryRunAction: what a job's playbooks did, what an action would do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from appliance.api.params import LIST, MAP, STRING, UUID, param
from appliance.api.registry import ROOT_ADMIN, Command, ListCommand, api_command
from appliance.api.responses.automation import DRY_RUN, JOB_LOG_LINE
from appliance.automation.results import RunResult
from appliance.errors import ParamError
from appliance.jobs import queue
from appliance.models.automation import JobLogLine
from appliance.orchestration import actions
from appliance.services.context import CallContext
from appliance.services.paging import Page, paginate


@api_command("listAsyncJobLog", response=JOB_LOG_LINE, roles=ROOT_ADMIN, since="cirrus",
             related=("queryAsyncJobResult", "dryRunAction"))
@dataclass(frozen=True)
class ListAsyncJobLog(ListCommand):
    """Lists the automation log of an async job: each task's result per host, in order"""

    jobid: str = param(UUID, required=True, doc="the ID of the asynchronous job")
    host: str | None = param(STRING, doc="only lines of this inventory host (a host ID)")
    status: str | None = param(STRING, doc="only lines of this status",
                               choices=("ok", "changed", "failed", "skipped", "unreachable"))

    def run(self, ctx: CallContext) -> Page[JobLogLine]:
        job = queue.get_visible(ctx, self.jobid)
        stmt = select(JobLogLine).where(JobLogLine.job_id == job.id).order_by(JobLogLine.seq)
        if self.host:
            stmt = stmt.where(JobLogLine.host == self.host)
        if self.status:
            stmt = stmt.where(JobLogLine.status == self.status.lower())
        if self.keyword:
            like = f"%{self.keyword}%"
            stmt = stmt.where(JobLogLine.task.like(like) | JobLogLine.message.like(like))
        page: Page[JobLogLine] = paginate(ctx.session, stmt, self.page, self.pagesize)
        return page


@api_command("dryRunAction", response=DRY_RUN, roles=ROOT_ADMIN, is_async=True,
             since="cirrus", idempotent=True, related=("listAsyncJobLog",))
@dataclass(frozen=True)
class DryRunAction(Command):
    """Runs an orchestration action in check mode: reports what would change, changes nothing"""

    action: str = param(STRING, required=True, choices=tuple(actions.ACTIONS),
                        doc="the action (playbook): " + ", ".join(actions.ACTIONS))
    hostids: list[str] | None = param(LIST, item_type=UUID,
                                      doc="the hosts to run on (default: the action's hosts)")
    parameters: Any = param(MAP, doc="the action's parameters as key/value pairs "
                                     "(networkid, isolation, vnet, physicaldev, mtu, storageid)")

    def accept(self, ctx: CallContext) -> str | None:
        actions.get(self.action)
        if not isinstance(self.parameters, list | dict | type(None)):
            raise ParamError("parameters must be given as parameters[0].key/value pairs")
        return None

    def describe(self) -> str:
        return f"dryRunAction {self.action}"

    def run(self, ctx: CallContext) -> RunResult:
        params = actions.param_map(self.parameters)
        if self.hostids:
            params["hostids"] = ",".join(self.hostids)
        return actions.perform(ctx, self.action, params, check=True)
