"""Resource limits (seed §10.8): per-account limits inherited from ROOT, domain aggregates.

Every service that creates a counted resource calls `reserve` in its write transaction and
`release` when the resource goes away. `reserve` locks the account's and every ancestor
domain's count rows (FOR UPDATE on MariaDB; a BEGIN IMMEDIATE transaction on SQLite), so
concurrent reservations from several processes can never overshoot a limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from appliance.errors import ParamError, PermissionDenied, ResourceLimitExceeded
from appliance.models import Account, AccountType, Domain, ResourceCount, ResourceLimit
from appliance.services import tenancy
from appliance.services.context import CallContext

UNLIMITED = -1
ACCOUNT, DOMAIN = "account", "domain"


class ResourceType(IntEnum):
    USER_VM = 0
    PUBLIC_IP = 1
    VOLUME = 2
    SNAPSHOT = 3
    TEMPLATE = 4

    @property
    def wire_name(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class LimitView:
    """One row of listResourceLimits: the effective limit of an account or a domain."""

    resource_type: ResourceType
    max: int
    account: Account | None
    domain: Domain


def parse_type(value: int | str) -> ResourceType:
    try:
        if isinstance(value, str) and not value.lstrip("-").isdigit():
            return ResourceType[value.upper()]
        return ResourceType(int(value))
    except (KeyError, ValueError):
        names = ", ".join(f"{t.value} ({t.wire_name})" for t in ResourceType)
        raise ParamError(f"Invalid resource type {value!r}: supported types are {names}") from None


def _explicit(session: Session, kind: str, owner_id: str, rtype: ResourceType) -> int | None:
    return session.scalar(
        select(ResourceLimit.max).where(
            ResourceLimit.owner_kind == kind,
            ResourceLimit.owner_id == owner_id,
            ResourceLimit.resource_type == int(rtype),
        )
    )


def _root(session: Session) -> Domain:
    root = session.scalar(select(Domain).where(Domain.parent_id.is_(None)))
    assert root is not None, "ROOT domain missing: run `cirrus init`"
    return root


def account_limit(session: Session, account: Account, rtype: ResourceType) -> int:
    """The account's own limit, else the ROOT domain's (inherited by every account)."""
    if account.type == AccountType.ADMIN:
        return UNLIMITED
    own = _explicit(session, ACCOUNT, account.id, rtype)
    if own is not None:
        return own
    inherited = _explicit(session, DOMAIN, _root(session).id, rtype)
    return UNLIMITED if inherited is None else inherited


def domain_limit(session: Session, domain: Domain, rtype: ResourceType) -> int:
    """A domain's aggregate limit over its subtree (ROOT's values are account defaults)."""
    value = _explicit(session, DOMAIN, domain.id, rtype)
    return UNLIMITED if value is None else value


def ancestors(session: Session, domain: Domain) -> list[Domain]:
    """The domain and its ancestors, ROOT first (the order locks are taken in)."""
    chain = [domain]
    while chain[-1].parent_id is not None:
        parent = session.get(Domain, chain[-1].parent_id)
        assert parent is not None
        chain.append(parent)
    return chain[::-1]


def _count_row(session: Session, kind: str, owner_id: str, rtype: ResourceType) -> ResourceCount:
    stmt = (
        select(ResourceCount)
        .where(
            ResourceCount.owner_kind == kind,
            ResourceCount.owner_id == owner_id,
            ResourceCount.resource_type == int(rtype),
        )
        .with_for_update()
    )
    row = session.scalar(stmt)
    if row is None:
        try:
            with session.begin_nested():
                session.add(ResourceCount(owner_kind=kind, owner_id=owner_id,
                                          resource_type=int(rtype), count=0))
        except IntegrityError:
            pass  # created concurrently: lock the winner's row
        row = session.scalar(stmt)
        assert row is not None
    return row


def create_counters(session: Session, kind: str, owner_id: str) -> None:
    """Create an owner's count rows up front so reservations only ever lock rows."""
    for rtype in ResourceType:
        session.add(ResourceCount(owner_kind=kind, owner_id=owner_id,
                                  resource_type=int(rtype), count=0))


def count(session: Session, kind: str, owner_id: str, rtype: ResourceType) -> int:
    value = session.scalar(
        select(ResourceCount.count).where(
            ResourceCount.owner_kind == kind,
            ResourceCount.owner_id == owner_id,
            ResourceCount.resource_type == int(rtype),
        )
    )
    return value or 0


