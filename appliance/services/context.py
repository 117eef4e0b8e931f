"""Who is calling and within which transaction: the one object every service receives."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from appliance.db import Database
from appliance.logs import JobLog
from appliance.models import Account, AccountType, Domain, User


@dataclass
class Caller:
    """The authenticated user with its account and domain, loaded in the current session."""

    user: User
    account: Account
    domain: Domain

    @property
    def is_root_admin(self) -> bool:
        return self.account.type == AccountType.ADMIN

    @property
    def is_domain_admin(self) -> bool:
        return self.account.type == AccountType.DOMAIN_ADMIN

    @property
    def is_admin(self) -> bool:
        return self.account.is_admin


@dataclass
class CallContext:
    """One API call or one job step: the caller, the open transaction, and where to log."""

    session: Session
    caller: Caller
    job_id: str | None = None
    # The database, for work that needs transactions of its own (progress other callers
    # must see while this one runs, the simulator's external state).
    db: Database | None = None
    # Per-call memo for values many rendered rows share (ROOT's default limits, say).
    cache: dict[str, object] = field(default_factory=dict)
    log: logging.LoggerAdapter[logging.Logger] = field(
        default_factory=lambda: JobLog(logging.getLogger("cirrus"), None)
    )

    def checkpoint(self) -> None:
        """Commit what is done so far and release the transaction's locks.

        Jobs call this after recording a transitional state and before long host-side
        work, so no lock is held while a host is being configured.
        """
        self.session.commit()

    @classmethod
    def load(cls, session: Session, user_id: str, job_id: str | None = None,
             db: Database | None = None) -> CallContext:
        """Rebuild the context of `user_id` inside `session` (used by job workers)."""
        user = session.get(User, user_id)
        if user is None:
            raise LookupError(f"user {user_id} no longer exists")
        return cls.for_user(session, user, job_id, db)

    @classmethod
    def for_user(cls, session: Session, user: User, job_id: str | None = None,
                 db: Database | None = None) -> CallContext:
        account = user.account
        caller = Caller(user=user, account=account, domain=account.domain)
        return cls(session=session, caller=caller, job_id=job_id, db=db,
                   log=JobLog(logging.getLogger("cirrus"), job_id))

    @property
    def database(self) -> Database:
        """The database handle; every API call and job has one."""
        if self.db is None:
            raise RuntimeError("this call context has no database handle")
        return self.db
