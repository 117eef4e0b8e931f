"""listConfigurations, updateConfiguration (global parameters)."""

from __future__ import annotations

from dataclasses import dataclass

from appliance.api.params import STRING, param
from appliance.api.registry import ROOT_ADMIN, Command, ListCommand, api_command
from appliance.api.responses.ops import CONFIGURATION
from appliance.services import configuration
from appliance.services.context import CallContext
from appliance.services.paging import Page


@api_command("listConfigurations", response=CONFIGURATION, roles=ROOT_ADMIN,
             related=("updateConfiguration",))
@dataclass(frozen=True)
class ListConfigurations(ListCommand):
    """Lists all configurations"""

    name: str | None = param(STRING, doc="lists configuration by name (substring)")
    category: str | None = param(STRING, doc="lists configurations by category")

    def run(self, ctx: CallContext) -> Page[configuration.Parameter]:
        found = configuration.search(self.name, self.category, self.keyword)
        size = self.pagesize if self.pagesize and self.pagesize > 0 else len(found) or 1
        start = ((self.page or 1) - 1) * size
        return Page(found[start:start + size], len(found))


@api_command("updateConfiguration", response=CONFIGURATION, roles=ROOT_ADMIN,
             event="CONFIGURATION.VALUE.EDIT", related=("listConfigurations",))
@dataclass(frozen=True)
class UpdateConfiguration(Command):
    """Updates a configuration; an empty value restores the default"""

    name: str = param(STRING, required=True, doc="the name of the configuration")
    value: str | None = param(STRING, length=4096, doc="the value of the configuration")

    def run(self, ctx: CallContext) -> configuration.Parameter:
        return configuration.set_value(ctx.session, self.name, self.value)

    def describe(self) -> str:
        return f"setting {self.name} to {self.value!r}"
