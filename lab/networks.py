"""The lab's public and basic-zone networks (lab.topology's picture): the "internet"
namespace cirlab-pub, the public VLAN 100 (emulated by VXLAN on kernels without 802.1Q), the
basic zone's untagged L2 cirlab1 and, in each host, breth0-100 and cloudbr0 with eth1.

Everything is idempotent: `ensure_*` create what is missing and leave what exists, so `lab
up` adds these to a running lab without restarting its hosts.
"""

from __future__ import annotations

from lab import topology
from lab.hosts import kill_pids, link_exists, namespace_pids, netns_exists, sh
from lab.state import HostRecord

CARRIER_VLAN = "vlan"  # a real 802.1Q sub-interface (eth0.100) in cirlab-pub
CARRIER_VXLAN = "vxlan"  # the emulation (pubvx100 in cirlab-pub and in every host)


def _ns_link_exists(netns: str, name: str) -> bool:
    return sh(["ip", "-n", netns, "link", "show", "dev", name], check=False).returncode == 0


def _ns_has_address(netns: str, device: str, address: str, prefix: int) -> bool:
    out = sh(["ip", "-n", netns, "-o", "-4", "addr", "show", "dev", device], check=False).stdout
    return f" {address}/{prefix} " in out


def _ns_address(netns: str, device: str, address: str, prefix: int) -> None:
    if not _ns_has_address(netns, device, address, prefix):
        sh(["ip", "-n", netns, "addr", "add", f"{address}/{prefix}", "dev", device])


def _veth_into(netns: str, root_end: str, inside: str, bridge: str) -> None:
    """A veth whose root end is a port of `bridge` and whose other end is `inside` in
    `netns`, both up."""
    if not _ns_link_exists(netns, inside):
        if link_exists(root_end):  # a half left over (its peer's namespace went away)
            sh(["ip", "link", "del", root_end])
        sh(["ip", "link", "add", root_end, "type", "veth", "peer", "name", inside,
            "netns", netns])
    sh(["ip", "link", "set", root_end, "master", bridge])
    sh(["ip", "link", "set", root_end, "up"])
    sh(["ip", "-n", netns, "link", "set", inside, "up"])


def _vxlan_segment(netns: str, underlay: str) -> None:
    """The public VLAN's stand-in device in `netns` (up, not enslaved here)."""
    name = topology.PUBLIC_EMULATION_DEVICE
    if not _ns_link_exists(netns, name):
        sh(["ip", "-n", netns, "link", "add", name, "type", "vxlan",
            "id", str(topology.PUBLIC_EMULATION_VNI), "group", topology.PUBLIC_EMULATION_GROUP,
            "ttl", "10", "dev", underlay, "dstport", str(topology.PUBLIC_EMULATION_PORT)])
    sh(["ip", "-n", netns, "link", "set", name, "up"])


def ensure_basic_bridge() -> bool:
    """cirlab1, the basic zone's L2 (no address), up; True when this call created it."""
    created = False
    if not link_exists(topology.BASIC_BRIDGE):
        sh(["ip", "link", "add", topology.BASIC_BRIDGE, "type", "bridge"])
        created = True
    sh(["ip", "link", "set", topology.BASIC_BRIDGE, "up"])
    return created


def ensure_public_namespace() -> str:
    """cirlab-pub with its ports on cirlab0 and cirlab1 and both gateways; returns how
    it carries the public VLAN (CARRIER_VLAN or CARRIER_VXLAN)."""
    ns = topology.PUBLIC_NETNS
    if not netns_exists(ns):
        sh(["ip", "netns", "add", ns])
    sh(["ip", "-n", ns, "link", "set", "lo", "up"])
    _veth_into(ns, topology.PUBLIC_VETH, topology.HOST_INTERFACE, topology.BRIDGE)
    _ns_address(ns, topology.HOST_INTERFACE, topology.PUBLIC_UNDERLAY_ADDRESS,
                topology.PREFIX_LENGTH)
    _veth_into(ns, topology.BASIC_PUBLIC_VETH, topology.BASIC_HOST_INTERFACE,
               topology.BASIC_BRIDGE)
    _ns_address(ns, topology.BASIC_HOST_INTERFACE, topology.BASIC_GATEWAY,
                topology.BASIC_PREFIX_LENGTH)
    carrier = public_carrier()
    if carrier is None:
        vlan = f"{topology.HOST_INTERFACE}.{topology.PUBLIC_VLAN}"
        probe = sh(["ip", "-n", ns, "link", "add", "link", topology.HOST_INTERFACE, "name", vlan,
                    "type", "vlan", "id", str(topology.PUBLIC_VLAN)], check=False)
        carrier = CARRIER_VLAN if probe.returncode == 0 else CARRIER_VXLAN
    if carrier == CARRIER_VLAN:
        device = f"{topology.HOST_INTERFACE}.{topology.PUBLIC_VLAN}"
    else:
        _vxlan_segment(ns, topology.HOST_INTERFACE)
        device = topology.PUBLIC_EMULATION_DEVICE
    sh(["ip", "-n", ns, "link", "set", device, "up"])
    _ns_address(ns, device, topology.PUBLIC_GATEWAY, topology.PUBLIC_PREFIX_LENGTH)
    return carrier


