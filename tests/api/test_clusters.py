"""Clusters: hypervisor and libvirt domain types, names, delete refusal."""

from __future__ import annotations

import pytest
from cs import CloudStackApiException

from tests.support import infra
from tests.support.cloud import Cloud


def _status(call: object, **kwargs: object) -> int:
    with pytest.raises(CloudStackApiException) as caught:
        call(**kwargs)  # type: ignore[operator]
    code: int = caught.value.response.status_code
    return code


def test_add_update_list_delete(cloud: Cloud) -> None:
    zone = infra.zone(cloud)
    pod = infra.pod(cloud, zone["id"])
    response = cloud.admin.addCluster(zoneid=zone["id"], podid=pod["id"], clustername="c1",
                                      hypervisor="kvm", clustertype="CloudManaged")
    assert response["count"] == 1
    kvm = response["cluster"][0]
    assert kvm["hypervisortype"] == "KVM" and kvm["libvirtdomaintype"] == "kvm"
    assert kvm["podname"] == pod["name"] and kvm["allocationstate"] == "Enabled"
    tcg = infra.cluster(cloud, zone["id"], pod["id"], hypervisor="KVM",
                        libvirtdomaintype="qemu")
    assert tcg["libvirtdomaintype"] == "qemu"
    sim = infra.cluster(cloud, zone["id"], pod["id"])
    assert "libvirtdomaintype" not in sim
    updated = cloud.admin.updateCluster(id=kvm["id"], clustername="c1-renamed",
                                        allocationstate="Disabled",
                                        libvirtdomaintype="lxc")["cluster"]
    assert (updated["name"], updated["allocationstate"], updated["libvirtdomaintype"]) == (
        "c1-renamed", "Disabled", "lxc")
    listed = cloud.admin.listClusters(zoneid=zone["id"], hypervisor="KVM")["cluster"]
    assert {c["id"] for c in listed} == {kvm["id"], tcg["id"]}
    assert cloud.admin.listClusters(podid=pod["id"])["count"] == 3
    assert cloud.admin.deleteCluster(id=kvm["id"]) == {"success": True}
    assert cloud.admin.listClusters(id=kvm["id"]) == {}


def test_bad_input_and_in_use(cloud: Cloud) -> None:
    zone = infra.zone(cloud)
    pod = infra.pod(cloud, zone["id"])
    other_zone = infra.zone(cloud)
    admin = cloud.admin
    args = {"zoneid": zone["id"], "podid": pod["id"], "clustertype": "CloudManaged"}
    assert _status(admin.addCluster, clustername="a", hypervisor="Hyper-Q", **args) == 431
    assert _status(admin.addCluster, clustername="b", hypervisor="Simulator",
                   libvirtdomaintype="kvm", **args) == 431
    assert _status(admin.addCluster, clustername="c", hypervisor="KVM",
                   libvirtdomaintype="xen", **args) == 431
    assert _status(admin.addCluster, clustername="d", hypervisor="KVM",
                   zoneid=other_zone["id"], podid=pod["id"],
                   clustertype="CloudManaged") == 431
    assert _status(admin.addCluster, clustername="e", hypervisor="KVM",
                   zoneid=zone["id"], podid=pod["id"], clustertype="Odd") == 431
    cluster = infra.cluster(cloud, zone["id"], pod["id"], clustername="dup")
    assert _status(admin.addCluster, clustername="dup", hypervisor="KVM", **args) == 431
    assert _status(admin.updateCluster, id=cluster["id"], hypervisor="KVM") == 431
    infra.host(admin, zone["id"], pod["id"], cluster["id"])
    assert _status(admin.deleteCluster, id=cluster["id"]) == 536
