"""Queries over the rules on public IPs (port forwarding, static NAT, firewall)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from appliance.models import FirewallRule, RulePurpose
from appliance.services import tenancy
from appliance.services.context import CallContext
from appliance.services.paging import Page, paginate


@dataclass(frozen=True)
class RuleFilter:
    purpose: RulePurpose
    id: str | None = None
    ip_address_id: str | None = None
    vm_id: str | None = None


def list_rules(ctx: CallContext, flt: RuleFilter, *, owner: dict[str, object],
               page: int | None, pagesize: int | None) -> Page[FirewallRule]:
    stmt = select(FirewallRule).where(FirewallRule.purpose == flt.purpose)
    stmt = tenancy.scope(stmt, ctx, account_col=FirewallRule.account_id,
                         domain_col=FirewallRule.domain_id, **owner)  # type: ignore[arg-type]
    for column, value in ((FirewallRule.id, flt.id),
                          (FirewallRule.ip_address_id, flt.ip_address_id),
                          (FirewallRule.vm_id, flt.vm_id)):
        if value is not None:
            stmt = stmt.where(column == value)
    return paginate(ctx.session, stmt.order_by(FirewallRule.created, FirewallRule.id), page,
                    pagesize)
