"""Static NAT through the API (seed §5.8): one VM per address and one address per VM,
never the source NAT address, never next to port rules (537)."""

from __future__ import annotations

from tests.api.test_public_ips import associate, deploy, error_of, expunge, rules_version
from tests.support import datacenter
from tests.support.cloud import Cloud


def test_enable_and_disable(cloud: Cloud, dc: dict[str, str]) -> None:
    owner = cloud.new_account()
    user = cloud.as_user(owner)
    vm = deploy(user, dc)
    ip = associate(user, zoneid=dc[datacenter.ZONE])
    network_id = ip["associatednetworkid"]
    before = rules_version(cloud, network_id)
    assert user.enableStaticNat(ipaddressid=ip["id"], virtualmachineid=vm["id"])["success"]
    seen = user.listPublicIpAddresses(id=ip["id"])["publicipaddress"][0]
    assert seen["isstaticnat"] is True and seen["virtualmachineid"] == vm["id"]
    (rule,) = user.listIpForwardingRules(ipaddressid=ip["id"])["ipforwardingrule"]
    assert rule["virtualmachineid"] == vm["id"] and rule["state"] == "Active"
    assert user.listIpForwardingRules(virtualmachineid=vm["id"])["count"] == 1
    assert rules_version(cloud, network_id) == before + 1
    assert "STATICNAT.ENABLE" in {e["type"] for e in user.listEvents()["event"]}
    shown = user.listVirtualMachines(id=vm["id"])["virtualmachine"][0]
    assert (shown["publicip"], shown["publicipid"]) == (ip["ipaddress"], ip["id"])

    # One VM per address, one address per VM, no port rules next to it.
    second_vm = deploy(user, dc)
    assert error_of(user.enableStaticNat, ipaddressid=ip["id"],
                    virtualmachineid=second_vm["id"]) == 537
    other_ip = associate(user, zoneid=dc[datacenter.ZONE])
    assert error_of(user.enableStaticNat, ipaddressid=other_ip["id"],
                    virtualmachineid=vm["id"]) == 537
    assert error_of(user.createPortForwardingRule, ipaddressid=ip["id"], protocol="tcp",
                    publicport=22, privateport=22, virtualmachineid=vm["id"]) == 537

    user.disableStaticNat(ipaddressid=ip["id"], fetch_result=True)
    seen = user.listPublicIpAddresses(id=ip["id"])["publicipaddress"][0]
    assert seen["isstaticnat"] is False and "virtualmachineid" not in seen
    assert "publicip" not in user.listVirtualMachines(id=vm["id"])["virtualmachine"][0]
    assert user.listIpForwardingRules(ipaddressid=ip["id"]).get("ipforwardingrule", []) == []
    assert rules_version(cloud, network_id) == before + 3  # enable, other IP, disable
    assert error_of(user.disableStaticNat, ipaddressid=ip["id"]) == 431
    expunge(cloud, vm, second_vm)


def test_refusals(cloud: Cloud, dc: dict[str, str]) -> None:
    owner = cloud.new_account()
    user = cloud.as_user(owner)
    vm = deploy(user, dc)
    source_nat = user.listPublicIpAddresses(issourcenat=True)["publicipaddress"][0]
    assert error_of(user.enableStaticNat, ipaddressid=source_nat["id"],
                    virtualmachineid=vm["id"]) == 431
    ip = associate(user, zoneid=dc[datacenter.ZONE])
    user.createPortForwardingRule(fetch_result=True, ipaddressid=ip["id"], protocol="tcp",
                                  publicport=22, privateport=22, virtualmachineid=vm["id"])
    assert error_of(user.enableStaticNat, ipaddressid=ip["id"],
                    virtualmachineid=vm["id"]) == 537
    stranger = cloud.as_user(cloud.new_account())
    stranger_vm = deploy(stranger, dc)
    fresh = associate(user, zoneid=dc[datacenter.ZONE])
    assert error_of(user.enableStaticNat, ipaddressid=fresh["id"],
                    virtualmachineid=stranger_vm["id"]) == 531
    assert error_of(stranger.enableStaticNat, ipaddressid=fresh["id"],
                    virtualmachineid=stranger_vm["id"]) == 531
    assert user.listIpForwardingRules().get("ipforwardingrule", []) == []
    expunge(cloud, vm, stranger_vm)
