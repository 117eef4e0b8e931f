"""Recurring snapshot policies (seed §7.9.1, §7.9.3) on a live test cloud, driven by a fake
clock: `run_due(db, now)` is called with times stepping through the hours, and the jobs it
queues run in the server's workers. A policy keeps exactly maxsnaps snapshots, and skips a
volume that stayed inactive since a snapshot was taken after it became inactive."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from cs import CloudStack, CloudStackApiException
from sqlalchemy import select

from appliance.db import Database
from appliance.models import SnapshotPolicy
from appliance.models.base import utcnow
from appliance.services.storage.snapshot_policies import run_due
from tests.support import datacenter, sim_storage
from tests.support.cloud import Cloud, Credentials
from tests.support.waiting import eventually

HOUR = timedelta(hours=1)


def error_of(call: Any, **kwargs: Any) -> tuple[int, str]:
    with pytest.raises(CloudStackApiException) as caught:
        call(**kwargs)
    return int(caught.value.response.status_code), str(caught.value.error["errortext"])


@pytest.fixture(scope="module")
def db(cloud: Cloud) -> Iterator[Database]:
    """The test server's database, for the runner this test drives itself."""
    database = Database(cloud.server.database_url)
    yield database
    database.dispose()


@pytest.fixture(scope="module")
def tenant(cloud: Cloud, dc: dict[str, str]) -> tuple[Credentials, CloudStack, dict[str, Any]]:
    owner = cloud.new_account(prefix="policy")
    user = cloud.as_user(owner)
    vm: dict[str, Any] = user.deployVirtualMachine(
        fetch_result=True, zoneid=dc[datacenter.ZONE], serviceofferingid=dc[datacenter.OFFERING],
        templateid=dc[datacenter.TEMPLATE], diskofferingid=dc[datacenter.DISK_OFFERING],
        name="policyvm")["virtualmachine"]
    return owner, user, vm


def _next_run(db: Database, policy_id: str) -> datetime:
    with db.session(write=False) as session:
        value = session.scalar(select(SnapshotPolicy.next_run)
                               .where(SnapshotPolicy.id == policy_id))
        assert value is not None
        return value


def _run(cloud: Cloud, db: Database, now: datetime) -> list[str]:
    """One round of the runner at `now`; waits for the jobs it queued to succeed."""
    jobs = run_due(db, now)
    for job_id in jobs:
        def finished(job_id: str = job_id) -> dict[str, Any] | None:
            result: dict[str, Any] = cloud.admin.queryAsyncJobResult(jobid=job_id)
            return result if result["jobstatus"] != 0 else None

        result = eventually(finished, 60, f"snapshot job {job_id}", interval=0.1)
        assert result["jobstatus"] == 1, result
    return jobs


def _policy_snapshots(user: CloudStack, volume_id: str) -> list[str]:
    """Ids of the volume's hourly snapshots, newest first."""
    listed = user.listSnapshots(volumeid=volume_id, intervaltype="HOURLY")
    return [s["id"] for s in listed.get("snapshot", [])]


