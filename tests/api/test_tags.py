"""Tags: createTags/deleteTags (async) and listTags on templates and ISOs; tag filters."""

from __future__ import annotations

from typing import Any

import pytest
from cs import CloudStackApiException

from tests.support.cloud import Cloud
from tests.support.image_server import add_zone_with_store


def _status(call: Any, **kwargs: Any) -> int:
    with pytest.raises(CloudStackApiException) as caught:
        call(**kwargs)
    code: int = caught.value.response.status_code
    return code


def test_tag_lifecycle(cloud: Cloud) -> None:
    zone_id, _ = add_zone_with_store(cloud)
    creds = cloud.new_account()
    owner = cloud.as_user(creds)
    ostype = owner.listOsTypes(description="Other (64-bit)")["ostype"][0]["id"]
    template = owner.registerTemplate(
        name="tagged", displaytext="tagged", url="http://127.0.0.1:9/never.qcow2",
        zoneid=zone_id, format="QCOW2", hypervisor="KVM", ostypeid=ostype)["template"][0]
    tid = template["id"]
    owner.createTags(resourceids=tid, resourcetype="Template",
                     tags=[{"key": "env", "value": "prod"}, {"key": "team", "value": "a"}],
                     fetch_result=True)
    listed = owner.listTags(resourceid=tid)["tag"]
    assert {(t["key"], t["value"]) for t in listed} == {("env", "prod"), ("team", "a")}
    assert listed[0]["resourcetype"] == "Template" and listed[0]["account"] == creds.username
    shown = owner.listTemplates(templatefilter="self", id=tid)["template"][0]
    assert {t["key"] for t in shown["tags"]} == {"env", "team"}
    assert owner.listTemplates(templatefilter="self",
                               tags=[{"key": "env", "value": "prod"}])["count"] == 1
    assert owner.listTemplates(templatefilter="self",
                               tags=[{"key": "env", "value": "dev"}]) == {}

    assert _status(owner.createTags, resourceids=tid, resourcetype="Template",
                   tags=[{"key": "env", "value": "dev"}]) == 431
    assert _status(owner.createTags, resourceids=tid, resourcetype="Spaceship",
                   tags=[{"key": "k", "value": "v"}]) == 431
    assert _status(owner.createTags, resourceids=tid, resourcetype="ISO",
                   tags=[{"key": "k", "value": "v"}]) == 431
    stranger = cloud.as_user(cloud.new_account())
    assert _status(stranger.createTags, resourceids=tid, resourcetype="Template",
                   tags=[{"key": "k", "value": "v"}]) == 531
    assert stranger.listTags() == {}
    assert cloud.admin.listTags(listall=True, key="env")["count"] >= 1

    owner.deleteTags(resourceids=tid, resourcetype="Template", tags=[{"key": "env"}],
                     fetch_result=True)
    assert [t["key"] for t in owner.listTags(resourceid=tid)["tag"]] == ["team"]
    owner.deleteTags(resourceids=tid, resourcetype="Template", fetch_result=True)
    assert owner.listTags(resourceid=tid) == {}
