"""Network elements (seed §5.1: the providers of a network's services): one interface,
the virtual router now, the seed's external firewalls and load balancers later.

The orchestration calls an element at four points of a network's life; an element that
does not provide a network's services does nothing there.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from appliance.models import Host, Network
from appliance.models.router import RouterState
from appliance.orchestration import router as vr
from appliance.services.context import CallContext
from appliance.services.network import routers


class NetworkElement(Protocol):
    name: str

    def prepare(self, ctx: CallContext, network: Network, host: Host,
                since: datetime | None = None) -> None:
        """The network's services are ready for a guest about to start on `host`, whose
        state changed at `since` (what the element serves must be read after that)."""

    def apply(self, ctx: CallContext, network_id: str) -> None:
        """The network's rules, addresses or guests changed: make them live."""

    def restart(self, ctx: CallContext, network: Network, *, cleanup: bool) -> None:
        """Rebuild everything the element holds for the network (cleanup: from scratch)."""

    def release(self, ctx: CallContext, network: Network) -> None:
        """The network is being deleted: remove what the element holds for it."""


class VirtualRouterElement:
    """CloudStack's VirtualRouter provider: DHCP, DNS, user data, SNAT, port forwarding,
    static NAT, firewall, load balancing and VPN in one router per network."""

    name = "VirtualRouter"

    def prepare(self, ctx: CallContext, network: Network, host: Host,
                since: datetime | None = None) -> None:
        router = vr.ensure_router(ctx, network)
        if router.state == RouterState.RUNNING:
            vr.apply(ctx, network.id, since=since)
        else:
            vr.start(ctx, router, host)

    def apply(self, ctx: CallContext, network_id: str) -> None:
        vr.apply(ctx, network_id)

    def restart(self, ctx: CallContext, network: Network, *, cleanup: bool) -> None:
        router = routers.router_of(ctx, network.id)
        near = None
        if router is not None:
            near = ctx.session.get(Host, router.host_id or router.last_host_id or "")
            if cleanup:
                vr.destroy(ctx, router)
                router = None
        if router is None:
            router = vr.ensure_router(ctx, network)
        if router.state == RouterState.RUNNING:
            vr.apply(ctx, network.id, force=True)
        else:
            vr.start(ctx, router, near)

    def release(self, ctx: CallContext, network: Network) -> None:
        router = routers.router_of(ctx, network.id)
        if router is not None:
            vr.destroy(ctx, router)


ELEMENTS: dict[str, NetworkElement] = {"VirtualRouter": VirtualRouterElement()}


def for_network(network: Network) -> list[NetworkElement]:
    """The elements providing `network`'s services (every guest network's offering here
    names the virtual router for all of them)."""
    return [ELEMENTS["VirtualRouter"]]


def apply(ctx: CallContext, network_id: str | None) -> None:
    """The network's rules, addresses or guests changed (and the change is committed
    first): each element makes them live before the job that changed them ends."""
    if network_id is None:
        return
    ctx.checkpoint()
    network = ctx.session.get(Network, network_id)
    if network is None or network.removed is not None:
        return
    for element in for_network(network):
        element.apply(ctx, network_id)


def release(ctx: CallContext, network: Network) -> None:
    """Before the network is deleted: every element lets go of it."""
    for element in for_network(network):
        element.release(ctx, network)


def restart(ctx: CallContext, network: Network, *, cleanup: bool) -> None:
    """restartNetwork: every element rebuilds the network's services (from scratch with
    cleanup)."""
    for element in for_network(network):
        element.restart(ctx, network, cleanup=cleanup)
