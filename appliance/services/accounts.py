"""Accounts: the unit of isolation and ownership (seed §10.1)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from appliance.errors import ParamError, PermissionDenied
from appliance.models import Account, AccountType, Domain
from appliance.models.base import utcnow
from appliance.models.identity import AccountState
from appliance.services import limits, sequences, tenancy, users
from appliance.services.context import CallContext
from appliance.services.paging import Page, keyword_filter, paginate


def resolve(ctx: CallContext, account_id: str | None, name: str | None,
            domain_id: str | None) -> Account:
    """An account named by id, or by name (+ domain id), that the caller may see."""
    if account_id is not None:
        return tenancy.get_owned(ctx, Account, account_id, what="account")
    if name is not None:
        return tenancy.find_account(ctx, name, domain_id)
    raise ParamError("Either id or account (with domainid) must be specified")


def _check_manage(ctx: CallContext, account: Account) -> None:
    """Only admins manage accounts; domain admins below themselves, never root admins."""
    caller = ctx.caller
    if not caller.is_admin:
        raise PermissionDenied("Only administrators can manage accounts")
    tenancy.check_domain(ctx, account.domain, manage=True)
    if not caller.is_root_admin and account.type == AccountType.ADMIN:
        raise PermissionDenied("A domain admin cannot manage a root admin account")


def create(
    ctx: CallContext, *, account_type: int, username: str, password: str, firstname: str,
    lastname: str, email: str | None, name: str | None, domain_id: str | None,
    network_domain: str | None, timezone: str | None,
) -> Account:
    """Create an account with its first user."""
    try:
        kind = AccountType(account_type)
    except ValueError:
        raise ParamError(
            f"Invalid accounttype {account_type}: 0 user, 1 root admin, 2 domain admin"
        ) from None
    domain = tenancy.get_domain(ctx, domain_id, manage=True) if domain_id else ctx.caller.domain
    tenancy.check_domain(ctx, domain, manage=True)
    if kind == AccountType.ADMIN:
        if not ctx.caller.is_root_admin:
            raise PermissionDenied("Only a root admin can create root admin accounts")
        if domain.parent_id is not None:
            raise ParamError("Root admin accounts can only be created in the ROOT domain")
    name = (name or username).strip()
    if not name:
        raise ParamError("Account name must not be empty")
    if ctx.session.scalar(select(Account.id).where(Account.domain_id == domain.id,
                                                   Account.name == name,
                                                   Account.removed.is_(None))):
        raise ParamError(f"The specified account: {name} already exists in domain "
                         f"{domain.display_path}")
    account = Account(name=name, type=kind, domain=domain, network_domain=network_domain,
                      number=sequences.next_value(ctx.session, "account"))
    ctx.session.add(account)
    ctx.session.flush()
    limits.create_counters(ctx.session, limits.ACCOUNT, account.id)
    users.add(ctx, account, username=username, password=password, firstname=firstname,
              lastname=lastname, email=email, timezone=timezone)
    return account


def update(ctx: CallContext, account: Account, *, new_name: str | None,
           network_domain: str | None) -> Account:
    _check_manage(ctx, account)
    if new_name is not None and new_name != account.name:
        new_name = new_name.strip()
        if not new_name:
            raise ParamError("newname must not be empty")
        if ctx.session.scalar(select(Account.id).where(Account.domain_id == account.domain_id,
                                                       Account.name == new_name,
                                                       Account.removed.is_(None))):
            raise ParamError(f"The specified account: {new_name} already exists")
        account.name = new_name
    if network_domain is not None:
        account.network_domain = network_domain or None
    return account


def check_deletable(ctx: CallContext, account: Account) -> None:
    _check_manage(ctx, account)
    if account.is_default:
        raise PermissionDenied(f"The default account {account.name} cannot be deleted")
    if account.id == ctx.caller.account.id:
        raise PermissionDenied("An account cannot delete itself")


def start_removal(ctx: CallContext, account: Account) -> None:
    """deleteAccount's first step: the account is disabled, its users' sessions end and
    their API calls are refused, so nothing new starts while its resources go."""
    users.end_sessions(ctx, [u.id for u in account.users])
    account.state = AccountState.DISABLED
    ctx.session.flush()


def mark_removed(ctx: CallContext, account: Account) -> None:
    """The last step of deleteAccount, once its resources are gone: its users (with their
    sessions and API keys) and limits go, the account row stays, marked removed, for the
    rows that still name it; its name is free again."""
    ctx.log.info("removing account %s in %s", account.name, account.domain.display_path)
    users.end_sessions(ctx, [u.id for u in account.users])
    for user in list(account.users):
        ctx.session.delete(user)
    limits.forget_account(ctx.session, account)
    account.removed, account.active_key = utcnow(), account.id
    ctx.session.flush()


def purge(ctx: CallContext, account: Account) -> bool:
    """Delete a removed account's row for good (its domain is being deleted); False, and
    nothing changed, while rows of its former resources still name it."""
    try:
        with ctx.session.begin_nested():
            ctx.session.delete(account)
            ctx.session.flush()
    except IntegrityError:
        return False
    return True


def check_state_change(ctx: CallContext, account: Account, state: AccountState) -> None:
    _check_manage(ctx, account)
    if state != AccountState.ENABLED:
        if account.is_default:
            raise PermissionDenied(f"The default account {account.name} cannot be {state}")
        if account.id == ctx.caller.account.id:
            raise PermissionDenied(f"An account cannot set itself {state}")


def set_state(ctx: CallContext, account: Account, state: AccountState) -> Account:
    """Enable, disable or lock; disabling or locking ends the users' login sessions."""
    check_state_change(ctx, account, state)
    if state != AccountState.ENABLED:
        users.end_sessions(ctx, [u.id for u in account.users])
    account.state = state
    return account


def list_accounts(
    ctx: CallContext, *, account_id: str | None, name: str | None, account_type: int | None,
    state: str | None, owner: dict[str, object], keyword: str | None, page: int | None,
    pagesize: int | None,
) -> Page[Account]:
    stmt = (select(Account).join(Domain).where(Account.removed.is_(None))
            .order_by(Domain.path, Account.name))
    stmt = tenancy.scope(stmt, ctx, account_col=Account.id, domain_col=Account.domain_id,
                         admin_sees_all=True, **owner)  # type: ignore[arg-type]
    if account_id is not None:
        tenancy.get_owned(ctx, Account, account_id, what="account")
        stmt = stmt.where(Account.id == account_id)
    if name is not None:
        stmt = stmt.where(Account.name == name)
    if account_type is not None:
        stmt = stmt.where(Account.type == account_type)
    if state is not None:
        stmt = stmt.where(Account.state == state.lower())
    stmt = keyword_filter(stmt, keyword, Account.name)
    return paginate(ctx.session, stmt, page, pagesize)
