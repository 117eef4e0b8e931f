"""automation_lock rows: one holder per key, expired leases taken over, release by owner."""

from __future__ import annotations

import time
import uuid

import pytest

from appliance.automation import locks
from appliance.db import Database
from appliance.errors import ResourceUnavailable


def _key() -> str:
    return f"host:{uuid.uuid4()}"


def test_one_holder_per_key(db: Database) -> None:
    key = _key()
    assert locks.try_acquire(db, key, "a")
    assert not locks.try_acquire(db, key, "b")
    locks.release(db, [key], "b")  # not the owner: nothing happens
    assert not locks.try_acquire(db, key, "b")
    locks.release(db, [key], "a")
    assert locks.try_acquire(db, key, "b")
    locks.release(db, [key], "b")


def test_an_expired_lease_is_taken_over(db: Database) -> None:
    key = _key()
    assert locks.try_acquire(db, key, "dead", lease=0.2)
    time.sleep(0.4)
    assert locks.try_acquire(db, key, "alive")
    assert locks.renew(db, [key], "dead") == 0
    assert locks.renew(db, [key], "alive") == 1
    locks.release(db, [key], "alive")


def test_hold_waits_then_gives_up_with_534(db: Database) -> None:
    key = _key()
    assert locks.try_acquire(db, key, "other")
    started = time.monotonic()
    with pytest.raises(ResourceUnavailable, match=key), locks.hold(db, [key], timeout=0.5):
        pass
    assert time.monotonic() - started >= 0.5
    locks.release(db, [key], "other")
    with locks.hold(db, [key, key], timeout=1) as owner:
        assert not locks.try_acquire(db, key, "other")
        assert owner.count(":") == 2
    assert locks.try_acquire(db, key, "other")
    locks.release(db, [key], "other")
