"""Guest OS categories and types (listOsCategories, listOsTypes), seeded at `cirrus init`.

The list is a subset of CloudStack 2.2's guest_os table: what templates and ISOs name with
`ostypeid`. Seed §7.8.3: choose "Other" when the exact OS is not listed.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from appliance.errors import ParamError
from appliance.models import OsCategory, OsType
from appliance.services.context import CallContext
from appliance.services.paging import Page, keyword_filter, paginate

GUEST_OS: dict[str, tuple[str, ...]] = {
    "CentOS": (
        "CentOS 4.5 (32-bit)", "CentOS 4.6 (32-bit)", "CentOS 4.7 (32-bit)",
        "CentOS 4.8 (32-bit)", "CentOS 5.0 (32-bit)", "CentOS 5.0 (64-bit)",
        "CentOS 5.1 (32-bit)", "CentOS 5.1 (64-bit)", "CentOS 5.2 (32-bit)",
        "CentOS 5.2 (64-bit)", "CentOS 5.3 (32-bit)", "CentOS 5.3 (64-bit)",
        "CentOS 5.4 (32-bit)", "CentOS 5.4 (64-bit)", "CentOS 5.5 (32-bit)",
        "CentOS 5.5 (64-bit)", "CentOS 5.6 (32-bit)", "CentOS 5.6 (64-bit)",
    ),
    "Debian": (
        "Debian GNU/Linux 5.0 (32-bit)", "Debian GNU/Linux 5.0 (64-bit)",
        "Debian GNU/Linux 6(32-bit)", "Debian GNU/Linux 6(64-bit)",
    ),
    "Oracle": (
        "Oracle Enterprise Linux 5.5 (32-bit)", "Oracle Enterprise Linux 5.5 (64-bit)",
    ),
    "RedHat": (
        "Red Hat Enterprise Linux 5.5 (32-bit)", "Red Hat Enterprise Linux 5.5 (64-bit)",
        "Red Hat Enterprise Linux 6.0 (32-bit)", "Red Hat Enterprise Linux 6.0 (64-bit)",
    ),
    "SUSE": (
        "SUSE Linux Enterprise Server 10 SP2 (32-bit)",
        "SUSE Linux Enterprise Server 11 (64-bit)",
    ),
    "Windows": (
        "Windows 7 (32-bit)", "Windows 7 (64-bit)",
        "Windows Server 2003 Enterprise Edition(32-bit)",
        "Windows Server 2003 Enterprise Edition(64-bit)", "Windows Server 2008 (32-bit)",
        "Windows Server 2008 (64-bit)", "Windows Server 2008 R2 (64-bit)",
        "Windows XP SP3 (32-bit)",
    ),
    "Novel": ("Novell Netware 6.5",),
    "Unix": ("Sun Solaris 10(32-bit)", "Sun Solaris 10(64-bit)", "FreeBSD (32-bit)",
             "FreeBSD (64-bit)"),
    "Ubuntu": (
        "Ubuntu 8.04 (32-bit)", "Ubuntu 8.04 (64-bit)", "Ubuntu 10.04 (32-bit)",
        "Ubuntu 10.04 (64-bit)", "Ubuntu 10.10 (32-bit)", "Ubuntu 10.10 (64-bit)",
    ),
    "Other": ("Other (32-bit)", "Other (64-bit)", "Other Linux (32-bit)", "Other Linux (64-bit)",
              "Other install media", "Other PV (32-bit)", "Other PV (64-bit)"),
}


def ensure_defaults(session: Session) -> int:
    """Insert the categories and types that are missing; returns how many rows were added."""
    added = 0
    categories = {c.name: c for c in session.scalars(select(OsCategory))}
    known = set(session.scalars(select(OsType.description)))
    for category_name, descriptions in GUEST_OS.items():
        category = categories.get(category_name)
        if category is None:
            category = OsCategory(name=category_name)
            session.add(category)
            session.flush()
            added += 1
        for description in descriptions:
            if description not in known:
                session.add(OsType(category_id=category.id, description=description))
                added += 1
    session.flush()
    return added


def get(ctx: CallContext, os_type_id: str) -> OsType:
    os_type = ctx.session.get(OsType, os_type_id)
    if os_type is None:
        raise ParamError(f"Unable to find OS type by id {os_type_id}")
    return os_type


def list_os_types(ctx: CallContext, *, os_type_id: str | None = None,
                  category_id: str | None = None, description: str | None = None,
                  keyword: str | None = None, page: int | None = None,
                  pagesize: int | None = None) -> Page[OsType]:
    stmt = select(OsType).order_by(OsType.description)
    if os_type_id is not None:
        stmt = stmt.where(OsType.id == os_type_id)
    if category_id is not None:
        stmt = stmt.where(OsType.category_id == category_id)
    if description is not None:
        stmt = stmt.where(OsType.description == description)
    stmt = keyword_filter(stmt, keyword, OsType.description)
    return paginate(ctx.session, stmt, page, pagesize)


def list_os_categories(ctx: CallContext, *, category_id: str | None = None,
                       name: str | None = None, keyword: str | None = None,
                       page: int | None = None, pagesize: int | None = None
                       ) -> Page[OsCategory]:
    stmt = select(OsCategory).order_by(OsCategory.name)
    if category_id is not None:
        stmt = stmt.where(OsCategory.id == category_id)
    if name is not None:
        stmt = stmt.where(OsCategory.name == name)
    stmt = keyword_filter(stmt, keyword, OsCategory.name)
    return paginate(ctx.session, stmt, page, pagesize)
