"""Ingress firewall rules through the API (seed §5): closed unless a rule opens it,
tcp/udp port ranges and icmp type/code, duplicates refused (537), owners only."""

from __future__ import annotations

from tests.api.test_public_ips import associate, error_of, rules_version
from tests.support import datacenter
from tests.support.cloud import Cloud


def test_open_and_close_ports(cloud: Cloud, dc: dict[str, str]) -> None:
    owner = cloud.new_account()
    user = cloud.as_user(owner)
    ip = associate(user, zoneid=dc[datacenter.ZONE])
    assert user.listFirewallRules(ipaddressid=ip["id"]).get("firewallrule", []) == []
    network_id = ip["associatednetworkid"]
    before = rules_version(cloud, network_id)
    web = user.createFirewallRule(fetch_result=True, ipaddressid=ip["id"], protocol="TCP",
                                  startport=80, endport=443,
                                  cidrlist="10.0.0.0/8,192.168.0.0/16")["firewallrule"]
    assert (web["protocol"], web["startport"], web["endport"]) == ("tcp", 80, 443)
    assert web["cidrlist"] == "10.0.0.0/8,192.168.0.0/16" and web["state"] == "Add"
    assert web["ipaddress"] == ip["ipaddress"] and web["networkid"] == network_id
    ping = user.createFirewallRule(fetch_result=True, ipaddressid=ip["id"],
                                   protocol="icmp")["firewallrule"]
    assert (ping["icmptype"], ping["icmpcode"], ping["cidrlist"]) == (-1, -1, "0.0.0.0/0")
    assert "startport" not in ping
    dns = user.createFirewallRule(fetch_result=True, ipaddressid=ip["id"], protocol="udp",
                                  startport=53)["firewallrule"]
    assert dns["endport"] == 53
    assert user.listFirewallRules(ipaddressid=ip["id"])["count"] == 3
    assert user.listFirewallRules(networkid=network_id)["count"] == 3
    assert rules_version(cloud, network_id) == before + 3
    assert "FIREWALL.OPEN" in {e["type"] for e in user.listEvents()["event"]}

    user.deleteFirewallRule(id=web["id"], fetch_result=True)
    assert user.listFirewallRules(id=web["id"]).get("firewallrule", []) == []
    assert rules_version(cloud, network_id) == before + 4
    assert "FIREWALL.CLOSE" in {e["type"] for e in user.listEvents()["event"]}


def test_bad_and_duplicate_rules(cloud: Cloud, dc: dict[str, str]) -> None:
    owner = cloud.new_account()
    user = cloud.as_user(owner)
    ip = associate(user, zoneid=dc[datacenter.ZONE])
    create = user.createFirewallRule
    assert error_of(create, ipaddressid=ip["id"], protocol="gre", startport=1) == 431
    assert error_of(create, ipaddressid=ip["id"], protocol="tcp") == 431
    assert error_of(create, ipaddressid=ip["id"], protocol="tcp", startport=90,
                    endport=80) == 431
    assert error_of(create, ipaddressid=ip["id"], protocol="icmp", startport=1) == 431
    assert error_of(create, ipaddressid=ip["id"], protocol="tcp", startport=22,
                    cidrlist="300.1.1.1/8") == 431
    create(fetch_result=True, ipaddressid=ip["id"], protocol="tcp", startport=22)
    assert error_of(create, ipaddressid=ip["id"], protocol="tcp", startport=20,
                    endport=25) == 537
    # Another source is another rule.
    create(fetch_result=True, ipaddressid=ip["id"], protocol="tcp", startport=22,
           cidrlist="10.0.0.0/8")
    stranger = cloud.as_user(cloud.new_account())
    assert error_of(stranger.createFirewallRule, ipaddressid=ip["id"], protocol="tcp",
                    startport=23) == 531
    rule_id = user.listFirewallRules(ipaddressid=ip["id"])["firewallrule"][0]["id"]
    assert error_of(stranger.deleteFirewallRule, id=rule_id) == 531
    assert stranger.listFirewallRules().get("firewallrule", []) == []
    # A firewall rule is not a port forwarding rule.
    assert error_of(user.deletePortForwardingRule, id=rule_id) == 431
    assert user.listFirewallRules(ipaddressid=ip["id"])["count"] == 2


def test_egress_rules_of_a_network(cloud: Cloud, dc: dict[str, str]) -> None:
    owner = cloud.new_account()
    user = cloud.as_user(owner)
    ip = associate(user, zoneid=dc[datacenter.ZONE])
    network_id = ip["associatednetworkid"]
    before = rules_version(cloud, network_id)
    out = user.createEgressFirewallRule(fetch_result=True, networkid=network_id,
                                        protocol="tcp", startport=443)["firewallrule"]
    assert (out["traffictype"], out["networkid"], out["startport"]) == (
        "Egress", network_id, 443)
    assert "ipaddressid" not in out and out["state"] == "Add"
    assert error_of(user.createEgressFirewallRule, networkid=network_id, protocol="tcp",
                    startport=400, endport=500) == 537
    assert rules_version(cloud, network_id) == before + 1
    listed = user.listEgressFirewallRules(networkid=network_id)["firewallrule"]
    assert [r["id"] for r in listed] == [out["id"]]
    # Egress rules are not ingress rules, and the other way round.
    assert user.listFirewallRules(networkid=network_id).get("firewallrule", []) == []
    assert error_of(user.deleteFirewallRule, id=out["id"]) == 431
    stranger = cloud.as_user(cloud.new_account())
    assert error_of(stranger.createEgressFirewallRule, networkid=network_id,
                    protocol="icmp") == 531
    assert error_of(stranger.deleteEgressFirewallRule, id=out["id"]) == 531
    user.deleteEgressFirewallRule(id=out["id"], fetch_result=True)
    assert user.listEgressFirewallRules(networkid=network_id).get("firewallrule", []) == []
    assert rules_version(cloud, network_id) == before + 2
    assert "FIREWALL.EGRESS.CLOSE" in {e["type"] for e in user.listEvents()["event"]}
