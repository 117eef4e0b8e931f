"""The virtual router on hosts (seed §5, §11.8): started where its network's first guest
starts, configured by roles/virtual_router from its whole rendered configuration.

Hosting: on a KVM/LXC host the router is a network namespace made by roles/router_netns
(playbooks router_start/stop/destroy) with eth0 on the guest bridge, eth1 on the host's
link-local bridge cloud0 and eth2 on the public bridge; Ansible reaches its sshd on eth1
through the host (ProxyCommand), as CloudStack reaches a router over link-local. On the
simulator a router has nothing to configure: it runs as soon as it is recorded.

Applying: every change of a network's rules or guests bumps its `rules_version`
(services/network/changes.py). `apply` takes the router's automation lock, then renders
and applies the configuration at the version current at that moment, unless the router
already applied it: changes that arrive while a run is going on wait for the lock and are
then covered by one run.
"""

from __future__ import annotations

import re
import shlex
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from appliance import automation
from appliance.automation import inventory, keys, locks
from appliance.errors import CloudError, InsufficientCapacity
from appliance.models import FirewallRule, Host, Network, Nic, RuleState, VirtualMachine
from appliance.models.base import utcnow
from appliance.models.infra import HostStatus
from appliance.models.network import bridge_name
from appliance.models.router import DomainRouter, RouterState
from appliance.orchestration import hosts as host_setup
from appliance.orchestration.actions import guest_network_var
from appliance.services import configuration
from appliance.services.context import CallContext
from appliance.services.network import router_config, routers, vpn

ROUTER_HYPERVISORS = frozenset({"Simulator", *host_setup.AUTOMATED})
UNTAGGED_BRIDGE = "cloudbr0"


# -- where a router runs -------------------------------------------------------------------

def _vlan_id(vlan: str | None) -> int | None:
    match = re.search(r"(\d+)$", vlan or "")
    return int(match.group(1)) if match and "untagged" not in (vlan or "") else None


def _public_bridge(ctx: CallContext, network: Network) -> str:
    """The host bridge of the network's public range: br<dev>-<vlan> for a tagged range,
    cloudbr0 untagged. Public bridges are host configuration (CloudStack's public traffic
    label): they exist on every host that may run routers, Cirrus does not make them."""
    addresses = routers.public_addresses(ctx, network.id)
    vlan_range = routers.public_range_of(ctx, addresses[0]) if addresses else None
    vlan = _vlan_id(vlan_range.vlan if vlan_range else None)
    return UNTAGGED_BRIDGE if vlan is None else bridge_name("vlan", vlan)


def _hosting_vars(ctx: CallContext, router: DomainRouter, network: Network) -> dict[str, Any]:
    interfaces = [{"name": router_config.GUEST_INTERFACE, "bridge": network.bridge,
                   "mac": router.guest_mac}]
    bridges = []
    if network.vnet is not None:
        bridges.append(guest_network_var(network.isolation, network.vnet))
    if routers.has_public_side(network) and routers.public_addresses(ctx, network.id):
        interfaces.append({"name": router_config.PUBLIC_INTERFACE,
                           "bridge": _public_bridge(ctx, network), "mac": router.public_mac})
    return {"router_host": {"name": router.name, "control_ip": router.control_ip,
                            "ssh_port": routers.SSH_PORT,
                            "authorized_key": keys.public_key(), "interfaces": interfaces},
            "guest_networks": bridges}


def router_inventory(ctx: CallContext, router: DomainRouter, host: Host
                     ) -> automation.InventoryHost:
    """The router as an inventory host: its control address, through its host's sshd."""
    entry = inventory.host_entry(host, python=str(configuration.get(
        ctx.session, "automation.python.interpreter")))
    key = keys.private_key_path()
    hop = " ".join(shlex.quote(part) for part in (
        "ssh", "-i", key, "-o", "StrictHostKeyChecking=no", "-o",
        "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-W", "%h:%p",
        f"{entry.vars['ansible_user']}@{entry.vars['ansible_host']}"))
    return automation.InventoryHost(router.name, {
        "ansible_host": router.control_ip, "ansible_port": routers.SSH_PORT,
        "ansible_user": "root", "ansible_ssh_private_key_file": key,
        "ansible_python_interpreter": entry.vars["ansible_python_interpreter"],
        "ansible_ssh_common_args": f"-o ProxyCommand={shlex.quote(hop)} "
                                   "-o StrictHostKeyChecking=no "
                                   "-o UserKnownHostsFile=/dev/null",
        "cirrus_router_id": router.id})


