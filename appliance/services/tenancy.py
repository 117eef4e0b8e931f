"""Tenancy, enforced here only: who may see or touch which domain, account and owned row.

Root admins see everything; a domain admin sees its domain subtree; a user sees its own
account. Every list and every get-by-id of an owned object goes through this module.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import InstrumentedAttribute

from appliance.errors import ParamError, PermissionDenied
from appliance.models import Account, Domain, Zone
from appliance.services.context import CallContext

T = TypeVar("T")


def subtree_ids(path: str) -> Select[Any]:
    """Ids of the domain at `path` and all its descendants."""
    return select(Domain.id).where(Domain.path.startswith(path))


def check_domain(ctx: CallContext, domain: Domain, *, manage: bool = False) -> None:
    """Raise 531 unless the caller may see (or, with manage, administer) `domain`."""
    caller = ctx.caller
    if caller.is_root_admin:
        return
    if caller.is_domain_admin and caller.domain.contains(domain):
        return
    if not manage and not caller.is_admin and domain.id == caller.domain.id:
        return
    raise PermissionDenied(
        f"Account {caller.account.name} does not have permission to access domain "
        f"{domain.id}"
    )


def check_owner(ctx: CallContext, account_id: str, domain_id: str, *, what: str) -> None:
    """Raise 531 unless the caller may act on something owned by account_id/domain_id."""
    caller = ctx.caller
    if caller.is_root_admin or account_id == caller.account.id:
        return
    if caller.is_domain_admin:
        domain = ctx.session.get(Domain, domain_id)
        if domain is not None and caller.domain.contains(domain):
            return
    raise PermissionDenied(
        f"Account {caller.account.name} does not have permission to access {what}"
    )


def check_zone_use(ctx: CallContext, zone: Zone, owner: Account) -> None:
    """Raise 531 when `zone` is dedicated to a domain outside `owner`'s domain's ancestry."""
    if zone.domain_id is None or ctx.caller.is_root_admin:
        return
    dedicated = ctx.session.get(Domain, zone.domain_id)
    if dedicated is not None and dedicated.contains(owner.domain):
        return
    raise PermissionDenied(
        f"Zone {zone.name} is dedicated to another domain; account {owner.name} "
        "cannot use it")


def check_catalog_use(ctx: CallContext, domain_id: str | None, *, what: str) -> None:
    """Raise 531 unless a catalog item offered to `domain_id` (None: public) is usable by
    the caller: items of a domain serve that domain's subtree."""
    if domain_id is None or ctx.caller.is_root_admin:
        return
    domain = ctx.session.get(Domain, domain_id)
    if domain is not None and domain.contains(ctx.caller.domain):
        return
    raise PermissionDenied(
        f"Account {ctx.caller.account.name} does not have permission to use {what}")


def get_domain(ctx: CallContext, domain_id: str, *, manage: bool = False) -> Domain:
    """The domain with this id, if the caller may see it (431 unknown, 531 foreign)."""
    domain = ctx.session.get(Domain, domain_id)
    if domain is None:
        raise ParamError(f"Unable to find domain by id {domain_id}")
    check_domain(ctx, domain, manage=manage)
    return domain


def get_owned(ctx: CallContext, model: type[T], obj_id: str, *, what: str) -> T:
    """An owned row by id, if the caller may see it (431 unknown, 531 another tenant's)."""
    obj = ctx.session.get(model, obj_id)
    if obj is None:
        raise ParamError(f"Unable to find {what} with id {obj_id}")
    account_id = obj.id if isinstance(obj, Account) else obj.account_id  # type: ignore[attr-defined]
    check_owner(ctx, account_id, obj.domain_id, what=f"{what} {obj_id}")  # type: ignore[attr-defined]
    return obj


def find_account(ctx: CallContext, name: str, domain_id: str | None) -> Account:
    """Resolve the (account name, domain id) pair clients use to name an owner."""
    domain = get_domain(ctx, domain_id) if domain_id else ctx.caller.domain
    account = ctx.session.scalar(
        select(Account).where(Account.name == name, Account.domain_id == domain.id)
    )
    if account is None:
        raise ParamError(f"Unable to find account {name} in domain {domain.display_path}")
    check_owner(ctx, account.id, account.domain_id, what=f"account {name}")
    return account


def scope(
    stmt: Select[Any],
    ctx: CallContext,
    *,
    account_col: InstrumentedAttribute[str] | InstrumentedAttribute[str | None],
    domain_col: InstrumentedAttribute[str] | InstrumentedAttribute[str | None],
    account: str | None = None,
    domainid: str | None = None,
    isrecursive: bool = False,
    listall: bool = False,
    admin_sees_all: bool = False,
) -> Select[Any]:
    """Restrict a list query to what the caller may see and asked for (CloudStack's rules).

    `account`/`domainid` narrow to one owner or domain (531 when foreign); `isrecursive`
    widens a domain to its subtree; admins see their whole subtree only with `listall`
    unless the resource is one admins always list (`admin_sees_all`).
    """
    caller = ctx.caller
    if account is not None:
        owner = find_account(ctx, account, domainid)
        return stmt.where(account_col == owner.id)
    if domainid is not None:
        domain = get_domain(ctx, domainid)
        if not caller.is_admin:
            return stmt.where(account_col == caller.account.id)
        if isrecursive:
            return stmt.where(domain_col.in_(subtree_ids(domain.path)))
        return stmt.where(domain_col == domain.id)
    if not caller.is_admin:
        return stmt.where(account_col == caller.account.id)
    if listall or admin_sees_all:
        if caller.is_root_admin:
            return stmt
        return stmt.where(domain_col.in_(subtree_ids(caller.domain.path)))
    return stmt.where(account_col == caller.account.id)