def test_policy_keeps_maxsnaps_and_skips_inactive_volumes(
        cloud: Cloud, db: Database, tenant: tuple[Credentials, CloudStack, dict[str, Any]]
) -> None:
    _, user, vm = tenant
    data = sim_storage.volumes_of(cloud, vm["id"])["DATADISK"]
    # Due half an hour from now: the server's own runner (real clock) stays out of it.
    kolkata = ZoneInfo("Asia/Kolkata")  # UTC+05:30: its minutes are not UTC's
    minute = (utcnow() + timedelta(minutes=30)).astimezone(kolkata).minute
    policy = user.createSnapshotPolicy(volumeid=data["id"], intervaltype="HOURLY",
                                       schedule=str(minute), timezone="Asia/Kolkata",
                                       maxsnaps=3)["snapshotpolicy"]
    assert (policy["intervaltype"], policy["maxsnaps"], policy["schedule"],
            policy["timezone"]) == (0, 3, str(minute), "Asia/Kolkata")
    first_due = _next_run(db, policy["id"])
    assert timedelta(minutes=28) < first_due - utcnow() <= timedelta(minutes=31)
    assert first_due.astimezone(kolkata).minute == minute
    assert run_due(db, first_due - timedelta(minutes=1)) == []  # not due yet

    taken: list[str] = []
    for hour in range(5):
        now = first_due + hour * HOUR + timedelta(seconds=20)
        jobs = _run(cloud, db, now)
        assert len(jobs) == 1
        taken.append(cloud.admin.queryAsyncJobResult(jobid=jobs[0])["jobresult"]["snapshot"]
                     ["id"])
        assert _policy_snapshots(user, data["id"]) == taken[::-1][:3]  # the newest, at most 3
        assert _next_run(db, policy["id"]) == first_due + (hour + 1) * HOUR
    assert run_due(db, now) == []  # that hour's run is done
    snapshot = user.listSnapshots(id=taken[-1])["snapshot"][0]
    assert (snapshot["snapshottype"], snapshot["intervaltype"]) == ("HOURLY", "HOURLY")
    manual = user.createSnapshot(volumeid=data["id"], fetch_result=True)["snapshot"]

    # Inactive: the VM stops. One snapshot is still taken (none since it became
    # inactive), then the volume is skipped while it stays so.
    user.stopVirtualMachine(id=vm["id"], fetch_result=True)
    now += HOUR
    assert len(_run(cloud, db, now)) == 1
    after_stop = _policy_snapshots(user, data["id"])
    assert len(after_stop) == 3 and after_stop[1:] == taken[::-1][:2]
    for _ in range(3):
        now += HOUR
        assert _run(cloud, db, now) == []
    assert _policy_snapshots(user, data["id"]) == after_stop
    assert _next_run(db, policy["id"]) == now.replace(second=0) + HOUR
    # A manual snapshot is always taken (seed §7.9.3), inactive volume or not.
    offline = user.createSnapshot(volumeid=data["id"], fetch_result=True)["snapshot"]
    assert offline["state"] == "BackedUp" and offline["snapshottype"] == "MANUAL"

    # Active again: taken every hour, still three kept; the manual one is never counted.
    user.startVirtualMachine(id=vm["id"], fetch_result=True)
    now += HOUR
    assert len(_run(cloud, db, now)) == 1
    kept = _policy_snapshots(user, data["id"])
    assert len(kept) == 3 and kept[1:] == after_stop[:2]
    assert user.listSnapshots(id=manual["id"])["snapshot"][0]["snapshottype"] == "MANUAL"
    events = cloud.admin.listEvents(type="SNAPSHOT.DELETE", listall=True)["event"]
    assert sum(taken[0] in e["description"] for e in events) == 1


def test_a_detached_volume_is_snapshotted_once_then_skipped(
        cloud: Cloud, dc: dict[str, str], db: Database,
        tenant: tuple[Credentials, CloudStack, dict[str, Any]]) -> None:
    _, user, vm = tenant
    data = user.createVolume(fetch_result=True, name="extra", zoneid=vm["zoneid"],
                             diskofferingid=dc[datacenter.DISK_OFFERING])["volume"]
    user.attachVolume(id=data["id"], virtualmachineid=vm["id"], fetch_result=True)
    policy = user.createSnapshotPolicy(volumeid=data["id"], intervaltype="HOURLY",
                                       schedule=str((utcnow().minute + 30) % 60),
                                       timezone="Etc/UTC", maxsnaps=3)["snapshotpolicy"]
    due = _next_run(db, policy["id"])
    assert len(_run(cloud, db, due)) == 1
    user.detachVolume(id=data["id"], fetch_result=True)
    due += HOUR
    assert len(_run(cloud, db, due)) == 1  # none was taken since it was detached
    kept = _policy_snapshots(user, data["id"])
    assert len(kept) == 2
    assert _run(cloud, db, due + HOUR) == [] and _run(cloud, db, due + 2 * HOUR) == []
    assert _policy_snapshots(user, data["id"]) == kept
    user.attachVolume(id=data["id"], virtualmachineid=vm["id"], fetch_result=True)
    assert len(_run(cloud, db, due + 3 * HOUR)) == 1
    assert _policy_snapshots(user, data["id"])[1:] == kept


