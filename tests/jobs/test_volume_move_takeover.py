"""A volume move between clusters cut short by a dead process: the job is resumed by the
next start, gives back the room the first attempt reserved, and the volume arrives once,
with its data, nothing left on secondary storage."""

from __future__ import annotations

import os
import signal
import tempfile

from tests.support import server
from tests.support import volumes as v
from tests.support.cloud import Cloud
from tests.support.waiting import eventually

DATA = b"written-before-the-crash"
OFFSET = 3 * 1024**2 + 7


def _allocated(cloud: Cloud, pool_id: str) -> int:
    allocated: int = cloud.admin.listStoragePools(id=pool_id)["storagepool"][0][
        "disksizeallocated"]
    return allocated


def test_a_move_resumed_after_a_crash_reserves_once(database_url: str) -> None:
    home = tempfile.mkdtemp(prefix="cirrus-move-")
    creds = server.init(database_url, home)
    first = server.start(database_url, home=home)
    cloud = Cloud(first, creds["apikey"], creds["secretkey"], creds["password"])
    second: server.Server | None = None
    try:
        ids = v.build(cloud)
        owner = cloud.new_account(prefix="crash")
        user = cloud.as_user(owner)
        vm1 = v.deploy(cloud, ids, owner, cluster=1)
        vm2 = v.deploy(cloud, ids, owner, cluster=2)
        volume = user.createVolume(zoneid=ids[v.ZONE], diskofferingid=ids[v.SMALL],
                                   fetch_result=True)["volume"]
        user.attachVolume(id=volume["id"], virtualmachineid=vm1["id"], fetch_result=True)
        old_pool = str(v.pool_of(cloud, volume["id"]))
        v.write(cloud, old_pool, volume["id"], OFFSET, DATA)
        user.detachVolume(id=volume["id"], fetch_result=True)
        (target,) = v.pools_of(ids, 2)
        old_before, target_before = _allocated(cloud, old_pool), _allocated(cloud, target)

        # The import into cluster 2 hangs; the process dies while it does.
        cloud.admin.configureSimulatorFault(hostid=ids[v.HOSTS[1]], operation="import_volume",
                                            action="hang", seconds=600, count=1)
        job = user.attachVolume(id=volume["id"], virtualmachineid=vm2["id"])["jobid"]
        eventually(lambda: _allocated(cloud, target) == target_before + v.GIB, 30,
                   "the move to reserve room in cluster 2's pool", interval=0.1)
        assert v.volume(user, volume["id"])["state"] == "Migrating"
        first.kill(signal.SIGKILL)

        second = server.start(database_url, home=home)
        cloud = Cloud(second, creds["apikey"], creds["secretkey"], creds["password"])
        user = cloud.as_user(owner)
        done = eventually(lambda: (lambda r: r if r["jobstatus"] != 0 else None)(
            user.queryAsyncJobResult(jobid=job)), 60, "the resumed move to end")
        assert done["jobstatus"] == 1, done
        moved = v.volume(user, volume["id"])
        assert (moved["state"], moved["virtualmachineid"]) == ("Ready", vm2["id"])
        assert v.pool_of(cloud, volume["id"]) == target
        assert v.read(cloud, target, volume["id"], OFFSET, len(DATA)) == DATA
        # Reserved once in the target (not once per attempt), released in the source.
        assert _allocated(cloud, target) == target_before + v.GIB
        assert _allocated(cloud, old_pool) == old_before - v.GIB
        assert not os.path.exists(v.volume_file(cloud, old_pool, volume["id"]))
        copies = os.path.join(v.secondary_dir(cloud), "volumes", owner.account["id"])
        assert not os.path.isdir(copies) or os.listdir(copies) == []
    finally:
        first.kill(signal.SIGKILL)
        if second is not None:
            second.stop()
