"""The libvirt hypervisor driver: KVM/QEMU virtual machines and LXC containers.

Hosts are reached through a remote libvirt URI (see connection.libvirt_uri); the domain
type (kvm | qemu | lxc) is the cluster's `libvirt_domain_type`. Every operation is
idempotent: start defines the domain from the spec (creating missing volumes) and starts it
unless it runs; stop and destroy of a missing domain succeed.

- stop: graceful (ACPI power button for kvm/qemu, SIGTERM to the init of a container,
  repeated every 2 s), polled until `timeout`, then forced (virDomainDestroy). A guest that
  ignores the request (busybox without acpid) is therefore powered off after the timeout.
- reboot: a reset of a kvm/qemu VM (works whatever the guest handles); a container is
  destroyed and started again from its definition.
- destroy: stops and undefines the domain; its volumes stay until delete_volume.
- Serial console of kvm/qemu VMs goes to `/var/log/libvirt/qemu/<name>.serial.log` on the
  host; VNC listens on the host's address (autoport) with a per-VM password, which
  console() returns for the console proxy. Containers have a pty console and no VNC.
- User data is served by the virtual router (as in CloudStack), not by this driver.
- Volumes (storage_features): kvm/qemu domains get data disks hot-plugged and unplugged
  (live.py), resized online, exported while they run from a frozen instant (live.frozen),
  ISOs inserted into and ejected from their CD-ROM drive; exports and imports stream
  through libvirt (volumes.py, streams.py). LXC containers get no block devices: no data
  disks; their root volume exports only while they are stopped.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import string
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from appliance.db import Database
from appliance.drivers.hypervisor.base import (
    DiskSpec,
    DriverError,
    HostAccess,
    HostFacts,
    PoolUsage,
    PowerState,
    StorageFeature,
    TemplateSpec,
    VmSpec,
    VmStats,
    VolumeRef,
)
from appliance.drivers.hypervisor.libvirt import live, storage, volumes
from appliance.drivers.hypervisor.libvirt import xml as virxml
from appliance.drivers.hypervisor.libvirt.connection import (
    Connections,
    _libvirt,
    domain_type,
    libvirt,
    libvirt_uri,
)

log = logging.getLogger(__name__)
MIB = 1024**2
SERIAL_LOG_DIR = "/var/log/libvirt/qemu"
STOP_POLL = 0.2
SHUTDOWN_REPEAT = 2.0
_PASSWORD_ALPHABET = string.ascii_letters + string.digits
_QEMU_FEATURES = frozenset({StorageFeature.ATTACH, StorageFeature.HOT_PLUG,
                            StorageFeature.RESIZE, StorageFeature.LIVE_SNAPSHOT,
                            StorageFeature.INCREMENTAL})


def _power_state(state: int) -> PowerState:
    if state in (libvirt.VIR_DOMAIN_RUNNING, libvirt.VIR_DOMAIN_BLOCKED):
        return PowerState.RUNNING
    if state in (libvirt.VIR_DOMAIN_PAUSED, libvirt.VIR_DOMAIN_PMSUSPENDED):
        return PowerState.PAUSED
    if state in (libvirt.VIR_DOMAIN_SHUTOFF, libvirt.VIR_DOMAIN_SHUTDOWN,
                 libvirt.VIR_DOMAIN_CRASHED):
        return PowerState.STOPPED
    return PowerState.UNKNOWN


def host_address(host: HostAccess) -> str:
    """The address VNC listens on: the host's IP, else the host part of its URL."""
    if host.ip_address:
        return host.ip_address
    url = host.url if "://" in host.url else f"tcp://{host.url}"
    return urlsplit(url).hostname or host.name


