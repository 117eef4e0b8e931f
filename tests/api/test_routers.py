"""Virtual routers through the API on the simulator (seed §5.1, §11.8): a network's router
comes with its first guest, applies rules (they turn Active), and its life cycle commands
and restartNetwork behave; expunging a VM takes its rules away, deleting the network its
router and addresses. Real packets through a router: tests/e2e/test_lab_router.py."""

from __future__ import annotations

from typing import Any

from cs import CloudStack

from tests.api.test_public_ips import associate, deploy, error_of, expunge, rules_version
from tests.support import datacenter
from tests.support.cloud import Cloud


def routers_of(cloud: Cloud, network_id: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = cloud.admin.listRouters(networkid=network_id).get(
        "router", [])
    return found


def host_of(cloud: Cloud, vm: dict[str, Any]) -> str:
    host_id: str = cloud.admin.listVirtualMachines(id=vm["id"], listall=True)[
        "virtualmachine"][0]["hostid"]
    return host_id


def network_of(user: CloudStack, vm: dict[str, Any]) -> str:
    network_id: str = vm["nic"][0]["networkid"]
    return network_id


def test_first_guest_brings_the_router(cloud: Cloud, dc: dict[str, str]) -> None:
    owner = cloud.new_account()
    user = cloud.as_user(owner)
    vm = deploy(user, dc)
    network_id = network_of(user, vm)
    (router,) = routers_of(cloud, network_id)
    network = user.listNetworks(id=network_id)["network"][0]
    assert router["state"] == "Running" and router["role"] == "VIRTUAL_ROUTER"
    assert router["guestipaddress"] == network["gateway"]
    assert router["hostid"] == host_of(cloud, vm) and router["linklocalip"].startswith("169.254.")
    source_nat = user.listPublicIpAddresses(associatednetworkid=network_id,
                                            issourcenat=True)["publicipaddress"][0]
    assert router["publicip"] == source_nat["ipaddress"]
    assert router["appliedversion"] == rules_version(cloud, network_id)
    assert router["account"] == owner.account["name"]

    # Users do not see routers (an admin API), domain admins see their domain's.
    assert error_of(user.listRouters) == 432
    # A second guest reuses the router.
    second = deploy(user, dc)
    assert [r["id"] for r in routers_of(cloud, network_id)] == [router["id"]]
    expunge(cloud, vm, second)


def test_rules_go_active_and_back(cloud: Cloud, dc: dict[str, str]) -> None:
    owner = cloud.new_account()
    user = cloud.as_user(owner)
    vm = deploy(user, dc)
    network_id = network_of(user, vm)
    ip = associate(user, zoneid=dc[datacenter.ZONE])
    rule = user.createPortForwardingRule(
        ipaddressid=ip["id"], protocol="tcp", publicport=8080, privateport=80,
        virtualmachineid=vm["id"], fetch_result=True)["portforwardingrule"]
    assert rule["state"] == "Active"
    (router,) = routers_of(cloud, network_id)
    assert router["appliedversion"] == rules_version(cloud, network_id)

    stopped = cloud.admin.stopRouter(id=router["id"], fetch_result=True)["router"]
    assert stopped["state"] == "Stopped" and "hostid" not in stopped
    assert user.listPortForwardingRules(id=rule["id"])["portforwardingrule"][0][
        "state"] == "Add"
    # Rules made while the router is down wait for it.
    fw = user.createFirewallRule(ipaddressid=ip["id"], protocol="tcp", startport=22,
                                 endport=22, fetch_result=True)["firewallrule"]
    assert fw["state"] == "Add"
    assert error_of(cloud.admin.rebootRouter, id=router["id"]) == 431
    started = cloud.admin.startRouter(id=router["id"], fetch_result=True)["router"]
    assert started["state"] == "Running" and started["hostid"] == host_of(cloud, vm)
    assert {r["state"] for r in user.listFirewallRules(ipaddressid=ip["id"])[
        "firewallrule"]} == {"Active"}
    rebooted = cloud.admin.rebootRouter(id=router["id"], fetch_result=True)["router"]
    assert rebooted["state"] == "Running"

    # Expunging the VM takes its port forwarding rule (and the firewall rule opened
    # for it) away; the router's configuration follows.
    expunge(cloud, vm)
    assert user.listPortForwardingRules(ipaddressid=ip["id"]).get(
        "portforwardingrule", []) == []
    assert routers_of(cloud, network_id)[0]["appliedversion"] == rules_version(
        cloud, network_id)


def test_restart_network_and_destroy(cloud: Cloud, dc: dict[str, str]) -> None:
    owner = cloud.new_account()
    user = cloud.as_user(owner)
    vm = deploy(user, dc)
    network_id = network_of(user, vm)
    (router,) = routers_of(cloud, network_id)

    user.restartNetwork(id=network_id, fetch_result=True)
    (same,) = routers_of(cloud, network_id)
    assert same["id"] == router["id"] and same["state"] == "Running"

    user.restartNetwork(id=network_id, cleanup=True, fetch_result=True)
    (fresh,) = routers_of(cloud, network_id)
    assert fresh["id"] != router["id"] and fresh["state"] == "Running"
    assert fresh["name"] != router["name"] and fresh["linklocalip"] != router["linklocalip"]
    assert cloud.admin.listRouters(id=router["id"]).get("router", []) == []

    cloud.admin.destroyRouter(id=fresh["id"], fetch_result=True)
    assert routers_of(cloud, network_id) == []
    # The next guest start implements the network again with a new router.
    cloud.admin.stopVirtualMachine(id=vm["id"], fetch_result=True)
    cloud.admin.startVirtualMachine(id=vm["id"], fetch_result=True)
    (again,) = routers_of(cloud, network_id)
    assert again["id"] not in (router["id"], fresh["id"]) and again["state"] == "Running"


def test_deleting_a_network_removes_its_router_and_addresses(cloud: Cloud,
                                                             dc: dict[str, str]) -> None:
    owner = cloud.new_account()
    user = cloud.as_user(owner)
    network = user.createNetwork(
        name="router-net", displaytext="router-net", zoneid=dc[datacenter.ZONE],
        networkofferingid=cloud.admin.listNetworkOfferings(
            name="DefaultVirtualizedNetworkOffering")["networkoffering"][0]["id"])["network"]
    vm = deploy(user, dc, networkids=network["id"])
    ip = associate(user, networkid=network["id"])
    user.createEgressFirewallRule(networkid=network["id"], protocol="tcp", startport=80,
                                  endport=80, fetch_result=True)
    assert len(routers_of(cloud, network["id"])) == 1
    assert error_of(user.deleteNetwork, id=network["id"]) == 536
    expunge(cloud, vm)
    user.deleteNetwork(id=network["id"], fetch_result=True)
    assert routers_of(cloud, network["id"]) == []
    assert cloud.admin.listPublicIpAddresses(id=ip["id"], allocatedonly=False)[
        "publicipaddress"][0]["state"] == "Free"
