"""The lab's fixed names and addresses. Other code (tests, inventories, specs) codes against
these; change them only together with everything that uses them.

    root namespace                      host i (1-based): netns cirlab-h{i}
    cirlab0 10.233.0.1/24  ── veth cirlab-h{i} ──  eth0 10.233.0.{10+i}/24, lo up
                                                    sshd            :22
                                                    libvirtd (tcp)  :16509
"""

from __future__ import annotations

import ipaddress
import os

BRIDGE = "cirlab0"
BRIDGE_ADDRESS = "10.233.0.1"
MANAGEMENT_NAME = "cirlab-mgmt"  # the bridge address's name in the hosts' /etc/hosts
PREFIX_LENGTH = 24
NETWORK = ipaddress.ip_network(f"{BRIDGE_ADDRESS}/{PREFIX_LENGTH}", strict=False)
HOST_INTERFACE = "eth0"  # the host's management interface inside its namespace
LIBVIRT_TCP_PORT = 16509
SSH_PORT = 22
MAX_HOSTS = 9  # addresses .11 .. .19

STATE_DIR = os.environ.get("CIRRUS_LAB_DIR", "/var/lib/cirrus-lab")
CACHE_DIR = os.environ.get("CIRRUS_LAB_CACHE", "/var/cache/cirrus-lab")
STATE_FILE = os.path.join(STATE_DIR, "state.json")
LAB_KEY = os.path.join(STATE_DIR, "ssh", "id_ed25519")  # the lab's own key (generated)
# Present while the running lab was brought up by a test session (tests/support/lab.py),
# which then brings it down; `cirrus lab up` by a person removes it (the lab stays).
SESSION_OWNED_FILE = os.path.join(STATE_DIR, "session-owned")
# Test sessions using the lab hold a lease here (a file named by their pid).
LEASE_DIR = os.path.join(STATE_DIR, "leases")
LIBVIRT_KINDS = ("qemu", "lxc")

# The directories a host's libvirtd gets privately (bind mounts inside its mount namespace),
# keyed by the name of the per-host directory that backs them.
LIBVIRT_MOUNTS = {
    "run": "/run/libvirt",
    "lib": "/var/lib/libvirt",
    "log": "/var/log/libvirt",
    "cache": "/var/cache/libvirt",
    "etc": "/etc/libvirt",
}


def host_name(index: int) -> str:
    """The host's name (also its hostname inside its UTS namespace): h1, h2, ..."""
    return f"h{index}"


def netns_name(index: int) -> str:
    return f"cirlab-h{index}"


def veth_name(index: int) -> str:
    """The root-namespace end of the host's veth (the other end is eth0 inside)."""
    return f"cirlab-h{index}"


def host_address(index: int) -> str:
    if not 1 <= index <= MAX_HOSTS:
        raise ValueError(f"lab host index {index} is outside 1..{MAX_HOSTS}")
    return f"10.233.0.{10 + index}"


def host_dir(index: int) -> str:
    return os.path.join(STATE_DIR, host_name(index))


def libvirt_uri(address: str, kind: str) -> str:
    """qemu+tcp://ADDR/system or lxc+tcp://ADDR/ for a lab host's libvirtd."""
    if kind == "qemu":
        return f"qemu+tcp://{address}/system"
    if kind == "lxc":
        return f"lxc+tcp://{address}/"
    raise ValueError(f"libvirt kind {kind!r} is not one of {', '.join(LIBVIRT_KINDS)}")
