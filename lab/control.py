"""`lab.up()`, `lab.down()`, `lab.status()`: the one-box lab as a whole."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from lab import hosts as hostlib
from lab import networks, state, topology
from lab.hosts import LabError, LabHost


@dataclass
class Lab:
    """A running lab: the management side's bridge address and the hosts."""

    hosts: list[LabHost]
    public_carrier: str = networks.CARRIER_VXLAN  # how VLAN 100 is carried (lab.networks)
    bridge: str = topology.BRIDGE
    bridge_address: str = topology.BRIDGE_ADDRESS
    ssh_key_path: str = topology.LAB_KEY
    known_hosts: str = os.path.join(topology.STATE_DIR, "ssh", "known_hosts")

    def host(self, name: str) -> LabHost:
        for host in self.hosts:
            if name in (host.name, host.netns, host.address):
                return host
        raise KeyError(f"no lab host named {name!r}")

    def ansible_inventory(self, group: str = "lab_hosts") -> dict[str, Any]:
        """An Ansible YAML/JSON inventory for the hosts (SSH as root with the lab key)."""
        return {group: {"hosts": {host.name: {
            "ansible_host": host.address,
            "ansible_user": host.ssh_user,
            "ansible_ssh_private_key_file": host.ssh_key_path,
            "ansible_ssh_common_args": f"-o UserKnownHostsFile={self.known_hosts} "
                                       "-o StrictHostKeyChecking=yes",
            "ansible_python_interpreter": "/usr/bin/python3",
        } for host in self.hosts}}}


@dataclass
class HostStatus:
    name: str
    netns: str
    address: str
    healthy: bool
    problem: str | None
    pids: dict[str, int]
    memory_kib: int
    libvirt_uris: dict[str, str]


@dataclass
class LabStatus:
    up: bool  # a record exists, every recorded host is healthy, the networks are whole
    recorded: bool
    bridge: bool
    hosts: list[HostStatus] = field(default_factory=list)
    public_carrier: str | None = None  # vlan | vxlan (lab.networks), None when absent
    network_problems: list[str] = field(default_factory=list)  # public/basic networks
    stray_netns: list[str] = field(default_factory=list)  # lab names not in the record
    stray_links: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _check_root() -> None:
    if os.geteuid() != 0:
        raise LabError("the lab needs root (network namespaces, bridges, libvirtd)")
    missing = [tool for tool in ("ip", "nsenter", "unshare", "libvirtd", "virtlogd",
                                 "virsh", "ssh-keygen")
               if shutil.which(tool) is None] + \
        [path for path in ("/usr/sbin/sshd",) if not os.path.exists(path)]
    if missing:
        raise LabError(f"the lab needs {', '.join(missing)} (scripts/setup installs them)")


def _lab(record: state.LabRecord) -> Lab:
    return Lab(hosts=[LabHost.from_record(host) for host in record.hosts],
               public_carrier=networks.public_carrier() or networks.CARRIER_VXLAN)


