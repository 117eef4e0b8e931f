"""Data volumes through the API on the simulator (seed §7.5): created as rows, made on the
first attach nearest the VM, attached to running and stopped VMs, detached, resized and
deleted; bad input, other tenants, limits and concurrent attaches."""

from __future__ import annotations

import os
import threading
from typing import Any

import pytest
from cs import CloudStack

from tests.support import volumes as v
from tests.support.cloud import Cloud, Credentials
from tests.support.volumes import GIB


@pytest.fixture(scope="module")
def ids(cloud: Cloud) -> dict[str, str]:
    return v.build(cloud)


@pytest.fixture(scope="module")
def owner(cloud: Cloud) -> Credentials:
    return cloud.new_account(prefix="vol")


@pytest.fixture(scope="module")
def user(cloud: Cloud, owner: Credentials) -> CloudStack:
    return cloud.as_user(owner)


@pytest.fixture(scope="module")
def running(cloud: Cloud, ids: dict[str, str], owner: Credentials) -> dict[str, Any]:
    """A running VM of the owner on cluster 1."""
    return v.deploy(cloud, ids, owner, cluster=1)


def _create(api: CloudStack, ids: dict[str, str], offering: str = v.SMALL,
            **extra: Any) -> dict[str, Any]:
    created: dict[str, Any] = api.createVolume(
        zoneid=ids[v.ZONE], diskofferingid=ids[offering], fetch_result=True,
        **extra)["volume"]
    return created


def _attach(api: CloudStack, volume_id: str, vm_id: str, **extra: Any) -> dict[str, Any]:
    attached: dict[str, Any] = api.attachVolume(id=volume_id, virtualmachineid=vm_id,
                                                fetch_result=True, **extra)["volume"]
    return attached


def _detach(api: CloudStack, volume_id: str) -> dict[str, Any]:
    detached: dict[str, Any] = api.detachVolume(id=volume_id, fetch_result=True)["volume"]
    return detached


def test_create_list_and_delete(cloud: Cloud, ids: dict[str, str], owner: Credentials,
                                user: CloudStack, running: dict[str, Any]) -> None:
    before = cloud.admin.listAccounts(id=owner.account["id"])["account"][0]["volumetotal"]
    small = _create(user, ids, name="logs")
    assert (small["name"], small["type"], small["state"], small["size"]) == (
        "logs", "DATADISK", "Allocated", GIB)
    assert small["diskofferingid"] == ids[v.SMALL] and small["destroyed"] is False
    for absent in ("virtualmachineid", "attached", "deviceid", "storage", "hypervisor"):
        assert absent not in small  # nothing physical yet, and not attached
    custom = _create(user, ids, v.CUSTOM, size=3)
    assert custom["size"] == 3 * GIB
    account = cloud.admin.listAccounts(id=owner.account["id"])["account"][0]
    assert account["volumetotal"] == before + 2

    listed = {vol["id"]: vol for vol in user.listVolumes()["volume"]}
    assert {small["id"], custom["id"]} <= set(listed)
    roots = user.listVolumes(type="ROOT")["volume"]
    assert [r["virtualmachineid"] for r in roots] == [running["id"]]
    assert roots[0]["deviceid"] == 0 and roots[0]["state"] == "Ready"
    assert user.listVolumes(name="logs")["volume"][0]["id"] == small["id"]
    assert user.listVolumes(keyword="log")["count"] == 1
    assert user.listVolumes(virtualmachineid=running["id"])["count"] == 1
    assert user.listVolumes(pagesize=1, page=2)["count"] == len(listed)

    assert user.deleteVolume(id=small["id"]) == {"success": True}
    assert small["id"] not in {vol["id"] for vol in user.listVolumes()["volume"]}
    gone = v.volume(user, small["id"])
    assert (gone["state"], gone["destroyed"]) == ("Destroy", True)
    assert v.error(user.deleteVolume, id=small["id"])[0] == 431
    account = cloud.admin.listAccounts(id=owner.account["id"])["account"][0]
    assert account["volumetotal"] == before + 1
    types = {e["type"] for e in user.listEvents(pagesize=-1)["event"]}
    assert {"VOLUME.CREATE", "VOLUME.DELETE"} <= types


