"""Lab hosts: a network namespace per host on the lab bridge, and inside it (in a private
mount and UTS namespace) virtlogd, libvirtd listening on TCP and sshd, as DESIGN §4 says.

Everything here runs as root in the root namespaces. A host's daemons share one mount
namespace, so an SSH session (Ansible) sees the same /var/lib/libvirt and /run/libvirt as
the host's libvirtd, and `virsh` inside a session talks to that libvirtd.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from lab import topology
from lab.state import HostRecord

DAEMONS = ("virtlogd", "libvirtd", "sshd")
START_TIMEOUT = 30.0


class LabError(RuntimeError):
    """The lab cannot be brought up (or down) as asked; the text says what and where."""


# ---- small helpers ----------------------------------------------------------------------

def sh(args: Sequence[str], *, check: bool = True, timeout: float = 60,
       input: str | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(list(args), capture_output=True, text=True, timeout=timeout,
                            input=input)
    if check and result.returncode != 0:
        raise LabError(f"{shlex.join(args)} failed (rc {result.returncode}): "
                       f"{(result.stderr or result.stdout).strip()}")
    return result


def link_exists(name: str) -> bool:
    return os.path.exists(f"/sys/class/net/{name}")


def netns_exists(name: str) -> bool:
    return os.path.exists(f"/run/netns/{name}")


def pid_alive(pid: int, name: str | None = None) -> bool:
    """The process lives (and, when a name is given, is that program, not a reused pid)."""
    if pid <= 0:
        return False
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as handle:
            stat = handle.read()
    except OSError:
        return False
    state = stat.rsplit(")", 1)[-1].split()[0]
    if state == "Z":
        return False
    if name is None:
        return True
    comm = stat[stat.index("(") + 1:stat.rindex(")")]
    return comm == name[:15]


def port_open(address: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((address, port), timeout=timeout):
            return True
    except OSError:
        return False


def namespace_inode(pid: int, kind: str) -> int:
    try:
        return os.stat(f"/proc/{pid}/ns/{kind}").st_ino
    except OSError:
        return 0


def pids_in_namespace(kind: str, inode: int) -> list[int]:
    """Processes whose `kind` namespace (net, mnt) is the one with this inode."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid() and inode \
                and namespace_inode(int(entry), kind) == inode:
            found.append(int(entry))
    return found


def kill_pids(pids: Iterable[int], timeout: float = 10.0) -> None:
    """SIGTERM these pids, then SIGKILL whatever is left after `timeout` seconds."""
    pending = [pid for pid in pids if pid_alive(pid)]
    for pid in pending:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        pending = [pid for pid in pending if pid_alive(pid)]
        if pending:
            time.sleep(0.05)
    for pid in pending:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while any(pid_alive(pid) for pid in pending) and time.monotonic() < deadline:
        time.sleep(0.05)


def read_pid(path: str) -> int:
    try:
        with open(path, encoding="utf-8") as handle:
            return int(handle.read().strip() or 0)
    except (OSError, ValueError):
        return 0


def rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


# ---- the lab's SSH key and the bridge ---------------------------------------------------

def ensure_lab_key() -> str:
    """Generate the lab's own key once; return its public key line."""
    key = topology.LAB_KEY
    if not os.path.exists(key):
        os.makedirs(os.path.dirname(key), mode=0o700, exist_ok=True)
        sh(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "cirrus-lab", "-f", key])
    with open(f"{key}.pub", encoding="utf-8") as handle:
        return handle.read().strip()


def read_public_keys(paths: Iterable[str]) -> list[str]:
    keys = []
    for path in paths:
        try:
            with open(path, encoding="utf-8") as handle:
                lines = [line.strip() for line in handle if line.strip()
                         and not line.startswith("#")]
        except OSError as exc:
            raise LabError(f"cannot read the public key file {path}: {exc.strerror}") from exc
        if not lines or not lines[0].startswith(("ssh-", "ecdsa-", "sk-")):
            raise LabError(f"{path} does not hold an OpenSSH public key")
        keys.extend(lines)
    return keys


