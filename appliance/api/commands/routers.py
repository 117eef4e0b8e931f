"""Virtual routers (seed §5.1, §11.8): listing and their life cycle, for admins."""

from __future__ import annotations

from dataclasses import dataclass

from appliance.api.params import BOOLEAN, STRING, UUID, param
from appliance.api.registry import ADMINS, Command, OwnedListCommand, api_command
from appliance.api.responses.routers import ROUTER
from appliance.errors import ParamError
from appliance.models.router import DomainRouter, RouterState
from appliance.orchestration import router as vr
from appliance.services.context import CallContext
from appliance.services.network import routers
from appliance.services.paging import Page

INSTANCE = "DomainRouter"


@api_command("listRouters", response=ROUTER, roles=ADMINS)
@dataclass(frozen=True)
class ListRouters(OwnedListCommand):
    """List routers."""

    id: str | None = param(UUID, doc="the ID of the disk router")
    name: str | None = param(STRING, doc="the name of the router")
    state: str | None = param(STRING, doc="the state of the router")
    zoneid: str | None = param(UUID, doc="the Zone ID of the router")
    networkid: str | None = param(UUID, doc="list by network id")
    hostid: str | None = param(UUID, doc="the host ID of the router")
    fordisplay: bool | None = param(BOOLEAN, doc="ignored (every router is displayed)")

    def run(self, ctx: CallContext) -> Page[DomainRouter]:
        return routers.list_routers(
            ctx, router_id=self.id, name=self.name, state=self.state, zone_id=self.zoneid,
            network_id=self.networkid, host_id=self.hostid, keyword=self.keyword,
            owner=self.owner_filter(), page=self.page, pagesize=self.pagesize)


@dataclass(frozen=True)
class _RouterCommand(Command):
    id: str = param(UUID, required=True, doc="the ID of the router")

    def accept(self, ctx: CallContext) -> str | None:
        return routers.get(ctx, self.id).id


@api_command("startRouter", response=ROUTER, is_async=True, roles=ADMINS,
             event="ROUTER.START", instance_type=INSTANCE)
@dataclass(frozen=True)
class StartRouter(_RouterCommand):
    """Starts a router (and applies its network's whole configuration)."""

    def run(self, ctx: CallContext) -> DomainRouter:
        return vr.start(ctx, routers.get(ctx, self.id))


@api_command("stopRouter", response=ROUTER, is_async=True, roles=ADMINS,
             event="ROUTER.STOP", instance_type=INSTANCE)
@dataclass(frozen=True)
class StopRouter(_RouterCommand):
    """Stops a router."""

    forced: bool | None = param(BOOLEAN, doc="Force stop the VM (the router stops at once "
                                "either way)")

    def run(self, ctx: CallContext) -> DomainRouter:
        return vr.stop(ctx, routers.get(ctx, self.id))


@api_command("rebootRouter", response=ROUTER, is_async=True, roles=ADMINS,
             event="ROUTER.REBOOT", instance_type=INSTANCE)
@dataclass(frozen=True)
class RebootRouter(_RouterCommand):
    """Reboots a router: stopped and started on its host, its configuration applied again."""

    def accept(self, ctx: CallContext) -> str | None:
        router = routers.get(ctx, self.id)
        if router.state != RouterState.RUNNING:
            raise ParamError(f"Router {router.name} is {router.state}: only a Running "
                             "router can be rebooted")
        return router.id

    def run(self, ctx: CallContext) -> DomainRouter:
        return vr.reboot(ctx, routers.get(ctx, self.id))


@api_command("destroyRouter", response=ROUTER, is_async=True, roles=ADMINS,
             event="ROUTER.DESTROY", instance_type=INSTANCE)
@dataclass(frozen=True)
class DestroyRouter(_RouterCommand):
    """Destroys a router; its network gets a new one when a guest starts or the network
    is restarted."""

    def run(self, ctx: CallContext) -> DomainRouter:
        router = routers.get(ctx, self.id)
        vr.destroy(ctx, router)
        return router
