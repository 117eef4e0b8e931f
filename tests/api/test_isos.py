"""ISOs: registered by URL, downloaded by a job, listed with isofilter; permissions,
extract and delete shared with templates."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from cs import CloudStack, CloudStackApiException

from tests.support.cloud import Cloud
from tests.support.image_server import ImageServer, add_zone_with_store, md5, start_image_server


def _status(call: Any, **kwargs: Any) -> int:
    with pytest.raises(CloudStackApiException) as caught:
        call(**kwargs)
    code: int = caught.value.response.status_code
    return code


@pytest.fixture(scope="module")
def images() -> Iterator[ImageServer]:
    srv = start_image_server()
    yield srv
    srv.stop()


def _wait_ready(api: CloudStack, iso_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        entry: dict[str, Any] = api.listIsos(isofilter="self", id=iso_id)["iso"][0]
        if entry["isready"]:
            return entry
        time.sleep(0.1)
    raise AssertionError("ISO never became ready")


def test_register_list_permissions_extract_delete(cloud: Cloud, images: ImageServer) -> None:
    zone_id, _ = add_zone_with_store(cloud)
    body = b"CD001" + bytes(64 * 1024)
    url = images.serve("tools.iso", body)
    owner_creds = cloud.new_account()
    owner = cloud.as_user(owner_creds)
    registered = owner.registerIso(name="tools", displaytext="guest tools", url=url,
                                   zoneid=zone_id, bootable=False, checksum=md5(body),
                                   isextractable=True)["iso"][0]
    assert registered["bootable"] is False and registered["isready"] is False
    assert "format" not in registered
    ready = _wait_ready(owner, registered["id"])
    assert ready["size"] == len(body) and ready["status"] == "Download Complete"
    assert owner.listIsos(bootable=False)["iso"][0]["id"] == ready["id"]  # selfexecutable
    assert owner.listIsos(bootable=True) == {}
    assert owner.listTemplates(templatefilter="self") == {}

    other = cloud.as_user(cloud.new_account())
    assert other.listIsos(isofilter="executable") == {}
    assert _status(other.listIsos, id=ready["id"]) == 531
    owner.updateIsoPermissions(id=ready["id"], ispublic=True)
    assert other.listIsos(isofilter="community")["iso"][0]["id"] == ready["id"]
    assert owner.listIsoPermissions(id=ready["id"])["templatepermission"]["ispublic"] is True
    assert owner.updateIso(id=ready["id"], bootable=True)["iso"]["bootable"] is True

    link = owner.extractIso(id=ready["id"], mode="HTTP_DOWNLOAD", zoneid=zone_id,
                            fetch_result=True)["iso"]
    assert requests.get(link["url"], timeout=30).content == body
    owner.deleteIso(id=ready["id"], fetch_result=True)
    assert _status(owner.listIsos, id=ready["id"]) == 431
    events = cloud.admin.listEvents(type="ISO.DELETE")["event"]
    assert any(e["account"] == owner_creds.username for e in events)
