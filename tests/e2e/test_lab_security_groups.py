"""Security groups with real packets on the one-box lab (seed §5.10): a basic zone whose
guests share the hosts' untagged cloudbr0 (the lab's cirlab1), served by a DHCP router;
from the lab's outside namespace (cirlab-pub, 10.233.64.1 on that segment) an authorized
ingress port reaches the guest, others do not, and revoking closes it again."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

import lab
from lab import topology
from tests.support.cloud import Cloud
from tests.support.image_server import ImageServer
from tests.support.lab_cloud import LabZone, add_zone
from tests.support.lab_guests import GUEST_PORT, deploy, fetch_public, serving
from tests.support.waiting import eventually

BASIC_GATEWAY = topology.BASIC_GATEWAY


@pytest.fixture(scope="module")
def zone(cloud: Cloud, lab_hosts: lab.Lab, files: ImageServer) -> Iterator[LabZone]:
    made = add_zone(cloud, lab_hosts, files, kinds=("lxc",), basic_guest_range={
        "gateway": BASIC_GATEWAY, "netmask": "255.255.255.0",
        "startip": "10.233.64.10", "endip": "10.233.64.99"})
    yield made
    shutil.rmtree(made.shared_dir, ignore_errors=True)


def test_ingress_rules_open_and_close_a_port(cloud: Cloud, zone: LabZone,
                                             lab_hosts: lab.Lab) -> None:
    user = cloud.as_user(cloud.new_account())
    group = user.createSecurityGroup(name="web")["securitygroup"]
    guest = deploy(cloud, user, zone, lab_hosts, "sg-web", securitygroupids=group["id"])
    (router,) = cloud.admin.listRouters(networkid=guest.vm["nic"][0]["networkid"])["router"]
    assert router["guestipaddress"] == "10.233.64.99"  # the range's last: guests take the first
    url = f"http://{guest.ip}:{GUEST_PORT}/"
    with serving(["nsenter", "-t", str(guest.pid()), "-n", "--"], "behind-the-group"):
        # Listening, but the group allows nothing in yet.
        assert eventually(lambda: guest.fetch(f"http://127.0.0.1:{GUEST_PORT}/"), 15,
                          "the guest's server") == "behind-the-group"
        assert fetch_public(url) is None
        rule = user.authorizeSecurityGroupIngress(
            securitygroupid=group["id"], protocol="tcp", startport=GUEST_PORT,
            endport=GUEST_PORT, cidrlist="0.0.0.0/0", fetch_result=True)["securitygroup"][
            "ingressrule"][0]
        assert eventually(lambda: fetch_public(url), 15, "the authorized port") == \
            "behind-the-group"
        # Other ports stay closed (SSH is not allowed even though nothing listens).
        assert fetch_public(f"http://{guest.ip}:{GUEST_PORT + 1}/") is None
        # The guest itself may go out (no egress rules: egress open).
        assert guest.run("busybox", "ping", "-c", "1", "-W", "2", BASIC_GATEWAY).returncode == 0
        user.revokeSecurityGroupIngress(id=rule["ruleid"], fetch_result=True)
        assert fetch_public(url) is None
    cloud.admin.destroyVirtualMachine(id=guest.vm["id"], expunge=True, fetch_result=True)
