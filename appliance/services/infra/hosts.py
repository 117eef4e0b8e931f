"""Hosts (seed §4.4): add through the hypervisor driver, update, maintenance, delete, list.

addHost records the host as Connecting and commits before the driver is asked anything
(the driver keeps state in transactions of its own), then stores what the driver detected
and marks the host Up once it answered a ping; a host the driver cannot reach is not added.

Maintenance: prepareHostForMaintenance puts a host without active VMs straight into
Maintenance. VMs are neither stopped nor migrated for it: while some still run there the
host is left in ErrorInMaintenance, and the host monitor moves it to Maintenance once they
are gone (stopped or moved by their owners); cancelHostMaintenance enables it again.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select

from appliance.drivers.hypervisor import driver_for
from appliance.drivers.hypervisor.base import DriverError, HostAccess, HostFacts
from appliance.errors import CloudError, ParamError, ResourceInUse
from appliance.models import Cluster, Host, ImageStore, OsCategory, StoragePool, VirtualMachine
from appliance.models.base import utcnow
from appliance.models.compute import VmState
from appliance.models.infra import HostResourceState, HostStatus
from appliance.orchestration import hosts as host_setup
from appliance.services import infra
from appliance.services.context import CallContext
from appliance.services.infra import clusters
from appliance.services.paging import Page, keyword_filter, paginate

R = HostResourceState
ACTIVE_VM_STATES = (VmState.STARTING, VmState.RUNNING, VmState.STOPPING, VmState.MIGRATING)
MAINTENANCE_STATES = (R.PREPARE_FOR_MAINTENANCE, R.MAINTENANCE, R.ERROR_IN_MAINTENANCE)
ROUTING = "Routing"
SECONDARY_STORAGE = "SecondaryStorage"


def access(host: Host, cluster: Cluster | None) -> HostAccess:
    """How the driver reaches `host` (with its cluster's libvirt domain type)."""
    return HostAccess(
        id=host.id, name=host.name, url=host.url, hypervisor=str(host.hypervisor),
        ip_address=host.ip_address, username=host.username, password=host.password,
        libvirt_domain_type=cluster.libvirt_domain_type if cluster else None)


def active_vms(ctx: CallContext, host: Host) -> int:
    """VMs starting, running, stopping or migrating on `host`."""
    return ctx.session.scalar(select(func.count()).select_from(VirtualMachine).where(
        VirtualMachine.host_id == host.id, VirtualMachine.removed.is_(None),
        VirtualMachine.state.in_(ACTIVE_VM_STATES))) or 0


def _host_name(url: str) -> str:
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    return segments[-1] if segments else (parts.hostname or url)


def _resource_state(value: str) -> HostResourceState:
    """updateHost's allocationstate: Enable or Disable (Enabled/Disabled accepted too)."""
    lowered = value.strip().lower()
    if lowered in ("enable", "enabled"):
        return R.ENABLED
    if lowered in ("disable", "disabled"):
        return R.DISABLED
    raise ParamError(f"Invalid allocationstate {value!r}: expected Enable or Disable")


def _apply(host: Host, facts: HostFacts) -> None:
    host.cpu_count, host.cpu_speed_mhz, host.memory = (facts.cpu_count, facts.cpu_speed_mhz,
                                                       facts.memory)
    host.version = facts.version or None
    host.capabilities = facts.capabilities or None
    if facts.ip_address:
        host.ip_address = facts.ip_address
    host.status = HostStatus.UP
    host.last_heartbeat = utcnow()
    host.ping_failures = 0
    host.disconnected = None


def _cluster(ctx: CallContext, zone_id: str, pod_id: str | None, cluster_id: str | None,
             cluster_name: str | None, hypervisor: str) -> Cluster:
    if cluster_id is not None:
        cluster = infra.cluster(ctx, cluster_id)
        if cluster.zone_id != zone_id or (pod_id is not None and cluster.pod_id != pod_id):
            raise ParamError(f"Cluster {cluster.name} is not in the given zone and pod")
        return cluster
    if cluster_name is None:
        raise ParamError("Either clusterid or clustername must be specified")
    if pod_id is None:
        raise ParamError("podid must be specified with clustername")
    existing = ctx.session.scalar(select(Cluster).where(
        Cluster.pod_id == pod_id, Cluster.name == cluster_name, Cluster.removed.is_(None)))
    if existing is not None:
        return existing
    return clusters.add(ctx, zone_id=zone_id, pod_id=pod_id, name=cluster_name,
                        hypervisor=hypervisor, cluster_type=None, libvirt_domain_type=None,
                        allocation_state=None)


def add(ctx: CallContext, *, zone_id: str, pod_id: str | None, cluster_id: str | None,
        cluster_name: str | None, hypervisor: str, url: str, username: str | None,
        password: str | None, host_tags: str | None, allocation_state: str | None) -> Host:
    infra.require_root(ctx, "add hosts")
    zone = infra.zone(ctx, zone_id)
    if pod_id is not None:
        infra.pod(ctx, pod_id, zone.id)
    kind = clusters.hypervisor_type(hypervisor)
    parts = urlsplit(url.strip())
    if not parts.scheme or not parts.hostname:
        raise ParamError(f"Invalid host url {url!r}: expected scheme://host[/path]")
    driver = driver_for(kind.value, ctx.database)
    cluster = _cluster(ctx, zone.id, pod_id, cluster_id, cluster_name, kind.value)
    if cluster.hypervisor != kind:
        raise ParamError(f"Cluster {cluster.name} is a {cluster.hypervisor} cluster; it "
                         f"cannot take a {kind} host")
    if ctx.session.scalar(select(Host.id).where(Host.zone_id == zone.id,
                                                Host.url == url.strip(),
                                                Host.removed.is_(None))):
        raise ParamError(f"A host with url {url} already exists in zone {zone.name}")
    state = _resource_state(allocation_state) if allocation_state else R.ENABLED
    address = None
    with contextlib.suppress(ValueError):
        address = str(ipaddress.ip_address(parts.hostname))
    if address is None and kind.value in host_setup.AUTOMATED:
        # Ansible and libvirt reach the host by address: resolve its name once, here.
        try:
            address = str(socket.getaddrinfo(parts.hostname, None)[0][4][0])
        except OSError as error:
            raise ParamError(f"Cannot resolve the host name {parts.hostname}: {error}") \
                from None
    host = Host(name=_host_name(url.strip()), type=ROUTING, zone_id=zone.id,
                pod_id=cluster.pod_id, cluster_id=cluster.id, hypervisor=kind,
                url=url.strip(), ip_address=address, username=username, password=password,
                host_tags=_tags(host_tags), status=HostStatus.CONNECTING,
                resource_state=state)
    ctx.session.add(host)
    ctx.session.flush()
    target = access(host, cluster)
    ctx.checkpoint()  # the driver works in transactions of its own
    try:
        if host_setup.automated(host):
            # host_add prepares the host and reports what it has (seed §11.1).
            facts = host_setup.prepare(ctx, host)
        else:
            facts = driver.detect(target)
        driver.ping(target)
    except CloudError as error:
        ctx.session.delete(host)
        ctx.checkpoint()
        raise CloudError(f"Unable to add host {url}: {error.text}", error.code) from error
    _apply(host, facts)
    for pool in host_setup.pools_for(ctx, host):
        host_setup.attach_pool(ctx, pool, [host.id])
    ctx.log.info("added %s host %s (%d x %d MHz, %d MiB)", kind, host.name, host.cpu_count,
                 host.cpu_speed_mhz, host.memory // 2**20)
    return host


def _tags(value: str | None) -> str | None:
    if value is None:
        return None
    tags = [t.strip() for t in value.split(",") if t.strip()]
    return ",".join(tags) or None


def update(ctx: CallContext, host: Host, *, allocation_state: str | None,
           host_tags: str | None, os_category_id: str | None) -> Host:
    infra.require_root(ctx, "update hosts")
    if allocation_state is not None:
        state = _resource_state(allocation_state)
        if host.resource_state in MAINTENANCE_STATES:
            raise ParamError(f"Host {host.name} is in {host.resource_state}; cancel "
                             "maintenance before enabling or disabling it")
        host.resource_state = state
    if host_tags is not None:
        host.host_tags = _tags(host_tags)
    if os_category_id is not None:
        if ctx.session.get(OsCategory, os_category_id) is None:
            raise ParamError(f"Unable to find OS category with id {os_category_id}")
        host.os_category_id = os_category_id
    return host


def delete(ctx: CallContext, host: Host, *, forced: bool) -> None:
    """Remove a host; 536 while VMs are active on it unless forced (they are left to
    their owners' reconciliation: the host is gone, nothing is stopped here)."""
    infra.require_root(ctx, "delete hosts")
    running = active_vms(ctx, host)
    if running and not forced:
        raise ResourceInUse(f"Host {host.name} cannot be deleted: {running} VM(s) are "
                            "active on it; stop or move them, or use forced=true")
    for pool in ctx.session.scalars(select(StoragePool).where(
            StoragePool.host_id == host.id, StoragePool.removed.is_(None))):
        pool.removed = utcnow()
    host.removed = utcnow()
    ctx.log.info("removed host %s (%s)", host.name, host.id)


def reconnect(ctx: CallContext, host: Host) -> Host:
    """Detect the host again and ping it: Up on success, Alert (and an error) otherwise."""
    infra.require_root(ctx, "reconnect hosts")
    target = access(host, ctx.session.get(Cluster, host.cluster_id))
    driver = driver_for(str(host.hypervisor), ctx.database)
    host.status = HostStatus.CONNECTING
    ctx.checkpoint()
    try:
        facts = driver.detect(target)
        driver.ping(target)
    except DriverError as error:
        host.status = HostStatus.ALERT
        host.disconnected = host.disconnected or utcnow()
        ctx.checkpoint()
        raise type(error)(f"Unable to reconnect host {host.name}: {error.text}") from error
    _apply(host, facts)
    return host


def check_prepare_maintenance(ctx: CallContext, host: Host) -> None:
    infra.require_root(ctx, "put hosts into maintenance")
    if host.resource_state == R.MAINTENANCE:
        raise ParamError(f"Host {host.name} is already in Maintenance")


def prepare_maintenance(ctx: CallContext, host: Host) -> Host:
    check_prepare_maintenance(ctx, host)
    host.resource_state = R.PREPARE_FOR_MAINTENANCE
    running = active_vms(ctx, host)
    if running:
        host.resource_state = R.ERROR_IN_MAINTENANCE
        ctx.log.warning("host %s: %d VM(s) still active; ErrorInMaintenance until they are "
                        "stopped or moved", host.name, running)
    else:
        host.resource_state = R.MAINTENANCE
    return host


def check_cancel_maintenance(ctx: CallContext, host: Host) -> None:
    infra.require_root(ctx, "cancel host maintenance")
    if host.resource_state not in MAINTENANCE_STATES:
        raise ParamError(f"Host {host.name} is not in maintenance (it is "
                         f"{host.resource_state})")


def cancel_maintenance(ctx: CallContext, host: Host) -> Host:
    if host.resource_state in MAINTENANCE_STATES:
        host.resource_state = R.ENABLED
    return host


def list_hosts(ctx: CallContext, *, host_id: str | None, name: str | None,
               zone_id: str | None, pod_id: str | None, cluster_id: str | None,
               host_type: str | None, state: str | None, resource_state: str | None,
               hypervisor: str | None, keyword: str | None, page: int | None,
               pagesize: int | None) -> Page[Any]:
    """Hypervisor hosts; with type=SecondaryStorage, the image stores (as 2.2 listed them)."""
    infra.require_root(ctx, "list hosts")
    if host_type is not None and host_type.lower() == SECONDARY_STORAGE.lower():
        stores = select(ImageStore).where(ImageStore.removed.is_(None)).order_by(
            ImageStore.created, ImageStore.id)
        if host_id is not None:
            stores = stores.where(ImageStore.id == host_id)
        if zone_id is not None:
            stores = stores.where(ImageStore.zone_id == zone_id)
        if name is not None:
            stores = stores.where(ImageStore.name == name)
        stores = keyword_filter(stores, keyword, ImageStore.name)
        return paginate(ctx.session, stores, page, pagesize)
    stmt = select(Host).where(Host.removed.is_(None)).order_by(Host.created, Host.id)
    if host_type is not None:
        stmt = stmt.where(Host.type == host_type)
    if host_id is not None:
        stmt = stmt.where(Host.id == host_id)
    if name is not None:
        stmt = stmt.where(Host.name == name)
    if zone_id is not None:
        stmt = stmt.where(Host.zone_id == zone_id)
    if pod_id is not None:
        stmt = stmt.where(Host.pod_id == pod_id)
    if cluster_id is not None:
        stmt = stmt.where(Host.cluster_id == cluster_id)
    if state is not None:
        stmt = stmt.where(func.lower(Host.status) == state.lower())
    if resource_state is not None:
        stmt = stmt.where(func.lower(Host.resource_state) == resource_state.lower())
    if hypervisor is not None:
        stmt = stmt.where(Host.hypervisor == clusters.hypervisor_type(hypervisor))
    stmt = keyword_filter(stmt, keyword, Host.name)
    return paginate(ctx.session, stmt, page, pagesize)
