"""Running a declared command: sync in the request, async as a queued job. No Flask here."""

from __future__ import annotations

import json
import logging
from typing import Any

from appliance.api.registry import Command, CommandSpec, lookup
from appliance.db import Database
from appliance.errors import CloudError, InternalError, UnsupportedCommand
from appliance.jobs import queue
from appliance.logs import JobLog
from appliance.models import AsyncJob, User
from appliance.services import events
from appliance.services.context import CallContext

log = logging.getLogger("cirrus.api")


def find(command: str, user: User) -> CommandSpec:
    """The declaration of `command` if the caller's role may use it; 432 otherwise."""
    spec = lookup(command)
    if spec is None or user.account.type not in spec.roles:
        raise UnsupportedCommand(
            f"The given command '{command}' does not exist or it is not available for user "
            f"{user.username}"
        )
    return spec


def render_result(spec: CommandSpec, result: Any, ctx: CallContext) -> dict[str, Any]:
    """The body inside the envelope for a command's return value."""
    if spec.kind == "raw":
        return dict(result)
    if spec.kind == "success" or result is None:
        return {"success": True}
    assert spec.response is not None
    if spec.kind == "list":
        if not result.items:
            return {}
        return {"count": result.total,
                spec.response.name: [spec.response.render(item, ctx) for item in result.items]}
    return {spec.response.name: spec.response.render(result, ctx)}


def _record_sync_event(db: Database, spec: CommandSpec, user_id: str, command: Command,
                       error: CloudError | None) -> None:
    if spec.event is None:
        return
    with db.session(write=True) as session:
        user = session.get(User, user_id)
        if user is None:
            return
        if error is None:
            events.record(session, type=spec.event, user=user, account=user.account,
                          description=f"Successfully completed {command.describe()}")
        else:
            events.record(session, type=spec.event, user=user, account=user.account,
                          level=events.Level.ERROR,
                          description=f"Error while {command.describe()}: {error.text}")


def call(db: Database, spec: CommandSpec, user_id: str, raw: dict[str, Any]) -> dict[str, Any]:
    """Validate and run a command for `user_id`; async commands answer with their job id."""
    command = spec.parse(raw)
    try:
        with db.session(write=spec.writes) as session:
            ctx = CallContext.load(session, user_id, db=db)
            if spec.is_async:
                instance_id = command.accept(ctx)
                job = queue.submit(
                    ctx, spec.name, spec.wire_params(command), event_type=spec.event,
                    description=command.describe(), instance_type=spec.instance_type,
                    instance_id=instance_id)
                ctx.log.info("queued job-%s for %s", job.id, spec.name)
                body = {"jobid": job.id}
                if instance_id is not None:
                    body["id"] = instance_id
                return body
            body = render_result(spec, command.run(ctx), ctx)
    except CloudError as error:
        if not spec.is_async:
            _record_sync_event(db, spec, user_id, command, error)
        raise
    if not spec.is_async:
        _record_sync_event(db, spec, user_id, command, None)
    return body


def run_job(db: Database, job_id: str, process_id: str | None = None) -> None:
    """Execute a claimed job to its end: success or a failure carrying a CloudStack code.

    `process_id` is the claiming process: its result is dropped if the job was taken
    over meanwhile (this process hung past job.dead.process.timeout).
    """
    with db.session(write=False) as session:
        job = session.get(AsyncJob, job_id)
        assert job is not None
        cmd, params, user_id = job.cmd, json.loads(job.params), job.user_id
    jlog = JobLog(log, job_id)
    spec = lookup(cmd)
    if spec is None:
        queue.fail(db, job_id, InternalError(f"command {cmd} is no longer available"),
                   description=cmd, process_id=process_id)
        return
    description = cmd
    try:
        command = spec.parse(params)
        description = command.describe()
        queue.mark_started(db, job_id, description)
        jlog.info("started %s", description)
        with db.session(write=True) as session:
            ctx = CallContext.load(session, user_id, job_id=job_id, db=db)
            ctx.checkpoint()  # the job holds no lock until its own first write
            result = render_result(spec, command.run(ctx), ctx)
    except CloudError as error:
        jlog.warning("failed with %s: %s", int(error.code), error.text)
        outcome = queue.fail(db, job_id, error, description=description, process_id=process_id)
    except Exception as exc:
        jlog.exception("internal error")
        outcome = queue.fail(db, job_id, InternalError(f"Internal error running {cmd}: {exc}"),
                             description=description, process_id=process_id)
    else:
        outcome = queue.finish(db, job_id, result=result, description=description,
                               process_id=process_id)
        if outcome:
            jlog.info("succeeded")
    if not outcome:
        jlog.warning("result discarded: the job was taken over by another process")
