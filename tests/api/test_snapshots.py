"""Manual snapshots through the API on simulated hosts (seed §7.9): taken while the VM runs,
kept on secondary storage as incremental qcow2 chains, listed, deleted without breaking
later ones; limits, tenancy, failures and a secondary storage outage leave nothing behind."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from cs import CloudStack, CloudStackApiException

from appliance.services.storage import images
from tests.support import datacenter, sim_storage
from tests.support.cloud import Cloud, Credentials
from tests.support.waiting import eventually

MIB = 1024**2
MARKER = ".cirrus-image-store"


def error_of(call: Any, **kwargs: Any) -> tuple[int, str]:
    """The error code and text of a call that fails, in the request or in its job."""
    with pytest.raises(CloudStackApiException) as caught:
        call(fetch_result=True, **kwargs)
    error = caught.value.error
    if isinstance(error, dict) and "errorcode" in error:
        return int(error["errorcode"]), str(error["errortext"])
    return int(caught.value.response.status_code), str(caught.value.error)


def _deploy(user: CloudStack, dc: dict[str, str], **extra: Any) -> dict[str, Any]:
    vm: dict[str, Any] = user.deployVirtualMachine(
        fetch_result=True, zoneid=dc[datacenter.ZONE], serviceofferingid=dc[datacenter.OFFERING],
        templateid=dc[datacenter.TEMPLATE], **extra)["virtualmachine"]
    return vm


def _snapshot(user: CloudStack, volume_id: str, **extra: Any) -> dict[str, Any]:
    snap: dict[str, Any] = user.createSnapshot(fetch_result=True, volumeid=volume_id,
                                               **extra)["snapshot"]
    return snap


def _file(cloud: Cloud, snapshot_id: str) -> str:
    row = sim_storage.snapshot_row(cloud, snapshot_id)
    assert row["install_path"], f"snapshot {snapshot_id} has no file"
    return os.path.join(sim_storage.secondary_dir(cloud), row["install_path"])


def _admin_view(cloud: Cloud, vm: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = cloud.admin.listVirtualMachines(id=vm["id"], listall=True)[
        "virtualmachine"][0]
    return found


def _finished(user: CloudStack, job_id: str) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        result: dict[str, Any] = user.queryAsyncJobResult(jobid=job_id)
        return result if result["jobstatus"] != 0 else None

    finished: dict[str, Any] = eventually(done, 60, f"job {job_id}", interval=0.1)
    return finished


def _snapshot_total(cloud: Cloud, owner: Credentials) -> int:
    account = cloud.admin.listAccounts(id=owner.account["id"])["account"][0]
    return int(account["snapshottotal"])


@pytest.fixture(scope="module")
def tenant(cloud: Cloud, dc: dict[str, str]) -> tuple[Credentials, CloudStack, dict[str, Any]]:
    """An account with a running VM that has a data disk."""
    owner = cloud.new_account(prefix="snap")
    user = cloud.as_user(owner)
    vm = _deploy(user, dc, diskofferingid=dc[datacenter.DISK_OFFERING], name="snapvm")
    return owner, user, vm


@pytest.fixture
def store_outage(cloud: Cloud) -> Iterator[str]:
    """Secondary storage unreachable (its marker gone, as an NFS mount that dropped)."""
    marker = os.path.join(sim_storage.secondary_dir(cloud), MARKER)
    hidden = f"{marker}.away"
    os.rename(marker, hidden)
    try:
        yield marker
    finally:
        if os.path.exists(hidden):
            os.rename(hidden, marker)


def test_snapshots_of_a_running_vm_form_an_incremental_chain(
        cloud: Cloud, tenant: tuple[Credentials, CloudStack, dict[str, Any]]) -> None:
    owner, user, vm = tenant
    volumes = sim_storage.volumes_of(cloud, vm["id"])
    data = volumes["DATADISK"]
    first_bytes, second_bytes = os.urandom(256 * 1024), os.urandom(64 * 1024)
    sim_storage.write(cloud, data, 3 * MIB, first_bytes)

    first = _snapshot(user, data["id"])
    assert first["state"] == "BackedUp" and first["volumeid"] == data["id"]
    assert (first["snapshottype"], first["intervaltype"]) == ("MANUAL", "MANUAL")
    assert first["volumetype"] == "DATADISK" and first["volumename"] == data["name"]
    assert first["account"] == owner.username and first["zoneid"] == vm["zoneid"]
    assert first["virtualsize"] == data["size"] and first["physicalsize"] > len(first_bytes)
    assert first["name"].startswith(f"snapvm_{data['name']}_")
    assert sim_storage.image_bytes(_file(cloud, first["id"]), 3 * MIB,
                                   len(first_bytes)) == first_bytes

    sim_storage.write(cloud, data, 40 * MIB, second_bytes)
    second = _snapshot(user, data["id"], name="after-second-write")
    assert second["name"] == "after-second-write"
    row = sim_storage.snapshot_row(cloud, second["id"])
    assert (row["parent_id"], row["full"]) == (first["id"], False)
    # The delta holds the changed clusters, not the first 256 KiB again.
    assert second["physicalsize"] < first["physicalsize"]
    second_file = _file(cloud, second["id"])
    assert images.info(second_file).backing == os.path.basename(_file(cloud, first["id"]))
    assert sim_storage.image_bytes(second_file, 3 * MIB, len(first_bytes)) == first_bytes
    assert sim_storage.image_bytes(second_file, 40 * MIB, len(second_bytes)) == second_bytes

    root = _snapshot(user, volumes["ROOT"]["id"])  # the root disk, while the VM runs
    assert root["volumetype"] == "ROOT" and root["state"] == "BackedUp"
    assert _admin_view(cloud, vm)["state"] == "Running"

    listed = user.listSnapshots(volumeid=data["id"])
    assert listed["count"] == 2
    assert [s["id"] for s in listed["snapshot"]] == [second["id"], first["id"]]
    assert user.listSnapshots(snapshottype="MANUAL")["count"] == 3
    assert user.listSnapshots(intervaltype="HOURLY") == {}
    assert user.listSnapshots(name="after-second-write")["snapshot"][0]["id"] == second["id"]
    assert user.listSnapshots(keyword="second-write")["count"] == 1
    page = user.listSnapshots(page=2, pagesize=2)
    assert page["count"] == 3 and len(page["snapshot"]) == 1
    assert user.listSnapshots(id=first["id"])["snapshot"][0]["physicalsize"] == \
        first["physicalsize"]
    assert cloud.admin.listSnapshots(volumeid=data["id"]) == {}  # admins: their own...
    assert cloud.admin.listSnapshots(volumeid=data["id"], listall=True)["count"] == 2

    # Deleting the full snapshot the delta builds on keeps the delta readable.
    user.deleteSnapshot(id=first["id"], fetch_result=True)
    assert not os.path.exists(os.path.join(os.path.dirname(second_file),
                                           f"{first['id']}.qcow2"))
    row = sim_storage.snapshot_row(cloud, second["id"])
    assert (row["parent_id"], row["full"]) == (None, True)
    assert images.info(second_file).backing is None
    assert sim_storage.image_bytes(second_file, 3 * MIB, len(first_bytes)) == first_bytes
    assert sim_storage.image_bytes(second_file, 40 * MIB, len(second_bytes)) == second_bytes
    assert [s["id"] for s in user.listSnapshots(volumeid=data["id"])["snapshot"]] == \
        [second["id"]]
    assert error_of(user.listSnapshots, id=first["id"])[0] == 431
    assert _snapshot_total(cloud, owner) == 2

    kinds = {(e["type"], e["state"]) for e in user.listEvents()["event"]}
    assert {("SNAPSHOT.CREATE", "Completed"), ("SNAPSHOT.DELETE", "Completed")} <= kinds


def test_deleting_a_middle_snapshot_rebases_the_next_one(
        cloud: Cloud, tenant: tuple[Credentials, CloudStack, dict[str, Any]]) -> None:
    _, user, vm = tenant
    data = sim_storage.volumes_of(cloud, vm["id"])["DATADISK"]
    chain, contents = [], []
    for step in range(3):
        content = os.urandom(128 * 1024)
        sim_storage.write(cloud, data, (60 + step) * MIB, content)
        contents.append(content)
        chain.append(_snapshot(user, data["id"]))
    middle, last = chain[1], chain[2]
    assert sim_storage.snapshot_row(cloud, last["id"])["parent_id"] == middle["id"]
    user.deleteSnapshot(id=middle["id"], fetch_result=True)
    row = sim_storage.snapshot_row(cloud, last["id"])
    assert (row["parent_id"], row["full"]) == (chain[0]["id"], False)
    last_file = _file(cloud, last["id"])
    assert images.info(last_file).backing == f"{chain[0]['id']}.qcow2"
    for step, content in enumerate(contents):
        assert sim_storage.image_bytes(last_file, (60 + step) * MIB, len(content)) == content


def test_concurrent_snapshots_and_a_delete_keep_the_chain_whole(
        cloud: Cloud, tenant: tuple[Credentials, CloudStack, dict[str, Any]]) -> None:
    _, user, vm = tenant
    data = sim_storage.volumes_of(cloud, vm["id"])["DATADISK"]
    content = os.urandom(64 * 1024)
    sim_storage.write(cloud, data, 90 * MIB, content)
    base = _snapshot(user, data["id"])
    jobs = [user.createSnapshot(volumeid=data["id"]) for _ in range(3)]
    jobs.append(user.deleteSnapshot(id=base["id"]))
    for job in jobs:
        assert _finished(user, job["jobid"])["jobstatus"] == 1
    made = {job["id"] for job in jobs[:3]}
    listed = {s["id"]: s for s in user.listSnapshots(volumeid=data["id"])["snapshot"]}
    assert made <= set(listed) and base["id"] not in listed
    for snapshot_id in listed:
        row = sim_storage.snapshot_row(cloud, snapshot_id)
        assert row["state"] == "BackedUp"
        if row["parent_id"] is not None:
            assert row["parent_id"] in listed and not row["full"]
        if snapshot_id in made:
            assert sim_storage.image_bytes(_file(cloud, snapshot_id), 90 * MIB,
                                           len(content)) == content


def test_a_full_backup_after_delta_max_deltas(
        cloud: Cloud, tenant: tuple[Credentials, CloudStack, dict[str, Any]]) -> None:
    _, user, vm = tenant
    data = sim_storage.volumes_of(cloud, vm["id"])["DATADISK"]
    cloud.admin.updateConfiguration(name="snapshot.delta.max", value="2")
    try:
        rows = []
        for step in range(6):
            sim_storage.write(cloud, data, (100 + step) * MIB, os.urandom(4096))
            rows.append(sim_storage.snapshot_row(cloud, _snapshot(user, data["id"])["id"]))
        cloud.admin.updateConfiguration(name="snapshot.delta.max", value="0")
        rows.append(sim_storage.snapshot_row(cloud, _snapshot(user, data["id"])["id"]))
    finally:
        cloud.admin.updateConfiguration(name="snapshot.delta.max", value="")
    fulls = [row["full"] for row in rows]
    start = fulls.index(True)  # the chain before may be partway through its deltas
    assert fulls[start:6] == [True, False, False, True, False, False][:6 - start]
    assert fulls[6] is True and rows[6]["parent_id"] is None
    for before, after in zip(rows, rows[1:6], strict=False):
        assert after["parent_id"] == (None if after["full"] else before["id"])


def test_bad_input_tenancy_and_limits(cloud: Cloud, dc: dict[str, str],
                                      tenant: tuple[Credentials, CloudStack, dict[str, Any]]
                                      ) -> None:
    owner, user, vm = tenant
    data = sim_storage.volumes_of(cloud, vm["id"])["DATADISK"]
    other = cloud.as_user(cloud.new_account())
    assert error_of(other.createSnapshot, volumeid=data["id"])[0] == 531
    mine = _snapshot(user, data["id"])
    assert error_of(other.listSnapshots, id=mine["id"])[0] == 531
    assert error_of(other.deleteSnapshot, id=mine["id"])[0] == 531
    assert other.listSnapshots() == {}
    assert error_of(user.createSnapshot, volumeid=str(uuid.uuid4()))[0] == 431

    stopped = _deploy(user, dc, startvm=False)
    root = sim_storage.volumes_of(cloud, stopped["id"])["ROOT"]
    code, text = error_of(user.createSnapshot, volumeid=root["id"])
    assert code == 431 and "has not been created yet" in text

    total = _snapshot_total(cloud, owner)
    domain = owner.account["domainid"]
    cloud.admin.updateResourceLimit(resourcetype=3, max=total, account=owner.username,
                                    domainid=domain)
    try:
        code, text = error_of(user.createSnapshot, volumeid=data["id"])
        assert code == 532 and "snapshot" in text
        assert _snapshot_total(cloud, owner) == total
        user.deleteSnapshot(id=mine["id"], fetch_result=True)  # gives its place back
        again = _snapshot(user, data["id"])
        assert again["state"] == "BackedUp" and _snapshot_total(cloud, owner) == total
    finally:
        cloud.admin.updateResourceLimit(resourcetype=3, max=-1, account=owner.username,
                                        domainid=domain)


def test_a_failed_copy_leaves_nothing_behind(
        cloud: Cloud, tenant: tuple[Credentials, CloudStack, dict[str, Any]]) -> None:
    owner, user, vm = tenant
    data = sim_storage.volumes_of(cloud, vm["id"])["DATADISK"]
    instance = _admin_view(cloud, vm)["instancename"]
    before = {s["id"] for s in user.listSnapshots(volumeid=data["id"])["snapshot"]}
    total = _snapshot_total(cloud, owner)
    folder = os.path.dirname(_file(cloud, next(iter(before))))
    files = set(os.listdir(folder))
    cloud.admin.configureSimulatorFault(operation="export_volume", action="fail",
                                        instancename=instance, count=1,
                                        message="the disk went away")
    code, text = error_of(user.createSnapshot, volumeid=data["id"])
    assert code == 530 and "the disk went away" in text
    assert {s["id"] for s in user.listSnapshots(volumeid=data["id"])["snapshot"]} == before
    assert _snapshot_total(cloud, owner) == total and set(os.listdir(folder)) == files


def test_secondary_storage_outage(cloud: Cloud, store_outage: str,
                                  tenant: tuple[Credentials, CloudStack, dict[str, Any]]
                                  ) -> None:
    owner, user, vm = tenant
    data = sim_storage.volumes_of(cloud, vm["id"])["DATADISK"]
    kept = user.listSnapshots(volumeid=data["id"])["snapshot"]
    total = _snapshot_total(cloud, owner)
    code, text = error_of(user.createSnapshot, volumeid=data["id"])
    assert code == 534 and "tiny-secondary" in text
    code, _ = error_of(user.deleteSnapshot, id=kept[0]["id"])
    assert code == 534
    assert user.listSnapshots(volumeid=data["id"])["snapshot"] == kept
    assert _snapshot_total(cloud, owner) == total
    assert _admin_view(cloud, vm)["state"] == "Running"

    os.rename(f"{store_outage}.away", store_outage)  # the store is back
    back = _snapshot(user, data["id"])
    assert back["state"] == "BackedUp" and os.path.isfile(_file(cloud, back["id"]))
    user.deleteSnapshot(id=kept[0]["id"], fetch_result=True)
    assert error_of(user.listSnapshots, id=kept[0]["id"])[0] == 431


def test_store_lost_during_the_copy(
        cloud: Cloud, tenant: tuple[Credentials, CloudStack, dict[str, Any]]) -> None:
    owner, user, vm = tenant
    data = sim_storage.volumes_of(cloud, vm["id"])["DATADISK"]
    instance = _admin_view(cloud, vm)["instancename"]
    before = user.listSnapshots(volumeid=data["id"])["snapshot"]
    total = _snapshot_total(cloud, owner)
    marker = os.path.join(sim_storage.secondary_dir(cloud), MARKER)
    cloud.admin.configureSimulatorFault(operation="export_volume", action="hang", seconds=2,
                                        instancename=instance, count=1)
    job = user.createSnapshot(volumeid=data["id"])
    os.rename(marker, f"{marker}.away")
    try:
        result = _finished(user, job["jobid"])
        assert result["jobstatus"] == 2 and result["jobresult"]["errorcode"] == 534
    finally:
        os.rename(f"{marker}.away", marker)
    assert user.listSnapshots(volumeid=data["id"])["snapshot"] == before
    assert _snapshot_total(cloud, owner) == total
    assert not [name for name in os.listdir(os.path.dirname(_file(cloud, before[0]["id"])))
                if job["id"] in name]
