"""Virtual machines (seed §1.7, §10.4) and their one state machine's states."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from appliance.models.base import Base, Created, Timestamp, UTCDateTime, UuidPk
from appliance.models.catalog import ServiceOffering, Template
from appliance.models.identity import Account, Domain
from appliance.models.infra import Host, Zone


class VmState(StrEnum):
    CREATED = "Created"
    STARTING = "Starting"
    RUNNING = "Running"
    STOPPING = "Stopping"
    STOPPED = "Stopped"
    MIGRATING = "Migrating"
    DESTROYED = "Destroyed"
    EXPUNGING = "Expunging"
    ERROR = "Error"


class VirtualMachine(Base):
    """A guest VM, or a system VM (router, proxy) when vm_type says so.

    `update_count` makes every state change a compare-and-set: a transition only applies
    when nobody changed the row since it was read, whichever server does it.
    """

    __tablename__ = "vm_instance"

    id: Mapped[UuidPk]
    number: Mapped[int] = mapped_column(Integer, unique=True)
    instance_name: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str | None] = mapped_column(String(255))
    group_name: Mapped[str | None] = mapped_column(String(255))
    vm_type: Mapped[str] = mapped_column(String(32), default="User")
    account_id: Mapped[str] = mapped_column(ForeignKey("account.id"), index=True)
    domain_id: Mapped[str] = mapped_column(ForeignKey("domain.id"), index=True)
    zone_id: Mapped[str] = mapped_column(ForeignKey("zone.id"), index=True)
    pod_id: Mapped[str | None] = mapped_column(ForeignKey("pod.id"))
    host_id: Mapped[str | None] = mapped_column(ForeignKey("host.id"), index=True)
    last_host_id: Mapped[str | None] = mapped_column(ForeignKey("host.id"))
    template_id: Mapped[str | None] = mapped_column(ForeignKey("template.id"), index=True)
    iso_id: Mapped[str | None] = mapped_column(ForeignKey("template.id"))
    service_offering_id: Mapped[str] = mapped_column(ForeignKey("service_offering.id"),
                                                     index=True)
    guest_os_id: Mapped[str | None] = mapped_column(ForeignKey("os_type.id"))
    hypervisor: Mapped[str | None] = mapped_column(String(32))
    state: Mapped[VmState] = mapped_column(String(16), default=VmState.CREATED, index=True)
    update_count: Mapped[int] = mapped_column(Integer, default=0)
    # Why the last transition to Stopped/Error happened (a failed start, a host down...).
    state_reason: Mapped[str | None] = mapped_column(Text)
    ha_enabled: Mapped[bool] = mapped_column(default=False)
    user_data: Mapped[str | None] = mapped_column(Text)
    password: Mapped[str | None] = mapped_column(String(255))
    # What the VM holds on its host while Starting/Running, released exactly on stop.
    reserved_cpu_mhz: Mapped[int] = mapped_column(BigInteger, default=0)
    reserved_memory: Mapped[int] = mapped_column(BigInteger, default=0)
    details: Mapped[str | None] = mapped_column(Text)  # JSON of extra key/values
    created: Mapped[Created]
    state_changed: Mapped[datetime | None] = mapped_column(UTCDateTime())
    destroyed: Mapped[Timestamp]
    removed: Mapped[Timestamp]

    account: Mapped[Account] = relationship()
    domain: Mapped[Domain] = relationship()
    zone: Mapped[Zone] = relationship()
    host: Mapped[Host | None] = relationship(foreign_keys=[host_id])
    template: Mapped[Template | None] = relationship(foreign_keys=[template_id])
    iso: Mapped[Template | None] = relationship(foreign_keys=[iso_id])
    service_offering: Mapped[ServiceOffering] = relationship()


class VmStats(Base):
    """The last sample of a running VM's counters, refreshed by the stats sync task."""

    __tablename__ = "vm_stats"

    vm_id: Mapped[str] = mapped_column(ForeignKey("vm_instance.id", ondelete="CASCADE"),
                                       primary_key=True)
    cpu_used_pct: Mapped[float] = mapped_column(Float, default=0.0)
    memory_kib: Mapped[int] = mapped_column(BigInteger, default=0)
    network_read_kbs: Mapped[float] = mapped_column(Float, default=0.0)
    network_write_kbs: Mapped[float] = mapped_column(Float, default=0.0)
    disk_read_kbs: Mapped[float] = mapped_column(Float, default=0.0)
    disk_write_kbs: Mapped[float] = mapped_column(Float, default=0.0)
    updated: Mapped[datetime] = mapped_column(UTCDateTime())
