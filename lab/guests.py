"""Guest domains on lab hosts, for tests of the lab and as a reference for the libvirt
driver: domain XML for the lab images (QEMU TCG and LXC) and waiting for the boot marker
on the serial log or the console."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from lab.images import MARKER


def qemu_domain_xml(name: str, *, serial_log: str, kernel: str | None = None,
                    initrd: str | None = None, cmdline: str | None = None,
                    disk: str | None = None, cdrom: str | None = None,
                    bridge: str | None = None, mac: str | None = None,
                    memory_mib: int = 128, vcpus: int = 1) -> str:
    """A QEMU (TCG) domain: direct kernel boot when `kernel` is given, else BIOS boot from
    `disk` (qcow2) or `cdrom` (ISO); serial port 0 written to `serial_log` (a path as the
    lab host sees it, e.g. under /var/log/libvirt/qemu)."""
    os_parts = ["<type arch='x86_64' machine='pc'>hvm</type>"]
    if kernel:
        os_parts.append(f"<kernel>{escape(kernel)}</kernel>")
        if initrd:
            os_parts.append(f"<initrd>{escape(initrd)}</initrd>")
        if cmdline:
            os_parts.append(f"<cmdline>{escape(cmdline)}</cmdline>")
    else:
        os_parts.append(f"<boot dev='{'cdrom' if cdrom and not disk else 'hd'}'/>")
    devices = ["<emulator>/usr/bin/qemu-system-x86_64</emulator>"]
    if disk:
        devices.append("<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
                       f"<source file={quoteattr(disk)}/><target dev='vda' bus='virtio'/>"
                       "</disk>")
    if cdrom:
        devices.append("<disk type='file' device='cdrom'><driver name='qemu' type='raw'/>"
                       f"<source file={quoteattr(cdrom)}/><target dev='hdc' bus='ide'/>"
                       "<readonly/></disk>")
    if bridge:
        devices.append(_interface(bridge, mac, model="virtio"))
    devices.append(f"<serial type='file'><source path={quoteattr(serial_log)}/>"
                   "<target port='0'/></serial>")
    devices.append("<memballoon model='virtio'/>")
    return (f"<domain type='qemu'><name>{escape(name)}</name>"
            f"<memory unit='MiB'>{memory_mib}</memory><vcpu>{vcpus}</vcpu>"
            f"<os>{''.join(os_parts)}</os><features><acpi/></features>"
            f"<on_poweroff>destroy</on_poweroff><devices>{''.join(devices)}</devices>"
            "</domain>")


def lxc_domain_xml(name: str, rootfs: str, *, bridge: str | None = None,
                   mac: str | None = None, ip: str | None = None,
                   env: dict[str, str] | None = None, memory_mib: int = 64,
                   readonly: bool = True) -> str:
    """A libvirt LXC domain running the lab rootfs's /sbin/init; settings as CIRRUS_*
    environment variables (`env`, e.g. {"CIRRUS_PING": "10.0.0.1"}); `ip` (ADDRESS/PREFIX)
    is set on eth0 by libvirt."""
    initenv = "".join(f"<initenv name={quoteattr(key)}>{escape(value)}</initenv>"
                      for key, value in (env or {}).items())
    devices = [f"<filesystem type='mount' accessmode='passthrough'>"
               f"<source dir={quoteattr(rootfs)}/><target dir='/'/>"
               f"{'<readonly/>' if readonly else ''}</filesystem>"]
    if bridge:
        devices.append(_interface(bridge, mac, ip=ip))
    devices.append("<console type='pty'><target type='lxc' port='0'/></console>")
    return (f"<domain type='lxc'><name>{escape(name)}</name>"
            f"<memory unit='MiB'>{memory_mib}</memory><vcpu>1</vcpu>"
            f"<os><type>exe</type><init>/sbin/init</init>{initenv}</os>"
            f"<devices>{''.join(devices)}</devices></domain>")


def _interface(bridge: str, mac: str | None, *, model: str | None = None,
               ip: str | None = None) -> str:
    parts = [f"<source bridge={quoteattr(bridge)}/>"]
    if mac:
        parts.append(f"<mac address={quoteattr(mac)}/>")
    if model:
        parts.append(f"<model type={quoteattr(model)}/>")
    if ip:
        address, _, prefix = ip.partition("/")
        parts.append(f"<ip address={quoteattr(address)} prefix={quoteattr(prefix or '24')}/>")
    return f"<interface type='bridge'>{''.join(parts)}</interface>"


def wait_for_file_text(path: str, text: str, timeout: float = 60.0) -> str:
    """Wait until the file (e.g. a serial log) holds `text`; return the file's content."""
    deadline = time.monotonic() + timeout
    content = ""
    while time.monotonic() < deadline:
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                content = handle.read()
        except FileNotFoundError:
            content = ""
        if text in content:
            return content
        time.sleep(0.05)
    raise TimeoutError(f"{text!r} did not appear in {path} within {timeout:.0f} s; "
                       f"it holds: {content[-800:]!r}")


class Console:
    """A domain's console output (libvirt stream, works over the remote transport), read
    by a background thread."""

    def __init__(self, conn: Any, domain: Any) -> None:
        self.stream = conn.newStream(0)
        domain.openConsole(None, self.stream, 0)
        self.output = ""
        self.closed = False
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        import libvirt

        try:
            while True:
                data = self.stream.recv(4096)
                if not isinstance(data, bytes) or not data:
                    break
                with self._lock:
                    self.output += data.decode("utf-8", "replace")
        except libvirt.libvirtError:
            pass
        self.closed = True

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if text in self.output:
                    return self.output
            if self.closed:
                break
            time.sleep(0.01)
        raise TimeoutError(f"{text!r} did not appear on the console within {timeout:.0f} s; "
                           f"it showed: {self.output[-800:]!r}")

    def close(self) -> None:
        import libvirt

        with contextlib.suppress(libvirt.libvirtError):
            self.stream.abort()


def marker_line(hostname: str) -> str:
    return f"{MARKER} {hostname}"


def serial_log_path(name: str) -> str:
    """Where a lab QEMU guest's serial log goes, as the lab host sees it."""
    return os.path.join("/var/log/libvirt/qemu", f"{name}-serial.log")
