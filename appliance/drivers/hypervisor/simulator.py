"""The simulator hypervisor: fake hosts whose VMs and injected faults live in the database.

Every process (API servers, job workers) sees the same simulated datacenter because its
state is kept in the `simulator_vm` and `simulator_fault` tables; each operation is one
short transaction of its own, so call it with no write transaction open (checkpoint first).

Host capacity comes from the addHost URL: `http://sim/c1/h1` gets the configured defaults
(`simulator.host.cpus`, `simulator.host.cpuspeed` MHz, `simulator.host.memory` MiB);
`http://sim/h1?cpus=4&cpuspeed=1000&memory=8192` overrides them (memory in MiB).

Faults (`SimulatorFault`): the oldest fault matching the host and/or instance and the
operation (or `*`) applies. `fail` raises DriverError with the fault's message, or
HostUnreachable for ping and detect (the host is down). `hang` sleeps `hang_seconds`, then
the operation proceeds as a slow host would, except ping and detect, which then raise
HostUnreachable (a ping that slow is a timeout). `remaining` > 0 counts down per use and
the fault is deleted when it reaches 0; -1 keeps it until it is removed.

Volumes: a simulated volume that was created, imported or written is a sparse raw file
`volume_file(pool, name)` under $CIRRUS_HOME/simulator/pools (one with no file reads as
zeros), so data written there survives snapshots, copies and templates like on a real host.
Exports and imports go through qemu-img, the tool a KVM host would use.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
import time
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from appliance.db import Database
from appliance.drivers.hypervisor.base import (
    DiskSpec,
    DriverError,
    HostAccess,
    HostFacts,
    HostUnreachable,
    PoolUsage,
    PowerState,
    StorageFeature,
    TemplateSpec,
    VmSpec,
    VmStats,
    VolumeRef,
)
from appliance.errors import ParamError
from appliance.models.base import utcnow
from appliance.models.simulator import SimulatorFault, SimulatorVm
from appliance.services import configuration

MIB = 1024**2
VERSION = "cirrus-simulator-1.0"
# Operations a fault can name; `*` matches any of them.
OPERATIONS = ("detect", "ping", "start", "stop", "reboot", "destroy", "power_states", "stats",
              "create_volume", "import_volume", "export_volume", "attach_volume",
              "detach_volume", "resize_volume", "delete_volume", "insert_iso", "eject_iso")
_HOST_OPS = ("detect", "ping")


def host_capacity(session: Session, url: str) -> tuple[int, int, int]:
    """(cpus, cpu speed MHz, memory MiB) of a simulated host from its URL and the defaults."""
    query = parse_qs(urlsplit(url).query)

    def value(key: str, param: str) -> int:
        raw = query.get(key, [None])[-1]
        if raw is None:
            return int(configuration.get(session, param))
        try:
            number = int(raw)
        except ValueError:
            raise ParamError(f"Invalid {key}={raw!r} in simulator host URL {url}") from None
        if number < 1:
            raise ParamError(f"Invalid {key}={raw!r} in simulator host URL {url}: must be >= 1")
        return number

    return (value("cpus", "simulator.host.cpus"), value("cpuspeed", "simulator.host.cpuspeed"),
            value("memory", "simulator.host.memory"))


def _fake_ip(key: str) -> str:
    """A stable private address for a simulated host, derived from its URL."""
    digest = hashlib.sha256(key.encode()).digest()
    return f"172.{16 + digest[0] % 16}.{digest[1]}.{1 + digest[2] % 254}"


class SimulatorDriver:
    """HypervisorDriver over the simulator tables."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- faults ---------------------------------------------------------------------------

    def _fault(self, operation: str, host: HostAccess, instance_name: str | None) -> None:
        """Apply the first matching injected fault, if any (see the module doc)."""
        with self.db.session(write=False) as session:
            stmt = select(SimulatorFault.id).where(
                SimulatorFault.operation.in_((operation, "*")),
                or_(SimulatorFault.host_id.is_(None), SimulatorFault.host_id == host.id))
            if instance_name is None:
                stmt = stmt.where(SimulatorFault.instance_name.is_(None),
                                  SimulatorFault.host_id.is_not(None))
            else:
                stmt = stmt.where(or_(SimulatorFault.instance_name.is_(None),
                                      SimulatorFault.instance_name == instance_name),
                                  or_(SimulatorFault.host_id.is_not(None),
                                      SimulatorFault.instance_name.is_not(None)))
            candidates = list(session.scalars(
                stmt.order_by(SimulatorFault.created, SimulatorFault.id)))
        if not candidates:
            return
        with self.db.session(write=True) as session:
            fault = None
            for fault_id in candidates:
                fault = session.get(SimulatorFault, fault_id)
                if fault is not None:
                    break
            if fault is None:
                return
            action, seconds, message = fault.action, fault.hang_seconds, fault.message
            if fault.remaining > 0:
                fault.remaining -= 1
                if fault.remaining == 0:
                    session.delete(fault)
        target = instance_name or host.name
        if action == "hang":
            time.sleep(max(0, seconds))
            if operation in _HOST_OPS:
                raise HostUnreachable(message or f"Simulated host {host.name} did not answer "
                                      f"{operation} within {seconds} s")
            return
        text = message or f"Simulated failure of {operation} on {target}"
        if operation in _HOST_OPS:
            raise HostUnreachable(text)
        raise DriverError(text)

    # -- hosts ----------------------------------------------------------------------------

    def detect(self, host: HostAccess) -> HostFacts:
        self._fault("detect", host, None)
        with self.db.session(write=False) as session:
            cpus, speed, memory_mib = host_capacity(session, host.url)
        address = urlsplit(host.url).hostname or host.name
        return HostFacts(cpu_count=cpus, cpu_speed_mhz=speed, memory=memory_mib * MIB,
                         version=VERSION, capabilities="hvm",
                         ip_address=host.ip_address or _fake_ip(f"{address}{host.url}"))

    def ping(self, host: HostAccess) -> None:
        self._fault("ping", host, None)

    # -- VMs ------------------------------------------------------------------------------

    def start(self, host: HostAccess, spec: VmSpec) -> None:
        self._fault("start", host, spec.instance_name)
        _root_from_template(spec)
        with self.db.session(write=True) as session:
            vm = session.scalar(select(SimulatorVm).where(
                SimulatorVm.instance_name == spec.instance_name))
            if vm is not None and vm.host_id != host.id:
                if vm.power_state == PowerState.RUNNING:
                    raise DriverError(f"{spec.instance_name} is already running on another "
                                      "simulated host")
                session.delete(vm)  # undefined there, defined here below
                session.flush()
                vm = None
            if vm is not None and vm.power_state == PowerState.RUNNING:
                return
            _, _, memory_mib = host_capacity(session, host.url)
            running = sum(session.scalars(select(SimulatorVm.memory_mib).where(
                SimulatorVm.host_id == host.id,
                SimulatorVm.power_state == PowerState.RUNNING)))
            if running + spec.memory_mib > memory_mib:
                raise DriverError(
                    f"Simulated host {host.name} has {memory_mib - running} MiB free, "
                    f"{spec.instance_name} needs {spec.memory_mib} MiB")
            now = utcnow()
            if vm is None:
                vm = SimulatorVm(host_id=host.id, instance_name=spec.instance_name)
                session.add(vm)
            vm.power_state = PowerState.RUNNING
            vm.cpus = spec.cpus
            vm.memory_mib = spec.memory_mib
            vm.started = now
            vm.updated = now

    def stop(self, host: HostAccess, instance_name: str, *, forced: bool,
             timeout: float) -> None:
        # Graceful and forced stops end the same way here; both obey injected faults.
        self._fault("stop", host, instance_name)
        with self.db.session(write=True) as session:
            vm = self._vm(session, host, instance_name)
            if vm is None or vm.power_state == PowerState.STOPPED:
                return
            vm.power_state = PowerState.STOPPED
            vm.started = None
            vm.updated = utcnow()

    def reboot(self, host: HostAccess, instance_name: str) -> None:
        self._fault("reboot", host, instance_name)
        with self.db.session(write=True) as session:
            vm = self._vm(session, host, instance_name)
            if vm is None or vm.power_state != PowerState.RUNNING:
                raise DriverError(f"{instance_name} is not running on simulated host "
                                  f"{host.name}; only a running VM can be rebooted")
            vm.started = vm.updated = utcnow()

    def destroy(self, host: HostAccess, instance_name: str) -> None:
        self._fault("destroy", host, instance_name)
        with self.db.session(write=True) as session:
            session.execute(delete(SimulatorVm).where(
                SimulatorVm.host_id == host.id, SimulatorVm.instance_name == instance_name))

    def power_states(self, host: HostAccess) -> dict[str, PowerState]:
        self._fault("power_states", host, None)
        with self.db.session(write=False) as session:
            rows = session.execute(select(SimulatorVm.instance_name, SimulatorVm.power_state)
                                   .where(SimulatorVm.host_id == host.id)).all()
        return {name: PowerState(state) for name, state in rows}

    def stats(self, host: HostAccess, instance_name: str) -> VmStats:
        self._fault("stats", host, instance_name)
        with self.db.session(write=False) as session:
            vm = self._vm(session, host, instance_name)
            if vm is None:
                raise DriverError(f"{instance_name} is not defined on simulated host "
                                  f"{host.name}")
            if vm.power_state != PowerState.RUNNING:
                return VmStats()
            memory_mib = vm.memory_mib
        # Plausible, slowly varying numbers: stable per VM, drifting once a minute.
        seed = hashlib.sha256(f"{instance_name}{int(time.time() // 60)}".encode()).digest()
        return VmStats(
            cpu_used_pct=round(2 + seed[0] / 255 * 40, 2),
            memory_kib=int(memory_mib * 1024 * (0.4 + seed[1] / 255 * 0.5)),
            network_read_kbs=round(seed[2] / 255 * 200, 2),
            network_write_kbs=round(seed[3] / 255 * 100, 2),
            disk_read_kbs=round(seed[4] / 255 * 500, 2),
            disk_write_kbs=round(seed[5] / 255 * 300, 2),
        )

    # -- volumes --------------------------------------------------------------------------

    def storage_features(self, host: HostAccess) -> frozenset[StorageFeature]:
        return frozenset(StorageFeature)

    def pool_usage(self, host: HostAccess, pool: str) -> PoolUsage | None:
        used = pool_used_bytes(pool)
        return None if used is None else PoolUsage(capacity=None, used=used)

    def delete_volume(self, host: HostAccess, pool: str, name: str) -> None:
        self._fault("delete_volume", host, None)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(volume_file(pool, name))

    def create_volume(self, host: HostAccess, volume: VolumeRef) -> None:
        self._fault("create_volume", host, None)
        path = volume_file(volume.pool, volume.name)
        if not os.path.exists(path):
            _sparse(path, volume.size)

    def import_volume(self, host: HostAccess, volume: VolumeRef, source: str) -> None:
        self._fault("import_volume", host, None)
        _import_image(source, volume_file(volume.pool, volume.name), volume.size)

    def export_volume(self, host: HostAccess, volume: VolumeRef, dest: str, *,
                      instance_name: str | None = None) -> None:
        self._fault("export_volume", host, instance_name)
        if instance_name is not None:
            self._running(host, instance_name)
        path = volume_file(volume.pool, volume.name)
        if os.path.exists(path):
            _qemu_img("convert", "-O", "qcow2", "-f", "raw", path, dest)
        else:
            _qemu_img("create", "-q", "-f", "qcow2", dest, str(volume.size))

    def attach_volume(self, host: HostAccess, instance_name: str, disk: DiskSpec) -> None:
        self._fault("attach_volume", host, instance_name)
        self._running(host, instance_name)

    def detach_volume(self, host: HostAccess, instance_name: str, disk: DiskSpec) -> None:
        self._fault("detach_volume", host, instance_name)
        self._running(host, instance_name)

    def resize_volume(self, host: HostAccess, volume: VolumeRef, size: int, *,
                      instance_name: str | None = None) -> None:
        self._fault("resize_volume", host, instance_name)
        path = volume_file(volume.pool, volume.name)
        if not os.path.exists(path):
            _sparse(path, size)
        elif os.path.getsize(path) < size:
            os.truncate(path, size)

    def insert_iso(self, host: HostAccess, instance_name: str, iso: TemplateSpec) -> None:
        self._fault("insert_iso", host, instance_name)
        self._running(host, instance_name)
        if not os.path.isfile(iso.path):
            raise DriverError(f"ISO {iso.template_id} cannot be read at {iso.path}")

    def eject_iso(self, host: HostAccess, instance_name: str) -> None:
        self._fault("eject_iso", host, instance_name)
        self._running(host, instance_name)

    def _running(self, host: HostAccess, instance_name: str) -> None:
        with self.db.session(write=False) as session:
            vm = self._vm(session, host, instance_name)
            if vm is None or vm.power_state != PowerState.RUNNING:
                raise DriverError(f"{instance_name} is not running on simulated host "
                                  f"{host.name}")

    @staticmethod
    def _vm(session: Session, host: HostAccess, instance_name: str) -> SimulatorVm | None:
        return session.scalar(select(SimulatorVm).where(
            SimulatorVm.host_id == host.id, SimulatorVm.instance_name == instance_name))


