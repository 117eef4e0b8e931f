"""listApis (generated from the declarations) and listCapabilities."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from appliance import __version__
from appliance.api.params import STRING, param
from appliance.api.registry import ALL_ROLES, Command, CommandSpec, all_commands, api_command
from appliance.api.responses import ResponseSpec
from appliance.services import configuration
from appliance.services.context import CallContext
from appliance.services.paging import Page


def describe_api(spec: CommandSpec) -> dict[str, Any]:
    """One entry of listApis, as CloudMonkey reads it."""
    params = [
        {
            "name": p.name,
            "description": p.doc,
            "type": p.type.name,
            "required": p.required,
            "length": p.length if p.length is not None else 255,
            **({"since": p.since} if p.since else {}),
        }
        for p in spec.params
    ]
    if spec.is_async:
        response = [{"name": "jobid", "description": "the ID of the async job",
                     "type": "string"}]
    elif spec.response is not None:
        response = [{"name": name, "description": doc, "type": "string"}
                    for name, doc in spec.response.fields]
    else:
        response = [{"name": "success", "description": "true if the operation succeeded",
                     "type": "boolean"}]
    return {
        "name": spec.name,
        "description": spec.doc,
        "since": spec.since,
        "isasync": spec.is_async,
        "related": ",".join(spec.related),
        "params": params,
        "response": response,
    }


API = ResponseSpec("api", (
    ("name", "the name of the api command"), ("description", "description of the api"),
    ("since", "version of CloudStack the api was introduced in"),
    ("isasync", "true if api is asynchronous"), ("related", "comma separated related apis"),
    ("params", "the list params the api accepts"), ("response", "api response fields"),
), lambda spec, ctx: describe_api(spec))


@api_command("listApis", response=API, roles=ALL_ROLES)
@dataclass(frozen=True)
class ListApis(Command):
    """Lists all available apis on the server, provided by the API discovery plugin"""

    name: str | None = param(STRING, doc="API name")

    def run(self, ctx: CallContext) -> Page[CommandSpec]:
        role = ctx.caller.account.type
        specs = [s for s in all_commands() if role in s.roles
                 and (self.name is None or s.name.lower() == self.name.lower())]
        return Page(specs, len(specs))


def _render_capabilities(_: object, ctx: CallContext) -> dict[str, Any]:
    return {
        "cloudstackversion": __version__,
        "securitygroupsenabled": False,
        "userpublictemplateenabled": True,
        "supportELB": "false",
        "projectinviterequired": False,
        "allowusercreateprojects": False,
        "customdiskofferingmaxsize": configuration.get(ctx.session, "max.volume.size.gb"),
        "kvmsnapshotenabled": True,
        "apilimitinterval": 1,
        "apilimitmax": 0,
        "defaultpagesize": configuration.get(ctx.session, "default.page.size"),
    }


CAPABILITY = ResponseSpec("capability", (
    ("cloudstackversion", "version of the management server"),
    ("securitygroupsenabled", "true if security groups support is enabled"),
    ("userpublictemplateenabled", "true if users can create public templates"),
    ("customdiskofferingmaxsize", "maximum size (GB) of a custom disk offering"),
    ("kvmsnapshotenabled", "true if snapshots of KVM volumes are supported"),
    ("defaultpagesize", "default page size of list commands"),
), _render_capabilities)


@api_command("listCapabilities", response=CAPABILITY, roles=ALL_ROLES, kind="object")
@dataclass(frozen=True)
class ListCapabilities(Command):
    """Lists capabilities"""

    def run(self, ctx: CallContext) -> object:
        return object()
