"""Serializing runs per host or router, across every process sharing the database.

A run takes one `automation_lock` row per key ("host:<id>", "router:<id>") before it
starts: by INSERT (the primary key makes exactly one inserter win), or by a conditional
UPDATE of a row whose `expires` has passed (its holder died without releasing). A thread
renews the rows while the run goes on; they are deleted when it ends. Keys are taken in
sorted order, so two runs wanting overlapping sets cannot deadlock.

Independently, `automation.max.parallel` bounds how many runs one process executes at a
time (each run is an ansible-playbook process with its own forks).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError

from appliance.db import Database
from appliance.errors import ResourceUnavailable
from appliance.models.automation import AutomationLock
from appliance.models.base import utcnow

if TYPE_CHECKING:
    from appliance.services.context import CallContext

log = logging.getLogger("cirrus.automation")

LEASE_SECONDS = 60.0
POLL_SECONDS = 0.1


def host_key(host_id: str) -> str:
    return f"host:{host_id}"


def router_key(router_id: str) -> str:
    return f"router:{router_id}"


def new_owner() -> str:
    """A lock owner id naming this process (for operators reading the table)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def try_acquire(db: Database, key: str, owner: str, lease: float = LEASE_SECONDS) -> bool:
    """Take `key` for `owner` if it is free or its lease has expired; True when taken."""
    now = utcnow()
    expires = now + timedelta(seconds=lease)
    try:
        with db.session(write=True) as session:
            session.add(AutomationLock(key=key, owner=owner, acquired=now, expires=expires))
        return True
    except IntegrityError:
        pass
    with db.session(write=True) as session:
        taken = session.execute(
            update(AutomationLock)
            .where(AutomationLock.key == key, AutomationLock.expires < now)
            .values(owner=owner, acquired=now, expires=expires))
        if taken.rowcount == 1:  # type: ignore[attr-defined]
            log.warning("automation lock %s taken over after its holder's lease expired", key)
            return True
    return False


def renew(db: Database, keys: Sequence[str], owner: str, lease: float = LEASE_SECONDS) -> int:
    """Push the leases of `owner`'s keys forward; the number still held."""
    if not keys:
        return 0
    with db.session(write=True) as session:
        result = session.execute(
            update(AutomationLock)
            .where(AutomationLock.key.in_(list(keys)), AutomationLock.owner == owner)
            .values(expires=utcnow() + timedelta(seconds=lease)))
        return int(result.rowcount)  # type: ignore[attr-defined]


def release(db: Database, keys: Sequence[str], owner: str) -> None:
    if not keys:
        return
    with db.session(write=True) as session:
        session.execute(delete(AutomationLock).where(AutomationLock.key.in_(list(keys)),
                                                     AutomationLock.owner == owner))


@contextmanager
def hold(db: Database, keys: Sequence[str], *, timeout: float,
         lease: float = LEASE_SECONDS,
         unless: Callable[[], bool] | None = None) -> Iterator[str | None]:
    """Hold every key of `keys` for the block (waiting up to `timeout` seconds for them);
    534 when they stay taken. Yields the owner id; or None, holding nothing, as soon as
    `unless()` (asked before each attempt, so it should only read) says the work is
    already done by someone else (coalescing waiters never queue for the write lock)."""
    wanted = sorted(set(keys))
    owner = new_owner()
    held: list[str] = []
    deadline = time.monotonic() + timeout
    try:
        for key in wanted:
            delay = POLL_SECONDS
            while True:
                if unless is not None and unless():
                    release(db, held, owner)
                    held = []
                    yield None
                    return
                if try_acquire(db, key, owner, lease):
                    break
                if time.monotonic() >= deadline:
                    raise ResourceUnavailable(
                        f"{key} is busy with another automation run (waited {timeout:g} s)")
                time.sleep(delay)
                delay = min(delay * 1.5, 1.0)
            held.append(key)
        stop = threading.Event()
        renewer = threading.Thread(target=_renew_loop, args=(db, held, owner, lease, stop),
                                   name="cirrus-lock-renew", daemon=True)
        if held:
            renewer.start()
        try:
            yield owner
        finally:
            stop.set()
            if held:
                renewer.join(5)
    finally:
        release(db, held, owner)


@contextmanager
def held(ctx: CallContext, keys: Sequence[str], *,
         unless: Callable[[], bool] | None = None) -> Iterator[str | None]:
    """`hold` for a job: waits up to automation.lock.timeout. The job's transaction is
    committed before it waits and again before the keys go (rolled back if the block
    fails): the lock rows are written through other sessions, and on SQLite an open
    transaction would hold the write lock they need."""
    from appliance.services import configuration

    timeout = float(configuration.get(ctx.session, "automation.lock.timeout"))
    ctx.checkpoint()
    with hold(ctx.database, keys, timeout=timeout, unless=unless) as owner:
        try:
            yield owner
        except BaseException:
            ctx.session.rollback()
            raise
        ctx.checkpoint()


def _renew_loop(db: Database, keys: list[str], owner: str, lease: float,
                stop: threading.Event) -> None:
    while not stop.wait(lease / 3):
        try:
            if renew(db, keys, owner, lease) < len(keys):
                log.error("automation locks %s: lease lost by %s", ",".join(keys), owner)
        except Exception:
            log.exception("renewing automation locks %s failed", ",".join(keys))


class _ProcessBound:
    """A semaphore whose size is read from configuration on first use."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._semaphore: threading.BoundedSemaphore | None = None
        self.size = 0

    def semaphore(self, size: int) -> threading.BoundedSemaphore:
        with self._guard:
            if self._semaphore is None or size != self.size:
                # A resized bound applies to runs that start from now on.
                self._semaphore = threading.BoundedSemaphore(max(1, size))
                self.size = size
            return self._semaphore


_bound = _ProcessBound()


@contextmanager
def process_slot(size: int) -> Iterator[None]:
    """One of this process's `size` concurrent run slots, for the block."""
    semaphore = _bound.semaphore(size)
    with semaphore:
        yield
