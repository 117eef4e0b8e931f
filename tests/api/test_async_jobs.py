"""queryAsyncJobResult and listAsyncJobs answer exactly the fields of DESIGN §3."""

from __future__ import annotations

import time

import pytest
from cs import CloudStackApiException

from tests.support.cloud import Cloud

FIELDS = {"accountid", "userid", "cmd", "jobstatus", "jobprocstatus", "jobresultcode",
          "jobresulttype", "jobresult", "jobinstancetype", "jobinstanceid", "created",
          "completed", "jobid"}


def _finished(cloud: Cloud, job_id: str) -> dict[str, object]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        result = cloud.admin.queryAsyncJobResult(jobid=job_id)
        if result["jobstatus"] != 0:
            return result
        time.sleep(0.1)
    raise AssertionError("job did not finish")


def test_succeeded_job_fields(cloud: Cloud) -> None:
    member = cloud.new_account()
    user_id = member.account["user"][0]["id"]
    job = cloud.admin.disableUser(id=user_id)
    result = _finished(cloud, job["jobid"])
    assert set(result) == FIELDS
    assert result["jobstatus"] == 1 and result["jobresultcode"] == 0
    assert result["cmd"] == "disableUser" and result["jobresulttype"] == "object"
    assert result["jobinstancetype"] == "User" and result["jobinstanceid"] == user_id
    assert result["jobresult"]["user"]["state"] == "disabled"  # type: ignore[index]
    admin = cloud.admin.listAccounts(name="admin")["account"][0]
    assert result["accountid"] == admin["id"]


def test_failed_job_fields(cloud: Cloud) -> None:
    job = cloud.admin.testFailingJob(what="the thing")
    result = _finished(cloud, job["jobid"])
    assert set(result) == FIELDS
    assert result["jobstatus"] == 2 and result["jobresultcode"] == 536
    assert result["jobresult"] == {"errorcode": 536, "errortext": "the thing is in use"}


def test_list_async_jobs_and_unknown_id(cloud: Cloud) -> None:
    member = cloud.new_account(accounttype=2)
    api = cloud.as_user(member)
    job = api.disableUser(id=api.createUser(
        account=member.username, domainid=member.account["domainid"], email="e@x.y",
        firstname="f", lastname="l", password="p",
        username=f"{member.username}-2")["user"]["id"])
    _finished(cloud, job["jobid"])
    listed = api.listAsyncJobs()
    assert [j["jobid"] for j in listed["asyncjobs"]] == [job["jobid"]]
    with pytest.raises(CloudStackApiException) as caught:
        api.queryAsyncJobResult(jobid="00000000-0000-4000-8000-000000000000")
    assert caught.value.response.status_code == 431
