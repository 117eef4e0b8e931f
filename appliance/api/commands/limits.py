"""listResourceLimits, updateResourceLimit (seed §10.8)."""

from __future__ import annotations

from dataclasses import dataclass

from appliance.api.params import INTEGER, LONG, STRING, UUID, param
from appliance.api.registry import ADMINS, ALL_ROLES, Command, ListCommand, api_command
from appliance.api.responses.identity import RESOURCE_LIMIT
from appliance.services import limits
from appliance.services.context import CallContext
from appliance.services.limits import LimitView
from appliance.services.paging import Page

_TYPES = "0 instance, 1 public IP, 2 volume, 3 snapshot, 4 template"


@api_command("listResourceLimits", response=RESOURCE_LIMIT, roles=ALL_ROLES,
             related=("updateResourceLimit",))
@dataclass(frozen=True)
class ListResourceLimits(ListCommand):
    """Lists the effective resource limits of an account or a domain"""

    resourcetype: int | None = param(INTEGER, doc=f"Type of resource: {_TYPES}")
    resourcetypename: str | None = param(
        STRING, doc="Type of resource by name: user_vm, public_ip, volume, snapshot, template")
    account: str | None = param(STRING, doc="list limits of this account (with domainid)")
    domainid: str | None = param(UUID, doc="list limits of this domain, or of the account in it")

    def run(self, ctx: CallContext) -> Page[LimitView]:
        rtype = self.resourcetype if self.resourcetype is not None else self.resourcetypename
        views = limits.list_limits(ctx, resource_type=rtype, account=self.account,
                                   domainid=self.domainid)
        return Page(views, len(views))


@api_command("updateResourceLimit", response=RESOURCE_LIMIT, roles=ADMINS,
             event="RESOURCE.LIMIT.UPDATE", related=("listResourceLimits",))
@dataclass(frozen=True)
class UpdateResourceLimit(Command):
    """Sets the limit of a resource type for an account, a domain, or (on ROOT) every
    account that has no limit of its own"""

    resourcetype: int = param(INTEGER, required=True, doc=f"Type of resource: {_TYPES}")
    max: int | None = param(LONG, doc="Maximum number of the resource; -1 (default) for no "
                            "limit")
    account: str | None = param(STRING, doc="Update the limit of this account (with domainid)")
    domainid: str | None = param(UUID, doc="Update the limit of this domain, or of the "
                                 "account in it")

    def run(self, ctx: CallContext) -> LimitView:
        return limits.update_limit(ctx, resource_type=self.resourcetype, max=self.max,
                                   account=self.account, domainid=self.domainid)

    def describe(self) -> str:
        owner = self.account or self.domainid or "caller's domain"
        return f"updating limit of resource type {self.resourcetype} for {owner} to {self.max}"