def test_one_policy_per_interval_type(
        cloud: Cloud, db: Database, tenant: tuple[Credentials, CloudStack, dict[str, Any]]
) -> None:
    _, user, vm = tenant
    root = sim_storage.volumes_of(cloud, vm["id"])["ROOT"]
    daily = user.createSnapshotPolicy(volumeid=root["id"], intervaltype="daily",
                                      schedule="30:2", timezone="America/New_York",
                                      maxsnaps=2)["snapshotpolicy"]
    changed = user.createSnapshotPolicy(volumeid=root["id"], intervaltype="DAILY",
                                        schedule="15:4", timezone="UTC",
                                        maxsnaps=5)["snapshotpolicy"]
    assert changed["id"] == daily["id"]
    assert (changed["schedule"], changed["timezone"], changed["maxsnaps"],
            changed["intervaltype"]) == ("15:4", "UTC", 5, 1)
    due = _next_run(db, daily["id"])
    assert (due.hour, due.minute) == (4, 15) and due > utcnow()
    weekly = user.createSnapshotPolicy(volumeid=root["id"], intervaltype="WEEKLY",
                                       schedule="0:3:1", timezone="Etc/UTC",
                                       maxsnaps=1)["snapshotpolicy"]
    monthly = user.createSnapshotPolicy(volumeid=root["id"], intervaltype="MONTHLY",
                                        schedule="0:3:28", timezone="Etc/UTC",
                                        maxsnaps=1)["snapshotpolicy"]
    assert _next_run(db, weekly["id"]).isoweekday() == 7  # day 1 is Sunday
    assert _next_run(db, monthly["id"]).day == 28
    listed = user.listSnapshotPolicies(volumeid=root["id"])
    assert listed["count"] == 3
    assert sorted(p["intervaltype"] for p in listed["snapshotpolicy"]) == [1, 2, 3]

    user.deleteSnapshotPolicies(id=daily["id"])
    user.deleteSnapshotPolicies(ids=f"{weekly['id']},{monthly['id']}")
    assert user.listSnapshotPolicies(volumeid=root["id"]) == {}
    kinds = {e["type"] for e in user.listEvents()["event"]}
    assert {"SNAPSHOTPOLICY.CREATE", "SNAPSHOTPOLICY.DELETE"} <= kinds


def test_bad_policies(cloud: Cloud, dc: dict[str, str],
                      tenant: tuple[Credentials, CloudStack, dict[str, Any]]) -> None:
    owner, user, vm = tenant
    root = sim_storage.volumes_of(cloud, vm["id"])["ROOT"]
    good = {"volumeid": root["id"], "intervaltype": "HOURLY", "schedule": "5",
            "timezone": "Etc/UTC", "maxsnaps": 2}
    for bad, text in (({"maxsnaps": 9}, "snapshot.max.hourly"), ({"maxsnaps": 0}, "maxsnaps"),
                      ({"schedule": "61"}, "'61'"), ({"schedule": "5:1"}, "'5:1'"),
                      ({"intervaltype": "YEARLY"}, "YEARLY"),
                      ({"timezone": "Mars/Olympus"}, "Mars/Olympus"),
                      ({"volumeid": str(uuid.uuid4())}, "volume")):
        code, message = error_of(user.createSnapshotPolicy, **{**good, **bad})
        assert code == 431 and text in message, (bad, message)
    cloud.admin.updateConfiguration(name="snapshot.max.hourly", value="10")
    try:
        user.createSnapshotPolicy(**{**good, "maxsnaps": 9})  # the cap is live
    finally:
        cloud.admin.updateConfiguration(name="snapshot.max.hourly", value="")
    domain = owner.account["domainid"]
    cloud.admin.updateResourceLimit(resourcetype=3, max=4, account=owner.username,
                                    domainid=domain)
    try:
        code, message = error_of(user.createSnapshotPolicy, **{**good, "maxsnaps": 5})
        assert code == 431 and "limit 4" in message
    finally:
        cloud.admin.updateResourceLimit(resourcetype=3, max=-1, account=owner.username,
                                        domainid=domain)

    stopped: dict[str, Any] = user.deployVirtualMachine(
        fetch_result=True, zoneid=dc[datacenter.ZONE], serviceofferingid=dc[datacenter.OFFERING],
        templateid=dc[datacenter.TEMPLATE], startvm=False)["virtualmachine"]
    unborn = sim_storage.volumes_of(cloud, stopped["id"])["ROOT"]
    code, message = error_of(user.createSnapshotPolicy, **{**good, "volumeid": unborn["id"]})
    assert code == 431 and "has not been created yet" in message

    other = cloud.as_user(cloud.new_account())
    assert error_of(other.createSnapshotPolicy, **good)[0] == 531
    assert error_of(other.listSnapshotPolicies, volumeid=root["id"])[0] == 531
    mine = user.listSnapshotPolicies(volumeid=root["id"])["snapshotpolicy"][0]
    assert error_of(other.deleteSnapshotPolicies, id=mine["id"])[0] == 531
    assert error_of(user.deleteSnapshotPolicies)[0] == 431
    assert user.listSnapshotPolicies(id=mine["id"])["count"] == 1
    user.deleteSnapshotPolicies(id=mine["id"])
