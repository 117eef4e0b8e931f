"""Disk offerings: fixed and custom sizes, limits, immutability and removal."""

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


def test_fixed_and_custom_sizes(cloud: Cloud) -> None:
    fixed = cloud.admin.createDiskOffering(name="Medium", displaytext="20 GB", disksize=20,
                                           tags="fast")["diskoffering"]
    assert fixed["disksize"] == 20 and fixed["iscustomized"] is False
    assert fixed["tags"] == "fast" and fixed["storagetype"] == "shared"
    custom = cloud.admin.createDiskOffering(name="Custom", displaytext="any size",
                                            customized=True)["diskoffering"]
    assert custom["iscustomized"] is True and custom["disksize"] == 0
    assert _status(cloud.admin.createDiskOffering, name="x", displaytext="x") == 431
    assert _status(cloud.admin.createDiskOffering, name="x", displaytext="x",
                   disksize=5000) == 431
    assert _status(cloud.admin.createDiskOffering, name="x", displaytext="x", disksize=5,
                   customized=True) == 431
    user = cloud.as_user(cloud.new_account())
    assert _status(user.createDiskOffering, name="x", displaytext="x", disksize=1) == 432
    listed = {o["id"] for o in user.listDiskOfferings()["diskoffering"]}
    assert {fixed["id"], custom["id"]} <= listed


def test_update_and_delete(cloud: Cloud) -> None:
    made = cloud.admin.createDiskOffering(name="Big", displaytext="100 GB",
                                          disksize=100)["diskoffering"]
    renamed = cloud.admin.updateDiskOffering(id=made["id"], name="Bigger")["diskoffering"]
    assert renamed["name"] == "Bigger" and renamed["disksize"] == 100
    assert cloud.admin.listDiskOfferings(name="Bigger")["diskoffering"][0]["id"] == made["id"]
    cloud.admin.deleteDiskOffering(id=made["id"])
    assert cloud.admin.listDiskOfferings(id=made["id"]) == {}
    assert _status(cloud.admin.deleteDiskOffering, id=made["id"]) == 431
