"""Shared fixtures: the MariaDB server, databases of both backends, live API servers."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import mariadb, server
from tests.support.cloud import Cloud

BACKENDS = ("sqlite", "mariadb")
TESTS = Path(__file__).parent
# Folders whose tests use the one-box lab (hosts, bridges, the public VLAN): with
# pytest-xdist they all run on one worker, one after another, as they always did.
LAB_FOLDERS = frozenset({"automation", "drivers", "e2e", "lab", "playbooks", "roles"})


def work_unit(nodeid: str) -> str:
    """The xdist work unit of a test: "lab" for every test that uses the one-box lab (hosts,
    bridges, the public VLAN: they must never run at once), else the test's module."""
    path = nodeid.split("::", 1)[0]
    parts = Path(path).parts
    return "lab" if len(parts) > 1 and parts[1] in LAB_FOLDERS else path


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """scripts/run-tests runs `-n 2`: a module's tests stay on one worker (its module-scoped
    cloud starts once) and the lab's tests run in order on one worker. Done here rather than
    with xdist_group marks: pytest 9.2 no longer lets xdist 3.8 tag node ids with the group,
    so `--dist loadgroup` silently ran two lab modules at once."""
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid)

    return GroupScheduling(config, log)


# Test-only commands (tests/support/slow_commands.py) that exercise the job machinery.
TEST_COMMANDS = {"CIRRUS_COMMAND_MODULES": "tests.support.slow_commands"}


@pytest.fixture(scope="session")
def mariadb_server() -> Iterator[mariadb.MariaDB]:
    reason = mariadb.available()
    if reason:
        pytest.skip(reason)
    instance = mariadb.start()
    yield instance
    instance.stop()


@pytest.fixture(scope="module", params=BACKENDS)
def database_url(request: pytest.FixtureRequest) -> str:
    """A fresh, empty database of each backend (the module's tests run once per backend)."""
    if request.param == "sqlite":
        home = tempfile.mkdtemp(prefix="cirrus-db-")
        return f"sqlite:///{os.path.join(home, 'cirrus.db')}"
    instance: mariadb.MariaDB = request.getfixturevalue("mariadb_server")
    return instance.create_database(f"cirrus_{uuid.uuid4().hex[:10]}")


@pytest.fixture(scope="module")
def cloud(database_url: str) -> Iterator[Cloud]:
    """A live `cirrus serve` on loopback with an initialized database."""
    home = tempfile.mkdtemp(prefix="cirrus-home-")
    creds = server.init(database_url, home)
    srv = server.start(database_url, home=home, env=TEST_COMMANDS)
    yield Cloud(srv, creds["apikey"], creds["secretkey"], creds["password"])
    srv.stop()
