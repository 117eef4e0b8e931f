"""The volume state machine, applied as compare-and-set on `update_count`.

Every change of a volume's state or attachment goes through `transition` or `change`: the
UPDATE applies only when nobody changed the row since it was read, so of two concurrent
attaches (or an attach and a delete) exactly one wins, whichever server runs them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from appliance.errors import CloudError, ErrorCode, ParamError
from appliance.models import Volume, VolumeState

S = VolumeState
TRANSITIONS: dict[VolumeState, frozenset[VolumeState]] = {
    S.ALLOCATED: frozenset({S.CREATING, S.READY, S.DESTROY}),
    S.CREATING: frozenset({S.READY, S.ALLOCATED, S.UPLOADED}),
    S.READY: frozenset({S.MIGRATING, S.DESTROY}),
    S.MIGRATING: frozenset({S.READY}),
    S.UPLOAD_OP: frozenset({S.UPLOADED, S.UPLOAD_ERROR}),
    S.UPLOADED: frozenset({S.CREATING, S.DESTROY}),
    S.UPLOAD_ERROR: frozenset({S.DESTROY}),
    S.DESTROY: frozenset({S.EXPUNGING}),
    S.EXPUNGING: frozenset({S.EXPUNGED, S.DESTROY}),
    S.EXPUNGED: frozenset(),
}


class InvalidVolumeState(CloudError):
    """The volume is not in a state that allows the operation."""

    code = ErrorCode.PARAM_ERROR


class ConcurrentVolumeChange(CloudError):
    """Someone else changed the volume between our read and our write."""

    code = ErrorCode.RESOURCE_UNAVAILABLE


def describe(volume: Volume) -> str:
    return f"{volume.name} ({volume.id})"


def require(volume: Volume, *allowed: VolumeState, action: str) -> None:
    """Raise 431 unless the volume is in one of `allowed`."""
    if volume.state not in allowed:
        raise InvalidVolumeState(
            f"Unable to {action} volume {describe(volume)} in state {volume.state}")


def change(session: Session, volume: Volume, **values: Any) -> None:
    """Write `values` if the row is unchanged since `volume` was read (and bump it)."""
    count = volume.update_count
    result = session.execute(
        update(Volume).where(Volume.id == volume.id, Volume.update_count == count)
        .values(update_count=count + 1, **values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(volume)
        raise ConcurrentVolumeChange(
            f"Volume {describe(volume)} is being changed by another operation (now "
            f"{volume.state})")
    set_committed_value(volume, "update_count", count + 1)
    for key, value in values.items():
        set_committed_value(volume, key, value)


def transition(session: Session, volume: Volume, to: VolumeState, **values: Any) -> None:
    """Move `volume` to `to` (with `values`) if the machine allows it, compare-and-set."""
    if to != volume.state and to not in TRANSITIONS[VolumeState(volume.state)]:
        raise InvalidVolumeState(
            f"Volume {describe(volume)} cannot go from {volume.state} to {to}")
    change(session, volume, state=to, **values)


def parse_state(value: str) -> VolumeState:
    for state in VolumeState:
        if state.value.lower() == value.strip().lower():
            return state
    raise ParamError(f"Invalid volume state {value}: one of "
                     f"{', '.join(s.value for s in VolumeState)}")
