"""Templates (seed §7.8): register (downloaded by a job), update, permissions, delete, copy,
extract, list; plus the internal download job shared with ISOs (commands/isos.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from appliance.api.extract import public_base_url
from appliance.api.params import BOOLEAN, INTEGER, LIST, MAP, STRING, UUID, param
from appliance.api.registry import ALL_ROLES, Command, OwnedListCommand, api_command
from appliance.api.responses.catalog import EXTRACTED_TEMPLATE, TEMPLATE, TEMPLATE_PERMISSION
from appliance.errors import ParamError
from appliance.models import Template, TemplateZone
from appliance.services.context import CallContext
from appliance.services.paging import Page
from appliance.services.templates import jobs, registry, visibility

FILTER_DOC = ("featured (featured, ready), self (owned by the caller), selfexecutable (owned "
              "and ready), sharedexecutable (shared with the caller and ready), executable "
              "(usable by the caller and ready), community (public, not featured, ready), "
              "all (root admin only)")


def _page(copies: list[TemplateZone]) -> Page[TemplateZone]:
    return Page(copies, len(copies))


@api_command(registry.DOWNLOAD_COMMAND, is_async=True, internal=True, idempotent=True,
             event="TEMPLATE.DOWNLOAD.START", instance_type="Template")
@dataclass(frozen=True)
class DownloadTemplateToZone(Command):
    """Downloads a registered template or ISO into one zone's secondary storage (internal)"""

    id: str = param(UUID, required=True, doc="the ID of the template's zone copy")

    def run(self, ctx: CallContext) -> None:
        jobs.run_download(ctx, self.id)


@api_command("registerTemplate", response=TEMPLATE, kind="list", roles=ALL_ROLES,
             event="TEMPLATE.CREATE", related=("listTemplates",))
@dataclass(frozen=True)
class RegisterTemplate(Command):
    """Registers an existing template into the cloud: it is downloaded from the URL"""

    name: str = param(STRING, required=True, doc="the name of the template")
    displaytext: str = param(STRING, required=True, length=4096,
                             doc="the display text of the template")
    url: str = param(STRING, required=True, length=2048,
                     doc="the http(s) URL of where the template is hosted (.gz/.bz2 allowed)")
    zoneid: str = param(STRING, required=True,
                        doc="the ID of the zone the template is to be hosted on; -1 for all "
                            "zones")
    format: str = param(STRING, required=True,
                        doc="the format of the template: QCOW2, RAW, VHD, VMDK, OVA or TAR")
    hypervisor: str = param(STRING, required=True, doc="the target hypervisor for the template")
    ostypeid: str = param(UUID, required=True, doc="the ID of the OS type of the template")
    ispublic: bool | None = param(BOOLEAN, doc="true if the template is available to all "
                                  "accounts")
    isfeatured: bool | None = param(BOOLEAN, doc="true if the template is featured "
                                    "(administrators only)")
    isextractable: bool | None = param(BOOLEAN, doc="true if the template may be downloaded "
                                       "by extractTemplate")
    passwordenabled: bool | None = param(BOOLEAN, doc="true if the template supports the "
                                         "password reset feature")
    requireshvm: bool | None = param(BOOLEAN, doc="true if this template requires HVM")
    checksum: str | None = param(STRING, doc="the checksum of the file: MD5 hex, or "
                                 "{md5|sha1|sha256|sha512}hex")
    bits: int | None = param(INTEGER, doc="32 or 64 bits support (informational)")
    account: str | None = param(STRING, doc="an optional account name; must be used with "
                                "domainid (admins)")
    domainid: str | None = param(UUID, doc="an optional domain id (admins)")

    def run(self, ctx: CallContext) -> Page[TemplateZone]:
        return _page(registry.register(
            ctx, is_iso=False, name=self.name, display_text=self.displaytext, url=self.url,
            zone_id=self.zoneid, format=self.format, hypervisor=self.hypervisor,
            os_type_id=self.ostypeid, is_public=bool(self.ispublic),
            is_featured=bool(self.isfeatured), is_extractable=bool(self.isextractable),
            password_enabled=bool(self.passwordenabled),
            requires_hvm=self.requireshvm is not False, checksum=self.checksum,
            account=self.account, domain_id=self.domainid))


