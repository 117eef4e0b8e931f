"""Service offerings: root-admin management, immutability, removal, domain visibility."""

from __future__ import annotations

from typing import Any

import pytest
from cs import CloudStackApiException

from tests.support.cloud import Cloud


def _status(call: Any, **kwargs: Any) -> int:
    with pytest.raises(CloudStackApiException) as caught:
        call(**kwargs)
    code: int = caught.value.response.status_code
    return code


def test_create_update_delete(cloud: Cloud) -> None:
    made = cloud.admin.createServiceOffering(
        name="Small Instance", displaytext="1 CPU, 512 MB", cpunumber=1, cpuspeed=500,
        memory=512, offerha=True, storagetype="local", tags="ssd", hosttags="fast",
        networkrate=100)["serviceoffering"]
    assert (made["cpunumber"], made["cpuspeed"], made["memory"]) == (1, 500, 512)
    assert made["offerha"] is True and made["storagetype"] == "local"
    assert made["tags"] == "ssd" and made["hosttags"] == "fast" and made["networkrate"] == 100
    assert "domainid" not in made and made["issystem"] is False
    updated = cloud.admin.updateServiceOffering(id=made["id"], name="Small",
                                                displaytext="small one")["serviceoffering"]
    assert updated["name"] == "Small" and updated["memory"] == 512
    assert cloud.admin.listServiceOfferings(id=made["id"])["serviceoffering"][0]["name"] \
        == "Small"
    assert cloud.admin.listServiceOfferings(keyword="small one")["count"] >= 1
    cloud.admin.deleteServiceOffering(id=made["id"])
    assert cloud.admin.listServiceOfferings(id=made["id"]) == {}
    assert _status(cloud.admin.updateServiceOffering, id=made["id"], name="x") == 431
    events = cloud.admin.listEvents(type="SERVICE.OFFERING.CREATE")["event"]
    assert events and events[0]["level"] == "INFO"


def test_validation_and_roles(cloud: Cloud) -> None:
    base = {"name": "bad", "displaytext": "bad", "cpunumber": 1, "cpuspeed": 100,
            "memory": 128}
    for bad in ({"cpunumber": 0}, {"memory": -1}, {"storagetype": "nfs"}, {"name": " "}):
        assert _status(cloud.admin.createServiceOffering, **{**base, **bad}) == 431, bad
    user = cloud.as_user(cloud.new_account())
    assert _status(user.createServiceOffering, **base) == 432
    domain_admin = cloud.as_user(cloud.new_account(accounttype=2))
    assert _status(domain_admin.deleteServiceOffering,
                   id="00000000-0000-0000-0000-000000000000") == 432
    assert _status(user.listServiceOfferings, issystem=True) == 531


def test_domain_offerings_serve_the_subtree(cloud: Cloud) -> None:
    parent = cloud.new_domain()
    child = cloud.new_domain(parent["id"])
    other = cloud.new_domain()
    offering = cloud.admin.createServiceOffering(
        name="Gold", displaytext="gold", cpunumber=2, cpuspeed=1000, memory=2048,
        domainid=parent["id"])["serviceoffering"]
    assert offering["domainid"] == parent["id"] and offering["domain"] == parent["name"]
    public = cloud.admin.createServiceOffering(
        name="Public", displaytext="public", cpunumber=1, cpuspeed=1000,
        memory=1024)["serviceoffering"]
    inside = cloud.as_user(cloud.new_account(domainid=child["id"]))
    outside = cloud.as_user(cloud.new_account(domainid=other["id"]))
    seen_inside = {o["id"] for o in inside.listServiceOfferings()["serviceoffering"]}
    seen_outside = {o["id"] for o in outside.listServiceOfferings()["serviceoffering"]}
    assert {offering["id"], public["id"]} <= seen_inside
    assert public["id"] in seen_outside and offering["id"] not in seen_outside
    assert outside.listServiceOfferings(id=offering["id"]) == {}
