"""Login sessions and API-key authentication."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from appliance.errors import Unauthorized
from appliance.models import Domain, LoginSession, User
from appliance.models.base import utcnow
from appliance.models.identity import AccountState, UserState
from appliance.services import configuration, passwords

# The idle clock is restarted at most this often, to keep most calls free of writes.
TOUCH_AFTER_SECONDS = 30


def _usable(user: User) -> bool:
    return (user.state == UserState.ENABLED and user.account.state == AccountState.ENABLED
            and user.account.removed is None)


def authenticate(session: Session, username: str, password: str, *, domain_path: str | None,
                 domain_id: str | None) -> User:
    """The user for these credentials, or 401 (the same text whatever was wrong)."""
    stmt = select(User).join(Domain, Domain.id == User.domain_id).where(User.username == username)
    if domain_id:
        stmt = stmt.where(Domain.id == domain_id)
    else:
        path = (domain_path or "/").strip()
        path = path if path.endswith("/") else path + "/"
        path = path if path.startswith("/") else "/" + path
        if path.upper().startswith("/ROOT/"):
            path = path[5:]
        stmt = stmt.where(Domain.path == path)
    user = session.scalar(stmt)
    if user is None or not passwords.check_password(user.password_hash, password) \
            or not _usable(user):
        raise Unauthorized("Failed to authenticate user " + username +
                           "; please provide valid credentials")
    return user


def open_session(session: Session, user: User) -> LoginSession:
    login = LoginSession(user_id=user.id, session_key=secrets.token_urlsafe(24),
                         last_access=utcnow())
    session.add(login)
    session.flush()
    return login


def timeout_seconds(session: Session) -> int:
    return int(configuration.get(session, "session.timeout"))


def resume(session: Session, session_id: str | None, session_key: str | None
           ) -> tuple[User, bool]:
    """The user of a live session and whether its idle clock needs a `touch`.

    The sessionkey must match; sessions idle longer than session.timeout have ended.
    Nothing is written here, so a read-only call stays a read-only transaction.
    """
    if not session_key:
        raise Unauthorized("unable to verify user credentials: no sessionkey")
    login = session.scalar(select(LoginSession).where(LoginSession.session_key == session_key))
    if login is None or (session_id and session_id != login.id):
        raise Unauthorized("unable to verify user credentials: unknown or ended session")
    now = utcnow()
    if now - login.last_access > timedelta(seconds=timeout_seconds(session)):
        raise Unauthorized("session expired, please log in again")
    user = session.get(User, login.user_id)
    if user is None or not _usable(user):
        raise Unauthorized("unable to verify user credentials: user disabled or removed")
    return user, (now - login.last_access).total_seconds() > TOUCH_AFTER_SECONDS


def touch(session: Session, session_key: str) -> None:
    """Restart a session's idle clock."""
    login = session.scalar(select(LoginSession).where(LoginSession.session_key == session_key))
    if login is not None:
        login.last_access = utcnow()


def close(session: Session, session_key: str | None) -> User | None:
    if not session_key:
        return None
    login = session.scalar(select(LoginSession).where(LoginSession.session_key == session_key))
    if login is None:
        return None
    user = session.get(User, login.user_id)
    session.delete(login)
    return user


def user_for_api_key(session: Session, api_key: str) -> User:
    user = session.scalar(select(User).where(User.api_key == api_key))
    if user is None or user.secret_key is None or not _usable(user):
        raise Unauthorized("unable to verify user credentials and/or request signature")
    return user
