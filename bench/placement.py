"""How long one placement decision takes as a zone grows: 1k, 10k and 50k hosts.

Builds a fresh database per size (SQLite in a temporary directory; also MariaDB when
`--mariadb URL` names an empty database, which is dropped and recreated per size... no:
its host tables are emptied and refilled), with one zone, pods of 1,000 hosts, clusters of
20 hosts each with an NFS pool, and hosts in realistic states: about 20% full, 5% Down or
in Maintenance, a few tagged, a third preferring an OS category. Then times `place()`
(filter, rank, reserve host and pool) for a 2 x 1000 MHz / 2 GB VM with a 20 GB root disk,
each in its own write transaction rolled back afterwards, so every run sees the same data.

    .venv/bin/python bench/placement.py [--sizes 1000,10000,50000] [--runs 21]
                                        [--mariadb mysql+pymysql://USER:PASS@HOST/DB]

Prints the median and p95 in ms per size and per vm.allocation.algorithm.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sqlalchemy import delete, insert, text  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from appliance import schema  # noqa: E402
from appliance.db import SQLITE_BEGIN, Database  # noqa: E402
from appliance.models import (  # noqa: E402
    Cluster,
    Domain,
    Host,
    OsCategory,
    Pod,
    StoragePool,
    Zone,
)
from appliance.services import allocation  # noqa: E402
from appliance.services.allocation import PlacementRequest  # noqa: E402

MIB = 1024 * 1024
GIB = 1024 * MIB
ALGORITHMS = ("firstfit", "firstfitleastconsumed", "random", "userdispersing")


def _ids(n: int) -> list[str]:
    return [str(uuid.uuid4()) for _ in range(n)]


def build(db: Database, hosts: int, seed: int = 7) -> dict[str, str]:
    """One zone of `hosts` hosts; returns the ids a request needs."""
    rng = random.Random(seed)
    schema.upgrade(db)
    with db.session() as s:
        for model in (StoragePool, Host, Cluster, Pod, Zone, OsCategory):
            s.execute(delete(model))
        root = s.query(Domain).filter(Domain.parent_id.is_(None)).one_or_none()
        if root is None:
            root = Domain(name="ROOT", parent_id=None, path="/", level=0)
            s.add(root)
            s.flush()
        linux, windows = str(uuid.uuid4()), str(uuid.uuid4())
        s.execute(insert(OsCategory), [{"id": linux, "name": "Linux"},
                                       {"id": windows, "name": "Windows"}])
        zone_id = str(uuid.uuid4())
        s.execute(insert(Zone), [{"id": zone_id, "name": "bench", "network_type": "Advanced"}])
        pods = _ids(max(1, hosts // 1000))
        s.execute(insert(Pod), [{"id": p, "zone_id": zone_id, "name": f"pod{i}",
                                 "gateway": "10.0.0.1", "netmask": "255.255.0.0",
                                 "start_ip": "10.0.0.10"} for i, p in enumerate(pods)])
        clusters = _ids(max(1, hosts // 20))
        s.execute(insert(Cluster), [{"id": c, "zone_id": zone_id, "pod_id": pods[i % len(pods)],
                                     "name": f"c{i}", "hypervisor": "KVM"}
                                    for i, c in enumerate(clusters)])
        s.execute(insert(StoragePool), [{
            "id": str(uuid.uuid4()), "name": f"nfs{i}", "zone_id": zone_id,
            "pod_id": pods[i % len(pods)], "cluster_id": c, "scope": "CLUSTER",
            "pool_type": "NetworkFilesystem", "url": "nfs://x/y", "path": "/y",
            "capacity_bytes": 10_000 * GIB, "allocated_bytes": rng.randrange(0, 15_000) * GIB,
        } for i, c in enumerate(clusters)])
        rows = []
        for i in range(hosts):
            cluster = i // 20 % len(clusters)
            full = rng.random() < 0.2
            cpu_total, memory = 32 * 2400, 256 * 1024 * MIB
            rows.append({
                "id": str(uuid.uuid4()), "name": f"h{i}", "type": "Routing",
                "zone_id": zone_id, "pod_id": pods[cluster % len(pods)],
                "cluster_id": clusters[cluster], "hypervisor": "KVM", "url": "kvm://h",
                "cpu_count": 32, "cpu_speed_mhz": 2400, "memory": memory,
                "cpu_used_mhz": cpu_total if full else rng.randrange(0, cpu_total // 2),
                "memory_used": memory if full else rng.randrange(0, memory // 2),
                "status": "Down" if rng.random() < 0.03 else "Up",
                "resource_state": "Maintenance" if rng.random() < 0.02 else "Enabled",
                "host_tags": "gpu" if rng.random() < 0.05 else None,
                "os_category_id": (windows if rng.random() < 0.3 else None),
            })
        for start in range(0, len(rows), 5000):
            s.execute(insert(Host), rows[start:start + 5000])
        if db.url.startswith("sqlite"):
            s.execute(text("ANALYZE"))
        return {"zone": zone_id, "domain": root.id, "linux": linux}


@contextmanager
def rolled_back(db: Database) -> Iterator[Session]:
    factory = sessionmaker(db.engine.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"}))
    with factory() as session:
        try:
            yield session
        finally:
            session.rollback()


def measure(db: Database, ids: dict[str, str], algorithm: str, runs: int,
            **extra: Any) -> tuple[float, float]:
    request = PlacementRequest(
        zone_id=ids["zone"], account_id="bench", domain_id=ids["domain"], cpu_number=2,
        cpu_speed_mhz=1000, memory_bytes=2048 * MIB, hypervisor="KVM",
        root_disk_bytes=20 * GIB, vm_name="bench", **extra)
    config = {"vm.allocation.algorithm": algorithm}
    times = []
    for _ in range(runs + 1):
        with rolled_back(db) as session:
            start = time.perf_counter()
            allocation.place(session, request, config=config)
            times.append((time.perf_counter() - start) * 1000)
    times = times[1:]  # the first run warms caches
    return statistics.median(times), statistics.quantiles(times, n=20)[-1]


def run(label: str, url_for: Any, sizes: list[int], runs: int) -> list[tuple[Any, ...]]:
    out = []
    for size in sizes:
        db = Database(url_for(size))
        start = time.perf_counter()
        ids = build(db, size)
        built = time.perf_counter() - start
        print(f"# {label}: {size} hosts built in {built:.1f} s", file=sys.stderr)
        for algorithm in ALGORITHMS:
            med, p95 = measure(db, ids, algorithm, runs)
            out.append((label, size, algorithm, "", med, p95))
        med, p95 = measure(db, ids, "firstfit", runs, os_category_id=ids["linux"])
        out.append((label, size, "firstfit", "OS preference", med, p95))
        med, p95 = measure(db, ids, "firstfit", runs, host_tags=("gpu",))
        out.append((label, size, "firstfit", "host tag", med, p95))
        db.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--mariadb", help="URL of an empty MariaDB database to use as well")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    home = tempfile.mkdtemp(prefix="cirrus-bench-")
    try:
        rows = run("SQLite", lambda n: f"sqlite:///{home}/hosts{n}.db", sizes, args.runs)
        if args.mariadb:
            rows += run("MariaDB", lambda n: args.mariadb, sizes, args.runs)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    print("| backend | hosts | vm.allocation.algorithm | request | median ms | p95 ms |")
    print("|---|---:|---|---|---:|---:|")
    for label, size, algorithm, note, med, p95 in rows:
        print(f"| {label} | {size:,} | {algorithm} | {note or 'plain'} | {med:.2f} | "
              f"{p95:.2f} |")


if __name__ == "__main__":
    main()
