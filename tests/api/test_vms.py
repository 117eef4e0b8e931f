"""The VM lifecycle through the API on simulated hosts (seed §1.7, §10.4)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from cs import CloudStack, CloudStackApiException

from tests.support import datacenter
from tests.support.cloud import Cloud


def _deploy(client: CloudStack, dc: dict[str, str], **extra: Any) -> dict[str, Any]:
    args = {"zoneid": dc[datacenter.ZONE], "serviceofferingid": dc[datacenter.OFFERING],
            "templateid": dc[datacenter.TEMPLATE], **extra}
    vm: dict[str, Any] = client.deployVirtualMachine(fetch_result=True, **args)[
        "virtualmachine"]
    return vm


def _vm(client: CloudStack, vm_id: str) -> dict[str, Any]:
    found = client.listVirtualMachines(id=vm_id, listall=True).get("virtualmachine", [])
    assert len(found) == 1
    vm: dict[str, Any] = found[0]
    return vm


def _host(cloud: Cloud, host_id: str) -> dict[str, Any]:
    host: dict[str, Any] = cloud.admin.listHosts(id=host_id)["host"][0]
    return host


def _job_error(call: Any, **kwargs: Any) -> dict[str, Any]:
    """The errorcode/errortext of a call that fails, synchronously or in its job."""
    with pytest.raises(CloudStackApiException) as caught:
        call(fetch_result=True, **kwargs)
    error = caught.value.error
    if isinstance(error, dict) and "errorcode" in error:
        return error
    response = caught.value.response
    body = response.json()
    inner: dict[str, Any] = next(iter(body.values()))
    return inner


def test_whole_life_of_a_vm(cloud: Cloud, dc: dict[str, str]) -> None:
    owner = cloud.new_account()
    user = cloud.as_user(owner)
    vm = _deploy(user, dc, name="web-1", displayname="Web one", group="web")
    assert vm["state"] == "Running" and vm["name"] == "web-1"
    assert vm["displayname"] == "Web one" and vm["group"] == "web"
    assert vm["serviceofferingname"] == "tiny-offering" and vm["templatename"] == "tiny-template"
    assert vm["rootdevicetype"] == "ROOT" and "hostid" not in vm and "instancename" not in vm
    seen = _vm(cloud.admin, vm["id"])
    prefix, account_number, vm_number, suffix = seen["instancename"].split("-")
    assert (prefix, suffix) == ("i", "VM") and account_number.isdigit() and vm_number.isdigit()
    assert seen["hostid"] in {dc[h] for h in datacenter.HOSTS}

    stopped = user.stopVirtualMachine(id=vm["id"], fetch_result=True)["virtualmachine"]
    assert stopped["state"] == "Stopped"
    assert "hostid" not in _vm(cloud.admin, vm["id"])
    started = user.startVirtualMachine(id=vm["id"], fetch_result=True)["virtualmachine"]
    assert started["state"] == "Running"
    rebooted = user.rebootVirtualMachine(id=vm["id"], fetch_result=True)["virtualmachine"]
    assert rebooted["state"] == "Running"

    updated = user.updateVirtualMachine(id=vm["id"], displayname="Web uno", group="front")
    assert updated["virtualmachine"]["displayname"] == "Web uno"
    error = _job_error(user.changeServiceForVirtualMachine, id=vm["id"],
                       serviceofferingid=dc[datacenter.OFFERING])
    assert error["errorcode"] == 431  # running VMs keep their offering

    destroyed = user.destroyVirtualMachine(id=vm["id"], fetch_result=True)["virtualmachine"]
    assert destroyed["state"] == "Destroyed"
    assert user.listVirtualMachines(id=vm["id"]).get("virtualmachine", []) == []
    recovered = cloud.admin.recoverVirtualMachine(id=vm["id"])["virtualmachine"]
    assert recovered["state"] == "Stopped"
    cloud.admin.destroyVirtualMachine(id=vm["id"], expunge=True, fetch_result=True)
    assert cloud.admin.listVirtualMachines(id=vm["id"], listall=True).get(
        "virtualmachine", []) == []
    account = cloud.admin.listAccounts(id=owner.account["id"])["account"][0]
    assert (account["vmtotal"], account["volumetotal"]) == (0, 0)


def test_stop_releases_and_start_reserves_host_capacity(cloud: Cloud,
                                                        dc: dict[str, str]) -> None:
    vm = _deploy(cloud.admin, dc)
    host_id = _vm(cloud.admin, vm["id"])["hostid"]
    before = _host(cloud, host_id)["memoryallocated"]
    cloud.admin.stopVirtualMachine(id=vm["id"], fetch_result=True)
    after = _host(cloud, host_id)["memoryallocated"]
    assert int(before) - int(after) == 512 * 1024 * 1024
    cloud.admin.destroyVirtualMachine(id=vm["id"], expunge=True, fetch_result=True)


def test_users_cannot_touch_other_accounts_vms(cloud: Cloud, dc: dict[str, str]) -> None:
    vm = _deploy(cloud.admin, dc)
    stranger = cloud.as_user(cloud.new_account())
    with pytest.raises(CloudStackApiException) as caught:
        stranger.stopVirtualMachine(id=vm["id"])
    assert caught.value.response.status_code == 531
    assert stranger.listVirtualMachines().get("virtualmachine", []) == []
    cloud.admin.destroyVirtualMachine(id=vm["id"], expunge=True, fetch_result=True)


def test_a_vms_tags_are_listed_with_it(cloud: Cloud, dc: dict[str, str]) -> None:
    """listVirtualMachines shows each VM's resource tags (inventories group by them)."""
    user = cloud.as_user(cloud.new_account())
    tagged, plain = _deploy(user, dc), _deploy(user, dc)
    user.createTags(resourceids=tagged["id"], resourcetype="UserVm",
                    tags=[{"key": "role", "value": "web"}, {"key": "env", "value": "prod"}],
                    fetch_result=True)
    shown = {vm["id"]: vm for vm in user.listVirtualMachines()["virtualmachine"]}
    assert {(t["key"], t["value"], t["resourcetype"]) for t in shown[tagged["id"]]["tags"]} \
        == {("role", "web", "UserVm"), ("env", "prod", "UserVm")}
    assert shown[plain["id"]]["tags"] == []
    for vm in (tagged, plain):
        cloud.admin.destroyVirtualMachine(id=vm["id"], expunge=True, fetch_result=True)


