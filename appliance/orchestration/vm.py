"""What must happen on hosts when a VM changes state, run inside async jobs.

Each action writes the transitional state and the reservation first and commits
(`ctx.checkpoint()`), then asks the driver, then writes the final state: a process that
dies in between leaves a row the job takeover can resume, since every step is idempotent.
"""

from __future__ import annotations

import json

from sqlalchemy import select

from appliance.automation.errors import AutomationError
from appliance.drivers.hypervisor import driver_for
from appliance.drivers.hypervisor.base import (
    DiskSpec,
    DriverError,
    HostAccess,
    HypervisorDriver,
    NicSpec,
    TemplateSpec,
    VmSpec,
)
from appliance.errors import CloudError
from appliance.models import (
    Cluster,
    DiskOffering,
    Host,
    OsType,
    ServiceOffering,
    StoragePool,
    Template,
    TemplateZone,
    VirtualMachine,
    VmState,
    Volume,
    VolumeState,
    VolumeType,
)
from appliance.models.base import utcnow
from appliance.orchestration import hosts as host_setup
from appliance.orchestration import network_elements, security_groups
from appliance.services import allocation, configuration, limits, templates
from appliance.services.allocation import Placement, PlacementRequest
from appliance.services.context import CallContext
from appliance.services.infra import hosts
from appliance.services.limits import ResourceType
from appliance.services.network import guest
from appliance.services.vms.states import require, transition

MIB = 1024**2
S = VmState


def host_access(ctx: CallContext, host: Host) -> HostAccess:
    """How the driver reaches `host` (with its cluster's libvirt domain type)."""
    return hosts.access(host, ctx.session.get(Cluster, host.cluster_id))


def _driver(ctx: CallContext, host: Host) -> HypervisorDriver:
    return driver_for(str(host.hypervisor), ctx.database)


def _volumes(ctx: CallContext, vm: VirtualMachine) -> list[Volume]:
    return list(ctx.session.scalars(
        select(Volume).where(Volume.vm_id == vm.id, Volume.removed.is_(None))
        .order_by(Volume.device_id)))


def _request(ctx: CallContext, vm: VirtualMachine, offering: ServiceOffering,
             avoid: frozenset[str]) -> PlacementRequest:
    """What placing `vm` needs: new volumes get pools, existing ones pin the cluster."""
    root_new = data_new = 0
    data_tags: tuple[str, ...] = ()
    data_local: bool | None = None
    pinned: list[StoragePool] = []
    for volume in _volumes(ctx, vm):
        if volume.pool_id is None:
            if volume.volume_type == VolumeType.ROOT:
                root_new = volume.size
            else:
                data_new += volume.size
                disk = (ctx.session.get(DiskOffering, volume.disk_offering_id)
                        if volume.disk_offering_id else None)
                if disk is not None:
                    data_tags, data_local = _tags(disk.tags), disk.storage_type == "local"
        else:
            pool = ctx.session.get(StoragePool, volume.pool_id)
            if pool is not None:
                pinned.append(pool)
    cluster = next((p.cluster_id for p in pinned if p.cluster_id), None)
    local_host = next((p.host_id for p in pinned if p.host_id), None)
    details = json.loads(vm.details) if vm.details else {}
    return PlacementRequest(
        zone_id=vm.zone_id, account_id=vm.account_id, domain_id=vm.domain_id,
        cpu_number=offering.cpu_number, cpu_speed_mhz=offering.cpu_speed,
        memory_bytes=offering.memory * MIB, hypervisor=vm.hypervisor,
        root_disk_bytes=root_new, root_storage_tags=_tags(offering.tags),
        data_disk_bytes=data_new, data_storage_tags=data_tags, data_local_storage=data_local,
        host_tags=_tags(offering.host_tags), vm_name=vm.instance_name,
        allow_disabled=ctx.caller.is_root_admin,
        local_storage=offering.storage_type == "local", os_category_id=_os_category(ctx, vm),
        avoid_host_ids=avoid,
        preferred_host_id=local_host or details.get("deployhostid") or vm.last_host_id,
        required_cluster_id=cluster, required_pool_ids=tuple(p.id for p in pinned))


def _tags(value: str | None) -> tuple[str, ...]:
    return tuple(t.strip() for t in (value or "").split(",") if t.strip())


