"""listEvents, listEventTypes (seed §15.1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from appliance.api.params import DATE, STRING, UUID, param
from appliance.api.registry import ALL_ROLES, Command, OwnedListCommand, api_command
from appliance.api.responses.ops import EVENT, EVENT_TYPE
from appliance.models import Event
from appliance.services import events
from appliance.services.context import CallContext
from appliance.services.paging import Page


@api_command("listEvents", response=EVENT, roles=ALL_ROLES, related=("listEventTypes",))
@dataclass(frozen=True)
class ListEvents(OwnedListCommand):
    """A command to list events"""

    id: str | None = param(UUID, doc="the ID of the event")
    type: str | None = param(STRING, doc="the event type (see listEventTypes)")
    level: str | None = param(STRING, doc="the event level (INFO, WARN, ERROR)")
    startdate: date | datetime | None = param(
        DATE, doc="the start date range of the list (yyyy-MM-dd or yyyy-MM-dd HH:mm:ss, UTC)")
    enddate: date | datetime | None = param(
        DATE, doc="the end date range of the list (yyyy-MM-dd or yyyy-MM-dd HH:mm:ss, UTC)")

    def run(self, ctx: CallContext) -> Page[Event]:
        return events.list_events(
            ctx, event_id=self.id, type=self.type, level=self.level, start=self.startdate,
            end=self.enddate, owner=self.owner_filter(), keyword=self.keyword,
            page=self.page, pagesize=self.pagesize)


@api_command("listEventTypes", response=EVENT_TYPE, roles=ALL_ROLES, related=("listEvents",))
@dataclass(frozen=True)
class ListEventTypes(Command):
    """List Event Types"""

    def run(self, ctx: CallContext) -> Page[str]:
        return Page(list(events.EVENT_TYPES), len(events.EVENT_TYPES))
