# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""The base of every cirrus.cloud module.

`CirrusModule` holds what all modules share: the connection options (module arguments or
environment), the API client, lookups by name or id narrowed on the server, failures that
carry the API's error code, and the result.  `ResourceModule` adds the present/absent walk
with check mode and diff over declared `Field` s; `InfoModule` lists objects.

A module declares which of its options are parameters of which API command (`Field`); the
collection's tests check those declarations against the API's own, so they cannot drift.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from ansible.module_utils.basic import AnsibleModule, env_fallback
from ansible_collections.cirrus.cloud.plugins.module_utils.api import ApiClient, ApiError

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


def is_uuid(value: str) -> bool:
    return bool(_UUID.match(value))


def connection_spec() -> dict[str, Any]:
    """Connection options of every module; each falls back to CIRRUS_* then CLOUDSTACK_*
    environment variables (the names ngine_io.cloudstack and cs read)."""
    return {
        "api_url": {"type": "str", "required": True,
                    "fallback": (env_fallback, ["CIRRUS_ENDPOINT", "CLOUDSTACK_ENDPOINT"])},
        "api_key": {"type": "str", "required": True, "no_log": False,
                    "fallback": (env_fallback, ["CIRRUS_API_KEY", "CLOUDSTACK_KEY"])},
        "api_secret": {"type": "str", "required": True, "no_log": True,
                       "fallback": (env_fallback, ["CIRRUS_SECRET_KEY", "CLOUDSTACK_SECRET"])},
        "api_http_method": {"type": "str", "choices": ["get", "post"], "default": "get",
                            "fallback": (env_fallback, ["CIRRUS_METHOD", "CLOUDSTACK_METHOD"])},
        "api_timeout": {"type": "int", "default": 120,
                        "fallback": (env_fallback, ["CIRRUS_TIMEOUT", "CLOUDSTACK_TIMEOUT"])},
        "api_job_timeout": {"type": "int", "default": 600,
                            "fallback": (env_fallback, ["CIRRUS_JOB_TIMEOUT"])},
        "validate_certs": {"type": "bool", "default": True,
                           "fallback": (env_fallback, ["CIRRUS_VALIDATE_CERTS"])},
    }


def client_of(params: dict[str, Any]) -> ApiClient:
    return ApiClient(params["api_url"], params["api_key"], params["api_secret"],
                     timeout=params["api_timeout"], method=params["api_http_method"],
                     verify=params["validate_certs"], job_timeout=params["api_job_timeout"])


class Field:
    """A module option that is an API parameter.

    `param` is its name in the create and update commands, `key` its name in the object the
    API answers (defaults to `param`).  `mutable` says the update command takes it; `create`
    that the create command does.  `required` mirrors the create command's declaration.
    `ref` names what the option refers to by name or id (zone, pod, cluster, domain); the
    API gets the id.  `values` maps option values to API values.  `casefold` compares
    case-insensitively (enumerations the server may spell differently); `compare=False`
    marks values the API never shows (passwords, URLs it splits up): used to create only.
    `create_with` and `update_with` name the command that takes the option when it is not
    the module's create or update command (a template made from a snapshot rather than
    registered; permissions changed apart from the other attributes).
    """

    def __init__(self, option: str, param: str, *, key: str | None = None,
                 mutable: bool = True, create: bool = True, required: bool = False,
                 ref: str | None = None, values: dict[str, Any] | None = None,
                 casefold: bool = False, compare: bool = True,
                 create_with: str | None = None, update_with: str | None = None) -> None:
        self.option = option
        self.param = param
        self.key = key or param
        self.mutable = mutable
        self.create = create
        self.required = required
        self.ref = ref
        self.values = values
        self.casefold = casefold
        self.compare = compare
        self.create_with = create_with
        self.update_with = update_with

    def __repr__(self) -> str:
        return f"Field({self.option!r} -> {self.param!r})"


def as_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        return [str(item).strip() for item in value if str(item).strip()]
    return [part.strip() for part in str(value).split(",") if part.strip()]


