"""createTags, deleteTags, listTags: key/value tags on a caller's resources."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from appliance.api.params import LIST, MAP, STRING, UUID, param
from appliance.api.registry import ALL_ROLES, Command, OwnedListCommand, api_command
from appliance.api.responses.catalog import TAG
from appliance.models import ResourceTag
from appliance.services import tags
from appliance.services.context import CallContext
from appliance.services.paging import Page

_TYPES_DOC = "type of the resource: " + ", ".join(tags.RESOURCE_TYPES)


@api_command("createTags", is_async=True, roles=ALL_ROLES, event="CREATE_TAGS",
             instance_type="Tag", idempotent=False, related=("listTags",))
@dataclass(frozen=True)
class CreateTags(Command):
    """Creates resource tag(s)"""

    resourceids: list[str] = param(LIST, required=True, item_type=UUID,
                                   doc="list of resources to create the tags for")
    resourcetype: str = param(STRING, required=True, doc=_TYPES_DOC)
    tags: Any = param(MAP, required=True, doc="Map of tags (key/value pairs): "
                      "tags[0].key=...&tags[0].value=...")
    customer: str | None = param(STRING, doc="identifies client specific tag")

    def accept(self, ctx: CallContext) -> str | None:
        tags.check_create(ctx, self.resourcetype, self.resourceids, self.tags)
        return None

    def run(self, ctx: CallContext) -> None:
        tags.create(ctx, self.resourcetype, self.resourceids, self.tags, self.customer)


@api_command("deleteTags", is_async=True, roles=ALL_ROLES, event="DELETE_TAGS",
             instance_type="Tag", idempotent=True, related=("listTags",))
@dataclass(frozen=True)
class DeleteTags(Command):
    """Deleting resource tag(s)"""

    resourceids: list[str] = param(LIST, required=True, item_type=UUID,
                                   doc="Delete tags for resource id(s)")
    resourcetype: str = param(STRING, required=True, doc=_TYPES_DOC)
    tags: Any = param(MAP, doc="Delete tags matching key/value pairs (all when omitted)")

    def accept(self, ctx: CallContext) -> str | None:
        tags.check_delete(ctx, self.resourcetype, self.resourceids)
        return None

    def run(self, ctx: CallContext) -> None:
        tags.delete(ctx, self.resourcetype, self.resourceids, self.tags)


@api_command("listTags", response=TAG, roles=ALL_ROLES)
@dataclass(frozen=True)
class ListTags(OwnedListCommand):
    """List resource tag(s)"""

    resourceid: str | None = param(STRING, doc="list by resource id")
    resourcetype: str | None = param(STRING, doc="list by resource type")
    key: str | None = param(STRING, doc="list by key")
    value: str | None = param(STRING, doc="list by value")
    customer: str | None = param(STRING, doc="list by customer name")

    def run(self, ctx: CallContext) -> Page[ResourceTag]:
        return tags.list_tags(ctx, rtype=self.resourcetype, resource_id=self.resourceid,
                              key=self.key, value=self.value, customer=self.customer,
                              owner=self.owner_filter(), keyword=self.keyword,
                              page=self.page, pagesize=self.pagesize)
