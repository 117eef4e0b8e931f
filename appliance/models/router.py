"""Virtual routers (seed §5, §11.8): the network element of an isolated or basic-zone guest
network, one per network, hosted on a host of its zone."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from appliance.models.base import Base, Created, Timestamp, UTCDateTime, UuidPk


class RouterState(StrEnum):
    STARTING = "Starting"
    RUNNING = "Running"
    STOPPING = "Stopping"
    STOPPED = "Stopped"
    ERROR = "Error"
    DESTROYED = "Destroyed"


class DomainRouter(Base):
    """A network's virtual router. `applied_version` is the network's rules_version whose
    whole configuration the router last applied: a change at or below it is already live."""

    __tablename__ = "domain_router"

    id: Mapped[UuidPk]
    number: Mapped[int] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)  # r-<number>-<suffix>
    network_id: Mapped[str] = mapped_column(ForeignKey("network.id"), index=True)
    zone_id: Mapped[str] = mapped_column(ForeignKey("zone.id"), index=True)
    account_id: Mapped[str | None] = mapped_column(ForeignKey("account.id"), index=True)
    domain_id: Mapped[str | None] = mapped_column(ForeignKey("domain.id"), index=True)
    provider: Mapped[str] = mapped_column(String(32), default="VirtualRouter")
    host_id: Mapped[str | None] = mapped_column(ForeignKey("host.id"), index=True)
    last_host_id: Mapped[str | None] = mapped_column(ForeignKey("host.id"))
    state: Mapped[RouterState] = mapped_column(String(16), default=RouterState.STOPPED,
                                               index=True)
    state_reason: Mapped[str | None] = mapped_column(Text)
    guest_ip: Mapped[str | None] = mapped_column(String(64))
    guest_mac: Mapped[str] = mapped_column(String(17), unique=True)
    public_ip: Mapped[str | None] = mapped_column(String(64))
    public_mac: Mapped[str] = mapped_column(String(17), unique=True)
    control_ip: Mapped[str] = mapped_column(String(64))
    applied_version: Mapped[int] = mapped_column(Integer, default=-1)
    # When the live configuration was rendered: it has every guest that was Starting by then.
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created: Mapped[Created]
    removed: Mapped[Timestamp]
