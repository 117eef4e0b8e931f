"""Periodic tasks: one run per interval across claimers, errors recorded, live intervals."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from appliance import schema
from appliance.db import Database
from appliance.errors import ParamError
from appliance.jobs import scheduler
from appliance.models.ops import ScheduledTask
from appliance.services import bootstrap, configuration


@pytest.fixture(scope="module")
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    schema.upgrade(database)
    with database.session() as session:
        bootstrap.ensure_root(session)
    yield database
    database.dispose()


def test_one_claim_per_interval_among_many(db: Database) -> None:
    task = scheduler.PeriodicTask("test.once", "expunge.interval", lambda _db: None)
    wins: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def race(owner: str) -> None:
        barrier.wait()
        for _ in range(3):
            if scheduler.claim(db, task, owner):
                with lock:
                    wins.append(owner)

    threads = [threading.Thread(target=race, args=(f"p{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(wins) == 1  # expunge.interval is a day: one round only
    with db.session() as session:
        row = session.get(ScheduledTask, "test.once")
        assert row is not None and row.owner == wins[0]


def test_run_due_runs_records_errors_and_follows_the_interval(db: Database) -> None:
    calls: list[str] = []

    def boom(_db: Database) -> None:
        calls.append("boom")
        raise RuntimeError("kaput")

    scheduler.register("test.ok", "ping.interval", lambda _db: calls.append("ok"))
    scheduler.register("test.boom", "ping.interval", boom)
    try:
        ran = scheduler.run_due(db, "me")
        assert {"test.ok", "test.boom"} <= set(ran)
        assert scheduler.run_due(db, "me") == []  # not due again for 60 s
        with db.session() as session:
            failed = session.get(ScheduledTask, "test.boom")
            assert failed is not None and "kaput" in (failed.last_error or "")
            assert failed.last_finished is not None
            configuration.set_value(session, "ping.interval", "1")
        # a shortened interval takes effect now, not after the old one ends
        assert {"test.ok", "test.boom"} <= set(scheduler.run_due(db, "me"))
    finally:
        scheduler.unregister("test.ok")
        scheduler.unregister("test.boom")
        with db.session() as session:
            configuration.set_value(session, "ping.interval", None)
    assert calls.count("ok") == 2 and calls.count("boom") == 2
    with pytest.raises(ParamError):
        scheduler.register("test.bad", "no.such.parameter", lambda _db: None)
