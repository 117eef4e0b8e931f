"""The event log (seed §15.1): standard and job events, filters, tenancy, event types."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cs import CloudStackApiException

from tests.support.cloud import Cloud

SEED = Path("/work/shared/seed/000_6fb7ee17d5444388.txt")


def test_sync_success_and_failure_events(cloud: Cloud) -> None:
    domain = cloud.new_domain()
    created = cloud.admin.listEvents(type="DOMAIN.CREATE", keyword=domain["name"])["event"]
    assert [(e["level"], e["state"]) for e in created] == [("INFO", "Completed")]
    with pytest.raises(CloudStackApiException):
        cloud.admin.createDomain(name=domain["name"])
    failed = cloud.admin.listEvents(type="DOMAIN.CREATE", level="ERROR",
                                    keyword=domain["name"])["event"]
    assert len(failed) == 1 and "already exists" in failed[0]["description"]


def test_async_job_events_are_linked(cloud: Cloud) -> None:
    doomed = cloud.new_account()
    cloud.admin.deleteAccount(id=doomed.account["id"], fetch_result=True)
    events = cloud.admin.listEvents(type="ACCOUNT.DELETE", keyword=doomed.account["id"])
    by_state = {e["state"]: e for e in events["event"]}
    assert set(by_state) == {"Scheduled", "Started", "Completed"}
    scheduled = by_state["Scheduled"]
    assert by_state["Started"]["parentid"] == scheduled["id"]
    assert by_state["Completed"]["parentid"] == scheduled["id"]
    assert by_state["Completed"]["level"] == "INFO"


def test_filters_dates_paging_and_tenancy(cloud: Cloud) -> None:
    domain = cloud.new_domain()
    sub = cloud.new_domain(domain["id"])
    member = cloud.new_account(domainid=sub["id"])
    api = cloud.as_user(member)
    user_id = member.account["user"][0]["id"]
    for index in range(3):
        api.updateUser(id=user_id, firstname=f"n{index}")
    mine = api.listEvents()
    assert mine["count"] == 3 and {e["account"] for e in mine["event"]} == {member.username}
    assert api.listEvents(page=2, pagesize=2)["count"] == 3
    assert len(api.listEvents(page=2, pagesize=2)["event"]) == 1
    by_account = cloud.admin.listEvents(account=member.username, domainid=sub["id"])
    assert by_account["count"] == 3
    assert cloud.admin.listEvents(domainid=domain["id"]) == {}
    assert cloud.admin.listEvents(domainid=domain["id"], isrecursive=True)["count"] == 3
    today = datetime.now(UTC)
    assert api.listEvents(startdate=today.strftime("%Y-%m-%d"))["count"] == 3
    later = (today + timedelta(days=1)).strftime("%Y-%m-%d")
    assert api.listEvents(startdate=later) == {}
    earlier = (today - timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S")
    assert api.listEvents(enddate=earlier) == {}
    assert api.listEvents(enddate=today.strftime("%Y-%m-%d"))["count"] == 3
    assert api.listEvents(type="USER.UPDATE", level="INFO")["count"] == 3
    with pytest.raises(CloudStackApiException) as caught:
        api.listEvents(level="LOUD")
    assert caught.value.response.status_code == 431


def test_event_types_cover_the_seed_list(cloud: Cloud) -> None:
    listed = {e["name"] for e in cloud.admin.listEventTypes()["eventtype"]}
    text = SEED.read_text() if SEED.exists() else ""
    start = text.find("The following is the full list of event types.")
    seed_types = set(re.findall(r"^([A-Z]+(?:\.[A-Z]+)+)\s*$", text[start:start + 4000],
                                re.MULTILINE)) if start >= 0 else set()
    required = seed_types or {"VM.CREATE", "USER.LOGIN", "SSVM.HA"}
    assert len(required) > 100 or not seed_types
    assert required <= listed
