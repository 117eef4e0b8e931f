"""Finding filters, rankers and storage allocators by name (seed §13.2.2: custom allocators).

A name is resolved, in order, as a built-in, as `module:callable` (a dotted import path),
or as an entry point of the group (`cirrus.host_filters`, `cirrus.host_rankers`,
`cirrus.storage_allocators`), so a plug-in ships as its own package without editing Cirrus.
Classes are instantiated without arguments; a plain function becomes a Python-only filter
`f(host, ctx) -> bool`, ranker `f(hosts, ctx) -> list` or allocator `f(pools, disk, host,
ctx) -> list`. Resolved plug-ins are cached per name for the life of the process.
"""

from __future__ import annotations

import functools
import importlib
import inspect
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any

from appliance.errors import InternalError

FILTERS = "cirrus.host_filters"
RANKERS = "cirrus.host_rankers"
STORAGE = "cirrus.storage_allocators"


class _FunctionFilter:
    def __init__(self, name: str, fn: Callable[..., bool]) -> None:
        self.name, self._fn = name, fn

    def passes(self, host: Any, ctx: Any) -> bool:
        return bool(self._fn(host, ctx))


class _FunctionRanker:
    def __init__(self, name: str, fn: Callable[..., list[Any]]) -> None:
        self.name, self._fn = name, fn

    def rank(self, hosts: list[Any], ctx: Any) -> list[Any]:
        return list(self._fn(hosts, ctx))


class _FunctionAllocator:
    def __init__(self, name: str, fn: Callable[..., list[Any]]) -> None:
        self.name, self._fn = name, fn

    def order(self, pools: list[Any], disk: Any, host: Any, ctx: Any) -> list[Any]:
        return list(self._fn(pools, disk, host, ctx))


_WRAP: dict[str, Any] = {FILTERS: _FunctionFilter, RANKERS: _FunctionRanker,
                         STORAGE: _FunctionAllocator}
_KIND = {FILTERS: "host filter", RANKERS: "host ranker", STORAGE: "storage allocator"}


def _find(group: str, name: str, builtins: dict[str, Any]) -> Any:
    if name in builtins:
        return builtins[name]
    if ":" in name:
        module_name, _, attr = name.partition(":")
        try:
            target: Any = importlib.import_module(module_name)
            for part in attr.split("."):
                target = getattr(target, part)
        except (ImportError, AttributeError) as error:
            raise InternalError(f"Cannot load {_KIND[group]} {name!r}: {error}") from None
        return target
    found = entry_points(group=group, name=name)
    for ep in found:
        return ep.load()
    known = ", ".join(sorted(builtins))
    raise InternalError(
        f"Unknown {_KIND[group]} {name!r}: use one of {known}, an entry point of group "
        f"{group} or module:callable")


@functools.lru_cache(maxsize=256)
def _load(group: str, name: str, builtins_key: int) -> Any:
    target = _find(group, name, _REGISTRIES[builtins_key])
    if inspect.isclass(target):
        return target()
    if inspect.isfunction(target) or inspect.isbuiltin(target):
        return _WRAP[group](name, target)
    return target  # an instance


_REGISTRIES: dict[int, dict[str, Any]] = {}


def load(group: str, name: str, builtins: dict[str, Any]) -> Any:
    """The plug-in called `name` in `group` (built-ins first), instantiated once."""
    _REGISTRIES.setdefault(id(builtins), builtins)
    return _load(group, name.strip(), id(builtins))


def names(spec: str, default: tuple[str, ...]) -> list[str]:
    """A comma list where 'default' (or an empty value) expands to `default`."""
    out: list[str] = []
    for item in (spec or "default").split(","):
        item = item.strip()
        if not item:
            continue
        out.extend(default if item == "default" else (item,))
    return out
