"""A process that dies (or hangs) holding claimed jobs never leaves them pending."""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile

import pytest
from cs import CloudStack
from sqlalchemy import select

from appliance.db import Database
from appliance.models import AsyncJob, JobStatus, ManagementProcess
from tests.support import server
from tests.support.waiting import eventually

PLUGIN = {"CIRRUS_COMMAND_MODULES": "tests.support.slow_commands"}


def _jobs(db: Database, ids: list[str]) -> dict[str, AsyncJob]:
    with db.session(write=False) as session:
        return {j.id: j for j in session.scalars(select(AsyncJob).where(AsyncJob.id.in_(ids)))}


def _client(srv: server.Server, creds: dict[str, str]) -> CloudStack:
    return CloudStack(endpoint=srv.endpoint, key=creds["apikey"], secret=creds["secretkey"],
                      timeout=30)


@pytest.fixture
def home() -> str:
    return tempfile.mkdtemp(prefix="cirrus-takeover-")


def _submit(api: CloudStack, home: str) -> tuple[list[str], str, list[str]]:
    markers = [os.path.join(home, f"hold-{i}") for i in range(2)]
    held = [api.testHoldJob(seconds=120, marker=m)["jobid"] for m in markers]
    resumable_marker = os.path.join(home, "resumable")
    resumable = api.testResumableJob(seconds=120, marker=resumable_marker)["jobid"]
    return held, resumable, [*markers, resumable_marker]


def test_killed_server_jobs_end_on_next_start(database_url: str, home: str) -> None:
    creds = server.init(database_url, home)
    first = server.start(database_url, home=home, env=PLUGIN)
    db = Database(database_url)
    try:
        held, resumable, markers = _submit(_client(first, creds), home)
        eventually(lambda: all(os.path.exists(m) for m in markers), 30, "jobs to start")
        first.kill(signal.SIGKILL)
        claimed = _jobs(db, [*held, resumable])
        assert all(j.status == JobStatus.PENDING and j.claimed_by for j in claimed.values())

        second = server.start(database_url, home=home, env=PLUGIN)
        try:
            eventually(lambda: all(j.status != JobStatus.PENDING
                              for j in _jobs(db, [*held, resumable]).values()),
                  30, "the next start to finish the dead process's jobs")
            api = _client(second, creds)
            for job_id in held:
                result = api.queryAsyncJobResult(jobid=job_id)
                assert result["jobstatus"] == 2
                assert result["jobresultcode"] == 530
                assert "interrupted" in result["jobresult"]["errortext"]
            resumed = api.queryAsyncJobResult(jobid=resumable)
            assert resumed["jobstatus"] == 1
            with open(markers[-1]) as handle:
                assert len(handle.read().split()) == 2  # ran, died, resumed once
        finally:
            second.stop()
    finally:
        first.kill(signal.SIGKILL)
        db.dispose()


def test_hung_server_jobs_taken_over_by_peer(database_url: str, home: str) -> None:
    creds = server.init(database_url, home)
    first = server.start(database_url, home=home, env=PLUGIN)
    db = Database(database_url)
    try:
        api = _client(first, creds)
        api.updateConfiguration(name="job.heartbeat.interval", value="1")
        api.updateConfiguration(name="job.dead.process.timeout", value="3")
        held, resumable, markers = _submit(api, home)
        eventually(lambda: all(os.path.exists(m) for m in markers), 30, "jobs to start")
        # A frozen process keeps its pid: only its stale heartbeat gives it away.
        first.signal_group(signal.SIGSTOP)
        peer = server.start(database_url, home=home, env=PLUGIN)
        try:
            eventually(lambda: all(j.status != JobStatus.PENDING
                              for j in _jobs(db, [*held, resumable]).values()),
                  30, "the peer to take over the hung process's jobs")
            jobs = _jobs(db, [*held, resumable])
            assert {jobs[j].status for j in held} == {JobStatus.FAILED}
            assert jobs[resumable].status == JobStatus.SUCCEEDED
            assert first.process.poll() is None, "the hung server must still exist"
            with db.session(write=False) as session:
                hosts = list(session.scalars(select(ManagementProcess)))
            assert len(hosts) == 1  # only the peer: the hung process's row was reaped
        finally:
            peer.stop()
    finally:
        with contextlib.suppress(ProcessLookupError):
            first.signal_group(signal.SIGCONT)
        first.kill(signal.SIGKILL)
        db.dispose()