@dataclass(frozen=True)
class _Update(Command):
    id: str = param(UUID, required=True, doc="the ID of the image file")
    name: str | None = param(STRING, doc="the name of the image file")
    displaytext: str | None = param(STRING, length=4096, doc="the display text of the image")
    ostypeid: str | None = param(UUID, doc="the ID of the OS type")
    passwordenabled: bool | None = param(BOOLEAN, doc="true if the image supports the "
                                         "password reset feature")
    bootable: bool | None = param(BOOLEAN, doc="true if the image is bootable")
    format: str | None = param(STRING, doc="the format of the image")
    sortkey: int | None = param(INTEGER, doc="sort key (accepted, not used)")

    is_iso = False

    def run(self, ctx: CallContext) -> Template:
        return registry.update(ctx, self.id, is_iso=self.is_iso, name=self.name,
                               display_text=self.displaytext, os_type_id=self.ostypeid,
                               password_enabled=self.passwordenabled, bootable=self.bootable,
                               format=self.format)


@api_command("updateTemplate", response=TEMPLATE, roles=ALL_ROLES, event="TEMPLATE.UPDATE")
@dataclass(frozen=True)
class UpdateTemplate(_Update):
    """Updates attributes of a template"""


@dataclass(frozen=True)
class _UpdatePermissions(Command):
    id: str = param(UUID, required=True, doc="the template ID")
    ispublic: bool | None = param(BOOLEAN, doc="true for public, false for private")
    isfeatured: bool | None = param(BOOLEAN, doc="true for featured (administrators only)")
    isextractable: bool | None = param(BOOLEAN, doc="true if it may be extracted")
    accounts: list[str] | None = param(LIST, doc="a comma-separated list of accounts of the "
                                       "owner's domain; with op")
    op: str | None = param(STRING, doc="permission operator: add, remove or reset")
    projectids: list[str] | None = param(LIST, doc="projects (accepted, ignored)")

    is_iso = False

    def run(self, ctx: CallContext) -> None:
        registry.update_permissions(ctx, self.id, is_iso=self.is_iso, is_public=self.ispublic,
                                    is_featured=self.isfeatured,
                                    is_extractable=self.isextractable, accounts=self.accounts,
                                    op=self.op)


@api_command("updateTemplatePermissions", roles=ALL_ROLES, event="TEMPLATE.UPDATE")
@dataclass(frozen=True)
class UpdateTemplatePermissions(_UpdatePermissions):
    """Updates a template visibility permissions: public, featured, shared accounts"""


@dataclass(frozen=True)
class _ListPermissions(Command):
    id: str = param(UUID, required=True, doc="the template ID")
    account: str | None = param(STRING, doc="accepted for compatibility")
    domainid: str | None = param(UUID, doc="accepted for compatibility")

    is_iso = False

    def run(self, ctx: CallContext) -> Template:
        return registry.get_managed(ctx, self.id, is_iso=self.is_iso)


@api_command("listTemplatePermissions", response=TEMPLATE_PERMISSION, kind="object",
             roles=ALL_ROLES)
@dataclass(frozen=True)
class ListTemplatePermissions(_ListPermissions):
    """List template visibility and all accounts that have permissions to view it"""


@dataclass(frozen=True)
class _Delete(Command):
    id: str = param(UUID, required=True, doc="the ID of the image")
    zoneid: str | None = param(UUID, doc="the zone to delete the copy from; all zones without")

    is_iso = False

    def accept(self, ctx: CallContext) -> str | None:
        registry.check_deletable(ctx, self.id, self.zoneid, is_iso=self.is_iso)
        return self.id

    def run(self, ctx: CallContext) -> None:
        registry.delete(ctx, self.id, self.zoneid, is_iso=self.is_iso)


