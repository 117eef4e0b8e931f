"""Parameter types of command declarations: parsing and validation of wire values."""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from appliance.errors import ParamError

MISSING = object()


@dataclass(frozen=True)
class ParamType:
    """A CloudStack API parameter type: its listApis name and its parser."""

    name: str
    parse: Callable[[str], Any]


def _uuid(raw: str) -> str:
    return str(uuid.UUID(raw.strip()))


def _int(bits: int) -> Callable[[str], int]:
    low, high = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1

    def parse(raw: str) -> int:
        value = int(raw.strip(), 10)
        if not low <= value <= high:
            raise ValueError(raw)
        return value

    return parse


def _bool(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered not in ("true", "false"):
        raise ValueError(raw)
    return lowered == "true"


def _date(raw: str) -> date | datetime:
    raw = raw.strip()
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d"):
        try:
            parsed = datetime.strptime(raw, fmt)
        except ValueError:
            continue
        return parsed.date() if fmt == "%Y-%m-%d" else parsed
    raise ValueError(raw)


UUID = ParamType("uuid", _uuid)
STRING = ParamType("string", lambda raw: raw)
INTEGER = ParamType("integer", _int(32))
LONG = ParamType("long", _int(64))
SHORT = ParamType("short", _int(16))
BOOLEAN = ParamType("boolean", _bool)
DATE = ParamType("date", _date)
# Lists and maps are parsed by ParamSpec itself: a list splits on commas, a map gathers
# `name[i].key=value` pairs.
LIST = ParamType("list", lambda raw: raw)
MAP = ParamType("map", lambda raw: raw)

_MAP_KEY = re.compile(r"^(?P<name>[a-z0-9_]+)\[(?P<index>\d+)\]\.(?P<key>[a-z0-9_]+)$")


@dataclass(frozen=True)
class ParamSpec:
    """One declared parameter of a command; the field name is the wire name."""

    type: ParamType
    required: bool = False
    doc: str = ""
    length: int | None = None
    item_type: ParamType | None = None
    choices: tuple[str, ...] | None = None
    since: str | None = None
    name: str = ""

    def parse(self, command: str, raw: Any) -> Any:
        """Turn the wire value into a Python value, raising 431 with the parameter named."""
        if self.type is MAP:
            return raw
        try:
            if self.type is LIST:
                item = self.item_type or STRING
                value: Any = [item.parse(part) for part in str(raw).split(",") if part != ""]
            else:
                value = self.type.parse(str(raw))
        except (ValueError, TypeError):
            raise ParamError(
                f"Unable to execute API command {command} due to invalid value "
                f"{raw!r} for parameter {self.name}"
            ) from None
        if self.length is not None and isinstance(value, str) and len(value) > self.length:
            raise ParamError(
                f"Value of parameter {self.name} is longer than {self.length} characters"
            )
        if self.choices is not None and str(value).lower() not in self.choices:
            raise ParamError(
                f"Invalid value {raw!r} for parameter {self.name}: "
                f"expected one of {', '.join(self.choices)}"
            )
        return value


def param(
    type: ParamType,
    *,
    required: bool = False,
    doc: str = "",
    length: int | None = None,
    item_type: ParamType | None = None,
    choices: tuple[str, ...] | None = None,
    since: str | None = None,
    default: Any = None,
) -> Any:
    """Declare a command parameter as a dataclass field (see STYLE.md)."""
    if length is None and type is STRING:
        length = 255
    spec = ParamSpec(type, required, doc, length, item_type, choices, since)
    return dataclasses.field(default=default, metadata={"param": spec})


def collect_maps(params: dict[str, str]) -> dict[str, list[dict[str, str]]]:
    """Gather `name[i].key=value` wire pairs into {name: [{key: value}, ...]} by index."""
    found: dict[str, dict[int, dict[str, str]]] = {}
    for key, value in params.items():
        match = _MAP_KEY.match(key)
        if match:
            entry = found.setdefault(match["name"], {}).setdefault(int(match["index"]), {})
            entry[match["key"]] = value
    return {name: [entries[i] for i in sorted(entries)] for name, entries in found.items()}
