"""Fixtures of the cirrus.cloud collection's tests: where the collection is, and one live
`cirrus serve` (SQLite, with the test-only async commands) shared by this package."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator

import pytest

from tests.support import server
from tests.support.cloud import Cloud
from tests.support.module_scenarios import COLLECTIONS

# Test-only commands (a job that holds, a job that fails) for the job-polling tests.
TEST_COMMANDS = {"CIRRUS_COMMAND_MODULES": "tests.support.slow_commands"}

# The collection's Python is importable as ansible_collections.cirrus.cloud..., as Ansible
# imports it.
if COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)


@pytest.fixture(scope="package")
def cirrus() -> Iterator[Cloud]:
    """A live server on loopback with a fresh SQLite database and its admin's keys."""
    home = tempfile.mkdtemp(prefix="cirrus-collection-")
    url = f"sqlite:///{os.path.join(home, 'cirrus.db')}"
    creds = server.init(url, home)
    srv = server.start(url, home=home, env=TEST_COMMANDS)
    yield Cloud(srv, creds["apikey"], creds["secretkey"], creds["password"])
    srv.stop()
