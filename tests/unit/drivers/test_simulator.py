"""The simulator driver: capacity from the URL, VM power transitions, injected faults."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from appliance import schema
from appliance.db import Database
from appliance.drivers.hypervisor.base import (
    DriverError,
    HostAccess,
    HostUnreachable,
    PowerState,
    VmSpec,
)
from appliance.drivers.hypervisor.simulator import SimulatorDriver
from appliance.errors import ParamError
from appliance.models import Cluster, Host, Pod, Zone
from appliance.models.simulator import SimulatorFault
from appliance.services import bootstrap, configuration


@pytest.fixture(scope="module")
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    schema.upgrade(database)
    with database.session() as session:
        bootstrap.ensure_root(session)
    yield database
    database.dispose()


_count = iter(range(1_000_000))


def _host(db: Database, url: str = "http://sim/h1?memory=4096") -> HostAccess:
    n = next(_count)
    with db.session() as session:
        zone = Zone(name=f"sim-zone-{n}-{time.time_ns()}", network_type="Advanced")
        session.add(zone)
        session.flush()
        pod = Pod(zone_id=zone.id, name="p", gateway="10.0.0.1", netmask="255.255.255.0",
                  start_ip="10.0.0.10")
        session.add(pod)
        session.flush()
        cluster = Cluster(zone_id=zone.id, pod_id=pod.id, name="c", hypervisor="Simulator")
        session.add(cluster)
        session.flush()
        host = Host(name=f"h{n}", zone_id=zone.id, pod_id=pod.id, cluster_id=cluster.id,
                    hypervisor="Simulator", url=url)
        session.add(host)
        session.flush()
        return HostAccess(id=host.id, name=host.name, url=url, hypervisor="Simulator")


def _spec(name: str, memory: int = 512) -> VmSpec:
    return VmSpec(vm_id=name, instance_name=name, cpus=1, cpu_speed_mhz=500,
                  memory_mib=memory)


def _fault(db: Database, **kwargs: object) -> str:
    with db.session() as session:
        fault = SimulatorFault(**kwargs)
        session.add(fault)
        session.flush()
        return fault.id


def test_detect_defaults_and_url_overrides(db: Database) -> None:
    driver = SimulatorDriver(db)
    facts = driver.detect(_host(db, "http://sim/c1/h1"))
    assert (facts.cpu_count, facts.cpu_speed_mhz, facts.memory) == (8, 2000, 16 * 2**30)
    assert facts.ip_address and facts.version
    small = driver.detect(_host(db, "http://sim/h2?cpus=4&cpuspeed=1000&memory=8192"))
    assert (small.cpu_count, small.cpu_speed_mhz, small.memory) == (4, 1000, 8 * 2**30)
    with db.session() as session:
        configuration.set_value(session, "simulator.host.cpus", "32")
    try:
        assert driver.detect(_host(db, "http://sim/h3")).cpu_count == 32
    finally:
        with db.session() as session:
            configuration.set_value(session, "simulator.host.cpus", None)
    with pytest.raises(ParamError):
        driver.detect(_host(db, "http://sim/h4?memory=0"))


def test_vm_lifecycle_is_idempotent(db: Database) -> None:
    driver = SimulatorDriver(db)
    host = _host(db)
    driver.start(host, _spec("i-2-1-VM"))
    driver.start(host, _spec("i-2-1-VM"))  # already running: nothing happens
    assert driver.power_states(host) == {"i-2-1-VM": PowerState.RUNNING}
    stats = driver.stats(host, "i-2-1-VM")
    assert 0 < stats.cpu_used_pct <= 100 and 0 < stats.memory_kib <= 512 * 1024
    driver.reboot(host, "i-2-1-VM")
    driver.stop(host, "i-2-1-VM", forced=False, timeout=5)
    driver.stop(host, "i-2-1-VM", forced=True, timeout=5)  # stopped already
    assert driver.power_states(host) == {"i-2-1-VM": PowerState.STOPPED}
    assert driver.stats(host, "i-2-1-VM").cpu_used_pct == 0
    with pytest.raises(DriverError):
        driver.reboot(host, "i-2-1-VM")  # only a running VM reboots
    driver.destroy(host, "i-2-1-VM")
    driver.destroy(host, "i-2-1-VM")  # gone already
    assert driver.power_states(host) == {}
    with pytest.raises(DriverError):
        driver.stats(host, "i-2-1-VM")


def test_memory_of_the_host_limits_starts_and_vms_move(db: Database) -> None:
    driver = SimulatorDriver(db)
    host, other = _host(db), _host(db)
    driver.start(host, _spec("i-3-1-VM", 3000))
    with pytest.raises(DriverError, match="MiB free"):
        driver.start(host, _spec("i-3-2-VM", 2000))  # 4096 MiB host
    with pytest.raises(DriverError, match="already running"):
        driver.start(other, _spec("i-3-1-VM", 3000))
    driver.stop(host, "i-3-1-VM", forced=True, timeout=0)
    driver.start(other, _spec("i-3-1-VM", 3000))  # a stopped VM starts elsewhere
    assert driver.power_states(host) == {}
    assert driver.power_states(other) == {"i-3-1-VM": PowerState.RUNNING}


def test_faults_fail_count_down_and_hang(db: Database) -> None:
    driver = SimulatorDriver(db)
    host = _host(db)
    fault_id = _fault(db, host_id=host.id, operation="start", action="fail", remaining=2,
                      message="no more domains")
    for _ in range(2):
        with pytest.raises(DriverError, match="no more domains") as caught:
            driver.start(host, _spec("i-4-1-VM"))
        assert not isinstance(caught.value, HostUnreachable)
    with db.session() as session:
        assert session.get(SimulatorFault, fault_id) is None  # used up
    driver.start(host, _spec("i-4-1-VM"))
    _fault(db, host_id=host.id, operation="*", action="fail")
    with pytest.raises(HostUnreachable):
        driver.ping(host)  # a host-wide failure looks like a host that is down
    with pytest.raises(DriverError):
        driver.stop(host, "i-4-1-VM", forced=True, timeout=0)
    with db.session() as session:
        for fault in session.scalars(select(SimulatorFault).where(
                SimulatorFault.host_id == host.id)):
            session.delete(fault)
    driver.ping(host)
    _fault(db, instance_name="i-4-1-VM", operation="reboot", action="hang", hang_seconds=1,
           remaining=1)
    began = time.monotonic()
    driver.reboot(host, "i-4-1-VM")  # slow, then done
    assert time.monotonic() - began >= 1
    _fault(db, host_id=host.id, operation="ping", action="hang", hang_seconds=1, remaining=1)
    with pytest.raises(HostUnreachable):
        driver.ping(host)  # a ping that slow timed out
    driver.ping(host)
    # a fault naming another VM does not touch this one
    _fault(db, instance_name="i-9-9-VM", operation="*", action="fail")
    driver.stop(host, "i-4-1-VM", forced=False, timeout=1)
    driver.ping(host)
