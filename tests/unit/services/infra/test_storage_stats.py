"""The storage stats task: image stores Up or Down by their marker, measured while Up; a
pool an Up host mounts gets what that host's driver measures (on the simulator, the bytes
its volume files take); one no Up host mounts keeps its figures."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from appliance import schema
from appliance.db import Database
from appliance.drivers.hypervisor.simulator import volume_file
from appliance.models import Cluster, Host, ImageStore, Pod, StoragePool, Zone
from appliance.models.infra import HostStatus, StoragePoolType
from appliance.services import bootstrap
from appliance.services.infra.storage_stats import check_storage
from appliance.services.storage import secondary


@pytest.fixture(scope="module")
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    schema.upgrade(database)
    with database.session() as session:
        bootstrap.ensure_root(session)
    yield database
    database.dispose()


def test_stores_follow_their_marker_and_pools_their_volume_files(
        db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIRRUS_HOME", str(tmp_path / "home"))
    root = tmp_path / "secondary"
    root.mkdir()
    with db.session() as session:
        zone = Zone(name="stats-zone", network_type="Basic")
        session.add(zone)
        session.flush()
        store = ImageStore(name="stats-store", zone_id=zone.id, url=f"file://{root}",
                           protocol="file", local_path=str(root), state="Down")
        pod = Pod(zone_id=zone.id, name="stats-pod", gateway="10.9.0.1",
                  netmask="255.255.255.0", start_ip="10.9.0.10")
        session.add(pod)
        session.flush()
        clusters = [Cluster(zone_id=zone.id, pod_id=pod.id, name=f"stats-{n}",
                            hypervisor="Simulator") for n in (1, 2)]
        session.add_all(clusters)
        session.flush()
        session.add(Host(name="stats-host", zone_id=zone.id, pod_id=pod.id,
                         cluster_id=clusters[0].id, hypervisor="Simulator",
                         url="http://sim/stats-host", status=HostStatus.UP))
        # "elsewhere" belongs to a cluster with no Up host: nobody measures it.
        pools = [StoragePool(name=name, zone_id=zone.id, cluster_id=cluster.id,
                             pool_type=StoragePoolType.NFS, url=f"nfs://h/{name}",
                             path=f"/{name}", capacity_bytes=2**30, used_bytes=7)
                 for name, cluster in zip(("written", "elsewhere"), clusters, strict=True)]
        session.add_all([store, *pools])
        session.flush()
        store_id, written_id, elsewhere_id = store.id, pools[0].id, pools[1].id
    secondary.mark(str(root), store_id)
    os.makedirs(os.path.dirname(volume_file(elsewhere_id, "x")))
    with open(volume_file(elsewhere_id, "a-volume"), "wb") as handle:
        handle.write(os.urandom(2**20))  # would count, were it measured
    disk = volume_file(written_id, "a-volume")
    os.makedirs(os.path.dirname(disk))
    with open(disk, "wb") as handle:
        handle.write(os.urandom(2**20))
    with open(volume_file(written_id, "a-sparse-volume"), "wb") as handle:
        handle.truncate(2**30)  # a thin disk nobody wrote: no blocks

    assert check_storage(db)[store_id] == "Up"
    with db.session(write=False) as session:
        up = session.get(ImageStore, store_id)
        written = session.get(StoragePool, written_id)
        elsewhere = session.get(StoragePool, elsewhere_id)
        assert up is not None and written is not None and elsewhere is not None
        assert up.state == "Up" and up.capacity_bytes > up.used_bytes > 0
        assert 2**20 <= written.used_bytes < 2**30
        assert written.capacity_bytes == 2**30  # the simulator does not tell capacities
        assert elsewhere.used_bytes == 7  # no Up host mounts it

    os.unlink(root / secondary.MARKER)
    assert check_storage(db)[store_id] == "Down"
    with db.session(write=False) as session:
        down = session.get(ImageStore, store_id)
        assert down is not None and down.state == "Down" and down.capacity_bytes > 0
