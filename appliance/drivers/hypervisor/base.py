"""The contract every hypervisor driver fulfils; orchestration only talks to this."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from appliance.errors import CloudError, ErrorCode


class PowerState(StrEnum):
    RUNNING = "Running"
    STOPPED = "Stopped"
    PAUSED = "Paused"
    UNKNOWN = "Unknown"


class DriverError(CloudError):
    """A hypervisor refused or failed an operation (530 unless a subclass says otherwise)."""

    code = ErrorCode.INTERNAL_ERROR


class HostUnreachable(DriverError):
    """The host did not answer (ping, connect, or an operation that timed out)."""

    code = ErrorCode.RESOURCE_UNAVAILABLE


@dataclass(frozen=True)
class HostAccess:
    """How a driver reaches one host: what addHost was given plus the cluster's settings."""

    id: str
    name: str
    url: str
    hypervisor: str
    ip_address: str | None = None
    username: str | None = None
    password: str | None = None
    libvirt_domain_type: str | None = None


@dataclass(frozen=True)
class HostFacts:
    """What a driver detects on a host when it is added or reconnected."""

    cpu_count: int
    cpu_speed_mhz: int
    memory: int  # bytes
    version: str = ""
    capabilities: str = ""
    ip_address: str | None = None


@dataclass(frozen=True)
class DiskSpec:
    """A disk of the VM: volume `name` in the host's storage pool `pool` (libvirt pool
    name = the primary storage pool's id), created by the driver when missing (a root disk
    as an overlay on the VM's template staged in the same pool)."""

    path: str
    device_id: int
    size: int
    format: str = "qcow2"
    backing_path: str | None = None  # the template a root disk is an overlay of
    volume_id: str | None = None
    pool: str | None = None
    name: str | None = None
    is_root: bool = False


@dataclass(frozen=True)
class VolumeRef:
    """One volume in a host's storage pool, for the storage operations of a driver."""

    pool: str  # the primary storage pool's id (the libvirt pool's name)
    name: str  # the volume's name in that pool (the Cirrus volume id)
    size: int  # virtual size in bytes
    format: str = "qcow2"


@dataclass(frozen=True)
class PoolUsage:
    """What a primary storage pool holds, as the host that mounts it measures."""

    capacity: int | None  # bytes; None when the driver cannot tell
    used: int  # bytes allocated by the pool's volumes


class StorageFeature(StrEnum):
    """What a driver can do with volumes on a host (`storage_features`)."""

    ATTACH = "attach"  # data volumes can be attached to this host's VMs
    HOT_PLUG = "hot_plug"  # ... while they run
    RESIZE = "resize"
    LIVE_SNAPSHOT = "live_snapshot"  # export_volume while the VM runs is consistent
    INCREMENTAL = "incremental"  # snapshots are kept as qcow2 backing chains


@dataclass(frozen=True)
class TemplateSpec:
    """The VM's template (or ISO) as the management server holds it on secondary storage;
    the driver stages it into the host's pool once and reuses it."""

    template_id: str
    path: str  # readable file on the management server
    format: str  # QCOW2, RAW, VHD, VMDK, ISO, TAR
    size: int  # virtual size in bytes
    # Direct kernel boot (libvirt qemu/kvm): files on the management server staged beside
    # the template and booted with <kernel>/<initrd>/<cmdline>; None boots from the disk.
    kernel: str | None = None
    initrd: str | None = None
    kernel_args: str | None = None


@dataclass(frozen=True)
class NicSpec:
    mac: str
    bridge: str
    ip_address: str | None = None
    device_id: int = 0


