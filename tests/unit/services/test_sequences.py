"""sequences.next_value hands out every number once, also when many transactions take the
first values of a counter at the same moment (the first deploys of a new cloud)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from appliance import schema
from appliance.db import Database
from appliance.models import IdSequence
from appliance.services import bootstrap, sequences


@pytest.fixture(scope="module")
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    schema.upgrade(database)
    with database.session() as session:
        bootstrap.ensure_root(session)  # what `cirrus init` does: the counters exist
    yield database
    database.dispose()


def test_threads_taking_the_first_values_get_each_number_once(db: Database) -> None:
    threads = 8
    for name in sequences.COUNTERS:
        with db.session() as session:
            first = session.scalar(select(IdSequence.next_value)
                                   .where(IdSequence.name == name)) or 1
        start = threading.Barrier(threads)
        taken: list[int] = []
        errors: list[BaseException] = []

        def take(name: str = name, start: threading.Barrier = start,
                 taken: list[int] = taken, errors: list[BaseException] = errors) -> None:
            try:
                start.wait()
                with db.session() as session:
                    taken.append(sequences.next_value(session, name))
            except BaseException as error:  # reported below
                errors.append(error)

        workers = [threading.Thread(target=take) for _ in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(120)
        assert not errors, errors
        assert sorted(taken) == list(range(first, first + threads))
