"""Guests on the one-box lab and the lab's public side: LXC VMs deployed through the API,
reached inside their network namespaces (nsenter), and the "internet" namespace
(cirlab-pub, 10.233.100.1) behind the public VLAN."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cs import CloudStack

import lab
from lab import topology
from tests.support.cloud import Cloud
from tests.support.lab_cloud import LabZone
from tests.support.waiting import eventually

PUBLIC_NS = topology.PUBLIC_NETNS
PUBLIC_GATEWAY = topology.PUBLIC_GATEWAY
PUBLIC_VLAN = topology.PUBLIC_VLAN
GUEST_PORT = 8000  # each test guest serves its name here (python http.server)


def pub(*cmd: str, timeout: float = 20, check: bool = False) -> subprocess.CompletedProcess[str]:
    """Run a command in the lab's public namespace (the "internet")."""
    return subprocess.run(["ip", "netns", "exec", PUBLIC_NS, *cmd], capture_output=True,
                          text=True, timeout=timeout, check=check)


def fetch_public(url: str, timeout: float = 3) -> str | None:
    """GET `url` from the public side; None when the connection fails."""
    out = pub("curl", "-sS", "--max-time", str(timeout), url, timeout=timeout + 5)
    return out.stdout.strip() if out.returncode == 0 else None


@dataclass
class Guest:
    """A deployed LXC VM and a way into its network namespace."""

    vm: dict[str, Any]
    host: lab.LabHost
    instance: str

    @property
    def ip(self) -> str:
        address: str = self.vm["nic"][0]["ipaddress"]
        return address

    @property
    def name(self) -> str:
        name: str = self.vm["name"]
        return name

    def pid(self) -> int:
        """The container's init, the child of libvirt's LXC controller."""
        pidfile = self.host.host_path(f"/run/libvirt/lxc/{self.instance}.pid")
        with open(pidfile) as handle:
            controller = int(handle.read().strip())
        with open(f"/proc/{controller}/task/{controller}/children") as handle:
            return int(handle.read().split()[0])

    def run(self, *cmd: str, timeout: float = 20) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["nsenter", "-t", str(self.pid()), "-n", "--", *cmd],
                              capture_output=True, text=True, timeout=timeout)

    def address(self) -> str:
        return self.run("ip", "-4", "-o", "addr", "show", "dev", "eth0").stdout

    def fetch(self, url: str, timeout: float = 3) -> str | None:
        out = self.run("curl", "-sS", "--max-time", str(timeout), url, timeout=timeout + 5)
        return out.stdout.strip() if out.returncode == 0 else None


@contextlib.contextmanager
def serving(run: list[str], body: str) -> Iterator[None]:
    """An HTTP server answering `body`, started by `run` (a command prefix entering a
    namespace) on GUEST_PORT; stopped by pid."""
    root = tempfile.mkdtemp(prefix="cirrus-vr-e2e-")
    with open(os.path.join(root, "index.html"), "w") as handle:
        handle.write(body)
    proc = subprocess.Popen([*run, "python3", "-m", "http.server", str(GUEST_PORT),
                             "--directory", root], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        yield
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(10)
        shutil.rmtree(root, ignore_errors=True)


def deploy(cloud: Cloud, user: CloudStack, zone: LabZone, lab_hosts: lab.Lab, name: str,
           **extra: Any) -> Guest:
    vm = user.deployVirtualMachine(zoneid=zone["zone"], serviceofferingid=zone["offering"],
                                   templateid=zone["lxc-template"], name=name,
                                   fetch_result=True, **extra)["virtualmachine"]
    instance = cloud.admin.listVirtualMachines(id=vm["id"], listall=True)[
        "virtualmachine"][0]["instancename"]
    guest = Guest(vm, lab_hosts.hosts[0], instance)
    eventually(lambda: f"inet {guest.ip}/" in guest.address(), 60,
               f"{name} to take its DHCP lease {guest.ip}")
    return guest