def _os_category(ctx: CallContext, vm: VirtualMachine) -> str | None:
    os_type = ctx.session.get(OsType, vm.guest_os_id) if vm.guest_os_id else None
    return os_type.category_id if os_type else None


def _apply_placement(ctx: CallContext, vm: VirtualMachine, placement: Placement) -> None:
    vm.host_id, vm.pod_id = placement.host_id, placement.pod_id
    vm.reserved_cpu_mhz, vm.reserved_memory = placement.cpu_mhz, placement.memory_bytes
    for volume in _volumes(ctx, vm):
        if volume.pool_id is not None:
            continue
        pool_id = (placement.root_pool_id if volume.volume_type == VolumeType.ROOT
                   else placement.data_pool_id or placement.root_pool_id)
        pool = ctx.session.get(StoragePool, pool_id) if pool_id else None
        if pool is None:
            continue
        volume.pool_id, volume.pod_id = pool.id, placement.pod_id
        volume.path = f"{pool.path.rstrip('/')}/{volume.id}"
        volume.format = "qcow2"
        volume.state = VolumeState.READY
        if volume.hypervisor is None:  # of the cluster its disk is first made in
            cluster = ctx.session.get(Cluster, placement.cluster_id)
            volume.hypervisor = str(cluster.hypervisor) if cluster else None
        volume.update_count = Volume.update_count + 1  # seen by compare-and-set changes


def _release_host(ctx: CallContext, vm: VirtualMachine) -> None:
    if vm.host_id is not None and (vm.reserved_cpu_mhz or vm.reserved_memory):
        allocation.release_host(ctx.session, vm.host_id, vm.reserved_cpu_mhz,
                                vm.reserved_memory)
    if vm.host_id is not None:
        vm.last_host_id = vm.host_id
    vm.host_id, vm.reserved_cpu_mhz, vm.reserved_memory = None, 0, 0


def _spec(ctx: CallContext, vm: VirtualMachine, offering: ServiceOffering) -> VmSpec:
    disks = tuple(
        DiskSpec(path=v.path or v.id, device_id=v.device_id or 0, size=v.size,
                 format=v.format or "qcow2", volume_id=v.id, pool=v.pool_id, name=v.id,
                 is_root=v.volume_type == VolumeType.ROOT)
        for v in _volumes(ctx, vm))
    nics = tuple(NicSpec(mac=nic.mac, bridge=network.bridge, ip_address=nic.ip_address,
                         device_id=nic.device_id) for nic, network in guest.nics_of(ctx, vm.id))
    iso = vm.iso
    template = vm.template
    return VmSpec(vm_id=vm.id, instance_name=vm.instance_name, cpus=offering.cpu_number,
                  cpu_speed_mhz=offering.cpu_speed, memory_mib=offering.memory, disks=disks,
                  nics=nics, template=_staged(ctx, vm, template),
                  iso=_staged(ctx, vm, iso),
                  iso_path=iso.id if iso else None, boot_from_iso=vm.template_id is None,
                  user_data=vm.user_data)


def _staged(ctx: CallContext, vm: VirtualMachine, template: Template | None
            ) -> TemplateSpec | None:
    """Where the template's file is on the zone's secondary storage; None when it is gone
    (a deleted template: hosts that staged it keep their copy)."""
    if template is None:
        return None
    copy = ctx.session.scalar(select(TemplateZone).where(
        TemplateZone.template_id == template.id, TemplateZone.zone_id == vm.zone_id,
        TemplateZone.removed.is_(None)))
    if copy is None or not copy.ready:
        return None
    try:
        path = templates.install_path(ctx, copy)
    except CloudError:
        return None
    return TemplateSpec(template_id=template.id, path=path, format=template.format,
                        size=max(copy.size, copy.physical_size))


