"""Small integer counters shared by every server (account and VM numbers)."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from appliance.models import IdSequence


def next_value(session: Session, name: str) -> int:
    """Take the next value of counter `name`; the UPDATE locks the row until commit."""
    taken = session.execute(
        update(IdSequence).where(IdSequence.name == name)
        .values(next_value=IdSequence.next_value + 1)
    )
    if taken.rowcount == 0:  # type: ignore[attr-defined]
        session.add(IdSequence(name=name, next_value=2))
        session.flush()
        return 1
    value = session.scalar(select(IdSequence.next_value).where(IdSequence.name == name))
    assert value is not None
    return value - 1
