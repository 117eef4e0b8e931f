"""place() end to end on a real database: filters in SQL, reservations, errors, plug-ins."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from appliance.db import Database
from appliance.errors import ErrorCode, InsufficientCapacity, InternalError, PermissionDenied
from appliance.models import Host, OsCategory, StoragePool
from appliance.services import allocation, configuration
from appliance.services.allocation import filters, planner, plugins
from appliance.services.allocation.state import HostState, PlanContext, PoolState
from tests.unit.services.allocation.lab import GIB, MIB, Lab, child_domain


def _place(db: Database, request: allocation.PlacementRequest,
           config: dict[str, Any] | None = None) -> allocation.Placement:
    with db.session() as session:
        return allocation.place(session, request, config=config)


def _used(lab: Lab, host_id: str) -> tuple[int, int]:
    host = lab.get(Host, host_id)
    return host.cpu_used_mhz, host.memory_used


def test_place_reserves_host_and_pool_and_release_gives_back(db: Database) -> None:
    lab = Lab.create(db)
    cluster = lab.cluster(pool_gb=None)
    pool_id = lab.pool(cluster_id=cluster, capacity_gb=100)
    host_id = lab.host(cluster)
    placement = _place(db, lab.request(cpu_number=2, cpu_speed_mhz=1500,
                                       memory_bytes=2048 * MIB, root_disk_bytes=10 * GIB,
                                       data_disk_bytes=5 * GIB))
    assert (placement.host_id, placement.cluster_id, placement.pod_id) == (
        host_id, cluster, lab.pod_id)
    assert (placement.root_pool_id, placement.data_pool_id) == (pool_id, pool_id)
    assert (placement.cpu_mhz, placement.memory_bytes) == (3000, 2048 * MIB)
    assert _used(lab, host_id) == (3000, 2048 * MIB)
    assert lab.get(StoragePool, pool_id).allocated_bytes == 15 * GIB
    with db.session() as session:
        allocation.release_host(session, host_id, 3000, 2048 * MIB)
        allocation.release_pool(session, pool_id, 15 * GIB)
    assert _used(lab, host_id) == (0, 0)
    with db.session() as session:  # never below zero
        allocation.release_host(session, host_id, 1, 1)
        allocation.release_pool(session, pool_id, 1)
    assert _used(lab, host_id) == (0, 0)
    assert lab.get(StoragePool, pool_id).allocated_bytes == 0


def test_reserve_helpers_refuse_what_does_not_fit(db: Database) -> None:
    lab = Lab.create(db)
    host_id = lab.host(cpus=2, mhz=1000, memory_mb=1024)
    pool_id = lab.pool(cluster_id=lab.clusters[0], capacity_gb=10, pool_type="IscsiLUN")
    with db.session() as session:
        assert allocation.reserve_host(session, host_id, 2000, 1024 * MIB, cpu_factor=1)
        assert not allocation.reserve_host(session, host_id, 1, 0, cpu_factor=1)
        assert allocation.reserve_host(session, host_id, 1000, 0, cpu_factor=1.5)
        assert not allocation.reserve_host(session, host_id, 0, 1, cpu_factor=4)
        assert allocation.reserve_pool(session, pool_id, 10 * GIB)
        assert not allocation.reserve_pool(session, pool_id, 1)
        # A Host loaded in the session sees the new values.
        host = session.get(Host, host_id)
        assert host is not None and host.cpu_used_mhz == 3000


def test_cpu_over_provisioning_factor_from_configuration(db: Database) -> None:
    lab = Lab.create(db)
    host_id = lab.host(cpus=2, mhz=2000, memory_mb=65536)
    with db.session() as session:
        configuration.set_value(session, "cpu.overprovisioning.factor", "1.5")
    try:
        for _ in range(6):
            _place(db, lab.request(cpu_number=1, cpu_speed_mhz=1000, root_disk_bytes=0))
        with pytest.raises(InsufficientCapacity) as caught:
            _place(db, lab.request(cpu_number=1, cpu_speed_mhz=1000, root_disk_bytes=0))
    finally:
        with db.session() as session:
            configuration.set_value(session, "cpu.overprovisioning.factor", None)
    assert _used(lab, host_id)[0] == 6000
    assert caught.value.code == ErrorCode.INSUFFICIENT_CAPACITY
    assert caught.value.text == (
        "Unable to create a deployment for VM i-2-1-VM: no host with 1 CPUs x 1000 MHz/"
        f"1024 MB free in zone {lab.name}")


def test_memory_is_not_over_provisioned_whatever_the_setting(db: Database) -> None:
    lab = Lab.create(db)
    lab.host(cpus=8, mhz=2000, memory_mb=4096)
    with db.session() as session:
        configuration.set_value(session, "mem.overprovisioning.factor", "4")
    try:
        for _ in range(4):
            _place(db, lab.request(memory_bytes=1024 * MIB, root_disk_bytes=0))
        with pytest.raises(InsufficientCapacity):
            _place(db, lab.request(memory_bytes=1024 * MIB, root_disk_bytes=0))
    finally:
        with db.session() as session:
            configuration.set_value(session, "mem.overprovisioning.factor", None)


def test_storage_tags_and_nfs_over_provisioning(db: Database) -> None:
    lab = Lab.create(db)
    plain = lab.cluster(pool_gb=None)
    lab.pool(cluster_id=plain, capacity_gb=100)
    fast = lab.cluster(pool_gb=None)
    ssd = lab.pool(cluster_id=fast, capacity_gb=10, tags="ssd, fast")
    lab.host(plain)
    fast_host = lab.host(fast)
    # NFS with storage.overprovisioning.factor 2 (the default): 10 GB take 20 GB of disks.
    for _ in range(2):
        p = _place(db, lab.request(root_disk_bytes=10 * GIB, root_storage_tags=("ssd",)))
        assert (p.host_id, p.root_pool_id) == (fast_host, ssd)
    with pytest.raises(InsufficientCapacity) as caught:
        _place(db, lab.request(root_disk_bytes=GIB, root_storage_tags=("ssd",)))
    assert "shared primary storage tagged 'ssd' with 1 GB free for the root disk" in (
        caught.value.text)
    assert "storage" in caught.value.text


def test_local_storage_uses_the_hosts_own_pool(db: Database) -> None:
    lab = Lab.create(db, local_storage_enabled=True)
    cluster = lab.cluster()  # a shared pool too, which a local disk may not use
    a = lab.host(cluster)
    b = lab.host(cluster)
    local_b = lab.pool(host_id=b, capacity_gb=50, pool_type="Filesystem")
    p = _place(db, lab.request(root_disk_bytes=20 * GIB, local_storage=True))
    assert (p.host_id, p.root_pool_id) == (b, local_b)
    lab.pool(host_id=a, capacity_gb=50, pool_type="Filesystem")
    p = _place(db, lab.request(root_disk_bytes=40 * GIB, local_storage=True))
    assert p.host_id == a  # b's local pool (not NFS: no over-provisioning) has 30 GB left


def test_dedicated_zone_refuses_other_domains_with_531(db: Database) -> None:
    acme = child_domain(db, "acme")
    dev = child_domain(db, "dev", acme)
    other = child_domain(db, "other")
    lab = Lab.create(db, domain_id=acme)
    lab.host()
    assert _place(db, lab.request(domain_id=dev)).host_id
    with pytest.raises(PermissionDenied) as caught:
        _place(db, lab.request(domain_id=other))
    assert caught.value.code == ErrorCode.ACCOUNT_ERROR
    assert "is dedicated to domain ROOT/acme" in caught.value.text
    with pytest.raises(PermissionDenied):
        _place(db, lab.request())  # ROOT is not inside acme's subtree


def test_disabled_zone_pod_cluster_and_host_states(db: Database) -> None:
    from appliance.models import Cluster, Zone

    lab = Lab.create(db, allocation_state="Disabled")
    cluster = lab.cluster()
    host_id = lab.host(cluster)
    with pytest.raises(InsufficientCapacity) as caught:
        _place(db, lab.request())
    assert caught.value.text.endswith(f"zone {lab.name} is Disabled")
    assert _place(db, lab.request(allow_disabled=True)).host_id == host_id
    lab.update(Zone, lab.zone_id, allocation_state="Enabled")
    lab.update(Cluster, cluster, allocation_state="Disabled")
    with pytest.raises(InsufficientCapacity) as caught:
        _place(db, lab.request())
    assert "no host in an enabled pod and cluster" in caught.value.text
    lab.update(Cluster, cluster, allocation_state="Enabled")
    lab.update(Host, host_id, resource_state="Maintenance")
    with pytest.raises(InsufficientCapacity) as caught:
        _place(db, lab.request())
    assert "no host Up and Enabled" in caught.value.text


def test_hypervisor_host_tags_and_avoid(db: Database) -> None:
    lab = Lab.create(db)
    kvm = lab.cluster(hypervisor="KVM")
    sim = lab.cluster(hypervisor="Simulator")
    kvm_host = lab.host(kvm, host_tags="gpu,ssd")
    sim_host = lab.host(sim)
    assert _place(db, lab.request(hypervisor="KVM")).host_id == kvm_host
    assert _place(db, lab.request(host_tags=("gpu",))).host_id == kvm_host
    assert _place(db, lab.request(hypervisor="Simulator")).host_id == sim_host
    # The first filter that leaves no host is named (avoid leaves the KVM host).
    req = lab.request(avoid_host_ids=frozenset({sim_host}), hypervisor="Simulator")
    with pytest.raises(InsufficientCapacity) as caught:
        _place(db, req)
    assert caught.value.text.endswith(f"no available Simulator host in zone {lab.name}")
    with pytest.raises(InsufficientCapacity) as caught:
        _place(db, lab.request(avoid_host_ids=frozenset({sim_host, kvm_host})))
    assert "besides the 2 the VM failed to start on" in caught.value.text
    with pytest.raises(InsufficientCapacity) as caught:
        _place(db, lab.request(host_tags=("gpu", "fpga")))
    assert "no available host tagged 'gpu,fpga'" in caught.value.text


def test_os_preference_is_a_preference_not_a_requirement(db: Database) -> None:
    with db.session() as session:
        windows, linux = OsCategory(name="Windows-t"), OsCategory(name="Linux-t")
        session.add_all([windows, linux])
        session.flush()
        win_id, linux_id = windows.id, linux.id
    lab = Lab.create(db)
    cluster = lab.cluster()
    prefers_windows = lab.host(cluster, memory_mb=2048, os_category_id=win_id)
    neutral = lab.host(cluster, memory_mb=2048)
    prefers_linux = lab.host(cluster, memory_mb=2048, os_category_id=linux_id)
    vm = {"memory_bytes": 2048 * MIB}
    order = [_place(db, lab.request(os_category_id=win_id, **vm)).host_id for _ in range(3)]
    # Its preferred host first, then hosts without a preference, then the others.
    assert order == [prefers_windows, neutral, prefers_linux]


def test_preferred_host_and_pinned_volumes(db: Database) -> None:
    lab = Lab.create(db)
    c1, c2 = lab.cluster(), lab.cluster()
    hosts = [lab.host(c1), lab.host(c1), lab.host(c2)]
    for target in hosts:
        assert _place(db, lab.request(preferred_host_id=target)).host_id == target
    assert _place(db, lab.request(required_cluster_id=c2)).host_id == hosts[2]
    with db.session(write=False) as session:
        c2_pool = session.scalar(select(StoragePool.id).where(StoragePool.cluster_id == c2))
    p = _place(db, lab.request(required_pool_ids=(c2_pool,), root_disk_bytes=0))
    assert (p.host_id, p.root_pool_id) == (hosts[2], None)
    with pytest.raises(InsufficientCapacity) as caught:
        _place(db, lab.request(required_pool_ids=(c2_pool,),
                               avoid_host_ids=frozenset({hosts[2]})))
    assert "reaches the VM's volumes" in caught.value.text or "besides" in caught.value.text


def _liar(pools: list[PoolState], disk: Any, host: Any, ctx: Any) -> list[PoolState]:
    """A storage allocator that offers a full pool: the reservation must fail cleanly."""
    return [PoolState(**{**pools[0].__dict__, "id": FULL_POOL[0]})]


FULL_POOL: list[str] = []


def test_host_won_without_a_pool_is_released(db: Database) -> None:
    lab = Lab.create(db)
    hosts = [lab.host(), lab.host()]
    FULL_POOL[:] = [lab.pool(cluster_id=lab.clusters[0], capacity_gb=1, pool_type="IscsiLUN",
                             allocated_bytes=GIB)]
    here = f"{__name__}:_liar"
    with pytest.raises(InsufficientCapacity):
        _place(db, lab.request(), config={"storage.pool.allocator": here})
    assert [_used(lab, h) for h in hosts] == [(0, 0), (0, 0)]


def only_second_host(host: HostState, ctx: PlanContext) -> bool:
    """A third-party filter as a plain function: hosts whose name ends in '-b'."""
    return host.name.endswith("-b")


class NoHostsNamedC:
    """A third-party filter class with a SQL form."""

    name = "no_c"

    def where(self, ctx: PlanContext) -> Any:
        return Host.name.not_like("%-c")

    def passes(self, host: HostState, ctx: PlanContext) -> bool:
        return not host.name.endswith("-c")

    def reason(self, ctx: PlanContext) -> str:
        return "every host is named c"


def test_third_party_filters_from_configuration(db: Database) -> None:
    lab = Lab.create(db)
    a, b, c = (lab.host() for _ in range(3))
    for host_id, suffix in ((a, "a"), (b, "b"), (c, "c")):
        lab.update(Host, host_id, name=f"{lab.name}-{suffix}")
    spec = f"default,{__name__}:only_second_host"
    with db.session() as session:
        configuration.set_value(session, "host.allocators.filters", spec)
    try:
        for _ in range(3):
            assert _place(db, lab.request()).host_id == b
    finally:
        with db.session() as session:
            configuration.set_value(session, "host.allocators.filters", None)
    only_c = f"default,{__name__}:NoHostsNamedC"
    assert _place(db, lab.request(), config={"host.allocators.filters": only_c}).host_id != c
    lab.update(Host, a, status="Down")
    lab.update(Host, b, status="Down")
    with pytest.raises(InsufficientCapacity) as caught:
        _place(db, lab.request(), config={"host.allocators.filters": only_c})
    assert caught.value.text.endswith("every host is named c")


def test_plugins_by_entry_point_and_unknown_names(db: Database,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    class EntryPoint:
        def load(self) -> Any:
            return only_second_host

    def entry_points(group: str, name: str) -> list[Any]:
        return [EntryPoint()] if (group, name) == (plugins.FILTERS, "second") else []

    monkeypatch.setattr(plugins, "entry_points", entry_points)
    plugins._load.cache_clear()
    lab = Lab.create(db)
    lab.host()
    b = lab.host()
    lab.update(Host, b, name=f"{lab.name}-b")
    assert _place(db, lab.request(), config={"host.allocators.filters": "second"}).host_id == b
    with pytest.raises(InternalError) as caught:
        _place(db, lab.request(), config={"vm.allocation.algorithm": "bestfit"})
    assert "Unknown host ranker 'bestfit'" in caught.value.text
    plugins._load.cache_clear()


def test_candidates_is_a_dry_run(db: Database) -> None:
    lab = Lab.create(db)
    hosts = sorted(lab.host() for _ in range(3))
    with db.session() as session:
        found = allocation.candidates(session, lab.request())
    assert [h.id for h in found] == hosts  # firstfit: by id
    assert all(_used(lab, h) == (0, 0) for h in hosts)


def test_sql_and_python_forms_of_each_filter_agree(db: Database) -> None:
    """Each built-in filter's WHERE clause keeps exactly the hosts its predicate passes."""
    lab = Lab.create(db)
    c1 = lab.cluster(pool_gb=20)
    c2 = lab.cluster(hypervisor="KVM", pool_gb=None)
    lab.pool(cluster_id=c2, capacity_gb=50, tags="ssd", pool_type="IscsiLUN")
    specs = [
        dict(cpus=1, mhz=1000), dict(cpus=4, mhz=3000, host_tags="gpu"),
        dict(cpus=8, mhz=2000, cpu_used_mhz=15000), dict(memory_mb=1024),
        dict(status="Down"), dict(resource_state="Maintenance", host_tags="gpu, ssd"),
    ]
    for i, spec in enumerate(specs * 2):
        lab.host(c1 if i % 2 else c2, **spec)  # type: ignore[arg-type]
    requests = [
        lab.request(cpu_number=2, cpu_speed_mhz=2000, memory_bytes=2048 * MIB),
        lab.request(host_tags=("gpu",), hypervisor="KVM", root_storage_tags=("ssd",),
                    root_disk_bytes=40 * GIB),
        lab.request(root_disk_bytes=30 * GIB, cpu_number=1, cpu_speed_mhz=500),
    ]
    with db.session(write=False) as session:
        for request in requests:
            plan = planner.planner(session, request)
            everything = planner.Planner(plan.ctx, (), plan.ranker, plan.allocator, 10_000)
            states = planner._batch(session, everything, ())
            assert len(states) == len(specs) * 2
            for f, clause in plan.sql_filters:
                sql = set(session.scalars(select(Host.id).where(
                    Host.zone_id == lab.zone_id, clause)))
                python = {h.id for h in states if f.passes(h, plan.ctx)}
                assert sql == python, f.name
    assert set(filters.DEFAULT_CHAIN) == set(filters.BUILTIN)
