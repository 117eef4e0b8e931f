"""The garbage collector of volumes (seed §7.5.3): deleted volumes are removed from their
pool after expunge.delay, checked every expunge.interval, a failure is retried at the
next run; data volumes outlive the VM they were attached to."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import pytest
from cs import CloudStack

from tests.support import volumes as v
from tests.support.cloud import Cloud, Credentials
from tests.support.waiting import eventually


@pytest.fixture(scope="module")
def ids(cloud: Cloud) -> dict[str, str]:
    return v.build(cloud)


@pytest.fixture(scope="module")
def owner(cloud: Cloud) -> Credentials:
    return cloud.new_account(prefix="gc")


@pytest.fixture(scope="module")
def user(cloud: Cloud, owner: Credentials) -> CloudStack:
    return cloud.as_user(owner)


@pytest.fixture
def collecting(cloud: Cloud) -> Iterator[None]:
    """The collector runs every second and removes what was deleted a second ago."""
    cloud.admin.updateConfiguration(name="expunge.interval", value="1")
    cloud.admin.updateConfiguration(name="expunge.delay", value="1")
    yield
    cloud.admin.updateConfiguration(name="expunge.delay", value="86400")
    cloud.admin.updateConfiguration(name="expunge.interval", value="86400")


def _made(api: CloudStack, ids: dict[str, str], vm: dict[str, Any]) -> dict[str, Any]:
    """A data volume whose disk exists (attached once to `vm`, then detached)."""
    volume: dict[str, Any] = api.createVolume(zoneid=ids[v.ZONE], diskofferingid=ids[v.SMALL],
                                              fetch_result=True)["volume"]
    api.attachVolume(id=volume["id"], virtualmachineid=vm["id"], fetch_result=True)
    api.detachVolume(id=volume["id"], fetch_result=True)
    return volume


def _expunged(cloud: Cloud, volume_id: str) -> bool:
    return cloud.admin.listVolumes(id=volume_id, listall=True) == {}


def _allocated(cloud: Cloud, pool_id: str) -> int:
    pool = cloud.admin.listStoragePools(id=pool_id)["storagepool"][0]
    allocated: int = pool["disksizeallocated"]
    return allocated


def test_deleted_volumes_are_removed_after_the_delay(
        cloud: Cloud, ids: dict[str, str], owner: Credentials, user: CloudStack) -> None:
    vm = v.deploy(cloud, ids, owner, cluster=1)
    made = _made(user, ids, vm)
    pool = str(v.pool_of(cloud, made["id"]))
    path = v.volume_file(cloud, pool, made["id"])
    allocated = _allocated(cloud, pool)
    never_made = user.createVolume(zoneid=ids[v.ZONE], diskofferingid=ids[v.SMALL],
                                   fetch_result=True)["volume"]
    user.deleteVolume(id=made["id"])
    user.deleteVolume(id=never_made["id"])
    cloud.admin.updateConfiguration(name="expunge.interval", value="1")
    try:
        time.sleep(3)  # the default delay is a day: the collector leaves them alone
        assert v.volume(cloud.admin, made["id"])["state"] == "Destroy"
        assert os.path.exists(path)
        cloud.admin.updateConfiguration(name="expunge.delay", value="1")
        eventually(lambda: _expunged(cloud, made["id"]) and _expunged(cloud, never_made["id"]),
                   30, "the deleted volumes to be expunged")
    finally:
        cloud.admin.updateConfiguration(name="expunge.delay", value="86400")
        cloud.admin.updateConfiguration(name="expunge.interval", value="86400")
    assert not os.path.exists(path)
    assert _allocated(cloud, pool) == allocated - v.GIB


def test_a_failed_removal_is_retried(cloud: Cloud, ids: dict[str, str], owner: Credentials,
                                     user: CloudStack, collecting: None) -> None:
    vm = v.deploy(cloud, ids, owner, cluster=2)
    made = _made(user, ids, vm)
    path = v.volume_file(cloud, str(v.pool_of(cloud, made["id"])), made["id"])
    cloud.admin.configureSimulatorFault(hostid=ids[v.HOSTS[1]], operation="delete_volume",
                                        action="fail", count=1, message="pool is busy")
    user.deleteVolume(id=made["id"])
    eventually(lambda: _expunged(cloud, made["id"]), 30, "the volume to be expunged")
    assert not os.path.exists(path)
    log = cloud.server.log()
    assert f"expunging volume {made['id']} failed; retried at the next run" in log
    assert "pool is busy" in log


def test_data_volumes_outlive_their_vm(cloud: Cloud, ids: dict[str, str],
                                       owner: Credentials, user: CloudStack) -> None:
    vm = v.deploy(cloud, ids, owner, cluster=1)
    volume = user.createVolume(zoneid=ids[v.ZONE], diskofferingid=ids[v.SMALL],
                               fetch_result=True)["volume"]
    user.attachVolume(id=volume["id"], virtualmachineid=vm["id"], fetch_result=True)
    pool = str(v.pool_of(cloud, volume["id"]))
    root = user.listVolumes(virtualmachineid=vm["id"], type="ROOT")["volume"][0]
    cloud.admin.destroyVirtualMachine(id=vm["id"], expunge=True, fetch_result=True)
    kept = v.volume(user, volume["id"])
    assert kept["state"] == "Ready" and "virtualmachineid" not in kept
    assert os.path.exists(v.volume_file(cloud, pool, volume["id"]))
    assert user.listVolumes(id=root["id"]) == {}  # the root volume went with its VM
    other = v.deploy(cloud, ids, owner, cluster=1)
    again = user.attachVolume(id=volume["id"], virtualmachineid=other["id"],
                              fetch_result=True)["volume"]
    assert again["virtualmachineid"] == other["id"]
