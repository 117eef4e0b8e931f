"""listCapacity: totals per type and level, overprovisioning factors, filters."""

from __future__ import annotations

import os
import tempfile
from typing import Any

import pytest
from cs import CloudStackApiException

from tests.support import datacenter, infra
from tests.support.cloud import Cloud
from tests.support.waiting import eventually


def _status(call: object, **kwargs: object) -> int:
    with pytest.raises(CloudStackApiException) as caught:
        call(**kwargs)  # type: ignore[operator]
    code: int = caught.value.response.status_code
    return code


def _by_type(entries: list[dict[str, object]]) -> dict[object, dict[str, object]]:
    return {entry["type"]: entry for entry in entries}


def test_zone_pod_and_cluster_capacity(cloud: Cloud) -> None:
    admin = cloud.admin
    zone = infra.zone(cloud)
    z = zone["id"]
    pod = infra.pod(cloud, z, 20)
    cluster = infra.cluster(cloud, z, pod["id"])
    other = infra.cluster(cloud, z, pod["id"])
    infra.host(admin, z, pod["id"], cluster["id"], url="http://sim/a?cpus=4&cpuspeed=1000"
               "&memory=4096")
    infra.host(admin, z, pod["id"], cluster["id"], url="http://sim/b?cpus=2&cpuspeed=1500"
               "&memory=2048")
    infra.host(admin, z, pod["id"], other["id"], url="http://sim/c?cpus=1&cpuspeed=1000"
               "&memory=1024")
    admin.createStoragePool(zoneid=z, clusterid=cluster["id"], name="nfs",
                            url="nfs://10.1.1.1/primary", capacitybytes=1000 * 2**30)
    admin.createStoragePool(zoneid=z, clusterid=other["id"], name="smp",
                            url="SharedMountPoint:///mnt/p", capacitybytes=100 * 2**30)
    admin.createVlanIpRange(zoneid=z, gateway="172.30.0.1", netmask="255.255.255.0",
                            startip="172.30.0.2", endip="172.30.0.11")

    zone_caps = _by_type(admin.listCapacity(zoneid=z)["capacity"])
    assert zone_caps[0]["capacitytotal"] == (4096 + 2048 + 1024) * 2**20
    assert zone_caps[1]["capacitytotal"] == 4 * 1000 + 2 * 1500 + 1000
    assert zone_caps[2]["capacitytotal"] == 1100 * 2**30
    # NFS allocations are overprovisioned by storage.overprovisioning.factor (2)
    assert zone_caps[3]["capacitytotal"] == (2 * 1000 + 100) * 2**30
    assert zone_caps[4]["capacitytotal"] == 10 and zone_caps[4]["capacityused"] == 0
    assert zone_caps[5]["capacitytotal"] == 50
    assert zone_caps[1]["percentused"] == "0" and zone_caps[1]["zonename"] == zone["name"]

    cluster_caps = _by_type(admin.listCapacity(clusterid=cluster["id"])["capacity"])
    assert cluster_caps[1]["capacitytotal"] == 7000
    assert cluster_caps[1]["clusterid"] == cluster["id"] and 4 not in cluster_caps
    pod_caps = _by_type(admin.listCapacity(podid=pod["id"])["capacity"])
    assert pod_caps[0]["capacitytotal"] == zone_caps[0]["capacitytotal"]
    assert pod_caps[5]["podid"] == pod["id"]

    only_cpu = admin.listCapacity(zoneid=z, type=1)["capacity"]
    assert [c["type"] for c in only_cpu] == [1]
    admin.updateConfiguration(name="cpu.overprovisioning.factor", value="2")
    try:
        assert admin.listCapacity(zoneid=z, type=1)["capacity"][0]["capacitytotal"] == 16000
        host = admin.listHosts(clusterid=other["id"])["host"][0]
        assert host["cpuwithoverprovisioning"] in ("2000", "2000.0")
    finally:
        admin.updateConfiguration(name="cpu.overprovisioning.factor", value="1")
    # maintenance takes a host out of the totals
    host_id = admin.listHosts(clusterid=other["id"])["host"][0]["id"]
    admin.prepareHostForMaintenance(id=host_id, fetch_result=True)
    assert admin.listCapacity(zoneid=z, type=1)["capacity"][0]["capacitytotal"] == 7000
    admin.cancelHostMaintenance(id=host_id, fetch_result=True)
    assert len(admin.listCapacity(zoneid=z, sortby="usage", pagesize=2)["capacity"]) == 2


