"""A simulator zone with two clusters for volume tests, and the simulator's volume files.

    ids = volumes.build(cloud)
    vm = volumes.deploy(cloud, ids, owner, cluster=1)     # runs on cluster 1's host
    data = volumes.read(cloud, pool_id, volume_id, offset, 5)

Each cluster has one host and one primary pool; cluster 1 has a second pool tagged "fast".
Besides the Simulator template there is one labelled KVM (deployable, never started:
no KVM host exists), for attaches across hypervisor types.
"""

from __future__ import annotations

import os
from typing import Any

from cs import CloudStack, CloudStackApiException

from tests.support import datacenter, sim_storage
from tests.support.cloud import Cloud, Credentials

ZONE = "vols"
POD = f"{ZONE}/vols-pod"
CLUSTERS = (f"{POD}/vols-c1", f"{POD}/vols-c2")
HOSTS = (f"{CLUSTERS[0]}/vols-h1", f"{CLUSTERS[1]}/vols-h2")
POOLS = (f"{CLUSTERS[0]}/vols-p1", f"{CLUSTERS[1]}/vols-p2")
FAST_POOL = f"{CLUSTERS[0]}/vols-fast"
OFFERING = "vols-offering"
SMALL = "vols-small"  # 1 GB, fixed
CUSTOM = "vols-custom"  # any size
FAST = "vols-fast"  # 1 GB on pools tagged "fast"
TEMPLATE = "vols-template"
KVM_TEMPLATE = "vols-kvm-template"
GIB = 1024**3


def spec() -> dict[str, Any]:
    def cluster(index: int, pools: list[dict[str, Any]]) -> dict[str, Any]:
        return {"name": f"vols-c{index}", "hypervisor": "Simulator",
                "hosts": [{"url": f"http://sim/vols-h{index}?cpus=8&cpuspeed=2000&memory=16384"}],
                "primary_storage": pools}

    template = "${CIRRUS_URL}/demo/templates/centos56-x86_64-simulator.qcow2"
    return {
        "zones": [{
            "name": ZONE, "networktype": "Advanced", "dns1": "203.0.113.53",
            "internaldns1": "172.16.0.53", "vlan": "300-399",
            "pods": [{
                "name": "vols-pod", "gateway": "172.16.30.1", "netmask": "255.255.255.0",
                "startip": "172.16.30.10", "endip": "172.16.30.100",
                "clusters": [
                    cluster(1, [{"name": "vols-p1", "url": "nfs://203.0.113.10/export/p1"},
                                {"name": "vols-fast", "url": "nfs://203.0.113.10/export/fast",
                                 "tags": "fast"}]),
                    cluster(2, [{"name": "vols-p2", "url": "nfs://203.0.113.10/export/p2"}]),
                ]}],
            "secondary_storage": [{"name": "vols-secondary",
                                   "url": "file://${CIRRUS_HOME}/secondary/vols"}],
            "ip_ranges": [{"vlan": "60", "gateway": "192.0.2.1", "netmask": "255.255.255.0",
                           "startip": "192.0.2.10", "endip": "192.0.2.60"}],
        }],
        "service_offerings": [{"name": OFFERING, "cpunumber": 1, "cpuspeed": 500,
                               "memory": 256}],
        "disk_offerings": [{"name": SMALL, "disksize": 1},
                           {"name": CUSTOM, "customized": True},
                           {"name": FAST, "disksize": 1, "tags": "fast"}],
        "templates": [
            {"name": TEMPLATE, "url": template, "ostype": "CentOS 5.6 (64-bit)",
             "hypervisor": "Simulator", "format": "QCOW2", "ispublic": True},
            {"name": KVM_TEMPLATE, "url": template, "ostype": "CentOS 5.6 (64-bit)",
             "hypervisor": "KVM", "format": "QCOW2", "ispublic": True},
        ],
    }


def build(cloud: Cloud) -> dict[str, str]:
    return datacenter.build(cloud, spec())


def pools_of(ids: dict[str, str], cluster: int) -> set[str]:
    """The ids of the pools cluster 1 or 2 reaches."""
    return {ids[POOLS[0]], ids[FAST_POOL]} if cluster == 1 else {ids[POOLS[1]]}


def pool_of(cloud: Cloud, volume_id: str) -> str | None:
    """The pool a volume's disk is in (None before it is made), as an admin sees it."""
    found: str | None = volume(cloud.admin, volume_id).get("storageid")
    return found


def owner_args(owner: Credentials) -> dict[str, str]:
    return {"account": owner.username, "domainid": owner.account["domainid"]}


def deploy(cloud: Cloud, ids: dict[str, str], owner: Credentials, *, cluster: int = 1,
           template: str = TEMPLATE, start: bool = True) -> dict[str, Any]:
    """A VM of `owner` on the host of cluster 1 or 2 (deployed by the admin)."""
    args: dict[str, Any] = {"zoneid": ids[ZONE], "serviceofferingid": ids[OFFERING],
                            "templateid": ids[template], **owner_args(owner)}
    if start:
        args["hostid"] = ids[HOSTS[cluster - 1]]
    else:
        args["startvm"] = False
    vm: dict[str, Any] = cloud.admin.deployVirtualMachine(
        fetch_result=True, **args)["virtualmachine"]
    return vm


def volume_file(cloud: Cloud, pool_id: str, volume_id: str) -> str:
    """The simulator's file of a volume (appliance.drivers.hypervisor.simulator)."""
    return sim_storage.pool_file(cloud, pool_id, volume_id)


def write(cloud: Cloud, pool_id: str, volume_id: str, offset: int, data: bytes) -> None:
    with open(volume_file(cloud, pool_id, volume_id), "r+b") as handle:
        handle.seek(offset)
        handle.write(data)


def read(cloud: Cloud, pool_id: str, volume_id: str, offset: int, size: int) -> bytes:
    with open(volume_file(cloud, pool_id, volume_id), "rb") as handle:
        handle.seek(offset)
        return handle.read(size)


def secondary_dir(cloud: Cloud) -> str:
    return os.path.join(cloud.server.home, "secondary", ZONE)


def volume(api: CloudStack, volume_id: str) -> dict[str, Any]:
    found: dict[str, Any] = api.listVolumes(id=volume_id, listall=True)["volume"][0]
    return found


def error(call: Any, **kwargs: Any) -> tuple[int, str]:
    """(error code, text) of a call that must fail, synchronously or in its job."""
    try:
        call(fetch_result=True, **kwargs)
    except CloudStackApiException as failure:
        body = failure.error if isinstance(failure.error, dict) else {}
        code = int(body.get("errorcode") or failure.response.status_code)
        return code, str(body.get("errortext") or failure)
    raise AssertionError(f"{getattr(call, '__name__', call)} {kwargs} did not fail")
