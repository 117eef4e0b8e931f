"""Host-side work for hypervisors configured by Ansible (KVM, LXC): preparing a new host,
attaching primary storage pools, and guest-network bridges where guests run.

The simulator has no hosts to configure: for it every function here does nothing.
"""

from __future__ import annotations

from sqlalchemy import select

from appliance import automation
from appliance.drivers.hypervisor.base import HostFacts
from appliance.errors import ParamError
from appliance.models import Host, Network, Nic, StoragePool, VirtualMachine, VmState
from appliance.models.infra import StoragePoolState, StorageScope
from appliance.models.router import DomainRouter
from appliance.orchestration.actions import guest_network_var, storage_pool_var
from appliance.services.context import CallContext

AUTOMATED = frozenset({"KVM", "LXC"})
# VMs that hold their networks' bridges on their host.
ON_HOST = (VmState.STARTING, VmState.RUNNING, VmState.STOPPING, VmState.MIGRATING)


def automated(host: Host) -> bool:
    return str(host.hypervisor) in AUTOMATED


def prepare(ctx: CallContext, host: Host) -> HostFacts:
    """Run host_add on a new host; its capacity comes from the play's reported facts."""
    result = automation.run(ctx, "host_add", hosts=[host.id])
    reported = result.host_stats.get(host.id, {}).get("cirrus_host_facts")
    if not isinstance(reported, dict):
        raise ParamError(f"host_add did not report the capacity of host {host.name}")
    return HostFacts(cpu_count=int(reported["cpu_count"]),
                     cpu_speed_mhz=int(reported["cpu_speed_mhz"]),
                     memory=int(reported["memory_bytes"]),
                     version=str(reported.get("hypervisor_version") or ""),
                     capabilities=str(reported.get("capabilities") or ""))


def pools_for(ctx: CallContext, host: Host) -> list[StoragePool]:
    """The primary storage pools a host must mount: its cluster's, its zone's, its own."""
    return list(ctx.session.scalars(select(StoragePool).where(
        StoragePool.removed.is_(None), StoragePool.state != StoragePoolState.MAINTENANCE,
        ((StoragePool.scope == StorageScope.CLUSTER)
         & (StoragePool.cluster_id == host.cluster_id))
        | ((StoragePool.scope == StorageScope.ZONE) & (StoragePool.zone_id == host.zone_id))
        | ((StoragePool.scope == StorageScope.HOST) & (StoragePool.host_id == host.id)))))


def attach_pool(ctx: CallContext, pool: StoragePool, host_ids: list[str]) -> None:
    """Mount `pool` and define it as a libvirt pool on each of `host_ids`."""
    if host_ids:
        automation.run(ctx, "storage_pool_add", hosts=host_ids,
                       extra_vars={"storage_pool": storage_pool_var(pool)})


def detach_pool(ctx: CallContext, pool: StoragePool, host_ids: list[str]) -> None:
    if host_ids:
        automation.run(ctx, "storage_pool_remove", hosts=host_ids,
                       extra_vars={"storage_pool": storage_pool_var(pool)})


def automated_hosts_of_pool(ctx: CallContext, pool: StoragePool) -> list[str]:
    where = [Host.removed.is_(None), Host.type == "Routing",
             Host.hypervisor.in_(tuple(AUTOMATED))]
    if pool.scope == StorageScope.HOST and pool.host_id:
        where.append(Host.id == pool.host_id)
    elif pool.scope == StorageScope.ZONE or pool.cluster_id is None:
        where.append(Host.zone_id == pool.zone_id)
    else:
        where.append(Host.cluster_id == pool.cluster_id)
    return list(ctx.session.scalars(select(Host.id).where(*where).order_by(Host.id)))


def networks_of(ctx: CallContext, vm: VirtualMachine) -> list[Network]:
    """The VM's networks that have a bridge on hosts (a VLAN/VNI)."""
    return list(ctx.session.scalars(
        select(Network).join(Nic, Nic.network_id == Network.id)
        .where(Nic.vm_id == vm.id, Network.vnet.is_not(None))))


def networks_vars(networks: list[Network]) -> dict[str, object]:
    return {"guest_networks": [guest_network_var(n.isolation, n.vnet or 0) for n in networks]}


def ensure_networks(ctx: CallContext, host: Host, networks: list[Network]) -> None:
    """The bridges of a VM's `networks` exist on `host` before the VM starts there.

    Reads nothing from the database unless it runs a play: callers hold no transaction
    while the driver works (on SQLite an open one would hold the write lock)."""
    if automated(host) and networks:
        automation.run(ctx, "network_ensure", hosts=[host.id],
                       extra_vars=networks_vars(networks))


def _router_on(ctx: CallContext, network: Network, host: Host) -> bool:
    """The network's router runs on `host` (its eth0 is on the network's bridge there)."""
    return ctx.session.scalar(select(DomainRouter.id).where(
        DomainRouter.network_id == network.id, DomainRouter.host_id == host.id,
        DomainRouter.removed.is_(None)).limit(1)) is not None


def _guest_on(ctx: CallContext, network: Network, host: Host, but: str | None) -> bool:
    return ctx.session.scalar(
        select(Nic.id).join(VirtualMachine, Nic.vm_id == VirtualMachine.id)
        .where(Nic.network_id == network.id, VirtualMachine.host_id == host.id,
               VirtualMachine.id != (but or ""), VirtualMachine.state.in_(ON_HOST))
        .limit(1)) is not None


def _release_idle(ctx: CallContext, host: Host, networks: list[Network],
                  but_vm: str | None) -> None:
    idle = [network for network in networks if network.vnet is not None
            and not _guest_on(ctx, network, host, but_vm)
            and not _router_on(ctx, network, host)]
    if idle:
        automation.run(ctx, "network_release", hosts=[host.id],
                       extra_vars=networks_vars(idle))


def release_networks(ctx: CallContext, vm: VirtualMachine, host: Host) -> None:
    """Remove the bridges of the VM's networks from `host` when no other guest there uses
    them any more, nor their router (seed §11.8: a VLAN is on the hosts where the network
    has guests)."""
    if automated(host):
        _release_idle(ctx, host, networks_of(ctx, vm), vm.id)


def release_router_network(ctx: CallContext, network: Network, host: Host) -> None:
    """The network's router left `host`: its bridge goes unless guests there still use it."""
    if automated(host):
        _release_idle(ctx, host, [network], None)
