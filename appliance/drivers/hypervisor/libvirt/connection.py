"""One persistent libvirt connection per host URI per process, reopened when it fails.

This is the only module that imports libvirt-python (it has no type stubs): the rest of the
driver uses `libvirt` from here as an untyped module. Connections run libvirt's default
event loop in a daemon thread so keepalive probes notice a dead host (5 s × 3), and a
TCP probe with a short timeout runs before every (re)connect, so an unreachable host fails
in seconds rather than after the kernel's connect timeout.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

import libvirt as _libvirt  # type: ignore[import-untyped,unused-ignore]

from appliance.drivers.hypervisor.base import DriverError, HostAccess, HostUnreachable

libvirt: Any = _libvirt
log = logging.getLogger(__name__)
T = TypeVar("T")

LIBVIRT_TCP_PORT = 16509
CONNECT_TIMEOUT = 5.0
KEEPALIVE_INTERVAL, KEEPALIVE_COUNT = 5, 3
# Errors that mean "the connection is gone", not "the operation was refused".
_CONNECTION_ERRORS = {
    libvirt.VIR_ERR_NO_CONNECT, libvirt.VIR_ERR_INVALID_CONN, libvirt.VIR_ERR_RPC,
    libvirt.VIR_ERR_AUTH_FAILED, libvirt.VIR_ERR_AUTH_UNAVAILABLE,
}
_CONNECTION_DOMAINS = {libvirt.VIR_FROM_RPC, libvirt.VIR_FROM_REMOTE}


def _quiet(_context: object, _error: object) -> None:
    """libvirt's default handler prints every error on stderr; ours become exceptions."""


libvirt.registerErrorHandler(_quiet, None)

_loop_lock = threading.Lock()
_loop_started = False


def _ensure_event_loop() -> None:
    """libvirt's default event loop in a daemon thread (needed for keepalive)."""
    global _loop_started
    with _loop_lock:
        if _loop_started:
            return
        libvirt.virEventRegisterDefaultImpl()

        def run() -> None:
            while True:
                libvirt.virEventRunDefaultImpl()

        threading.Thread(target=run, name="libvirt-events", daemon=True).start()
        _loop_started = True


def libvirt_uri(host: HostAccess) -> str:
    """The URI of the host's libvirtd for its cluster's domain type.

    A host URL that is already a libvirt URI (`qemu+ssh://root@h/system`, `lxc+tls://h/`)
    is used as it is, with its driver part set by the domain type; anything else
    (`http://10.0.0.5`, a bare address) gives `qemu+tcp://ADDR/system` or `lxc+tcp://ADDR/`.
    """
    kind = domain_type(host)
    driver = "lxc" if kind == "lxc" else "qemu"
    path = "/" if driver == "lxc" else "/system"
    parts = urlsplit(host.url if "://" in host.url else f"tcp://{host.url}")
    scheme = parts.scheme
    if scheme.split("+")[0] in ("qemu", "lxc"):
        transport = scheme.partition("+")[2]
        netloc = parts.netloc
        query = f"?{parts.query}" if parts.query else ""
        return f"{driver}{'+' + transport if transport else ''}://{netloc}{path}{query}"
    address = parts.hostname or host.ip_address or host.name
    return f"{driver}+tcp://{address}{path}"


def domain_type(host: HostAccess) -> str:
    """kvm | qemu | lxc: the cluster's setting, else by hypervisor type (LXC or KVM)."""
    kind = (host.libvirt_domain_type or "").strip().lower()
    if kind:
        return kind
    return "lxc" if host.hypervisor.upper() == "LXC" else "kvm"


def is_connection_error(error: Any) -> bool:
    return bool(error.get_error_code() in _CONNECTION_ERRORS
                or (error.get_error_domain() in _CONNECTION_DOMAINS
                    and error.get_error_code() == libvirt.VIR_ERR_SYSTEM_ERROR))


def _probe(uri: str) -> None:
    """Fail fast (HostUnreachable) when a TCP/TLS libvirtd does not accept connections."""
    parts = urlsplit(uri)
    transport = parts.scheme.partition("+")[2]
    if transport not in ("tcp", "tls") or not parts.hostname:
        return
    port = parts.port or (LIBVIRT_TCP_PORT if transport == "tcp" else 16514)
    try:
        with socket.create_connection((parts.hostname, port), timeout=CONNECT_TIMEOUT):
            pass
    except OSError as error:
        raise HostUnreachable(f"libvirtd at {uri} is unreachable: {error}") from None


class Connections:
    """Open connections by URI; thread-safe (libvirt connections are, once open)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._uri_locks: dict[str, threading.Lock] = {}
        self._open: dict[str, Any] = {}

    def get(self, uri: str) -> Any:
        """The live connection to `uri`, opened (or reopened) as needed."""
        with self._lock:
            uri_lock = self._uri_locks.setdefault(uri, threading.Lock())
        with uri_lock:
            conn = self._open.get(uri)
            if conn is not None:
                try:
                    if conn.isAlive():
                        return conn
                except _libvirt.libvirtError:
                    pass
                self._close(uri)
            _probe(uri)
            _ensure_event_loop()
            try:
                conn = libvirt.open(uri)
            except _libvirt.libvirtError as error:
                raise HostUnreachable(f"cannot connect to libvirtd at {uri}: "
                                      f"{error.get_error_message()}") from None
            try:
                conn.setKeepAlive(KEEPALIVE_INTERVAL, KEEPALIVE_COUNT)
            except _libvirt.libvirtError as error:  # not every transport supports it
                log.debug("no keepalive on %s: %s", uri, error.get_error_message())
            self._open[uri] = conn
            log.info("connected to %s", uri)
            return conn

    def drop(self, uri: str) -> None:
        """Forget a connection that failed; the next get() reconnects."""
        with self._lock:
            uri_lock = self._uri_locks.setdefault(uri, threading.Lock())
        with uri_lock:
            self._close(uri)

    def _close(self, uri: str) -> None:
        conn = self._open.pop(uri, None)
        if conn is not None:
            with contextlib.suppress(_libvirt.libvirtError):
                conn.close()

    def close_all(self) -> None:
        with self._lock:
            uris = list(self._open)
        for uri in uris:
            self.drop(uri)

    def call(self, uri: str, action: str, operation: Callable[[Any], T]) -> T:
        """Run `operation(conn)`; a dropped connection is reopened and the (idempotent)
        operation retried once. libvirt errors become DriverError with libvirt's message,
        connection failures HostUnreachable."""
        for attempt in (1, 2):
            conn = self.get(uri)
            try:
                return operation(conn)
            except _libvirt.libvirtError as error:
                if is_connection_error(error):
                    self.drop(uri)
                    if attempt == 1:
                        log.warning("%s on %s: connection lost (%s); reconnecting", action,
                                    uri, error.get_error_message())
                        continue
                    raise HostUnreachable(f"{action} on {uri}: "
                                          f"{error.get_error_message()}") from None
                raise DriverError(f"{action} on {uri} failed: "
                                  f"{error.get_error_message()}") from None
        raise AssertionError("unreachable")  # pragma: no cover
