"""Pods: private ranges, validation, delete refusal, root-only visibility."""

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


def test_create_update_list_delete(cloud: Cloud) -> None:
    zone = infra.zone(cloud)
    pod = infra.pod(cloud, zone["id"], 10)
    assert pod["zoneid"] == zone["id"] and pod["zonename"] == zone["name"]
    assert (pod["gateway"], pod["startip"], pod["endip"]) == ("192.168.10.1",
                                                             "192.168.10.10", "192.168.10.59")
    updated = cloud.admin.updatePod(id=pod["id"], endip="192.168.10.99", name="renamed-pod",
                                    allocationstate="Disabled")["pod"]
    assert updated["endip"] == "192.168.10.99" and updated["allocationstate"] == "Disabled"
    listed = cloud.admin.listPods(zoneid=zone["id"], showcapacities=True)["pod"]
    assert [p["name"] for p in listed] == ["renamed-pod"]
    assert {c["type"]: c["capacitytotal"] for c in listed[0]["capacity"]}[5] == 90
    assert cloud.admin.deletePod(id=pod["id"]) == {"success": True}
    assert cloud.admin.listPods(zoneid=zone["id"]) == {}


def test_bad_ranges_and_overlaps(cloud: Cloud) -> None:
    zone = infra.zone(cloud)
    base = {"zoneid": zone["id"], "gateway": "10.9.0.1", "netmask": "255.255.255.0"}
    admin = cloud.admin
    assert _status(admin.createPod, name="p1", startip="10.9.1.5", **base) == 431  # outside
    assert _status(admin.createPod, name="p2", startip="10.9.0.50", endip="10.9.0.20",
                   **base) == 431  # reversed
    assert _status(admin.createPod, name="p3", startip="10.9.0.x", **base) == 431
    assert _status(admin.createPod, name="p4", startip="10.9.0.1", endip="10.9.0.9",
                   **base) == 431  # gateway inside
    assert _status(admin.createPod, name="p5", startip="10.9.0.5", zoneid=zone["id"],
                   gateway="10.9.0.1", netmask="255.0.255.0") == 431
    pod = admin.createPod(name="p6", startip="10.9.0.10", endip="10.9.0.20", **base)["pod"]
    assert _status(admin.createPod, name="p7", startip="10.9.0.30", **base) == 431  # overlap
    assert _status(admin.createPod, name="p6", zoneid=zone["id"], gateway="10.8.0.1",
                   netmask="255.255.255.0", startip="10.8.0.5") == 431  # duplicate name
    assert _status(admin.createPod, name="p8", startip="10.7.0.5", gateway="10.7.0.1",
                   netmask="255.255.255.0",
                   zoneid="9b9b7a6e-0000-4000-8000-000000000000") == 431
    cluster = infra.cluster(cloud, zone["id"], pod["id"])
    assert _status(admin.deletePod, id=pod["id"]) == 536
    admin.deleteCluster(id=cluster["id"])
    assert admin.deletePod(id=pod["id"]) == {"success": True}


def test_only_root_sees_pods(cloud: Cloud) -> None:
    domain = cloud.new_domain()
    for kind in (0, 2):
        api = cloud.as_user(cloud.new_account(accounttype=kind, domainid=domain["id"]))
        assert _status(api.listPods) == 432
        assert _status(api.createPod, zoneid="9b9b7a6e-0000-4000-8000-000000000000",
                       name="x", gateway="1.1.1.1", netmask="255.255.255.0",
                       startip="1.1.1.2") == 432
        names = {a["name"] for a in api.listApis()["api"]}
        assert "listZones" in names and not names & {"listPods", "listHosts",
                                                     "listClusters", "listStoragePools",
                                                     "listCapacity", "listVlanIpRanges"}