def test_bad_input(cloud: Cloud, ids: dict[str, str], owner: Credentials, user: CloudStack,
                   running: dict[str, Any]) -> None:
    zone = ids[v.ZONE]
    missing = "5a0e7a0e-0000-4000-8000-000000000000"
    assert v.error(user.createVolume, zoneid=zone, diskofferingid=ids[v.CUSTOM])[0] == 431
    assert v.error(user.createVolume, zoneid=zone, diskofferingid=ids[v.SMALL],
                   size=2)[0] == 431
    assert v.error(user.createVolume, zoneid=zone, diskofferingid=missing)[0] == 431
    assert v.error(user.createVolume, diskofferingid=ids[v.SMALL])[0] == 431
    assert v.error(user.createVolume, zoneid=zone)[0] == 431
    for call in (user.deleteVolume, user.detachVolume):
        assert v.error(call, id=missing)[0] == 431
    assert v.error(user.attachVolume, id=missing, virtualmachineid=running["id"])[0] == 431
    assert v.error(user.detachVolume)[0] == 431

    volume = _create(user, ids)
    root = user.listVolumes(type="ROOT", virtualmachineid=running["id"])["volume"][0]
    code, text = v.error(user.detachVolume, id=root["id"])
    assert code == 431 and "data volume" in text
    assert v.error(user.deleteVolume, id=root["id"])[0] == 431
    assert v.error(user.attachVolume, id=root["id"], virtualmachineid=running["id"])[0] == 431
    assert v.error(user.detachVolume, id=volume["id"])[0] == 431  # not attached
    for device in (0, 3):
        assert v.error(user.attachVolume, id=volume["id"], virtualmachineid=running["id"],
                       deviceid=device)[0] == 431
    assert v.error(user.resizeVolume, id=volume["id"], size=5)[0] == 431  # fixed offering

    # Another tenant: its calls on this volume are refused, it cannot even list it.
    other = cloud.as_user(cloud.new_account(prefix="vol-other"))
    for call, extra in ((other.deleteVolume, {}), (other.detachVolume, {}),
                        (other.resizeVolume, {"size": 2}),
                        (other.attachVolume, {"virtualmachineid": running["id"]})):
        assert v.error(call, id=volume["id"], **extra)[0] == 531
    assert v.error(other.listVolumes, id=volume["id"], account=owner.username,
                   domainid=owner.account["domainid"])[0] == 531
    assert other.listVolumes(id=volume["id"]) == {}
    # Another account's VM: the admin may see both, but they do not go together.
    stranger = cloud.new_account(prefix="vol-stranger")
    foreign = v.deploy(cloud, ids, stranger, start=False)
    code, text = v.error(cloud.admin.attachVolume, id=volume["id"],
                         virtualmachineid=foreign["id"])
    assert code == 431 and "different accounts" in text


def test_volume_limit(cloud: Cloud, ids: dict[str, str]) -> None:
    limited = cloud.new_account(prefix="vol-limit")
    cloud.admin.updateResourceLimit(resourcetype=2, max=1, **v.owner_args(limited))
    api = cloud.as_user(limited)
    first = _create(api, ids)
    assert v.error(api.createVolume, zoneid=ids[v.ZONE],
                   diskofferingid=ids[v.SMALL])[0] == 532
    api.deleteVolume(id=first["id"])  # deleting gives the quota back
    assert _create(api, ids)["state"] == "Allocated"


def test_attach_to_running_vm_and_detach(cloud: Cloud, ids: dict[str, str],
                                         user: CloudStack, running: dict[str, Any]) -> None:
    volumes = [_create(user, ids) for _ in range(3)]
    attached = [_attach(user, vol["id"], running["id"]) for vol in volumes]
    assert [a["deviceid"] for a in attached] == [1, 2, 4]  # 3 is the CD-ROM
    first = attached[0]
    assert (first["state"], first["virtualmachineid"], first["vmname"], first["hypervisor"]) \
        == ("Ready", running["id"], running["name"], "Simulator")
    assert "attached" in first and "storage" not in first  # pool names are for admins
    pool = v.pool_of(cloud, first["id"])
    assert pool in v.pools_of(ids, 1)  # nearest the VM: a pool of its cluster
    assert "storage" in v.volume(cloud.admin, first["id"])
    path = v.volume_file(cloud, str(pool), first["id"])
    assert os.path.getsize(path) == GIB  # made by the simulated host

    code, text = v.error(user.attachVolume, id=first["id"], virtualmachineid=running["id"])
    assert code == 431 and "already attached" in text
    code, text = v.error(user.deleteVolume, id=first["id"])
    assert code == 431 and "attached" in text

    detached = _detach(user, first["id"])
    for absent in ("virtualmachineid", "vmname", "attached", "deviceid"):
        assert absent not in detached
    assert detached["state"] == "Ready" and os.path.exists(path)
    again = _attach(user, first["id"], running["id"])
    assert again["deviceid"] == 1  # the lowest free device again
    by_device = user.detachVolume(virtualmachineid=running["id"], deviceid=2,
                                  fetch_result=True)["volume"]
    assert by_device["id"] == volumes[1]["id"] and "virtualmachineid" not in by_device
    types = {e["type"] for e in user.listEvents(pagesize=-1)["event"]}
    assert {"VOLUME.ATTACH", "VOLUME.DETACH"} <= types
    for vol in (volumes[0], volumes[2]):
        _detach(user, vol["id"])


