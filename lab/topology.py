"""The lab's fixed names and addresses. Other code (tests, inventories, specs) codes against
these; change them only together with everything that uses them.

    root namespace                      host i (1-based): netns cirlab-h{i}
    cirlab0 10.233.0.1/24  ── veth cirlab-h{i} ──  eth0 10.233.0.{10+i}/24, lo up
       │                                            sshd            :22
       │                                            libvirtd (tcp)  :16509
       │                                            breth0-100 ── pubvx100 (public VLAN 100*)
       │                                            cloudbr0 ── eth1 (basic zone L2, untagged)
       │                                                         │
    cirlab1 (no address) ── veth cirlab1-h{i} ───────────────────┘
       │
       │     netns cirlab-pub (the "internet", public gateway of both zone types)
       │       eth1 10.233.64.1/24          basic zone pod gateway   (veth cirlab1-pub)
       └────── eth0 10.233.0.2/24           underlay on cirlab0      (veth cirlab-pub)
               pubvx100 10.233.100.1/24     public VLAN 100 gateway*

    * This kernel has no 802.1Q (DESIGN §4), so VLAN 100 on cirlab0 is emulated: a VXLAN
      segment (VNI 100, group 239.233.100.1, UDP 4790: never a guest VNI's port) over
      cirlab0, ending in cirlab-pub (pubvx100 holds the gateway) and in each host's
      breth0-100, the bridge CloudStack KVM names for VLAN 100 on eth0. On a kernel with
      802.1Q, cirlab-pub holds the gateway on eth0.100 (tagged on cirlab0) and the hosts get
      no breth0-100 from the lab: guest_network makes it (eth0.100) as for any VLAN.
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

# The public side of advanced zones: VLAN 100, gateway in cirlab-pub; zone public range
# 10.233.100.10-10.233.100.99.
PUBLIC_NETNS = "cirlab-pub"
PUBLIC_VETH = "cirlab-pub"  # its root end on cirlab0 (eth0 inside cirlab-pub)
PUBLIC_UNDERLAY_ADDRESS = "10.233.0.2"  # cirlab-pub's eth0 on cirlab0 (carries VLAN 100)
PUBLIC_VLAN = 100
PUBLIC_GATEWAY = "10.233.100.1"
PUBLIC_PREFIX_LENGTH = 24
PUBLIC_NETWORK = ipaddress.ip_network(f"{PUBLIC_GATEWAY}/{PUBLIC_PREFIX_LENGTH}", strict=False)
PUBLIC_RANGE = ("10.233.100.10", "10.233.100.99")
PUBLIC_BRIDGE = f"br{HOST_INTERFACE}-{PUBLIC_VLAN}"  # breth0-100 on a host
# The 802.1Q stand-in (this kernel has none): a VXLAN segment on cirlab0.
PUBLIC_EMULATION_DEVICE = f"pubvx{PUBLIC_VLAN}"
PUBLIC_EMULATION_VNI = PUBLIC_VLAN
PUBLIC_EMULATION_GROUP = "239.233.100.1"
PUBLIC_EMULATION_PORT = 4790  # guest VXLANs use 4789: no clash with a guest VNI 100

# Basic zones: one untagged guest L2 (CloudStack's cloudbr0) on a second root bridge; the
# pod gateway is in cirlab-pub; pod guest range 10.233.64.10-10.233.64.99.
BASIC_BRIDGE = "cirlab1"
BASIC_HOST_BRIDGE = "cloudbr0"  # in each host (no address)
BASIC_HOST_INTERFACE = "eth1"  # the host's port on cirlab1, enslaved in cloudbr0
BASIC_PUBLIC_VETH = "cirlab1-pub"  # cirlab-pub's port on cirlab1 (eth1 inside)
BASIC_GATEWAY = "10.233.64.1"
BASIC_PREFIX_LENGTH = 24
BASIC_NETWORK = ipaddress.ip_network(f"{BASIC_GATEWAY}/{BASIC_PREFIX_LENGTH}", strict=False)
BASIC_RANGE = ("10.233.64.10", "10.233.64.99")

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


def basic_veth_name(index: int) -> str:
    """The root-namespace end of the host's port on cirlab1 (eth1 inside, in cloudbr0)."""
    return f"cirlab1-h{index}"


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
