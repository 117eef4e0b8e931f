"""Injected faults of the simulator hypervisor (tests and demos; root admins only).

A fault names a simulated host and/or a VM instance, a driver operation (or `*`), and
what happens: `fail` (the operation raises, ping reports the host down) or `hang` for
`seconds`. `count` uses, then it is gone; -1 keeps it until deleted. The driver applies
them (appliance/drivers/hypervisor/simulator.py).
"""

from __future__ import annotations

from sqlalchemy import delete, select

from appliance.drivers.hypervisor.base import PowerState
from appliance.drivers.hypervisor.simulator import OPERATIONS
from appliance.errors import ParamError
from appliance.models import Host
from appliance.models.infra import HypervisorType
from appliance.models.simulator import SimulatorFault, SimulatorVm
from appliance.services import infra
from appliance.services.context import CallContext
from appliance.services.paging import Page, paginate

ACTIONS = ("fail", "hang")
MAX_HANG_SECONDS = 3600


def configure(ctx: CallContext, *, host_id: str | None, instance_name: str | None,
              operation: str, action: str, seconds: int | None, count: int | None,
              message: str | None) -> SimulatorFault:
    infra.require_root(ctx, "configure simulator faults")
    if host_id is None and not instance_name:
        raise ParamError("Either hostid or instancename must be specified")
    if host_id is not None:
        host = infra.host(ctx, host_id)
        if host.hypervisor != HypervisorType.SIMULATOR:
            raise ParamError(f"Host {host.name} is a {host.hypervisor} host, not a simulated "
                             "one")
    operation = operation.strip().lower()
    if operation != "*" and operation not in OPERATIONS:
        raise ParamError(f"Invalid operation {operation!r}: expected * or one of "
                         f"{', '.join(OPERATIONS)}")
    action = action.strip().lower()
    if action not in ACTIONS:
        raise ParamError(f"Invalid action {action!r}: expected fail or hang")
    if seconds is not None and not 0 <= seconds <= MAX_HANG_SECONDS:
        raise ParamError(f"Invalid seconds {seconds}: expected 0 to {MAX_HANG_SECONDS}")
    if action == "hang" and not seconds:
        raise ParamError("A hang needs seconds > 0")
    if count is not None and count != -1 and count < 1:
        raise ParamError(f"Invalid count {count}: expected a positive number or -1 (until "
                         "deleted)")
    fault = SimulatorFault(host_id=host_id, instance_name=instance_name or None,
                           operation=operation, action=action, hang_seconds=seconds or 0,
                           remaining=-1 if count is None else count, message=message or None)
    ctx.session.add(fault)
    ctx.session.flush()
    return fault


def list_faults(ctx: CallContext, *, fault_id: str | None, host_id: str | None,
                instance_name: str | None, page: int | None,
                pagesize: int | None) -> Page[SimulatorFault]:
    infra.require_root(ctx, "list simulator faults")
    stmt = select(SimulatorFault).order_by(SimulatorFault.created, SimulatorFault.id)
    for column, value in ((SimulatorFault.id, fault_id), (SimulatorFault.host_id, host_id),
                          (SimulatorFault.instance_name, instance_name)):
        if value is not None:
            stmt = stmt.where(column == value)
    return paginate(ctx.session, stmt, page, pagesize)


def remove(ctx: CallContext, fault_id: str) -> None:
    infra.require_root(ctx, "delete simulator faults")
    fault = ctx.session.get(SimulatorFault, fault_id)
    if fault is None:
        raise ParamError(f"Unable to find simulator fault with id {fault_id}")
    ctx.session.delete(fault)


def clear(ctx: CallContext, *, host_id: str | None) -> int:
    """Remove every fault (of one host); returns how many."""
    infra.require_root(ctx, "clear simulator faults")
    stmt = delete(SimulatorFault)
    if host_id is not None:
        if ctx.session.get(Host, host_id) is None:
            raise ParamError(f"Unable to find host with id {host_id}")
        stmt = stmt.where(SimulatorFault.host_id == host_id)
    result = ctx.session.execute(stmt)
    return int(result.rowcount)  # type: ignore[attr-defined]


def power_off(ctx: CallContext, instance_name: str) -> None:
    """Stop a simulated domain behind the cloud's back, as a guest shutting itself down or
    a crash would: the state sync must notice."""
    infra.require_root(ctx, "power off simulated VMs")
    vm = ctx.session.scalar(select(SimulatorVm).where(
        SimulatorVm.instance_name == instance_name))
    if vm is None:
        raise ParamError(f"No simulated domain named {instance_name}")
    vm.power_state = PowerState.STOPPED