def ensure_bridge() -> bool:
    """The lab bridge with the management address, up; True when this call created it."""
    created = False
    if not link_exists(topology.BRIDGE):
        sh(["ip", "link", "add", topology.BRIDGE, "type", "bridge"])
        created = True
    addresses = sh(["ip", "-o", "-4", "addr", "show", "dev", topology.BRIDGE]).stdout
    if f" {topology.BRIDGE_ADDRESS}/" not in addresses:
        sh(["ip", "addr", "add", f"{topology.BRIDGE_ADDRESS}/{topology.PREFIX_LENGTH}",
            "dev", topology.BRIDGE])
    sh(["ip", "link", "set", topology.BRIDGE, "up"])
    return created


def remove_bridge() -> None:
    if link_exists(topology.BRIDGE):
        sh(["ip", "link", "del", topology.BRIDGE])


# ---- a host -------------------------------------------------------------------------------

@dataclass
class LabHost:
    """One lab host as the rest of Cirrus sees it."""

    index: int
    name: str
    netns: str
    address: str
    directory: str
    pids: dict[str, int] = field(default_factory=dict)
    ssh_user: str = "root"
    ssh_key_path: str = topology.LAB_KEY
    ssh_port: int = topology.SSH_PORT

    @classmethod
    def from_record(cls, record: HostRecord) -> LabHost:
        return cls(index=record.index, name=record.name, netns=record.netns,
                   address=record.address, directory=record.directory,
                   pids=dict(record.pids))

    def libvirt_uri(self, kind: str = "qemu") -> str:
        """`qemu+tcp://10.233.0.1{i}/system` or `lxc+tcp://10.233.0.1{i}/`."""
        return topology.libvirt_uri(self.address, kind)

    def host_path(self, path: str) -> str:
        """Where a path under one of the host's private libvirt directories (as the host
        sees it, e.g. /var/lib/libvirt/images/x.qcow2) lies in the root mount namespace."""
        clean = os.path.normpath(path)
        for backing, target in topology.LIBVIRT_MOUNTS.items():
            if clean == target or clean.startswith(target + "/"):
                return os.path.join(self.directory, backing, os.path.relpath(clean, target))
        return clean

    @property
    def known_hosts(self) -> str:
        return os.path.join(topology.STATE_DIR, "ssh", "known_hosts")

    def ssh_args(self, known_hosts: str | None = None) -> list[str]:
        """`ssh` and its options to reach this host as root with the lab key."""
        return ["ssh", "-i", self.ssh_key_path, "-p", str(self.ssh_port),
                "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
                "-o", f"UserKnownHostsFile={known_hosts or self.known_hosts}",
                "-o", "ConnectTimeout=5", f"{self.ssh_user}@{self.address}"]

    def nsenter_args(self) -> list[str]:
        """Enter the host: its network, mount (private libvirt dirs) and UTS namespaces."""
        anchor = self.pids.get("libvirtd") or self.pids.get("sshd") or 0
        if not pid_alive(anchor):
            return ["nsenter", f"--net=/run/netns/{self.netns}", "--"]
        return ["nsenter", "-t", str(anchor), "--net", "--mount", "--uts", "--"]

    def run(self, cmd: str | Sequence[str], *, check: bool = True, timeout: float = 60,
            input: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run a command inside the host (a string goes through /bin/sh -c)."""
        argv = ["/bin/sh", "-c", cmd] if isinstance(cmd, str) else list(cmd)
        return sh(self.nsenter_args() + argv, check=check, timeout=timeout, input=input)

    def memory_kib(self) -> int:
        """Resident memory of the host's daemons (libvirtd, virtlogd, sshd)."""
        return sum(rss_kib(pid) for pid in self.pids.values() if pid_alive(pid))


def new_record(index: int) -> HostRecord:
    return HostRecord(index=index, name=topology.host_name(index),
                      netns=topology.netns_name(index), veth=topology.veth_name(index),
                      address=topology.host_address(index),
                      directory=topology.host_dir(index))


def _write(path: str, text: str, mode: int = 0o644) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, mode)


def write_authorized_keys(record: HostRecord, keys: Sequence[str]) -> None:
    path = os.path.join(record.directory, "ssh", "authorized_keys")
    _write(path, "".join(f"{key}\n" for key in dict.fromkeys(keys)), 0o600)


