"""Hypervisor failures injected through the simulator's admin API: a failed start moves on
to another host, a VM that cannot start anywhere ends in Error holding nothing, a failed
stop leaves it running, a forced stop frees it, a hanging host only delays the job."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from cs import CloudStack, CloudStackApiException

from tests.support import datacenter
from tests.support.cloud import Cloud


@pytest.fixture(autouse=True)
def no_faults(cloud: Cloud) -> Iterator[None]:
    yield
    cloud.admin.clearSimulatorFaults()


def _deploy(client: CloudStack, dc: dict[str, str], **extra: Any) -> dict[str, Any]:
    vm: dict[str, Any] = client.deployVirtualMachine(
        zoneid=dc[datacenter.ZONE], serviceofferingid=dc[datacenter.OFFERING],
        templateid=dc[datacenter.TEMPLATE], fetch_result=True, **extra)["virtualmachine"]
    return vm


def _memory(cloud: Cloud) -> int:
    return sum(int(cloud.admin.listHosts(id=dc_host)["host"][0]["memoryallocated"])
               for dc_host in _hosts(cloud))


def _hosts(cloud: Cloud) -> list[str]:
    return [h["id"] for h in cloud.admin.listHosts(type="Routing")["host"]
            if h["name"].startswith("tiny-")]


def test_a_failed_start_moves_to_another_host(cloud: Cloud, dc: dict[str, str]) -> None:
    first, second = dc[datacenter.HOSTS[0]], dc[datacenter.HOSTS[1]]
    cloud.admin.configureSimulatorFault(operation="start", action="fail", hostid=first,
                                        message="disk controller on fire")
    vm = _deploy(cloud.admin, dc, hostid=first)
    assert vm["state"] == "Running" and vm["hostid"] == second
    cloud.admin.destroyVirtualMachine(id=vm["id"], expunge=True, fetch_result=True)


def test_a_vm_that_starts_nowhere_ends_in_error(cloud: Cloud, dc: dict[str, str]) -> None:
    owner = cloud.new_account()
    before = _memory(cloud)
    for host in _hosts(cloud):
        cloud.admin.configureSimulatorFault(operation="start", action="fail", hostid=host,
                                            message="hypervisor refuses")
    with pytest.raises(CloudStackApiException) as caught:
        _deploy(cloud.as_user(owner), dc)
    assert caught.value.error["errorcode"] == 530
    assert "hypervisor refuses" in caught.value.error["errortext"]
    (vm,) = cloud.admin.listVirtualMachines(account=owner.username,
                                            domainid=owner.account["domainid"],
                                            listall=True)["virtualmachine"]
    assert vm["state"] == "Error" and "hostid" not in vm
    assert _memory(cloud) == before
    account = cloud.admin.listAccounts(id=owner.account["id"])["account"][0]
    assert account["vmtotal"] == 0  # a VM that never ran holds no quota
    cloud.admin.destroyVirtualMachine(id=vm["id"], expunge=True, fetch_result=True)


def test_failed_stop_keeps_running_and_forced_stop_frees(cloud: Cloud,
                                                         dc: dict[str, str]) -> None:
    vm = _deploy(cloud.admin, dc)
    cloud.admin.configureSimulatorFault(operation="stop", action="fail", hostid=vm["hostid"],
                                        message="guest ignores ACPI")
    with pytest.raises(CloudStackApiException) as caught:
        cloud.admin.stopVirtualMachine(id=vm["id"], fetch_result=True)
    assert "guest ignores ACPI" in caught.value.error["errortext"]
    running = cloud.admin.listVirtualMachines(id=vm["id"])["virtualmachine"][0]
    assert running["state"] == "Running" and running["hostid"] == vm["hostid"]
    stopped = cloud.admin.stopVirtualMachine(id=vm["id"], forced=True, fetch_result=True)
    assert stopped["virtualmachine"]["state"] == "Stopped"
    cloud.admin.destroyVirtualMachine(id=vm["id"], expunge=True, fetch_result=True)


def test_a_hanging_host_delays_the_job(cloud: Cloud, dc: dict[str, str]) -> None:
    vm = _deploy(cloud.admin, dc)
    cloud.admin.configureSimulatorFault(operation="reboot", action="hang", seconds=3,
                                        hostid=vm["hostid"], count=1)
    job = cloud.admin.rebootVirtualMachine(id=vm["id"])["jobid"]
    time.sleep(1)
    assert cloud.admin.queryAsyncJobResult(jobid=job)["jobstatus"] == 0
    began = time.monotonic()
    while cloud.admin.queryAsyncJobResult(jobid=job)["jobstatus"] == 0:
        assert time.monotonic() - began < 30
        time.sleep(0.2)
    result = cloud.admin.queryAsyncJobResult(jobid=job)
    assert result["jobstatus"] == 1
    assert result["jobresult"]["virtualmachine"]["state"] == "Running"
    cloud.admin.destroyVirtualMachine(id=vm["id"], expunge=True, fetch_result=True)
