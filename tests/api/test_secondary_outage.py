"""Secondary storage out (its directory gone, as an NFS store whose mount went away, or its
marker unreadable): template and ISO operations that need it fail with 534 naming it and
leave nothing half-done, running VMs are untouched, and everything works again once it is
back."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import pytest
from cs import CloudStack, CloudStackApiException

from tests.support import datacenter
from tests.support.cloud import Cloud
from tests.support.image_server import add_zone_with_store
from tests.support.waiting import eventually

IMAGE = "/demo/templates/centos56-x86_64-simulator.qcow2"
MARKER = ".cirrus-image-store"


def _error(call: Any, **kwargs: Any) -> dict[str, Any]:
    """errorcode/errortext of a call that fails, at once or in its job."""
    with pytest.raises(CloudStackApiException) as caught:
        call(fetch_result=True, **kwargs)
    error = caught.value.error
    if isinstance(error, dict) and "errorcode" in error:
        return error
    inner: dict[str, Any] = next(iter(caught.value.response.json().values()))
    return inner


def _store(cloud: Cloud, dc: dict[str, str]) -> dict[str, Any]:
    store: dict[str, Any] = cloud.admin.listImageStores(zoneid=dc[datacenter.ZONE])[
        "imagestore"][0]
    return store


@contextmanager
def _gone(path: str) -> Iterator[None]:
    """`path` renamed away for the block; putting it back fails if anything recreated it
    meanwhile (a write into the unmounted directory)."""
    os.rename(path, f"{path}.away")
    try:
        yield
    finally:
        os.rename(f"{path}.away", path)


def _ready(client: CloudStack, kind: str, item_id: str, zone_id: str) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        listing = (client.listIsos(isofilter="all", id=item_id, zoneid=zone_id) if kind == "iso"
                   else client.listTemplates(templatefilter="all", id=item_id, zoneid=zone_id))
        entries: list[dict[str, Any]] = listing.get(kind, [])
        return entries[0] if entries and entries[0].get("isready") else None
    return eventually(done, 30, f"{kind} {item_id} ready in zone {zone_id}", 0.1)


def _register(client: CloudStack, cloud: Cloud, zone_id: str, name: str) -> dict[str, Any]:
    ostype = client.listOsTypes(description="CentOS 5.6 (64-bit)")["ostype"][0]["id"]
    template: dict[str, Any] = client.registerTemplate(
        name=name, displaytext=name, url=f"{cloud.server.base}{IMAGE}", zoneid=zone_id,
        format="QCOW2", hypervisor="Simulator", ostypeid=ostype, isextractable=True)[
        "template"][0]
    return template


def _deploy(client: CloudStack, dc: dict[str, str], **extra: Any) -> Any:
    return client.deployVirtualMachine(
        zoneid=dc[datacenter.ZONE], serviceofferingid=dc[datacenter.OFFERING],
        templateid=dc[datacenter.TEMPLATE], fetch_result=True, **extra)


def _state(client: CloudStack, vm: dict[str, Any]) -> str:
    found: dict[str, Any] = client.listVirtualMachines(id=vm["id"])["virtualmachine"][0]
    return str(found["state"])


def test_template_and_iso_operations_while_the_store_is_out(cloud: Cloud,
                                                            dc: dict[str, str]) -> None:
    admin = cloud.admin
    zone = dc[datacenter.ZONE]
    store = _store(cloud, dc)
    directory = urlsplit(store["url"]).path
    assert store["state"] == "Up"
    other_zone, _ = add_zone_with_store(cloud)
    extra = _ready(admin, "template", _register(admin, cloud, zone, "extra")["id"], zone)
    tools = admin.registerIso(name="tools", displaytext="tools", zoneid=zone, bootable=False,
                              url=f"{cloud.server.base}{IMAGE}")["iso"][0]
    _ready(admin, "iso", tools["id"], zone)
    running = _deploy(admin, dc)["virtualmachine"]
    canary = _deploy(admin, dc)["virtualmachine"]
    ran = _deploy(admin, dc)["virtualmachine"]
    admin.stopVirtualMachine(id=ran["id"], fetch_result=True)
    never = _deploy(admin, dc, startvm=False)["virtualmachine"]
    vms_before = admin.listVirtualMachines()["count"]
    templates_before = admin.listTemplates(templatefilter="all")["count"]

    with _gone(directory):
        assert _store(cloud, dc)["state"] == "Down"
        as_host = admin.listHosts(type="SecondaryStorage", zoneid=zone)["host"][0]
        assert as_host["state"] == "Down"
        for error in (
            _error(admin.registerTemplate, name="late", displaytext="late",
                   url=f"{cloud.server.base}{IMAGE}", zoneid=zone, format="QCOW2",
                   hypervisor="Simulator", ostypeid=extra["ostypeid"]),
            _error(admin.registerIso, name="late", displaytext="late",
                   url=f"{cloud.server.base}{IMAGE}", zoneid=zone),
            _error(admin.copyTemplate, id=extra["id"], sourcezoneid=zone,
                   destzoneid=other_zone),
            _error(admin.extractTemplate, id=extra["id"], mode="HTTP_DOWNLOAD", zoneid=zone),
            _error(admin.deleteTemplate, id=extra["id"]),
            _error(admin.deployVirtualMachine, zoneid=zone,
                   serviceofferingid=dc[datacenter.OFFERING],
                   templateid=dc[datacenter.TEMPLATE]),
            _error(admin.attachIso, id=tools["id"], virtualmachineid=running["id"]),
        ):
            assert error["errorcode"] == 534, error
            assert store["name"] in error["errortext"], error
        # a VM that never ran has no disk yet: it needs the template from the store
        error = _error(admin.startVirtualMachine, id=never["id"])
        assert error["errorcode"] == 534 and store["name"] in error["errortext"]
        assert _state(admin, never) == "Stopped"

        # what does not need the store goes on: running VMs, a VM whose disk exists, an
        # ISO recorded in a stopped VM's drive
        admin.updateConfiguration(name="vm.stats.interval", value="1")
        try:
            name = admin.listVirtualMachines(id=canary["id"])["virtualmachine"][0][
                "instancename"]
            admin.simulatorPowerOffVm(instancename=name)
            eventually(lambda: _state(admin, canary) == "Stopped", 30,
                       "the state sync to run during the outage")
        finally:
            admin.updateConfiguration(name="vm.stats.interval", value="60")
        assert _state(admin, running) == "Running"
        rebooted = admin.rebootVirtualMachine(id=running["id"], fetch_result=True)
        assert rebooted["virtualmachine"]["state"] == "Running"
        started = admin.startVirtualMachine(id=ran["id"], fetch_result=True)["virtualmachine"]
        assert started["state"] == "Running"
        recorded = admin.attachIso(id=tools["id"], virtualmachineid=never["id"],
                                   fetch_result=True)["virtualmachine"]
        assert recorded["isoid"] == tools["id"]
        admin.detachIso(virtualmachineid=never["id"], fetch_result=True)

    # nothing half-done: no new VM or template row, no copy left in progress
    assert admin.listVirtualMachines()["count"] == vms_before
    listed = admin.listTemplates(templatefilter="all")
    assert listed["count"] == templates_before
    assert all(t["status"] == "Download Complete" for t in listed["template"])
    assert admin.listTemplates(templatefilter="all", zoneid=other_zone) == {}

    # back: the same operations work
    assert _store(cloud, dc)["state"] == "Up"
    assert admin.startVirtualMachine(id=never["id"], fetch_result=True)[
        "virtualmachine"]["state"] == "Running"
    attached = admin.attachIso(id=tools["id"], virtualmachineid=running["id"],
                               fetch_result=True)["virtualmachine"]
    assert attached["isoid"] == tools["id"]
    admin.copyTemplate(id=extra["id"], sourcezoneid=zone, destzoneid=other_zone,
                       fetch_result=True)
    assert _ready(admin, "template", extra["id"], other_zone)["isready"]
    link = admin.extractTemplate(id=extra["id"], mode="HTTP_DOWNLOAD", zoneid=zone,
                                 fetch_result=True)["template"]
    assert link["url"].startswith("http")
    late = _register(admin, cloud, zone, "late")
    assert _ready(admin, "template", late["id"], zone)["isready"]
    assert _deploy(admin, dc)["virtualmachine"]["state"] == "Running"
    admin.deleteTemplate(id=extra["id"], fetch_result=True)
    assert all(t["id"] != extra["id"] for t in
               admin.listTemplates(templatefilter="all")["template"])


def test_a_store_whose_marker_cannot_be_read_is_out(cloud: Cloud, dc: dict[str, str]) -> None:
    admin = cloud.admin
    store = _store(cloud, dc)
    marker = os.path.join(urlsplit(store["url"]).path, MARKER)
    with _gone(marker):
        assert _store(cloud, dc)["state"] == "Down"
        error = _error(admin.registerIso, name="blocked", displaytext="blocked",
                       url=f"{cloud.server.base}{IMAGE}", zoneid=dc[datacenter.ZONE])
        assert error["errorcode"] == 534 and store["name"] in error["errortext"]
    assert _store(cloud, dc)["state"] == "Up"
    iso = admin.registerIso(name="unblocked", displaytext="unblocked",
                            url=f"{cloud.server.base}{IMAGE}", zoneid=dc[datacenter.ZONE])
    assert _ready(admin, "iso", iso["iso"][0]["id"], dc[datacenter.ZONE])["isready"]
