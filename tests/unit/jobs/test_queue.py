"""Claims are atomic: with many claimers on one database, each job is claimed once."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from appliance import schema
from appliance.db import Database
from appliance.jobs import queue
from appliance.models import AsyncJob, ManagementProcess, User
from appliance.models.base import utcnow
from appliance.services import bootstrap
from appliance.services.context import CallContext


@pytest.fixture(scope="module")
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    schema.upgrade(database)
    with database.session() as session:
        bootstrap.ensure_root(session)
    yield database
    database.dispose()


def _submit(db: Database, count: int) -> list[str]:
    with db.session() as session:
        admin = session.scalar(select(User).where(User.username == "admin"))
        assert admin is not None
        ctx = CallContext.for_user(session, admin)
        return [queue.submit(ctx, "listAccounts", {}, event_type=None, description="test",
                             instance_type=None, instance_id=None).id for _ in range(count)]


def _process(db: Database) -> str:
    with db.session() as session:
        proc = ManagementProcess(hostname="test", pid=0, heartbeat=utcnow())
        session.add(proc)
        session.flush()
        return proc.id


def test_each_job_is_claimed_exactly_once(db: Database) -> None:
    jobs = set(_submit(db, 40))
    claimers = [_process(db) for _ in range(8)]
    claimed: list[tuple[str, str]] = []
    lock = threading.Lock()

    def claim_all(process_id: str) -> None:
        while True:
            job_id = queue.claim(db, process_id)
            if job_id is None:
                with db.session(write=False) as session:
                    left = session.scalar(select(AsyncJob.id).where(
                        AsyncJob.id.in_(jobs), AsyncJob.claimed_by.is_(None)))
                if left is None:
                    return
                continue
            with lock:
                claimed.append((job_id, process_id))

    threads = [threading.Thread(target=claim_all, args=(p,)) for p in claimers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    counts = Counter(job_id for job_id, _ in claimed)
    assert set(counts) == jobs
    assert set(counts.values()) == {1}
    with db.session(write=False) as session:
        owners = dict(session.execute(select(AsyncJob.id, AsyncJob.claimed_by)
                                      .where(AsyncJob.id.in_(jobs))).all())
    assert owners == dict(claimed)
