"""The virtual router with real packets on the one-box lab (seed §5, §13.2.3): an advanced
zone whose isolated networks are VXLANs (this machine's kernel has no 802.1Q) and whose
public range is VLAN 100, the bridge the lab gives each host, where the lab's "internet"
namespace (cirlab-pub, 10.233.100.1) sits. Guests are LXC domains; the tests act inside
their network namespaces (nsenter) and from cirlab-pub.
"""

from __future__ import annotations

import base64
import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from cs import CloudStack

import lab
from tests.support.cloud import Cloud
from tests.support.image_server import ImageServer
from tests.support.lab_cloud import LabZone, add_zone
from tests.support.lab_guests import (
    GUEST_PORT,
    PUBLIC_GATEWAY,
    PUBLIC_NS,
    PUBLIC_VLAN,
    Guest,
    deploy,
    fetch_public,
    serving,
)
from tests.support.waiting import eventually


@pytest.fixture(scope="module")
def zone(cloud: Cloud, lab_hosts: lab.Lab, files: ImageServer) -> Iterator[LabZone]:
    made = add_zone(cloud, lab_hosts, files, kinds=("lxc",), isolation="vxlan", public={
        "vlan": str(PUBLIC_VLAN), "gateway": PUBLIC_GATEWAY, "netmask": "255.255.255.0",
        "startip": "10.233.100.10", "endip": "10.233.100.60"})
    yield made
    shutil.rmtree(made.shared_dir, ignore_errors=True)


@dataclass
class Tenant:
    user: CloudStack
    web: Guest
    app: Guest
    network_id: str
    source_nat: str
    router: dict[str, Any]


@pytest.fixture(scope="module")
def tenant(cloud: Cloud, zone: LabZone, lab_hosts: lab.Lab) -> Tenant:
    user = cloud.as_user(cloud.new_account())
    user_data = base64.b64encode(b"#cloud-config\nhello: web\n").decode()
    web = deploy(cloud, user, zone, lab_hosts, "web", userdata=user_data)
    app = deploy(cloud, user, zone, lab_hosts, "app")
    network_id = web.vm["nic"][0]["networkid"]
    source_nat = user.listPublicIpAddresses(associatednetworkid=network_id,
                                            issourcenat=True)["publicipaddress"][0]
    (router,) = cloud.admin.listRouters(networkid=network_id)["router"]
    return Tenant(user, web, app, network_id, source_nat["ipaddress"], router)


def test_guests_get_leases_names_and_metadata(cloud: Cloud, tenant: Tenant) -> None:
    router = tenant.router
    assert router["state"] == "Running" and router["guestipaddress"] == "10.1.1.1"
    web, app = tenant.web, tenant.app
    # The lease carries the VM's name as its hostname (busybox udhcpc's environment).
    script = "#!/bin/sh\n[ \"$1\" = bound ] && echo \"lease $ip $hostname\"\nexit 0\n"
    with tempfile.NamedTemporaryFile("w", suffix=".sh", delete=False) as handle:
        handle.write(script)
    os.chmod(handle.name, 0o755)
    try:
        out = web.run("busybox", "udhcpc", "-i", "eth0", "-n", "-q", "-f", "-s",
                      handle.name, timeout=30).stdout
    finally:
        os.unlink(handle.name)
    assert f"lease {web.ip} web" in out
    # Names resolve through the router, which forwards nothing it need not.
    answer = web.run("busybox", "nslookup", "app", router["guestipaddress"]).stdout
    assert app.ip in answer
    # User data and metadata from the gateway, per requesting guest.
    gateway = router["guestipaddress"]
    assert web.fetch(f"http://{gateway}/latest/user-data") == "#cloud-config\nhello: web"
    assert web.fetch(f"http://{gateway}/latest/local-hostname") == "web"
    assert web.fetch(f"http://{gateway}/latest/local-ipv4") == web.ip
    assert web.fetch(f"http://{gateway}/latest/public-ipv4") == tenant.source_nat
    assert app.fetch(f"http://{gateway}/latest/meta-data/local-hostname") == "app"
    assert web.fetch(f"http://{gateway}/latest/instance-id") == web.instance
    # The password server hands the deploy's password out once (password-enabled template).
    ask = ["curl", "-sS", "--max-time", "3", "-H", "DomU_Request: send_my_password",
           f"http://{gateway}:8080/"]
    assert web.run(*ask).stdout.strip() == web.vm["password"]
    web.run("curl", "-sS", "--max-time", "3", "-H", "DomU_Request: saved_password",
            f"http://{gateway}:8080/")
    assert web.run(*ask).stdout.strip() == "saved_password"


def test_port_forwarding_firewall_and_source_nat(tenant: Tenant) -> None:
    user, web = tenant.user, tenant.web
    ip = user.associateIpAddress(zoneid=web.vm["zoneid"], fetch_result=True)[
        "ipaddress"]
    with serving(["nsenter", "-t", str(web.pid()), "-n", "--"], "web-page"):
        rule = user.createPortForwardingRule(
            ipaddressid=ip["id"], protocol="tcp", publicport=8080, privateport=GUEST_PORT,
            virtualmachineid=web.vm["id"], fetch_result=True)["portforwardingrule"]
        assert rule["state"] == "Active"
        assert eventually(lambda: fetch_public(f"http://{ip['ipaddress']}:8080/"), 15,
                          "the forwarded port") == "web-page"
        # A port nobody opened stays closed, also on the source NAT address.
        assert fetch_public(f"http://{ip['ipaddress']}:8081/") is None
        assert fetch_public(f"http://{tenant.source_nat}:8080/") is None
        # Deleting the rule takes it off the router.
        user.deletePortForwardingRule(id=rule["id"], fetch_result=True)
        assert fetch_public(f"http://{ip['ipaddress']}:8080/") is None

    # Outbound connections leave from the source NAT address.
    assert peer_seen_from(web) == tenant.source_nat


