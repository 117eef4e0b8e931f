"""Small integer counters shared by every server (account, VM and router numbers)."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from appliance.models import IdSequence

# Made by `cirrus init` (bootstrap.ensure_root): a counter created on first use by two
# transactions at once cannot be made safe on MariaDB (both miss the row, both insert:
# one fails or they deadlock), while an existing row's UPDATE queues them.
COUNTERS = ("account", "vm", "router")


def ensure_counters(session: Session) -> None:
    """Create the missing counters of COUNTERS (idempotent)."""
    present = set(session.scalars(select(IdSequence.name)))
    for name in COUNTERS:
        if name not in present:
            session.add(IdSequence(name=name, next_value=1))
    session.flush()


def next_value(session: Session, name: str) -> int:
    """Take the next value of counter `name`; the UPDATE locks the row until commit."""
    taken = session.execute(
        update(IdSequence).where(IdSequence.name == name)
        .values(next_value=IdSequence.next_value + 1)
    )
    if taken.rowcount == 0:  # type: ignore[attr-defined]
        # Not one of COUNTERS, or a database `cirrus init` has not seen since they came.
        try:
            with session.begin_nested():
                session.add(IdSequence(name=name, next_value=2))
        except IntegrityError:
            return next_value(session, name)  # made by another transaction meanwhile
        return 1
    value = session.scalar(select(IdSequence.next_value).where(IdSequence.name == name))
    assert value is not None
    return value - 1