def test_bad_input_creates_nothing(cloud: Cloud, dc: dict[str, str]) -> None:
    owner = cloud.new_account()
    user = cloud.as_user(owner)
    unknown = "00000000-0000-0000-0000-000000000000"
    for field in ("zoneid", "serviceofferingid", "templateid"):
        assert _job_error(_deploy_call(user, dc), **{field: unknown})["errorcode"] == 431
    assert _job_error(_deploy_call(user, dc), name="9bad name")["errorcode"] == 431
    assert _job_error(_deploy_call(user, dc), userdata="not base64!")["errorcode"] == 431
    assert _job_error(_deploy_call(user, dc), hostid=dc[datacenter.HOSTS[0]])[
        "errorcode"] == 531
    assert user.listVirtualMachines().get("virtualmachine", []) == []
    account = cloud.admin.listAccounts(id=owner.account["id"])["account"][0]
    assert (account["vmtotal"], account["volumetotal"]) == (0, 0)


def _deploy_call(client: CloudStack, dc: dict[str, str]) -> Any:
    def call(fetch_result: bool = True, **override: Any) -> Any:
        args = {"zoneid": dc[datacenter.ZONE], "serviceofferingid": dc[datacenter.OFFERING],
                "templateid": dc[datacenter.TEMPLATE], **override}
        return client.deployVirtualMachine(fetch_result=fetch_result, **args)
    return call


def test_vm_limit_is_enforced(cloud: Cloud, dc: dict[str, str]) -> None:
    owner = cloud.new_account()
    user = cloud.as_user(owner)
    cloud.admin.updateResourceLimit(resourcetype=0, max=1, account=owner.username,
                                    domainid=owner.account["domainid"])
    vm = _deploy(user, dc)
    assert _job_error(_deploy_call(user, dc))["errorcode"] == 532
    user.destroyVirtualMachine(id=vm["id"], fetch_result=True)
    second = _deploy(user, dc)  # a destroyed VM no longer counts
    assert second["state"] == "Running"
    cloud.admin.destroyVirtualMachine(id=second["id"], expunge=True, fetch_result=True)
    cloud.admin.destroyVirtualMachine(id=vm["id"], expunge=True, fetch_result=True)


def test_deploy_without_start_then_start(cloud: Cloud, dc: dict[str, str]) -> None:
    vm = _deploy(cloud.admin, dc, startvm=False)
    assert vm["state"] == "Stopped" and "hostid" not in vm
    started = cloud.admin.startVirtualMachine(id=vm["id"], fetch_result=True)
    assert started["virtualmachine"]["state"] == "Running"
    cloud.admin.destroyVirtualMachine(id=vm["id"], expunge=True, fetch_result=True)


def _register(client: CloudStack, cloud: Cloud, dc: dict[str, str], name: str,
              path: str) -> str:
    ostype = cloud.admin.listOsTypes(description="CentOS 5.6 (64-bit)")["ostype"][0]["id"]
    template: dict[str, Any] = client.registerTemplate(
        name=name, displaytext=name, url=f"{cloud.server.base}{path}",
        zoneid=dc[datacenter.ZONE], format="QCOW2", hypervisor="Simulator", ostypeid=ostype)
    return str(template["template"][0]["id"])


