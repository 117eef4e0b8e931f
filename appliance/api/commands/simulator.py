"""configureSimulatorFault, listSimulatorFaults, deleteSimulatorFault, clearSimulatorFaults
(Cirrus: failure injection into the simulator hypervisor)."""

from __future__ import annotations

from dataclasses import dataclass

from appliance.api.params import INTEGER, STRING, UUID, param
from appliance.api.registry import ROOT_ADMIN, Command, ListCommand, api_command
from appliance.api.responses.infra import SIMULATOR_FAULT
from appliance.models.simulator import SimulatorFault
from appliance.services import simulator
from appliance.services.context import CallContext
from appliance.services.paging import Page


@api_command("configureSimulatorFault", response=SIMULATOR_FAULT, roles=ROOT_ADMIN,
             since="cirrus", related=("listSimulatorFaults",))
@dataclass(frozen=True)
class ConfigureSimulatorFault(Command):
    """Makes a simulated host or VM fail or hang in a driver operation"""

    operation: str = param(STRING, required=True,
                           doc="the driver operation: detect, ping, start, stop, reboot, "
                           "destroy, power_states, stats, or * for all")
    action: str = param(STRING, required=True, doc="fail or hang")
    hostid: str | None = param(UUID, doc="the simulated host")
    instancename: str | None = param(STRING, doc="the VM instance name (i-N-M-VM)")
    seconds: int | None = param(INTEGER, doc="how long a hang lasts")
    count: int | None = param(INTEGER, doc="how many times the fault applies; -1 (default) "
                              "until it is deleted")
    message: str | None = param(STRING, length=1024, doc="the error text of a failure")

    def run(self, ctx: CallContext) -> SimulatorFault:
        return simulator.configure(
            ctx, host_id=self.hostid, instance_name=self.instancename,
            operation=self.operation, action=self.action, seconds=self.seconds,
            count=self.count, message=self.message)

    def describe(self) -> str:
        return f"configuring simulator fault {self.action} {self.operation}"


@api_command("listSimulatorFaults", response=SIMULATOR_FAULT, roles=ROOT_ADMIN, since="cirrus")
@dataclass(frozen=True)
class ListSimulatorFaults(ListCommand):
    """Lists the faults injected into the simulator"""

    id: str | None = param(UUID, doc="the ID of the fault")
    hostid: str | None = param(UUID, doc="faults of this simulated host")
    instancename: str | None = param(STRING, doc="faults of this VM instance name")

    def run(self, ctx: CallContext) -> Page[SimulatorFault]:
        return simulator.list_faults(ctx, fault_id=self.id, host_id=self.hostid,
                                     instance_name=self.instancename, page=self.page,
                                     pagesize=self.pagesize)


@api_command("deleteSimulatorFault", roles=ROOT_ADMIN, since="cirrus")
@dataclass(frozen=True)
class DeleteSimulatorFault(Command):
    """Removes one injected simulator fault"""

    id: str = param(UUID, required=True, doc="the ID of the fault")

    def run(self, ctx: CallContext) -> None:
        simulator.remove(ctx, self.id)


@api_command("clearSimulatorFaults", roles=ROOT_ADMIN, since="cirrus")
@dataclass(frozen=True)
class ClearSimulatorFaults(Command):
    """Removes every injected simulator fault, or those of one host"""

    hostid: str | None = param(UUID, doc="only the faults of this simulated host")

    def run(self, ctx: CallContext) -> None:
        simulator.clear(ctx, host_id=self.hostid)


@api_command("simulatorPowerOffVm", roles=ROOT_ADMIN, since="cirrus")
@dataclass(frozen=True)
class SimulatorPowerOffVm(Command):
    """Powers a simulated VM off behind the cloud's back (a guest shutdown or a crash)"""

    instancename: str = param(STRING, required=True, doc="the VM instance name (i-N-M-VM)")

    def run(self, ctx: CallContext) -> None:
        simulator.power_off(ctx, self.instancename)
