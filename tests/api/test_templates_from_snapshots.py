"""createTemplate (seed §7.8.2, §7.9.4): a private template from a snapshot or from a
stopped VM's root volume, written to secondary storage and deployable; the new VM's root
disk holds the data of the source disk."""

from __future__ import annotations

import os
import uuid
from typing import Any

import pytest
from cs import CloudStack, CloudStackApiException

from appliance.models import Template
from tests.support import datacenter, sim_storage
from tests.support.cloud import Cloud, Credentials

MIB = 1024**2
MARKER = ".cirrus-image-store"


def error_of(call: Any, **kwargs: Any) -> tuple[int, str]:
    """The error code and text of a call that fails, in the request or in its job."""
    with pytest.raises(CloudStackApiException) as caught:
        call(fetch_result=True, **kwargs)
    error = caught.value.error
    if isinstance(error, dict) and "errorcode" in error:
        return int(error["errorcode"]), str(error["errortext"])
    return int(caught.value.response.status_code), str(error)


def _deploy(user: CloudStack, dc: dict[str, str], template_id: str | None = None,
            **extra: Any) -> dict[str, Any]:
    vm: dict[str, Any] = user.deployVirtualMachine(
        fetch_result=True, zoneid=dc[datacenter.ZONE], serviceofferingid=dc[datacenter.OFFERING],
        templateid=template_id or dc[datacenter.TEMPLATE], **extra)["virtualmachine"]
    return vm


def _os_type(cloud: Cloud) -> str:
    os_type: str = cloud.admin.listOsTypes()["ostype"][0]["id"]
    return os_type


def _totals(cloud: Cloud, owner: Credentials) -> tuple[int, int]:
    account = cloud.admin.listAccounts(id=owner.account["id"])["account"][0]
    return int(account["templatetotal"]), int(account["snapshottotal"])


def _template(user: CloudStack, cloud: Cloud, **source: Any) -> dict[str, Any]:
    template: dict[str, Any] = user.createTemplate(
        fetch_result=True, name=f"tmpl-{uuid.uuid4().hex[:6]}", displaytext="from a disk",
        ostypeid=_os_type(cloud), **source)["template"]
    return template


def test_template_from_a_snapshot_deploys_a_vm_with_its_data(cloud: Cloud,
                                                              dc: dict[str, str]) -> None:
    owner = cloud.new_account(prefix="tmpl")
    user = cloud.as_user(owner)
    source_vm = _deploy(user, dc)
    root = sim_storage.volumes_of(cloud, source_vm["id"])["ROOT"]
    payload = os.urandom(512 * 1024)
    sim_storage.write(cloud, root, 10 * MIB, payload)
    snapshot = user.createSnapshot(volumeid=root["id"], fetch_result=True)["snapshot"]
    templates_before, _ = _totals(cloud, owner)

    template = _template(user, cloud, snapshotid=snapshot["id"])
    assert template["isready"] is True and template["ispublic"] is False
    assert template["account"] == owner.username and template["format"] == "QCOW2"
    assert template["hypervisor"] == "Simulator" and template["size"] == root["size"]
    assert template["zoneid"] == dc[datacenter.ZONE]
    row = sim_storage.row(cloud, Template, template["id"])
    assert (row["source_snapshot_id"], row["source_volume_id"]) == (snapshot["id"], None)
    assert _totals(cloud, owner)[0] == templates_before + 1
    mine = user.listTemplates(templatefilter="self", id=template["id"])["template"]
    assert mine[0]["status"] == "Download Complete"
    other = cloud.as_user(cloud.new_account())
    assert all(t["id"] != template["id"] for t in
               other.listTemplates(templatefilter="executable").get("template", []))
    events = user.listEvents(type="TEMPLATE.CREATE")["event"]
    assert any(e["state"] == "Completed" for e in events)

    restored_vm = _deploy(user, dc, template["id"])
    assert restored_vm["state"] == "Running" and restored_vm["templateid"] == template["id"]
    restored_root = sim_storage.volumes_of(cloud, restored_vm["id"])["ROOT"]
    assert restored_root["size"] == root["size"]
    assert sim_storage.read(cloud, restored_root, 10 * MIB, len(payload)) == payload


