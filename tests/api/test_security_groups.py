"""Security groups through the API (seed §1.4.1, CloudStack semantics), on a simulator basic
zone with security groups enabled: the default group made on first need, create/list/
delete (default never, 536 while VMs use it), ingress/egress rules by CIDR or another
account's group (duplicates 537), revocation, deployments naming groups (431 outside such
zones), owners only, and the host ruleset variables the appliance renders from it all."""

from __future__ import annotations

from typing import Any

import pytest
from cs import CloudStack

from appliance.db import Database
from appliance.models import Host, User, VirtualMachine
from appliance.orchestration import security_groups as enforcement
from appliance.services.context import CallContext
from appliance.services.network import security_groups
from tests.api.test_public_ips import error_of
from tests.support import datacenter
from tests.support.cloud import Cloud

ZONE = "sg-basic"
SG_BASIC: dict[str, Any] = {
    "zones": [{
        "name": ZONE, "networktype": "Basic", "securitygroupenabled": True,
        "dns1": "203.0.113.53", "internaldns1": "172.16.0.53",
        "pods": [{
            "name": "sg-basic-pod", "gateway": "172.19.0.1", "netmask": "255.255.255.0",
            "startip": "172.19.0.10", "endip": "172.19.0.50",
            "clusters": [{
                "name": "sg-basic-cluster", "hypervisor": "Simulator",
                "hosts": [{"url": "http://sim/sg-b1?cpus=8&cpuspeed=2000&memory=16384"}],
                "primary_storage": [{"name": "sg-basic-primary",
                                     "url": "nfs://203.0.113.10/export/primary/sg"}],
            }],
        }],
        "secondary_storage": [{"name": "sg-basic-secondary",
                               "url": "file://${CIRRUS_HOME}/secondary/sg-basic"}],
        "ip_ranges": [{"pod": "sg-basic-pod", "forvirtualnetwork": False,
                       "gateway": "198.19.0.1", "netmask": "255.255.255.0",
                       "startip": "198.19.0.20", "endip": "198.19.0.60"}],
    }],
    "service_offerings": [{"name": "sg-offering", "cpunumber": 1, "cpuspeed": 100,
                           "memory": 128}],
    "templates": [{"name": "sg-template",
                   "url": "${CIRRUS_URL}/demo/templates/centos56-x86_64-simulator.qcow2",
                   "ostype": "CentOS 5.6 (64-bit)", "hypervisor": "Simulator",
                   "format": "QCOW2", "ispublic": True, "zones": [ZONE]}],
}


@pytest.fixture(scope="module")
def dc(cloud: Cloud) -> dict[str, str]:
    return datacenter.build(cloud, SG_BASIC)


def deploy(client: CloudStack, dc: dict[str, str], **extra: Any) -> dict[str, Any]:
    vm: dict[str, Any] = client.deployVirtualMachine(
        fetch_result=True, zoneid=dc[ZONE], serviceofferingid=dc["sg-offering"],
        templateid=dc["sg-template"], **extra)["virtualmachine"]
    return vm


