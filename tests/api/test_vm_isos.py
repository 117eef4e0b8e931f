"""ISOs in VMs' drives: attachIso/detachIso on running and stopped simulated VMs, what
they refuse, and a blank VM booting from a bootable ISO (seed §7.6)."""

from __future__ import annotations

from typing import Any

import pytest
from cs import CloudStack, CloudStackApiException

from tests.support import datacenter
from tests.support.cloud import Cloud
from tests.support.waiting import eventually

IMAGE = "/demo/templates/centos56-x86_64-simulator.qcow2"


def _error(call: Any, **kwargs: Any) -> dict[str, Any]:
    """errorcode/errortext of a call that fails, at once or in its job."""
    with pytest.raises(CloudStackApiException) as caught:
        call(fetch_result=True, **kwargs)
    error = caught.value.error
    if isinstance(error, dict) and "errorcode" in error:
        return error
    inner: dict[str, Any] = next(iter(caught.value.response.json().values()))
    return inner


def _iso(client: CloudStack, cloud: Cloud, dc: dict[str, str], name: str, *,
         bootable: bool = False, path: str = IMAGE, wait: bool = True,
         **extra: Any) -> dict[str, Any]:
    iso: dict[str, Any] = client.registerIso(
        name=name, displaytext=f"{name} disc", url=f"{cloud.server.base}{path}",
        zoneid=dc[datacenter.ZONE], bootable=bootable, **extra)["iso"][0]

    def settled() -> dict[str, Any] | None:
        found: dict[str, Any] = cloud.admin.listIsos(isofilter="all", id=iso["id"])["iso"][0]
        done = found.get("isready") or "Error" in str(found.get("status")) or \
            "404" in str(found.get("status"))
        return found if done else None

    return eventually(settled, 30, f"ISO {name} downloaded", 0.1) if wait else iso


def _deploy(client: CloudStack, dc: dict[str, str], **extra: Any) -> dict[str, Any]:
    args = {"zoneid": dc[datacenter.ZONE], "serviceofferingid": dc[datacenter.OFFERING],
            "templateid": dc[datacenter.TEMPLATE], **extra}
    vm: dict[str, Any] = client.deployVirtualMachine(fetch_result=True, **args)[
        "virtualmachine"]
    return vm


def _vm(client: CloudStack, vm_id: str) -> dict[str, Any]:
    found: dict[str, Any] = client.listVirtualMachines(id=vm_id, listall=True)[
        "virtualmachine"][0]
    return found


def test_attach_detach_on_running_and_stopped_vms(cloud: Cloud, dc: dict[str, str]) -> None:
    owner = cloud.new_account()
    user = cloud.as_user(owner)
    tools = _iso(user, cloud, dc, "tools")  # not bootable: it attaches all the same
    drivers = _iso(user, cloud, dc, "drivers")
    assert tools["isready"] and tools["bootable"] is False
    vm = _deploy(user, dc)
    assert "isoid" not in vm

    attached = user.attachIso(id=tools["id"], virtualmachineid=vm["id"],
                              fetch_result=True)["virtualmachine"]
    assert (attached["isoid"], attached["isoname"], attached["isodisplaytext"]) == (
        tools["id"], "tools", "tools disc")
    assert attached["state"] == "Running" and attached["templateid"] == dc[
        datacenter.TEMPLATE]
    assert _vm(user, vm["id"])["isoid"] == tools["id"]
    # one drive: a second ISO waits until the first is detached
    error = _error(user.attachIso, id=drivers["id"], virtualmachineid=vm["id"])
    assert error["errorcode"] == 431 and "detach" in error["errortext"]

    detached = user.detachIso(virtualmachineid=vm["id"], fetch_result=True)["virtualmachine"]
    assert "isoid" not in detached and "isoname" not in detached
    assert _error(user.detachIso, virtualmachineid=vm["id"])["errorcode"] == 431

    # a stopped VM only records the ISO; its next start carries it
    user.stopVirtualMachine(id=vm["id"], fetch_result=True)
    stopped = user.attachIso(id=drivers["id"], virtualmachineid=vm["id"],
                             fetch_result=True)["virtualmachine"]
    assert stopped["state"] == "Stopped" and stopped["isoid"] == drivers["id"]
    started = user.startVirtualMachine(id=vm["id"], fetch_result=True)["virtualmachine"]
    assert started["state"] == "Running" and started["isoid"] == drivers["id"]
    user.stopVirtualMachine(id=vm["id"], fetch_result=True)
    assert "isoid" not in user.detachIso(virtualmachineid=vm["id"],
                                         fetch_result=True)["virtualmachine"]

    events = cloud.admin.listEvents(account=owner.username,
                                    domainid=owner.account["domainid"])["event"]
    done = [(e["type"], e["state"], e["level"]) for e in events]
    assert done.count(("ISO.ATTACH", "Completed", "INFO")) == 2
    assert done.count(("ISO.DETACH", "Completed", "INFO")) == 2
    cloud.admin.destroyVirtualMachine(id=vm["id"], expunge=True, fetch_result=True)


