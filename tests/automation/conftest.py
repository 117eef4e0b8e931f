"""Real ansible-runner runs against this machine (ansible_connection=local): a SQLite
database with the root admin, CIRRUS_HOME in a temporary directory."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from appliance import schema
from appliance.api import dispatch, registry
from appliance.db import Database
from appliance.models import AsyncJob, User
from appliance.services import bootstrap
from appliance.services.context import CallContext
from tests.support.lab import lab_hosts  # noqa: F401  (the one-box lab, for test_lab.py)

PLAYBOOKS = os.path.join(os.path.dirname(__file__), "playbooks")
COMMANDS = "tests.support.automation_commands"


def playbook(name: str) -> str:
    return os.path.join(PLAYBOOKS, f"{name}.yml")


@pytest.fixture(scope="module")
def home() -> Iterator[str]:
    path = tempfile.mkdtemp(prefix="cirrus-automation-")
    saved = os.environ.get("CIRRUS_HOME")
    os.environ["CIRRUS_HOME"] = path
    yield path
    if saved is None:
        os.environ.pop("CIRRUS_HOME", None)
    else:
        os.environ["CIRRUS_HOME"] = saved


@pytest.fixture(scope="module")
def db(home: str) -> Iterator[Database]:
    database = Database(f"sqlite:///{os.path.join(home, 'cirrus.db')}")
    schema.upgrade(database)
    with database.session() as session:
        bootstrap.ensure_root(session)
    registry.add_command_modules([COMMANDS])
    yield database
    database.dispose()


def admin_id(db: Database) -> str:
    with db.session(write=False) as session:
        admin = session.scalar(select(User).where(User.username == "admin"))
        assert admin is not None
        return admin.id


def context(db: Database, session: Any) -> CallContext:
    admin = session.scalar(select(User).where(User.username == "admin"))
    return CallContext.for_user(session, admin, db=db)


def run_command(db: Database, command: str, **raw: Any) -> AsyncJob:
    """Queue an async command as the admin, run its job here, return the finished job."""
    spec = registry.lookup(command)
    assert spec is not None
    body = dispatch.call(db, spec, admin_id(db), {k.lower(): v for k, v in raw.items()})
    dispatch.run_job(db, body["jobid"])
    with db.session(write=False) as session:
        job = session.get(AsyncJob, body["jobid"])
        assert job is not None
        return job
