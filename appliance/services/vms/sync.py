"""What the hypervisors say, written back: VM power states and usage counters.

Every `vm.stats.interval` seconds one worker asks each Up host's driver which domains it
runs and samples the running ones. A VM the database thinks is Running but the host has
stopped (a guest that powered itself off, a crash) becomes Stopped with its capacity
released; VMs in a transition (Starting, Stopping...) are left to the job that owns them.
"""

from __future__ import annotations

import logging
from collections import defaultdict

from sqlalchemy import select, update

from appliance.db import Database
from appliance.drivers.hypervisor import driver_for
from appliance.drivers.hypervisor.base import DriverError, HostAccess, PowerState
from appliance.drivers.hypervisor.base import VmStats as Sample
from appliance.jobs import scheduler
from appliance.models import Cluster, Host, VirtualMachine, VmState, VmStats
from appliance.models.base import utcnow
from appliance.models.infra import HostStatus
from appliance.services import allocation
from appliance.services.infra.hosts import access
from appliance.services.vms.states import ConcurrentChange, transition

log = logging.getLogger("cirrus.sync")


def sync_vms(db: Database) -> dict[str, int]:
    """One round over every Up host; returns counts of sampled and stopped VMs."""
    with db.session(write=False) as session:
        rows = session.execute(
            select(VirtualMachine.id, VirtualMachine.instance_name, Host, Cluster)
            .join(Host, VirtualMachine.host_id == Host.id)
            .join(Cluster, Host.cluster_id == Cluster.id)
            .where(VirtualMachine.state == VmState.RUNNING, VirtualMachine.removed.is_(None),
                   Host.status == HostStatus.UP, Host.removed.is_(None))).all()
    by_host: dict[str, tuple[HostAccess, list[tuple[str, str]]]] = {}
    grouped: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for vm_id, name, host, cluster in rows:
        grouped[host.id].append((vm_id, name))
        by_host[host.id] = (access(host, cluster), grouped[host.id])
    sampled = stopped = 0
    for target, vms in by_host.values():
        driver = driver_for(target.hypervisor, db)
        try:
            states = driver.power_states(target)
        except DriverError as error:
            log.warning("cannot list the VMs of host %s: %s", target.name, error.text)
            continue
        for vm_id, name in vms:
            state = states.get(name)
            if state in (None, PowerState.STOPPED):
                stopped += _mark_stopped(db, vm_id, target.name, state)
                continue
            try:
                stats = driver.stats(target, name)
            except DriverError as error:
                log.warning("no stats for %s on %s: %s", name, target.name, error.text)
                continue
            _store(db, vm_id, stats)
            sampled += 1
    return {"sampled": sampled, "stopped": stopped}


def _mark_stopped(db: Database, vm_id: str, host_name: str, state: PowerState | None) -> int:
    with db.session(write=True) as session:
        vm = session.get(VirtualMachine, vm_id)
        if vm is None or vm.state != VmState.RUNNING or vm.host_id is None:
            return 0
        what = "is gone from" if state is None else "was found stopped on"
        try:
            transition(session, vm, VmState.STOPPED, reason=f"{vm.instance_name} {what} host "
                       f"{host_name}")
        except ConcurrentChange:
            return 0  # a job is changing it right now
        allocation.release_host(session, vm.host_id, vm.reserved_cpu_mhz, vm.reserved_memory)
        vm.last_host_id, vm.host_id = vm.host_id, None
        vm.reserved_cpu_mhz = vm.reserved_memory = 0
        log.warning("%s %s host %s: now Stopped", vm.instance_name, what, host_name)
        return 1


def _store(db: Database, vm_id: str, stats: Sample) -> None:
    values = {
        "cpu_used_pct": stats.cpu_used_pct, "memory_kib": stats.memory_kib,
        "network_read_kbs": stats.network_read_kbs,
        "network_write_kbs": stats.network_write_kbs,
        "disk_read_kbs": stats.disk_read_kbs, "disk_write_kbs": stats.disk_write_kbs,
        "updated": utcnow(),
    }
    with db.session(write=True) as session:
        done = session.execute(update(VmStats).where(VmStats.vm_id == vm_id).values(**values))
        if done.rowcount == 0:  # type: ignore[attr-defined]
            session.add(VmStats(vm_id=vm_id, **values))


scheduler.register("vm.sync", "vm.stats.interval", sync_vms)