def test_a_vm_takes_at_most_six_simulator_data_disks(cloud: Cloud, ids: dict[str, str],
                                                     owner: Credentials,
                                                     user: CloudStack) -> None:
    vm = v.deploy(cloud, ids, owner, start=False)  # attaches are only recorded: quick
    devices = [_attach(user, _create(user, ids)["id"], vm["id"])["deviceid"]
               for _ in range(6)]
    assert devices == [1, 2, 4, 5, 6, 7]
    extra = _create(user, ids)
    code, text = v.error(user.attachVolume, id=extra["id"], virtualmachineid=vm["id"])
    assert code == 431 and "maximum number of data disks (6)" in text
    _detach(user, user.listVolumes(virtualmachineid=vm["id"], type="DATADISK")["volume"][2]
            ["id"])
    code, text = v.error(user.attachVolume, id=extra["id"], virtualmachineid=vm["id"],
                         deviceid=8)
    assert code == 431 and "1, 2 or 4-7" in text
    assert _attach(user, extra["id"], vm["id"], deviceid=4)["deviceid"] == 4
    assert cloud.admin.listVolumes(virtualmachineid=vm["id"], listall=True)["count"] == 7


def test_tagged_offering_lands_on_tagged_pool(cloud: Cloud, ids: dict[str, str],
                                              user: CloudStack,
                                              running: dict[str, Any]) -> None:
    fast = _create(user, ids, v.FAST)
    _attach(user, fast["id"], running["id"])
    assert v.pool_of(cloud, fast["id"]) == ids[v.FAST_POOL]
    _detach(user, fast["id"])


def test_attach_to_stopped_vms(cloud: Cloud, ids: dict[str, str], owner: Credentials,
                               user: CloudStack) -> None:
    # Never placed: the attach is only recorded; the disk comes with the first start.
    fresh = v.deploy(cloud, ids, owner, start=False)
    waiting = _create(user, ids)
    recorded = _attach(user, waiting["id"], fresh["id"])
    assert (recorded["state"], recorded["deviceid"], recorded["vmstate"]) == (
        "Allocated", 1, "Stopped")
    assert "hypervisor" not in recorded
    user.startVirtualMachine(id=fresh["id"], fetch_result=True)
    started = v.volume(cloud.admin, waiting["id"])
    assert (started["state"], started["hypervisor"]) == ("Ready", "Simulator")
    assert started["storageid"] in v.pools_of(ids, 1) | v.pools_of(ids, 2)

    # Ran before (on cluster 2): the disk is made at once in a pool of its cluster.
    vm = v.deploy(cloud, ids, owner, cluster=2)
    user.stopVirtualMachine(id=vm["id"], fetch_result=True)
    volume = _create(user, ids)
    placed = _attach(user, volume["id"], vm["id"])
    assert placed["state"] == "Ready" and placed["vmstate"] == "Stopped"
    assert v.pool_of(cloud, volume["id"]) == ids[v.POOLS[1]]
    assert os.path.getsize(v.volume_file(cloud, ids[v.POOLS[1]], volume["id"])) == GIB
    user.startVirtualMachine(id=vm["id"], fetch_result=True)
    assert v.volume(user, volume["id"])["vmstate"] == "Running"
    _detach(user, volume["id"])  # a hot unplug now


def test_attach_across_hypervisor_types_is_refused(cloud: Cloud, ids: dict[str, str],
                                                   owner: Credentials, user: CloudStack,
                                                   running: dict[str, Any]) -> None:
    volume = _create(user, ids)
    _attach(user, volume["id"], running["id"])  # made in a Simulator cluster
    _detach(user, volume["id"])
    kvm_vm = v.deploy(cloud, ids, owner, template=v.KVM_TEMPLATE, start=False)
    code, text = v.error(user.attachVolume, id=volume["id"], virtualmachineid=kvm_vm["id"])
    assert code == 431 and "Simulator" in text and "KVM" in text
    assert "virtualmachineid" not in v.volume(user, volume["id"])