def volume_file(pool: str, name: str) -> str:
    """The sparse file holding simulated volume `name` of pool `pool`."""
    from appliance.app import cirrus_home

    return os.path.join(cirrus_home(), "simulator", "pools", pool, name)


def pool_used_bytes(pool: str) -> int | None:
    """What the simulated volumes of pool `pool` take on disk (allocated blocks, as `df`
    counts them); None when the simulator keeps no volume there."""
    root = os.path.dirname(volume_file(pool, "any"))  # the pool's directory
    if not os.path.isdir(root):
        return None
    used = 0
    with os.scandir(root) as entries:
        for entry in entries:
            with contextlib.suppress(FileNotFoundError):
                if entry.is_file(follow_symlinks=False):
                    used += entry.stat(follow_symlinks=False).st_blocks * 512
    return used


def _import_image(source: str, path: str, size: int) -> None:
    """Volume file `path` holding image `source` (grown to `size`); an existing one is kept."""
    if os.path.exists(path):
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    partial = f"{path}.part"
    try:
        _qemu_img("convert", "-O", "raw", source, partial)
        if os.path.getsize(partial) < size:
            os.truncate(partial, size)
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)


def _root_from_template(spec: VmSpec) -> None:
    """A root disk with no file yet starts as a copy of the VM's template image, as a KVM
    host's overlay of the staged template reads."""
    template = spec.template
    if template is None or template.format.upper() not in ("QCOW2", "RAW") \
            or not os.path.isfile(template.path):
        return
    for disk in spec.disks:
        if disk.is_root and disk.pool and disk.name:
            _import_image(template.path, volume_file(disk.pool, disk.name), disk.size)


def _sparse(path: str, size: int) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "ab"):
        pass
    os.truncate(path, size)


def _qemu_img(*args: str) -> None:
    result = subprocess.run(["qemu-img", *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise DriverError(f"qemu-img {args[0]} failed: {result.stderr.strip()}")
