"""Job rows: submit, claim atomically, finish; plus the lifecycle events of each job."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from appliance.db import Database
from appliance.errors import CloudError
from appliance.models import AsyncJob, JobStatus, User
from appliance.models.base import utcnow
from appliance.services import events
from appliance.services.context import CallContext


def submit(ctx: CallContext, command: str, params: dict[str, Any], *, event_type: str | None,
           description: str, instance_type: str | None, instance_id: str | None) -> AsyncJob:
    """Write the job (and its SCHEDULED event) in the caller's transaction."""
    caller = ctx.caller
    job = AsyncJob(
        user_id=caller.user.id, account_id=caller.account.id, domain_id=caller.domain.id,
        cmd=command, params=json.dumps(params), instance_type=instance_type,
        instance_id=instance_id,
    )
    ctx.session.add(job)
    ctx.session.flush()
    if event_type:
        scheduled = events.record(
            ctx.session, type=event_type, description=f"Scheduled: {description}",
            user=caller.user, account=caller.account, state=events.State.SCHEDULED,
            job_id=job.id,
        )
        job.event_id = scheduled.id
    return job


def claim(db: Database, process_id: str) -> str | None:
    """Take the oldest unclaimed pending job for this process; None when there is none.

    The conditional UPDATE is the claim: exactly one process sees rowcount 1, on SQLite
    and MariaDB alike; SKIP LOCKED on MariaDB keeps concurrent claimers off each other.
    """
    stmt = (select(AsyncJob.id)
            .where(AsyncJob.status == JobStatus.PENDING, AsyncJob.claimed_by.is_(None))
            .order_by(AsyncJob.created).limit(1))
    # Idle pollers only read: on SQLite a write transaction would take the database lock.
    with db.session(write=False) as session:
        if session.scalar(stmt) is None:
            return None
    with db.session(write=True) as session:
        if not db.is_sqlite:
            stmt = stmt.with_for_update(skip_locked=True)
        job_id = session.scalar(stmt)
        if job_id is None:
            return None
        result = session.execute(
            update(AsyncJob)
            .where(AsyncJob.id == job_id, AsyncJob.status == JobStatus.PENDING,
                   AsyncJob.claimed_by.is_(None))
            .values(claimed_by=process_id, attempts=AsyncJob.attempts + 1)
        )
        return job_id if result.rowcount == 1 else None  # type: ignore[attr-defined]


def _lifecycle_event(session: Any, job: AsyncJob, state: events.State, level: events.Level,
                     description: str) -> None:
    from appliance.api.registry import lookup

    spec = lookup(job.cmd)
    if spec is None or spec.event is None:
        return
    user = session.get(User, job.user_id)
    events.record(session, type=spec.event, description=description, user=user,
                  account=user.account if user else None, level=level, state=state,
                  parent_id=job.event_id, job_id=job.id)


def mark_started(db: Database, job_id: str, description: str) -> None:
    with db.session(write=True) as session:
        job = session.get(AsyncJob, job_id)
        assert job is not None
        job.started = utcnow()
        _lifecycle_event(session, job, events.State.STARTED, events.Level.INFO,
                         f"Starting job for {description}")


def _still_ours(job: AsyncJob | None, process_id: str | None) -> bool:
    """False when the job already ended or was taken over while this process hung."""
    if job is None or job.status != JobStatus.PENDING:
        return False
    return process_id is None or job.claimed_by == process_id


def finish(db: Database, job_id: str, *, result: dict[str, Any], description: str,
           process_id: str | None = None) -> bool:
    """Record success (in its own transaction, after the work committed); False when the
    job was meanwhile taken over by another process and this result is discarded."""
    with db.session(write=True) as session:
        job = session.get(AsyncJob, job_id)
        if not _still_ours(job, process_id):
            return False
        assert job is not None
        job.status, job.result_code = JobStatus.SUCCEEDED, 0
        job.result, job.completed, job.proc_status = json.dumps(result), utcnow(), 0
        _lifecycle_event(session, job, events.State.COMPLETED, events.Level.INFO,
                         f"Successfully completed {description}")
        return True


def fail(db: Database, job_id: str, error: CloudError, *, description: str,
         process_id: str | None = None) -> bool:
    """Record failure with the error's CloudStack code; the work itself was rolled back."""
    with db.session(write=True) as session:
        return fail_in(session, job_id, error, description=description, process_id=process_id)


def fail_in(session: Any, job_id: str, error: CloudError, *, description: str,
            process_id: str | None = None) -> bool:
    job = session.get(AsyncJob, job_id)
    if not _still_ours(job, process_id):
        return False
    job.status, job.result_code = JobStatus.FAILED, int(error.code)
    job.result = json.dumps({"errorcode": int(error.code), "errortext": error.text})
    job.completed = utcnow()
    _lifecycle_event(session, job, events.State.COMPLETED, events.Level.ERROR,
                     f"Error while {description}: {error.text}")
    return True


def get_visible(ctx: CallContext, job_id: str) -> AsyncJob:
    """A job the caller may see (431 unknown, 531 another tenant's)."""
    from appliance.services import tenancy

    return tenancy.get_owned(ctx, AsyncJob, job_id, what="job")


def list_visible(ctx: CallContext, *, start: Any, owner: dict[str, Any], keyword: str | None,
                 page: int | None, pagesize: int | None) -> Any:
    from datetime import UTC, datetime

    from appliance.services import tenancy
    from appliance.services.paging import keyword_filter, paginate

    stmt = select(AsyncJob).order_by(AsyncJob.created.desc(), AsyncJob.id)
    stmt = tenancy.scope(stmt, ctx, account_col=AsyncJob.account_id,
                         domain_col=AsyncJob.domain_id, **owner)
    if start is not None:
        if not isinstance(start, datetime):
            start = datetime(start.year, start.month, start.day, tzinfo=UTC)
        stmt = stmt.where(AsyncJob.created >= start)
    stmt = keyword_filter(stmt, keyword, AsyncJob.cmd)
    return paginate(ctx.session, stmt, page, pagesize)


def instance_id(session: Session, job_id: str | None) -> str | None:
    """The id of the object a job works on, recorded when it was accepted."""
    if job_id is None:
        return None
    job = session.get(AsyncJob, job_id)
    return job.instance_id if job else None
