"""addHost, updateHost, deleteHost, reconnectHost, prepareHostForMaintenance,
cancelHostMaintenance, listHosts, listHypervisors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from appliance.api.params import BOOLEAN, STRING, UUID, param
from appliance.api.registry import ALL_ROLES, ROOT_ADMIN, Command, ListCommand, api_command
from appliance.api.responses.infra import HOST, HYPERVISOR
from appliance.drivers.hypervisor import supported
from appliance.models import Cluster, Host
from appliance.services import infra
from appliance.services.context import CallContext
from appliance.services.infra import hosts
from appliance.services.paging import Page


@api_command("addHost", response=HOST, kind="list", roles=ROOT_ADMIN, related=("listHosts",))
@dataclass(frozen=True)
class AddHost(Command):
    """Adds a new host."""

    zoneid: str = param(UUID, required=True, doc="the Zone ID for the host")
    hypervisor: str = param(STRING, required=True, doc="hypervisor type of the host")
    url: str = param(STRING, required=True, length=1024,
                     doc="the host URL; simulator: http://sim/NAME[?cpus=&cpuspeed=&memory=]")
    username: str = param(STRING, required=True, doc="the username for the host")
    password: str = param(STRING, required=True, doc="the password for the host")
    podid: str | None = param(UUID, doc="the Pod ID for the host")
    clusterid: str | None = param(UUID, doc="the cluster ID for the host")
    clustername: str | None = param(STRING, doc="the cluster name for the host (created in "
                                    "the pod when missing)")
    hosttags: str | None = param(STRING, length=1024, doc="list of tags to be added to the "
                                 "host")
    allocationstate: str | None = param(STRING, doc="Allocation state of this Host for "
                                        "allocation of new resources")

    def run(self, ctx: CallContext) -> Page[Host]:
        host = hosts.add(ctx, zone_id=self.zoneid, pod_id=self.podid,
                         cluster_id=self.clusterid, cluster_name=self.clustername,
                         hypervisor=self.hypervisor, url=self.url, username=self.username,
                         password=self.password, host_tags=self.hosttags,
                         allocation_state=self.allocationstate)
        return Page([host], 1)

    def describe(self) -> str:
        return f"adding host {self.url}"


@api_command("updateHost", response=HOST, roles=ROOT_ADMIN, related=("listHosts",))
@dataclass(frozen=True)
class UpdateHost(Command):
    """Updates a host."""

    id: str = param(UUID, required=True, doc="the ID of the host to update")
    allocationstate: str | None = param(STRING, doc="Change resource state of host, valid "
                                        "values are [Enable, Disable]")
    hosttags: str | None = param(STRING, length=1024, doc="list of tags to be added to the "
                                 "host")
    oscategoryid: str | None = param(UUID, doc="the id of Os category to update the host "
                                     "with")

    def run(self, ctx: CallContext) -> Host:
        return hosts.update(ctx, infra.host(ctx, self.id),
                            allocation_state=self.allocationstate, host_tags=self.hosttags,
                            os_category_id=self.oscategoryid)


@api_command("deleteHost", roles=ROOT_ADMIN)
@dataclass(frozen=True)
class DeleteHost(Command):
    """Deletes a host."""

    id: str = param(UUID, required=True, doc="the host ID")
    forced: bool | None = param(BOOLEAN, doc="delete the host even while VMs are active on "
                                "it")
    forcedestroylocalstorage: bool | None = param(BOOLEAN, doc="destroy local storage on "
                                                  "the host (accepted, always done)")

    def run(self, ctx: CallContext) -> None:
        hosts.delete(ctx, infra.host(ctx, self.id), forced=bool(self.forced))


@api_command("reconnectHost", response=HOST, is_async=True, roles=ROOT_ADMIN,
             event="HOST.RECONNECT", instance_type="Host", idempotent=True)
@dataclass(frozen=True)
class ReconnectHost(Command):
    """Reconnects a host."""

    id: str = param(UUID, required=True, doc="the host ID")

    def accept(self, ctx: CallContext) -> str | None:
        infra.require_root(ctx, "reconnect hosts")
        return infra.host(ctx, self.id).id

    def run(self, ctx: CallContext) -> Host:
        return hosts.reconnect(ctx, infra.host(ctx, self.id))


@api_command("prepareHostForMaintenance", response=HOST, is_async=True, roles=ROOT_ADMIN,
             event="MAINT.PREPARE", instance_type="Host", idempotent=True)
@dataclass(frozen=True)
class PrepareHostForMaintenance(Command):
    """Prepares a host for maintenance."""

    id: str = param(UUID, required=True, doc="the host ID")

    def accept(self, ctx: CallContext) -> str | None:
        host = infra.host(ctx, self.id)
        hosts.check_prepare_maintenance(ctx, host)
        return host.id

    def run(self, ctx: CallContext) -> Host:
        host = infra.host(ctx, self.id)
        if host.resource_state == hosts.R.MAINTENANCE:  # resumed after a takeover
            return host
        return hosts.prepare_maintenance(ctx, host)


@api_command("cancelHostMaintenance", response=HOST, is_async=True, roles=ROOT_ADMIN,
             event="MAINT.CANCEL", instance_type="Host", idempotent=True)
@dataclass(frozen=True)
class CancelHostMaintenance(Command):
    """Cancels host maintenance."""

    id: str = param(UUID, required=True, doc="the host ID")

    def accept(self, ctx: CallContext) -> str | None:
        host = infra.host(ctx, self.id)
        hosts.check_cancel_maintenance(ctx, host)
        return host.id

    def run(self, ctx: CallContext) -> Host:
        return hosts.cancel_maintenance(ctx, infra.host(ctx, self.id))


@api_command("listHosts", response=HOST, roles=ROOT_ADMIN)
@dataclass(frozen=True)
class ListHosts(ListCommand):
    """Lists hosts."""

    id: str | None = param(UUID, doc="the id of the host")
    name: str | None = param(STRING, doc="the name of the host")
    zoneid: str | None = param(UUID, doc="the Zone ID for the host")
    podid: str | None = param(UUID, doc="the Pod ID for the host")
    clusterid: str | None = param(UUID, doc="lists hosts existing in particular cluster")
    type: str | None = param(STRING, doc="the host type: Routing or SecondaryStorage")
    state: str | None = param(STRING, doc="the state of the host")
    resourcestate: str | None = param(STRING, doc="list hosts by resource state")
    hypervisor: str | None = param(STRING, doc="hypervisor type of host")

    def run(self, ctx: CallContext) -> Page[Any]:
        return hosts.list_hosts(
            ctx, host_id=self.id, name=self.name, zone_id=self.zoneid, pod_id=self.podid,
            cluster_id=self.clusterid, host_type=self.type, state=self.state,
            resource_state=self.resourcestate, hypervisor=self.hypervisor,
            keyword=self.keyword, page=self.page, pagesize=self.pagesize)


@api_command("listHypervisors", response=HYPERVISOR, roles=ALL_ROLES)
@dataclass(frozen=True)
class ListHypervisors(Command):
    """List hypervisors"""

    zoneid: str | None = param(UUID, doc="the zone id for listing hypervisors")

    def run(self, ctx: CallContext) -> Page[str]:
        names = supported()
        if self.zoneid is not None:
            zone = infra.zone(ctx, self.zoneid)
            in_zone = set(ctx.session.scalars(select(Cluster.hypervisor).where(
                Cluster.zone_id == zone.id, Cluster.removed.is_(None))))
            names = sorted({str(h) for h in in_zone})
        return Page(names, len(names))
