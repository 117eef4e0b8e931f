"""Wire shapes of async jobs, events and configuration values."""

from __future__ import annotations

import json
from typing import Any

from appliance.api.responses import ResponseSpec, drop_none, wire_date
from appliance.models import AsyncJob, Event
from appliance.services import configuration
from appliance.services.context import CallContext


def render_job(job: AsyncJob, ctx: CallContext) -> dict[str, Any]:
    body: dict[str, Any] = {
        "accountid": job.account_id,
        "userid": job.user_id,
        "cmd": job.cmd,
        "jobstatus": job.status,
        "jobprocstatus": job.proc_status,
        "jobresultcode": job.result_code,
        "jobresulttype": job.result_type,
        "jobinstancetype": job.instance_type,
        "jobinstanceid": job.instance_id,
        "created": wire_date(job.created),
        "completed": wire_date(job.completed),
        "jobid": job.id,
    }
    if job.result is not None:
        body["jobresult"] = json.loads(job.result)
    return drop_none(body)


ASYNC_JOB = ResponseSpec("asyncjobs", (
    ("accountid", "the account that executed the async command"),
    ("userid", "the user that executed the async command"),
    ("cmd", "the async command executed"),
    ("jobstatus", "the current job status: 0 pending, 1 succeeded, 2 failed"),
    ("jobprocstatus", "the progress information of the PENDING job"),
    ("jobresultcode", "the result code for the job (0 on success)"),
    ("jobresulttype", "the result type"), ("jobresult", "the result reason"),
    ("jobinstancetype", "the instance/entity object related to the job"),
    ("jobinstanceid", "the unique ID of the instance/entity object related to the job"),
    ("created", "the created date of the job"), ("completed", "the completed date of the job"),
    ("jobid", "the ID of the async job"),
), render_job)


def render_event(event: Event, ctx: CallContext) -> dict[str, Any]:
    return drop_none({
        "id": event.id,
        "username": event.username,
        "type": event.type,
        "level": event.level,
        "description": event.description,
        "account": event.account_name,
        "domainid": event.domain_id,
        "domain": event.domain_name,
        "created": wire_date(event.created),
        "state": event.state,
        "parentid": event.parent_id,
    })


EVENT = ResponseSpec("event", (
    ("id", "the ID of the event"), ("username", "the name of the user who performed the action"),
    ("type", "the type of the event"), ("level", "the event level (INFO, WARN, ERROR)"),
    ("description", "a brief description of the event"),
    ("account", "the account name for the account that owns the object being acted on"),
    ("domainid", "the id of the account's domain"), ("domain", "the name of the account's domain"),
    ("created", "the date the event was created"),
    ("state", "the state of the event (Created, Scheduled, Started, Completed)"),
    ("parentid", "whether the event is parented"),
), render_event)

EVENT_TYPE = ResponseSpec("eventtype", (("name", "event type"),),
                          lambda name, ctx: {"name": name})


def render_configuration(param: configuration.Parameter, ctx: CallContext) -> dict[str, Any]:
    return {
        "category": param.category,
        "name": param.name,
        "value": configuration.raw_value(ctx.session, param.name),
        "defaultvalue": param.default,
        "description": param.description,
        "type": param.type,
        "isdynamic": True,
    }


CONFIGURATION = ResponseSpec("configuration", (
    ("category", "the category of the configuration"), ("name", "the name of the configuration"),
    ("value", "the value of the configuration"),
    ("defaultvalue", "the default value of the configuration"),
    ("description", "the description of the configuration"),
    ("type", "the type of the configuration value"),
    ("isdynamic", "true if the configuration is dynamic (applies without restart)"),
), render_configuration)