def start(ctx: CallContext, vm: VirtualMachine) -> VirtualMachine:
    """Place, reserve and start `vm`; try other hosts when one fails (vm.start.retries).

    A VM that never ran ends in Error when it cannot start, one that ran before in
    Stopped; either way the reason is kept and the job fails with it.
    """
    session = ctx.session
    if vm.state == S.RUNNING:
        return vm
    first = vm.state == S.CREATED or (vm.state == S.STARTING and vm.last_host_id is None
                                      and vm.host_id is None)
    offering = session.get(ServiceOffering, vm.service_offering_id)
    assert offering is not None
    retries = int(configuration.get(session, "vm.start.retries"))
    avoid: set[str] = set()
    last_error: CloudError | None = None
    if vm.state != S.STARTING:
        require(vm, S.CREATED, S.STOPPED, S.ERROR, action="start")
        transition(session, vm, S.STARTING)
        ctx.checkpoint()
    if vm.last_host_id is None:
        # A VM that never ran has no disk yet: its first host stages the template (or boot
        # ISO) from secondary storage, which must be reachable now (534 naming it if not).
        try:
            templates.require_sources(ctx, vm.zone_id, vm.template, vm.iso)
        except CloudError as failure:
            _fail_start(ctx, vm, first, failure)
            raise
    while True:
        if vm.host_id is None:
            request = _request(ctx, vm, offering, frozenset(avoid))
            try:
                placement = allocation.place(session, request)
            except CloudError as failure:
                # Drop whatever the planner locked (on MariaDB the zone row) before the
                # failure is recorded, so it is never held while limit rows are locked.
                session.rollback()
                if last_error is None:
                    _fail_start(ctx, vm, first, failure)
                    raise
                # Hosts were there but failed: that, not their absence, is the reason.
                reason = CloudError(f"{last_error.text} (tried {len(avoid)} host(s); no "
                                    "other host can take the VM)", last_error.code)
                _fail_start(ctx, vm, first, reason)
                raise reason from None
            _apply_placement(ctx, vm, placement)
        host = session.get(Host, vm.host_id)
        assert host is not None
        driver, access, spec = _driver(ctx, host), host_access(ctx, host), _spec(ctx, vm,
                                                                                 offering)
        networks = host_setup.networks_of(ctx, vm)
        # The decision and the reservation are recorded before the host acts, and no
        # transaction (on SQLite: no write lock) stays open while it does.
        ctx.checkpoint()
        try:
            host_setup.ensure_networks(ctx, host, networks)
            prepare_network_elements(ctx, vm, host)
            ctx.log.info("starting %s on host %s", vm.instance_name, host.name)
            driver.start(access, spec)
        # Whatever fails here (a bridge, the network's router, the hypervisor) leaves
        # nothing reserved: the next host is tried, the VM never stays Starting.
        except CloudError as error:
            ctx.log.warning("start of %s on %s failed: %s", vm.instance_name, host.name,
                            error.text)
            avoid.add(host.id)
            last_error = error
            _release_host(ctx, vm)
            vm.last_host_id = None if first else vm.last_host_id
            ctx.checkpoint()
            _release_networks(ctx, vm, host)
            if len(avoid) > retries:
                _fail_start(ctx, vm, first, error)
                raise
            continue
        transition(session, vm, S.RUNNING)
        ctx.checkpoint()
        _apply_security_groups(ctx, vm, host)
        return vm


def prepare_network_elements(ctx: CallContext, vm: VirtualMachine, host: Host) -> None:
    """Before the VM boots, each of its networks' elements (its router: DHCP lease, DNS
    name, user data) is ready for it on or near `host`. No transaction stays open after."""
    # No rules version bump here: that UPDATE of the network row, which every new NIC's
    # foreign key reads, deadlocked concurrent deploys on MariaDB. The router instead
    # applies unless a render made after the VM became Starting is already live.
    since = vm.state_changed
    for _, network in guest.nics_of(ctx, vm.id):
        for element in network_elements.for_network(network):
            element.prepare(ctx, network, host, since)
    ctx.checkpoint()


def apply_networks(ctx: CallContext, network_ids: set[str]) -> None:
    """Push changed rules/guests of `network_ids` to their elements."""
    for network_id in sorted(network_ids):
        network_elements.apply(ctx, network_id)


def _fail_start(ctx: CallContext, vm: VirtualMachine, first: bool, error: CloudError) -> None:
    """Record a failed start durably: nothing stays reserved, the reason stays with the VM."""
    _release_host(ctx, vm)
    if first:
        vm.last_host_id = None
    transition(ctx.session, vm, S.ERROR if first else S.STOPPED, reason=error.text)
    if first:
        # A VM that never ran holds no quota: it only waits to be expunged.
        limits.release(ctx.session, vm.account, ResourceType.USER_VM)
    ctx.checkpoint()