def text(value: Any) -> str:
    """A value as compared: booleans lower-case, integral floats as integers."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def normalize_path(path: str) -> str:
    """A domain path as the API shows it: ROOT or ROOT/a/b (ROOT/ may be left out)."""
    parts = [part for part in path.strip().strip("/").split("/") if part]
    if not parts or parts[0].upper() != "ROOT":
        parts.insert(0, "ROOT")
    parts[0] = "ROOT"
    return "/".join(parts)


class Reference:
    """How an option naming another object is looked up: the list command and the key of
    its items, which module options narrow the search (option -> list parameter), the
    item field a name is matched against and the list parameter filtering by it (None: no
    such parameter; ``keyword`` narrows by a substring, the match is exact), constant list
    parameters, `owned` objects (narrowed by the module's account and domain in tenant
    modules) and item states that count as gone."""

    def __init__(self, command: str, key: str, narrowing: dict[str, str] | None = None, *,
                 name_key: str = "name", name_param: str | None = "name",
                 constant: dict[str, Any] | None = None, owned: bool = False,
                 gone: tuple[str, ...] = ()) -> None:
        self.command = command
        self.key = key
        self.narrowing = narrowing or {}
        self.name_key = name_key
        self.name_param = name_param
        self.constant = constant or {}
        self.owned = owned
        self.gone = gone


GONE_VMS = ("Destroyed", "Expunging")

# What a `ref` option names (the domain, a path, is looked up apart: `find_domain`).
REFERENCES: dict[str, Reference] = {
    "zone": Reference("listZones", "zone"),
    "pod": Reference("listPods", "pod", {"zone": "zoneid"}),
    "cluster": Reference("listClusters", "cluster", {"zone": "zoneid", "pod": "podid"}),
    "network": Reference("listNetworks", "network", {"zone": "zoneid"},
                         name_param="keyword", owned=True),
    "vm": Reference("listVirtualMachines", "virtualmachine", {"zone": "zoneid"},
                    owned=True, gone=GONE_VMS),
    "volume": Reference("listVolumes", "volume", {"zone": "zoneid"}, owned=True),
    "snapshot": Reference("listSnapshots", "snapshot", owned=True),
    "ip_address": Reference("listPublicIpAddresses", "publicipaddress", {"zone": "zoneid"},
                            name_key="ipaddress", name_param="ipaddress", owned=True),
    "security_group": Reference("listSecurityGroups", "securitygroup",
                                name_param="securitygroupname", owned=True),
    "service_offering": Reference("listServiceOfferings", "serviceoffering"),
    "disk_offering": Reference("listDiskOfferings", "diskoffering"),
    "network_offering": Reference("listNetworkOfferings", "networkoffering"),
    "os_type": Reference("listOsTypes", "ostype", name_key="description",
                         name_param="description"),
    "template": Reference("listTemplates", "template", {"zone": "zoneid"},
                          constant={"templatefilter": "executable"}),
    "iso": Reference("listIsos", "iso", {"zone": "zoneid"},
                     constant={"isofilter": "executable"}),
}


class CirrusModule:
    """An Ansible module run against the API: client, lookups, failures, result."""

    noun = "object"
    options: dict[str, dict[str, Any]] = {}
    required_if: list[Any] = []
    required_together: list[Any] = []
    required_by: dict[str, Any] = {}
    required_one_of: list[Any] = []
    mutually_exclusive: list[Any] = []
    # Tenant modules: their `account` and `domain` options narrow the lookups of objects
    # that belong to accounts (`owner`), and go to the commands that make them.
    tenant = False

    def __init__(self, module: AnsibleModule) -> None:
        self.module = module
        self.params: dict[str, Any] = module.params
        self.client = client_of(module.params)
        self.result: dict[str, Any] = {"changed": False}
        self._ids: dict[tuple[Any, ...], str] = {}

    @classmethod
    def argument_spec(cls) -> dict[str, Any]:
        spec = connection_spec()
        spec.update(copy.deepcopy(cls.options))
        return spec

    @classmethod
    def main(cls) -> None:
        module = AnsibleModule(argument_spec=cls.argument_spec(), supports_check_mode=True,
                               required_if=cls.required_if,
                               required_together=cls.required_together,
                               required_by=cls.required_by,
                               required_one_of=cls.required_one_of,
                               mutually_exclusive=cls.mutually_exclusive)
        runner = cls(module)
        try:
            runner.run()
        except ApiError as error:
            runner.fail(str(error), errorcode=error.code, errortext=error.text,
                        jobid=error.job_id)
        module.exit_json(**runner.result)

    def run(self) -> None:
        raise NotImplementedError

    def fail(self, msg: str, **details: Any) -> None:
        extra = {key: value for key, value in details.items() if value is not None}
        result = dict(self.result, **extra)
        result.pop("msg", None)
        self.module.fail_json(msg=msg, **result)

    # -- lookups -------------------------------------------------------------------------

    def find(self, command: str, key: str, match: dict[str, Any] | None = None,
             **filters: Any) -> dict[str, Any] | None:
        """The one object `command` lists for `filters` (applied by the server), narrowed
        to items whose fields equal `match` exactly; None when there is none."""
        items = self.list_objects(command, key, **filters)
        if match:
            items = [item for item in items
                     if all(text(item.get(k)) == text(v) for k, v in match.items())]
        items = unique(items)
        if len(items) > 1:
            what = ", ".join(f"{k}={v}" for k, v in sorted((match or filters).items()))
            self.fail(f"{len(items)} {key} objects match {what}; cannot tell which one is "
                      "meant")
        return items[0] if items else None

    def list_objects(self, command: str, key: str, **filters: Any) -> list[dict[str, Any]]:
        """`command`'s items for `filters`; none for an id that names nothing (the API
        answers 431 to an unknown id, as CloudStack does)."""
        try:
            return self.client.list_all(command, key, **filters)
        except ApiError as error:
            if error.code == 431 and filters.get("id") is not None:
                return []
            raise

    def find_by_name_or_id(self, command: str, key: str, value: str,
                           name_key: str = "name", name_param: str | None = "name",
                           gone: tuple[str, ...] = (), **scope: Any) -> dict[str, Any] | None:
        """An object named `value`, or whose id is `value`, within `scope`; items in a
        `gone` state are not counted."""
        if is_uuid(value):
            found = self.find(command, key, id=value, **scope)
            if found and found.get("state") not in gone:
                return found
        if name_param is not None:
            scope[name_param] = value
        items = [item for item in self.list_objects(command, key, **scope)
                 if text(item.get(name_key)) == text(value)
                 and item.get("state") not in gone]
        items = unique(items)
        if len(items) > 1:
            self.fail(f"{len(items)} {key} objects match {name_key}={value}; cannot tell "
                      "which one is meant")
        return items[0] if items else None

    def ref_id(self, kind: str, value: str | None = None, missing_ok: bool = False
               ) -> str | None:
        """The id of the `kind` the module's option of that name (or `value`) refers to,
        looked up within the module's other references (a pod in its zone); fails when
        it does not exist, unless `missing_ok` (then None)."""
        value = self.params.get(kind) if value is None else value
        if value is None:
            return None
        scope: dict[str, Any] = {}
        if kind == "domain":
            memo: tuple[Any, ...] = (kind, value)
            if memo not in self._ids:
                found = self.find_domain(value)
                if found is None:
                    self._missing(kind, value, missing_ok)
                    return None
                self._ids[memo] = str(found["id"])
            return self._ids[memo]
        ref = REFERENCES[kind]
        for option, param in ref.narrowing.items():
            if option in self.options and self.params.get(option) is not None:
                scope[param] = self.ref_id(option, missing_ok=missing_ok)
                if scope[param] is None:
                    return None
        scope.update(self.ref_constant(kind))
        if ref.owned and self.tenant:
            owner = self.owner(missing_ok=missing_ok)
            if owner is None:
                return None
            scope.update(owner)
        memo = (kind, value, tuple(sorted(scope.items())))
        if memo not in self._ids:
            found = self.find_by_name_or_id(ref.command, ref.key, value, ref.name_key,
                                            ref.name_param, ref.gone, **scope)
            if found is None:
                self._missing(kind, value, missing_ok)
                return None
            self._ids[memo] = str(found["id"])
        return self._ids[memo]

    def ref_constant(self, kind: str) -> dict[str, Any]:
        """Constant list parameters of a reference (modules may choose them by option)."""
        return dict(REFERENCES[kind].constant)

    def owner(self, missing_ok: bool = False) -> dict[str, Any] | None:
        """The account and domain the options name, as list and create parameters: none
        (the caller's own objects) without `account` and `domain`; the domain defaults to
        ROOT when only `account` is set.  None when the domain does not exist and
        `missing_ok`."""
        account, domain = self.params.get("account"), self.params.get("domain")
        if account is None and domain is None:
            return {}
        domain_id = self.ref_id("domain", domain or "ROOT", missing_ok=missing_ok)
        if domain_id is None:
            return None
        return {"account": account, "domainid": domain_id} if account else \
            {"domainid": domain_id}

    def _missing(self, kind: str, value: str, missing_ok: bool) -> None:
        if not missing_ok:
            self.fail(f"{kind} {value!r} not found")

    def find_domain(self, path: str) -> dict[str, Any] | None:
        """The domain at `path` (ROOT/a/b, or its id)."""
        if is_uuid(path):
            found = self.find("listDomains", "domain", id=path, listall=True)
            if found:
                return found
        wanted = normalize_path(path)
        leaf = wanted.rsplit("/", maxsplit=1)[-1]
        return self.find("listDomains", "domain", match={"path": wanted}, name=leaf,
                         listall=True) if leaf != "ROOT" else self.find(
            "listDomains", "domain", match={"path": "ROOT"}, level=0, listall=True)

    # -- results -------------------------------------------------------------------------

    returns: dict[str, str] = {}  # answer key -> result key
    computed: tuple[str, ...] = ()  # result keys the module works out itself

    def returned(self, obj: dict[str, Any] | None) -> dict[str, Any]:
        """The result keys of an API object (snake_case names, documented in RETURN)."""
        if not obj:
            return {}
        return {name: obj[key] for key, name in self.returns.items() if key in obj}


def unique(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Items without repeats of one id (templates and ISOs are listed once per zone)."""
    seen: set[Any] = set()
    out = []
    for item in items:
        ident = item.get("id")
        if ident is None or ident not in seen:
            out.append(item)
            seen.add(ident)
    return out


def first(body: dict[str, Any], key: str) -> dict[str, Any] | None:
    """The object an answer carries under `key`, whether as an object or a one-item list."""
    value = body.get(key)
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, dict) else None


