"""The VM state machine: which transitions exist, applied as compare-and-set on the row."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from appliance.errors import CloudError, ErrorCode, ParamError
from appliance.models import VirtualMachine, VmState
from appliance.models.base import utcnow

S = VmState
TRANSITIONS: dict[VmState, frozenset[VmState]] = {
    S.CREATED: frozenset({S.STARTING, S.STOPPED, S.DESTROYED, S.ERROR, S.EXPUNGING}),
    S.STARTING: frozenset({S.RUNNING, S.STOPPED, S.ERROR}),
    S.RUNNING: frozenset({S.STOPPING, S.STOPPED, S.MIGRATING}),
    S.STOPPING: frozenset({S.STOPPED, S.RUNNING}),
    S.STOPPED: frozenset({S.STARTING, S.DESTROYED, S.EXPUNGING}),
    S.MIGRATING: frozenset({S.RUNNING, S.STOPPED}),
    S.DESTROYED: frozenset({S.STOPPED, S.EXPUNGING}),
    S.EXPUNGING: frozenset({S.EXPUNGING}),
    S.ERROR: frozenset({S.DESTROYED, S.EXPUNGING, S.STARTING}),
}


class InvalidState(CloudError):
    """The VM is not in a state that allows the operation."""

    code = ErrorCode.PARAM_ERROR


class ConcurrentChange(CloudError):
    """Someone else changed the VM between our read and our write."""

    code = ErrorCode.RESOURCE_UNAVAILABLE


def require(vm: VirtualMachine, *allowed: VmState, action: str) -> None:
    """Raise 431 unless the VM is in one of `allowed` (CloudStack's wording)."""
    if vm.state not in allowed:
        raise InvalidState(
            f"Unable to {action} virtual machine {vm.display_name or vm.name} "
            f"({vm.id}) in state {vm.state}")


def transition(session: Session, vm: VirtualMachine, to: VmState, *,
               reason: str | None = None) -> None:
    """Move `vm` to `to` if the machine allows it and nobody changed the row meanwhile."""
    if to not in TRANSITIONS[vm.state]:
        raise InvalidState(f"Virtual machine {vm.id} cannot go from {vm.state} to {to}")
    now = utcnow()
    result = session.execute(
        update(VirtualMachine)
        .where(VirtualMachine.id == vm.id, VirtualMachine.update_count == vm.update_count)
        .values(state=to, update_count=vm.update_count + 1, state_changed=now,
                state_reason=reason)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(vm)
        raise ConcurrentChange(
            f"Virtual machine {vm.id} is being changed by another operation (now {vm.state})")
    for key, value in (("state", to), ("update_count", vm.update_count + 1),
                       ("state_changed", now), ("state_reason", reason)):
        set_committed_value(vm, key, value)


def parse_state(value: str) -> VmState:
    for state in VmState:
        if state.value.lower() == value.lower():
            return state
    raise ParamError(f"Invalid state {value}")