def _pick_host(ctx: CallContext, router: DomainRouter, near: Host | None) -> Host:
    """`near` (the host a guest is starting on), else where the router ran last, else a
    host running one of the network's guests, else any Up host of the zone."""
    session = ctx.session
    candidates: list[Host | None] = [near]
    if router.last_host_id:
        candidates.append(session.get(Host, router.last_host_id))
    candidates += list(session.scalars(
        select(Host).join(VirtualMachine, VirtualMachine.host_id == Host.id)
        .join(Nic, Nic.vm_id == VirtualMachine.id)
        .where(Nic.network_id == router.network_id).limit(3)))
    candidates += list(session.scalars(select(Host).where(
        Host.zone_id == router.zone_id, Host.type == "Routing", Host.removed.is_(None),
        Host.status == HostStatus.UP).order_by(Host.name)))
    for host in candidates:
        if (host is not None and host.removed is None and host.status == HostStatus.UP
                and str(host.hypervisor) in ROUTER_HYPERVISORS):
            return host
    raise InsufficientCapacity(f"No host in the zone can run router {router.name}")


def _host(ctx: CallContext, router: DomainRouter) -> Host | None:
    return ctx.session.get(Host, router.host_id) if router.host_id else None


# -- life cycle ----------------------------------------------------------------------------

def ensure_router(ctx: CallContext, network: Network) -> DomainRouter:
    """The network's router, made if it has none. Jobs making it serialize on an automation
    lock of the network rather than on its row, which every new NIC's foreign key reads
    (on MariaDB a lock there waiting for anything else deadlocks concurrent deploys)."""
    router = routers.router_of(ctx, network.id)
    if router is not None:
        return router
    with locks.held(ctx, [f"network-router:{network.id}"]):
        current = ctx.session.get(Network, network.id, populate_existing=True)
        assert current is not None
        return routers.create(ctx, current)


def _set_state(ctx: CallContext, router: DomainRouter, state: RouterState,
               reason: str | None = None) -> None:
    router.state, router.state_reason = state, reason
    ctx.checkpoint()


def start(ctx: CallContext, router: DomainRouter, near: Host | None = None) -> DomainRouter:
    """Start `router` (near `near` when given) and apply its whole configuration."""
    network = ctx.session.get(Network, router.network_id)
    assert network is not None
    if router.state == RouterState.RUNNING:
        return router
    host = _pick_host(ctx, router, near)
    router.host_id = router.last_host_id = host.id
    hosting = _hosting_vars(ctx, router, network) if host_setup.automated(host) else None
    _set_state(ctx, router, RouterState.STARTING)
    ctx.log.info("starting router %s on host %s", router.name, host.name)
    try:
        if hosting is not None:
            automation.run(ctx, "router_start", hosts=[host.id], extra_vars=hosting)
        router.applied_version = -1
        _set_state(ctx, router, RouterState.RUNNING)
        apply(ctx, network.id, force=True)
    except CloudError as error:
        ctx.session.rollback()
        ctx.session.refresh(router)
        router.host_id = None
        _set_state(ctx, router, RouterState.STOPPED, error.text)
        raise
    return router


def stop(ctx: CallContext, router: DomainRouter) -> DomainRouter:
    """Stop the router where it runs; its rules stay in the database (and go Add)."""
    host = _host(ctx, router)
    if router.state == RouterState.STOPPED:
        return router
    _set_state(ctx, router, RouterState.STOPPING)
    if host is not None and host_setup.automated(host):
        automation.run(ctx, "router_stop", hosts=[host.id],
                       extra_vars={"router_host": {"name": router.name}})
    router.host_id, router.applied_version = None, -1
    _rules_back_to_add(ctx, router.network_id)
    _set_state(ctx, router, RouterState.STOPPED)
    network = ctx.session.get(Network, router.network_id)
    if host is not None and network is not None:
        try:
            host_setup.release_router_network(ctx, network, host)
        except CloudError as error:  # an idle bridge left behind: the next release takes it
            ctx.log.warning("bridge of %s not released on %s: %s", network.name, host.name,
                            error.text)
    return router


