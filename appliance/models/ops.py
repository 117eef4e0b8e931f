"""Operational state: async jobs, management processes, events, configuration, limits."""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from appliance.models.base import Base, Created, Timestamp, UTCDateTime, UuidPk


class JobStatus(IntEnum):
    PENDING = 0
    SUCCEEDED = 1
    FAILED = 2


class AsyncJob(Base):
    """One async API call: written when accepted, claimed atomically by one worker."""

    __tablename__ = "async_job"
    __table_args__ = (Index("ix_async_job_status_claimed", "status", "claimed_by"),)

    id: Mapped[UuidPk]
    user_id: Mapped[str] = mapped_column(String(36))
    account_id: Mapped[str] = mapped_column(String(36), index=True)
    domain_id: Mapped[str] = mapped_column(String(36))
    cmd: Mapped[str] = mapped_column(String(64))
    params: Mapped[str] = mapped_column(Text)
    status: Mapped[int] = mapped_column(Integer, default=JobStatus.PENDING)
    proc_status: Mapped[int] = mapped_column(Integer, default=0)
    result_code: Mapped[int] = mapped_column(Integer, default=0)
    result_type: Mapped[str] = mapped_column(String(32), default="object")
    result: Mapped[str | None] = mapped_column(Text)
    instance_type: Mapped[str | None] = mapped_column(String(64))
    instance_id: Mapped[str | None] = mapped_column(String(36))
    event_id: Mapped[str | None] = mapped_column(String(36))
    claimed_by: Mapped[str | None] = mapped_column(String(36))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[Created]
    started: Mapped[Timestamp]
    completed: Mapped[Timestamp]


class ManagementProcess(Base):
    """A running `cirrus` process that executes jobs; its heartbeat proves it is alive."""

    __tablename__ = "management_process"

    id: Mapped[UuidPk]
    hostname: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    started: Mapped[Created]
    heartbeat: Mapped[datetime] = mapped_column(UTCDateTime())


class Event(Base):
    """An entry of the event log (seed §15.1); names are copied so it outlives its owner."""

    __tablename__ = "event"

    id: Mapped[UuidPk]
    type: Mapped[str] = mapped_column(String(64), index=True)
    level: Mapped[str] = mapped_column(String(8), index=True)
    state: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text)
    user_id: Mapped[str | None] = mapped_column(String(36))
    username: Mapped[str | None] = mapped_column(String(255))
    account_id: Mapped[str | None] = mapped_column(String(36), index=True)
    account_name: Mapped[str | None] = mapped_column(String(255))
    domain_id: Mapped[str | None] = mapped_column(String(36), index=True)
    domain_name: Mapped[str | None] = mapped_column(String(255))
    domain_path: Mapped[str | None] = mapped_column(String(1024))
    parent_id: Mapped[str | None] = mapped_column(String(36))
    job_id: Mapped[str | None] = mapped_column(String(36))
    created: Mapped[Created]


class Configuration(Base):
    """An operator-set value of a global parameter; defaults live in services/configuration."""

    __tablename__ = "configuration"

    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[str | None] = mapped_column(Text)
    updated: Mapped[Created]


class ResourceLimit(Base):
    """An explicit limit for an account or a domain; absent means inherited."""

    __tablename__ = "resource_limit"
    __table_args__ = (UniqueConstraint("owner_kind", "owner_id", "resource_type"),)

    id: Mapped[UuidPk]
    owner_kind: Mapped[str] = mapped_column(String(8))
    owner_id: Mapped[str] = mapped_column(String(36))
    resource_type: Mapped[int] = mapped_column(Integer)
    max: Mapped[int] = mapped_column(Integer)


class ResourceCount(Base):
    """How much of a resource an account (or a domain subtree) holds; locked to reserve."""

    __tablename__ = "resource_count"
    __table_args__ = (UniqueConstraint("owner_kind", "owner_id", "resource_type"),)

    id: Mapped[UuidPk]
    owner_kind: Mapped[str] = mapped_column(String(8))
    owner_id: Mapped[str] = mapped_column(String(36), index=True)
    resource_type: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(Integer, default=0)


class IdSequence(Base):
    """Counters for the small integers CloudStack shows in names (i-<acct>-<vm>-VM)."""

    __tablename__ = "id_sequence"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    next_value: Mapped[int] = mapped_column(Integer, default=1)


class ScheduledTask(Base):
    """When a periodic task (host pings, expunge, ...) is due next, cluster-wide: the
    process whose conditional UPDATE moves `next_run` forward runs that round."""

    __tablename__ = "scheduled_task"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    next_run: Mapped[datetime] = mapped_column(UTCDateTime())
    # The interval next_run was set with: a shorter one configured since reschedules it.
    interval_ms: Mapped[int] = mapped_column(Integer, default=0)
    owner: Mapped[str | None] = mapped_column(String(36))
    last_started: Mapped[Timestamp]
    last_finished: Mapped[Timestamp]
    last_error: Mapped[str | None] = mapped_column(Text)
