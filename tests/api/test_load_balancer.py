"""Load balancing rules through the API (seed §6.3): create with an algorithm, update,
assign and remove VMs of the address's network, list members, port conflicts with port
forwarding (537), and deletion."""

from __future__ import annotations

from tests.api.test_public_ips import associate, deploy, error_of, expunge, rules_version
from tests.support import datacenter
from tests.support.cloud import Cloud


def test_balance_a_port_over_vms(cloud: Cloud, dc: dict[str, str]) -> None:
    owner = cloud.new_account()
    user = cloud.as_user(owner)
    web1, web2 = deploy(user, dc), deploy(user, dc)
    ip = associate(user, zoneid=dc[datacenter.ZONE])
    network_id = ip["associatednetworkid"]
    before = rules_version(cloud, network_id)
    lb = user.createLoadBalancerRule(fetch_result=True, publicipid=ip["id"], name="web",
                                     algorithm="roundrobin", publicport=80, privateport=8080,
                                     description="front")["loadbalancer"]
    assert (lb["name"], lb["algorithm"], lb["publicport"], lb["privateport"]) == (
        "web", "roundrobin", "80", "8080")
    assert lb["publicip"] == ip["ipaddress"] and lb["state"] == "Active"
    assert lb["account"] == owner.username and lb["zoneid"] == dc[datacenter.ZONE]
    assert user.listFirewallRules(ipaddressid=ip["id"])["firewallrule"][0]["startport"] == 80
    assert rules_version(cloud, network_id) == before + 1

    user.assignToLoadBalancerRule(id=lb["id"], virtualmachineids=f"{web1['id']},{web2['id']}",
                                  fetch_result=True)
    members = user.listLoadBalancerRuleInstances(id=lb["id"])["loadbalancerruleinstance"]
    assert {m["id"] for m in members} == {web1["id"], web2["id"]}
    assert error_of(user.assignToLoadBalancerRule, id=lb["id"],
                    virtualmachineids=web1["id"]) == 431
    by_vm = user.listLoadBalancerRules(virtualmachineid=web1["id"])["loadbalancerrule"]
    assert [r["id"] for r in by_vm] == [lb["id"]]
    user.removeFromLoadBalancerRule(id=lb["id"], virtualmachineids=web2["id"],
                                    fetch_result=True)
    members = user.listLoadBalancerRuleInstances(id=lb["id"])["loadbalancerruleinstance"]
    assert [m["id"] for m in members] == [web1["id"]]
    spare = user.listLoadBalancerRuleInstances(id=lb["id"], applied=False)[
        "loadbalancerruleinstance"]
    assert [m["id"] for m in spare] == [web2["id"]]
    assert error_of(user.removeFromLoadBalancerRule, id=lb["id"],
                    virtualmachineids=web2["id"]) == 431

    updated = user.updateLoadBalancerRule(id=lb["id"], algorithm="leastconn", name="www",
                                          fetch_result=True)["loadbalancer"]
    assert (updated["algorithm"], updated["name"], updated["description"]) == (
        "leastconn", "www", "front")
    listed = user.listLoadBalancerRules(publicipid=ip["id"])["loadbalancerrule"]
    assert [r["name"] for r in listed] == ["www"]
    assert user.listLoadBalancerRules(name="www", zoneid=dc[datacenter.ZONE])["count"] == 1
    types = {e["type"] for e in user.listEvents()["event"]}
    assert {"LB.CREATE", "LB.ASSIGN.TO.RULE", "LB.REMOVE.FROM.RULE", "LB.UPDATE"} <= types

    user.deleteLoadBalancerRule(id=lb["id"], fetch_result=True)
    assert user.listLoadBalancerRules(id=lb["id"]).get("loadbalancerrule", []) == []
    assert user.listFirewallRules(ipaddressid=ip["id"]).get("firewallrule", []) == []
    assert rules_version(cloud, network_id) == before + 5
    expunge(cloud, web1, web2)


def test_conflicts_and_refusals(cloud: Cloud, dc: dict[str, str]) -> None:
    owner = cloud.new_account()
    user = cloud.as_user(owner)
    vm = deploy(user, dc)
    ip = associate(user, zoneid=dc[datacenter.ZONE])
    user.createPortForwardingRule(fetch_result=True, ipaddressid=ip["id"], protocol="tcp",
                                  publicport=8000, publicendport=8100, privateport=8000,
                                  privateendport=8100, virtualmachineid=vm["id"])
    base = {"publicipid": ip["id"], "name": "lb", "algorithm": "source", "privateport": 80}
    assert error_of(user.createLoadBalancerRule, publicport=8050, **base) == 537
    lb = user.createLoadBalancerRule(fetch_result=True, publicport=80, **base)["loadbalancer"]
    assert error_of(user.createLoadBalancerRule, publicport=80, **base) == 537
    assert error_of(user.createPortForwardingRule, ipaddressid=ip["id"], protocol="tcp",
                    publicport=80, privateport=80, virtualmachineid=vm["id"]) == 537
    assert error_of(user.createLoadBalancerRule, publicport=81,
                    **{**base, "algorithm": "random"}) == 431
    stranger = cloud.as_user(cloud.new_account())
    stranger_vm = deploy(stranger, dc)
    assert error_of(user.assignToLoadBalancerRule, id=lb["id"],
                    virtualmachineids=stranger_vm["id"]) == 531
    assert error_of(stranger.deleteLoadBalancerRule, id=lb["id"]) == 531
    assert stranger.listLoadBalancerRules().get("loadbalancerrule", []) == []
    assert user.listLoadBalancerRules()["count"] == 1
    expunge(cloud, vm, stranger_vm)