@dataclass(frozen=True)
class VmSpec:
    """Everything a driver needs to define and start one VM."""

    vm_id: str
    instance_name: str
    cpus: int
    cpu_speed_mhz: int
    memory_mib: int
    disks: tuple[DiskSpec, ...] = ()
    nics: tuple[NicSpec, ...] = ()
    iso_path: str | None = None
    boot_from_iso: bool = False
    template: TemplateSpec | None = None
    iso: TemplateSpec | None = None
    user_data: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class VmStats:
    """One sample of a VM's usage. The `*_kbs` and `*_ios` fields are what happened since
    the driver's previous sample of the VM in this process (CloudStack's KVM agent reports
    networkkbsread etc. that way; 0 on the first sample); the `*_total` fields are the
    hypervisor's cumulative counters since the VM started, for callers that keep their own
    previous values."""

    cpu_used_pct: float = 0.0  # cpuused: % of the VM's vCPUs over the interval
    memory_kib: int = 0  # memory the VM has (balloon current / RSS for containers)
    network_read_kbs: float = 0.0  # networkkbsread (received by the guest)
    network_write_kbs: float = 0.0  # networkkbswrite (sent by the guest)
    disk_read_kbs: float = 0.0  # diskkbsread
    disk_write_kbs: float = 0.0  # diskkbswrite
    disk_read_ios: int = 0  # diskioread
    disk_write_ios: int = 0  # diskiowrite
    memory_free_kib: int = 0  # memoryintfreekbs (guest-reported; 0 when unknown)
    memory_target_kib: int = 0  # memorytargetkbs
    cpu_time_total_ns: int = 0
    network_read_bytes_total: int = 0
    network_write_bytes_total: int = 0
    disk_read_bytes_total: int = 0
    disk_write_bytes_total: int = 0
    disk_read_ios_total: int = 0
    disk_write_ios_total: int = 0


class HypervisorDriver(Protocol):
    """Operations on hosts and their VMs. Every method is idempotent where it can be:
    starting a running VM, stopping a stopped one or destroying a missing one succeeds."""

    def detect(self, host: HostAccess) -> HostFacts: ...

    def ping(self, host: HostAccess) -> None: ...

    def start(self, host: HostAccess, spec: VmSpec) -> None: ...

    def stop(self, host: HostAccess, instance_name: str, *, forced: bool,
             timeout: float) -> None: ...

    def reboot(self, host: HostAccess, instance_name: str) -> None: ...

    def destroy(self, host: HostAccess, instance_name: str) -> None: ...

    def power_states(self, host: HostAccess) -> dict[str, PowerState]: ...

    def stats(self, host: HostAccess, instance_name: str) -> VmStats: ...

    def delete_volume(self, host: HostAccess, pool: str, name: str) -> None:
        """Delete volume `name` of storage pool `pool` on the host (expunge of a volume;
        destroy() keeps a VM's volumes). A missing volume or pool is fine."""
        ...

    # -- volumes (seed §7.5, §7.9) --------------------------------------------------------

    def storage_features(self, host: HostAccess) -> frozenset[StorageFeature]:
        """The volume operations this host's hypervisor allows."""
        ...

    def pool_usage(self, host: HostAccess, pool: str) -> PoolUsage | None:
        """Capacity and use of storage pool `pool` as mounted on the host (None when the
        host has no such pool)."""
        ...

    def create_volume(self, host: HostAccess, volume: VolumeRef) -> None:
        """An empty data volume of `volume.size` (an existing one is kept)."""
        ...

    def import_volume(self, host: HostAccess, volume: VolumeRef, source: str) -> None:
        """Volume `volume` holding the image file `source` of the management server (qcow2
        or raw, detected; grown to `volume.size` when that is larger). An existing volume is
        kept. A failed import leaves no volume behind."""
        ...

    def export_volume(self, host: HostAccess, volume: VolumeRef, dest: str, *,
                      instance_name: str | None = None) -> None:
        """Write the volume's whole content as a standalone qcow2 file `dest` on the
        management server (no backing file). With `instance_name` the volume is attached to
        that running VM: the copy is of one instant (taken on primary storage, copied, then
        removed from primary) while the guest goes on writing."""
        ...

    def attach_volume(self, host: HostAccess, instance_name: str, disk: DiskSpec) -> None:
        """Plug an existing volume into the running VM as `disk.device_id` (hot plug);
        the guest sees a new disk. Attaching an attached disk is fine. A stopped VM needs
        no call: its disks come from its VmSpec at start."""
        ...

    def detach_volume(self, host: HostAccess, instance_name: str, disk: DiskSpec) -> None:
        """Unplug `disk` from the running VM; a disk that is not plugged is fine."""
        ...

    def resize_volume(self, host: HostAccess, volume: VolumeRef, size: int, *,
                      instance_name: str | None = None) -> None:
        """Grow the volume to `size` bytes (online when `instance_name` runs it)."""
        ...

    def insert_iso(self, host: HostAccess, instance_name: str, iso: TemplateSpec) -> None:
        """Put `iso` into the running VM's CD-ROM drive (staged on the host once)."""
        ...

    def eject_iso(self, host: HostAccess, instance_name: str) -> None:
        """Empty the running VM's CD-ROM drive; an empty drive is fine."""
        ...
