"""queryAsyncJobResult, listAsyncJobs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from appliance.api.params import DATE, UUID, param
from appliance.api.registry import ALL_ROLES, Command, OwnedListCommand, api_command
from appliance.api.responses.ops import ASYNC_JOB, render_job
from appliance.jobs import queue
from appliance.models import AsyncJob
from appliance.services.context import CallContext
from appliance.services.paging import Page


@api_command("queryAsyncJobResult", roles=ALL_ROLES, kind="raw")
@dataclass(frozen=True)
class QueryAsyncJobResult(Command):
    """Retrieves the current status of an asynchronous job"""

    jobid: str = param(UUID, required=True, doc="the ID of the asynchronous job")

    def run(self, ctx: CallContext) -> dict[str, object]:
        # The job's fields sit directly in the envelope, not under an object key.
        return render_job(queue.get_visible(ctx, self.jobid), ctx)


@api_command("listAsyncJobs", response=ASYNC_JOB, roles=ALL_ROLES)
@dataclass(frozen=True)
class ListAsyncJobs(OwnedListCommand):
    """Lists all pending asynchronous jobs for the account"""

    startdate: date | datetime | None = param(DATE, doc="the start date of the async job")

    def run(self, ctx: CallContext) -> Page[AsyncJob]:
        result: Page[AsyncJob] = queue.list_visible(
            ctx, start=self.startdate, owner=self.owner_filter(), keyword=self.keyword,
            page=self.page, pagesize=self.pagesize)
        return result
