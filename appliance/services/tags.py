"""Resource tags (createTags, deleteTags, listTags) and the helpers list commands use to
filter by a `tags` map and to render each row's `tags`.

A tag belongs to the resource's owner; only callers who may act on the resource (its
owner, an admin above it) may tag it or remove its tags.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, and_, select

from appliance.errors import ParamError
from appliance.models import ResourceTag, Template, VirtualMachine, Volume
from appliance.services import tenancy
from appliance.services.context import CallContext
from appliance.services.paging import Page, paginate

# Wire resource type -> (model, extra check on the row); names as CloudStack spells them.
RESOURCE_TYPES: dict[str, Any] = {
    "UserVm": VirtualMachine,
    "Template": Template,
    "ISO": Template,
    "Volume": Volume,
}


def resource_type(value: str) -> str:
    for name in RESOURCE_TYPES:
        if name.lower() == value.strip().lower():
            return name
    raise ParamError(f"Invalid resourcetype {value!r}: supported types are "
                     f"{', '.join(RESOURCE_TYPES)}")


def _pairs(tags: Iterable[dict[str, str]] | None, *,
           need_value: bool) -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []
    for entry in tags or ():
        key = (entry.get("key") or "").strip()
        value = entry.get("value")
        if not key:
            raise ParamError("Every tag needs a non-empty key (tags[i].key)")
        if need_value and value is None:
            raise ParamError(f"Tag {key} needs a value (tags[i].value)")
        out.append((key, value))
    return out


def _resource(ctx: CallContext, rtype: str, resource_id: str) -> Any:
    model = RESOURCE_TYPES[rtype]
    row: Any = ctx.session.get(model, resource_id)
    missing = row is None or getattr(row, "removed", None) is not None
    if not missing and model is Template and row.is_iso != (rtype == "ISO"):
        missing = True
    if missing:
        raise ParamError(f"Unable to find {rtype} by id {resource_id}")
    tenancy.check_owner(ctx, row.account_id, row.domain_id, what=f"{rtype} {resource_id}")
    return row


def check_create(ctx: CallContext, rtype: str, resource_ids: list[str],
                 tags: list[dict[str, str]] | None) -> list[tuple[str, str | None]]:
    rtype = resource_type(rtype)
    pairs = _pairs(tags, need_value=True)
    if not pairs:
        raise ParamError("At least one tag (tags[0].key, tags[0].value) is required")
    if not resource_ids:
        raise ParamError("Parameter resourceids must name at least one resource")
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ParamError("A key may appear only once per createTags call")
    for resource_id in resource_ids:
        _resource(ctx, rtype, resource_id)
        clash = ctx.session.scalar(select(ResourceTag.key).where(
            ResourceTag.resource_type == rtype, ResourceTag.resource_id == resource_id,
            ResourceTag.key.in_(keys)))
        if clash is not None:
            raise ParamError(f"A tag with key {clash} already exists on {rtype} {resource_id}")
    return pairs


def create(ctx: CallContext, rtype: str, resource_ids: list[str],
           tags: list[dict[str, str]] | None, customer: str | None = None) -> None:
    pairs = check_create(ctx, rtype, resource_ids, tags)
    rtype = resource_type(rtype)
    for resource_id in resource_ids:
        row = _resource(ctx, rtype, resource_id)
        for key, value in pairs:
            ctx.session.add(ResourceTag(key=key, value=value or "", resource_type=rtype,
                                        resource_id=resource_id, account_id=row.account_id,
                                        domain_id=row.domain_id, customer=customer))
    ctx.session.flush()


def check_delete(ctx: CallContext, rtype: str, resource_ids: list[str]) -> str:
    rtype = resource_type(rtype)
    if not resource_ids:
        raise ParamError("Parameter resourceids must name at least one resource")
    for resource_id in resource_ids:
        _resource(ctx, rtype, resource_id)
    return rtype


def delete(ctx: CallContext, rtype: str, resource_ids: list[str],
           tags: list[dict[str, str]] | None) -> int:
    """Remove the named tags (all the resources' tags when none is named)."""
    rtype = check_delete(ctx, rtype, resource_ids)
    pairs = _pairs(tags, need_value=False)
    removed = 0
    for tag in ctx.session.scalars(select(ResourceTag).where(
            ResourceTag.resource_type == rtype, ResourceTag.resource_id.in_(resource_ids))):
        if pairs and not any(tag.key == k and (v is None or tag.value == v) for k, v in pairs):
            continue
        ctx.session.delete(tag)
        removed += 1
    ctx.session.flush()
    return removed


def forget(ctx: CallContext, rtype: str, resource_id: str) -> None:
    """Drop a removed resource's tags (called by the services that remove resources)."""
    for tag in ctx.session.scalars(select(ResourceTag).where(
            ResourceTag.resource_type == rtype, ResourceTag.resource_id == resource_id)):
        ctx.session.delete(tag)


def forget_account(ctx: CallContext, account_id: str) -> None:
    """Drop every tag an account made (deleteAccount, once its resources are gone)."""
    for tag in ctx.session.scalars(select(ResourceTag).where(
            ResourceTag.account_id == account_id)):
        ctx.session.delete(tag)


def list_tags(ctx: CallContext, *, rtype: str | None = None, resource_id: str | None = None,
              key: str | None = None, value: str | None = None, customer: str | None = None,
              owner: dict[str, Any] | None = None, keyword: str | None = None,
              page: int | None = None, pagesize: int | None = None) -> Page[ResourceTag]:
    stmt = select(ResourceTag).order_by(ResourceTag.created, ResourceTag.id)
    stmt = tenancy.scope(stmt, ctx, account_col=ResourceTag.account_id,
                         domain_col=ResourceTag.domain_id, **(owner or {}))
    if rtype is not None:
        stmt = stmt.where(ResourceTag.resource_type == resource_type(rtype))
    for column, wanted in ((ResourceTag.resource_id, resource_id), (ResourceTag.key, key),
                           (ResourceTag.value, value), (ResourceTag.customer, customer)):
        if wanted is not None:
            stmt = stmt.where(column == wanted)
    if keyword:
        from appliance.services.paging import keyword_filter

        stmt = keyword_filter(stmt, keyword, ResourceTag.key, ResourceTag.value)
    return paginate(ctx.session, stmt, page, pagesize)


# -- helpers for other list commands --------------------------------------------------

def filter_by_tags(stmt: Select[Any], id_col: Any, rtype: str,
                   tags: list[dict[str, str]] | None) -> Select[Any]:
    """Keep rows carrying every given tag (key, and value when given)."""
    for key, value in _pairs(tags, need_value=False):
        cond = and_(ResourceTag.resource_type == rtype, ResourceTag.key == key)
        if value is not None:
            cond = and_(cond, ResourceTag.value == value)
        stmt = stmt.where(id_col.in_(select(ResourceTag.resource_id).where(cond)))
    return stmt


def render_tag(tag: ResourceTag, ctx: CallContext) -> dict[str, Any]:
    from appliance.models import Account, Domain

    account = ctx.session.get(Account, tag.account_id)
    domain = ctx.session.get(Domain, tag.domain_id)
    out = {
        "key": tag.key, "value": tag.value, "resourcetype": tag.resource_type,
        "resourceid": tag.resource_id, "account": account.name if account else None,
        "domainid": tag.domain_id, "domain": domain.name if domain else None,
        "customer": tag.customer,
    }
    return {k: v for k, v in out.items() if v is not None}


def tags_for(ctx: CallContext, rtype: str, ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """Rendered tags of many resources at once: {resource id: [tag, ...]} (memoised per call)."""
    wanted = [i for i in ids]
    cache_key = f"tags:{rtype}"
    cached: dict[str, list[dict[str, Any]]] = ctx.cache.setdefault(cache_key, {})  # type: ignore[assignment]
    missing = [i for i in wanted if i not in cached]
    if missing:
        for i in missing:
            cached[i] = []
        for tag in ctx.session.scalars(select(ResourceTag).where(
                ResourceTag.resource_type == rtype, ResourceTag.resource_id.in_(missing))
                .order_by(ResourceTag.key)):
            cached[tag.resource_id].append(render_tag(tag, ctx))
    return {i: cached[i] for i in wanted}