def stop(ctx: CallContext, vm: VirtualMachine, *, forced: bool) -> VirtualMachine:
    """Graceful stop, powered off after vm.stop.timeout (at once when forced)."""
    session = ctx.session
    if vm.state == S.STOPPED:
        return vm
    if vm.state != S.STOPPING:
        require(vm, S.RUNNING, action="stop")
        transition(session, vm, S.STOPPING)
        ctx.checkpoint()
    host = session.get(Host, vm.host_id) if vm.host_id else None
    if host is not None:
        timeout = float(configuration.get(session, "vm.stop.timeout"))
        driver, access = _driver(ctx, host), host_access(ctx, host)
        ctx.checkpoint()
        try:
            driver.stop(access, vm.instance_name, forced=forced, timeout=timeout)
        except DriverError as error:
            if not forced:
                transition(session, vm, S.RUNNING, reason=error.text)
                ctx.checkpoint()
                raise
            # A forced stop of a VM on a host that cannot be reached still frees the VM.
            ctx.log.warning("forced stop of %s: host %s failed (%s); marking it stopped",
                            vm.instance_name, host.name, error.text)
    _release_host(ctx, vm)
    transition(session, vm, S.STOPPED)
    ctx.checkpoint()
    if host is not None:
        _apply_security_groups(ctx, vm, host)
        _release_networks(ctx, vm, host)
    return vm


def _apply_security_groups(ctx: CallContext, vm: VirtualMachine, host: Host) -> None:
    """The VM's interface on `host` came or went: the hosts' security group rulesets follow.
    A failure is logged, not fatal: the next apply on that host (any member's start/stop
    or rule change) brings the whole ruleset back."""
    try:
        security_groups.apply_vm_change(ctx, vm, host)
    except CloudError as error:
        ctx.log.warning("security groups of %s not applied on %s: %s", vm.instance_name,
                        host.name, error.text)


def _release_networks(ctx: CallContext, vm: VirtualMachine, host: Host) -> None:
    """The VM left `host`: bridges nobody else there uses go (a failure only leaves an
    idle bridge behind, which the next release on that host removes)."""
    try:
        host_setup.release_networks(ctx, vm, host)
    except AutomationError as error:
        ctx.log.warning("could not release the networks of %s on %s: %s", vm.instance_name,
                        host.name, error.text)


def reboot(ctx: CallContext, vm: VirtualMachine) -> VirtualMachine:
    require(vm, S.RUNNING, action="reboot")
    host = ctx.session.get(Host, vm.host_id) if vm.host_id else None
    assert host is not None
    driver, access = _driver(ctx, host), host_access(ctx, host)
    ctx.checkpoint()
    driver.reboot(access, vm.instance_name)
    return vm


def undefine(ctx: CallContext, vm: VirtualMachine) -> None:
    """Remove the VM from the host it was last on, and its root disk from that host's
    pool (expunge); what is already gone is fine. Data disks stay."""
    host_id = vm.host_id or vm.last_host_id
    host = ctx.session.get(Host, host_id) if host_id else None
    if host is None or host.removed is not None:
        return
    roots = [(v.pool_id, v.id) for v in _volumes(ctx, vm)
             if v.volume_type == VolumeType.ROOT and v.pool_id is not None]
    driver, access = _driver(ctx, host), host_access(ctx, host)
    ctx.checkpoint()
    driver.destroy(access, vm.instance_name)
    for pool_id, name in roots:
        driver.delete_volume(access, pool_id, name)


def destroy_volumes(ctx: CallContext, vm: VirtualMachine) -> None:
    """At expunge: the root volume goes, data volumes are detached and kept."""
    for volume in _volumes(ctx, vm):
        if volume.volume_type == VolumeType.ROOT:
            if volume.pool_id is not None:
                allocation.release_pool(ctx.session, volume.pool_id, volume.size)
            volume.state, volume.removed, volume.vm_id = (
                VolumeState.EXPUNGED, utcnow(), None)
        else:
            volume.vm_id, volume.device_id, volume.attached = None, None, None
            volume.detached = utcnow()
            volume.update_count = Volume.update_count + 1  # seen by compare-and-set changes