def test_template_from_a_stopped_vms_root_volume(cloud: Cloud, dc: dict[str, str]) -> None:
    owner = cloud.new_account(prefix="tmplvol")
    user = cloud.as_user(owner)
    vm = _deploy(user, dc, diskofferingid=dc[datacenter.DISK_OFFERING])
    volumes = sim_storage.volumes_of(cloud, vm["id"])
    code, text = error_of(user.createTemplate, name="live", displaytext="live",
                          ostypeid=_os_type(cloud), volumeid=volumes["ROOT"]["id"])
    assert code == 431 and "stop it" in text
    user.stopVirtualMachine(id=vm["id"], fetch_result=True)
    payload = os.urandom(300 * 1024)
    sim_storage.write(cloud, volumes["ROOT"], 7 * MIB, payload)
    code, text = error_of(user.createTemplate, name="data", displaytext="data",
                          ostypeid=_os_type(cloud), volumeid=volumes["DATADISK"]["id"])
    assert code == 431 and "data disk" in text

    template = _template(user, cloud, volumeid=volumes["ROOT"]["id"], ispublic=True,
                         passwordenabled=True)
    assert template["ispublic"] is True and template["passwordenabled"] is True
    row = sim_storage.row(cloud, Template, template["id"])
    assert (row["source_snapshot_id"], row["source_volume_id"]) == (None, volumes["ROOT"]["id"])
    stranger = cloud.as_user(cloud.new_account())  # public: others deploy it too
    theirs = _deploy(stranger, dc, template["id"])
    their_root = sim_storage.volumes_of(cloud, theirs["id"])["ROOT"]
    assert sim_storage.read(cloud, their_root, 7 * MIB, len(payload)) == payload
    assert cloud.admin.listVirtualMachines(id=vm["id"], listall=True)["virtualmachine"][0][
        "state"] == "Stopped"


def test_bad_input_limits_and_tenancy(cloud: Cloud, dc: dict[str, str]) -> None:
    owner = cloud.new_account(prefix="tmplbad")
    user = cloud.as_user(owner)
    vm = _deploy(user, dc)
    root = sim_storage.volumes_of(cloud, vm["id"])["ROOT"]
    snapshot = user.createSnapshot(volumeid=root["id"], fetch_result=True)["snapshot"]
    base = {"name": "t", "displaytext": "t", "ostypeid": _os_type(cloud)}
    assert error_of(user.createTemplate, **base)[0] == 431
    assert error_of(user.createTemplate, **base, snapshotid=snapshot["id"],
                    volumeid=root["id"])[0] == 431
    assert error_of(user.createTemplate, **{**base, "ostypeid": str(uuid.uuid4())},
                    snapshotid=snapshot["id"])[0] == 431
    assert error_of(user.createTemplate, **base, snapshotid=snapshot["id"],
                    isfeatured=True)[0] == 531
    other = cloud.as_user(cloud.new_account())
    assert error_of(other.createTemplate, **base, snapshotid=snapshot["id"])[0] == 531

    used, _ = _totals(cloud, owner)
    domain = owner.account["domainid"]
    cloud.admin.updateResourceLimit(resourcetype=4, max=used, account=owner.username,
                                    domainid=domain)
    try:
        assert error_of(user.createTemplate, **base, snapshotid=snapshot["id"])[0] == 532
    finally:
        cloud.admin.updateResourceLimit(resourcetype=4, max=-1, account=owner.username,
                                        domainid=domain)
    assert _totals(cloud, owner)[0] == used


def test_secondary_storage_outage(cloud: Cloud, dc: dict[str, str]) -> None:
    owner = cloud.new_account(prefix="tmploff")
    user = cloud.as_user(owner)
    vm = _deploy(user, dc)
    root = sim_storage.volumes_of(cloud, vm["id"])["ROOT"]
    snapshot = user.createSnapshot(volumeid=root["id"], fetch_result=True)["snapshot"]
    totals = _totals(cloud, owner)
    marker = os.path.join(sim_storage.secondary_dir(cloud), MARKER)
    os.rename(marker, f"{marker}.away")
    try:
        code, text = error_of(user.createTemplate, name="off", displaytext="off",
                              ostypeid=_os_type(cloud), snapshotid=snapshot["id"])
        assert code == 534 and "not available" in text
        assert user.listTemplates(templatefilter="self") == {}
        assert _totals(cloud, owner) == totals
        assert cloud.admin.listVirtualMachines(id=vm["id"], listall=True)["virtualmachine"][
            0]["state"] == "Running"
    finally:
        os.rename(f"{marker}.away", marker)
    template = _template(user, cloud, snapshotid=snapshot["id"])
    assert template["isready"] is True
