"""Test-only async commands (holding a job, failing inside one), loaded through
CIRRUS_COMMAND_MODULES so tests can kill a process while it runs a job."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from appliance.api.params import INTEGER, STRING, param
from appliance.api.registry import ROOT_ADMIN, Command, api_command
from appliance.errors import ResourceInUse
from appliance.services.context import CallContext


@api_command("testHoldJob", is_async=True, roles=ROOT_ADMIN)
@dataclass(frozen=True)
class HoldJob(Command):
    """Touches `marker`, then sleeps `seconds` (not idempotent: never resumed)"""

    seconds: int = param(INTEGER, required=True, doc="how long to hold the job")
    marker: str = param(STRING, required=True, length=1024, doc="file created when started")

    def run(self, ctx: CallContext) -> None:
        with open(self.marker, "a") as handle:
            handle.write(f"{os.getpid()}\n")
        time.sleep(self.seconds)


@api_command("testResumableJob", is_async=True, roles=ROOT_ADMIN, idempotent=True)
@dataclass(frozen=True)
class ResumableJob(Command):
    """Idempotent: the first attempt records its start in `marker` and sleeps; a resumed
    attempt finds the marker and completes at once"""

    seconds: int = param(INTEGER, required=True, doc="how long the first attempt holds")
    marker: str = param(STRING, required=True, length=1024, doc="progress file")

    def run(self, ctx: CallContext) -> None:
        resumed = os.path.exists(self.marker)
        with open(self.marker, "a") as handle:
            handle.write(f"{os.getpid()}\n")
        if not resumed:
            time.sleep(self.seconds)


@api_command("testFailingJob", is_async=True, roles=ROOT_ADMIN, instance_type="Domain")
@dataclass(frozen=True)
class FailingJob(Command):
    """Accepted, then fails inside the job with a ResourceInUse (536) naming `what`"""

    what: str = param(STRING, required=True, doc="text of the failure")

    def accept(self, ctx: CallContext) -> str | None:
        return ctx.caller.domain.id

    def run(self, ctx: CallContext) -> None:
        raise ResourceInUse(f"{self.what} is in use")
