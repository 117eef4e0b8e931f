"""Primary storage: URL kinds, scopes, capacity, tags, enable/disable, delete."""

from __future__ import annotations

import tempfile

import pytest
from cs import CloudStackApiException

from tests.support import infra
from tests.support.cloud import Cloud


def _status(call: object, **kwargs: object) -> int:
    with pytest.raises(CloudStackApiException) as caught:
        call(**kwargs)  # type: ignore[operator]
    code: int = caught.value.response.status_code
    return code


def test_pool_kinds_and_updates(cloud: Cloud) -> None:
    stack = infra.stack(cloud)
    z, p, c = stack["zone"]["id"], stack["pod"]["id"], stack["cluster"]["id"]
    admin = cloud.admin
    nfs = admin.createStoragePool(zoneid=z, podid=p, clusterid=c, name="nfs1",
                                  url="nfs://10.0.0.5/export/primary", tags="fast,ssd",
                                  capacitybytes=2 * 2**40)["storagepool"]
    assert (nfs["type"], nfs["ipaddress"], nfs["path"]) == ("NetworkFilesystem", "10.0.0.5",
                                                           "/export/primary")
    assert nfs["scope"] == "CLUSTER" and nfs["clusterid"] == c and nfs["podid"] == p
    assert nfs["disksizetotal"] == 2 * 2**40 and nfs["state"] == "Up"
    assert nfs["tags"] == "fast,ssd" and nfs["hypervisor"] == "Simulator"
    local_dir = tempfile.mkdtemp(prefix="cirrus-pool-")
    local = admin.createStoragePool(zoneid=z, clusterid=c, name="dir1",
                                    url=f"file://{local_dir}")["storagepool"]
    assert local["type"] == "Filesystem" and local["disksizetotal"] > 0
    iscsi = admin.createStoragePool(zoneid=z, name="lun", scope="zone", hypervisor="KVM",
                                    url="iscsi://10.0.0.6/iqn.2010-01.com.example:t/1")
    assert iscsi["storagepool"]["type"] == "IscsiLUN"
    assert iscsi["storagepool"]["scope"] == "ZONE"
    assert iscsi["storagepool"]["disksizetotal"] == 2048 * 2**30  # configured default
    smp = admin.createStoragePool(zoneid=z, clusterid=c, name="smp",
                                  url="SharedMountPoint:///mnt/shared")["storagepool"]
    assert smp["type"] == "SharedMountPoint"
    updated = admin.updateStoragePool(id=nfs["id"], tags="slow", enabled=False)["storagepool"]
    assert updated["tags"] == "slow" and updated["state"] == "Disabled"
    assert admin.updateStoragePool(id=nfs["id"], enabled=True)["storagepool"]["state"] == "Up"
    listed = admin.listStoragePools(clusterid=c)
    assert {s["name"] for s in listed["storagepool"]} == {"nfs1", "dir1", "smp"}
    assert admin.listStoragePools(zoneid=z, scope="zone")["storagepool"][0]["name"] == "lun"
    assert admin.listStoragePools(ipaddress="10.0.0.5")["storagepool"][0]["id"] == nfs["id"]
    assert admin.deleteStoragePool(id=nfs["id"]) == {"success": True}
    assert admin.listStoragePools(id=nfs["id"]) == {}
    # a cluster with primary storage cannot be deleted
    assert _status(admin.deleteCluster, id=c) == 536


def test_bad_input(cloud: Cloud) -> None:
    stack = infra.stack(cloud)
    z, c = stack["zone"]["id"], stack["cluster"]["id"]
    admin = cloud.admin
    for url in ("ftp://x/y", "nfs://server", "nfs:///path", "iscsi://h/iqn", "file://rel"):
        assert _status(admin.createStoragePool, zoneid=z, clusterid=c, name="bad",
                       url=url) == 431, url
    assert _status(admin.createStoragePool, zoneid=z, name="x", scope="cluster",
                   url="nfs://a/b") == 431
    assert _status(admin.createStoragePool, zoneid=z, name="x", scope="planet",
                   url="nfs://a/b") == 431
    assert _status(admin.createStoragePool, zoneid=z, clusterid=c, name="x",
                   url="nfs://a/b", capacitybytes=-5) == 431
    admin.createStoragePool(zoneid=z, clusterid=c, name="once", url="nfs://a/b")
    assert _status(admin.createStoragePool, zoneid=z, clusterid=c, name="twice",
                   url="nfs://a/b") == 431
    user = cloud.as_user(cloud.new_account())
    assert _status(user.listStoragePools) == 432


def test_lxc_pools_must_keep_root_disk_paths_loop_mountable(cloud: Cloud) -> None:
    zone = infra.stack(cloud)["zone"]["id"]
    admin = cloud.admin
    long_path = "/srv/" + "p" * 30  # + "/<uuid>" is past the 63 characters of a loop file
    for url in ("nfs://filer/export/lxc", f"SharedMountPoint://{long_path}"):
        assert _status(admin.createStoragePool, zoneid=zone, scope="zone", hypervisor="LXC",
                       name="lxc-bad", url=url) == 431, url
    short = admin.createStoragePool(zoneid=zone, scope="zone", hypervisor="LXC",
                                    name="lxc-ok", url="SharedMountPoint:///srv/lxc")
    assert short["storagepool"]["state"] == "Up"
    # Other hypervisors' pools have no such limit.
    admin.createStoragePool(zoneid=zone, scope="zone", hypervisor="KVM", name="kvm-long",
                            url=f"SharedMountPoint://{long_path}")
