"""listOsTypes and listOsCategories."""

from __future__ import annotations

from dataclasses import dataclass

from appliance.api.params import STRING, UUID, param
from appliance.api.registry import ALL_ROLES, ListCommand, api_command
from appliance.api.responses.catalog import OS_CATEGORY, OS_TYPE
from appliance.models import OsCategory, OsType
from appliance.services import ostypes
from appliance.services.context import CallContext
from appliance.services.paging import Page


@api_command("listOsTypes", response=OS_TYPE, roles=ALL_ROLES)
@dataclass(frozen=True)
class ListOsTypes(ListCommand):
    """Lists all supported OS types for this cloud"""

    id: str | None = param(UUID, doc="list by Os type Id")
    oscategoryid: str | None = param(UUID, doc="list by Os Category id")
    description: str | None = param(STRING, doc="list os by description")

    def run(self, ctx: CallContext) -> Page[OsType]:
        return ostypes.list_os_types(ctx, os_type_id=self.id, category_id=self.oscategoryid,
                                     description=self.description, keyword=self.keyword,
                                     page=self.page, pagesize=self.pagesize)


@api_command("listOsCategories", response=OS_CATEGORY, roles=ALL_ROLES)
@dataclass(frozen=True)
class ListOsCategories(ListCommand):
    """Lists all supported OS categories for this cloud"""

    id: str | None = param(UUID, doc="list Os category by id")
    name: str | None = param(STRING, doc="list os category by name")

    def run(self, ctx: CallContext) -> Page[OsCategory]:
        return ostypes.list_os_categories(ctx, category_id=self.id, name=self.name,
                                          keyword=self.keyword, page=self.page,
                                          pagesize=self.pagesize)
