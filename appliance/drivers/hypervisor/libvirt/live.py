"""The disks of a running kvm/qemu domain: hot plug and unplug of volumes, online resize,
the CD-ROM's medium, and a volume frozen for a consistent copy while the guest runs.

Freezing (seen from the guest, nothing happens): an external disk-only snapshot moves the
domain's writes to a new qcow2 overlay `<volume>.overlay` in the volume's pool
(snapshotCreateXML DISK_ONLY | NO_METADATA | ATOMIC | REUSE_EXT, the other disks left out),
so the volume itself stays as it was at that instant while it is copied. Afterwards an
active blockCommit merges the overlay back into the volume, the domain pivots to it, and the
overlay is deleted: the snapshot was taken on primary storage, copied, and removed from it.
Whatever fails while frozen, the domain is brought back to the volume; a freeze that a
dropped connection or a crash interrupted is undone at the start of the next one.
"""

from __future__ import annotations

import contextlib
import logging
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from typing import Any

from appliance.drivers.hypervisor.base import DriverError
from appliance.drivers.hypervisor.libvirt import storage
from appliance.drivers.hypervisor.libvirt import xml as virxml
from appliance.drivers.hypervisor.libvirt.connection import _libvirt, libvirt

log = logging.getLogger(__name__)
DETACH_TIMEOUT = 60.0  # a TCG guest may take a while to act on the unplug request
COMMIT_TIMEOUT = 600.0
POLL = 0.2


def lookup_domain(conn: Any, name: str) -> Any | None:
    try:
        return conn.lookupByName(name)
    except _libvirt.libvirtError as error:
        if error.get_error_code() == libvirt.VIR_ERR_NO_DOMAIN:
            return None
        raise


def running(conn: Any, name: str, host: str, what: str) -> Any:
    """The running domain `name`; DriverError saying `what` needs it otherwise."""
    domain = lookup_domain(conn, name)
    if domain is None or not domain.isActive():
        raise DriverError(f"{name} is not running on host {host}: {what} needs a running VM")
    return domain


def disks(domain: Any, *, inactive: bool = False) -> tuple[virxml.DomainDisk, ...]:
    """The domain's disks, live or as its persistent definition has them."""
    flags = libvirt.VIR_DOMAIN_XML_INACTIVE if inactive else 0
    return virxml.domain_disks(domain.XMLDesc(flags))


def _persistent_disks(domain: Any) -> tuple[virxml.DomainDisk, ...]:
    return disks(domain, inactive=True) if domain.isPersistent() else ()


