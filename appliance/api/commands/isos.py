"""ISOs (seed §7.6): registered by URL and downloaded like templates, not hypervisor-bound."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from appliance.api.commands.templates import (
    FILTER_DOC,
    _Copy,
    _Delete,
    _Extract,
    _ListPermissions,
    _page,
    _Update,
    _UpdatePermissions,
)
from appliance.api.params import BOOLEAN, MAP, STRING, UUID, param
from appliance.api.registry import ALL_ROLES, Command, OwnedListCommand, api_command
from appliance.api.responses.catalog import EXTRACTED_ISO, ISO, TEMPLATE_PERMISSION
from appliance.models import TemplateZone
from appliance.services.context import CallContext
from appliance.services.paging import Page
from appliance.services.templates import registry, visibility


@api_command("registerIso", response=ISO, kind="list", roles=ALL_ROLES, event="ISO.CREATE",
             related=("listIsos",))
@dataclass(frozen=True)
class RegisterIso(Command):
    """Registers an existing ISO into the cloud: it is downloaded from the URL"""

    name: str = param(STRING, required=True, doc="the name of the ISO")
    displaytext: str = param(STRING, required=True, length=4096,
                             doc="the display text of the ISO")
    url: str = param(STRING, required=True, length=2048,
                     doc="the http(s) URL of where the ISO is hosted")
    zoneid: str = param(STRING, required=True,
                        doc="the ID of the zone to register the ISO in; -1 for all zones")
    bootable: bool | None = param(BOOLEAN, doc="true if a VM can boot from this ISO "
                                  "(default true)")
    ostypeid: str | None = param(UUID, doc="the ID of the OS type of the ISO")
    ispublic: bool | None = param(BOOLEAN, doc="true if the ISO is available to all accounts")
    isfeatured: bool | None = param(BOOLEAN, doc="true if the ISO is featured "
                                    "(administrators only)")
    isextractable: bool | None = param(BOOLEAN, doc="true if the ISO may be extracted")
    checksum: str | None = param(STRING, doc="the checksum of the file: MD5 hex, or "
                                 "{md5|sha1|sha256|sha512}hex")
    account: str | None = param(STRING, doc="an optional account name; must be used with "
                                "domainid (admins)")
    domainid: str | None = param(UUID, doc="an optional domain id (admins)")

    def run(self, ctx: CallContext) -> Page[TemplateZone]:
        return _page(registry.register(
            ctx, is_iso=True, name=self.name, display_text=self.displaytext, url=self.url,
            zone_id=self.zoneid, os_type_id=self.ostypeid, is_public=bool(self.ispublic),
            is_featured=bool(self.isfeatured), is_extractable=bool(self.isextractable),
            bootable=self.bootable is not False, checksum=self.checksum,
            account=self.account, domain_id=self.domainid))


@api_command("updateIso", response=ISO, roles=ALL_ROLES)
@dataclass(frozen=True)
class UpdateIso(_Update):
    """Updates an ISO file"""

    is_iso = True


@api_command("updateIsoPermissions", roles=ALL_ROLES)
@dataclass(frozen=True)
class UpdateIsoPermissions(_UpdatePermissions):
    """Updates ISO permissions: public, featured, shared accounts"""

    is_iso = True


@api_command("listIsoPermissions", response=TEMPLATE_PERMISSION, kind="object",
             roles=ALL_ROLES)
@dataclass(frozen=True)
class ListIsoPermissions(_ListPermissions):
    """List ISO visibility and all accounts that have permissions to view it"""

    is_iso = True


@api_command("deleteIso", is_async=True, roles=ALL_ROLES, event="ISO.DELETE",
             instance_type="Iso", idempotent=True)
@dataclass(frozen=True)
class DeleteIso(_Delete):
    """Deletes an ISO file"""

    is_iso = True


@api_command("copyIso", response=ISO, is_async=True, roles=ALL_ROLES, event="ISO.COPY",
             instance_type="Iso", idempotent=True)
@dataclass(frozen=True)
class CopyIso(_Copy):
    """Copies an ISO from one zone to another"""

    is_iso = True


@api_command("extractIso", response=EXTRACTED_ISO, is_async=True, roles=ALL_ROLES,
             event="ISO.EXTRACT", instance_type="Iso", idempotent=True)
@dataclass(frozen=True)
class ExtractIso(_Extract):
    """Extracts an ISO: answers a URL the file can be downloaded from until it expires"""

    is_iso = True


@api_command("listIsos", response=ISO, roles=ALL_ROLES)
@dataclass(frozen=True)
class ListIsos(OwnedListCommand):
    """Lists all available ISO files, one entry per zone"""

    isofilter: str = param(STRING, default="selfexecutable",
                           doc=FILTER_DOC + "; default selfexecutable")
    id: str | None = param(UUID, doc="list ISO by id")
    name: str | None = param(STRING, doc="list all ISOs by name")
    zoneid: str | None = param(UUID, doc="the ID of the zone")
    bootable: bool | None = param(BOOLEAN, doc="true if the ISO is bootable")
    ispublic: bool | None = param(BOOLEAN, doc="true if the ISO is publicly available")
    isready: bool | None = param(BOOLEAN, doc="true if this ISO is ready to be deployed")
    hypervisor: str | None = param(STRING, doc="accepted for compatibility")
    tags: Any = param(MAP, doc="List resources by tags (key/value pairs)")

    def run(self, ctx: CallContext) -> Page[TemplateZone]:
        return visibility.list_copies(
            ctx, is_iso=True, filter_name=self.isofilter, template_id=self.id,
            name=self.name, zone_id=self.zoneid, bootable=self.bootable,
            is_public=self.ispublic, is_ready=self.isready, tags=self.tags,
            owner=self.owner_filter(), keyword=self.keyword, page=self.page,
            pagesize=self.pagesize)
