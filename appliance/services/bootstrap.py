"""First start: the ROOT domain and the `admin` root-admin account, user and keys."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from appliance.models import Account, AccountType, Domain, User
from appliance.services import limits, passwords, sequences


@dataclass(frozen=True)
class AdminCredentials:
    username: str
    password: str | None  # None when the admin already existed (password unchanged)
    api_key: str
    secret_key: str
    created: bool


def ensure_root(session: Session, *, admin_password: str | None = None) -> AdminCredentials:
    """Create ROOT and admin when missing; idempotent, so `cirrus init` can run again."""
    root = session.scalar(select(Domain).where(Domain.parent_id.is_(None)))
    if root is None:
        root = Domain(name="ROOT", parent_id=None, path="/", level=0)
        session.add(root)
        session.flush()
        limits.create_counters(session, limits.DOMAIN, root.id)
    ensure_catalog(session)
    sequences.ensure_counters(session)
    admin = session.scalar(select(User).join(Account).where(
        Account.domain_id == root.id, Account.removed.is_(None), User.username == "admin"))
    if admin is not None:
        password = None
        if admin_password:
            admin.password_hash = passwords.hash_password(admin_password)
            password = admin_password
        if admin.api_key is None:
            admin.api_key, admin.secret_key = passwords.new_api_key(), passwords.new_api_key()
        assert admin.api_key is not None and admin.secret_key is not None
        return AdminCredentials("admin", password, admin.api_key, admin.secret_key, False)
    account = Account(name="admin", type=AccountType.ADMIN, domain=root, is_default=True,
                      number=sequences.next_value(session, "account"))
    session.add(account)
    session.flush()
    limits.create_counters(session, limits.ACCOUNT, account.id)
    password = admin_password or passwords.new_password()
    user = User(account=account, domain_id=root.id, username="admin",
                password_hash=passwords.hash_password(password), firstname="admin",
                lastname="cloud", is_default=True, api_key=passwords.new_api_key(),
                secret_key=passwords.new_api_key())
    session.add(user)
    session.flush()
    assert user.api_key is not None and user.secret_key is not None
    return AdminCredentials("admin", password, user.api_key, user.secret_key, True)


def ensure_catalog(session: Session) -> None:
    """The default network offerings and guest OS types; only missing rows are added."""
    from appliance.services import offerings, ostypes

    offerings.ensure_defaults(session)
    ostypes.ensure_defaults(session)


def default_admin(session: Session) -> User:
    """The bootstrap admin user (the integration port acts as this user)."""
    user = session.scalar(select(User).where(User.is_default.is_(True),
                                             User.username == "admin"))
    if user is None:
        raise LookupError("no admin user: run `cirrus init`")
    return user