@contextlib.contextmanager
def locked() -> Iterator[None]:
    """One `up`/`down` at a time on this machine (test sessions may run side by side)."""
    os.makedirs(topology.STATE_DIR, mode=0o755, exist_ok=True)
    with open(os.path.join(topology.STATE_DIR, "lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def up(hosts: int = 2, authorize_keys: Iterable[str] = ()) -> Lab:
    """Bring the lab up with at least `hosts` hosts (reusing healthy ones) and authorize the
    lab key plus the public keys in `authorize_keys` (file paths) on every host."""
    _check_root()
    if not 1 <= hosts <= topology.MAX_HOSTS:
        raise LabError(f"hosts must be 1..{topology.MAX_HOSTS}, not {hosts}")
    with locked():
        return _up(hosts, authorize_keys)


def _up(hosts: int, authorize_keys: Iterable[str]) -> Lab:
    os.chmod(topology.STATE_DIR, 0o755)
    record = state.load() or state.LabRecord()
    lab_key = hostlib.ensure_lab_key()
    extra = hostlib.read_public_keys(authorize_keys)
    record.authorized_keys = list(dict.fromkeys([*record.authorized_keys, *extra]))
    keys = [lab_key, *record.authorized_keys]
    if hostlib.ensure_bridge():
        record.bridge_created = True
    networks.ensure_basic_bridge()
    carrier = networks.ensure_public_namespace()
    state.save(record)
    try:
        for index in range(1, max(hosts, len(record.hosts)) + 1):
            existing = record.host(index)
            if existing is not None and hostlib.host_problem(existing) is None:
                hostlib.write_authorized_keys(existing, keys)
                networks.ensure_host_networks(existing, carrier)
                continue
            if existing is not None or hostlib.netns_exists(topology.netns_name(index)) \
                    or hostlib.link_exists(topology.veth_name(index)):
                hostlib.stop_host(existing or hostlib.new_record(index))
                record.drop(index)
            host = hostlib.new_record(index)
            record.put(host)
            state.save(record)
            hostlib.start_host(host, keys)
            record.put(host)
            state.save(record)
            networks.ensure_host_networks(host, carrier)
    finally:
        state.save(record)
        hostlib.update_known_hosts(record.hosts)
    return _lab(record)


def current() -> Lab | None:
    """The running lab, if the record says there is one and every host is healthy."""
    record = state.load()
    if record is None or not record.hosts:
        return None
    if any(hostlib.host_problem(host) for host in record.hosts):
        return None
    return _lab(record)


def live_leases() -> list[int]:
    """Pids of the test sessions using the lab now (stale lease files are removed)."""
    try:
        names = os.listdir(topology.LEASE_DIR)
    except FileNotFoundError:
        return []
    live = []
    for name in names:
        if name.isdigit() and hostlib.pid_alive(int(name)):
            live.append(int(name))
        else:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(topology.LEASE_DIR, name))
    return sorted(live)


def down(force: bool = False) -> list[str]:
    """Remove everything the lab made; return what was removed (names and pids). Refuses
    while another test session holds a lease on the lab, unless forced."""
    _check_root()
    with locked():
        users = [pid for pid in live_leases() if pid != os.getpid()]
        if users and not force:
            raise LabError(f"test sessions (pids {', '.join(map(str, users))}) are using the "
                           "lab; wait for them or force it down")
        return _down()


def _down() -> list[str]:
    removed: list[str] = []
    record = state.load() or state.LabRecord()
    for host in list(record.hosts):
        removed.append(f"host {host.name} (netns {host.netns}, pids "
                       f"{', '.join(f'{k} {v}' for k, v in sorted(host.pids.items()))})")
        hostlib.stop_host(host)
        record.drop(host.index)
        state.save(record)
    removed += networks.remove()
    # Leftovers by name (a crash between creating and recording, or no record at all).
    for netns in hostlib.stray_netns():
        suffix = netns.removeprefix("cirlab-h")
        index = int(suffix) if suffix.isdigit() else 0
        if index:
            removed.append(f"stray netns {netns}")
            stray = hostlib.new_record(index)
            hostlib.stop_host(stray)
    for link in hostlib.stray_links():
        if link != topology.BRIDGE:
            removed.append(f"stray link {link}")
            hostlib.sh(["ip", "link", "del", link], check=False)
    if hostlib.link_exists(topology.BRIDGE):
        removed.append(f"bridge {topology.BRIDGE}")
        hostlib.remove_bridge()
    state.remove()
    if os.path.exists(topology.SESSION_OWNED_FILE):
        os.unlink(topology.SESSION_OWNED_FILE)
    known = os.path.join(topology.STATE_DIR, "ssh", "known_hosts")
    if os.path.exists(known):
        os.unlink(known)
    return removed


def status() -> LabStatus:
    record = state.load()
    result = LabStatus(up=False, recorded=record is not None,
                       bridge=hostlib.link_exists(topology.BRIDGE))
    recorded_netns = set()
    for host in record.hosts if record else []:
        recorded_netns.add(host.netns)
        problem = hostlib.host_problem(host)
        view = LabHost.from_record(host)
        result.hosts.append(HostStatus(
            name=host.name, netns=host.netns, address=host.address, healthy=problem is None,
            problem=problem, pids=dict(host.pids), memory_kib=view.memory_kib(),
            libvirt_uris={kind: view.libvirt_uri(kind) for kind in topology.LIBVIRT_KINDS}))
    if record is not None:
        result.public_carrier = networks.public_carrier()
        result.network_problems = networks.problems(record.hosts)
    result.up = bool(result.hosts) and result.bridge and all(h.healthy for h in result.hosts) \
        and not result.network_problems
    result.stray_netns = [name for name in hostlib.stray_netns()
                          if name not in recorded_netns and not (
                              record is not None and name == topology.PUBLIC_NETNS)]
    recorded_links = {name for h in (record.hosts if record else [])
                      for name in (topology.veth_name(h.index), topology.basic_veth_name(h.index))}
    if record is not None:
        recorded_links |= {topology.BASIC_BRIDGE, topology.PUBLIC_VETH,
                           topology.BASIC_PUBLIC_VETH}
    result.stray_links = [name for name in hostlib.stray_links()
                          if name != topology.BRIDGE and name not in recorded_links]
    return result


def wait_until(predicate: Any, timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


__all__ = ["Lab", "LabError", "LabHost", "LabStatus", "current", "down", "status", "up"]
