"""listCapacity."""

from __future__ import annotations

from dataclasses import dataclass

from appliance.api.params import INTEGER, STRING, UUID, param
from appliance.api.registry import ROOT_ADMIN, ListCommand, api_command
from appliance.api.responses.infra import CAPACITY
from appliance.services.context import CallContext
from appliance.services.infra import capacity
from appliance.services.infra.capacity import CapacityView
from appliance.services.paging import Page


@api_command("listCapacity", response=CAPACITY, roles=ROOT_ADMIN)
@dataclass(frozen=True)
class ListCapacity(ListCommand):
    """Lists all the system wide capacities."""

    zoneid: str | None = param(UUID, doc="lists capacity by the Zone ID")
    podid: str | None = param(UUID, doc="lists capacity by the Pod ID")
    clusterid: str | None = param(UUID, doc="lists capacity by the Cluster ID")
    type: int | None = param(INTEGER, doc="lists capacity by type: 0 memory, 1 CPU, "
                             "2 storage, 3 storage allocated, 4 public IPs, 5 private IPs, "
                             "6 secondary storage, 8 direct IPs, 9 local storage")
    sortby: str | None = param(STRING, doc="sort by usage (highest percentage first)")

    def run(self, ctx: CallContext) -> Page[CapacityView]:
        return capacity.list_capacity(ctx, zone_id=self.zoneid, pod_id=self.podid,
                                      cluster_id=self.clusterid, capacity_type=self.type,
                                      sort_by=self.sortby, page=self.page,
                                      pagesize=self.pagesize)
