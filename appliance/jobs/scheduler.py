"""Periodic tasks run by job-worker processes, each once per interval across the cloud.

Register a task with `register(name, interval_param, fn)`: `fn(db)` runs every
`interval_param` seconds (a configuration parameter, so operators can change it live).
Every worker process ticks; a round belongs to the process whose conditional UPDATE moves
the task's `scheduled_task.next_run` forward, so however many servers share the database,
a task runs once per interval. A task that raises is logged and recorded
(`last_error`); it runs again next interval.

Modules that register tasks are listed in MODULES (or added with `add_module`) and
imported when a scheduler starts.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError

from appliance.db import Database
from appliance.models.base import utcnow
from appliance.models.ops import ScheduledTask
from appliance.services import configuration

log = logging.getLogger("cirrus.scheduler")

TaskFn = Callable[[Database], object]


@dataclass(frozen=True)
class PeriodicTask:
    name: str
    interval_param: str
    fn: TaskFn


_TASKS: dict[str, PeriodicTask] = {}
MODULES: list[str] = [
    "appliance.services.infra.monitor", "appliance.services.vms.collector",
    "appliance.services.vms.sync", "appliance.services.infra.storage_stats",
    "appliance.services.storage.snapshot_policies", "appliance.services.storage.collector",
]


def register(name: str, interval_param: str, fn: TaskFn) -> None:
    """Run `fn(db)` every `interval_param` seconds (re-registering a name replaces it)."""
    configuration.parameter(interval_param)  # fails early on an unknown parameter
    if len(name) > 64:
        raise ValueError(f"task name {name!r} is longer than 64 characters")
    _TASKS[name] = PeriodicTask(name, interval_param, fn)


def unregister(name: str) -> None:
    _TASKS.pop(name, None)


def add_module(module: str) -> None:
    if module not in MODULES:
        MODULES.append(module)


def tasks() -> list[PeriodicTask]:
    for module in MODULES:
        importlib.import_module(module)
    return sorted(_TASKS.values(), key=lambda task: task.name)


def claim(db: Database, task: PeriodicTask, owner: str) -> bool:
    """Take this interval's round of `task` for `owner`; False when it is not due or
    another process took it first."""
    now = utcnow()
    with db.session(write=False) as session:
        interval = timedelta(seconds=float(configuration.get(session, task.interval_param)))
        interval_ms = int(interval.total_seconds() * 1000)
        row = session.get(ScheduledTask, task.name)
        if row is not None and now < row.next_run and not (
                row.interval_ms > interval_ms and row.next_run > now + interval):
            return False
    try:
        with db.session(write=True) as session:
            if row is None:
                session.add(ScheduledTask(name=task.name, next_run=now + interval,
                                          interval_ms=interval_ms, owner=owner,
                                          last_started=now))
                session.flush()
                return True
            # Due, or set with a longer interval than the one configured now.
            result = session.execute(
                update(ScheduledTask)
                .where(ScheduledTask.name == task.name,
                       or_(ScheduledTask.next_run <= now,
                           and_(ScheduledTask.interval_ms > interval_ms,
                                ScheduledTask.next_run > now + interval)))
                .values(next_run=now + interval, interval_ms=interval_ms, owner=owner,
                        last_started=now))
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]
    except IntegrityError:
        return False  # another process inserted the row first: its round


def run(db: Database, task: PeriodicTask) -> bool:
    """Run one round of `task` and record how it ended; True when it succeeded."""
    error: str | None = None
    try:
        task.fn(db)
    except Exception as exc:
        log.exception("periodic task %s failed", task.name)
        error = f"{type(exc).__name__}: {exc}"[:4000]
    try:
        with db.session(write=True) as session:
            session.execute(update(ScheduledTask).where(ScheduledTask.name == task.name)
                            .values(last_finished=utcnow(), last_error=error))
    except Exception:
        log.exception("recording the end of periodic task %s failed", task.name)
    return error is None


def run_due(db: Database, owner: str) -> list[str]:
    """Claim and run (in this thread) every task that is due; the names that ran."""
    ran = []
    for task in tasks():
        if claim(db, task, owner):
            run(db, task)
            ran.append(task.name)
    return ran


def next_runs(db: Database) -> dict[str, object]:
    with db.session(write=False) as session:
        return dict(session.execute(select(ScheduledTask.name, ScheduledTask.next_run)).all())


class Scheduler:
    """Ticks every `tick` seconds; each claimed round runs in a thread of its own so a
    slow task (a host that hangs) does not hold the others back."""

    def __init__(self, db: Database, owner: str, *, tick: float = 1.0) -> None:
        self.db = db
        self.owner = owner
        self.tick = tick
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._running: dict[str, threading.Thread] = {}

    def start(self) -> None:
        tasks()  # import the registering modules now, not inside the loop
        self._thread = threading.Thread(target=self._loop, name="cirrus-scheduler",
                                        daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            for task in tasks():
                if self._stop.is_set():
                    break
                busy = self._running.get(task.name)
                if busy is not None and busy.is_alive():
                    continue
                try:
                    claimed = claim(self.db, task, self.owner)
                except Exception:
                    log.exception("claiming periodic task %s failed", task.name)
                    continue
                if claimed:
                    thread = threading.Thread(target=run, args=(self.db, task),
                                              name=f"cirrus-task-{task.name}", daemon=True)
                    self._running[task.name] = thread
                    thread.start()
            self._stop.wait(self.tick)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        for thread in list(self._running.values()):
            thread.join(timeout)
