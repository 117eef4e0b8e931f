"""Users: logins of an account, with passwords and API keys (seed §10.1, §10.2)."""

from __future__ import annotations

from sqlalchemy import select

from appliance.errors import ParamError, PermissionDenied
from appliance.models import Account, Domain, LoginSession, User
from appliance.models.identity import AccountType, UserState
from appliance.services import passwords, tenancy
from appliance.services.context import CallContext
from appliance.services.paging import Page, keyword_filter, paginate
from appliance.services.timezones import validate_timezone


def _check_username_free(ctx: CallContext, domain_id: str, username: str) -> None:
    if ctx.session.scalar(select(User.id).where(User.domain_id == domain_id,
                                                User.username == username)):
        raise ParamError(f"The user {username} already exists in this domain")


def _check_manage(ctx: CallContext, user: User, *, allow_self: bool = False) -> None:
    """Admins manage users of accounts below them; with allow_self a user manages itself."""
    caller = ctx.caller
    if allow_self and user.id == caller.user.id:
        return
    if not caller.is_admin:
        raise PermissionDenied("Only administrators can manage other users")
    tenancy.check_owner(ctx, user.account_id, user.domain_id, what=f"user {user.id}")
    if not caller.is_root_admin and user.account.type == AccountType.ADMIN:
        raise PermissionDenied("A domain admin cannot manage users of a root admin account")


def add(ctx: CallContext, account: Account, *, username: str, password: str, firstname: str,
        lastname: str, email: str | None, timezone: str | None) -> User:
    """Add a user to `account` (the caller's right to do so is checked by the caller)."""
    username = username.strip()
    if not username:
        raise ParamError("username must not be empty")
    if not password:
        raise ParamError("password must not be empty")
    _check_username_free(ctx, account.domain_id, username)
    user = User(
        account=account, domain_id=account.domain_id, username=username,
        password_hash=passwords.hash_password(password), firstname=firstname,
        lastname=lastname, email=email,
        timezone=validate_timezone(timezone) if timezone else None,
    )
    ctx.session.add(user)
    ctx.session.flush()
    return user


def create(ctx: CallContext, *, account_name: str, domain_id: str | None, **fields: str | None
           ) -> User:
    account = tenancy.find_account(ctx, account_name, domain_id)
    if not ctx.caller.is_admin:
        raise PermissionDenied("Only administrators can create users")
    tenancy.check_domain(ctx, account.domain, manage=True)
    if not ctx.caller.is_root_admin and account.type == AccountType.ADMIN:
        raise PermissionDenied("A domain admin cannot add users to a root admin account")
    return add(ctx, account, **fields)  # type: ignore[arg-type]


def get(ctx: CallContext, user_id: str) -> User:
    return tenancy.get_owned(ctx, User, user_id, what="user")


def update(ctx: CallContext, user_id: str, *, username: str | None, password: str | None,
           firstname: str | None, lastname: str | None, email: str | None,
           timezone: str | None, api_key: str | None, secret_key: str | None) -> User:
    user = get(ctx, user_id)
    _check_manage(ctx, user, allow_self=True)
    if username is not None and username != user.username:
        _check_username_free(ctx, user.domain_id, username)
        user.username = username
    if password is not None:
        if not password:
            raise ParamError("password must not be empty")
        user.password_hash = passwords.hash_password(password)
    if timezone is not None:
        user.timezone = validate_timezone(timezone)
    for attr, value in (("firstname", firstname), ("lastname", lastname), ("email", email)):
        if value is not None:
            setattr(user, attr, value)
    if (api_key is None) != (secret_key is None):
        raise ParamError("userapikey and usersecretkey must be given together")
    if api_key is not None and secret_key is not None:
        clash = ctx.session.scalar(select(User.id).where(User.api_key == api_key,
                                                         User.id != user.id))
        if clash:
            raise ParamError("The api key is already in use by another user")
        user.api_key, user.secret_key = api_key, secret_key
    return user


def delete(ctx: CallContext, user_id: str) -> None:
    user = get(ctx, user_id)
    _check_manage(ctx, user)
    if user.is_default:
        raise PermissionDenied(f"The default user {user.username} cannot be deleted")
    if user.id == ctx.caller.user.id:
        raise PermissionDenied("A user cannot delete itself")
    end_sessions(ctx, [user.id])
    ctx.session.delete(user)


def set_state(ctx: CallContext, user_id: str, state: UserState) -> User:
    user = get(ctx, user_id)
    _check_manage(ctx, user)
    if state != UserState.ENABLED:
        if user.is_default:
            raise PermissionDenied(f"The default user {user.username} cannot be {state}")
        if user.id == ctx.caller.user.id:
            raise PermissionDenied(f"A user cannot set itself {state}")
        end_sessions(ctx, [user.id])
    user.state = state
    return user


def end_sessions(ctx: CallContext, user_ids: list[str]) -> None:
    if not user_ids:
        return
    for login in ctx.session.scalars(select(LoginSession).where(
            LoginSession.user_id.in_(user_ids))):
        ctx.session.delete(login)


def register_keys(ctx: CallContext, user_id: str) -> User:
    """Generate a fresh API key/secret pair (the old pair stops working at once)."""
    user = get(ctx, user_id)
    _check_manage(ctx, user, allow_self=True)
    user.api_key, user.secret_key = passwords.new_api_key(), passwords.new_api_key()
    return user


def get_keys(ctx: CallContext, user_id: str) -> User:
    user = get(ctx, user_id)
    _check_manage(ctx, user, allow_self=True)
    return user


def find_by_api_key(ctx: CallContext, api_key: str) -> User:
    if not ctx.caller.is_admin:
        raise PermissionDenied("Only administrators can look users up by API key")
    user = ctx.session.scalar(select(User).where(User.api_key == api_key))
    if user is None:
        raise ParamError("Unable to find user by the given API key")
    tenancy.check_owner(ctx, user.account_id, user.domain_id, what="this user")
    return user


def list_users(
    ctx: CallContext, *, user_id: str | None, username: str | None, account_type: int | None,
    state: str | None, owner: dict[str, object], keyword: str | None, page: int | None,
    pagesize: int | None,
) -> Page[User]:
    stmt = (select(User).join(Account).join(Domain, Domain.id == User.domain_id)
            .order_by(Domain.path, User.username))
    stmt = tenancy.scope(stmt, ctx, account_col=User.account_id, domain_col=User.domain_id,
                         admin_sees_all=True, **owner)  # type: ignore[arg-type]
    if user_id is not None:
        get(ctx, user_id)
        stmt = stmt.where(User.id == user_id)
    if username is not None:
        stmt = stmt.where(User.username == username)
    if account_type is not None:
        stmt = stmt.where(Account.type == account_type)
    if state is not None:
        stmt = stmt.where(User.state == state.lower())
    stmt = keyword_filter(stmt, keyword, User.username, User.firstname, User.lastname,
                          User.email)
    return paginate(ctx.session, stmt, page, pagesize)