def peer_seen_from(guest: Guest) -> str:
    """The source address a server on the public side sees for `guest`'s connection."""
    script = ("import socket\ns=socket.socket()\n"
              "s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\n"
              "s.bind(('0.0.0.0',9009));s.listen(1);s.settimeout(15)\n"
              "c,a=s.accept();print(a[0],flush=True);c.close()\n")
    server = subprocess.Popen(["ip", "netns", "exec", PUBLIC_NS, "python3", "-c", script],
                              stdout=subprocess.PIPE, text=True)
    try:
        eventually(lambda: guest.run("busybox", "nc", "-w", "2", PUBLIC_GATEWAY,
                                     "9009").returncode == 0, 10, "a connection out")
        out, _ = server.communicate(timeout=20)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    return out.strip()


def test_load_balancing_and_static_nat(tenant: Tenant) -> None:
    user, web, app = tenant.user, tenant.web, tenant.app
    ip = user.associateIpAddress(zoneid=web.vm["zoneid"], fetch_result=True)[
        "ipaddress"]
    with contextlib.ExitStack() as stack:
        for guest in (web, app):
            stack.enter_context(serving(["nsenter", "-t", str(guest.pid()), "-n", "--"],
                                        guest.name))
        rule = user.createLoadBalancerRule(
            name="web-lb", publicipid=ip["id"], publicport=80, privateport=GUEST_PORT,
            algorithm="roundrobin", fetch_result=True)["loadbalancer"]
        user.assignToLoadBalancerRule(id=rule["id"],
                                      virtualmachineids=f"{web.vm['id']},{app.vm['id']}",
                                      fetch_result=True)
        url = f"http://{ip['ipaddress']}/"
        eventually(lambda: fetch_public(url), 15, "the load balanced port")
        answers = [fetch_public(url) for _ in range(6)]
        assert set(answers) == {"web", "app"}, answers
        user.updateLoadBalancerRule(id=rule["id"], algorithm="source", fetch_result=True)
        sticky = {fetch_public(url) for _ in range(6)}
        assert len(sticky) == 1 and sticky <= {"web", "app"}
        user.deleteLoadBalancerRule(id=rule["id"], fetch_result=True)
        assert fetch_public(url) is None

        # Static NAT: every port the firewall allows reaches the VM; its outbound
        # traffic leaves from that address.
        nat_ip = user.associateIpAddress(zoneid=web.vm["zoneid"], fetch_result=True)[
            "ipaddress"]
        assert user.enableStaticNat(ipaddressid=nat_ip["id"],
                                    virtualmachineid=app.vm["id"])["success"]
        nat_url = f"http://{nat_ip['ipaddress']}:{GUEST_PORT}/"
        assert fetch_public(nat_url) is None  # no firewall rule yet
        user.createFirewallRule(ipaddressid=nat_ip["id"], protocol="tcp",
                                startport=GUEST_PORT, endport=GUEST_PORT, fetch_result=True)
        assert eventually(lambda: fetch_public(nat_url), 15, "the static NAT") == "app"
        assert peer_seen_from(app) == nat_ip["ipaddress"]
        user.disableStaticNat(ipaddressid=nat_ip["id"], fetch_result=True)
        assert fetch_public(nat_url) is None


def test_accounts_are_isolated(cloud: Cloud, zone: LabZone, lab_hosts: lab.Lab,
                               tenant: Tenant) -> None:
    other = cloud.as_user(cloud.new_account())
    guest = deploy(cloud, other, zone, lab_hosts, "other")
    assert guest.vm["nic"][0]["networkid"] != tenant.network_id
    # The other network has the same CIDR: it must not reach this tenant's guests, whose
    # addresses it does not hold itself.
    targets = [g.ip for g in (tenant.web, tenant.app) if g.ip != guest.ip]
    # Its own gateway (its own router) answers: ping works from there ...
    own_gateway = guest.vm["nic"][0]["gateway"]
    assert guest.run("busybox", "ping", "-c", "1", "-W", "2", own_gateway).returncode == 0
    # ... and the other tenant's guests do not.
    for target in targets:
        assert guest.run("busybox", "ping", "-c", "2", "-W", "1", target).returncode != 0
        neigh = guest.run("ip", "neigh", "show", target).stdout
        assert "lladdr" not in neigh, neigh
    cloud.admin.destroyVirtualMachine(id=guest.vm["id"], expunge=True, fetch_result=True)


def test_restart_network_restores_a_wiped_router(cloud: Cloud, tenant: Tenant,
                                                 lab_hosts: lab.Lab) -> None:
    user, web = tenant.user, tenant.web
    ip = user.associateIpAddress(zoneid=web.vm["zoneid"], fetch_result=True)[
        "ipaddress"]
    url = f"http://{ip['ipaddress']}:8090/"
    with serving(["nsenter", "-t", str(web.pid()), "-n", "--"], "still-here"):
        user.createPortForwardingRule(ipaddressid=ip["id"], protocol="tcp",
                                      publicport=8090, privateport=GUEST_PORT,
                                      virtualmachineid=web.vm["id"], fetch_result=True)
        eventually(lambda: fetch_public(url), 15, "the forwarded port")
        host = lab_hosts.hosts[0]
        name = tenant.router["name"]
        host.run(["ip", "netns", "exec", name, "iptables", "-t", "nat", "-F"])
        host.run(["ip", "netns", "exec", name, "iptables", "-F"])
        assert fetch_public(url) is None
        user.restartNetwork(id=tenant.network_id, fetch_result=True)
        assert eventually(lambda: fetch_public(url), 15, "the restored rule") == "still-here"