def reserve(session: Session, account: Account, rtype: ResourceType, amount: int = 1) -> None:
    """Count `amount` more of `rtype` against the account and every ancestor domain.

    Raises 532 naming the exceeded limit; the caller's transaction must be a write one.
    """
    domains = ancestors(session, account.domain)
    domain_rows = [(d, _count_row(session, DOMAIN, d.id, rtype)) for d in domains]
    account_row = _count_row(session, ACCOUNT, account.id, rtype)
    limit = account_limit(session, account, rtype)
    if limit != UNLIMITED and account_row.count + amount > limit:
        raise ResourceLimitExceeded(
            f"Maximum number of resources of type '{rtype.wire_name}' for account "
            f"name={account.name} in domain id={account.domain_id} has been exceeded "
            f"(limit {limit}, in use {account_row.count})"
        )
    if account.type != AccountType.ADMIN:
        for domain, row in domain_rows:
            if domain.parent_id is None:
                continue  # ROOT's limits are per-account defaults, not an aggregate cap
            cap = domain_limit(session, domain, rtype)
            if cap != UNLIMITED and row.count + amount > cap:
                raise ResourceLimitExceeded(
                    f"Maximum number of resources of type '{rtype.wire_name}' for domain "
                    f"{domain.display_path} has been exceeded (limit {cap}, in use {row.count})"
                )
    account_row.count += amount
    for _, row in domain_rows:
        row.count += amount


def release(session: Session, account: Account, rtype: ResourceType, amount: int = 1) -> None:
    """Give back what `reserve` counted (never below zero)."""
    for domain in ancestors(session, account.domain):
        row = _count_row(session, DOMAIN, domain.id, rtype)
        row.count = max(0, row.count - amount)
    row = _count_row(session, ACCOUNT, account.id, rtype)
    row.count = max(0, row.count - amount)


def forget_account(session: Session, account: Account) -> None:
    """Remove an account's counters and limits, taking its usage out of its domains."""
    for rtype in ResourceType:
        used = count(session, ACCOUNT, account.id, rtype)
        if used:
            release(session, account, rtype, used)
    for model in (ResourceCount, ResourceLimit):
        for row in session.scalars(select(model).where(model.owner_kind == ACCOUNT,
                                                       model.owner_id == account.id)):
            session.delete(row)


def forget_domain(session: Session, domain: Domain) -> None:
    for model in (ResourceCount, ResourceLimit):
        for row in session.scalars(select(model).where(model.owner_kind == DOMAIN,
                                                       model.owner_id == domain.id)):
            session.delete(row)


def _target(ctx: CallContext, account: str | None, domainid: str | None) -> Account | Domain:
    if account is not None:
        return tenancy.find_account(ctx, account, domainid)
    if domainid is not None:
        return tenancy.get_domain(ctx, domainid)
    return ctx.caller.account if not ctx.caller.is_admin else ctx.caller.domain


def list_limits(
    ctx: CallContext, *, resource_type: int | str | None, account: str | None,
    domainid: str | None,
) -> list[LimitView]:
    """Effective limits of one account or domain (the caller's own account by default)."""
    types = [parse_type(resource_type)] if resource_type is not None else list(ResourceType)
    if account is None and domainid is None:
        target: Account | Domain = ctx.caller.account
    else:
        target = _target(ctx, account, domainid)
    session = ctx.session
    if isinstance(target, Account):
        return [LimitView(t, account_limit(session, target, t), target, target.domain)
                for t in types]
    return [LimitView(t, domain_limit(session, target, t), None, target) for t in types]


def update_limit(
    ctx: CallContext, *, resource_type: int, max: int | None, account: str | None,
    domainid: str | None,
) -> LimitView:
    """Set (or with -1 lift) the limit of an account or domain."""
    rtype = parse_type(resource_type)
    value = UNLIMITED if max is None else max
    if value < UNLIMITED:
        raise ParamError(f"Invalid max {value}: use -1 for unlimited or a number >= 0")
    target = _target(ctx, account, domainid)
    caller = ctx.caller
    session = ctx.session
    if isinstance(target, Account):
        if target.type == AccountType.ADMIN:
            raise ParamError(f"Resource limits of root admin account {target.name} cannot be set")
        if not caller.is_root_admin and target.id == caller.account.id:
            raise PermissionDenied("An account cannot change its own resource limits")
        kind, owner_id, domain = ACCOUNT, target.id, target.domain
    else:
        if not caller.is_root_admin and target.id == caller.domain.id:
            raise PermissionDenied(
                f"Domain admin cannot change the limits of its own domain {target.display_path}"
            )
        kind, owner_id, domain = DOMAIN, target.id, target
    # A limit may not exceed the nearest explicit limit of an enclosing domain.
    chain = ancestors(session, domain)
    enclosing = chain if kind == ACCOUNT else chain[:-1]
    for outer in reversed(enclosing):
        if outer.parent_id is None:
            break
        cap = domain_limit(session, outer, rtype)
        if cap != UNLIMITED:
            if value == UNLIMITED or value > cap:
                raise ParamError(
                    f"Limit {value} for {rtype.wire_name} exceeds the limit {cap} of "
                    f"enclosing domain {outer.display_path}"
                )
            break
    row = session.scalar(select(ResourceLimit).where(
        ResourceLimit.owner_kind == kind, ResourceLimit.owner_id == owner_id,
        ResourceLimit.resource_type == int(rtype)))
    if row is None:
        session.add(ResourceLimit(owner_kind=kind, owner_id=owner_id,
                                  resource_type=int(rtype), max=value))
    else:
        row.max = value
    session.flush()
    if isinstance(target, Account):
        return LimitView(rtype, account_limit(session, target, rtype), target, target.domain)
    return LimitView(rtype, value, None, target)