def test_a_failed_insert_leaves_the_drive_empty(cloud: Cloud, dc: dict[str, str]) -> None:
    iso = _iso(cloud.admin, cloud, dc, "flaky", ispublic=True)
    vm = _deploy(cloud.admin, dc)
    name = _vm(cloud.admin, vm["id"])["instancename"]
    cloud.admin.configureSimulatorFault(operation="insert_iso", action="fail", count=1,
                                        instancename=name, message="tray is jammed")
    error = _error(cloud.admin.attachIso, id=iso["id"], virtualmachineid=vm["id"])
    assert error["errorcode"] == 530 and "tray is jammed" in error["errortext"]
    assert "isoid" not in _vm(cloud.admin, vm["id"])
    again = cloud.admin.attachIso(id=iso["id"], virtualmachineid=vm["id"],
                                  fetch_result=True)["virtualmachine"]
    assert again["isoid"] == iso["id"]
    cloud.admin.configureSimulatorFault(operation="eject_iso", action="fail", count=1,
                                        instancename=name, message="tray is stuck")
    error = _error(cloud.admin.detachIso, virtualmachineid=vm["id"])
    assert error["errorcode"] == 530 and "tray is stuck" in error["errortext"]
    assert _vm(cloud.admin, vm["id"])["isoid"] == iso["id"]  # still in the drive
    cloud.admin.detachIso(virtualmachineid=vm["id"], fetch_result=True)
    cloud.admin.destroyVirtualMachine(id=vm["id"], expunge=True, fetch_result=True)
    cloud.admin.deleteIso(id=iso["id"], fetch_result=True)


def test_what_attach_and_detach_refuse(cloud: Cloud, dc: dict[str, str]) -> None:
    owner, other = cloud.new_account(), cloud.new_account()
    user, stranger = cloud.as_user(owner), cloud.as_user(other)
    theirs = _iso(stranger, cloud, dc, "theirs")
    broken = _iso(user, cloud, dc, "broken", path="/demo/templates/missing.iso")
    assert not broken.get("isready")
    mine = _iso(user, cloud, dc, "mine")
    vm = _deploy(user, dc)
    unknown = "00000000-0000-4000-8000-000000000000"

    assert _error(user.attachIso, id=theirs["id"], virtualmachineid=vm["id"])[
        "errorcode"] == 531
    assert _error(user.attachIso, id=unknown, virtualmachineid=vm["id"])["errorcode"] == 431
    # a template is not an ISO
    assert _error(user.attachIso, id=dc[datacenter.TEMPLATE], virtualmachineid=vm["id"])[
        "errorcode"] == 431
    error = _error(user.attachIso, id=broken["id"], virtualmachineid=vm["id"])
    assert error["errorcode"] == 431 and "not ready" in error["errortext"]
    assert _error(stranger.attachIso, id=mine["id"], virtualmachineid=vm["id"])[
        "errorcode"] == 531
    assert _error(user.attachIso, id=mine["id"], virtualmachineid=unknown)["errorcode"] == 431
    # an administrator cannot put an ISO the VM's owner may not use into its drive
    assert _error(cloud.admin.attachIso, id=theirs["id"], virtualmachineid=vm["id"])[
        "errorcode"] == 531

    user.attachIso(id=mine["id"], virtualmachineid=vm["id"], fetch_result=True)
    error = _error(user.deleteIso, id=mine["id"])
    assert error["errorcode"] == 431 and vm["id"] in error["errortext"]
    assert _error(stranger.detachIso, virtualmachineid=vm["id"])["errorcode"] == 531

    user.destroyVirtualMachine(id=vm["id"], fetch_result=True)
    admin = cloud.admin  # a destroyed VM is the administrators' to see
    error = _error(admin.detachIso, virtualmachineid=vm["id"])
    assert error["errorcode"] == 431 and "Stopped or Running" in error["errortext"]
    assert _error(admin.attachIso, id=mine["id"], virtualmachineid=vm["id"])[
        "errorcode"] == 431
    admin.destroyVirtualMachine(id=vm["id"], expunge=True, fetch_result=True)
    user.deleteIso(id=mine["id"], fetch_result=True)  # free once its VM is gone
    left = {i["id"] for i in admin.listIsos(isofilter="all").get("iso", [])}
    assert mine["id"] not in left and theirs["id"] in left


def test_a_blank_vm_boots_from_a_bootable_iso_and_keeps_its_disk(cloud: Cloud,
                                                                  dc: dict[str, str]) -> None:
    installer = _iso(cloud.admin, cloud, dc, "installer", bootable=True, ispublic=True)
    vm = _deploy(cloud.admin, dc, templateid=installer["id"],
                 diskofferingid=dc[datacenter.DISK_OFFERING])
    assert vm["state"] == "Running" and vm["isoid"] == installer["id"]
    assert "templateid" not in vm and vm["rootdevicetype"] == "ROOT"
    # once installed, the disc comes out and the VM restarts from its own disk
    ejected = cloud.admin.detachIso(virtualmachineid=vm["id"], fetch_result=True)
    assert "isoid" not in ejected["virtualmachine"]
    cloud.admin.stopVirtualMachine(id=vm["id"], fetch_result=True)
    again = cloud.admin.startVirtualMachine(id=vm["id"], fetch_result=True)["virtualmachine"]
    assert again["state"] == "Running" and "isoid" not in again
    cloud.admin.destroyVirtualMachine(id=vm["id"], expunge=True, fetch_result=True)