class LibvirtDriver:
    """HypervisorDriver over libvirt (kvm, qemu, lxc)."""

    def __init__(self, db: Database | None = None) -> None:
        self.db = db
        self.connections = Connections()
        self._samples: dict[tuple[str, str], tuple[float, VmStats]] = {}
        self._staging_lock = threading.Lock()
        self._staging: dict[tuple[str, str, str], threading.Lock] = {}

    def _call(self, host: HostAccess, action: str, operation: Any) -> Any:
        return self.connections.call(libvirt_uri(host), action, operation)

    # -- hosts ----------------------------------------------------------------------------

    def detect(self, host: HostAccess) -> HostFacts:
        def run(conn: Any) -> HostFacts:
            _model, memory_mib, cpus, mhz, *_ = conn.getInfo()
            version = conn.getLibVersion()
            lib = f"{version // 1000000}.{version // 1000 % 1000}.{version % 1000}"
            kind = domain_type(host)
            return HostFacts(cpu_count=int(cpus), cpu_speed_mhz=int(mhz),
                             memory=int(memory_mib) * MIB, version=f"libvirt {lib} ({kind})",
                             capabilities="exe" if kind == "lxc" else "hvm",
                             ip_address=host_address(host))
        facts: HostFacts = self._call(host, "detect", run)
        return facts

    def ping(self, host: HostAccess) -> None:
        self._call(host, "ping", lambda conn: conn.getLibVersion())

    # -- VMs ------------------------------------------------------------------------------

    def start(self, host: HostAccess, spec: VmSpec) -> None:
        kind = domain_type(host)

        def run(conn: Any) -> None:
            domain = live.lookup_domain(conn, spec.instance_name)
            if domain is not None and domain.UUIDString() != spec.vm_id:
                # Same name, another VM (another cloud sharing the host): never adopt it.
                raise DriverError(f"host {host.name} already has a domain named "
                                  f"{spec.instance_name} that is not this VM "
                                  f"(uuid {domain.UUIDString()})")
            if domain is not None and domain.isActive():
                return
            if domain is not None and kind != "lxc":
                self._finish_interrupted_copies(conn, host, domain, spec)
            try:
                definition = self._definition(conn, host, kind, spec)
            except ValueError as error:  # a spec the domain XML cannot express
                raise DriverError(f"{spec.instance_name} on host {host.name}: {error}") \
                    from None
            domain = conn.defineXML(definition)
            domain.create()
            log.info("started %s (%s) on %s", spec.instance_name, kind, host.name)
        self._call(host, f"start {spec.instance_name}", run)

    def _definition(self, conn: Any, host: HostAccess, kind: str, spec: VmSpec) -> str:
        """Create the VM's missing volumes and return its domain XML."""
        lxc = kind == "lxc"
        attached: list[virxml.AttachedDisk] = []
        boot: virxml.BootFiles | None = None
        disks = sorted(spec.disks, key=lambda d: (not self._is_root(d, spec), d.device_id))
        for disk in disks:
            pool = storage.pool_for(conn, disk)
            if self._is_root(disk, spec):
                template = spec.template if not spec.boot_from_iso else None
                with self._stage_lock(host, pool.name(), "root"):
                    volume = storage.root_disk(conn, pool, disk, template, copy=lxc)
                attached.append(virxml.AttachedDisk(
                    path=volume.path(), format="raw" if lxc else storage.volume_format(volume),
                    is_root=True))
                if template is not None and template.kernel and not lxc:
                    with self._stage_lock(host, pool.name(), template.template_id):
                        kernel = storage.stage_file(
                            conn, pool, f"tmpl-{template.template_id}-kernel", template.kernel)
                        initrd = (storage.stage_file(
                            conn, pool, f"tmpl-{template.template_id}-initrd",
                            template.initrd) if template.initrd else None)
                    boot = virxml.BootFiles(kernel=kernel.path(),
                                            initrd=initrd.path() if initrd else None,
                                            cmdline=template.kernel_args)
                if spec.iso is not None and not lxc:
                    with self._stage_lock(host, pool.name(), spec.iso.template_id):
                        iso = storage.stage_template(conn, pool, spec.iso)
                    attached.append(virxml.AttachedDisk(path=iso.path(), format="raw",
                                                        device="cdrom"))
            elif lxc:
                log.warning("%s: data disk %s not attached (LXC containers get no block "
                            "devices)", spec.instance_name, storage.volume_name(disk))
            else:
                volume = storage.data_disk(pool, disk)
                attached.append(virxml.AttachedDisk(
                    path=volume.path(), format=storage.volume_format(volume),
                    device_id=disk.device_id))
        if lxc:
            return virxml.domain_xml(spec, kind, attached)
        password = spec.extra.get("vnc_password") or "".join(
            secrets.choice(_PASSWORD_ALPHABET) for _ in range(8))
        return virxml.domain_xml(
            spec, kind, attached, boot=boot,
            serial_log=f"{SERIAL_LOG_DIR}/{spec.instance_name}.serial.log",
            graphics=virxml.Graphics(listen=host_address(host), password=password))

    def _finish_interrupted_copies(self, conn: Any, host: HostAccess, domain: Any,
                                   spec: VmSpec) -> None:
        """Merge what a stopped domain wrote into the overlay of a live copy that did not
        finish (live.frozen) back into its volume before the domain is redefined on it."""
        for disk in spec.disks:
            pool = storage.pool_for(conn, disk)
            volume = storage.lookup(pool, storage.volume_name(disk))
            if volume is not None:
                with self._volume_work(host, pool, volume, domain):
                    pass  # entering it finishes the copy

    @staticmethod
    def _is_root(disk: DiskSpec, spec: VmSpec) -> bool:
        if disk.is_root:
            return True
        if any(d.is_root for d in spec.disks):
            return False
        return disk.device_id == 0  # older specs: device 0 is the root disk

    def _stage_lock(self, host: HostAccess, pool: str, what: str) -> threading.Lock:
        """Serializes work on one thing of one pool within this process (staging a template,
        working on a volume)."""
        key = (libvirt_uri(host), pool, what)
        with self._staging_lock:
            return self._staging.setdefault(key, threading.Lock())

    @contextlib.contextmanager
    def _volume_work(self, host: HostAccess, pool: Any, volume: Any,
                     domain: Any | None) -> Iterator[None]:
        """One operation on `volume` at a time in this process; a live copy of it that was
        cut short (its overlay is left, live.frozen) is finished first, so the domain uses
        the volume itself again."""
        with self._stage_lock(host, pool.name(), f"volume {volume.name()}"):
            if domain is not None and domain_type(host) != "lxc":
                live.undo_interrupted(domain, pool, volume, host=host.name)
            yield

    def stop(self, host: HostAccess, instance_name: str, *, forced: bool,
             timeout: float) -> None:
        kind = domain_type(host)

        def run(conn: Any) -> None:
            domain = live.lookup_domain(conn, instance_name)
            if domain is None or not domain.isActive():
                return
            if not forced and self._shutdown(domain, kind, instance_name, timeout):
                return
            self._force_off(domain)
        self._call(host, f"stop {instance_name}", run)

    @staticmethod
    def _shutdown(domain: Any, kind: str, instance_name: str, timeout: float) -> bool:
        """Ask the guest to power off until `timeout`; True when it did. The request is
        repeated every SHUTDOWN_REPEAT seconds: one that arrives before the guest can act
        on it (an init that has not set its SIGTERM handler yet, ACPI not yet up) is lost.
        """
        flags = (libvirt.VIR_DOMAIN_SHUTDOWN_SIGNAL if kind == "lxc"
                 else libvirt.VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN)
        deadline = time.monotonic() + max(0.0, timeout)
        next_request = 0.0
        while True:
            now = time.monotonic()
            if now >= next_request:
                try:
                    domain.shutdownFlags(flags)
                except _libvirt.libvirtError as error:
                    # e.g. "Init process ID is not yet known" just after a start: retried
                    log.info("graceful stop of %s refused: %s", instance_name,
                             error.get_error_message())
                next_request = now + SHUTDOWN_REPEAT
            if not domain.isActive():
                log.info("%s stopped gracefully", instance_name)
                return True
            if now >= deadline:
                log.info("%s did not stop within %.0f s; powering it off", instance_name,
                         timeout)
                return False
            time.sleep(STOP_POLL)

    @staticmethod
    def _force_off(domain: Any) -> None:
        try:
            domain.destroy()
        except _libvirt.libvirtError as error:
            if domain.isActive():
                raise
            log.debug("destroy of a domain that just stopped: %s", error.get_error_message())

    def reboot(self, host: HostAccess, instance_name: str) -> None:
        kind = domain_type(host)

        def run(conn: Any) -> None:
            domain = live.lookup_domain(conn, instance_name)
            if domain is None or not domain.isActive():
                raise DriverError(f"{instance_name} is not running on host {host.name}; only "
                                  "a running VM can be rebooted")
            if kind == "lxc":
                self._force_off(domain)
                domain.create()
            else:
                domain.reset(0)
        self._call(host, f"reboot {instance_name}", run)
        self._samples.pop((host.id, instance_name), None)

    def destroy(self, host: HostAccess, instance_name: str) -> None:
        def run(conn: Any) -> None:
            domain = live.lookup_domain(conn, instance_name)
            if domain is None:
                return
            if domain.isActive():
                self._force_off(domain)
            try:
                domain.undefine()
            except _libvirt.libvirtError as error:
                if error.get_error_code() != libvirt.VIR_ERR_NO_DOMAIN:
                    raise
        self._call(host, f"destroy {instance_name}", run)
        self._samples.pop((host.id, instance_name), None)

    def delete_volume(self, host: HostAccess, pool: str, name: str) -> None:
        self._call(host, f"delete volume {name}",
                   lambda conn: storage.delete_volume(conn, pool, name))

    # -- volumes --------------------------------------------------------------------------

    def storage_features(self, host: HostAccess) -> frozenset[StorageFeature]:
        return frozenset() if domain_type(host) == "lxc" else _QEMU_FEATURES

    def pool_usage(self, host: HostAccess, pool: str) -> PoolUsage | None:
        def run(conn: Any) -> PoolUsage | None:
            try:
                found = conn.storagePoolLookupByName(pool)
            except _libvirt.libvirtError as error:
                if error.get_error_code() == libvirt.VIR_ERR_NO_STORAGE_POOL:
                    return None
                raise
            if not found.isActive():
                return None
            found.refresh(0)  # volumes written since libvirt last looked
            _state, capacity, allocation, _available = found.info()
            return PoolUsage(capacity=int(capacity), used=int(allocation))
        usage: PoolUsage | None = self._call(host, f"usage of pool {pool}", run)
        return usage

    def create_volume(self, host: HostAccess, volume: VolumeRef) -> None:
        def run(conn: Any) -> None:
            pool = storage.pool_named(conn, volume.pool, host.name)
            storage.create_volume(pool, volume.name, volume.size, volume.format)
        self._call(host, f"create volume {volume.name} in pool {volume.pool}", run)

    def import_volume(self, host: HostAccess, volume: VolumeRef, source: str) -> None:
        info = volumes.inspect(source)

        def run(conn: Any) -> None:
            pool = storage.pool_named(conn, volume.pool, host.name)
            with self._stage_lock(host, pool.name(), f"volume {volume.name}"):
                volumes.import_file(conn, pool, volume.name, source, info, volume.size,
                                    host.name)
        try:
            self._call(host, f"import of {source} as volume {volume.name} in pool "
                             f"{volume.pool}", run)
        except OSError as error:  # reading the file on the management server
            raise DriverError(f"import of {source} as volume {volume.name} (pool "
                              f"{volume.pool}, host {host.name}) failed: {error}") from None

    def export_volume(self, host: HostAccess, volume: VolumeRef, dest: str, *,
                      instance_name: str | None = None) -> None:
        lxc = domain_type(host) == "lxc"
        with volumes.workdir_beside(dest) as workdir:
            def run(conn: Any) -> list[volumes.Layer]:
                pool = storage.pool_named(conn, volume.pool, host.name)
                vol = storage.require(pool, volume.name, host.name)
                domain = live.lookup_domain(conn, instance_name) if instance_name else None
                with self._volume_work(host, pool, vol, domain):
                    if domain is None or not domain.isActive():
                        return volumes.download_chain(
                            conn, volumes.chain(conn, vol, host.name), workdir)
                    if lxc:
                        raise DriverError(
                            f"volume {volume.name} of container {instance_name} on host "
                            f"{host.name} can only be copied while the container is stopped "
                            "(LXC has no live snapshots)")
                    with live.frozen(domain, pool, vol, host=host.name):
                        return volumes.download_chain(
                            conn, volumes.chain(conn, vol, host.name), workdir)
            try:
                layers: list[volumes.Layer] = self._call(
                    host, f"export of volume {volume.name} (pool {volume.pool})", run)
                volumes.flatten(layers, dest, workdir)
            except OSError as error:  # on the management server's side: disk full, ...
                raise DriverError(f"export of volume {volume.name} (pool {volume.pool}, "
                                  f"host {host.name}) to {dest} failed: {error}") from None
        log.info("exported volume %s of pool %s on %s to %s", volume.name, volume.pool,
                 host.name, dest)

    def attach_volume(self, host: HostAccess, instance_name: str, disk: DiskSpec) -> None:
        name = storage.volume_name(disk)
        self._no_block_devices(host, f"volume {name} cannot be attached to {instance_name}")

        def run(conn: Any) -> None:
            domain = live.running(conn, instance_name, host.name, f"attaching volume {name}")
            pool = (storage.pool_named(conn, disk.pool, host.name) if disk.pool
                    else storage.pool_for(conn, disk))
            volume = storage.require(pool, name, host.name)
            with self._volume_work(host, pool, volume, domain):
                live.attach(domain, volume, storage.volume_format(volume), disk.device_id,
                            host=host.name)
        self._call(host, f"attach of volume {name} to {instance_name}", run)

    def detach_volume(self, host: HostAccess, instance_name: str, disk: DiskSpec) -> None:
        name = storage.volume_name(disk)

        def run(conn: Any) -> None:
            domain = live.lookup_domain(conn, instance_name)
            if domain is None:
                return
            pool = (storage.pool_named(conn, disk.pool, host.name) if disk.pool
                    else storage.pool_for(conn, disk))
            volume = storage.lookup(pool, name)
            if volume is not None:
                with self._volume_work(host, pool, volume, domain):
                    live.detach(domain, volume.path(), host=host.name, volume=name)
        self._call(host, f"detach of volume {name} from {instance_name}", run)

    def resize_volume(self, host: HostAccess, volume: VolumeRef, size: int, *,
                      instance_name: str | None = None) -> None:
        self._no_block_devices(host, f"volume {volume.name} cannot be resized")

        def run(conn: Any) -> None:
            pool = storage.pool_named(conn, volume.pool, host.name)
            vol = storage.require(pool, volume.name, host.name)
            domain = live.lookup_domain(conn, instance_name) if instance_name else None
            with self._volume_work(host, pool, vol, domain):
                if int(vol.info()[1]) >= size:
                    return  # grown already (volumes never shrink)
                target = (live.target_of(domain, vol.path())
                          if domain is not None and domain.isActive() else None)
                if domain is not None and target is not None:
                    domain.blockResize(target, size, libvirt.VIR_DOMAIN_BLOCK_RESIZE_BYTES)
                else:
                    vol.resize(size, 0)
            log.info("resized volume %s of pool %s on %s to %d bytes%s", volume.name,
                     volume.pool, host.name, size, f" online ({target})" if target else "")
        self._call(host, f"resize of volume {volume.name} (pool {volume.pool})", run)

    def insert_iso(self, host: HostAccess, instance_name: str, iso: TemplateSpec) -> None:
        self._no_block_devices(host, f"ISO {iso.template_id} cannot be inserted into "
                                     f"{instance_name}")
        if storage.image_format(iso) != "raw":
            raise DriverError(f"ISO {iso.template_id} is {iso.format}, not an ISO image")

        def run(conn: Any) -> None:
            domain = live.running(conn, instance_name, host.name,
                                  f"inserting ISO {iso.template_id}")
            drive = live.cdrom(domain, host.name)
            pool = self._root_pool(conn, domain, host, instance_name)
            with self._stage_lock(host, pool.name(), iso.template_id):
                staged = storage.stage_template(conn, pool, iso)
            if drive.source != staged.path():
                live.set_medium(domain, drive, staged.path())
                log.info("inserted ISO %s into %s on %s", iso.template_id, instance_name,
                         host.name)
        self._call(host, f"insert of ISO {iso.template_id} into {instance_name}", run)

    def eject_iso(self, host: HostAccess, instance_name: str) -> None:
        self._no_block_devices(host, f"{instance_name} has no CD-ROM drive")

        def run(conn: Any) -> None:
            domain = live.running(conn, instance_name, host.name, "ejecting its ISO")
            drive = live.cdrom(domain, host.name)
            if drive.source is not None:
                live.set_medium(domain, drive, None)
                log.info("ejected the ISO of %s on %s", instance_name, host.name)
        self._call(host, f"eject of the ISO of {instance_name}", run)

    @staticmethod
    def _no_block_devices(host: HostAccess, what: str) -> None:
        if domain_type(host) == "lxc":
            raise DriverError(f"{what}: LXC containers on host {host.name} get no block "
                              "devices")

    @staticmethod
    def _root_pool(conn: Any, domain: Any, host: HostAccess, instance_name: str) -> Any:
        """The storage pool of the domain's root disk (where its ISOs are staged)."""
        root = next((d for d in live.disks(domain)
                     if d.target == virxml.ROOT_TARGET and d.source), None)
        if root is None:
            raise DriverError(f"{instance_name} on host {host.name} has no root disk "
                              f"({virxml.ROOT_TARGET})")
        try:
            return conn.storageVolLookupByPath(root.source).storagePoolLookupByVolume()
        except _libvirt.libvirtError as error:
            if error.get_error_code() != libvirt.VIR_ERR_NO_STORAGE_VOL:
                raise
            raise DriverError(f"the root disk {root.source} of {instance_name} on host "
                              f"{host.name} is in no storage pool") from None

    def power_states(self, host: HostAccess) -> dict[str, PowerState]:
        def run(conn: Any) -> dict[str, PowerState]:
            return {domain.name(): _power_state(domain.state()[0])
                    for domain in conn.listAllDomains(0)}
        states: dict[str, PowerState] = self._call(host, "power states", run)
        return states

    # -- stats and console ----------------------------------------------------------------

    def stats(self, host: HostAccess, instance_name: str) -> VmStats:
        def run(conn: Any) -> tuple[VmStats, int] | None:
            domain = live.lookup_domain(conn, instance_name)
            if domain is None:
                raise DriverError(f"{instance_name} is not defined on host {host.name}")
            return _sample(domain) if domain.isActive() else None
        now = time.monotonic()
        sample: tuple[VmStats, int] | None = self._call(host, f"stats {instance_name}", run)
        key = (host.id, instance_name)
        if sample is None:
            self._samples.pop(key, None)
            return VmStats()
        current, vcpus = sample
        previous = self._samples.get(key)
        self._samples[key] = (now, current)
        if previous is None:
            return current
        return _rates(current, previous[1], now - previous[0], vcpus=vcpus)

    def console(self, host: HostAccess, instance_name: str) -> tuple[str, int, str]:
        """(address, VNC port, password) of a running VM, for the console proxy."""
        def run(conn: Any) -> tuple[str, int, str]:
            domain = live.lookup_domain(conn, instance_name)
            if domain is None or not domain.isActive():
                raise DriverError(f"{instance_name} is not running on host {host.name}")
            devices = virxml.devices_of(domain.XMLDesc(libvirt.VIR_DOMAIN_XML_SECURE))
            if devices.vnc_port is None:
                raise DriverError(f"{instance_name} on host {host.name} has no VNC console")
            return (devices.vnc_listen or host_address(host), devices.vnc_port,
                    devices.vnc_password or "")
        result: tuple[str, int, str] = self._call(host, f"console {instance_name}", run)
        return result


