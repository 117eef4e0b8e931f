"""End to end on the one-box lab, through the API only: lab hosts join KVM/LXC clusters
(capacity detected by the host_add playbook), primary storage is attached by its playbook,
templates come from a loopback HTTP server, and VMs become real libvirt domains with their
NIC on the account network's VXLAN bridge, which goes away with the last guest on a host.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from cs import CloudStackApiException

import lab
from appliance.automation import keys
from lab import images
from tests.support import server
from tests.support.cloud import Cloud
from tests.support.image_server import ImageServer, start_image_server

SERIAL_LOG_DIR = "/var/log/libvirt/qemu"
SHARED = "/srv/cirrus-e2e"


def _eventually(check: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def lab_cloud(lab_hosts: lab.Lab) -> Iterator[Cloud]:
    """A Cirrus on SQLite whose SSH key the lab hosts authorize."""
    home = tempfile.mkdtemp(prefix="cirrus-e2e-")
    url = f"sqlite:///{os.path.join(home, 'cirrus.db')}"
    creds = server.init(url, home)
    lab.up(hosts=2, authorize_keys=[keys.private_key_path(home) + ".pub"])
    srv = server.start(url, home=home)
    cloud = Cloud(srv, creds["apikey"], creds["secretkey"], creds["password"])
    # Other clouds (other test sessions) share the lab hosts: keep our domain names apart.
    cloud.admin.updateConfiguration(name="instance.name", value=f"E2E{uuid.uuid4().hex[:6]}")
    yield cloud
    # Leave no domain behind on the shared lab, whatever the tests did.
    for vm in cloud.admin.listVirtualMachines(listall=True).get("virtualmachine", []):
        with contextlib.suppress(Exception):
            cloud.admin.destroyVirtualMachine(id=vm["id"], expunge=True, fetch_result=True)
    srv.stop()


@pytest.fixture(scope="module")
def files() -> Iterator[ImageServer]:
    served = start_image_server()
    yield served
    served.stop()


def _lxc_image() -> bytes:
    """The lab's LXC root filesystem as a raw ext4 image (what an LXC template is)."""
    with tempfile.TemporaryDirectory() as scratch:
        out = os.path.join(scratch, "rootfs.img")
        subprocess.run(["mkfs.ext4", "-q", "-d", images.lxc_rootfs_path(), out, "32M"],
                       check=True)
        with open(out, "rb") as handle:
            return handle.read()