def update_known_hosts(records: Iterable[HostRecord]) -> str:
    """The lab's known_hosts: every host's address with its ed25519 host key."""
    path = os.path.join(topology.STATE_DIR, "ssh", "known_hosts")
    lines = []
    for record in records:
        pub = os.path.join(record.directory, "ssh", "ssh_host_ed25519_key.pub")
        try:
            with open(pub, encoding="utf-8") as handle:
                kind, blob = handle.read().split()[:2]
        except (OSError, ValueError):
            continue
        lines.append(f"{record.address} {kind} {blob}\n")
    _write(path, "".join(lines))
    return path


def _seed_qemu_capabilities(base: str) -> None:
    """Copy another lab host's cached QEMU capabilities (same binaries, same machine) so a
    new host's first QEMU connection does not spend ~10 s probing; libvirt re-probes a
    cache entry that does not match."""
    mine = os.path.join(base, "cache", "qemu", "capabilities")
    if os.path.isdir(mine) and os.listdir(mine):
        return
    for other in sorted(os.listdir(topology.STATE_DIR)):
        theirs = os.path.join(topology.STATE_DIR, other, "cache", "qemu", "capabilities")
        if theirs != mine and os.path.isdir(theirs) and os.listdir(theirs):
            shutil.copytree(theirs, mine, dirs_exist_ok=True)
            return


def _prepare_files(record: HostRecord, keys: Sequence[str]) -> str:
    """Per-host directories and configuration; returns the start script's path."""
    base = record.directory
    for sub in [*topology.LIBVIRT_MOUNTS, "ssh", "pids", "lib/images", "log/qemu", "log/lxc"]:
        os.makedirs(os.path.join(base, sub), exist_ok=True)
    os.chmod(base, 0o755)
    _seed_qemu_capabilities(base)
    etc = os.path.join(base, "etc")
    if os.path.isdir("/etc/libvirt"):
        shutil.copytree("/etc/libvirt", etc, dirs_exist_ok=True)
    _write(os.path.join(etc, "libvirtd.conf"), (
        f"# cirrus lab host {record.name}: plain TCP on the lab bridge only\n"
        "listen_tls = 0\nlisten_tcp = 1\nauth_tcp = \"none\"\n"
        f"listen_addr = \"{record.address}\"\ntcp_port = \"{topology.LIBVIRT_TCP_PORT}\"\n"
        "log_outputs = \"3:file:/var/log/libvirt/libvirtd.log\"\n"
    ))
    _write(os.path.join(etc, "qemu.conf"),
           "user = \"root\"\ngroup = \"root\"\ndynamic_ownership = 0\n"
           "security_driver = \"none\"\n")
    _write(os.path.join(etc, "lxc.conf"), "security_driver = \"none\"\n")

    ssh = os.path.join(base, "ssh")
    os.chmod(ssh, 0o700)
    host_key = os.path.join(ssh, "ssh_host_ed25519_key")
    if not os.path.exists(host_key):
        sh(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"cirrus-lab-{record.name}",
            "-f", host_key])
    write_authorized_keys(record, keys)
    _write(os.path.join(ssh, "sshd_config"), "\n".join([
        f"# cirrus lab host {record.name}",
        f"ListenAddress {record.address}:{topology.SSH_PORT}",
        f"HostKey {host_key}",
        f"PidFile {os.path.join(base, 'pids', 'sshd.pid')}",
        f"AuthorizedKeysFile {os.path.join(ssh, 'authorized_keys')}",
        "PermitRootLogin prohibit-password",
        "PubkeyAuthentication yes",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "UsePAM no",
        "UseDNS no",
        "PrintMotd no",
        # The appliance reaches the virtual routers a host runs (their sshd on the host's
        # link-local bridge cloud0) with `ssh -W` through this sshd.
        "AllowTcpForwarding yes",
        "AcceptEnv LANG LC_*",
        "Subsystem sftp internal-sftp",
        "",
    ]))

    # Host names resolve from a private /etc/hosts: no DNS (there is no route out; a lookup
    # of the host's own name would otherwise wait for resolver timeouts, ~10 s per VM start).
    _write(os.path.join(base, "hosts"), "".join(
        [f"127.0.0.1\tlocalhost\n{topology.BRIDGE_ADDRESS}\t{topology.MANAGEMENT_NAME}\n"] +
        [f"{topology.host_address(i)}\t{topology.host_name(i)}\n"
         for i in range(1, topology.MAX_HOSTS + 1)]))
    binds = "\n".join(
        f"mkdir -p {target} && mount --bind {os.path.join(base, backing)} {target}"
        for backing, target in topology.LIBVIRT_MOUNTS.items())
    binds += f"\nmount --bind {os.path.join(base, 'hosts')} /etc/hosts"
    pids = os.path.join(base, "pids")
    script = os.path.join(base, "start.sh")
    _write(script, f"""#!/bin/sh
# Runs in the host's network namespace, in a fresh private mount + UTS namespace.
set -eu
hostname {record.name}
# Drop this namespace's copies of netns mounts: they would keep other labs' (and our other
# hosts') network namespaces alive after `ip netns del`.
awk '$2 ~ "^/run/netns/." {{print $2}}' /proc/self/mounts | sort -r | while read -r m; do
  umount -l "$m" || true
done
{binds}
# libvirt's cgroup backend cannot use the hybrid v2 mount here (DESIGN §4).
umount /sys/fs/cgroup/unified 2>/dev/null || true
mkdir -p /run/sshd
virtlogd -d -p {pids}/virtlogd.pid
libvirtd -d --listen -f /etc/libvirt/libvirtd.conf -p {pids}/libvirtd.pid
/usr/sbin/sshd -f {ssh}/sshd_config -E {ssh}/sshd.log
echo started
""", 0o755)
    return script


