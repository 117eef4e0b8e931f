"""listTemplates / listIsos: CloudStack's template filters, one row per template per zone.

| filter           | what it lists                                                 | ready only |
|------------------|---------------------------------------------------------------|------------|
| featured         | featured templates                                            | yes        |
| self             | the caller's own (or, for admins, the owner asked for)        | no         |
| selfexecutable   | the caller's own                                              | yes        |
| sharedexecutable | private templates of others shared with the caller's account  | yes        |
| executable       | everything the caller may deploy from                         | yes        |
| community        | public, not featured templates                                | yes        |
| all              | everything (root admin only)                                  | no         |
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from appliance.errors import ParamError
from appliance.models import DownloadStatus, Template, TemplatePermission, TemplateZone
from appliance.services import tags as tag_service
from appliance.services import tenancy
from appliance.services.context import CallContext
from appliance.services.paging import Page, keyword_filter, paginate
from appliance.services.templates import registry

FILTERS = ("featured", "self", "selfexecutable", "sharedexecutable", "executable",
           "community", "all")
_READY_ONLY = {"featured", "selfexecutable", "sharedexecutable", "executable", "community"}


def _apply_filter(stmt: Select[Any], ctx: CallContext, name: str,
                  owner: dict[str, Any]) -> Select[Any]:
    caller = ctx.caller
    if name == "featured":
        return stmt.where(Template.is_featured.is_(True))
    if name in ("self", "selfexecutable"):
        return tenancy.scope(stmt, ctx, account_col=Template.account_id,
                             domain_col=Template.domain_id, **owner)
    if name == "sharedexecutable":
        shared = select(TemplatePermission.template_id).where(
            TemplatePermission.account_id == caller.account.id)
        return stmt.where(Template.id.in_(shared), Template.account_id != caller.account.id)
    if name == "executable":
        return stmt.where(tenancy.templates_usable(ctx))
    if name == "community":
        return stmt.where(Template.is_public.is_(True), Template.is_featured.is_(False))
    # "all"
    if not caller.is_root_admin:
        raise ParamError("Filter all can be specified by a root admin only")
    return stmt


def list_copies(
    ctx: CallContext, *, is_iso: bool, filter_name: str, template_id: str | None = None,
    name: str | None = None, zone_id: str | None = None, hypervisor: str | None = None,
    bootable: bool | None = None, is_public: bool | None = None, is_ready: bool | None = None,
    tags: list[dict[str, str]] | None = None, owner: dict[str, Any] | None = None,
    keyword: str | None = None, page: int | None = None, pagesize: int | None = None,
) -> Page[TemplateZone]:
    filter_name = filter_name.lower()
    if filter_name not in FILTERS:
        raise ParamError(f"Invalid {'isofilter' if is_iso else 'templatefilter'} "
                         f"{filter_name!r}: expected one of {', '.join(FILTERS)}")
    stmt = (select(TemplateZone).join(Template, Template.id == TemplateZone.template_id)
            .where(TemplateZone.removed.is_(None), Template.removed.is_(None),
                   Template.is_iso.is_(is_iso))
            .order_by(Template.created, Template.id, TemplateZone.created))
    if template_id is not None:
        registry.get(ctx, template_id, is_iso=is_iso)  # 431 unknown, 531 not visible
        stmt = stmt.where(Template.id == template_id)
    stmt = _apply_filter(stmt, ctx, filter_name, owner or {})
    if filter_name in _READY_ONLY or is_ready:
        stmt = stmt.where(TemplateZone.status == DownloadStatus.DOWNLOADED)
    elif is_ready is False:
        stmt = stmt.where(TemplateZone.status != DownloadStatus.DOWNLOADED)
    if name is not None:
        stmt = stmt.where(Template.name == name)
    if zone_id is not None:
        stmt = stmt.where(TemplateZone.zone_id == zone_id)
    if hypervisor is not None:
        stmt = stmt.where(Template.hypervisor.ilike(hypervisor))
    if bootable is not None:
        stmt = stmt.where(Template.bootable.is_(bootable))
    if is_public is not None:
        stmt = stmt.where(Template.is_public.is_(is_public))
    if tags:
        stmt = tag_service.filter_by_tags(stmt, Template.id, "ISO" if is_iso else "Template",
                                          tags)
    stmt = keyword_filter(stmt, keyword, Template.name, Template.display_text)
    return paginate(ctx.session, stmt, page, pagesize)
