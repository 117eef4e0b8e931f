"""A process's job workers: heartbeat, claim-and-run threads, takeover of dead processes."""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from appliance.api.dispatch import run_job
from appliance.api.registry import lookup
from appliance.db import Database
from appliance.errors import InternalError
from appliance.jobs import queue
from appliance.jobs.scheduler import Scheduler
from appliance.models import AsyncJob, JobStatus, ManagementProcess
from appliance.models.base import utcnow
from appliance.services import configuration

log = logging.getLogger("cirrus.jobs")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def take_over_dead(db: Database, *, self_id: str | None = None) -> int:
    """Finish what dead processes left: resume idempotent jobs, fail the others (530).

    A process is dead when its heartbeat is older than job.dead.process.timeout, or at
    once when it ran on this host and its pid is gone. Returns the number of jobs handled.
    """
    hostname = socket.gethostname()
    handled = 0
    with db.session(write=True) as session:
        timeout = int(configuration.get(session, "job.dead.process.timeout"))
        cutoff = utcnow() - timedelta(seconds=timeout)
        dead = [
            proc for proc in session.scalars(select(ManagementProcess))
            if proc.id != self_id and (
                proc.heartbeat < cutoff
                or (proc.hostname == hostname and not _pid_alive(proc.pid))
            )
        ]
        for proc in dead:
            jobs = list(session.scalars(select(AsyncJob).where(
                AsyncJob.claimed_by == proc.id, AsyncJob.status == JobStatus.PENDING)))
            for job in jobs:
                _take_over(session, job, f"management process {proc.hostname}:{proc.pid}")
            handled += len(jobs)
            session.execute(delete(ManagementProcess).where(ManagementProcess.id == proc.id))
        # Claimed by a process that left no row (it was stopped before its jobs ended).
        orphans = list(session.scalars(select(AsyncJob).where(
            AsyncJob.status == JobStatus.PENDING, AsyncJob.claimed_by.is_not(None),
            AsyncJob.claimed_by.not_in(select(ManagementProcess.id)))))
        for job in orphans:
            _take_over(session, job, f"management process {job.claimed_by}")
        handled += len(orphans)
    return handled


def _take_over(session: Session, job: AsyncJob, who: str) -> None:
    spec = lookup(job.cmd)
    if spec is not None and spec.idempotent:
        log.warning("job-%s resumed: %s died while running it", job.id, who)
        job.claimed_by = None
        return
    log.warning("job-%s failed: %s died while running it", job.id, who)
    queue.fail_in(session, job.id, InternalError(
        f"Job interrupted: {who} stopped while running {job.cmd}; it was not retried "
        "because the action is not idempotent"), description=job.cmd)


class JobWorker:
    """Runs jobs in `threads` threads while its heartbeat says this process is alive."""

    def __init__(self, db: Database, *, threads: int = 4, poll_interval: float = 0.5) -> None:
        self.db = db
        self.threads = threads
        self.poll_interval = poll_interval
        self.process_id: str | None = None
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.scheduler: Scheduler | None = None

    def _register(self) -> None:
        now = utcnow()
        with self.db.session(write=True) as session:
            proc = ManagementProcess(hostname=socket.gethostname(), pid=os.getpid(),
                                     started=now, heartbeat=now)
            session.add(proc)
            session.flush()
            self.process_id = proc.id

    def start(self) -> None:
        self._register()
        handled = take_over_dead(self.db, self_id=self.process_id)
        if handled:
            log.info("took over %d job(s) of dead processes", handled)
        self._spawn(self._heartbeat, "cirrus-heartbeat")
        for index in range(self.threads):
            self._spawn(self._run, f"cirrus-job-{index}")
        self.scheduler = Scheduler(self.db, self.process_id or "")
        self.scheduler.start()
        log.info("job worker %s started with %d threads", self.process_id, self.threads)

    def _spawn(self, target: object, name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)  # type: ignore[arg-type]
        thread.start()
        self._threads.append(thread)

    def _heartbeat(self) -> None:
        while not self._stop.is_set():
            try:
                with self.db.session(write=True) as session:
                    interval = int(configuration.get(session, "job.heartbeat.interval"))
                    beat = session.execute(update(ManagementProcess)
                                           .where(ManagementProcess.id == self.process_id)
                                           .values(heartbeat=utcnow()))
                if beat.rowcount == 0:  # type: ignore[attr-defined]
                    # Peers declared this process dead (it hung): its claimed jobs are
                    # theirs now; carry on under a new identity.
                    log.error("process %s was taken over while unresponsive; re-registering",
                              self.process_id)
                    self._register()
                take_over_dead(self.db, self_id=self.process_id)
            except Exception:
                log.exception("heartbeat failed")
                interval = 5
            self._stop.wait(interval)

    def _run(self) -> None:
        assert self.process_id is not None
        while not self._stop.is_set():
            try:
                job_id = queue.claim(self.db, self.process_id)
            except Exception:
                log.exception("claiming a job failed")
                job_id = None
            if job_id is None:
                self._stop.wait(self.poll_interval)
                continue
            try:
                run_job(self.db, job_id, self.process_id)
            except Exception:
                log.exception("job-%s crashed its worker thread", job_id)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop claiming; running jobs finish within `timeout`, then the row is removed."""
        self._stop.set()
        if self.scheduler is not None:
            self.scheduler.stop(timeout)
        for thread in self._threads:
            thread.join(timeout)
        if self.process_id is not None:
            with self.db.session(write=True) as session:
                session.execute(delete(ManagementProcess)
                                .where(ManagementProcess.id == self.process_id))
