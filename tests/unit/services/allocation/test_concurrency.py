"""Capacity for exactly 10 VMs, 50 concurrent placements: exactly 10 win, on both backends.

Each caller places in its own write session, as concurrent deployments on one or several
management servers do; there is no lock in the process, only conditional UPDATEs.
"""

from __future__ import annotations

import multiprocessing
import threading
from typing import Any

from sqlalchemy import select

from appliance.db import Database
from appliance.errors import InsufficientCapacity
from appliance.models import Host, StoragePool
from appliance.services import allocation
from tests.unit.services.allocation.lab import GIB, MIB, Lab

VM = {"cpu_number": 1, "cpu_speed_mhz": 1000, "memory_bytes": 1024 * MIB}


def _attempt(db: Database, request: allocation.PlacementRequest,
             config: dict[str, Any] | None = None) -> bool:
    try:
        with db.session() as session:
            allocation.place(session, request, config=config)
        return True
    except InsufficientCapacity:
        return False


def _thread_race(db: Database, request: allocation.PlacementRequest, callers: int,
                 config: dict[str, Any] | None = None) -> list[bool]:
    results: list[bool] = []
    lock = threading.Lock()  # only guards the test's own result list
    start = threading.Barrier(callers)

    def worker() -> None:
        start.wait(60)
        won = _attempt(db, request, config)
        with lock:
            results.append(won)

    threads = [threading.Thread(target=worker) for _ in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    assert len(results) == callers, "a placement hung"
    return results


def _hosts_within_caps(db: Database, lab: Lab) -> list[tuple[int, int]]:
    with db.session(write=False) as session:
        hosts = session.scalars(select(Host).where(Host.zone_id == lab.zone_id)).all()
        for h in hosts:
            assert h.cpu_used_mhz <= h.cpu_count * h.cpu_speed_mhz
            assert h.memory_used <= h.memory
        return [(h.cpu_used_mhz, h.memory_used) for h in hosts]


def test_fifty_threads_ten_slots_of_host_capacity(db: Database) -> None:
    lab = Lab.create(db)
    cluster = lab.cluster(pool_gb=10_000)
    for cpus in (4, 3, 2, 1):  # 10 slots of 1 x 1000 MHz over four hosts
        lab.host(cluster, cpus=cpus, mhz=1000, memory_mb=65536)
    results = _thread_race(db, lab.request(**VM), 50)
    assert results.count(True) == 10 and results.count(False) == 40
    used = _hosts_within_caps(db, lab)
    assert sum(cpu for cpu, _ in used) == 10_000
    assert sum(mem for _, mem in used) == 10 * 1024 * MIB


def test_fifty_threads_ten_slots_of_pool_capacity_horizontal(db: Database) -> None:
    """The pool is the limit: hosts won without a pool are released, none stays reserved."""
    lab = Lab.create(db)
    cluster = lab.cluster(pool_gb=None)
    pool_id = lab.pool(cluster_id=cluster, capacity_gb=100, pool_type="IscsiLUN")
    for _ in range(5):
        lab.host(cluster, cpus=16, mhz=2000, memory_mb=65536)
    results = _thread_race(db, lab.request(root_disk_bytes=10 * GIB, **VM), 50,
                           {"vm.allocation.algorithm": "firstfitleastconsumed"})
    assert results.count(True) == 10
    used = _hosts_within_caps(db, lab)
    assert sum(cpu for cpu, _ in used) == 10_000
    with db.session(write=False) as session:
        pool = session.get(StoragePool, pool_id)
        assert pool is not None and pool.allocated_bytes == 100 * GIB


def _process_race(url: str, request: allocation.PlacementRequest, attempts: int,
                  out: multiprocessing.Queue) -> None:
    database = Database(url)
    out.put(sum(_attempt(database, request) for _ in range(attempts)))
    database.dispose()


def test_spawned_processes_share_ten_slots(db: Database) -> None:
    lab = Lab.create(db)
    cluster = lab.cluster(pool_gb=10_000)
    lab.host(cluster, cpus=6, mhz=1000, memory_mb=65536)
    lab.host(cluster, cpus=8, mhz=1000, memory_mb=4096)  # memory: 4 slots
    spawn = multiprocessing.get_context("spawn")
    out: multiprocessing.Queue = spawn.Queue()
    procs = [spawn.Process(target=_process_race, args=(db.url, lab.request(**VM), 5, out))
             for _ in range(4)]
    for proc in procs:
        proc.start()
    total = sum(out.get(timeout=300) for _ in procs)
    for proc in procs:
        proc.join(60)
    assert total == 10
    used = sorted(_hosts_within_caps(db, lab))
    assert used == [(4000, 4096 * MIB), (6000, 6144 * MIB)]