@pytest.fixture(scope="module")
def zone(lab_cloud: Cloud, lab_hosts: lab.Lab, files: ImageServer) -> Iterator[dict[str, str]]:
    admin = lab_cloud.admin
    tag = uuid.uuid4().hex[:6]
    vni = 100_000 + random.randrange(0, 10_000) * 100  # apart from other sessions' zones
    ids: dict[str, str] = {}
    ids["zone"] = admin.createZone(name=f"lab-{tag}", networktype="Advanced",
                                   dns1="10.233.0.1", internaldns1="10.233.0.1",
                                   isolationmethod="vxlan", vlan=f"{vni}-{vni + 99}")[
        "zone"]["id"]
    ids["pod"] = admin.createPod(zoneid=ids["zone"], name="lab-pod", gateway="10.233.0.1",
                                 netmask="255.255.255.0", startip="10.233.0.100",
                                 endip="10.233.0.150")["pod"]["id"]
    first, second = lab_hosts.hosts[:2]
    for kind, hypervisor, domain_type, lab_host in (("lxc", "LXC", "lxc", first),
                                                     ("kvm", "KVM", "qemu", second)):
        cluster = admin.addCluster(zoneid=ids["zone"], podid=ids["pod"],
                                   clustername=f"lab-{kind}", hypervisor=hypervisor,
                                   clustertype="CloudManaged",
                                   libvirtdomaintype=domain_type)["cluster"][0]
        ids[f"{kind}-cluster"] = cluster["id"]
        host = admin.addHost(zoneid=ids["zone"], podid=ids["pod"], clusterid=cluster["id"],
                             hypervisor=hypervisor, url=f"http://{lab_host.address}",
                             username="root", password="unused")["host"][0]
        ids[f"{kind}-host"] = host["id"]
        path = f"{SHARED}/{tag}/{kind}"
        os.makedirs(path, exist_ok=True)
        ids[f"{kind}-pool"] = admin.createStoragePool(
            zoneid=ids["zone"], podid=ids["pod"], clusterid=cluster["id"],
            name=f"lab-{kind}-primary", url=f"SharedMountPoint://{path}",
            scope="cluster")["storagepool"]["id"]
    admin.addImageStore(name="lab-secondary", provider="NFS", zoneid=ids["zone"],
                        url=f"file://{lab_cloud.server.home}/secondary")
    ids["offering"] = admin.createServiceOffering(
        name=f"lab-tiny-{tag}", displaytext="1 x 500 MHz, 128 MB", cpunumber=1,
        cpuspeed=500, memory=128)["serviceoffering"]["id"]
    ostype = admin.listOsTypes(description="Other (64-bit)")["ostype"][0]["id"]
    with open(images.template_qcow2_path(), "rb") as handle:
        qcow2 = handle.read()
    for kind, hypervisor, fmt, body in (("lxc", "LXC", "RAW", _lxc_image()),
                                        ("kvm", "KVM", "QCOW2", qcow2)):
        url = files.serve(f"{kind}.img", body)
        template = admin.registerTemplate(name=f"lab-{kind}-{tag}", displaytext=kind,
                                          url=url, zoneid=ids["zone"], format=fmt,
                                          hypervisor=hypervisor, ostypeid=ostype,
                                          ispublic=True)["template"][0]
        ids[f"{kind}-template"] = template["id"]
        _eventually(lambda tid=template["id"]: admin.listTemplates(
            templatefilter="all", id=tid)["template"][0].get("isready"), 120,
            f"{kind} template Ready")
    yield ids
    shutil.rmtree(f"{SHARED}/{tag}", ignore_errors=True)


def _bridges(lab_host: lab.LabHost) -> set[str]:
    out = lab_host.run(["ip", "-o", "link", "show", "type", "bridge"]).stdout
    return {line.split(":")[1].strip().split("@")[0] for line in out.splitlines() if line}


def _domain(lab_host: lab.LabHost, kind: str, name: str) -> Any:
    import libvirt  # type: ignore[import-untyped]

    conn = libvirt.open(lab_host.libvirt_uri(kind))
    try:
        domain = conn.lookupByName(name)
        return domain.XMLDesc(0), bool(domain.isActive())
    except libvirt.libvirtError:
        return None, False
    finally:
        conn.close()


def test_host_capacity_comes_from_the_playbook(lab_cloud: Cloud, zone: dict[str, str],
                                                lab_hosts: lab.Lab) -> None:
    host = lab_cloud.admin.listHosts(id=zone["lxc-host"])["host"][0]
    assert host["state"] == "Up" and host["cpunumber"] == os.cpu_count()
    assert int(host["memorytotal"]) > 512 * 1024**2
    log_lines = lab_cloud.admin.listStoragePools(id=zone["lxc-pool"])["storagepool"]
    assert log_lines[0]["state"] == "Up"


