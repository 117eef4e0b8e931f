"""Real CloudStack clients from PyPI sign requests the server accepts: cs (GET, POST,
signatureVersion 3) and libcloud (its own canonicalization)."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from libcloud.compute.drivers.cloudstack import CloudStackNodeDriver

from tests.support.cloud import Cloud

# Values where the clients' encoders differ: space, '*', '/', '~', brackets, non-ASCII.
AWKWARD = "Ünïcode ~ a*b/c [x] & = + %"


def _libcloud(cloud: Cloud) -> CloudStackNodeDriver:
    url = urlparse(cloud.endpoint)
    return CloudStackNodeDriver(key=cloud.admin_key, secret=cloud.admin_secret, secure=False,
                                host=url.hostname, port=url.port, path=url.path)


@pytest.mark.parametrize("method", ["get", "post"])
def test_cs_signs_awkward_values(cloud: Cloud, method: str) -> None:
    api = cloud.client(method=method)
    account = cloud.new_account()
    user_id = account.account["user"][0]["id"]
    updated = api.updateUser(id=user_id, firstname=AWKWARD, lastname=f"{method}*~/")["user"]
    assert updated["firstname"] == AWKWARD
    assert updated["lastname"] == f"{method}*~/"
    found = api.listUsers(id=user_id)["user"][0]
    assert found["firstname"] == AWKWARD


def test_libcloud_signs_its_own_way(cloud: Cloud) -> None:
    driver = _libcloud(cloud)
    accounts = driver._sync_request("listAccounts", params={"name": "admin"})
    assert accounts["account"][0]["name"] == "admin"
    account = cloud.new_account()
    user_id = account.account["user"][0]["id"]
    updated = driver._sync_request("updateUser", method="GET",
                                   params={"id": user_id, "firstname": AWKWARD})
    assert updated["user"]["firstname"] == AWKWARD


def test_libcloud_polls_async_jobs(cloud: Cloud) -> None:
    driver = _libcloud(cloud)
    doomed = cloud.new_account()
    result = driver._async_request("deleteAccount", params={"id": doomed.account["id"]})
    assert result == {"success": True}
    assert "account" not in cloud.admin.listAccounts(name=doomed.username)


def test_cs_follows_async_jobs_to_their_result(cloud: Cloud) -> None:
    account = cloud.new_account()
    user_id = account.account["user"][0]["id"]
    job = cloud.admin.disableUser(id=user_id)
    assert set(job) == {"jobid", "id"} and job["id"] == user_id
    result = cloud.admin.disableUser(id=user_id, fetch_result=True)
    assert result["user"]["state"] == "disabled"