class ResourceModule(CirrusModule):
    """Makes one object present (created or updated) or absent, with check mode and diff.

    Subclasses declare `key` (the object in answers), the commands, `fields`, and `get()`;
    `implicit` names required create parameters the module fills itself (see
    `create_defaults`).  Extra states (enabled, disabled, ...) go in `ensure_state`.
    """

    key = ""
    list_command = ""
    create_command = ""
    update_command: str | None = None
    delete_command: str | None = None
    delete_key = "id"  # the parameter naming the object to the delete command
    answer_key: str | None = None  # the object's key in the create answer, when not `key`
    fields: tuple[Field, ...] = ()
    implicit: tuple[str, ...] = ()

    def __init__(self, module: AnsibleModule) -> None:
        super().__init__(module)
        self.before: dict[str, Any] = {}
        self.after: dict[str, Any] = {}

    def run(self) -> None:
        state = self.params.get("state") or "present"
        current = self.get()
        if state == "absent":
            if current is not None:
                self.remove(current)
        else:
            current = self.ensure(current)
            current = self.ensure_state(current, state)
        self.result.update(self.returned(current))
        self.result["diff"] = {"before": self.before, "after": self.after}

    # -- what subclasses provide ---------------------------------------------------------

    def get(self) -> dict[str, Any] | None:
        """The object the options name, looked up on the server; None when missing."""
        raise NotImplementedError

    def create_defaults(self) -> dict[str, Any]:
        """Create parameters the module fills itself when the user did not set them."""
        return {}

    def ensure_state(self, current: dict[str, Any] | None, state: str
                     ) -> dict[str, Any] | None:
        return current

    def ident(self, current: dict[str, Any]) -> dict[str, Any]:
        """Parameters that name the object to the update and delete commands."""
        return {"id": current["id"]}

    def delete_params(self, current: dict[str, Any]) -> dict[str, Any]:
        return self.ident(current)

    # -- the walk ------------------------------------------------------------------------

    def option_value(self, field: Field) -> Any:
        """The API value of a field's option; None when the user left it unset."""
        value = self.params.get(field.option)
        if value is None:
            return None
        if field.ref:
            return self.ref_id(field.ref, value)
        if field.values is not None:
            return field.values.get(value)
        if self.is_list(field):
            return ",".join(as_list(value))
        return value

    def is_list(self, field: Field) -> bool:
        return self.options.get(field.option, {}).get("type") == "list"

    def wanted(self) -> dict[Field, Any]:
        out = {}
        for field in self.fields:
            value = self.option_value(field)
            if value is not None:
                out[field] = value
        return out

    def same(self, field: Field, actual: Any, wanted: Any) -> bool:
        if self.is_list(field):
            return sorted(as_list(actual)) == sorted(as_list(wanted))
        left, right = text(actual), text(wanted)
        if field.casefold:
            return left.lower() == right.lower()
        return left == right

    def shown(self, field: Field, api_value: Any) -> Any:
        """An API value as the option would say it (for diffs)."""
        if field.values is not None:
            for option_value, value in field.values.items():
                if text(value).lower() == text(api_value).lower():
                    return option_value
        if self.is_list(field):
            return as_list(api_value)
        return api_value

    def said(self, field: Field, api_value: Any) -> Any:
        """A wanted value as the user's option says it (a name rather than the id it
        refers to) for diffs."""
        value = self.params.get(field.option)
        return self.shown(field, api_value) if value is None else value

    def changed(self, before: dict[str, Any], after: dict[str, Any]) -> None:
        self.result["changed"] = True
        self.before.update(before)
        self.after.update(after)

    def ensure(self, current: dict[str, Any] | None) -> dict[str, Any] | None:
        wanted = self.wanted()
        if current is None:
            return self.create(wanted)
        differing = [f for f, value in wanted.items()
                     if f.compare and not self.same(f, current.get(f.key), value)]
        fixed = [f for f in differing if not f.mutable]
        if fixed:
            what = "; ".join(f"{f.option} (is {self.shown(f, current.get(f.key))!r}, wanted "
                             f"{self.shown(f, wanted[f])!r})" for f in fixed)
            self.fail(f"{self.noun} {self.title(current)}: cannot change {what}: the API "
                      "cannot update it; remove and recreate the object instead")
        if not differing:
            return current
        self.changed({f.option: self.shown(f, current.get(f.key)) for f in differing},
                     {f.option: self.said(f, wanted[f]) for f in differing})
        if self.module.check_mode:
            return dict(current, **{f.key: wanted[f] for f in differing})
        return self.update(current, {f.param: wanted[f] for f in differing})

    def create(self, wanted: dict[Field, Any]) -> dict[str, Any] | None:
        params = dict(self.create_defaults())
        params.update({f.param: value for f, value in wanted.items()
                       if f.create and f.create_with is None})
        missing = [f.option for f in self.fields
                   if f.required and params.get(f.param) is None]
        if missing:
            self.fail(f"{self.noun} {self.title(None)} does not exist; creating it needs "
                      f"{', '.join(sorted(missing))}")
        return self.make(self.create_command, params, wanted)

    def make(self, command: str, params: dict[str, Any], wanted: dict[Field, Any]
             ) -> dict[str, Any] | None:
        """Create the object with `command` (in check mode: report it only)."""
        self.changed({}, {f.option: self.said(f, value) for f, value in wanted.items()
                          if f.compare})
        if self.module.check_mode:
            return {f.key: value for f, value in wanted.items()}
        created = first(self.client.call(command, **params), self.answer_key or self.key)
        return created or self.get()

    def update(self, current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any] | None:
        if self.update_command is None:
            self.fail(f"{self.noun} {self.title(current)} cannot be updated")
            raise AssertionError
        answer = self.client.call(self.update_command, **dict(self.ident(current), **changes))
        return first(answer, self.key) or self.get()

    def remove(self, current: dict[str, Any]) -> None:
        self.changed({f.option: self.shown(f, current[f.key])
                      for f in self.fields if f.key in current and f.compare}, {})
        if not self.module.check_mode and self.delete_command:
            self.client.call(self.delete_command, **self.delete_params(current))

    def title(self, current: dict[str, Any] | None) -> str:
        name = (current or {}).get("name") or self.params.get("name")
        return repr(name) if name else ""


