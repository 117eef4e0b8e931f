"""Public IP ranges: one address row per IP, overlaps, limits, delete refusal."""

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


def test_create_list_delete(cloud: Cloud) -> None:
    zone = infra.zone(cloud)
    admin = cloud.admin
    vlan = admin.createVlanIpRange(zoneid=zone["id"], vlan="100", gateway="203.0.113.1",
                                   netmask="255.255.255.0", startip="203.0.113.10",
                                   endip="203.0.113.29", forvirtualnetwork=True)["vlan"]
    assert (vlan["vlan"], vlan["startip"], vlan["endip"]) == ("100", "203.0.113.10",
                                                             "203.0.113.29")
    assert vlan["forvirtualnetwork"] is True and vlan["description"] == \
        "203.0.113.10-203.0.113.29"
    untagged = admin.createVlanIpRange(zoneid=zone["id"], gateway="198.51.100.1",
                                       netmask="255.255.255.0", startip="198.51.100.5",
                                       forvirtualnetwork=False)["vlan"]
    assert untagged["vlan"] == "untagged" and untagged["endip"] == "198.51.100.5"
    domain = cloud.new_domain()
    member = cloud.new_account(domainid=domain["id"])
    owned = admin.createVlanIpRange(zoneid=zone["id"], vlan="vlan://101",
                                    gateway="192.0.2.1", netmask="255.255.255.0",
                                    startip="192.0.2.2", endip="192.0.2.3",
                                    account=member.username, domainid=domain["id"])["vlan"]
    assert owned["vlan"] == "101" and owned["account"] == member.username
    listed = admin.listVlanIpRanges(zoneid=zone["id"])
    assert listed["count"] == 3
    assert admin.listVlanIpRanges(zoneid=zone["id"], forvirtualnetwork=False)["vlaniprange"][0][
        "id"] == untagged["id"]
    assert admin.listVlanIpRanges(domainid=domain["id"])["vlaniprange"][0]["id"] == owned["id"]
    capacity = {c["type"]: c for c in admin.listCapacity(zoneid=zone["id"])["capacity"]}
    assert capacity[4]["capacitytotal"] == 22 and capacity[4]["capacityused"] == 0
    assert capacity[8]["capacitytotal"] == 1
    assert admin.deleteVlanIpRange(id=vlan["id"]) == {"success": True}
    assert admin.listVlanIpRanges(id=vlan["id"]) == {}
    capacity = {c["type"]: c for c in admin.listCapacity(zoneid=zone["id"])["capacity"]}
    assert capacity[4]["capacitytotal"] == 2
    assert _status(admin.deleteZone, id=zone["id"]) == 536


def test_bad_ranges(cloud: Cloud) -> None:
    zone = infra.zone(cloud)
    admin = cloud.admin
    base = {"zoneid": zone["id"], "gateway": "10.50.0.1", "netmask": "255.255.0.0"}
    admin.createVlanIpRange(startip="10.50.1.1", endip="10.50.1.100", **base)
    assert _status(admin.createVlanIpRange, startip="10.50.1.50", endip="10.50.1.150",
                   **base) == 431  # overlap
    assert _status(admin.createVlanIpRange, startip="10.50.2.9", endip="10.50.2.1",
                   **base) == 431  # reversed
    assert _status(admin.createVlanIpRange, startip="10.51.0.5", **base) == 431  # outside
    assert _status(admin.createVlanIpRange, startip="10.50.0.1", endip="10.50.0.9",
                   **base) == 431  # gateway inside
    assert _status(admin.createVlanIpRange, startip="10.50.300.1", **base) == 431
    assert _status(admin.createVlanIpRange, zoneid=zone["id"], gateway="10.0.0.1",
                   netmask="255.0.0.0", startip="10.0.0.2", endip="10.1.0.10") == 431  # > 65536
    assert _status(admin.createVlanIpRange, vlan="5000", startip="10.50.3.1", **base) == 431
    assert _status(admin.createVlanIpRange, startip="10.50.3.1",
                   zoneid=zone["id"]) == 431  # no gateway
    user = cloud.as_user(cloud.new_account())
    assert _status(user.listVlanIpRanges) == 432
    assert _status(user.createVlanIpRange, startip="10.50.4.1", **base) == 432