def reboot(ctx: CallContext, router: DomainRouter) -> DomainRouter:
    """Stop and start on the same host; everything is applied again."""
    host = _host(ctx, router)
    stop(ctx, router)
    return start(ctx, router, host)


def destroy(ctx: CallContext, router: DomainRouter) -> None:
    """Remove the router and what it left on its host; the network gets a new one when
    it is implemented again."""
    host = _host(ctx, router) or (ctx.session.get(Host, router.last_host_id)
                                  if router.last_host_id else None)
    if router.state != RouterState.STOPPED:
        stop(ctx, router)
    if host is not None and host.removed is None and host_setup.automated(host):
        automation.run(ctx, "router_destroy", hosts=[host.id],
                       extra_vars={"router_host": {"name": router.name}})
    router.state, router.removed = RouterState.DESTROYED, utcnow()
    ctx.checkpoint()
    ctx.log.info("router %s destroyed", router.name)


def _rules_back_to_add(ctx: CallContext, network_id: str) -> None:
    ctx.session.execute(update(FirewallRule).where(
        FirewallRule.network_id == network_id, FirewallRule.state == RuleState.ACTIVE)
        .values(state=RuleState.ADD))


# -- configuration -------------------------------------------------------------------------

def apply(ctx: CallContext, network_id: str, *, force: bool = False,
          since: datetime | None = None) -> bool:
    """Bring the network's running router up to (at least) the network's rules version as
    this job sees it; True when this call ran the router's playbook. Nothing to do without
    a running router: it gets everything when it starts. A call whose version another
    run has applied meanwhile returns without running (reading only while it waits)."""
    router = routers.router_of(ctx, network_id)
    if router is None or router.state != RouterState.RUNNING:
        return False
    network = ctx.session.get(Network, network_id, populate_existing=True)
    assert network is not None
    needed, router_id = network.rules_version, router.id

    def covered() -> bool:
        if force:
            return False
        with ctx.database.session(write=False) as session:
            row = session.execute(select(DomainRouter.applied_version,
                                         DomainRouter.applied_at)
                                  .where(DomainRouter.id == router_id)).first()
        return row is not None and _is_covered(row[0], row[1], needed, since)

    with locks.held(ctx, [locks.router_key(router_id)], unless=covered) as owner:
        if owner is None:
            ctx.log.info("router %s: version %s already applied by another run",
                         router.name, needed)
            return False
        return _apply_held(ctx, network_id, router, force=force, since=since)


def _is_covered(applied_version: int, rendered_at: datetime | None, needed: int,
                since: datetime | None) -> bool:
    """A live configuration rendered at `rendered_at` from version `applied_version` has
    what a caller needs: version `needed`, and what changed at `since`."""
    if applied_version < needed:
        return False
    return since is None or (rendered_at is not None and rendered_at >= since)


def _apply_held(ctx: CallContext, network_id: str, router: DomainRouter, *,
                force: bool, since: datetime | None) -> bool:
    session = ctx.session
    network = session.get(Network, network_id, populate_existing=True)
    session.refresh(router)
    assert network is not None
    if router.state != RouterState.RUNNING:
        return False
    if not force and _is_covered(router.applied_version, router.applied_at,
                                 network.rules_version, since):
        ctx.log.info("router %s already at version %s", router.name, router.applied_version)
        return False
    rendered_at = utcnow()
    rendered = router_config.render(ctx, network, router)
    host = _host(ctx, router)
    target = (router_inventory(ctx, router, host)
              if host is not None and host_setup.automated(host) else None)
    version = rendered.router["version"]
    if target is not None:
        ctx.log.info("applying version %s to router %s", version, router.name)
        automation.run(ctx, "router_apply", extra_hosts=[target], lock_keys=[],
                       extra_vars={"router": rendered.router, "vr_force": force})
    router.applied_version = max(version, router.applied_version)
    router.applied_at = rendered_at
    vpn.applied(ctx, network.id)
    if rendered.rule_ids:
        session.execute(update(FirewallRule).where(
            FirewallRule.id.in_(rendered.rule_ids), FirewallRule.state == RuleState.ADD)
            .values(state=RuleState.ACTIVE))
    return target is not None  # `locks.held` commits before the router lock goes
