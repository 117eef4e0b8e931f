"""End to end on the one-box lab, through the API only: lab hosts join KVM/LXC clusters
(capacity detected by the host_add playbook), primary storage is attached by its playbook,
templates come from a loopback HTTP server, and VMs become real libvirt domains with their
NIC on the account network's VXLAN bridge, which goes away with the last guest (or router)
on a host.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from cs import CloudStackApiException

import lab
from lab import images
from tests.support.cloud import Cloud
from tests.support.image_server import ImageServer
from tests.support.lab_cloud import LabZone, add_zone
from tests.support.waiting import eventually

SERIAL_LOG_DIR = "/var/log/libvirt/qemu"


@pytest.fixture(scope="module")
def zone(cloud: Cloud, lab_hosts: lab.Lab, files: ImageServer) -> Iterator[LabZone]:
    made = add_zone(cloud, lab_hosts, files)
    yield made
    shutil.rmtree(made.shared_dir, ignore_errors=True)


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


def test_host_capacity_comes_from_the_playbook(cloud: Cloud, zone: LabZone,
                                                lab_hosts: lab.Lab) -> None:
    host = cloud.admin.listHosts(id=zone["lxc-host"])["host"][0]
    assert host["state"] == "Up" and host["cpunumber"] == os.cpu_count()
    assert int(host["memorytotal"]) > 512 * 1024**2
    log_lines = cloud.admin.listStoragePools(id=zone["lxc-pool"])["storagepool"]
    assert log_lines[0]["state"] == "Up"


def test_lxc_vm_lifecycle_on_a_lab_host(cloud: Cloud, zone: LabZone,
                                        lab_hosts: lab.Lab) -> None:
    user = cloud.as_user(cloud.new_account())
    vm = user.deployVirtualMachine(zoneid=zone["zone"], serviceofferingid=zone["offering"],
                                   templateid=zone["lxc-template"], name="lxc-one",
                                   fetch_result=True)["virtualmachine"]
    assert vm["state"] == "Running"
    admin_view = cloud.admin.listVirtualMachines(id=vm["id"], listall=True)[
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
    # The network's router still holds the bridge; with the router gone, so is the bridge
    # (the last user of it on this host).
    (router,) = cloud.admin.listRouters(networkid=vm["nic"][0]["networkid"])["router"]
    assert router["hostid"] == zone["lxc-host"] and bridge in _bridges(host)
    cloud.admin.destroyRouter(id=router["id"], fetch_result=True)
    assert bridge not in _bridges(host)
    cloud.admin.expungeVirtualMachine(id=vm["id"], fetch_result=True)
    assert _domain(host, "lxc", admin_view["instancename"])[0] is None


def test_qemu_tcg_guest_boots_its_kernel(cloud: Cloud, zone: LabZone,
                                         lab_hosts: lab.Lab) -> None:
    vm = cloud.admin.deployVirtualMachine(
        zoneid=zone["zone"], serviceofferingid=zone["offering"],
        templateid=zone["kvm-template"], name="tcg-one", fetch_result=True)["virtualmachine"]
    host = lab_hosts.hosts[1]
    assert vm["hostid"] == zone["kvm-host"] and vm["state"] == "Running"
    name = cloud.admin.listVirtualMachines(id=vm["id"])["virtualmachine"][0][
        "instancename"]
    serial = host.host_path(f"{SERIAL_LOG_DIR}/{name}.serial.log")

    def booted() -> bool:
        try:
            with open(serial, errors="replace") as handle:
                return images.MARKER in handle.read()
        except FileNotFoundError:
            return False

    eventually(booted, 150, "the QEMU-TCG guest's boot marker on its serial log")
    cloud.admin.destroyVirtualMachine(id=vm["id"], expunge=True, fetch_result=True)
    assert _domain(host, "qemu", name)[0] is None


def test_an_unreachable_host_fails_the_job_and_a_retry_succeeds(
        cloud: Cloud, zone: LabZone, lab_hosts: lab.Lab) -> None:
    admin = cloud.admin
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
