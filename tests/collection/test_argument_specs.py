"""Every module's options against the API's own declarations (appliance/api/registry.py), so
neither can drift: each API-mapped option is a parameter of its command with a matching
type, required-ness mirrors the command that makes the object, compared and returned keys
are fields of the command's response, and the docs describe exactly the argument spec."""

from __future__ import annotations

import glob
import importlib
import os
from types import ModuleType
from typing import Any

import pytest
import yaml
from ansible_collections.cirrus.cloud.plugins.doc_fragments.cirrus import ModuleDocFragment
from ansible_collections.cirrus.cloud.plugins.module_utils.base import (
    CirrusModule,
    Field,
    InfoModule,
    ResourceModule,
    connection_spec,
)

from appliance.api.params import BOOLEAN, INTEGER, LIST, LONG, MAP, SHORT, STRING, UUID
from appliance.api.registry import CommandSpec, lookup
from tests.support.module_scenarios import COLLECTION

MODULES = sorted(os.path.basename(path)[:-3] for path in glob.glob(
    os.path.join(COLLECTION, "plugins", "modules", "*.py")) if not path.endswith("__.py"))
INTEGERS = (INTEGER, LONG, SHORT)


def load(name: str) -> tuple[ModuleType, type[CirrusModule]]:
    module = importlib.import_module(f"ansible_collections.cirrus.cloud.plugins.modules.{name}")
    (cls,) = [obj for obj in vars(module).values() if isinstance(obj, type)
              and issubclass(obj, CirrusModule) and obj.__module__ == module.__name__]
    return module, cls


def command(name: str) -> CommandSpec:
    spec = lookup(name)
    assert spec is not None, f"the API declares no command {name}"
    return spec


def params(spec: CommandSpec) -> dict[str, Any]:
    return {p.name: p for p in spec.params}


def response_keys(spec: CommandSpec) -> set[str]:
    assert spec.response is not None, f"{spec.name} declares no response"
    return {name for name, _ in spec.response.fields}


def check_type(cls: type[CirrusModule], field: Field, param: Any, where: str) -> None:
    option = cls.argument_spec()[field.option]
    kind = option.get("type", "str")
    what = f"{cls.__name__}: option {field.option} -> {where} {param.name} ({param.type.name})"
    if field.values is not None:
        api_values = set(field.values.values())
        if param.type in INTEGERS:
            assert all(isinstance(v, int) for v in api_values), what
        else:
            assert param.type is STRING and all(isinstance(v, str) for v in api_values), what
        return
    if param.type is UUID:
        assert field.ref and kind == "str", f"{what}: an id parameter needs a ref option"
    elif param.type is BOOLEAN:
        assert kind == "bool", what
    elif param.type in INTEGERS:
        assert kind == "int", what
    elif param.type is LIST:
        assert kind in ("str", "list"), what
        if param.item_type is UUID:
            assert field.ref, f"{what}: a list of ids needs a ref option"
    elif param.type is MAP:
        assert kind in ("str", "dict"), what
    else:
        assert param.type is STRING, what
        assert kind == "str" or (kind == "list" and option.get("elements") == "str"), what


@pytest.mark.parametrize("name", [m for m in MODULES if issubclass(load(m)[1], ResourceModule)])
def test_resource_module_matches_the_api(name: str) -> None:
    _, cls = load(name)
    assert issubclass(cls, ResourceModule)
    spec = cls.argument_spec()
    create = command(cls.create_command) if cls.create_command else None
    update = command(cls.update_command) if cls.update_command else None
    listing = command(cls.list_command)
    if cls.delete_command:
        assert cls.delete_key in params(command(cls.delete_command)), name
    shown = response_keys(listing)
    for field in cls.fields:
        assert field.option in spec, f"{name}: field {field} has no option"
        creator = command(field.create_with) if field.create_with else create
        updater = command(field.update_with) if field.update_with else update
        if field.create and creator:
            declared = params(creator)
            assert field.param in declared, f"{name}: {creator.name} has no {field.param}"
            check_type(cls, field, declared[field.param], creator.name)
        if field.mutable and updater:
            declared = params(updater)
            assert field.param in declared, f"{name}: {updater.name} has no {field.param}"
            check_type(cls, field, declared[field.param], updater.name)
        assert (field.create and creator) or (field.mutable and updater), \
            f"{name}: {field} is sent to no command"
        if field.compare:
            assert field.key in shown, f"{name}: {listing.name} answers no {field.key}"
    # Required-ness mirrors the command that makes the object: create, else update.
    maker = create or update
    assert maker is not None
    declared_required = {p.name for p in maker.params if p.required} - {"id"}
    module_required = {f.param for f in cls.fields if f.required and not f.create_with} | \
        set(cls.implicit)
    assert module_required == declared_required, name
    assert set(cls.implicit) <= set(params(maker)), name