def public_carrier() -> str | None:
    """How the running cirlab-pub carries the public VLAN, None when it does not yet."""
    ns = topology.PUBLIC_NETNS
    if not netns_exists(ns):
        return None
    if _ns_link_exists(ns, f"{topology.HOST_INTERFACE}.{topology.PUBLIC_VLAN}"):
        return CARRIER_VLAN
    if _ns_link_exists(ns, topology.PUBLIC_EMULATION_DEVICE):
        return CARRIER_VXLAN
    return None


def ensure_host_networks(record: HostRecord, carrier: str) -> None:
    """In a host: eth1 (port of cirlab1) in cloudbr0, and with the VXLAN carrier the
    public bridge breth0-100 with the emulated VLAN as its uplink."""
    ns = record.netns
    _veth_into(ns, topology.basic_veth_name(record.index), topology.BASIC_HOST_INTERFACE,
               topology.BASIC_BRIDGE)
    _ns_bridge(ns, topology.BASIC_HOST_BRIDGE, topology.BASIC_HOST_INTERFACE)
    if carrier == CARRIER_VXLAN:
        _vxlan_segment(ns, topology.HOST_INTERFACE)
        _ns_bridge(ns, topology.PUBLIC_BRIDGE, topology.PUBLIC_EMULATION_DEVICE)


def _ns_bridge(netns: str, bridge: str, port: str) -> None:
    if not _ns_link_exists(netns, bridge):
        sh(["ip", "-n", netns, "link", "add", bridge, "type", "bridge"])
    sh(["ip", "-n", netns, "link", "set", port, "master", bridge])
    sh(["ip", "-n", netns, "link", "set", bridge, "up"])


def problems(hosts: list[HostRecord]) -> list[str]:
    """What is missing of the public and basic networks (empty when they are whole)."""
    found = []
    if not link_exists(topology.BASIC_BRIDGE):
        found.append(f"bridge {topology.BASIC_BRIDGE} is missing")
    carrier = public_carrier()
    if carrier is None:
        found.append(f"netns {topology.PUBLIC_NETNS} or its public VLAN device is missing")
    elif not _ns_has_address(topology.PUBLIC_NETNS,
                             f"{topology.HOST_INTERFACE}.{topology.PUBLIC_VLAN}"
                             if carrier == CARRIER_VLAN else topology.PUBLIC_EMULATION_DEVICE,
                             topology.PUBLIC_GATEWAY, topology.PUBLIC_PREFIX_LENGTH):
        found.append(f"the public gateway {topology.PUBLIC_GATEWAY} is missing")
    for name in (topology.PUBLIC_VETH, topology.BASIC_PUBLIC_VETH):
        if not link_exists(name):
            found.append(f"veth {name} is missing")
    for record in hosts:
        if not netns_exists(record.netns):
            continue  # the host's own problem
        wanted = [topology.BASIC_HOST_BRIDGE, topology.BASIC_HOST_INTERFACE]
        if carrier == CARRIER_VXLAN:
            wanted.append(topology.PUBLIC_BRIDGE)
        found += [f"{record.name}: {name} is missing" for name in wanted
                  if not _ns_link_exists(record.netns, name)]
    return found


def remove() -> list[str]:
    """Remove cirlab-pub (killing what runs in it: tests' servers), its veths and cirlab1;
    returns what was removed. The hosts' ends go with the hosts' namespaces."""
    removed = []
    ns = topology.PUBLIC_NETNS
    if netns_exists(ns):
        pids = namespace_pids(ns)
        kill_pids(pids)
        sh(["ip", "netns", "del", ns], check=False)
        removed.append(f"netns {ns}" + (f" (pids {', '.join(map(str, pids))})" if pids else ""))
    for name in (topology.PUBLIC_VETH, topology.BASIC_PUBLIC_VETH):
        if link_exists(name):
            sh(["ip", "link", "del", name], check=False)
            removed.append(f"link {name}")
    if link_exists(topology.BASIC_BRIDGE):
        sh(["ip", "link", "del", topology.BASIC_BRIDGE], check=False)
        removed.append(f"bridge {topology.BASIC_BRIDGE}")
    return removed
