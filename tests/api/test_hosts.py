"""Hosts: detection through the simulator, updates, maintenance, reconnect, delete."""

from __future__ import annotations

import pytest
from cs import CloudStackApiException

from tests.support import infra
from tests.support.cloud import Cloud


def _status(call: object, *args: object, **kwargs: object) -> int:
    with pytest.raises(CloudStackApiException) as caught:
        call(*args, **kwargs)  # type: ignore[operator]
    code: int = caught.value.response.status_code
    return code


def test_add_detects_capacity_from_url(cloud: Cloud) -> None:
    stack = infra.stack(cloud)
    host = stack["host"]
    assert (host["cpunumber"], host["cpuspeed"], host["memorytotal"]) == (8, 2000, 16 * 2**30)
    assert host["state"] == "Up" and host["resourcestate"] == "Enabled"
    assert host["type"] == "Routing" and host["hypervisor"] == "Simulator"
    assert host["cpuallocated"] == "0%" and "lastpinged" in host and "ipaddress" in host
    z, p, c = stack["zone"]["id"], stack["pod"]["id"], stack["cluster"]["id"]
    small = infra.host(cloud.admin, z, p, c, url="http://sim/small?cpus=4&cpuspeed=1000"
                       "&memory=8192", hosttags="ssd, fast")
    assert (small["cpunumber"], small["cpuspeed"], small["memorytotal"]) == (4, 1000, 8 * 2**30)
    assert small["name"] == "small" and small["hosttags"] == "ssd,fast"
    # a cluster named on the fly is created in the pod
    named = cloud.admin.addHost(zoneid=z, podid=p, clustername="auto-cl", hypervisor="Simulator",
                                url="http://sim/auto", username="u", password="p")["host"][0]
    assert named["clustername"] == "auto-cl"
    listed = cloud.admin.listHosts(zoneid=z, type="Routing")
    assert listed["count"] == 3
    assert cloud.admin.listHosts(clusterid=c, keyword="small")["host"][0]["id"] == small["id"]
    assert cloud.admin.listHosts(zoneid=z, state="Up", hypervisor="Simulator")["count"] == 3
    assert {h["name"] for h in cloud.admin.listHypervisors()["hypervisor"]} == {
        "KVM", "LXC", "Simulator"}
    assert cloud.admin.listHypervisors(zoneid=z)["hypervisor"] == [{"name": "Simulator"}]


def test_bad_input(cloud: Cloud) -> None:
    stack = infra.stack(cloud)
    z, p, c = stack["zone"]["id"], stack["pod"]["id"], stack["cluster"]["id"]
    admin = cloud.admin
    assert _status(infra.host, admin, z, p, c, url="http://sim/bad?cpus=many") == 431
    assert _status(infra.host, admin, z, p, c, url="not a url") == 431
    assert _status(infra.host, admin, z, p, c, url=stack["host"]["name"]) == 431
    assert _status(infra.host, admin, z, p, c,
                   url=f"http://sim/{stack['host']['name']}") == 431  # duplicate url
    assert _status(infra.host, admin, z, p, c, hypervisor="KVM") == 431  # cluster mismatch
    kvm = infra.cluster(cloud, z, p, hypervisor="KVM")
    # A KVM host is prepared by the host_add playbook: on this machine's loopback there is
    # no libvirtd, so the play fails, the call fails with it, and no host is left behind.
    assert _status(infra.host, admin, z, p, kvm["id"], hypervisor="KVM",
                   url="http://127.0.0.1") == 530
    assert admin.listHosts(clusterid=kvm["id"]).get("host", []) == []
    assert _status(admin.addHost, zoneid=z, podid=p, hypervisor="Simulator",
                   url="http://sim/x", username="u", password="p") == 431  # no cluster
    assert _status(admin.updateHost, id=stack["host"]["id"], allocationstate="Maybe") == 431


def test_update_maintenance_reconnect_delete(cloud: Cloud) -> None:
    stack = infra.stack(cloud)
    host_id = stack["host"]["id"]
    admin = cloud.admin
    updated = admin.updateHost(id=host_id, allocationstate="Disable", hosttags="gpu")["host"]
    assert updated["resourcestate"] == "Disabled" and updated["hosttags"] == "gpu"
    assert admin.updateHost(id=host_id, allocationstate="Enable")["host"]["resourcestate"] \
        == "Enabled"
    maint = admin.prepareHostForMaintenance(id=host_id, fetch_result=True)["host"]
    assert maint["resourcestate"] == "Maintenance"
    assert _status(admin.prepareHostForMaintenance, id=host_id) == 431
    assert _status(admin.updateHost, id=host_id, allocationstate="Enable") == 431
    back = admin.cancelHostMaintenance(id=host_id, fetch_result=True)["host"]
    assert back["resourcestate"] == "Enabled"
    assert _status(admin.cancelHostMaintenance, id=host_id) == 431
    again = admin.reconnectHost(id=host_id, fetch_result=True)["host"]
    assert again["state"] == "Up" and again["cpunumber"] == 8
    assert admin.deleteHost(id=host_id) == {"success": True}
    assert admin.listHosts(id=host_id) == {}
    assert _status(admin.updateHost, id=host_id, hosttags="x") == 431


def test_physical_resources_hidden_from_tenants(cloud: Cloud) -> None:
    stack = infra.stack(cloud)
    domain = cloud.new_domain()
    for kind in (0, 2):
        api = cloud.as_user(cloud.new_account(accounttype=kind, domainid=domain["id"]))
        assert _status(api.listHosts) == 432
        assert _status(api.updateHost, id=stack["host"]["id"], hosttags="x") == 432
        assert _status(api.listClusters) == 432
        assert api.listZones(id=stack["zone"]["id"])["count"] == 1
