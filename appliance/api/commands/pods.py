"""createPod, updatePod, deletePod, listPods."""

from __future__ import annotations

from dataclasses import dataclass

from appliance.api.params import BOOLEAN, STRING, UUID, param
from appliance.api.registry import ROOT_ADMIN, Command, ListCommand, api_command
from appliance.api.responses.infra import POD
from appliance.models import Pod
from appliance.services import infra
from appliance.services.context import CallContext
from appliance.services.infra import pods
from appliance.services.paging import Page


@api_command("createPod", response=POD, roles=ROOT_ADMIN, event="POD.CREATE",
             related=("listPods",))
@dataclass(frozen=True)
class CreatePod(Command):
    """Creates a new Pod."""

    zoneid: str = param(UUID, required=True, doc="the Zone ID in which the Pod will be created")
    name: str = param(STRING, required=True, doc="the name of the Pod")
    gateway: str = param(STRING, required=True, doc="the gateway for the Pod")
    netmask: str = param(STRING, required=True, doc="the netmask for the Pod")
    startip: str = param(STRING, required=True, doc="the starting IP address for the Pod")
    endip: str | None = param(STRING, doc="the ending IP address for the Pod")
    allocationstate: str | None = param(STRING, doc="Enabled or Disabled")

    def run(self, ctx: CallContext) -> Pod:
        return pods.create(ctx, zone_id=self.zoneid, name=self.name, gateway=self.gateway,
                           netmask=self.netmask, start_ip=self.startip, end_ip=self.endip,
                           allocation_state=self.allocationstate)


@api_command("updatePod", response=POD, roles=ROOT_ADMIN, event="POD.EDIT",
             related=("listPods",))
@dataclass(frozen=True)
class UpdatePod(Command):
    """Updates a Pod."""

    id: str = param(UUID, required=True, doc="the ID of the Pod")
    name: str | None = param(STRING, doc="the name of the Pod")
    gateway: str | None = param(STRING, doc="the gateway for the Pod")
    netmask: str | None = param(STRING, doc="the netmask of the Pod")
    startip: str | None = param(STRING, doc="the starting IP address for the Pod")
    endip: str | None = param(STRING, doc="the ending IP address for the Pod")
    allocationstate: str | None = param(STRING, doc="Enabled or Disabled")

    def run(self, ctx: CallContext) -> Pod:
        return pods.update(ctx, infra.pod(ctx, self.id), name=self.name, gateway=self.gateway,
                           netmask=self.netmask, start_ip=self.startip, end_ip=self.endip,
                           allocation_state=self.allocationstate)


@api_command("deletePod", roles=ROOT_ADMIN, event="POD.DELETE")
@dataclass(frozen=True)
class DeletePod(Command):
    """Deletes a Pod."""

    id: str = param(UUID, required=True, doc="the ID of the Pod")

    def run(self, ctx: CallContext) -> None:
        pods.delete(ctx, infra.pod(ctx, self.id))


@api_command("listPods", response=POD, roles=ROOT_ADMIN)
@dataclass(frozen=True)
class ListPods(ListCommand):
    """Lists all Pods."""

    id: str | None = param(UUID, doc="list Pods by ID")
    name: str | None = param(STRING, doc="list Pods by name")
    zoneid: str | None = param(UUID, doc="list Pods by Zone ID")
    allocationstate: str | None = param(STRING, doc="list pods by allocation state")
    showcapacities: bool | None = param(BOOLEAN, doc="flag to display the capacity of the "
                                        "pods")

    def run(self, ctx: CallContext) -> Page[Pod]:
        if self.showcapacities:
            ctx.cache["showcapacities"] = True
        return pods.list_pods(ctx, pod_id=self.id, name=self.name, zone_id=self.zoneid,
                              allocation_state=self.allocationstate, keyword=self.keyword,
                              page=self.page, pagesize=self.pagesize)
