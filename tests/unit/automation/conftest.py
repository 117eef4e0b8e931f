from __future__ import annotations

from collections.abc import Iterator

import pytest

from appliance import schema
from appliance.db import Database
from appliance.services import bootstrap


@pytest.fixture(scope="module")
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    schema.upgrade(database)
    with database.session() as session:
        bootstrap.ensure_root(session)
    yield database
    database.dispose()
