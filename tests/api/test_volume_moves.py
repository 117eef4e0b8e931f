"""Volumes through secondary storage on the simulator: a data volume moving to a VM of
another cluster is copied there through the zone's secondary storage with its data;
uploadVolume fetches a disk over HTTP and imports it on the first attach; extractVolume
answers a link to a copy of the disk."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from cs import CloudStack

from tests.support import volumes as v
from tests.support.cloud import Cloud, Credentials
from tests.support.image_server import ImageServer, md5, start_image_server
from tests.support.waiting import eventually

MIB = 1024**2
DATA = b"written-before-the-move"
OFFSET = 5 * MIB + 123


@pytest.fixture(scope="module")
def ids(cloud: Cloud) -> dict[str, str]:
    return v.build(cloud)


@pytest.fixture(scope="module")
def owner(cloud: Cloud) -> Credentials:
    return cloud.new_account(prefix="mover")


@pytest.fixture(scope="module")
def user(cloud: Cloud, owner: Credentials) -> CloudStack:
    return cloud.as_user(owner)


@pytest.fixture(scope="module")
def vms(cloud: Cloud, ids: dict[str, str], owner: Credentials) -> tuple[dict[str, Any], ...]:
    """A running VM of the owner in each cluster."""
    return v.deploy(cloud, ids, owner, cluster=1), v.deploy(cloud, ids, owner, cluster=2)


@pytest.fixture(scope="module")
def images() -> Iterator[ImageServer]:
    server = start_image_server()
    yield server
    server.stop()


def _allocated(api: CloudStack, pool_id: str) -> int:
    allocated: int = api.listStoragePools(id=pool_id)["storagepool"][0]["disksizeallocated"]
    return allocated


def _job_result(api: CloudStack, job_id: str) -> dict[str, Any]:
    done = eventually(lambda: (lambda r: r if r["jobstatus"] != 0 else None)(
        api.queryAsyncJobResult(jobid=job_id)), 30, f"job {job_id} to end", interval=0.2)
    assert done["jobstatus"] == 1, done
    result: dict[str, Any] = done["jobresult"]
    return result


def _copy_path(cloud: Cloud, owner: Credentials, volume_id: str) -> str:
    """Where a volume's copy goes on the zone's secondary storage."""
    return os.path.join(v.secondary_dir(cloud), "volumes", owner.account["id"],
                        f"{volume_id}.qcow2")


def _qcow2_with(data: bytes, offset: int, size: int) -> bytes:
    """A qcow2 image (made by qemu-img) of `size` bytes holding `data` at `offset`."""
    work = tempfile.mkdtemp(prefix="cirrus-qcow2-")
    try:
        raw, image = os.path.join(work, "disk.raw"), os.path.join(work, "disk.qcow2")
        with open(raw, "wb") as handle:
            handle.truncate(size)
            handle.seek(offset)
            handle.write(data)
        subprocess.run(["qemu-img", "convert", "-q", "-f", "raw", "-O", "qcow2", raw, image],
                       check=True)
        with open(image, "rb") as handle:
            return handle.read()
    finally:
        shutil.rmtree(work)


def _read_qcow2(content: bytes, offset: int, size: int) -> bytes:
    work = tempfile.mkdtemp(prefix="cirrus-qcow2-")
    try:
        image, raw = os.path.join(work, "disk.qcow2"), os.path.join(work, "disk.raw")
        with open(image, "wb") as handle:
            handle.write(content)
        subprocess.run(["qemu-img", "convert", "-q", "-f", "qcow2", "-O", "raw", image, raw],
                       check=True)
        with open(raw, "rb") as handle:
            handle.seek(offset)
            return handle.read(size)
    finally:
        shutil.rmtree(work)


def test_a_volume_moves_to_another_cluster_through_secondary_storage(
        cloud: Cloud, ids: dict[str, str], owner: Credentials, user: CloudStack,
        vms: tuple[dict[str, Any], ...]) -> None:
    first, second = vms
    admin = cloud.admin
    volume = user.createVolume(zoneid=ids[v.ZONE], diskofferingid=ids[v.SMALL],
                               fetch_result=True)["volume"]
    user.attachVolume(id=volume["id"], virtualmachineid=first["id"], fetch_result=True)
    old_pool = v.pool_of(cloud, volume["id"])
    assert old_pool in v.pools_of(ids, 1)
    v.write(cloud, old_pool, volume["id"], OFFSET, DATA)  # what the guest wrote
    user.detachVolume(id=volume["id"], fetch_result=True)
    old_before = _allocated(admin, old_pool)
    new_before = {p: _allocated(admin, p) for p in v.pools_of(ids, 2)}

    # The import into cluster 2 waits a little, so the copy on secondary storage is seen.
    admin.configureSimulatorFault(hostid=ids[v.HOSTS[1]], operation="import_volume",
                                  action="hang", seconds=3, count=1)
    job = user.attachVolume(id=volume["id"], virtualmachineid=second["id"])["jobid"]
    copy = _copy_path(cloud, owner, volume["id"])
    eventually(lambda: v.volume(user, volume["id"])["state"] == "Migrating"
               and os.path.exists(copy), 20, "the volume to be copied to secondary storage",
               interval=0.1)
    with open(copy, "rb") as handle:
        assert handle.read(4) == b"QFI\xfb"  # a qcow2 exported by the simulated host
    moved = _job_result(user, job)["volume"]

    new_pool = v.pool_of(cloud, volume["id"])
    assert new_pool in v.pools_of(ids, 2)
    assert (moved["state"], moved["virtualmachineid"], moved["deviceid"]) == (
        "Ready", second["id"], 1)
    assert v.read(cloud, str(new_pool), volume["id"], OFFSET, len(DATA)) == DATA
    assert os.path.getsize(v.volume_file(cloud, str(new_pool), volume["id"])) == v.GIB
    assert not os.path.exists(v.volume_file(cloud, old_pool, volume["id"]))
    assert not os.path.exists(copy)  # the copy on secondary storage is gone
    assert _allocated(admin, old_pool) == old_before - v.GIB
    assert _allocated(admin, str(new_pool)) == new_before[str(new_pool)] + v.GIB

    # Back to cluster 1 while secondary storage is out: refused clearly, nothing moves.
    user.detachVolume(id=volume["id"], fetch_result=True)
    marker = os.path.join(v.secondary_dir(cloud), ".cirrus-image-store")
    saved = marker + ".saved"
    os.rename(marker, saved)
    try:
        code, text = v.error(user.attachVolume, id=volume["id"],
                             virtualmachineid=first["id"])
    finally:
        os.rename(saved, marker)
    assert code == 534 and "vols-secondary" in text
    stayed = v.volume(user, volume["id"])
    assert stayed["state"] == "Ready" and "virtualmachineid" not in stayed
    assert v.pool_of(cloud, volume["id"]) == new_pool
    assert v.read(cloud, str(new_pool), volume["id"], OFFSET, len(DATA)) == DATA
    # With the store back, the same attach works.
    back = user.attachVolume(id=volume["id"], virtualmachineid=first["id"],
                             fetch_result=True)["volume"]
    assert back["virtualmachineid"] == first["id"]
    assert v.read(cloud, str(v.pool_of(cloud, volume["id"])), volume["id"], OFFSET,
                  len(DATA)) == DATA
    user.detachVolume(id=volume["id"], fetch_result=True)


def test_upload_then_attach_imports_the_disk(
        cloud: Cloud, ids: dict[str, str], owner: Credentials, user: CloudStack,
        vms: tuple[dict[str, Any], ...], images: ImageServer) -> None:
    body = _qcow2_with(DATA, OFFSET, 64 * MIB)
    url = images.serve("data.qcow2", body)
    uploaded = user.uploadVolume(name="imported", url=url, zoneid=ids[v.ZONE],
                                 format="QCOW2", checksum=md5(body),
                                 fetch_result=True)["volume"]
    assert (uploaded["state"], uploaded["size"], uploaded["status"]) == (
        "Uploaded", 64 * MIB, "Upload Complete")
    copy = _copy_path(cloud, owner, uploaded["id"])
    assert os.path.exists(copy)
    attached = user.attachVolume(id=uploaded["id"], virtualmachineid=vms[1]["id"],
                                 fetch_result=True)["volume"]
    assert (attached["state"], attached["hypervisor"]) == ("Ready", "Simulator")
    pool = v.pool_of(cloud, uploaded["id"])
    assert pool in v.pools_of(ids, 2)
    assert v.read(cloud, str(pool), uploaded["id"], OFFSET, len(DATA)) == DATA
    assert not os.path.exists(copy)  # imported into primary storage, then dropped
    user.detachVolume(id=uploaded["id"], fetch_result=True)
    types = {e["type"] for e in user.listEvents(pagesize=-1)["event"]}
    assert "VOLUME.UPLOAD" in types


def test_failed_and_refused_uploads(cloud: Cloud, ids: dict[str, str], user: CloudStack,
                                    vms: tuple[dict[str, Any], ...],
                                    images: ImageServer) -> None:
    body = _qcow2_with(b"x", 0, MIB)
    url = images.serve("bad.qcow2", body)
    code, text = v.error(user.uploadVolume, name="bad", url=url, zoneid=ids[v.ZONE],
                         format="QCOW2", checksum="0" * 32)
    assert code == 534 and "Checksum mismatch" in text
    failed = [vol for vol in user.listVolumes(name="bad")["volume"]]
    assert len(failed) == 1 and failed[0]["state"] == "UploadError"
    assert "Checksum mismatch" in failed[0]["status"]
    code, text = v.error(user.attachVolume, id=failed[0]["id"],
                         virtualmachineid=vms[0]["id"])
    assert code == 431 and "failed to upload" in text
    assert user.deleteVolume(id=failed[0]["id"]) == {"success": True}
    zone = ids[v.ZONE]
    assert v.error(user.uploadVolume, name="b", url=url, zoneid=zone, format="VMDK")[0] == 431
    assert v.error(user.uploadVolume, name="b", url="ftp://example.org/x.qcow2", zoneid=zone,
                   format="QCOW2")[0] == 431
    assert v.error(user.uploadVolume, name="b", url=url, zoneid=zone, format="QCOW2",
                   checksum="not-hex")[0] == 431
    assert v.error(user.uploadVolume, name="b", url=url, zoneid=zone, format="QCOW2",
                   diskofferingid=ids[v.SMALL])[0] == 431  # not a customized offering


def test_extract_gives_a_link_to_the_disk(cloud: Cloud, ids: dict[str, str],
                                          owner: Credentials, user: CloudStack,
                                          vms: tuple[dict[str, Any], ...]) -> None:
    volume = user.createVolume(zoneid=ids[v.ZONE], diskofferingid=ids[v.SMALL],
                               fetch_result=True)["volume"]
    assert v.error(user.extractVolume, id=volume["id"], zoneid=ids[v.ZONE],
                   mode="HTTP_DOWNLOAD")[0] == 431  # no disk yet
    user.attachVolume(id=volume["id"], virtualmachineid=vms[0]["id"], fetch_result=True)
    v.write(cloud, str(v.pool_of(cloud, volume["id"])), volume["id"], OFFSET, DATA)
    code, text = v.error(user.extractVolume, id=volume["id"], zoneid=ids[v.ZONE],
                         mode="HTTP_DOWNLOAD")
    assert code == 431 and "stopped" in text  # in use by a running VM
    user.detachVolume(id=volume["id"], fetch_result=True)
    assert v.error(user.extractVolume, id=volume["id"], zoneid=ids[v.ZONE],
                   mode="FTP_UPLOAD")[0] == 431
    other = cloud.as_user(cloud.new_account(prefix="peeker"))
    assert v.error(other.extractVolume, id=volume["id"], zoneid=ids[v.ZONE],
                   mode="HTTP_DOWNLOAD")[0] == 531

    extracted = user.extractVolume(id=volume["id"], zoneid=ids[v.ZONE], mode="HTTP_DOWNLOAD",
                                   fetch_result=True)["volume"]
    assert (extracted["id"], extracted["extractMode"], extracted["state"]) == (
        volume["id"], "HTTP_DOWNLOAD", "DOWNLOAD_URL_CREATED")
    response = requests.get(extracted["url"], timeout=30)
    assert response.status_code == 200 and response.content[:4] == b"QFI\xfb"
    assert _read_qcow2(response.content, OFFSET, len(DATA)) == DATA
    assert requests.get(extracted["url"] + "x", timeout=30).status_code == 404
    assert "VOLUME.EXTRACT" in {e["type"] for e in user.listEvents(pagesize=-1)["event"]}
