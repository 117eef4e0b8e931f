"""A VM's NICs (seed §5, §6.7.2): several networks through `networkids`, exactly one
default NIC (the first network's), direct networks' addresses from their range, the
default virtual network offering's availability, and basic zones' shared network."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from cs import CloudStack, CloudStackApiException

from tests.api.test_networks import _job_status, direct, virtual
from tests.support import datacenter
from tests.support.cloud import Cloud

BASIC: dict[str, Any] = {
    "zones": [{
        "name": "nics-basic", "networktype": "Basic", "dns1": "203.0.113.53",
        "internaldns1": "172.16.0.53",
        "pods": [{
            "name": "nics-basic-pod", "gateway": "172.18.0.1", "netmask": "255.255.255.0",
            "startip": "172.18.0.10", "endip": "172.18.0.50",
            "clusters": [{
                "name": "nics-basic-cluster", "hypervisor": "Simulator",
                "hosts": [{"url": "http://sim/nics-b1?cpus=4&cpuspeed=2000&memory=8192"}],
                "primary_storage": [{"name": "nics-basic-primary",
                                     "url": "nfs://203.0.113.10/export/primary/nics"}],
            }],
        }],
        "secondary_storage": [{"name": "nics-basic-secondary",
                               "url": "file://${CIRRUS_HOME}/secondary/nics-basic"}],
        "ip_ranges": [{"pod": "nics-basic-pod", "forvirtualnetwork": False,
                       "gateway": "198.18.0.1", "netmask": "255.255.255.0",
                       "startip": "198.18.0.20", "endip": "198.18.0.30"}],
    }],
    "service_offerings": [{"name": "nics-offering", "cpunumber": 1, "cpuspeed": 500,
                           "memory": 256}],
    "templates": [{"name": "nics-template",
                   "url": "${CIRRUS_URL}/demo/templates/centos56-x86_64-simulator.qcow2",
                   "ostype": "CentOS 5.6 (64-bit)", "hypervisor": "Simulator",
                   "format": "QCOW2", "ispublic": True, "zones": ["nics-basic"]}],
}


@pytest.fixture
def availability(cloud: Cloud) -> Iterator[Any]:
    """Set the default virtual offering's availability; put it back afterwards."""
    offering_id = virtual(cloud)
    before = cloud.admin.listNetworkOfferings(id=offering_id)["networkoffering"][0][
        "availability"]

    def set_to(value: str) -> None:
        cloud.admin.updateNetworkOffering(id=offering_id, availability=value)

    yield set_to
    set_to(before)


def _deploy(client: CloudStack, dc: dict[str, str], **extra: Any) -> dict[str, Any]:
    vm: dict[str, Any] = client.deployVirtualMachine(
        fetch_result=True, zoneid=dc[datacenter.ZONE],
        serviceofferingid=dc[datacenter.OFFERING], templateid=dc[datacenter.TEMPLATE],
        **extra)["virtualmachine"]
    return vm


def _deploy_status(client: CloudStack, dc: dict[str, str], **extra: Any) -> int:
    return _job_status(client.deployVirtualMachine, zoneid=dc[datacenter.ZONE],
                       serviceofferingid=dc[datacenter.OFFERING],
                       templateid=dc[datacenter.TEMPLATE], **extra)


def _nics_status(client: CloudStack, vm_id: str) -> int:
    with pytest.raises(CloudStackApiException) as caught:
        client.listNics(virtualmachineid=vm_id)
    code: int = caught.value.response.status_code
    return code


def _direct(cloud: Cloud, dc: dict[str, str], vlan: int, **extra: Any) -> dict[str, Any]:
    network: dict[str, Any] = cloud.admin.createNetwork(
        name=f"direct-{vlan}", displaytext=f"Direct {vlan}", networkofferingid=direct(cloud),
        zoneid=dc[datacenter.ZONE], vlan=str(vlan), gateway=f"10.{vlan % 250}.0.1",
        netmask="255.255.255.0", startip=f"10.{vlan % 250}.0.10",
        endip=f"10.{vlan % 250}.0.12", **extra)["network"]
    return network


def _expunge(cloud: Cloud, *vms: dict[str, Any]) -> None:
    for vm in vms:
        cloud.admin.destroyVirtualMachine(id=vm["id"], expunge=True, fetch_result=True)


def test_vm_with_two_nics_one_default(cloud: Cloud, dc: dict[str, str],
                                      availability: Any) -> None:
    availability("Optional")
    owner = cloud.new_account()
    user = cloud.as_user(owner)
    shared = _direct(cloud, dc, 400)
    isolated = user.createNetwork(name="app", displaytext="App",
                                  networkofferingid=virtual(cloud),
                                  zoneid=dc[datacenter.ZONE])["network"]
    vm = _deploy(user, dc, networkids=f"{isolated['id']},{shared['id']}")
    first, second = sorted(vm["nic"], key=lambda n: int(n["deviceid"]))
    assert first["networkid"] == isolated["id"] and first["isdefault"] is True
    assert first["ipaddress"].startswith("10.1.1.") and first["type"] == "Isolated"
    assert second["networkid"] == shared["id"] and second["isdefault"] is False
    assert second["ipaddress"] == "10.150.0.10" and second["gateway"] == "10.150.0.1"
    assert second["netmask"] == "255.255.255.0" and second["type"] == "Shared"
    assert second["macaddress"] != first["macaddress"]
    # listNics (ngine_io.cloudstack's port forwarding and static NAT modules ask it).
    listed = user.listNics(virtualmachineid=vm["id"])
    assert listed["count"] == 2
    assert [{k: v for k, v in n.items() if k != "virtualmachineid"} for n in listed["nic"]] \
        == [first, second]
    assert {n["virtualmachineid"] for n in listed["nic"]} == {vm["id"]}
    (on_shared,) = user.listNics(virtualmachineid=vm["id"], networkid=shared["id"])["nic"]
    assert on_shared["id"] == second["id"]
    assert user.listNics(virtualmachineid=vm["id"], nicid=first["id"])["nic"] == \
        [listed["nic"][0]]
    stranger = cloud.as_user(cloud.new_account())
    assert _nics_status(stranger, vm["id"]) == 531

    only = _deploy(user, dc, networkids=shared["id"])  # Optional: direct alone is fine
    assert [(n["networkid"], n["ipaddress"], n["isdefault"]) for n in only["nic"]] == [
        (shared["id"], "10.150.0.11", True)]
    assert _deploy_status(user, dc, networkids=shared["id"]) == 533  # range used up
    assert _job_status(cloud.admin.deleteNetwork, id=shared["id"]) == 536
    assert _job_status(user.deleteNetwork, id=isolated["id"]) == 536
    _expunge(cloud, vm, only)
    assert cloud.admin.deleteNetwork(id=shared["id"], fetch_result=True)["success"] is True
    assert user.deleteNetwork(id=isolated["id"], fetch_result=True)["success"] is True


