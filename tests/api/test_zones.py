"""Zones: create/update/delete, validation, and who lists which zone."""

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


def test_create_update_and_delete(cloud: Cloud) -> None:
    zone = infra.zone(cloud, vlan="100-199", guestcidraddress="10.2.0.0/16",
                      isolationmethod="vxlan", domain="cloud.example")
    assert zone["networktype"] == "Advanced" and zone["allocationstate"] == "Enabled"
    assert zone["vlan"] == "100-199" and zone["isolationmethod"] == "vxlan"
    assert zone["guestcidraddress"] == "10.2.0.0/16" and zone["domain"] == "cloud.example"
    updated = cloud.admin.updateZone(id=zone["id"], dns2="1.1.1.1",
                                     allocationstate="Disabled")["zone"]
    assert updated["dns2"] == "1.1.1.1" and updated["allocationstate"] == "Disabled"
    events = cloud.admin.listEvents(type="ZONE.CREATE")["event"]
    assert any(zone["name"] in e["description"] for e in events)
    assert cloud.admin.deleteZone(id=zone["id"]) == {"success": True}
    assert cloud.admin.listZones(id=zone["id"]) == {}
    again = infra.zone(cloud, name=zone["name"])  # the name is free again
    assert again["id"] != zone["id"]


def test_bad_input(cloud: Cloud) -> None:
    admin = cloud.admin
    assert _status(admin.createZone, name="z-bad1", networktype="Hybrid") == 431
    assert _status(admin.createZone, name="z-bad2", networktype="Basic",
                   dns1="not-an-ip") == 431
    assert _status(admin.createZone, name="z-bad3", networktype="Basic",
                   guestcidraddress="10.1.1.1/24") == 431
    assert _status(admin.createZone, name="z-bad4", networktype="Basic", vlan="10-5") == 431
    assert _status(admin.createZone, name="z-bad5", networktype="Basic",
                   vlan="1-5000") == 431
    assert _status(admin.createZone, name="z-bad6", networktype="Basic",
                   isolationmethod="gre") == 431
    assert _status(admin.createZone, networktype="Basic") == 431  # name missing
    zone = infra.zone(cloud)
    assert _status(admin.createZone, name=zone["name"], networktype="Basic") == 431
    assert _status(admin.updateZone, id="9b9b7a6e-0000-4000-8000-000000000000",
                   name="x") == 431


def test_delete_refused_while_in_use(cloud: Cloud) -> None:
    zone = infra.zone(cloud)
    pod = infra.pod(cloud, zone["id"])
    assert _status(cloud.admin.deleteZone, id=zone["id"]) == 536
    cloud.admin.deletePod(id=pod["id"])
    assert cloud.admin.deleteZone(id=zone["id"]) == {"success": True}


def test_visibility_of_dedicated_and_disabled_zones(cloud: Cloud) -> None:
    parent = cloud.new_domain()
    child = cloud.new_domain(parent["id"])
    other = cloud.new_domain()
    public = infra.zone(cloud)
    for_parent = infra.zone(cloud, domainid=parent["id"])
    for_child = infra.zone(cloud, domainid=child["id"])
    for_other = infra.zone(cloud, domainid=other["id"])
    disabled = infra.zone(cloud, allocationstate="Disabled")
    assert for_parent["domainid"] == parent["id"]

    user = cloud.as_user(cloud.new_account(domainid=child["id"]))
    seen = {z["id"] for z in user.listZones()["zone"]}
    assert {public["id"], for_parent["id"], for_child["id"]} <= seen
    assert for_other["id"] not in seen and disabled["id"] not in seen
    assert "vlan" not in user.listZones(id=public["id"])["zone"][0]

    admin = cloud.as_user(cloud.new_account(accounttype=2, domainid=parent["id"]))
    seen = {z["id"] for z in admin.listZones()["zone"]}
    assert {public["id"], for_parent["id"], for_child["id"]} <= seen
    assert for_other["id"] not in seen

    parent_user = cloud.as_user(cloud.new_account(domainid=parent["id"]))
    seen = {z["id"] for z in parent_user.listZones()["zone"]}
    assert for_parent["id"] in seen and for_child["id"] not in seen

    root_seen = {z["id"] for z in cloud.admin.listZones()["zone"]}
    assert {for_other["id"], disabled["id"]} <= root_seen
    assert cloud.admin.listZones(id=disabled["id"], available=True) == {}
    # Only root manages zones: other roles do not even have the command.
    assert _status(admin.createZone, name="x", networktype="Basic") == 432
    assert _status(user.deleteZone, id=public["id"]) == 432


def test_list_filters_and_capacities(cloud: Cloud) -> None:
    zone = infra.zone(cloud, networktype="Basic")
    found = cloud.admin.listZones(name=zone["name"], networktype="Basic")["zone"]
    assert [z["id"] for z in found] == [zone["id"]]
    assert cloud.admin.listZones(name=zone["name"], networktype="Advanced") == {}
    assert cloud.admin.listZones(keyword=zone["name"][5:])["zone"][0]["id"] == zone["id"]
    stack = infra.stack(cloud, third_octet=77)
    listed = cloud.admin.listZones(id=stack["zone"]["id"], showcapacities=True)["zone"][0]
    kinds = {c["type"]: c for c in listed["capacity"]}
    assert kinds[0]["capacitytotal"] == 16384 * 2**20  # simulator default memory
    assert kinds[1]["capacitytotal"] == 8 * 2000
    assert kinds[5]["capacitytotal"] == 50  # the pod's private range
