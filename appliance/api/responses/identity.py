"""Wire shapes of domains, accounts, users and resource limits."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from appliance.api.responses import ResponseSpec, drop_none, wire_date
from appliance.models import Account, AccountType, Domain, ResourceCount, ResourceLimit, User
from appliance.services import domains, limits
from appliance.services.context import CallContext
from appliance.services.limits import LimitView, ResourceType

ROLE_TYPES = {AccountType.USER: "User", AccountType.ADMIN: "Admin",
              AccountType.DOMAIN_ADMIN: "DomainAdmin"}


def render_domain(domain: Domain, ctx: CallContext) -> dict[str, Any]:
    parent = domain.parent
    return drop_none({
        "id": domain.id,
        "name": domain.name,
        "level": domain.level,
        "parentdomainid": parent.id if parent else None,
        "parentdomainname": parent.name if parent else None,
        "haschild": domains.has_children(ctx, domain),
        "path": domain.display_path,
        "networkdomain": domain.network_domain,
        "state": "Active",
        "created": wire_date(domain.created),
    })


DOMAIN = ResponseSpec("domain", (
    ("id", "the ID of the domain"), ("name", "the name of the domain"),
    ("level", "the level of the domain"), ("parentdomainid", "the domain ID of the parent"),
    ("parentdomainname", "the domain name of the parent"),
    ("haschild", "whether the domain has one or more sub-domains"),
    ("path", "the path of the domain"), ("networkdomain", "the network domain"),
    ("state", "the state of the domain"), ("created", "the date when this domain was created"),
), render_domain)


def render_user(user: User, ctx: CallContext) -> dict[str, Any]:
    account = user.account
    return drop_none({
        "id": user.id,
        "username": user.username,
        "firstname": user.firstname,
        "lastname": user.lastname,
        "email": user.email,
        "created": wire_date(user.created),
        "state": str(user.state),
        "account": account.name,
        "accounttype": int(account.type),
        "roletype": ROLE_TYPES[account.type],
        "accountid": account.id,
        "domainid": account.domain_id,
        "domain": account.domain.name,
        "timezone": user.timezone,
        "apikey": user.api_key,
        "isdefault": user.is_default,
        "iscallerchilddomain": ctx.caller.domain.contains(account.domain)
        and account.domain_id != ctx.caller.domain.id,
    })


USER = ResponseSpec("user", (
    ("id", "the user ID"), ("username", "the user name"), ("firstname", "the user firstname"),
    ("lastname", "the user lastname"), ("email", "the user email address"),
    ("created", "the date and time the user account was created"),
    ("state", "the user state"), ("account", "the account name of the user"),
    ("accounttype", "the account type of the user"), ("roletype", "the type of the role"),
    ("accountid", "the account ID of the user"), ("domainid", "the domain ID of the user"),
    ("domain", "the domain name of the user"), ("timezone", "the timezone user was created in"),
    ("apikey", "the api key of the user"), ("isdefault", "true if user is default"),
    ("iscallerchilddomain", "whether the user is in a child domain of the caller"),
), render_user)

# Prefixes CloudStack uses for each type's limit/total/available fields on an account.
_ACCOUNT_FIELD = {ResourceType.USER_VM: "vm", ResourceType.PUBLIC_IP: "ip",
                  ResourceType.VOLUME: "volume", ResourceType.SNAPSHOT: "snapshot",
                  ResourceType.TEMPLATE: "template"}


def _limit_fields(account: Account, ctx: CallContext) -> dict[str, Any]:
    session = ctx.session
    if "root_limits" not in ctx.cache:
        root_id = session.scalar(select(Domain.id).where(Domain.parent_id.is_(None)))
        ctx.cache["root_limits"] = dict(session.execute(
            select(ResourceLimit.resource_type, ResourceLimit.max).where(
                ResourceLimit.owner_kind == limits.DOMAIN, ResourceLimit.owner_id == root_id)
        ).all())
    defaults: dict[int, int] = ctx.cache["root_limits"]  # type: ignore[assignment]
    own = dict(session.execute(select(ResourceLimit.resource_type, ResourceLimit.max).where(
        ResourceLimit.owner_kind == limits.ACCOUNT, ResourceLimit.owner_id == account.id)
    ).all())
    used = dict(session.execute(select(ResourceCount.resource_type, ResourceCount.count).where(
        ResourceCount.owner_kind == limits.ACCOUNT, ResourceCount.owner_id == account.id)
    ).all())
    out: dict[str, Any] = {}
    for rtype, prefix in _ACCOUNT_FIELD.items():
        if account.type == AccountType.ADMIN:
            limit = limits.UNLIMITED
        else:
            limit = own.get(int(rtype), defaults.get(int(rtype), limits.UNLIMITED))
        total = used.get(int(rtype), 0)
        unlimited = limit == limits.UNLIMITED
        out[f"{prefix}limit"] = "Unlimited" if unlimited else str(limit)
        out[f"{prefix}total"] = total
        out[f"{prefix}available"] = "Unlimited" if unlimited else str(max(0, limit - total))
    return out


def render_account(account: Account, ctx: CallContext) -> dict[str, Any]:
    return drop_none({
        "id": account.id,
        "name": account.name,
        "accounttype": int(account.type),
        "roletype": ROLE_TYPES[account.type],
        "domainid": account.domain_id,
        "domain": account.domain.name,
        "domainpath": account.domain.display_path,
        "state": str(account.state),
        "networkdomain": account.network_domain,
        "created": wire_date(account.created),
        "isdefault": account.is_default,
        **_limit_fields(account, ctx),
        "user": [render_user(user, ctx) for user in account.users],
    })


ACCOUNT = ResponseSpec("account", (
    ("id", "the id of the account"), ("name", "the name of the account"),
    ("accounttype", "account type (admin, domain-admin, user)"),
    ("roletype", "the type of the role (Admin, DomainAdmin, User)"),
    ("domainid", "id of the Domain the account belongs to"),
    ("domain", "name of the Domain the account belongs to"),
    ("domainpath", "path of the Domain the account belongs to"),
    ("state", "the state of the account"), ("networkdomain", "the network domain"),
    ("created", "the date when this account was created"),
    ("isdefault", "true if account is default, false otherwise"),
    *((f"{p}{suffix}", f"the {what} of {p} resources")
      for p in _ACCOUNT_FIELD.values()
      for suffix, what in (("limit", "limit"), ("total", "number in use"),
                           ("available", "number still available"))),
    ("user", "the list of users associated with account"),
), render_account)


def render_limit(view: LimitView, ctx: CallContext) -> dict[str, Any]:
    return drop_none({
        "account": view.account.name if view.account else None,
        "domainid": view.domain.id,
        "domain": view.domain.name,
        "domainpath": view.domain.display_path,
        "resourcetype": str(int(view.resource_type)),
        "resourcetypename": view.resource_type.wire_name,
        "max": view.max,
    })


RESOURCE_LIMIT = ResponseSpec("resourcelimit", (
    ("account", "the account of the resource limit"),
    ("domainid", "the domain ID of the resource limit"),
    ("domain", "the domain name of the resource limit"),
    ("domainpath", "path of the domain of the resource limit"),
    ("resourcetype", "resource type: 0 instance, 1 IP, 2 volume, 3 snapshot, 4 template"),
    ("resourcetypename", "resource type name"),
    ("max", "the maximum number of the resource; -1 means unlimited"),
), render_limit)