class InfoModule(CirrusModule):
    """Lists objects: `filters` map options to the list command's parameters (the server
    filters); `plural` is the result key.  A `name_key` filter narrows to exact matches
    (some list commands match names loosely); a name that is a UUID is looked up as id."""

    list_command = ""
    key = ""
    plural = ""
    filters: tuple[Field, ...] = ()
    constant: dict[str, Any] = {}
    name_key = "name"  # the item field a name filter must match exactly
    name_param: str | None = None  # the list parameter of that filter, when not name_key
    owned = False  # the list command takes account/domainid/listall

    def run(self) -> None:
        params = dict(self.constant)
        for field in self.filters:
            value = self.params.get(field.option)
            if value is None:
                continue
            if field.ref:
                value = self.ref_id(field.ref, value)
            elif field.values is not None:
                value = field.values.get(value)
            params[field.param] = value
        name_param = self.name_param or self.name_key
        name = params.get(name_param)
        if name is not None and self.name_key == "name" and is_uuid(str(name)):
            params["id"] = params.pop(name_param)
            name = None
        if self.owned and "account" not in params:
            params["listall"] = True
        items = self.list_objects(self.list_command, self.key, **params)
        if name is not None:
            items = [item for item in items if text(item.get(self.name_key)) == text(name)]
        self.result[self.plural] = [self.returned(item) for item in items]