def _sample(domain: Any) -> tuple[VmStats, int]:
    """Cumulative counters of a running domain and its vCPU count."""
    state, max_kib, memory_kib, vcpus, cpu_time = domain.info()
    devices = virxml.devices_of(domain.XMLDesc(0))
    rx = tx = 0
    for dev in devices.interfaces:
        try:
            counters = domain.interfaceStats(dev)
        except _libvirt.libvirtError:
            continue
        rx, tx = rx + int(counters[0]), tx + int(counters[4])
    rd_req = rd_bytes = wr_req = wr_bytes = 0
    for dev in devices.disks:
        try:
            req_r, bytes_r, req_w, bytes_w, _errors = domain.blockStats(dev)
        except _libvirt.libvirtError:
            continue
        rd_req, rd_bytes = rd_req + int(req_r), rd_bytes + int(bytes_r)
        wr_req, wr_bytes = wr_req + int(req_w), wr_bytes + int(bytes_w)
    free_kib = 0
    try:
        memory = domain.memoryStats()
        memory_kib = int(memory.get("actual", memory_kib))
        free_kib = int(memory.get("unused", 0))
        if "rss" in memory and "actual" not in memory:
            memory_kib = int(memory["rss"])
    except _libvirt.libvirtError:
        pass
    stats = VmStats(memory_kib=int(memory_kib), memory_free_kib=free_kib,
                    memory_target_kib=int(max_kib), cpu_time_total_ns=int(cpu_time),
                    network_read_bytes_total=rx, network_write_bytes_total=tx,
                    disk_read_bytes_total=rd_bytes, disk_write_bytes_total=wr_bytes,
                    disk_read_ios_total=rd_req, disk_write_ios_total=wr_req)
    return stats, max(1, int(vcpus))


def _rates(current: VmStats, previous: VmStats, elapsed: float, *, vcpus: int) -> VmStats:
    """Fill the per-interval fields of `current` from the previous sample."""
    elapsed = max(elapsed, 1e-3)
    if current.cpu_time_total_ns < previous.cpu_time_total_ns:  # restarted meanwhile
        return current
    cpu = (current.cpu_time_total_ns - previous.cpu_time_total_ns) / (elapsed * 1e9 * vcpus)
    return replace(
        current,
        cpu_used_pct=round(max(0.0, min(100.0, cpu * 100)), 2),
        network_read_kbs=max(0, current.network_read_bytes_total
                             - previous.network_read_bytes_total) / 1024,
        network_write_kbs=max(0, current.network_write_bytes_total
                              - previous.network_write_bytes_total) / 1024,
        disk_read_kbs=max(0, current.disk_read_bytes_total - previous.disk_read_bytes_total)
        / 1024,
        disk_write_kbs=max(0, current.disk_write_bytes_total
                           - previous.disk_write_bytes_total) / 1024,
        disk_read_ios=max(0, current.disk_read_ios_total - previous.disk_read_ios_total),
        disk_write_ios=max(0, current.disk_write_ios_total - previous.disk_write_ios_total))
