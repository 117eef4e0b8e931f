"""Restoring a snapshot into a new volume (seed §7.9.4): createVolume from a snapshot (a full
one or an incremental delta), attached to a running VM, holds the data of the volume at the
moment of the snapshot."""

from __future__ import annotations

import os
from typing import Any

from cs import CloudStack

from tests.support import datacenter, sim_storage
from tests.support.cloud import Cloud

MIB = 1024**2


def _deploy(user: CloudStack, dc: dict[str, str], **extra: Any) -> dict[str, Any]:
    vm: dict[str, Any] = user.deployVirtualMachine(
        fetch_result=True, zoneid=dc[datacenter.ZONE], serviceofferingid=dc[datacenter.OFFERING],
        templateid=dc[datacenter.TEMPLATE], **extra)["virtualmachine"]
    return vm


def test_volumes_restored_from_snapshots_hold_the_data(cloud: Cloud, dc: dict[str, str]) -> None:
    owner = cloud.new_account(prefix="restore")
    user = cloud.as_user(owner)
    source = _deploy(user, dc, diskofferingid=dc[datacenter.DISK_OFFERING])
    data = sim_storage.volumes_of(cloud, source["id"])["DATADISK"]
    first, second, later = (os.urandom(256 * 1024) for _ in range(3))
    sim_storage.write(cloud, data, 5 * MIB, first)
    full = user.createSnapshot(volumeid=data["id"], fetch_result=True)["snapshot"]
    sim_storage.write(cloud, data, 30 * MIB, second)
    delta = user.createSnapshot(volumeid=data["id"], fetch_result=True)["snapshot"]
    assert sim_storage.snapshot_row(cloud, delta["id"])["parent_id"] == full["id"]
    sim_storage.write(cloud, data, 5 * MIB, later)  # after both snapshots

    target = _deploy(user, dc)
    for snapshot, expected in ((full, {5 * MIB: first, 30 * MIB: bytes(len(second))}),
                               (delta, {5 * MIB: first, 30 * MIB: second})):
        volume = user.createVolume(fetch_result=True, name=f"restored-{snapshot['id'][:8]}",
                                   snapshotid=snapshot["id"])["volume"]
        attached = user.attachVolume(fetch_result=True, id=volume["id"],
                                     virtualmachineid=target["id"])["volume"]
        assert attached["virtualmachineid"] == target["id"]
        row = sim_storage.volume_row(cloud, volume["id"])
        assert row["size"] == data["size"] and row["snapshot_id"] == snapshot["id"]
        for offset, content in expected.items():
            assert sim_storage.read(cloud, row, offset, len(content)) == content
    assert cloud.admin.listVirtualMachines(id=target["id"], listall=True)[
        "virtualmachine"][0]["state"] == "Running"
    # The restored volumes are copies: the snapshots and their source are untouched.
    assert sim_storage.read(cloud, data, 5 * MIB, len(later)) == later
    assert {s["id"] for s in user.listSnapshots(volumeid=data["id"])["snapshot"]} == {
        full["id"], delta["id"]}
