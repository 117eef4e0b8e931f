"""The volume state machine: legal transitions only, compare-and-set against racing
writers, for state changes and attachment claims alike."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from appliance import schema
from appliance.db import Database
from appliance.models import Account, Volume, VolumeState, VolumeType, Zone
from appliance.services import bootstrap
from appliance.services.storage.volume_states import (
    TRANSITIONS,
    ConcurrentVolumeChange,
    InvalidVolumeState,
    change,
    parse_state,
    transition,
)

S = VolumeState


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path_factory.mktemp('volumes') / 'c.db'}")
    schema.upgrade(database)
    with database.session() as session:
        bootstrap.ensure_root(session)
    yield database
    database.dispose()


def _new_volume(db: Database) -> str:
    with db.session() as session:
        admin = session.scalar(select(Account).where(Account.name == "admin"))
        assert admin is not None
        zone = Zone(name=f"z-{id(session)}", network_type="Advanced")
        session.add(zone)
        session.flush()
        volume = Volume(name="data", account_id=admin.id, domain_id=admin.domain_id,
                        zone_id=zone.id, volume_type=VolumeType.DATADISK, size=1)
        session.add(volume)
        session.flush()
        return volume.id


def test_every_state_has_a_row_and_removal_passes_destroy() -> None:
    assert set(TRANSITIONS) == set(VolumeState)
    assert TRANSITIONS[S.EXPUNGED] == frozenset()
    for state, targets in TRANSITIONS.items():
        if S.EXPUNGED in targets:
            assert state == S.EXPUNGING
    assert S.DESTROY not in TRANSITIONS[S.UPLOAD_OP]  # an upload finishes first
    assert parse_state("uploadop") == S.UPLOAD_OP


def test_legal_path_and_illegal_jump(db: Database) -> None:
    volume_id = _new_volume(db)
    with db.session() as session:
        volume = session.get(Volume, volume_id)
        assert volume is not None
        for state in (S.CREATING, S.READY, S.MIGRATING, S.READY, S.DESTROY, S.EXPUNGING):
            transition(session, volume, state)
        with pytest.raises(InvalidVolumeState) as caught:
            transition(session, volume, S.READY)
        assert caught.value.code == 431
        transition(session, volume, S.EXPUNGED, pool_id=None)
    with db.session(write=False) as session:
        stored = session.get(Volume, volume_id)
        assert stored is not None
        assert (stored.state, stored.update_count) == (S.EXPUNGED, 7)


def test_of_two_claims_on_one_row_only_the_first_applies(db: Database) -> None:
    """Two attaches read the same row; the second claim must fail, not overwrite."""
    volume_id = _new_volume(db)
    with db.session(write=False) as reader:
        stale = reader.get(Volume, volume_id)
        assert stale is not None
        reader.expunge(stale)
    with db.session() as session:
        fresh = session.get(Volume, volume_id)
        assert fresh is not None
        change(session, fresh, device_id=1, vm_id=None)
    with db.session() as session:
        stale = session.merge(stale, load=False)
        with pytest.raises(ConcurrentVolumeChange) as caught:
            change(session, stale, device_id=2)
        assert caught.value.code == 534
        assert stale.device_id == 1  # refreshed: the winner's claim is what the loser sees
    with db.session(write=False) as session:
        stored = session.get(Volume, volume_id)
        assert stored is not None and (stored.device_id, stored.update_count) == (1, 1)
