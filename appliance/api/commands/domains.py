"""createDomain, updateDomain, deleteDomain, listDomains, listDomainChildren."""

from __future__ import annotations

from dataclasses import dataclass

from appliance.api.params import BOOLEAN, INTEGER, STRING, UUID, param
from appliance.api.registry import ADMINS, ALL_ROLES, Command, ListCommand, api_command
from appliance.api.responses.identity import DOMAIN
from appliance.models import Domain
from appliance.services import domains
from appliance.services.context import CallContext
from appliance.services.paging import Page


@api_command("createDomain", response=DOMAIN, roles=ADMINS, event="DOMAIN.CREATE",
             related=("listDomains", "listDomainChildren"))
@dataclass(frozen=True)
class CreateDomain(Command):
    """Creates a domain"""

    name: str = param(STRING, required=True, doc="creates domain with this name")
    parentdomainid: str | None = param(
        UUID, doc="assigns new domain a parent domain by domain ID of the parent; "
        "defaults to the caller's domain")
    networkdomain: str | None = param(STRING, doc="Network domain for networks in the domain")

    def run(self, ctx: CallContext) -> Domain:
        return domains.create(ctx, name=self.name, parent_id=self.parentdomainid,
                              network_domain=self.networkdomain)


@api_command("updateDomain", response=DOMAIN, roles=ADMINS, event="DOMAIN.UPDATE",
             related=("listDomains",))
@dataclass(frozen=True)
class UpdateDomain(Command):
    """Updates a domain with a new name"""

    id: str = param(UUID, required=True, doc="ID of domain to update")
    name: str | None = param(STRING, doc="updates domain with this name")
    networkdomain: str | None = param(STRING, doc="Network domain for the domain's networks")

    def run(self, ctx: CallContext) -> Domain:
        return domains.update(ctx, self.id, name=self.name, network_domain=self.networkdomain)


@api_command("deleteDomain", is_async=True, roles=ADMINS, event="DOMAIN.DELETE",
             instance_type="Domain", idempotent=True)
@dataclass(frozen=True)
class DeleteDomain(Command):
    """Deletes a specified domain"""

    id: str = param(UUID, required=True, doc="ID of domain to delete")
    cleanup: bool | None = param(
        BOOLEAN, doc="true to delete all child domains and accounts of the domain; "
        "false (default) to refuse when it has any")

    def accept(self, ctx: CallContext) -> str | None:
        domains.check_deletable(ctx, self.id, cleanup=bool(self.cleanup))
        return self.id

    def run(self, ctx: CallContext) -> None:
        domains.delete(ctx, self.id, cleanup=bool(self.cleanup))


@api_command("listDomains", response=DOMAIN, roles=ALL_ROLES)
@dataclass(frozen=True)
class ListDomains(ListCommand):
    """Lists domains and provides detailed information for listed domains"""

    id: str | None = param(UUID, doc="List domain by domain ID.")
    name: str | None = param(STRING, doc="List domain by domain name.")
    level: int | None = param(INTEGER, doc="List domains by domain level.")
    listall: bool | None = param(BOOLEAN, doc="accepted for compatibility; admins always see "
                                 "their whole subtree")

    def run(self, ctx: CallContext) -> Page[Domain]:
        return domains.list_domains(ctx, domain_id=self.id, name=self.name, level=self.level,
                                    keyword=self.keyword, page=self.page,
                                    pagesize=self.pagesize)


@api_command("listDomainChildren", response=DOMAIN, roles=ADMINS)
@dataclass(frozen=True)
class ListDomainChildren(ListCommand):
    """Lists all children domains belonging to a specified domain"""

    id: str | None = param(UUID, doc="list children of the domain by ID; "
                           "defaults to the caller's domain")
    name: str | None = param(STRING, doc="list children domains by name")
    isrecursive: bool | None = param(BOOLEAN, doc="to return the entire tree below the domain")
    listall: bool | None = param(BOOLEAN, doc="accepted for compatibility")

    def run(self, ctx: CallContext) -> Page[Domain]:
        return domains.list_children(ctx, domain_id=self.id, name=self.name,
                                     isrecursive=bool(self.isrecursive), keyword=self.keyword,
                                     page=self.page, pagesize=self.pagesize)