def test_resize(cloud: Cloud, ids: dict[str, str], user: CloudStack,
                running: dict[str, Any]) -> None:
    volume = _create(user, ids, v.CUSTOM, size=2)
    assert user.resizeVolume(id=volume["id"], size=3,
                             fetch_result=True)["volume"]["size"] == 3 * GIB  # a row only
    _attach(user, volume["id"], running["id"])
    grown = user.resizeVolume(id=volume["id"], size=5, fetch_result=True)["volume"]
    assert grown["size"] == 5 * GIB
    path = v.volume_file(cloud, str(v.pool_of(cloud, volume["id"])), volume["id"])
    assert os.path.getsize(path) == 5 * GIB
    code, text = v.error(user.resizeVolume, id=volume["id"], size=4)
    assert code == 431 and "shrinkok" in text
    shrunk = user.resizeVolume(id=volume["id"], size=4, shrinkok=True,
                               fetch_result=True)["volume"]
    assert shrunk["size"] == 4 * GIB
    fixed = user.resizeVolume(id=volume["id"], diskofferingid=ids[v.SMALL], shrinkok=True,
                              fetch_result=True)["volume"]
    assert (fixed["size"], fixed["diskofferingid"]) == (GIB, ids[v.SMALL])
    assert "VOLUME.RESIZE" in {e["type"] for e in user.listEvents(pagesize=-1)["event"]}
    _detach(user, volume["id"])


def _attach_at_once(cloud: Cloud, owner: Credentials, volume_id: str,
                    vm_ids: list[str]) -> list[Any]:
    """attachVolume of one volume to each VM, sent at the same instant from threads:
    each call's outcome, the attached volume or the error, in the order of `vm_ids`."""
    barrier = threading.Barrier(len(vm_ids))
    outcomes: list[Any] = [None] * len(vm_ids)

    def attach(index: int) -> None:
        api = cloud.as_user(owner)
        barrier.wait()
        try:
            outcomes[index] = _attach(api, volume_id, vm_ids[index])
        except Exception as failure:  # noqa: BLE001 - the loser's error is the outcome
            outcomes[index] = failure

    threads = [threading.Thread(target=attach, args=(i,)) for i in range(len(vm_ids))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_two_attaches_of_one_volume_at_once(cloud: Cloud, ids: dict[str, str],
                                            owner: Credentials, user: CloudStack,
                                            running: dict[str, Any]) -> None:
    other = v.deploy(cloud, ids, owner, cluster=2)
    for _ in range(3):
        volume = _create(user, ids)
        vm_ids = [running["id"], other["id"]]
        outcomes = _attach_at_once(cloud, owner, volume["id"], vm_ids)
        won = [vm_id for vm_id, result in zip(vm_ids, outcomes, strict=True)
               if isinstance(result, dict)]
        lost = [result for result in outcomes if not isinstance(result, dict)]
        assert len(won) == 1 and len(lost) == 1, outcomes
        assert "already attached" in str(lost[0]), lost[0]
        row = v.volume(cloud.admin, volume["id"])
        assert (row["virtualmachineid"], row["state"]) == (won[0], "Ready")
        # The simulated hosts made the disk once, in the winner's cluster only.
        made = [pool for pool in v.pools_of(ids, 1) | v.pools_of(ids, 2)
                if os.path.exists(v.volume_file(cloud, pool, volume["id"]))]
        assert made == [v.pool_of(cloud, volume["id"])]
        assert made[0] in v.pools_of(ids, 1 if won[0] == running["id"] else 2)
        assert user.listVolumes(virtualmachineid=won[0], type="DATADISK")["count"] == 1
        _detach(user, volume["id"])
    # Two attaches of one volume to the same VM: one device, once.
    volume = _create(user, ids)
    outcomes = _attach_at_once(cloud, owner, volume["id"], [running["id"], running["id"]])
    assert sorted(isinstance(result, dict) for result in outcomes) == [False, True]
    assert user.listVolumes(virtualmachineid=running["id"], type="DATADISK")["count"] == 1
    _detach(user, volume["id"])


def test_a_data_disk_deployed_with_its_vm_detaches(cloud: Cloud, ids: dict[str, str],
                                                   owner: Credentials,
                                                   user: CloudStack) -> None:
    vm = cloud.admin.deployVirtualMachine(
        zoneid=ids[v.ZONE], serviceofferingid=ids[v.OFFERING], templateid=ids[v.TEMPLATE],
        diskofferingid=ids[v.SMALL], hostid=ids[v.HOSTS[0]], fetch_result=True,
        **v.owner_args(owner))["virtualmachine"]
    (data,) = user.listVolumes(virtualmachineid=vm["id"], type="DATADISK")["volume"]
    assert data["deviceid"] == 1 and "attached" in data
    detached = _detach(user, data["id"])
    assert "virtualmachineid" not in detached and detached["state"] == "Ready"
    cloud.admin.destroyVirtualMachine(id=vm["id"], expunge=True, fetch_result=True)
    assert user.listVolumes(id=data["id"])["volume"][0]["state"] == "Ready"  # it stays
