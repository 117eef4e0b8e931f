"""Tenancy, enforced here only: who may see or touch which domain, account and owned row.

Root admins see everything; a domain admin sees its domain subtree; a user sees its own
account. Every list and every get-by-id of an owned object goes through this module.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute

from appliance.errors import ParamError, PermissionDenied
from appliance.models import Account, AccountType, Domain, Template, TemplatePermission, Zone
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
    """An owned row by id, if the caller may see it (431 unknown, 531 another tenant's).
    A removed account is unknown."""
    obj = ctx.session.get(model, obj_id)
    if obj is None or (isinstance(obj, Account) and obj.removed is not None):
        raise ParamError(f"Unable to find {what} with id {obj_id}")
    account_id = obj.id if isinstance(obj, Account) else obj.account_id  # type: ignore[attr-defined]
    check_owner(ctx, account_id, obj.domain_id, what=f"{what} {obj_id}")  # type: ignore[attr-defined]
    return obj


def find_account(ctx: CallContext, name: str, domain_id: str | None) -> Account:
    """Resolve the (account name, domain id) pair clients use to name an owner."""
    domain = get_domain(ctx, domain_id) if domain_id else ctx.caller.domain
    account = ctx.session.scalar(
        select(Account).where(Account.name == name, Account.domain_id == domain.id,
                              Account.removed.is_(None))
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


def catalog_visible(ctx: CallContext, domain_col: Any) -> Any:
    """Where-clause of catalog items (offerings) the caller sees: public ones (no domain),
    those of its domain or an ancestor, and for a domain admin those of its subtree."""
    caller = ctx.caller
    if caller.is_root_admin:
        return true()
    ancestors = [d.id for d in _domain_chain(ctx, caller.domain)]
    clause = or_(domain_col.is_(None), domain_col.in_(ancestors))
    if caller.is_domain_admin:
        clause = or_(clause, domain_col.in_(subtree_ids(caller.domain.path)))
    return clause


def _domain_chain(ctx: CallContext, domain: Domain) -> list[Domain]:
    chain = [domain]
    while chain[-1].parent_id is not None:
        parent = ctx.session.get(Domain, chain[-1].parent_id)
        if parent is None:
            break
        chain.append(parent)
    return chain


def templates_usable(ctx: CallContext) -> Any:
    """Where-clause of templates and ISOs the caller may use (seed §7.8.5–7.8.6): public
    ones, its own, those shared with its account, and for a domain admin its subtree's."""
    caller = ctx.caller
    if caller.is_root_admin:
        return true()
    shared = select(TemplatePermission.template_id).where(
        TemplatePermission.account_id == caller.account.id)
    clause = or_(Template.is_public.is_(True), Template.account_id == caller.account.id,
                 Template.id.in_(shared))
    if caller.is_domain_admin:
        clause = or_(clause, Template.domain_id.in_(subtree_ids(caller.domain.path)))
    return clause


def check_template_use(ctx: CallContext, template: Template) -> None:
    """Raise 531 unless the caller may use (deploy from, attach, copy, list) `template`."""
    caller = ctx.caller
    if caller.is_root_admin or template.is_public or template.account_id == caller.account.id:
        return
    if caller.is_domain_admin:
        domain = ctx.session.get(Domain, template.domain_id)
        if domain is not None and caller.domain.contains(domain):
            return
    if ctx.session.scalar(select(TemplatePermission.id).where(
            TemplatePermission.template_id == template.id,
            TemplatePermission.account_id == caller.account.id)) is not None:
        return
    kind = "ISO" if template.is_iso else "template"
    raise PermissionDenied(
        f"Account {caller.account.name} does not have permission to use {kind} "
        f"{template.id}")


def check_owner_template_use(ctx: CallContext, template: Template, owner: Account) -> None:
    """Raise 531 unless `owner` (whose resource an administrator is acting on) may use
    `template` itself: public, its own, or shared with its account."""
    if owner.type == AccountType.ADMIN or template.is_public \
            or template.account_id == owner.id:
        return
    if ctx.session.scalar(select(TemplatePermission.id).where(
            TemplatePermission.template_id == template.id,
            TemplatePermission.account_id == owner.id)) is not None:
        return
    kind = "ISO" if template.is_iso else "template"
    raise PermissionDenied(f"Account {owner.name} does not have permission to use {kind} "
                           f"{template.id}")


def check_template_manage(ctx: CallContext, template: Template) -> None:
    """Raise 531 unless the caller owns `template` or administers its owner's domain."""
    kind = "ISO" if template.is_iso else "template"
    check_owner(ctx, template.account_id, template.domain_id, what=f"{kind} {template.id}")


def requested_owner(ctx: CallContext, account: str | None, domain_id: str | None) -> Account:
    """The owner an API call acts for: `account` in `domain_id` (which the caller must be
    allowed to manage), else the caller's own account."""
    if account is None:
        if domain_id is not None:
            raise ParamError("domainid must be used together with account")
        return ctx.caller.account
    return find_account(ctx, account, domain_id)