def test_bad_input_and_roles(cloud: Cloud) -> None:
    admin = cloud.admin
    assert _status(admin.listCapacity, type=7) == 431
    assert _status(admin.listCapacity, sortby="name") == 431
    assert _status(admin.listCapacity, zoneid="9b9b7a6e-0000-4000-8000-000000000000") == 431
    assert _status(admin.listCapacity, type="cpu") == 431
    domain = cloud.new_domain()
    for kind in (0, 2):
        api = cloud.as_user(cloud.new_account(accounttype=kind, domainid=domain["id"]))
        assert _status(api.listCapacity) == 432


def test_primary_storage_allocated_with_overprovisioning_and_used(
        cloud: Cloud, dc: dict[str, str]) -> None:
    admin = cloud.admin
    zone, cluster = dc[datacenter.ZONE], dc[datacenter.CLUSTER]
    pool = admin.listStoragePools(id=dc[datacenter.PRIMARY])["storagepool"][0]
    assert pool["type"] == "NetworkFilesystem" and pool["overprovisionfactor"] == "2.0"
    size = pool["disksizetotal"]
    caps = _by_type(admin.listCapacity(zoneid=zone)["capacity"])
    assert caps[2]["capacitytotal"] == size  # what the pool holds, never overprovisioned
    assert caps[3]["capacitytotal"] == 2 * size  # what may be allocated on NFS (factor 2)
    before = caps[3]["capacityused"]

    vm = admin.deployVirtualMachine(zoneid=zone, serviceofferingid=dc[datacenter.OFFERING],
                                    templateid=dc[datacenter.TEMPLATE],
                                    fetch_result=True)["virtualmachine"]
    template = admin.listTemplates(templatefilter="all", id=dc[datacenter.TEMPLATE])[
        "template"][0]
    caps = _by_type(admin.listCapacity(zoneid=zone)["capacity"])
    assert caps[3]["capacityused"] - before == template["size"]  # the root disk
    share = caps[3]["capacityused"] / caps[3]["capacitytotal"] * 100
    assert abs(float(caps[3]["percentused"]) - share) < 0.01

    admin.updateConfiguration(name="storage.overprovisioning.factor", value="3")
    try:
        for level in ({"zoneid": zone}, {"clusterid": cluster}):
            caps = _by_type(admin.listCapacity(**level)["capacity"])
            assert caps[3]["capacitytotal"] == 3 * size and caps[2]["capacitytotal"] == size
        assert admin.listStoragePools(id=dc[datacenter.PRIMARY])["storagepool"][0][
            "overprovisionfactor"] == "3.0"
        # a pool of another kind is never overprovisioned
        directory = tempfile.mkdtemp(prefix="cirrus-pool-")
        local = admin.createStoragePool(zoneid=zone, clusterid=cluster, name="dir",
                                        url=f"file://{directory}",
                                        capacitybytes=10 * 2**30)["storagepool"]
        assert local["overprovisionfactor"] == "1.0"
        caps = _by_type(admin.listCapacity(zoneid=zone)["capacity"])
        assert caps[3]["capacitytotal"] == 3 * size + 10 * 2**30
        assert caps[2]["capacitytotal"] == size + 10 * 2**30
        admin.deleteStoragePool(id=local["id"])
    finally:
        admin.updateConfiguration(name="storage.overprovisioning.factor", value="2")

    # Used bytes are measured on the pool every storage.stats.interval: here what a guest
    # wrote into a simulated disk (the simulator keeps its pools' volumes as files).
    written = 3 * 2**20
    disk = os.path.join(cloud.server.home, "simulator", "pools", dc[datacenter.PRIMARY],
                        "guest-written-disk")
    os.makedirs(os.path.dirname(disk), exist_ok=True)
    with open(disk, "wb") as handle:
        handle.write(os.urandom(written))
    admin.updateConfiguration(name="storage.stats.interval", value="1")
    try:
        def measured() -> dict[str, Any] | None:
            entry: dict[str, Any] = admin.listCapacity(zoneid=zone, type=2)["capacity"][0]
            return entry if entry["capacityused"] >= written else None

        used = eventually(measured, 30, "the pool's used bytes measured")
        assert used["capacitytotal"] == size
        assert admin.listStoragePools(id=dc[datacenter.PRIMARY])["storagepool"][0][
            "disksizeused"] == used["capacityused"]
    finally:
        admin.updateConfiguration(name="storage.stats.interval", value="60")
        os.unlink(disk)
    admin.destroyVirtualMachine(id=vm["id"], expunge=True, fetch_result=True)

