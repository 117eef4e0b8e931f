"""The VM state machine: legal transitions only, and compare-and-set against racing writers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from appliance import schema
from appliance.db import Database
from appliance.models import (
    Account,
    Cluster,
    Pod,
    ServiceOffering,
    VirtualMachine,
    VmState,
    Zone,
)
from appliance.services import bootstrap
from appliance.services.vms.states import (
    TRANSITIONS,
    ConcurrentChange,
    InvalidState,
    require,
    transition,
)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path_factory.mktemp('states') / 'c.db'}")
    schema.upgrade(database)
    with database.session() as session:
        bootstrap.ensure_root(session)
    yield database
    database.dispose()


def _new_vm(db: Database) -> str:
    with db.session() as session:
        admin = session.scalar(select(Account).where(Account.name == "admin"))
        assert admin is not None
        zone = Zone(name=f"z-{id(session)}", network_type="Advanced")
        session.add(zone)
        session.flush()
        pod = Pod(zone_id=zone.id, name="p", gateway="10.0.0.1", netmask="255.255.255.0",
                  start_ip="10.0.0.10")
        session.add(pod)
        session.flush()
        session.add(Cluster(zone_id=zone.id, pod_id=pod.id, name="c", hypervisor="Simulator"))
        offering = ServiceOffering(name="s", display_text="s", cpu_number=1, cpu_speed=500,
                                   memory=512)
        session.add(offering)
        session.flush()
        number = session.scalar(select(VirtualMachine.number).order_by(
            VirtualMachine.number.desc()).limit(1)) or 0
        vm = VirtualMachine(number=number + 1, instance_name=f"i-1-{number + 1}-VM", name="v",
                            account_id=admin.id, domain_id=admin.domain_id, zone_id=zone.id,
                            service_offering_id=offering.id)
        session.add(vm)
        session.flush()
        return vm.id


def test_every_state_has_a_row_and_terminal_paths_end_in_expunging() -> None:
    assert set(TRANSITIONS) == set(VmState)
    assert VmState.EXPUNGING in TRANSITIONS[VmState.DESTROYED]
    assert VmState.RUNNING not in TRANSITIONS[VmState.STOPPED]  # a start passes Starting
    assert VmState.RUNNING not in TRANSITIONS[VmState.DESTROYED]


def test_legal_path_and_illegal_jump(db: Database) -> None:
    vm_id = _new_vm(db)
    with db.session() as session:
        vm = session.get(VirtualMachine, vm_id)
        assert vm is not None
        for state in (VmState.STARTING, VmState.RUNNING, VmState.STOPPING, VmState.STOPPED):
            transition(session, vm, state)
        with pytest.raises(InvalidState) as caught:
            transition(session, vm, VmState.RUNNING)
        assert caught.value.code == 431
        with pytest.raises(InvalidState):
            require(vm, VmState.RUNNING, action="reboot")
    with db.session(write=False) as session:
        stored = session.get(VirtualMachine, vm_id)
        assert stored is not None
        assert (stored.state, stored.update_count) == (VmState.STOPPED, 4)


def test_a_stale_row_loses_the_race(db: Database) -> None:
    """Two writers read the same row; the second transition must fail, not overwrite."""
    vm_id = _new_vm(db)
    with db.session(write=False) as reader:
        stale = reader.get(VirtualMachine, vm_id)
        assert stale is not None
        reader.expunge(stale)
    with db.session() as session:
        fresh = session.get(VirtualMachine, vm_id)
        assert fresh is not None
        transition(session, fresh, VmState.STARTING)
    with db.session() as session:
        stale = session.merge(stale, load=False)
        with pytest.raises(ConcurrentChange):
            transition(session, stale, VmState.DESTROYED)
    with db.session(write=False) as session:
        assert session.get(VirtualMachine, vm_id).state == VmState.STARTING  # type: ignore[union-attr]
