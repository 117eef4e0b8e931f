"""Primary storage maintenance (seed §7.1.2) on simulated hosts: entering stops exactly the
VMs with a volume on the pool and keeps new volumes off it; cancelling brings it back and
starts the VMs that were running; a stop that fails leaves ErrorInMaintenance."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from cs import CloudStack, CloudStackApiException

from tests.support import datacenter
from tests.support.cloud import Cloud

ALPHA = "tiny/tiny-pod/tiny-cluster/tiny-primary"
BETA = "tiny/tiny-pod/tiny-cluster/tiny-beta"


def _spec() -> dict[str, Any]:
    """The tiny datacenter with two pools in its cluster and offerings pinned to each."""
    with open(datacenter.TINY) as handle:
        spec: dict[str, Any] = yaml.safe_load(handle)
    cluster = spec["zones"][0]["pods"][0]["clusters"][0]
    cluster["primary_storage"] = [
        {"name": "tiny-primary", "url": "nfs://203.0.113.10/export/primary/tiny",
         "tags": "alpha"},
        {"name": "tiny-beta", "url": "nfs://203.0.113.11/export/primary/beta", "tags": "beta"},
    ]
    base = spec["service_offerings"][0]
    spec["service_offerings"] += [
        {**copy.deepcopy(base), "name": "on-alpha", "tags": "alpha"},
        {**copy.deepcopy(base), "name": "on-beta", "tags": "beta"},
    ]
    return spec


@pytest.fixture(scope="module")
def dc(cloud: Cloud) -> dict[str, str]:
    return datacenter.build(cloud, _spec())


def _error(call: Any, **kwargs: Any) -> dict[str, Any]:
    """errorcode/errortext of a call that fails, at once or in its job."""
    with pytest.raises(CloudStackApiException) as caught:
        call(fetch_result=True, **kwargs)
    error = caught.value.error
    if isinstance(error, dict) and "errorcode" in error:
        return error
    inner: dict[str, Any] = next(iter(caught.value.response.json().values()))
    return inner


def _deploy(client: CloudStack, dc: dict[str, str], offering: str) -> dict[str, Any]:
    vm: dict[str, Any] = client.deployVirtualMachine(
        zoneid=dc[datacenter.ZONE], serviceofferingid=dc[offering],
        templateid=dc[datacenter.TEMPLATE], fetch_result=True)["virtualmachine"]
    return vm


def _states(client: CloudStack, *vms: dict[str, Any]) -> list[str]:
    return [client.listVirtualMachines(id=vm["id"], listall=True)["virtualmachine"][0]["state"]
            for vm in vms]


def _pool(client: CloudStack, pool_id: str) -> dict[str, Any]:
    pool: dict[str, Any] = client.listStoragePools(id=pool_id)["storagepool"][0]
    return pool


def test_maintenance_stops_the_pools_vms_and_cancel_restarts_those_that_ran(
        cloud: Cloud, dc: dict[str, str]) -> None:
    admin = cloud.admin
    user = cloud.as_user(cloud.new_account())
    running = _deploy(user, dc, "on-alpha")
    stopped = _deploy(user, dc, "on-alpha")
    user.stopVirtualMachine(id=stopped["id"], fetch_result=True)
    elsewhere = _deploy(user, dc, "on-beta")

    entered = admin.enableStorageMaintenance(id=dc[ALPHA], fetch_result=True)["storagepool"]
    assert entered["id"] == dc[ALPHA] and entered["state"] == "Maintenance"
    assert _pool(admin, dc[ALPHA])["state"] == "Maintenance"
    assert _states(admin, running, stopped, elsewhere) == ["Stopped", "Stopped", "Running"]

    # no new volume lands on the pool; a VM whose disk is there cannot start
    allocated = _pool(admin, dc[ALPHA])["disksizeallocated"]
    assert _error(user.deployVirtualMachine, zoneid=dc[datacenter.ZONE],
                  serviceofferingid=dc["on-alpha"],
                  templateid=dc[datacenter.TEMPLATE])["errorcode"] == 533
    anywhere = _deploy(user, dc, datacenter.OFFERING)
    assert anywhere["state"] == "Running"
    assert _pool(admin, dc[ALPHA])["disksizeallocated"] == allocated
    assert _error(user.startVirtualMachine, id=running["id"])["errorcode"] == 533
    assert _error(admin.enableStorageMaintenance, id=dc[ALPHA])["errorcode"] == 431
    assert _error(admin.updateStoragePool, id=dc[ALPHA], enabled=True)["errorcode"] == 431

    back = admin.cancelStorageMaintenance(id=dc[ALPHA], fetch_result=True)["storagepool"]
    assert back["state"] == "Up"
    assert _states(admin, running, stopped, elsewhere) == ["Running", "Stopped", "Running"]
    assert _error(admin.cancelStorageMaintenance, id=dc[ALPHA])["errorcode"] == 534
    assert _deploy(user, dc, "on-alpha")["state"] == "Running"
    types = {(e["type"], e["state"], e["level"]) for e in admin.listEvents()["event"]}
    assert ("MAINT.PREPARE.PS", "Completed", "INFO") in types
    assert ("MAINT.CANCEL.PS", "Completed", "INFO") in types
    regular = cloud.as_user(cloud.new_account())
    assert _error(regular.enableStorageMaintenance, id=dc[ALPHA])["errorcode"] == 432


def test_a_stop_that_fails_leaves_error_in_maintenance_and_a_retry_goes_on(
        cloud: Cloud, dc: dict[str, str]) -> None:
    admin = cloud.admin
    first, second = _deploy(admin, dc, "on-beta"), _deploy(admin, dc, "on-beta")
    name = admin.listVirtualMachines(id=second["id"])["virtualmachine"][0]["instancename"]
    admin.configureSimulatorFault(operation="stop", action="fail", instancename=name,
                                  count=1, message="guest ignores ACPI")
    error = _error(admin.enableStorageMaintenance, id=dc[BETA])
    assert error["errorcode"] == 530
    assert "guest ignores ACPI" in error["errortext"] and "tiny-beta" in error["errortext"]
    assert _pool(admin, dc[BETA])["state"] == "ErrorInMaintenance"
    assert _states(admin, first, second) == ["Stopped", "Running"]
    failed = [e for e in admin.listEvents(type="MAINT.PREPARE.PS")["event"]
              if e["level"] == "ERROR"]
    assert failed and "guest ignores ACPI" in failed[0]["description"]

    again = admin.enableStorageMaintenance(id=dc[BETA], fetch_result=True)["storagepool"]
    assert again["state"] == "Maintenance"
    assert _states(admin, first, second) == ["Stopped", "Stopped"]
    # both ran when maintenance began, the first one stopped by the failed attempt
    admin.cancelStorageMaintenance(id=dc[BETA], fetch_result=True)
    assert _states(admin, first, second) == ["Running", "Running"]

    # cancelling a failed entry also starts again what that attempt stopped
    admin.configureSimulatorFault(operation="stop", action="fail", instancename=name,
                                  count=1, message="still stuck")
    assert _error(admin.enableStorageMaintenance, id=dc[BETA])["errorcode"] == 530
    assert _states(admin, first, second) == ["Stopped", "Running"]
    assert admin.cancelStorageMaintenance(id=dc[BETA], fetch_result=True)[
        "storagepool"]["state"] == "Up"
    assert _states(admin, first, second) == ["Running", "Running"]
