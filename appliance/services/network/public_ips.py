"""Public IP addresses of a zone's public ranges, as their owners and admins see them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from appliance.errors import PermissionDenied
from appliance.models import PublicIpAddress
from appliance.services import tenancy
from appliance.services.context import CallContext
from appliance.services.paging import Page, keyword_filter, paginate


@dataclass(frozen=True)
class IpFilter:
    id: str | None = None
    address: str | None = None
    zone_id: str | None = None
    vlan_id: str | None = None
    network_id: str | None = None
    source_nat: bool | None = None
    allocated_only: bool = True
    keyword: str | None = None


def list_ips(ctx: CallContext, flt: IpFilter, *, owner: dict[str, object], page: int | None,
             pagesize: int | None) -> Page[PublicIpAddress]:
    """Allocated addresses the caller may see; free ones too for root admins who ask."""
    stmt = select(PublicIpAddress)
    if flt.allocated_only:
        stmt = stmt.where(PublicIpAddress.account_id.is_not(None))
        stmt = tenancy.scope(stmt, ctx, account_col=PublicIpAddress.account_id,
                             domain_col=PublicIpAddress.domain_id,
                             **owner)  # type: ignore[arg-type]
    elif not ctx.caller.is_root_admin:
        raise PermissionDenied("Only root admins may list unallocated public IP addresses")
    for column, value in ((PublicIpAddress.id, flt.id), (PublicIpAddress.address, flt.address),
                          (PublicIpAddress.zone_id, flt.zone_id),
                          (PublicIpAddress.vlan_range_id, flt.vlan_id),
                          (PublicIpAddress.network_id, flt.network_id),
                          (PublicIpAddress.is_source_nat, flt.source_nat)):
        if value is not None:
            stmt = stmt.where(column == value)
    stmt = keyword_filter(stmt, flt.keyword, PublicIpAddress.address)
    return paginate(ctx.session, stmt.order_by(PublicIpAddress.zone_id,
                                               PublicIpAddress.address_int), page, pagesize)
