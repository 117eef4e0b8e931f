"""The lab's public VLAN 100 and basic-zone L2: from the "internet" namespace cirlab-pub
(10.233.100.1 and 10.233.64.1) ICMP reaches addresses on each host's breth0-100 and
cloudbr0, and `lab status` reports both networks."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

import lab
from lab import networks, topology

PING = Path(__file__).resolve().parents[2] / "roles" / "guest_network" / "molecule" / \
    "default" / "files" / "icmp_ping.py"  # the lab has no ping binary


def _ping_from_public(address: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", "netns", "exec", topology.PUBLIC_NETNS, "python3", str(PING),
                           address], capture_output=True, text=True, timeout=30)


def _test_address(network: str, index: int) -> str:
    # .200-.249: outside the zone ranges (.10-.99); per session and host.
    return f"{network}.{200 + (os.getpid() + index * 7) % 50}"


@pytest.fixture
def public_bridges(lab_hosts: lab.Lab) -> Iterator[list[lab.LabHost]]:
    """breth0-100 on the first two hosts (made by the lab with the VXLAN carrier; by this
    fixture as guest_network would, eth0.100, with real 802.1Q)."""
    hosts = lab_hosts.hosts[:2]
    made = []
    if lab_hosts.public_carrier == networks.CARRIER_VLAN:
        for host in hosts:
            host.run(f"ip link add link eth0 name eth0.{topology.PUBLIC_VLAN} type vlan id "
                     f"{topology.PUBLIC_VLAN} && ip link add {topology.PUBLIC_BRIDGE} type "
                     f"bridge && ip link set eth0.{topology.PUBLIC_VLAN} master "
                     f"{topology.PUBLIC_BRIDGE} && ip link set eth0.{topology.PUBLIC_VLAN} up "
                     f"&& ip link set {topology.PUBLIC_BRIDGE} up")
            made.append(host)
    yield hosts
    for host in made:
        host.run(f"ip link del eth0.{topology.PUBLIC_VLAN}; ip link del "
                 f"{topology.PUBLIC_BRIDGE}", check=False)


def test_status_reports_the_networks(lab_hosts: lab.Lab) -> None:
    status = lab.status()
    assert status.up and status.network_problems == []
    assert status.public_carrier in (networks.CARRIER_VLAN, networks.CARRIER_VXLAN)
    inside = subprocess.run(["ip", "-n", topology.PUBLIC_NETNS, "-o", "-4", "addr"],
                            capture_output=True, text=True, check=True).stdout
    assert f" {topology.PUBLIC_GATEWAY}/24 " in inside
    assert f" {topology.BASIC_GATEWAY}/24 " in inside
    for host in lab_hosts.hosts:
        links = host.run("ip -o link show master cloudbr0").stdout
        assert " eth1@" in links  # the host's port on cirlab1
        assert host.run("ip -o -4 addr show dev cloudbr0").stdout == ""  # no address


def test_public_vlan_reaches_breth0_100_in_each_host(
        public_bridges: list[lab.LabHost]) -> None:
    for index, host in enumerate(public_bridges):
        address = _test_address("10.233.100", index)
        host.run(f"ip addr add {address}/24 dev {topology.PUBLIC_BRIDGE}")
        try:
            result = _ping_from_public(address)
            assert result.returncode == 0, f"{host.name}: {result.stdout}{result.stderr}"
            assert f"{address} answered" in result.stdout
        finally:
            host.run(f"ip addr del {address}/24 dev {topology.PUBLIC_BRIDGE}", check=False)


def test_basic_zone_l2_reaches_cloudbr0_in_each_host(lab_hosts: lab.Lab) -> None:
    for index, host in enumerate(lab_hosts.hosts[:2]):
        address = _test_address("10.233.64", index)
        host.run(f"ip addr add {address}/24 dev {topology.BASIC_HOST_BRIDGE}")
        try:
            result = _ping_from_public(address)
            assert result.returncode == 0, f"{host.name}: {result.stdout}{result.stderr}"
            assert f"{address} answered" in result.stdout
        finally:
            host.run(f"ip addr del {address}/24 dev {topology.BASIC_HOST_BRIDGE}", check=False)