def start_host(record: HostRecord, keys: Sequence[str]) -> HostRecord:
    """Create the namespace and veth, then start the host's daemons; wait until its
    libvirtd and sshd accept connections on the host's address."""
    if netns_exists(record.netns) or link_exists(record.veth):
        raise LabError(f"lab host {record.name}: netns or veth {record.netns} already exists; "
                       "run `cirrus lab down` first")
    script = _prepare_files(record, keys)
    for name in DAEMONS:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(os.path.join(record.directory, "pids", f"{name}.pid"))
    sh(["ip", "netns", "add", record.netns])
    sh(["ip", "link", "add", record.veth, "type", "veth", "peer", "name",
        topology.HOST_INTERFACE, "netns", record.netns])
    sh(["ip", "link", "set", record.veth, "master", topology.BRIDGE])
    sh(["ip", "link", "set", record.veth, "up"])
    inside = ["ip", "-n", record.netns]
    sh([*inside, "link", "set", "lo", "up"])
    sh([*inside, "addr", "add", f"{record.address}/{topology.PREFIX_LENGTH}",
        "dev", topology.HOST_INTERFACE])
    sh([*inside, "link", "set", topology.HOST_INTERFACE, "up"])

    log_path = os.path.join(record.directory, "start.log")
    with open(log_path, "w", encoding="utf-8") as log:
        result = subprocess.run(
            ["nsenter", f"--net=/run/netns/{record.netns}", "unshare", "--mount", "--uts",
             "--propagation", "private", "/bin/sh", script],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            timeout=START_TIMEOUT)
    record.started = time.time()
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        record.pids = {name: read_pid(os.path.join(record.directory, "pids", f"{name}.pid"))
                       for name in DAEMONS}
        if all(pid_alive(pid) for pid in record.pids.values()):
            break
        time.sleep(0.05)
    if record.pids.get("libvirtd"):
        record.mount_ns = namespace_inode(record.pids["libvirtd"], "mnt")
    record.mounts = list(topology.LIBVIRT_MOUNTS.values())
    if result.returncode != 0:
        raise LabError(f"lab host {record.name}: its start script failed (rc "
                       f"{result.returncode}); see {log_path}")
    while time.monotonic() < deadline:
        if host_problem(record) is None:
            return record
        time.sleep(0.1)
    raise LabError(f"lab host {record.name}: {host_problem(record)} after {START_TIMEOUT:.0f} s"
                   f" (logs: {log_path}, {record.directory}/log/libvirtd.log, "
                   f"{record.directory}/ssh/sshd.log)")


def host_problem(record: HostRecord) -> str | None:
    """What is wrong with a running host, or None when it is healthy."""
    if not netns_exists(record.netns):
        return f"network namespace {record.netns} is missing"
    if not link_exists(record.veth):
        return f"veth {record.veth} is missing"
    for name in DAEMONS:
        pid = record.pids.get(name, 0)
        if not pid_alive(pid, name):
            return f"{name} (pid {pid or 'unknown'}) is not running"
    if not port_open(record.address, topology.LIBVIRT_TCP_PORT):
        return f"libvirtd does not accept connections on {record.address}:16509"
    if not port_open(record.address, topology.SSH_PORT):
        return f"sshd does not accept connections on {record.address}:22"
    return None


