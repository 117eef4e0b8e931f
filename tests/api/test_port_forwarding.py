"""Port forwarding rules through the API (seed §5.7): the IP owner's VM on the IP's
network, port ranges, the firewall rule `openfirewall` opens, conflicts (537) even
between concurrent creates, and deletion."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from cs import CloudStackApiException

from tests.api.test_public_ips import associate, deploy, error_of, expunge, rules_version
from tests.support import datacenter
from tests.support.cloud import Cloud


def test_forward_a_port_to_a_vm(cloud: Cloud, dc: dict[str, str]) -> None:
    owner = cloud.new_account()
    user = cloud.as_user(owner)
    vm = deploy(user, dc)
    ip = associate(user, zoneid=dc[datacenter.ZONE])
    network_id = ip["associatednetworkid"]
    before = rules_version(cloud, network_id)
    rule = user.createPortForwardingRule(
        fetch_result=True, ipaddressid=ip["id"], protocol="tcp", publicport=2222,
        privateport=22, virtualmachineid=vm["id"], cidrlist="198.51.100.0/24")[
        "portforwardingrule"]
    assert (rule["publicport"], rule["publicendport"]) == ("2222", "2222")
    assert (rule["privateport"], rule["privateendport"]) == ("22", "22")
    assert rule["state"] == "Active"  # the network's (simulated) router applied it
    assert rule["virtualmachineid"] == vm["id"] and rule["ipaddress"] == ip["ipaddress"]
    assert rule["vmguestip"] == vm["nic"][0]["ipaddress"]
    assert rule["cidrlist"] == "198.51.100.0/24" and rule["networkid"] == network_id
    assert rules_version(cloud, network_id) == before + 1
    (opened,) = user.listFirewallRules(ipaddressid=ip["id"])["firewallrule"]
    assert (opened["startport"], opened["endport"], opened["protocol"]) == (2222, 2222, "tcp")
    assert opened["cidrlist"] == "198.51.100.0/24"
    listed = user.listPortForwardingRules(ipaddressid=ip["id"])["portforwardingrule"]
    assert [r["id"] for r in listed] == [rule["id"]]
    assert user.listPortForwardingRules(networkid=network_id)["count"] == 1

    ranged = user.createPortForwardingRule(
        fetch_result=True, ipaddressid=ip["id"], protocol="udp", publicport=5000,
        publicendport=5009, privateport=6000, privateendport=6009, virtualmachineid=vm["id"],
        openfirewall=False)["portforwardingrule"]
    assert ranged["publicendport"] == "5009" and ranged["cidrlist"] == "0.0.0.0/0"
    assert user.listFirewallRules(ipaddressid=ip["id"])["count"] == 1
    types = {e["type"] for e in user.listEvents()["event"]}
    assert "NET.RULEADD" in types

    user.deletePortForwardingRule(id=rule["id"], fetch_result=True)
    assert user.listPortForwardingRules(id=rule["id"]).get("portforwardingrule", []) == []
    assert user.listFirewallRules(ipaddressid=ip["id"]).get("firewallrule", []) == []
    assert rules_version(cloud, network_id) == before + 3
    assert "NET.RULEDELETE" in {e["type"] for e in user.listEvents()["event"]}
    # Releasing the address takes its remaining rules with it.
    user.disassociateIpAddress(id=ip["id"], fetch_result=True)
    assert cloud.admin.listPortForwardingRules(id=ranged["id"], listall=True).get(
        "portforwardingrule", []) == []
    expunge(cloud, vm)


def test_bad_rules_are_refused(cloud: Cloud, dc: dict[str, str]) -> None:
    owner = cloud.new_account()
    user = cloud.as_user(owner)
    vm = deploy(user, dc)
    ip = associate(user, zoneid=dc[datacenter.ZONE])
    base = {"ipaddressid": ip["id"], "protocol": "tcp", "virtualmachineid": vm["id"]}
    create = user.createPortForwardingRule
    assert error_of(create, publicport=0, privateport=22, **base) == 431
    assert error_of(create, publicport=80, privateport=65536, **base) == 431
    assert error_of(create, publicport=80, publicendport=70, privateport=80, **base) == 431
    assert error_of(create, publicport=80, publicendport=90, privateport=80,
                    privateendport=85, **base) == 431
    assert error_of(create, publicport=80, privateport=80, cidrlist="not-a-cidr",
                    **base) == 431
    assert error_of(create, publicport=80, privateport=80,
                    **{**base, "protocol": "icmp"}) == 431
    other = cloud.as_user(cloud.new_account())
    foreign_vm = deploy(other, dc)
    assert error_of(create, publicport=80, privateport=80,
                    **{**base, "virtualmachineid": foreign_vm["id"]}) == 531
    assert error_of(other.createPortForwardingRule, publicport=80, privateport=80,
                    **{**base, "virtualmachineid": foreign_vm["id"]}) == 531
    assert user.listPortForwardingRules().get("portforwardingrule", []) == []
    expunge(cloud, vm, foreign_vm)


def test_overlapping_public_ports_conflict(cloud: Cloud, dc: dict[str, str]) -> None:
    owner = cloud.new_account()
    user = cloud.as_user(owner)
    vm = deploy(user, dc)
    ip = associate(user, zoneid=dc[datacenter.ZONE])
    base = {"ipaddressid": ip["id"], "virtualmachineid": vm["id"]}
    user.createPortForwardingRule(fetch_result=True, protocol="tcp", publicport=8000,
                                  publicendport=8010, privateport=8000,
                                  privateendport=8010, **base)
    assert error_of(user.createPortForwardingRule, protocol="tcp", publicport=8010,
                    privateport=80, **base) == 537
    assert error_of(user.createPortForwardingRule, protocol="tcp", publicport=7990,
                    publicendport=8000, privateport=7990, privateendport=8000, **base) == 537
    # Another protocol or port, or another address, is fine.
    user.createPortForwardingRule(fetch_result=True, protocol="udp", publicport=8005,
                                  privateport=8005, **base)
    user.createPortForwardingRule(fetch_result=True, protocol="tcp", publicport=8011,
                                  privateport=8011, **base)
    assert user.listPortForwardingRules(ipaddressid=ip["id"])["count"] == 3
    expunge(cloud, vm)


def test_concurrent_creates_of_one_port_conflict(cloud: Cloud, dc: dict[str, str]) -> None:
    owner = cloud.new_account()
    user = cloud.as_user(owner)
    vm = deploy(user, dc)
    ip = associate(user, zoneid=dc[datacenter.ZONE])

    def attempt(_: int) -> str | int:
        client = cloud.as_user(owner)
        try:
            result: dict[str, Any] = client.createPortForwardingRule(
                fetch_result=True, ipaddressid=ip["id"], protocol="tcp", publicport=443,
                privateport=443, virtualmachineid=vm["id"])
            return str(result["portforwardingrule"]["id"])
        except CloudStackApiException as exc:
            error = exc.error
            if isinstance(error, dict) and "errorcode" in error:
                return int(error["errorcode"])
            return int(exc.response.status_code)

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(attempt, range(20)))
    assert len([o for o in outcomes if isinstance(o, str)]) == 1
    assert sorted(o for o in outcomes if isinstance(o, int)) == [537] * 19
    assert user.listPortForwardingRules(ipaddressid=ip["id"])["count"] == 1
    assert user.listFirewallRules(ipaddressid=ip["id"])["count"] == 1
    expunge(cloud, vm)