def groups(client: CloudStack, **filters: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = client.listSecurityGroups(**filters).get("securitygroup", [])
    return found


def expunge(cloud: Cloud, *vms: dict[str, Any]) -> None:
    for vm in vms:
        cloud.admin.destroyVirtualMachine(id=vm["id"], expunge=True, fetch_result=True)


def test_default_group_on_first_list_and_reserved(cloud: Cloud) -> None:
    owner = cloud.new_account()
    user = cloud.as_user(owner)
    (default,) = groups(user)
    assert (default["name"], default["description"]) == ("default", "Default Security Group")
    assert default["account"] == owner.account["name"] and default["ingressrule"] == []
    assert [g["id"] for g in groups(user)] == [default["id"]]  # made once
    assert error_of(user.createSecurityGroup, name="default") == 431
    assert error_of(user.deleteSecurityGroup, name="default") == 431
    assert error_of(user.deleteSecurityGroup, id=default["id"]) == 431


def test_create_list_delete(cloud: Cloud) -> None:
    owner = cloud.new_account()
    user = cloud.as_user(owner)
    web = user.createSecurityGroup(name="web", description="Web servers")["securitygroup"]
    assert (web["name"], web["description"], web["account"]) == ("web", "Web servers",
                                                                 owner.account["name"])
    assert error_of(user.createSecurityGroup, name="web") == 431
    assert {g["name"] for g in groups(user)} == {"default", "web"}
    assert [g["id"] for g in groups(user, securitygroupname="web")] == [web["id"]]
    assert [g["id"] for g in groups(user, id=web["id"])] == [web["id"]]
    # Another account sees only its own; it may reuse the name.
    stranger = cloud.as_user(cloud.new_account())
    assert {g["name"] for g in groups(stranger)} == {"default"}
    assert error_of(stranger.deleteSecurityGroup, id=web["id"]) == 531
    assert stranger.createSecurityGroup(name="web")["securitygroup"]["id"] != web["id"]
    # The admin acts for the owner with account + domainid.
    listed = groups(cloud.admin, account=owner.account["name"], domainid=owner.account["domainid"])
    assert {g["name"] for g in listed} == {"default", "web"}
    assert cloud.admin.deleteSecurityGroup(name="web", account=owner.account["name"],
                                           domainid=owner.account["domainid"])["success"] is True
    assert {g["name"] for g in groups(user)} == {"default"}
    assert error_of(user.deleteSecurityGroup, name="web") == 431


def test_ingress_and_egress_rules(cloud: Cloud) -> None:
    owner = cloud.new_account()
    user = cloud.as_user(owner)
    web = user.createSecurityGroup(name="web")["securitygroup"]
    made = user.authorizeSecurityGroupIngress(
        fetch_result=True, securitygroupid=web["id"], protocol="TCP", startport=80,
        endport=443, cidrlist="10.0.0.0/8,192.168.1.7/16")["securitygroup"]
    assert made["id"] == web["id"] and made["egressrule"] == []
    assert sorted((r["protocol"], r["startport"], r["endport"], r["cidr"])
                  for r in made["ingressrule"]) == [("tcp", 80, 443, "10.0.0.0/8"),
                                                    ("tcp", 80, 443, "192.168.0.0/16")]
    ping = user.authorizeSecurityGroupIngress(
        fetch_result=True, securitygroupname="web", protocol="icmp", icmptype=8, icmpcode=-1,
        cidrlist="0.0.0.0/0")["securitygroup"]["ingressrule"]
    assert [(r["protocol"], r["icmptype"], r["icmpcode"]) for r in ping] == [("icmp", 8, -1)]
    dns = user.authorizeSecurityGroupEgress(
        fetch_result=True, securitygroupid=web["id"], protocol="udp", startport=53,
        cidrlist="198.19.0.1/32")["securitygroup"]
    assert [(r["protocol"], r["startport"], r["endport"], r["cidr"])
            for r in dns["egressrule"]] == [("udp", 53, 53, "198.19.0.1/32")]
    assert dns["ingressrule"] == []
    (listed,) = groups(user, securitygroupname="web")
    assert len(listed["ingressrule"]) == 3 and len(listed["egressrule"]) == 1
    # Duplicates 537; bad rules 431; strangers 531.
    assert error_of(user.authorizeSecurityGroupIngress, securitygroupid=web["id"],
                    protocol="tcp", startport=80, endport=443, cidrlist="10.0.0.0/8") == 537
    assert error_of(user.authorizeSecurityGroupEgress, securitygroupid=web["id"],
                    protocol="udp", startport=53, cidrlist="198.19.0.1/32") == 537
    bad = user.authorizeSecurityGroupIngress
    assert error_of(bad, securitygroupid=web["id"], protocol="gre", cidrlist="0.0.0.0/0") == 431
    assert error_of(bad, securitygroupid=web["id"], protocol="tcp",
                    cidrlist="0.0.0.0/0") == 431
    assert error_of(bad, securitygroupid=web["id"], protocol="tcp", startport=90, endport=80,
                    cidrlist="0.0.0.0/0") == 431
    assert error_of(bad, securitygroupid=web["id"], protocol="tcp", startport=22) == 431
    assert error_of(bad, securitygroupid=web["id"], protocol="tcp", startport=22,
                    cidrlist="10.0.0.300/8") == 431
    assert error_of(bad, securitygroupname="nope", protocol="all", cidrlist="0.0.0.0/0") == 431
    stranger = cloud.as_user(cloud.new_account())
    assert error_of(stranger.authorizeSecurityGroupIngress, securitygroupid=web["id"],
                    protocol="tcp", startport=23, cidrlist="0.0.0.0/0") == 531
    rule_id = listed["ingressrule"][0]["ruleid"]
    assert error_of(stranger.revokeSecurityGroupIngress, id=rule_id) == 531
    # Ingress and egress rules are revoked by their own commands.
    assert error_of(user.revokeSecurityGroupEgress, id=rule_id) == 431
    assert user.revokeSecurityGroupIngress(id=rule_id, fetch_result=True)["success"] is True
    egress_id = listed["egressrule"][0]["ruleid"]
    assert user.revokeSecurityGroupEgress(id=egress_id, fetch_result=True)["success"] is True
    (after,) = groups(user, id=web["id"])
    assert rule_id not in {r["ruleid"] for r in after["ingressrule"]}
    assert len(after["ingressrule"]) == 2 and after["egressrule"] == []
    events = {e["type"] for e in user.listEvents()["event"]}
    assert {"SG.AUTH.INGRESS", "SG.REVOKE.INGRESS"} <= events


def test_rule_naming_another_accounts_group(cloud: Cloud) -> None:
    a, b = cloud.new_account(), cloud.new_account()
    user_a, user_b = cloud.as_user(a), cloud.as_user(b)
    db = user_b.createSecurityGroup(name="db")["securitygroup"]
    user_a.createSecurityGroup(name="app")
    made = user_b.authorizeSecurityGroupIngress(
        fetch_result=True, securitygroupid=db["id"], protocol="tcp", startport=5432,
        **{"usersecuritygrouplist[0].account": a.account["name"],
           "usersecuritygrouplist[0].group": "app"})["securitygroup"]["ingressrule"]
    assert [(r["securitygroupname"], r["account"], r["startport"]) for r in made] == [
        ("app", a.account["name"], 5432)]
    assert "cidr" not in made[0]
    assert error_of(user_b.authorizeSecurityGroupIngress, securitygroupid=db["id"],
                    protocol="tcp", startport=5432,
                    **{"usersecuritygrouplist[0].account": a.account["name"],
                       "usersecuritygrouplist[0].group": "app"}) == 537
    assert error_of(user_b.authorizeSecurityGroupIngress, securitygroupid=db["id"],
                    protocol="tcp", startport=5432,
                    **{"usersecuritygrouplist[0].account": a.account["name"],
                       "usersecuritygrouplist[0].group": "missing"}) == 431


def _host_vars(cloud: Cloud, vm_id: str) -> dict[str, Any]:
    """What apply_host would pass to the playbook for the VM's host."""
    db = Database(cloud.server.database_url)
    try:
        with db.session(write=False) as session:
            admin = session.query(User).filter(User.username == "admin").one()
            ctx = CallContext.for_user(session, admin, db=db)
            vm = session.get(VirtualMachine, vm_id)
            assert vm is not None and vm.host_id is not None
            host = session.get(Host, vm.host_id)
            assert host is not None
            group = security_groups.groups_of_vm(ctx, vm_id)[0]
            assert host in enforcement.hosts_of_group(ctx, group.id)
            return enforcement.host_vars(ctx, host)
    finally:
        db.dispose()


def test_deploy_with_groups_and_enforcement_vars(cloud: Cloud, dc: dict[str, str]) -> None:
    a, b = cloud.new_account(), cloud.new_account()
    user_a, user_b = cloud.as_user(a), cloud.as_user(b)
    web = user_a.createSecurityGroup(name="web")["securitygroup"]
    user_a.authorizeSecurityGroupIngress(fetch_result=True, securitygroupid=web["id"],
                                         protocol="tcp", startport=80, cidrlist="0.0.0.0/0")
    plain = deploy(user_a, dc)  # no group named: the default
    assert [g["name"] for g in plain["securitygroup"]] == ["default"]
    both = deploy(user_a, dc, securitygroupnames="default,web")
    assert sorted(g["name"] for g in both["securitygroup"]) == ["default", "web"]
    by_id = deploy(user_a, dc, securitygroupids=web["id"])
    assert [g["id"] for g in by_id["securitygroup"]] == [web["id"]]
    assert [g["id"] for g in groups(user_a, virtualmachineid=by_id["id"])] == [web["id"]]
    listed = user_a.listVirtualMachines(id=both["id"])["virtualmachine"][0]
    assert sorted(g["name"] for g in listed["securitygroup"]) == ["default", "web"]
    (web_now,) = groups(user_a, id=web["id"])
    assert web_now["virtualmachinecount"] == 2
    assert sorted(web_now["virtualmachineids"]) == sorted([both["id"], by_id["id"]])
    # Another account's group, both ids and names, or a group that does not exist: 431.
    other = user_b.createSecurityGroup(name="other")["securitygroup"]
    assert error_of(user_a.deployVirtualMachine, zoneid=dc[ZONE],
                    serviceofferingid=dc["sg-offering"], templateid=dc["sg-template"],
                    securitygroupids=other["id"]) == 431
    assert error_of(user_a.deployVirtualMachine, zoneid=dc[ZONE],
                    serviceofferingid=dc["sg-offering"], templateid=dc["sg-template"],
                    securitygroupids=web["id"], securitygroupnames="web") == 431
    assert error_of(user_a.deployVirtualMachine, zoneid=dc[ZONE],
                    serviceofferingid=dc["sg-offering"], templateid=dc["sg-template"],
                    securitygroupnames="nope") == 431

    # b's db group lets a's web members in on 5432: their addresses, /32.
    db_group = user_b.createSecurityGroup(name="db")["securitygroup"]
    user_b.authorizeSecurityGroupIngress(
        fetch_result=True, securitygroupid=db_group["id"], protocol="tcp", startport=5432,
        **{"usersecuritygrouplist[0].account": a.account["name"],
           "usersecuritygrouplist[0].group": "web"})
    user_b.authorizeSecurityGroupEgress(fetch_result=True, securitygroupid=db_group["id"],
                                        protocol="tcp", startport=443,
                                        cidrlist="203.0.113.0/24")
    database = deploy(user_b, dc, securitygroupnames="db")
    entries = {e["instance_name"]: e for e in _host_vars(cloud, database["id"])[
        "security_group_vms"]}
    nic = database["nic"][0]
    entry = next(e for e in entries.values() if e["mac"] == nic["macaddress"])
    web_ips = sorted(f"{vm['nic'][0]['ipaddress']}/32" for vm in (both, by_id))
    assert entry["ip"] == nic["ipaddress"] and entry["bridge"] == "cloudbr0"
    assert entry["ingress"] == [{"protocol": "tcp", "ports": [5432, 5432], "icmp_type": None,
                                 "icmp_code": None, "cidrs": web_ips}]
    assert entry["egress"] == [{"protocol": "tcp", "ports": [443, 443], "icmp_type": None,
                                "icmp_code": None, "cidrs": ["203.0.113.0/24"]}]
    assert entry["egress_default_allow"] is False
    plain_entry = next(e for e in entries.values()
                       if e["mac"] == plain["nic"][0]["macaddress"])
    assert plain_entry["ingress"] == [] and plain_entry["egress_default_allow"] is True

    # In use: 536 until its VMs are gone.
    assert error_of(user_a.deleteSecurityGroup, id=web["id"]) == 536
    expunge(cloud, both, by_id)
    assert user_a.deleteSecurityGroup(id=web["id"])["success"] is True
    # The rule naming it went with it.
    (db_now,) = groups(user_b, id=db_group["id"])
    assert db_now["ingressrule"] == []
    expunge(cloud, plain, database)


def test_security_groups_only_in_zones_that_enable_them(cloud: Cloud) -> None:
    tiny = datacenter.build(cloud)
    user = cloud.as_user(cloud.new_account())
    (default,) = groups(user)
    assert error_of(user.deployVirtualMachine, zoneid=tiny[datacenter.ZONE],
                    serviceofferingid=tiny[datacenter.OFFERING],
                    templateid=tiny[datacenter.TEMPLATE],
                    securitygroupids=default["id"]) == 431
    vm = user.deployVirtualMachine(fetch_result=True, zoneid=tiny[datacenter.ZONE],
                                   serviceofferingid=tiny[datacenter.OFFERING],
                                   templateid=tiny[datacenter.TEMPLATE])["virtualmachine"]
    assert vm["securitygroup"] == []
    expunge(cloud, vm)