def _destroy_domains(host: LabHost) -> None:
    """Destroy (and undefine) every domain of the host's libvirtd, both drivers."""
    for uri in ("qemu:///system", "lxc:///system"):
        listing = host.run(["virsh", "-q", "-c", uri, "list", "--all", "--name"],
                           check=False, timeout=30)
        for name in listing.stdout.split():
            host.run(["virsh", "-q", "-c", uri, "destroy", name], check=False, timeout=60)
            host.run(["virsh", "-q", "-c", uri, "undefine", name], check=False, timeout=30)


def stop_host(record: HostRecord) -> None:
    """Stop everything of one host: its domains, daemons (by recorded pid), any process
    left in its namespaces, the namespace and the veth (by name), its runtime files."""
    host = LabHost.from_record(record)
    if pid_alive(record.pids.get("libvirtd", 0), "libvirtd"):
        _destroy_domains(host)
    _stop_inner_namespaces(host)
    # sshd first (no new sessions), then libvirtd, then virtlogd (qemu logs go through it).
    for name in ("sshd", "libvirtd", "virtlogd"):
        pid = record.pids.get(name, 0)
        if pid_alive(pid, name):
            kill_pids([pid])
    leftovers: set[int] = set()
    if netns_exists(record.netns):
        leftovers.update(namespace_pids(record.netns))
    if record.mount_ns:
        leftovers.update(pids_in_namespace("mnt", record.mount_ns))
    kill_pids(sorted(leftovers))
    if netns_exists(record.netns):
        sh(["ip", "netns", "del", record.netns], check=False)
    for veth in (record.veth, topology.basic_veth_name(record.index)):
        if link_exists(veth):
            sh(["ip", "link", "del", veth], check=False)
    # Runtime state goes; the host's SSH host keys stay (known_hosts stays valid) and so
    # does libvirt's cache (QEMU capabilities: probing them takes ~10 s per host).
    for sub in [*(name for name in topology.LIBVIRT_MOUNTS if name != "cache"), "pids",
                "start.sh", "start.log"]:
        path = os.path.join(record.directory, sub)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        elif os.path.lexists(path):
            os.unlink(path)


def _stop_inner_namespaces(host: LabHost) -> None:
    """Network namespaces made inside the host (virtual routers: roles/router_netns) are
    mounted in its mount namespace only: kill their processes and delete them while it
    still exists. (The host sees the root's /run/netns names too, as plain files whose
    mounts its start script dropped: those are not its own and are left alone; unlinking
    one would unmount it in the root namespace.)"""
    anchor = host.pids.get("sshd", 0) or host.pids.get("libvirtd", 0)
    if not pid_alive(anchor):
        return
    try:
        with open(f"/proc/{anchor}/mountinfo", encoding="utf-8") as handle:
            points = [line.split()[4] for line in handle]
    except OSError:
        return
    for point in points:
        name = point.removeprefix("/run/netns/")
        if name == point or "/" in name or not name:
            continue
        pids = host.run(["ip", "netns", "pids", name], check=False, timeout=30).stdout
        kill_pids(int(word) for word in pids.split() if word.isdigit())
        host.run(["ip", "netns", "del", name], check=False, timeout=30)


def namespace_pids(netns: str) -> list[int]:
    result = sh(["ip", "netns", "pids", netns], check=False)
    return [int(word) for word in result.stdout.split() if word.isdigit()]


def stray_netns() -> list[str]:
    """Lab network namespaces that exist (by name), recorded or not."""
    try:
        names = os.listdir("/run/netns")
    except FileNotFoundError:
        return []
    return sorted(name for name in names
                  if name.startswith("cirlab-h") or name == topology.PUBLIC_NETNS)


def stray_links() -> list[str]:
    """Lab links in the root namespace (the bridges, host and cirlab-pub veths), by name."""
    return sorted(name for name in os.listdir("/sys/class/net")
                  if name in (topology.BRIDGE, topology.BASIC_BRIDGE, topology.PUBLIC_VETH,
                              topology.BASIC_PUBLIC_VETH)
                  or name.startswith(("cirlab-h", "cirlab1-h")))
