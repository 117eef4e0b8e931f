"""Paging of list queries: `count` is the total over all pages (DESIGN §3)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from appliance.errors import ParamError

T = TypeVar("T")

@dataclass
class Page(Generic[T]):
    items: list[T]
    total: int


def paginate(
    session: Session, stmt: Select[Any], page: int | None, pagesize: int | None
) -> Page[Any]:
    """Run `stmt` for one page (1-based); pagesize -1 means everything."""
    if page is not None and page < 1:
        raise ParamError(f"Invalid page number {page}: pages start at 1")
    if pagesize is not None and pagesize != -1 and pagesize < 1:
        raise ParamError(f"Invalid pagesize {pagesize}: must be positive or -1")
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    if pagesize is None:
        from appliance.services import configuration

        size = int(configuration.get(session, "default.page.size"))
    else:
        size = pagesize
    if size != -1:
        stmt = stmt.limit(size).offset(((page or 1) - 1) * size)
    return Page(list(session.scalars(stmt)), total)


def keyword_filter(stmt: Select[Any], keyword: str | None, *columns: Any) -> Select[Any]:
    """CloudStack's `keyword`: a case-insensitive substring of any of `columns`."""
    if not keyword:
        return stmt
    from sqlalchemy import or_

    pattern = f"%{keyword.lower()}%"
    return stmt.where(or_(*(func.lower(column).like(pattern) for column in columns)))
