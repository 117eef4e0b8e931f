"""Shared fixtures: the MariaDB server, databases of both backends, live API servers."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator

import pytest

from tests.support import mariadb, server
from tests.support.cloud import Cloud

BACKENDS = ("sqlite", "mariadb")
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