@pytest.mark.parametrize("name", [m for m in MODULES if issubclass(load(m)[1], InfoModule)])
def test_info_module_matches_the_api(name: str) -> None:
    _, cls = load(name)
    assert issubclass(cls, InfoModule)
    listing = command(cls.list_command)
    declared = params(listing)
    assert listing.response is not None and listing.response.name == cls.key
    for field in cls.filters:
        assert field.option in cls.argument_spec(), f"{name}: filter {field} has no option"
        assert field.param in declared, f"{name}: {listing.name} has no {field.param}"
        check_type(cls, field, declared[field.param], listing.name)
    assert set(cls.constant) <= set(declared)
    if cls.owned:
        assert {"account", "domainid", "listall"} <= set(declared)


@pytest.mark.parametrize("name", MODULES)
def test_returned_keys_are_answered_and_documented(name: str) -> None:
    module, cls = load(name)
    shown = response_keys(command(cls.list_command))
    assert set(cls.returns) <= shown, f"{name}: not answered: {set(cls.returns) - shown}"
    documented = yaml.safe_load(module.RETURN)
    if issubclass(cls, InfoModule):
        documented = documented[cls.plural]["contains"]
    assert set(documented) == set(cls.returns.values()) | set(cls.computed), name


def option_doc(spec: dict[str, Any]) -> dict[str, Any]:
    """An argument spec entry in the shape of its documentation."""
    doc = {"type": spec.get("type", "str")}
    for key in ("required", "choices", "default", "aliases", "elements"):
        if spec.get(key) not in (None, False):
            doc[key] = spec[key]
    return doc


def documented_options(options: dict[str, Any]) -> dict[str, Any]:
    return {name: option_doc({k: v for k, v in doc.items() if k != "description"})
            for name, doc in options.items()}


@pytest.mark.parametrize("name", MODULES)
def test_docs_describe_the_argument_spec(name: str) -> None:
    module, cls = load(name)
    doc = yaml.safe_load(module.DOCUMENTATION)
    assert doc["module"] == name
    assert documented_options(doc["options"]) == \
        {option: option_doc(spec) for option, spec in cls.options.items()}
    fragments = doc["extends_documentation_fragment"]
    assert "cirrus.cloud.cirrus" in fragments
    kind = "info_attributes" if issubclass(cls, InfoModule) else "attributes"
    assert f"cirrus.cloud.cirrus.{kind}" in fragments


def test_the_connection_fragment_describes_the_connection_options() -> None:
    doc = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)
    assert documented_options(doc["options"]) == \
        {option: option_doc(spec) for option, spec in connection_spec().items()}


def test_every_module_is_in_the_action_group() -> None:
    with open(os.path.join(COLLECTION, "meta", "runtime.yml")) as handle:
        runtime = yaml.safe_load(handle)
    group = set(runtime["action_groups"]["cirrus"])
    assert set(MODULES) <= group
    redirects = runtime["plugin_routing"]["modules"]
    # ngine_io.cloudstack's names that differ from ours.
    assert {old: route["redirect"] for old, route in redirects.items()} == {
        "image_store": "cirrus.cloud.secondary_storage",
        "lb_rule": "cirrus.cloud.loadbalancer_rule",
        "lb_rule_member": "cirrus.cloud.loadbalancer_rule_member",
        "portforward": "cirrus.cloud.port_forward",
        "volume_snapshot_policy": "cirrus.cloud.snapshot_policy",
    }
    assert set(redirects) <= group
    for target in (route["redirect"].rsplit(".", 1)[1] for route in redirects.values()):
        assert target in MODULES, target
