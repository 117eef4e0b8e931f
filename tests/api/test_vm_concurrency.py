"""Concurrent deploys never overcommit a host, nor overshoot an account's VM limit.

The server runs two job-worker processes with eight threads each, so placements really
race across processes on the same database (SQLite and MariaDB).
"""

from __future__ import annotations

import copy
import tempfile
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import yaml
from cs import CloudStack, CloudStackApiException

from tests.support import datacenter, server
from tests.support.cloud import Cloud

PARALLEL = 50
SLOTS_PER_HOST = 5  # 1 core x 2500 MHz per host, 500 MHz per VM, overprovisioning 1


@pytest.fixture(scope="module")
def busy_cloud(database_url: str) -> Iterator[Cloud]:
    home = tempfile.mkdtemp(prefix="cirrus-home-")
    creds = server.init(database_url, home)
    srv = server.start(database_url, home=home, job_workers=2, job_threads=8, workers=2)
    yield Cloud(srv, creds["apikey"], creds["secretkey"], creds["password"])
    srv.stop()


@pytest.fixture(scope="module")
def ids(busy_cloud: Cloud) -> dict[str, str]:
    """Zone `cap` (room for exactly ten VMs) and zone `roomy` (room for hundreds)."""
    with open(datacenter.TINY) as handle:
        spec: dict[str, Any] = yaml.safe_load(handle)
    spec["zones"] = [
        _zone(spec["zones"][0], "cap", "http://sim/{name}?cpus=1&cpuspeed=2500&memory=65536"),
        _zone(spec["zones"][0], "roomy",
              "http://sim/{name}?cpus=32&cpuspeed=3000&memory=262144"),
    ]
    return datacenter.build(busy_cloud, spec)


def _zone(tiny: dict[str, Any], zone: str, host_url: str) -> dict[str, Any]:
    """tiny.yaml's zone with its own names and two hosts of the given capacity."""
    z = copy.deepcopy(tiny)
    z["name"] = zone
    z.pop("ip_ranges", None)
    z["secondary_storage"][0]["name"] = f"{zone}-secondary"
    z["secondary_storage"][0]["url"] = f"file://${{CIRRUS_HOME}}/secondary/{zone}"
    pod = z["pods"][0]
    pod["name"] = f"{zone}-pod"
    cluster = pod["clusters"][0]
    cluster["name"] = f"{zone}-cluster"
    cluster["hosts"] = [{"url": host_url.format(name=f"{zone}-h{i}")} for i in (1, 2)]
    cluster["primary_storage"][0]["name"] = f"{zone}-primary"
    cluster["primary_storage"][0]["url"] = f"nfs://203.0.113.10/export/{zone}"
    return z


def _deploy(client: CloudStack, zone: str, ids: dict[str, str]) -> int:
    """0 when the VM runs, else the error code of the failure (sync or in the job)."""
    try:
        client.deployVirtualMachine(zoneid=ids[zone], serviceofferingid=ids[datacenter.OFFERING],
                                    templateid=ids[datacenter.TEMPLATE], fetch_result=True)
    except CloudStackApiException as error:
        if isinstance(error.error, dict) and "errorcode" in error.error:
            return int(error.error["errorcode"])
        return int(error.response.status_code)
    return 0


def test_parallel_deploys_fill_capacity_exactly(busy_cloud: Cloud, ids: dict[str, str]) -> None:
    with ThreadPoolExecutor(PARALLEL) as pool:
        codes = Counter(pool.map(lambda _: _deploy(busy_cloud.client(), "cap", ids),
                                 range(PARALLEL)))
    assert codes == {0: 2 * SLOTS_PER_HOST, 533: PARALLEL - 2 * SLOTS_PER_HOST}
    admin = busy_cloud.admin
    running = admin.listVirtualMachines(zoneid=ids["cap"], state="Running", listall=True)
    assert running["count"] == 2 * SLOTS_PER_HOST
    per_host = Counter(vm["hostid"] for vm in running["virtualmachine"])
    assert sorted(per_host.values()) == [SLOTS_PER_HOST, SLOTS_PER_HOST]
    for host in admin.listHosts(zoneid=ids["cap"], type="Routing")["host"]:
        assert float(host["cpuallocated"].rstrip("%")) == 100.0  # full, never beyond
        assert int(host["memoryallocated"]) == SLOTS_PER_HOST * 512 * 1024**2
    failed = admin.listVirtualMachines(zoneid=ids["cap"], state="Error", listall=True)
    assert failed["count"] == PARALLEL - 2 * SLOTS_PER_HOST


def test_parallel_deploys_respect_the_vm_limit(busy_cloud: Cloud, ids: dict[str, str]) -> None:
    owner = busy_cloud.new_account()
    busy_cloud.admin.updateResourceLimit(resourcetype=0, max=5, account=owner.username,
                                         domainid=owner.account["domainid"])
    with ThreadPoolExecutor(20) as pool:
        codes = Counter(pool.map(lambda _: _deploy(busy_cloud.as_user(owner), "roomy", ids),
                                 range(20)))
    assert codes == {0: 5, 532: 15}
    account = busy_cloud.admin.listAccounts(id=owner.account["id"])["account"][0]
    assert account["vmtotal"] == 5