@api_command("deleteTemplate", is_async=True, roles=ALL_ROLES, event="TEMPLATE.DELETE",
             instance_type="Template", idempotent=True)
@dataclass(frozen=True)
class DeleteTemplate(_Delete):
    """Deletes a template from the system; VMs created from it keep running"""


@dataclass(frozen=True)
class _Copy(Command):
    id: str = param(UUID, required=True, doc="the ID of the image")
    sourcezoneid: str = param(UUID, required=True, doc="the zone it is currently in")
    destzoneid: str = param(UUID, required=True, doc="the zone to copy it to")

    is_iso = False

    def accept(self, ctx: CallContext) -> str | None:
        registry.prepare_copy(ctx, self.id, self.sourcezoneid, self.destzoneid,
                              is_iso=self.is_iso)
        return self.id

    def run(self, ctx: CallContext) -> TemplateZone:
        template = registry.get_managed(ctx, self.id, is_iso=self.is_iso)
        source = registry.copy_in_zone(ctx, template, self.sourcezoneid)
        dest = registry.copy_in_zone(ctx, template, self.destzoneid)
        return jobs.run_copy(ctx, source.id, dest.id)


@api_command("copyTemplate", response=TEMPLATE, is_async=True, roles=ALL_ROLES,
             event="TEMPLATE.COPY", instance_type="Template", idempotent=True)
@dataclass(frozen=True)
class CopyTemplate(_Copy):
    """Copies a template from one zone to another"""


@dataclass(frozen=True)
class _Extract(Command):
    id: str = param(UUID, required=True, doc="the ID of the image")
    mode: str = param(STRING, required=True, doc="the mode of extraction: HTTP_DOWNLOAD")
    zoneid: str | None = param(UUID, doc="the zone to extract from")
    url: str | None = param(STRING, length=2048, doc="FTP_UPLOAD target (not supported)")

    is_iso = False

    def accept(self, ctx: CallContext) -> str | None:
        if self.mode.upper() != "HTTP_DOWNLOAD":
            raise ParamError(f"Unsupported extraction mode {self.mode!r}: only HTTP_DOWNLOAD")
        registry.prepare_extract(ctx, self.id, self.zoneid, is_iso=self.is_iso,
                                 base_url=public_base_url())
        return self.id

    def run(self, ctx: CallContext) -> TemplateZone:
        return registry.extracted_copy(ctx, self.id, self.zoneid, is_iso=self.is_iso)


@api_command("extractTemplate", response=EXTRACTED_TEMPLATE, is_async=True, roles=ALL_ROLES,
             event="TEMPLATE.EXTRACT", instance_type="Template", idempotent=True)
@dataclass(frozen=True)
class ExtractTemplate(_Extract):
    """Extracts a template: answers a URL the file can be downloaded from until it expires"""


@api_command("listTemplates", response=TEMPLATE, roles=ALL_ROLES)
@dataclass(frozen=True)
class ListTemplates(OwnedListCommand):
    """List all public, private, and privileged templates, one entry per zone"""

    templatefilter: str = param(STRING, required=True, doc=FILTER_DOC)
    id: str | None = param(UUID, doc="the template ID")
    name: str | None = param(STRING, doc="the template name")
    zoneid: str | None = param(UUID, doc="list templates by zoneId")
    hypervisor: str | None = param(STRING, doc="the hypervisor for which to restrict the search")
    tags: Any = param(MAP, doc="List resources by tags (key/value pairs)")

    def run(self, ctx: CallContext) -> Page[TemplateZone]:
        return visibility.list_copies(
            ctx, is_iso=False, filter_name=self.templatefilter, template_id=self.id,
            name=self.name, zone_id=self.zoneid, hypervisor=self.hypervisor,
            tags=self.tags, owner=self.owner_filter(), keyword=self.keyword, page=self.page,
            pagesize=self.pagesize)
