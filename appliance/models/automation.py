"""Host-side automation: the log of each ansible-runner execution, and the locks that keep
two runs against the same host or router from overlapping, whichever process runs them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from appliance.models.base import Base, Created, UTCDateTime


class JobLogLine(Base):
    """One line of an async job's automation log: a task's result on a host, or a marker
    (run started, play recap). Kept with the job; listed by listAsyncJobLog."""

    __tablename__ = "job_log"
    __table_args__ = (UniqueConstraint("job_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("async_job.id", ondelete="CASCADE"),
                                        index=True)
    # Order within the job across all its runs (a job may run several playbooks).
    seq: Mapped[int] = mapped_column(Integer)
    created: Mapped[Created]
    playbook: Mapped[str | None] = mapped_column(String(255))
    host: Mapped[str | None] = mapped_column(String(255))
    task: Mapped[str | None] = mapped_column(String(1024))
    # The ansible-runner event name (runner_on_ok, playbook_on_stats, ...).
    event: Mapped[str] = mapped_column(String(64))
    # ok, changed, failed, skipped, unreachable; None for markers.
    status: Mapped[str | None] = mapped_column(String(16))
    message: Mapped[str | None] = mapped_column(Text)
    diff: Mapped[str | None] = mapped_column(Text)


class AutomationLock(Base):
    """A named lock ("host:<id>", "router:<id>") held by one run; taken by INSERT, or by a
    conditional UPDATE once `expires` has passed (its holder died); renewed while held."""

    __tablename__ = "automation_lock"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    owner: Mapped[str] = mapped_column(String(255))
    acquired: Mapped[datetime] = mapped_column(UTCDateTime())
    expires: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