def test_networks_must_be_the_owners_and_in_the_zone(cloud: Cloud,
                                                     dc: dict[str, str]) -> None:
    owner, other = cloud.new_account(), cloud.new_account()
    theirs = cloud.as_user(other).createNetwork(
        name="theirs", displaytext="Theirs", networkofferingid=virtual(cloud),
        zoneid=dc[datacenter.ZONE])["network"]
    lab = _direct(cloud, dc, 410, account=other.username,
                  domainid=other.account["domainid"])
    user = cloud.as_user(owner)
    assert _deploy_status(user, dc, networkids=theirs["id"]) == 531
    assert _deploy_status(user, dc, networkids=lab["id"]) == 531
    assert _deploy_status(cloud.admin, dc, networkids=theirs["id"], account=owner.username,
                          domainid=owner.account["domainid"]) == 531
    assert _deploy_status(user, dc, networkids=dc[datacenter.ZONE]) == 431  # no such network
    mine = _deploy(cloud.as_user(other), dc, networkids=lab["id"])
    assert mine["nic"][-1]["networkid"] == lab["id"]
    _expunge(cloud, mine)
    cloud.admin.deleteNetwork(id=lab["id"], fetch_result=True)


def test_required_virtual_network_is_always_the_default(cloud: Cloud, dc: dict[str, str],
                                                        availability: Any) -> None:
    availability("Required")
    user = cloud.as_user(cloud.new_account())
    shared = _direct(cloud, dc, 420)
    vm = _deploy(user, dc, networkids=shared["id"])
    nics = sorted(vm["nic"], key=lambda n: int(n["deviceid"]))
    assert [(n["type"], n["isdefault"]) for n in nics] == [("Isolated", True),
                                                          ("Shared", False)]
    assert nics[1]["networkid"] == shared["id"]
    virtual_id = nics[0]["networkid"]
    assert _deploy_status(user, dc, networkids=f"{shared['id']},{virtual_id}") == 431
    _expunge(cloud, vm)
    cloud.admin.deleteNetwork(id=shared["id"], fetch_result=True)


def test_unavailable_virtual_network_uses_the_default_direct_one(
        cloud: Cloud, dc: dict[str, str], availability: Any) -> None:
    availability("Unavailable")
    user = cloud.as_user(cloud.new_account())
    assert _deploy_status(user, dc) == 431  # no default direct network in the zone yet
    assert _job_status(user.createNetwork, name="v", displaytext="v",
                       networkofferingid=virtual(cloud), zoneid=dc[datacenter.ZONE]) == 431
    shared = _direct(cloud, dc, 430, isdefault=True)
    vm = _deploy(user, dc)
    assert [(n["networkid"], n["ipaddress"], n["isdefault"]) for n in vm["nic"]] == [
        (shared["id"], "10.180.0.10", True)]
    availability("Optional")
    isolated = user.createNetwork(name="v", displaytext="v", networkofferingid=virtual(cloud),
                                  zoneid=dc[datacenter.ZONE])["network"]
    availability("Unavailable")
    assert _deploy_status(user, dc, networkids=isolated["id"]) == 431
    _expunge(cloud, vm)
    cloud.admin.deleteNetwork(id=shared["id"], fetch_result=True)


def test_basic_zone_vms_get_a_nic_on_the_zones_shared_network(cloud: Cloud) -> None:
    ids = datacenter.build(cloud, BASIC)
    user = cloud.as_user(cloud.new_account())
    args = {"zoneid": ids["nics-basic"], "serviceofferingid": ids["nics-offering"],
            "templateid": ids["nics-template"]}
    first = user.deployVirtualMachine(fetch_result=True, **args)["virtualmachine"]
    second = user.deployVirtualMachine(fetch_result=True, **args)["virtualmachine"]
    (a,), (b,) = first["nic"], second["nic"]
    assert a["networkid"] == b["networkid"] and a["isdefault"] is True
    assert (a["ipaddress"], b["ipaddress"]) == ("198.18.0.20", "198.18.0.21")
    assert a["gateway"] == "198.18.0.1" and a["type"] == "Shared"
    network = user.listNetworks(zoneid=ids["nics-basic"])["network"]
    assert [n["id"] for n in network] == [a["networkid"]]
    assert network[0]["type"] == "Direct" and network[0]["isshared"] is True
    assert network[0]["vlan"] == "untagged"
    _expunge(cloud, first, second)
