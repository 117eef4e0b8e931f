"""Secondary storage: addSecondaryStorage (2.2) and addImageStore, listing, deleting."""

from __future__ import annotations

import os
import tempfile

import pytest
from cs import CloudStackApiException

from tests.support import infra
from tests.support.cloud import Cloud


def _status(call: object, **kwargs: object) -> int:
    with pytest.raises(CloudStackApiException) as caught:
        call(**kwargs)  # type: ignore[operator]
    code: int = caught.value.response.status_code
    return code


def test_add_list_delete(cloud: Cloud) -> None:
    zone = infra.zone(cloud)
    admin = cloud.admin
    directory = os.path.join(tempfile.mkdtemp(prefix="cirrus-sec-"), "store")
    local = admin.addSecondaryStorage(zoneid=zone["id"],
                                      url=f"file://{directory}")["secondarystorage"]
    assert os.path.isdir(directory)  # created for downloads
    assert local["protocol"] == "file" and local["zoneid"] == zone["id"]
    assert local["disksizetotal"] > 0
    nfs = admin.addImageStore(name="nfs-sec", provider="NFS", zoneid=zone["id"],
                              url="nfs://10.0.0.9/export/secondary")["imagestore"]
    assert (nfs["name"], nfs["protocol"], nfs["providername"]) == ("nfs-sec", "nfs", "NFS")
    listed = admin.listImageStores(zoneid=zone["id"])
    assert {s["id"] for s in listed["imagestore"]} == {local["id"], nfs["id"]}
    assert admin.listImageStores(protocol="nfs", name="nfs-sec")["count"] == 1
    as_hosts = admin.listHosts(type="SecondaryStorage", zoneid=zone["id"])["host"]
    assert {h["id"] for h in as_hosts} == {local["id"], nfs["id"]}
    assert all(h["type"] == "SecondaryStorage" for h in as_hosts)
    assert admin.deleteImageStore(id=nfs["id"]) == {"success": True}
    assert [s["id"] for s in admin.listImageStores(zoneid=zone["id"])["imagestore"]] == [
        local["id"]]


def test_bad_input(cloud: Cloud) -> None:
    zone = infra.zone(cloud)
    admin = cloud.admin
    assert _status(admin.addImageStore, provider="S3", url="nfs://a/b") == 431
    assert _status(admin.addImageStore, provider="NFS", url="smb://a/b") == 431
    assert _status(admin.addImageStore, provider="NFS") == 431
    assert _status(admin.addSecondaryStorage, url="nfs://host") == 431
    assert _status(admin.addSecondaryStorage, url="nfs://a/b",
                   zoneid="9b9b7a6e-0000-4000-8000-000000000000") == 431
    admin.addSecondaryStorage(zoneid=zone["id"], url="nfs://a/dup")
    assert _status(admin.addSecondaryStorage, zoneid=zone["id"], url="nfs://a/dup") == 431
    assert _status(admin.deleteImageStore, id="9b9b7a6e-0000-4000-8000-000000000000") == 431
    user = cloud.as_user(cloud.new_account(accounttype=2))
    assert _status(user.listImageStores) == 432
