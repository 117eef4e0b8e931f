"""The domain tree: create, rename, delete (with cleanup) and list (seed §10.1)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from appliance.errors import ParamError, PermissionDenied, ResourceInUse
from appliance.models import Account, Domain
from appliance.services import limits, tenancy
from appliance.services.context import CallContext
from appliance.services.paging import Page, keyword_filter, paginate


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or "/" in name:
        raise ParamError(f"Invalid domain name {name!r}: it must be non-empty and contain no '/'")
    return name


def _managed_below(ctx: CallContext, domain: Domain, action: str) -> None:
    """Domain admins manage strictly below their own domain."""
    tenancy.check_domain(ctx, domain, manage=True)
    if not ctx.caller.is_root_admin and domain.id == ctx.caller.domain.id:
        raise PermissionDenied(f"A domain admin cannot {action} its own domain")


def _sibling_exists(ctx: CallContext, parent_id: str | None, name: str) -> bool:
    return ctx.session.scalar(
        select(Domain.id).where(Domain.parent_id == parent_id, Domain.name == name)
    ) is not None


def create(
    ctx: CallContext, *, name: str, parent_id: str | None, network_domain: str | None
) -> Domain:
    name = _check_name(name)
    parent = tenancy.get_domain(ctx, parent_id, manage=True) if parent_id else ctx.caller.domain
    tenancy.check_domain(ctx, parent, manage=True)
    if _sibling_exists(ctx, parent.id, name):
        raise ParamError(
            f"Domain with name {name} already exists for the parent {parent.display_path}"
        )
    domain = Domain(
        name=name, parent_id=parent.id, path=f"{parent.path}{name}/", level=parent.level + 1,
        network_domain=network_domain,
    )
    ctx.session.add(domain)
    ctx.session.flush()
    limits.create_counters(ctx.session, limits.DOMAIN, domain.id)
    return domain


def update(
    ctx: CallContext, domain_id: str, *, name: str | None, network_domain: str | None
) -> Domain:
    domain = tenancy.get_domain(ctx, domain_id, manage=True)
    _managed_below(ctx, domain, "update")
    if name is not None and name != domain.name:
        if domain.parent_id is None:
            raise ParamError("The ROOT domain cannot be renamed")
        name = _check_name(name)
        if _sibling_exists(ctx, domain.parent_id, name):
            raise ParamError(f"Domain with name {name} already exists under the same parent")
        old_path = domain.path
        new_path = old_path[: -len(domain.name) - 1] + name + "/"
        for node in ctx.session.scalars(select(Domain).where(Domain.path.startswith(old_path))):
            node.path = new_path + node.path[len(old_path):]
        domain.name = name
    if network_domain is not None:
        domain.network_domain = network_domain or None
    return domain


def check_deletable(ctx: CallContext, domain_id: str, *, cleanup: bool) -> Domain:
    """Everything deleteDomain verifies before its job is queued."""
    domain = tenancy.get_domain(ctx, domain_id, manage=True)
    if domain.parent_id is None:
        raise ParamError("The ROOT domain cannot be deleted")
    _managed_below(ctx, domain, "delete")
    if not cleanup:
        children = ctx.session.scalar(select(Domain.id).where(Domain.parent_id == domain.id))
        accounts = ctx.session.scalar(select(Account.id).where(Account.domain_id == domain.id,
                                                               Account.removed.is_(None)))
        if children or accounts:
            raise ResourceInUse(
                f"Domain {domain.display_path} still has "
                f"{'child domains' if children else 'accounts'}; delete them first or pass "
                "cleanup=true"
            )
    return domain


def delete(ctx: CallContext, domain_id: str, *, cleanup: bool) -> None:
    """Delete a domain; with cleanup, first every account (as deleteAccount does) and
    subdomain below it. The records of deleted accounts go with their domain; one whose
    former resources are still on record keeps the domain (536)."""
    from appliance.orchestration import accounts as account_work
    from appliance.services import accounts

    domain = check_deletable(ctx, domain_id, cleanup=cleanup)
    subtree = list(ctx.session.scalars(
        select(Domain).where(Domain.path.startswith(domain.path)).order_by(Domain.level.desc())
    ))
    for node in subtree:
        for account in _accounts_of(ctx, node, removed=False):
            account_work.delete(ctx, account)
            ctx.checkpoint()
        for account in _accounts_of(ctx, node, removed=True):
            if not accounts.purge(ctx, account):
                raise ResourceInUse(
                    f"Domain {node.display_path} cannot be removed: the records of deleted "
                    f"account {account.name}'s resources (expunged VMs, deleted volumes, "
                    "networks, snapshots, ...) still name it")
        ctx.log.info("removing domain %s", node.display_path)
        limits.forget_domain(ctx.session, node)
        ctx.session.delete(node)
        try:
            ctx.session.flush()
        except IntegrityError:
            # An account or subdomain was added under it after the checks above.
            raise ResourceInUse(
                f"Domain {node.display_path} gained accounts or subdomains while being "
                "deleted; try again"
            ) from None


def _accounts_of(ctx: CallContext, domain: Domain, *, removed: bool) -> list[Account]:
    flag = Account.removed.is_not(None) if removed else Account.removed.is_(None)
    return list(ctx.session.scalars(select(Account).where(Account.domain_id == domain.id, flag)
                                    .order_by(Account.created, Account.id)))


def list_domains(
    ctx: CallContext, *, domain_id: str | None, name: str | None, level: int | None,
    keyword: str | None, page: int | None, pagesize: int | None,
) -> Page[Domain]:
    caller = ctx.caller
    stmt = select(Domain).order_by(Domain.path)
    if caller.is_root_admin:
        pass
    elif caller.is_domain_admin:
        stmt = stmt.where(Domain.path.startswith(caller.domain.path))
    else:
        stmt = stmt.where(Domain.id == caller.domain.id)
    if domain_id is not None:
        tenancy.get_domain(ctx, domain_id)
        stmt = stmt.where(Domain.id == domain_id)
    if name is not None:
        stmt = stmt.where(Domain.name == name)
    if level is not None:
        stmt = stmt.where(Domain.level == level)
    stmt = keyword_filter(stmt, keyword, Domain.name)
    return paginate(ctx.session, stmt, page, pagesize)


def list_children(
    ctx: CallContext, *, domain_id: str | None, name: str | None, isrecursive: bool,
    keyword: str | None, page: int | None, pagesize: int | None,
) -> Page[Domain]:
    parent = tenancy.get_domain(ctx, domain_id) if domain_id else ctx.caller.domain
    if not ctx.caller.is_admin:
        raise PermissionDenied("Only administrators can list child domains")
    stmt = select(Domain).order_by(Domain.path)
    if isrecursive:
        stmt = stmt.where(Domain.path.startswith(parent.path), Domain.id != parent.id)
    else:
        stmt = stmt.where(Domain.parent_id == parent.id)
    if name is not None:
        stmt = stmt.where(Domain.name == name)
    stmt = keyword_filter(stmt, keyword, Domain.name)
    return paginate(ctx.session, stmt, page, pagesize)


def has_children(ctx: CallContext, domain: Domain) -> bool:
    return ctx.session.scalar(select(Domain.id).where(Domain.parent_id == domain.id)) is not None
