"""The simulator hypervisor's own state: what its fake hosts run, and injected faults.

It is kept in the cloud's database so that every server process and job worker sees the
same simulated datacenter, the way a real hypervisor is one shared external system.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from appliance.models.base import Base, Created, Timestamp, UuidPk


class SimulatorVm(Base):
    """A domain defined on a simulated host, with its power state."""

    __tablename__ = "simulator_vm"

    id: Mapped[UuidPk]
    host_id: Mapped[str] = mapped_column(ForeignKey("host.id", ondelete="CASCADE"), index=True)
    instance_name: Mapped[str] = mapped_column(String(255), unique=True)
    power_state: Mapped[str] = mapped_column(String(16))
    cpus: Mapped[int] = mapped_column(Integer, default=1)
    memory_mib: Mapped[int] = mapped_column(Integer, default=0)
    started: Mapped[Timestamp]
    updated: Mapped[Created]


class SimulatorFault(Base):
    """An injected failure: an operation on a host or VM fails or hangs (tests, admins)."""

    __tablename__ = "simulator_fault"

    id: Mapped[UuidPk]
    host_id: Mapped[str | None] = mapped_column(String(36), index=True)
    instance_name: Mapped[str | None] = mapped_column(String(255))
    operation: Mapped[str] = mapped_column(String(32))  # start, stop, reboot, destroy, ping, *
    action: Mapped[str] = mapped_column(String(8))  # fail | hang
    hang_seconds: Mapped[int] = mapped_column(Integer, default=0)
    remaining: Mapped[int] = mapped_column(Integer, default=-1)  # -1: until removed
    message: Mapped[str | None] = mapped_column(Text)
    created: Mapped[Created]
