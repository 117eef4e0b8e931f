"""Response object types: their wire name, documented fields and the renderer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from appliance.services.context import CallContext


@dataclass(frozen=True)
class ResponseSpec:
    """A CloudStack response object such as `account`: key, fields for listApis, renderer."""

    name: str
    fields: tuple[tuple[str, str], ...]
    render: Callable[[Any, CallContext], dict[str, Any]]


def wire_date(value: datetime | None) -> str | None:
    """CloudStack's date format: 2011-09-08T12:00:00+0000."""
    return None if value is None else value.strftime("%Y-%m-%dT%H:%M:%S%z")


def drop_none(obj: dict[str, Any]) -> dict[str, Any]:
    """JSON responses omit nulls."""
    return {k: v for k, v in obj.items() if v is not None}