def _wait(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() >= deadline:
            return False
        time.sleep(POLL)
    return True


# -- hot plug -----------------------------------------------------------------------------

def attach(domain: Any, volume: Any, fmt: str, device_id: int | None, *, host: str) -> str:
    """Plug `volume` into the running domain as a virtio disk (its target from the device
    id, as at start); returns the target. An attached volume stays where it is."""
    path = volume.path()
    live = disks(domain)
    for disk in live:
        if disk.source == path:
            return disk.target
    taken = {disk.target for disk in live}
    target = virxml.disk_target(device_id, taken)
    if target in taken:
        raise DriverError(f"{domain.name()} on host {host} already has a disk {target} "
                          f"(device id {device_id}); volume {volume.name()} cannot take it")
    flags = libvirt.VIR_DOMAIN_AFFECT_LIVE
    if domain.isPersistent() and not any(d.target == target
                                         for d in _persistent_disks(domain)):
        flags |= libvirt.VIR_DOMAIN_AFFECT_CONFIG
    definition = virxml.disk_xml(
        virxml.AttachedDisk(path=path, format=fmt, device_id=device_id), target)
    domain.attachDeviceFlags(definition, flags)
    log.info("attached volume %s to %s as %s on %s", volume.name(), domain.name(), target,
             host)
    return target


def detach(domain: Any, path: str, *, host: str, volume: str,
           timeout: float = DETACH_TIMEOUT) -> None:
    """Unplug the disk whose file is `path` and wait until the guest released it (the live
    definition no longer has it). A disk that is not plugged is fine."""
    live = disks(domain) if domain.isActive() else ()
    plugged = next((d for d in live if d.source == path), None)
    configured = next((d for d in _persistent_disks(domain) if d.source == path), None)
    if configured is not None and (plugged is None or plugged.target != configured.target):
        domain.detachDeviceFlags(_device_xml(configured, path),
                                 libvirt.VIR_DOMAIN_AFFECT_CONFIG)
        configured = None
    if plugged is None:
        return
    flags = libvirt.VIR_DOMAIN_AFFECT_LIVE
    if configured is not None:
        flags |= libvirt.VIR_DOMAIN_AFFECT_CONFIG
    domain.detachDeviceFlags(_device_xml(plugged, path), flags)

    def released() -> bool:
        return not domain.isActive() or all(d.source != path for d in disks(domain))

    if not _wait(released, timeout):
        raise DriverError(f"the guest of {domain.name()} on host {host} did not release "
                          f"volume {volume} ({plugged.target}) within {timeout:.0f} s; the "
                          "disk stays attached (a guest without PCI hot-unplug support, or "
                          "one still booting, ignores the request)")
    log.info("detached volume %s (%s) from %s on %s", volume, plugged.target, domain.name(),
             host)


def _device_xml(disk: virxml.DomainDisk, path: str) -> str:
    element = ET.Element("disk", type="file", device=disk.device)
    ET.SubElement(element, "driver", name="qemu", type=disk.format or "raw")
    ET.SubElement(element, "source", file=path)
    ET.SubElement(element, "target", dev=disk.target, bus=disk.bus or virxml.DISK_BUS)
    return ET.tostring(element, encoding="unicode")


def target_of(domain: Any, path: str) -> str | None:
    """The target of the running domain's disk whose file is `path`."""
    return next((d.target for d in disks(domain) if d.source == path), None)


# -- CD-ROM -------------------------------------------------------------------------------

def cdrom(domain: Any, host: str) -> virxml.DomainDisk:
    drive = next((d for d in disks(domain) if d.device == "cdrom"), None)
    if drive is None:
        raise DriverError(f"{domain.name()} on host {host} has no CD-ROM drive (it was "
                          "defined without one: stop and start it to get one)")
    return drive


def set_medium(domain: Any, drive: virxml.DomainDisk, path: str | None) -> None:
    """Put the ISO file `path` into the drive (None: eject), live and in the definition."""
    flags = libvirt.VIR_DOMAIN_AFFECT_LIVE
    if any(d.target == drive.target and d.device == "cdrom"
           for d in _persistent_disks(domain)):
        flags |= libvirt.VIR_DOMAIN_AFFECT_CONFIG
    domain.updateDeviceFlags(virxml.cdrom_xml(path, drive.target, drive.bus or
                                              virxml.CDROM_BUS), flags)


# -- frozen for a copy --------------------------------------------------------------------

def overlay_name(volume_name: str) -> str:
    return volume_name + storage.OVERLAY_SUFFIX


@contextlib.contextmanager
def frozen(domain: Any, pool: Any, volume: Any, *, host: str) -> Iterator[None]:
    """While the block runs, `volume` does not change although the running domain keeps
    writing (see the module doc); afterwards the domain is back on `volume`. A volume the
    domain does not use needs nothing."""
    undo_interrupted(domain, pool, volume, host=host)
    path = volume.path()
    live = disks(domain)
    disk = next((d for d in live if d.source == path), None)
    if disk is None:
        yield
        return
    if disk.mirror_job:
        raise DriverError(f"a block job ({disk.mirror_job}) runs on {disk.target} of "
                          f"{domain.name()} on host {host}; volume {volume.name()} cannot be "
                          "frozen now")
    overlay = pool.createXML(virxml.volume_xml(
        overlay_name(volume.name()), int(volume.info()[1]), backing_path=path,
        backing_format=disk.format or "qcow2"), 0)
    flags = (libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY
             | libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_NO_METADATA
             | libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_ATOMIC
             | libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_REUSE_EXT)
    try:
        domain.snapshotCreateXML(virxml.disk_snapshot_xml(
            [d.target for d in live], disk.target, overlay.path()), flags)
    except BaseException:
        with contextlib.suppress(Exception):
            overlay.delete(0)
        raise
    log.info("froze volume %s of %s on %s (writes go to %s)", volume.name(), domain.name(),
             host, overlay.name())
    try:
        yield
    except BaseException as failure:
        try:
            _thaw(domain, pool, volume, overlay, host=host)
        except BaseException:
            log.error("the copy of frozen volume %s failed (%s); bringing %s back to it "
                      "failed too", volume.name(), failure, domain.name())
            raise
        raise
    _thaw(domain, pool, volume, overlay, host=host)


def undo_interrupted(domain: Any, pool: Any, volume: Any, *, host: str) -> None:
    """Finish a freeze of `volume` that a dropped connection, a crash or a stop left
    behind (its overlay still exists)."""
    overlay = storage.lookup(pool, overlay_name(volume.name()))
    if overlay is not None:
        log.warning("volume %s of %s on %s has the overlay of an interrupted copy; "
                    "finishing it", volume.name(), domain.name(), host)
        _thaw(domain, pool, volume, overlay, host=host)


def _thaw(domain: Any, pool: Any, volume: Any, overlay: Any, *, host: str) -> None:
    """Return the domain to `volume` and delete the overlay. When the domain's current
    definition (live when it runs, else the persistent one) writes into the overlay, the
    overlay is merged back first; a stopped domain is started paused for that (no guest
    code runs) and stopped again. An overlay no definition uses is stale: deleted."""
    overlay_path = overlay.path()
    if domain.isActive():
        disk = next((d for d in disks(domain) if d.source == overlay_path), None)
        if disk is not None:
            _commit(domain, disk, volume, overlay_path, host=host)
    elif domain.isPersistent():
        disk = next((d for d in disks(domain, inactive=True) if d.source == overlay_path),
                    None)
        if disk is not None:
            log.info("%s on %s stopped while volume %s was frozen: merging its overlay in a "
                     "paused domain", domain.name(), host, volume.name())
            domain.createWithFlags(libvirt.VIR_DOMAIN_START_PAUSED)
            try:
                _commit(domain, disk, volume, overlay_path, host=host)
            finally:
                if domain.isActive():
                    domain.destroy()
    _restore_definition(domain, overlay_path=overlay_path, path=volume.path())
    overlay.delete(0)
    log.info("volume %s of %s on %s thawed", volume.name(), domain.name(), host)


def _commit(domain: Any, disk: virxml.DomainDisk, volume: Any, overlay_path: str, *,
            host: str) -> None:
    """Active commit of the overlay (the domain's top image of `disk`) into the volume
    below it, then the pivot back to the volume."""
    target, path = disk.target, volume.path()
    if disk.mirror_job is None:
        domain.blockCommit(target, None, None, 0,
                           libvirt.VIR_DOMAIN_BLOCK_COMMIT_ACTIVE
                           | libvirt.VIR_DOMAIN_BLOCK_COMMIT_SHALLOW)
    elif disk.mirror_job != "active-commit":
        raise DriverError(f"a block job ({disk.mirror_job}) runs on {target} of "
                          f"{domain.name()} on host {host}; it cannot return to volume "
                          f"{volume.name()}")

    def current() -> virxml.DomainDisk | None:
        return next((d for d in disks(domain) if d.target == target), None)

    if not _wait(lambda: getattr(current(), "mirror_ready", True), COMMIT_TIMEOUT):
        with contextlib.suppress(_libvirt.libvirtError):
            domain.blockJobAbort(target, 0)
        raise DriverError(f"merging {overlay_path} back into volume {volume.name()} of "
                          f"{domain.name()} on host {host} did not finish within "
                          f"{COMMIT_TIMEOUT:.0f} s; the domain still writes into it")
    domain.blockJobAbort(target, libvirt.VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT)

    def pivoted() -> bool:
        disk = current()
        return disk is not None and disk.source == path and disk.mirror_job is None

    if not _wait(pivoted, 30.0):
        raise DriverError(f"{domain.name()} on host {host} did not return to volume "
                          f"{volume.name()} after merging {overlay_path} back")


def _restore_definition(domain: Any, *, overlay_path: str, path: str) -> None:
    """Point a persistent definition that still names the overlay back at the volume
    (libvirt does so itself after a pivot; not when the overlay was not merged)."""
    if not domain.isPersistent():
        return
    root = ET.fromstring(domain.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE
                                        | libvirt.VIR_DOMAIN_XML_SECURE))
    changed = False
    for disk in root.findall("./devices/disk"):
        source = disk.find("source")
        if source is None or source.get("file") != overlay_path:
            continue
        source.set("file", path)
        for backing in disk.findall("backingStore"):
            disk.remove(backing)
        changed = True
    if changed:
        domain.connect().defineXML(ET.tostring(root, encoding="unicode"))
