"""vm.allocation.algorithm: vertical (firstfit), horizontal (least consumed), random."""

from __future__ import annotations

from collections import Counter

import pytest

from appliance.db import Database
from appliance.services import allocation, configuration
from appliance.services.allocation import rankers
from tests.unit.services.allocation.fake import ctx, host
from tests.unit.services.allocation.lab import Lab


def _spread(db: Database, lab: Lab, algorithm: str, vms: int) -> Counter[str]:
    placed: Counter[str] = Counter()
    for _ in range(vms):
        with db.session() as session:
            p = allocation.place(session, lab.request(),
                                 config={"vm.allocation.algorithm": algorithm})
            placed[p.host_id] += 1
    return placed


@pytest.fixture()
def lab(db: Database) -> Lab:
    lab = Lab.create(db)
    for _ in range(3):
        lab.host(cpus=4, mhz=1000, memory_mb=65536)  # 4 VMs of 1 x 1000 MHz each
    return lab


def test_firstfit_fills_one_host_before_the_next(db: Database, lab: Lab) -> None:
    placed = _spread(db, lab, "firstfit", 6)
    assert sorted(placed.values()) == [2, 4]


@pytest.mark.parametrize("algorithm", ["firstfitleastconsumed", "roundrobin", "horizontal",
                                       "userdispersing"])
def test_horizontal_spreads_over_hosts(db: Database, lab: Lab, algorithm: str) -> None:
    assert sorted(_spread(db, lab, algorithm, 6).values()) == [2, 2, 2]


def test_random_spreads_where_firstfit_packs(db: Database) -> None:
    lab = Lab.create(db)
    for _ in range(3):
        lab.host(cpus=64, mhz=1000, memory_mb=65536)
    assert len(_spread(db, lab, "firstfit", 30)) == 1
    # Some host unused after 30 random placements: probability 3 x (2/3)^30 < 2e-5.
    assert len(_spread(db, lab, "random", 30)) == 3


@pytest.mark.parametrize("algorithm", ["userconcentratedpod_firstfit",
                                       "userconcentratedpod_random"])
def test_user_concentrated_pod_algorithms_run(db: Database, lab: Lab, algorithm: str) -> None:
    assert sum(_spread(db, lab, algorithm, 3).values()) == 3


def test_default_algorithm_comes_from_configuration(db: Database, lab: Lab) -> None:
    with db.session() as session:
        configuration.set_value(session, "vm.allocation.algorithm", "firstfitleastconsumed")
    try:
        placed: Counter[str] = Counter()
        for _ in range(3):
            with db.session() as session:
                placed[allocation.place(session, lab.request()).host_id] += 1
    finally:
        with db.session() as session:
            configuration.set_value(session, "vm.allocation.algorithm", None)
    assert sorted(placed.values()) == [1, 1, 1]


def test_python_forms_of_the_rankers() -> None:
    hosts = [host("b", cpu_used_mhz=4000), host("a", cpu_used_mhz=1000), host("c")]
    c = ctx()
    assert [h.id for h in rankers.FirstFit().rank(hosts, c)] == ["a", "b", "c"]
    assert [h.id for h in rankers.LeastConsumed().rank(hosts, c)] == ["c", "a", "b"]
    assert sorted(h.id for h in rankers.Random().rank(hosts, c)) == ["a", "b", "c"]
    assert set(rankers.BUILTIN) >= {"firstfit", "random", "firstfitleastconsumed",
                                    "userdispersing", "userconcentratedpod_firstfit",
                                    "userconcentratedpod_random", "roundrobin"}
