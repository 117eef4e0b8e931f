"""Command declarations: one per API command, driving dispatch, validation, listApis, docs."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from appliance.api.params import BOOLEAN, INTEGER, MAP, STRING, UUID, ParamSpec, param
from appliance.api.responses import ResponseSpec
from appliance.errors import ParamError
from appliance.models import AccountType
from appliance.services.context import CallContext

Kind = Literal["object", "list", "success", "raw"]

ROOT_ADMIN = frozenset({AccountType.ADMIN})
ADMINS = frozenset({AccountType.ADMIN, AccountType.DOMAIN_ADMIN})
ALL_ROLES = frozenset(AccountType)


@dataclass(frozen=True)
class CommandSpec:
    """Everything the API layer knows about one command, read from its declaration."""

    name: str
    cls: type[Command]
    doc: str
    kind: Kind
    response: ResponseSpec | None
    is_async: bool
    roles: frozenset[AccountType]
    event: str | None
    since: str
    related: tuple[str, ...]
    params: tuple[ParamSpec, ...]
    writes: bool
    authenticated: bool
    post_only: bool
    idempotent: bool
    instance_type: str | None
    # Internal commands run only as jobs the appliance queues itself (template downloads):
    # no role may call them on the wire (432) and listApis does not show them.
    internal: bool = False

    def parse(self, raw: dict[str, Any]) -> Command:
        """Validate wire parameters (lower-cased names) into a command instance (431 on error)."""
        values: dict[str, Any] = {}
        for spec in self.params:
            value = raw.get(spec.name)
            if value is None or (spec.type is not MAP and value == ""):
                if spec.required:
                    raise ParamError(
                        f"Unable to execute API command {self.name.lower()} due to missing "
                        f"parameter {spec.name}"
                    )
                continue
            values[spec.name] = spec.parse(self.name, value)
        return self.cls(**values)

    def wire_params(self, command: Command) -> dict[str, Any]:
        """The declared parameters the caller set, in wire form, to store with a job."""
        out: dict[str, Any] = {}
        for spec in self.params:
            value = getattr(command, spec.name)
            if value is None:
                continue
            if spec.type is BOOLEAN:
                out[spec.name] = "true" if value else "false"
            elif isinstance(value, list) and spec.type is not MAP:
                out[spec.name] = ",".join(str(v) for v in value)
            elif spec.type is MAP:
                out[spec.name] = value
            else:
                out[spec.name] = value if isinstance(value, str) else str(value)
        return out


class Command:
    """Base of every declared command; subclasses are frozen dataclasses of parameters."""

    spec: ClassVar[CommandSpec]

    def run(self, ctx: CallContext) -> Any:
        """Do the work: in the request for sync commands, in a job worker for async ones."""
        raise NotImplementedError

    def accept(self, ctx: CallContext) -> str | None:
        """Async only: checks run in the request before the job is queued; returns the id
        of the object the job works on (answered as `id` and kept as jobinstanceid)."""
        return None

    def describe(self) -> str:
        """Event text for this call."""
        target = getattr(self, "id", None) or getattr(self, "name", None)
        return f"{self.spec.name} {target}" if target else self.spec.name


@dataclass(frozen=True)
class ListCommand(Command):
    """Parameters every list command takes: keyword and paging."""

    keyword: str | None = param(STRING, doc="List by keyword")
    page: int | None = param(INTEGER, doc="the page number of the result set (1-based)")
    pagesize: int | None = param(INTEGER, doc="the number of items per page")


@dataclass(frozen=True)
class OwnedListCommand(ListCommand):
    """List parameters naming the owner scope (CloudStack's account/domain filters)."""

    account: str | None = param(
        STRING, doc="list resources by account; must be used with the domainId parameter"
    )
    domainid: str | None = param(UUID, doc="list only resources belonging to the domain specified")
    isrecursive: bool | None = param(
        BOOLEAN, doc="defaults to false; if true, lists resources of the domain's subdomains too"
    )
    listall: bool | None = param(
        BOOLEAN, doc="if true, list every resource the caller is allowed to see"
    )

    def owner_filter(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "domainid": self.domainid,
            "isrecursive": bool(self.isrecursive),
            "listall": bool(self.listall),
        }


_REGISTRY: dict[str, CommandSpec] = {}


def api_command(
    name: str,
    *,
    response: ResponseSpec | None = None,
    kind: Kind | None = None,
    is_async: bool = False,
    roles: Iterable[AccountType] = ALL_ROLES,
    event: str | None = None,
    since: str = "2.2.0",
    related: tuple[str, ...] = (),
    writes: bool | None = None,
    authenticated: bool = True,
    post_only: bool = False,
    idempotent: bool = False,
    instance_type: str | None = None,
    internal: bool = False,
) -> Any:
    """Register a command class under its CloudStack name (see STYLE.md)."""

    def register(cls: type[Command]) -> type[Command]:
        if not dataclasses.is_dataclass(cls):
            raise TypeError(f"{cls.__name__} must be a dataclass")
        params = []
        for field in dataclasses.fields(cls):
            spec = field.metadata.get("param")
            if spec is None:
                continue
            params.append(dataclasses.replace(spec, name=field.name))
        resolved_kind: Kind = kind or (
            "list" if name.startswith("list") else "object" if response else "success"
        )
        readonly = name.startswith(("list", "get", "query"))
        command_spec = CommandSpec(
            name=name,
            cls=cls,
            doc=(cls.__doc__ or name).strip().splitlines()[0],
            kind=resolved_kind,
            response=response,
            is_async=is_async,
            roles=frozenset() if internal else frozenset(roles),
            event=event,
            since=since,
            related=related,
            params=tuple(params),
            writes=(not readonly) if writes is None else writes,
            authenticated=authenticated,
            post_only=post_only,
            idempotent=idempotent,
            instance_type=instance_type,
            internal=internal,
        )
        key = name.lower()
        if key in _REGISTRY:
            raise ValueError(f"command {name} declared twice")
        _REGISTRY[key] = command_spec
        cls.spec = command_spec
        return cls

    return register


def lookup(name: str) -> CommandSpec | None:
    """The declaration of a command, by case-insensitive name."""
    load_commands()
    return _REGISTRY.get(name.lower())


def all_commands() -> list[CommandSpec]:
    load_commands()
    return sorted((spec for spec in _REGISTRY.values() if not spec.internal),
                  key=lambda spec: spec.name)


_loaded = False
_extra_modules: list[str] = []


def add_command_modules(modules: Iterable[str]) -> None:
    """Extra modules declaring commands (plug-ins, seed §1.9), imported on first lookup."""
    global _loaded
    for module in modules:
        if module not in _extra_modules:
            _extra_modules.append(module)
            _loaded = False


def load_commands() -> None:
    """Import every command module once; importing declares the commands."""
    global _loaded
    if _loaded:
        return
    import importlib

    from appliance.api.commands import MODULES

    for module in (*MODULES, *_extra_modules):
        importlib.import_module(module)
    _loaded = True