def test_lxc_vm_lifecycle_on_a_lab_host(lab_cloud: Cloud, zone: dict[str, str],
                                        lab_hosts: lab.Lab) -> None:
    user = lab_cloud.as_user(lab_cloud.new_account())
    vm = user.deployVirtualMachine(zoneid=zone["zone"], serviceofferingid=zone["offering"],
                                   templateid=zone["lxc-template"], name="lxc-one",
                                   fetch_result=True)["virtualmachine"]
    assert vm["state"] == "Running"
    admin_view = lab_cloud.admin.listVirtualMachines(id=vm["id"], listall=True)[
        "virtualmachine"][0]
    host = lab_hosts.hosts[0]
    assert admin_view["hostid"] == zone["lxc-host"]
    bridge = f"brvx-{vm['nic'][0]['broadcasturi'].split('://')[1]}"
    xml, active = _domain(host, "lxc", admin_view["instancename"])
    assert active and vm["nic"][0]["macaddress"] in xml and f"bridge='{bridge}'" in xml
    assert bridge in _bridges(host)

    for call, state in ((user.stopVirtualMachine, "Stopped"),
                        (user.startVirtualMachine, "Running"),
                        (user.rebootVirtualMachine, "Running")):
        assert call(id=vm["id"], fetch_result=True)["virtualmachine"]["state"] == state
    assert _domain(host, "lxc", admin_view["instancename"])[1] is True
    user.destroyVirtualMachine(id=vm["id"], fetch_result=True)
    assert _domain(host, "lxc", admin_view["instancename"])[1] is False
    assert bridge not in _bridges(host)  # the last guest on this host is gone
    lab_cloud.admin.expungeVirtualMachine(id=vm["id"], fetch_result=True)
    assert _domain(host, "lxc", admin_view["instancename"])[0] is None


def test_qemu_tcg_guest_boots_its_kernel(lab_cloud: Cloud, zone: dict[str, str],
                                         lab_hosts: lab.Lab) -> None:
    vm = lab_cloud.admin.deployVirtualMachine(
        zoneid=zone["zone"], serviceofferingid=zone["offering"],
        templateid=zone["kvm-template"], name="tcg-one", fetch_result=True)["virtualmachine"]
    host = lab_hosts.hosts[1]
    assert vm["hostid"] == zone["kvm-host"] and vm["state"] == "Running"
    name = lab_cloud.admin.listVirtualMachines(id=vm["id"])["virtualmachine"][0][
        "instancename"]
    serial = host.host_path(f"{SERIAL_LOG_DIR}/{name}.serial.log")

    def booted() -> bool:
        try:
            with open(serial, errors="replace") as handle:
                return images.MARKER in handle.read()
        except FileNotFoundError:
            return False

    _eventually(booted, 150, "the QEMU-TCG guest's boot marker on its serial log")
    lab_cloud.admin.destroyVirtualMachine(id=vm["id"], expunge=True, fetch_result=True)
    assert _domain(host, "qemu", name)[0] is None


def test_an_unreachable_host_fails_the_job_and_a_retry_succeeds(
        lab_cloud: Cloud, zone: dict[str, str], lab_hosts: lab.Lab) -> None:
    admin = lab_cloud.admin
    vm = admin.deployVirtualMachine(zoneid=zone["zone"], serviceofferingid=zone["offering"],
                                    templateid=zone["lxc-template"], name="lxc-retry",
                                    fetch_result=True)["virtualmachine"]
    admin.stopVirtualMachine(id=vm["id"], fetch_result=True)
    host = lab_hosts.hosts[0]
    # SSH to the host is refused (reset, so Ansible's persistent connection fails too).
    rule = ["INPUT", "-p", "tcp", "--dport", "22", "-j", "REJECT", "--reject-with",
            "tcp-reset"]
    host.run(["iptables", "-I", *rule])
    try:
        with pytest.raises(CloudStackApiException) as caught:
            admin.startVirtualMachine(id=vm["id"], fetch_result=True)
        error = caught.value.error
        assert error["errorcode"] == 530
        assert "unreachable" in error["errortext"] and host.address in error["errortext"]
        after = admin.listVirtualMachines(id=vm["id"])["virtualmachine"][0]
        assert after["state"] == "Stopped" and "hostid" not in after
        memory = int(admin.listHosts(id=zone["lxc-host"])["host"][0]["memoryallocated"])
    finally:
        host.run(["iptables", "-D", *rule])
    started = admin.startVirtualMachine(id=vm["id"], fetch_result=True)["virtualmachine"]
    assert started["state"] == "Running"
    now = int(admin.listHosts(id=zone["lxc-host"])["host"][0]["memoryallocated"])
    assert now - memory == 128 * 1024**2  # nothing stayed reserved by the failed start
    admin.destroyVirtualMachine(id=vm["id"], expunge=True, fetch_result=True)
