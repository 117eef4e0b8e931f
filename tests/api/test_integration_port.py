"""The unauthenticated integration port (CloudStack's integration.api.port): off unless
configured, loopback only, and enough for Marvin's bootstrap (listUsers → getUserKeys)."""

from __future__ import annotations

import socket
import tempfile
import time

import pytest
import requests
from cs import CloudStack

from tests.support import server


def test_integration_port_serves_unsigned_calls_on_loopback(database_url: str) -> None:
    home = tempfile.mkdtemp(prefix="cirrus-integration-")
    creds = server.init(database_url, home)
    first = server.start(database_url, home=home)
    port = server.free_port()  # chosen after the server took its own port
    try:
        admin = CloudStack(endpoint=first.endpoint, key=creds["apikey"],
                           secret=creds["secretkey"])
        # Off by default: nothing listens on the port.
        with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            pass
        admin.updateConfiguration(name="integration.api.port", value=str(port))
    finally:
        first.stop()
    srv = server.start(database_url, home=home)
    try:
        _wait_listening(port)
        assert _listen_addresses(port) == {"127.0.0.1"}
        unsigned = CloudStack(endpoint=f"http://127.0.0.1:{port}/client/api", key="", secret="")
        users = unsigned.listUsers(account="admin")["user"]
        assert users[0]["username"] == "admin"
        keys = unsigned.getUserKeys(id=users[0]["id"])["userkeys"]
        assert keys == {"apikey": creds["apikey"], "secretkey": creds["secretkey"]}
        # The public port still demands a signature.
        response = requests.get(srv.endpoint, params={"command": "listUsers",
                                                      "response": "json"}, timeout=10)
        assert response.status_code == 401
    finally:
        srv.stop()


def _listen_addresses(port: int) -> set[str]:
    """Local addresses with a TCP socket listening on `port`, read from /proc/net/tcp."""
    found = set()
    with open("/proc/net/tcp") as table:
        for line in table.readlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
    return found


def _wait_listening(port: int) -> None:
    deadline = time.monotonic() + 60  # a gunicorn start on 2 busy cores
    while time.monotonic() < deadline:
        if _listen_addresses(port):
            return
        time.sleep(0.1)
    raise AssertionError(f"nothing listens on port {port}")
