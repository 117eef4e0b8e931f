"""Shared fixtures: the MariaDB server, databases of both backends, live API servers."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import mariadb, server
from tests.support.cloud import Cloud

BACKENDS = ("sqlite", "mariadb")
TESTS = Path(__file__).parent
# Folders whose tests use the one-box lab (hosts, bridges, the public VLAN): with
# pytest-xdist they all run on one worker, one after another, as they always did.
LAB_FOLDERS = frozenset({"automation", "drivers", "e2e", "lab", "playbooks", "roles"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """xdist groups (scripts/run-tests runs `-n 2 --dist loadgroup`): a module's tests stay
    on one worker, so its module-scoped cloud starts once; the lab's tests share one."""
    for item in items:
        parts = Path(item.path).relative_to(TESTS).parts
        group = "lab" if parts[0] in LAB_FOLDERS else "/".join(parts)
        item.add_marker(pytest.mark.xdist_group(group))
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
