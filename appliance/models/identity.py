"""Domains, accounts, users and login sessions (seed §10.1)."""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum, StrEnum

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from appliance.models.base import Base, Created, Timestamp, UTCDateTime, UuidPk


class AccountType(IntEnum):
    """CloudStack's accounttype: 0 user, 1 root admin, 2 domain admin."""

    USER = 0
    ADMIN = 1
    DOMAIN_ADMIN = 2


LIVE = "1"  # Account.active_key of an account that is not removed


class AccountState(StrEnum):
    ENABLED = "enabled"
    DISABLED = "disabled"
    LOCKED = "locked"


class UserState(StrEnum):
    ENABLED = "enabled"
    DISABLED = "disabled"
    LOCKED = "locked"


class Domain(Base):
    """A node in the domain tree; `path` is '/' for ROOT and '/a/b/' below it."""

    __tablename__ = "domain"
    __table_args__ = (UniqueConstraint("parent_id", "name"),)

    id: Mapped[UuidPk]
    name: Mapped[str] = mapped_column(String(255))
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("domain.id"), index=True)
    # 700 characters keep the index within InnoDB's 3072-byte key limit in utf8mb4.
    path: Mapped[str] = mapped_column(String(700), index=True)
    level: Mapped[int] = mapped_column(Integer, default=0)
    network_domain: Mapped[str | None] = mapped_column(String(255))
    created: Mapped[Created]

    parent: Mapped[Domain | None] = relationship(remote_side="Domain.id")
    accounts: Mapped[list[Account]] = relationship(back_populates="domain")

    @property
    def display_path(self) -> str:
        """CloudStack's `path` field: 'ROOT' or 'ROOT/a/b'."""
        return "ROOT" + self.path.rstrip("/") if self.path != "/" else "ROOT"

    def contains(self, other: Domain) -> bool:
        """True when `other` is this domain or one of its descendants."""
        return other.path.startswith(self.path)


class Account(Base):
    """An owner of resources. deleteAccount cleans its resources up and then only marks
    it removed: rows of its expunged VMs, deleted volumes, networks and snapshots still
    name it."""

    __tablename__ = "account"
    __table_args__ = (UniqueConstraint("domain_id", "name", "active_key"),)

    id: Mapped[UuidPk]
    name: Mapped[str] = mapped_column(String(255))
    # Small integer shown in instance names (i-<number>-<vm number>-VM).
    number: Mapped[int | None] = mapped_column(Integer, unique=True)
    type: Mapped[AccountType] = mapped_column(Integer)
    domain_id: Mapped[str] = mapped_column(ForeignKey("domain.id"), index=True)
    state: Mapped[AccountState] = mapped_column(String(16), default=AccountState.ENABLED)
    network_domain: Mapped[str | None] = mapped_column(String(255))
    is_default: Mapped[bool] = mapped_column(default=False)
    # LIVE while the account exists, its id once removed: the unique key then holds only
    # live accounts on both backends, so a removed account's name can be used again.
    active_key: Mapped[str] = mapped_column(String(36), default=LIVE)
    created: Mapped[Created]
    removed: Mapped[Timestamp]

    domain: Mapped[Domain] = relationship(back_populates="accounts")
    users: Mapped[list[User]] = relationship(
        back_populates="account", cascade="all, delete-orphan", order_by="User.created"
    )

    @property
    def is_admin(self) -> bool:
        return self.type in (AccountType.ADMIN, AccountType.DOMAIN_ADMIN)


class User(Base):
    """A login of an account; users are aliases sharing the account's resources."""

    __tablename__ = "user"
    __table_args__ = (UniqueConstraint("domain_id", "username"),)

    id: Mapped[UuidPk]
    account_id: Mapped[str] = mapped_column(ForeignKey("account.id"), index=True)
    domain_id: Mapped[str] = mapped_column(ForeignKey("domain.id"))
    username: Mapped[str] = mapped_column(String(255))
    password_hash: Mapped[str] = mapped_column(String(255))
    firstname: Mapped[str] = mapped_column(String(255))
    lastname: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(255))
    timezone: Mapped[str | None] = mapped_column(String(64))
    api_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    secret_key: Mapped[str | None] = mapped_column(String(255))
    state: Mapped[UserState] = mapped_column(String(16), default=UserState.ENABLED)
    is_default: Mapped[bool] = mapped_column(default=False)
    created: Mapped[Created]

    account: Mapped[Account] = relationship(back_populates="users")


class LoginSession(Base):
    """A UI/CLI login: `id` travels as the JSESSIONID cookie, `session_key` as sessionkey."""

    __tablename__ = "login_session"

    id: Mapped[UuidPk]
    session_key: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created: Mapped[Created]
    last_access: Mapped[datetime] = mapped_column(UTCDateTime())