def _wait_status(cloud: Cloud, template_id: str, done: str) -> None:
    for _ in range(100):
        found = cloud.admin.listTemplates(templatefilter="all", id=template_id)["template"][0]
        if done in str(found.get("status")) or found.get("isready"):
            return
        time.sleep(0.1)
    raise AssertionError(f"template {template_id} never reached {done}")


def test_templates_that_cannot_be_used_create_nothing(cloud: Cloud,
                                                      dc: dict[str, str]) -> None:
    owner, other = cloud.new_account(), cloud.new_account()
    user = cloud.as_user(owner)
    private = _register(cloud.as_user(other), cloud, dc, "private-tpl",
                        "/demo/templates/centos56-x86_64-simulator.qcow2")
    broken = _register(user, cloud, dc, "broken-tpl", "/demo/templates/missing.qcow2")
    _wait_status(cloud, private, "Ready")
    _wait_status(cloud, broken, "404")
    assert _job_error(_deploy_call(user, dc), templateid=private)["errorcode"] == 531
    error = _job_error(_deploy_call(user, dc), templateid=broken)
    assert error["errorcode"] == 431 and "downloaded" in error["errortext"]
    assert user.listVirtualMachines().get("virtualmachine", []) == []
    account = cloud.admin.listAccounts(id=owner.account["id"])["account"][0]
    assert (account["vmtotal"], account["volumetotal"]) == (0, 0)


def test_a_zone_dedicated_to_another_domain_refuses(cloud: Cloud,
                                                    dc: dict[str, str]) -> None:
    theirs, mine = cloud.new_domain(), cloud.new_domain()
    zone = cloud.admin.createZone(name=f"dedicated-{theirs['name']}", networktype="Advanced",
                                  dns1="203.0.113.53", internaldns1="172.16.0.53",
                                  domainid=theirs["id"])["zone"]
    outsider = cloud.new_account(domainid=mine["id"])
    user = cloud.as_user(outsider)
    assert _job_error(_deploy_call(user, dc), zoneid=zone["id"])["errorcode"] == 531
    assert user.listVirtualMachines().get("virtualmachine", []) == []
    cloud.admin.deleteZone(id=zone["id"])


def test_a_blank_vm_boots_from_a_bootable_iso(cloud: Cloud, dc: dict[str, str]) -> None:
    ostype = cloud.admin.listOsTypes(description="CentOS 5.6 (64-bit)")["ostype"][0]["id"]
    iso = cloud.admin.registerIso(
        name="boot-iso", displaytext="boot-iso", bootable=True, ostypeid=ostype,
        url=f"{cloud.server.base}/demo/templates/centos56-x86_64-simulator.qcow2",
        zoneid=dc[datacenter.ZONE], ispublic=True)["iso"][0]
    for _ in range(100):
        if cloud.admin.listIsos(id=iso["id"], isofilter="all")["iso"][0].get("isready"):
            break
        time.sleep(0.1)
    assert _job_error(_deploy_call(cloud.admin, dc), templateid=iso["id"])["errorcode"] == 431
    vm = _deploy(cloud.admin, dc, templateid=iso["id"],
                 diskofferingid=dc[datacenter.DISK_OFFERING])
    assert vm["state"] == "Running" and vm["isoid"] == iso["id"] and "templateid" not in vm
    cloud.admin.destroyVirtualMachine(id=vm["id"], expunge=True, fetch_result=True)


def test_vms_get_a_nic_on_their_accounts_isolated_network(cloud: Cloud,
                                                          dc: dict[str, str]) -> None:
    first, second = cloud.new_account(), cloud.new_account()
    a1 = _deploy(cloud.as_user(first), dc)
    a2 = _deploy(cloud.as_user(first), dc)
    b1 = _deploy(cloud.as_user(second), dc)
    (n1,), (n2,), (m1,) = a1["nic"], a2["nic"], b1["nic"]
    assert n1["networkid"] == n2["networkid"] != m1["networkid"]
    assert n1["ipaddress"] != n2["ipaddress"]
    assert all(n["ipaddress"].startswith("10.1.1.") and n["gateway"] == "10.1.1.1"
               for n in (n1, n2, m1))
    assert n1["broadcasturi"] != m1["broadcasturi"]  # one VLAN per account network
    assert n1["macaddress"].startswith("02:00:") and n1["isdefault"] is True
    address = n2["ipaddress"]
    cloud.admin.destroyVirtualMachine(id=a2["id"], expunge=True, fetch_result=True)
    again = _deploy(cloud.as_user(first), dc)
    assert again["nic"][0]["ipaddress"] == address  # freed at expunge, lowest free again
    for vm in (a1, b1, again):
        cloud.admin.destroyVirtualMachine(id=vm["id"], expunge=True, fetch_result=True)
