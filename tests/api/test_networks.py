"""Guest networks through the API (seed §5, §6.7): isolated networks on the zone's VLANs,
direct tagged networks with an admin's range, who sees and may delete which."""

from __future__ import annotations

from typing import Any

import pytest
from cs import CloudStack, CloudStackApiException

from tests.support import datacenter
from tests.support.cloud import Cloud


def offering(cloud: Cloud, name: str) -> str:
    found = cloud.admin.listNetworkOfferings(name=name)["networkoffering"]
    return str(found[0]["id"])


def virtual(cloud: Cloud) -> str:
    return offering(cloud, "DefaultVirtualizedNetworkOffering")


def direct(cloud: Cloud) -> str:
    return offering(cloud, "DefaultDirectNetworkOffering")


def _status(call: Any, **kwargs: Any) -> int:
    with pytest.raises(CloudStackApiException) as caught:
        call(**kwargs)
    error = caught.value.error
    code: int = error["errorcode"]
    return code


def _job_status(call: Any, **kwargs: Any) -> int:
    """The error code of a call failing synchronously or in its job."""
    with pytest.raises(CloudStackApiException) as caught:
        call(fetch_result=True, **kwargs)
    error = caught.value.error
    if isinstance(error, dict) and "errorcode" in error:
        return int(error["errorcode"])
    body = caught.value.response.json()
    return int(next(iter(body.values()))["errorcode"])


def _networks(client: CloudStack, **kwargs: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = client.listNetworks(**kwargs).get("network", [])
    return found


def test_isolated_network_create_list_update_delete(cloud: Cloud, dc: dict[str, str]) -> None:
    owner = cloud.new_account()
    user = cloud.as_user(owner)
    network = user.createNetwork(name="backend", displaytext="Backend tier",
                                 networkofferingid=virtual(cloud),
                                 zoneid=dc[datacenter.ZONE], gateway="10.9.8.1",
                                 netmask="255.255.255.0")["network"]
    assert network["name"] == "backend" and network["displaytext"] == "Backend tier"
    assert network["type"] == "Virtual" and network["guestiptype"] == "Isolated"
    assert network["traffictype"] == "Guest" and network["zonename"] == "tiny"
    assert network["networkofferingname"] == "DefaultVirtualizedNetworkOffering"
    assert network["cidr"] == "10.9.8.0/24" and network["gateway"] == "10.9.8.1"
    assert network["netmask"] == "255.255.255.0"
    assert 100 <= int(network["vlan"]) <= 199
    assert network["broadcasturi"] == f"vlan://{network['vlan']}"
    assert network["account"] == owner.username and network["isdefault"] is True
    assert network["state"] == "Allocated" and network["isshared"] is False
    # Its source NAT address is taken with it (the zone has a public range), as for the
    # default network a first deploy makes.
    (snat,) = user.listPublicIpAddresses(associatednetworkid=network["id"],
                                         issourcenat=True)["publicipaddress"]
    assert snat["account"] == owner.username
    other = user.createNetwork(name="front", displaytext="Front",
                               networkofferingid=virtual(cloud),
                               zoneid=dc[datacenter.ZONE])["network"]
    assert other["cidr"] == "10.1.1.0/24" and other["isdefault"] is False  # zone's CIDR
    assert other["vlan"] != network["vlan"]

    mine = {n["id"] for n in _networks(user)}
    assert {network["id"], other["id"]} <= mine
    assert [n["id"] for n in _networks(user, id=network["id"])] == [network["id"]]
    assert [n["id"] for n in _networks(user, keyword="backe")] == [network["id"]]
    assert [n["id"] for n in _networks(user, type="Virtual", isdefault=False)] == [other["id"]]
    paged = user.listNetworks(page=1, pagesize=1)
    assert paged["count"] >= 2 and len(paged["network"]) == 1
    stranger = cloud.as_user(cloud.new_account())
    assert network["id"] not in {n["id"] for n in _networks(stranger)}
    assert _status(stranger.listNetworks, account=owner.username) == 531
    assert network["id"] in {n["id"] for n in _networks(cloud.admin, listall=True)}
    assert [n["id"] for n in _networks(cloud.admin, account=owner.username,
                                       domainid=owner.account["domainid"],
                                       id=network["id"])] == [network["id"]]

    renamed = user.updateNetwork(id=network["id"], name="db", displaytext="DB tier")
    assert renamed["network"]["name"] == "db"
    assert renamed["network"]["displaytext"] == "DB tier"
    assert _status(stranger.updateNetwork, id=network["id"], name="x") == 531
    assert _job_status(stranger.deleteNetwork, id=network["id"]) == 531

    done = user.deleteNetwork(id=network["id"], fetch_result=True)
    assert done["success"] is True
    assert network["id"] not in {n["id"] for n in _networks(user)}
    assert _status(user.updateNetwork, id=network["id"], name="x") == 431
    assert snat["id"] not in {ip["id"] for ip in user.listPublicIpAddresses().get(
        "publicipaddress", [])}
    # Its VLAN went back to the zone: the next network may take it again.
    again = user.createNetwork(name="again", displaytext="Again",
                               networkofferingid=virtual(cloud),
                               zoneid=dc[datacenter.ZONE])["network"]
    assert int(again["vlan"]) <= int(network["vlan"])
    for net in (other, again):
        user.deleteNetwork(id=net["id"], fetch_result=True)


def test_create_network_errors(cloud: Cloud, dc: dict[str, str]) -> None:
    user = cloud.as_user(cloud.new_account())
    zone = dc[datacenter.ZONE]
    assert _status(user.createNetwork, name="n", displaytext="n", zoneid=zone,
                   networkofferingid=dc[datacenter.OFFERING]) == 431  # not a network offering
    assert _status(user.createNetwork, name="n", displaytext="n",
                   zoneid=dc[datacenter.OFFERING], networkofferingid=virtual(cloud)) == 431
    assert _status(user.createNetwork, name="n", displaytext="n", zoneid=zone,
                   networkofferingid=virtual(cloud), gateway="10.2.0.1") == 431
    assert _status(user.createNetwork, name="n", displaytext="n", zoneid=zone,
                   networkofferingid=direct(cloud), vlan="301", gateway="10.31.0.1",
                   netmask="255.255.255.0", startip="10.31.0.10") == 531  # admins only
    assert _status(cloud.admin.createNetwork, name="n", displaytext="n", zoneid=zone,
                   networkofferingid=direct(cloud), gateway="10.31.0.1",
                   netmask="255.255.255.0", startip="10.31.0.10") == 431  # vlan missing


def test_direct_tagged_networks(cloud: Cloud, dc: dict[str, str]) -> None:
    admin = cloud.admin
    zone = dc[datacenter.ZONE]
    shared = admin.createNetwork(
        name="dmz", displaytext="DMZ", networkofferingid=direct(cloud), zoneid=zone,
        vlan="300", gateway="10.30.0.1", netmask="255.255.255.0", startip="10.30.0.10",
        endip="10.30.0.20", isdefault=True)["network"]
    assert shared["type"] == "Direct" and shared["guestiptype"] == "Shared"
    assert shared["vlan"] == "300" and shared["broadcasturi"] == "vlan://300"
    assert shared["startip"] == "10.30.0.10" and shared["endip"] == "10.30.0.20"
    assert shared["isshared"] is True and "account" not in shared
    assert shared["isdefault"] is True
    ranges = admin.listVlanIpRanges(networkid=shared["id"])["vlaniprange"]
    assert len(ranges) == 1 and ranges[0]["forvirtualnetwork"] is False
    assert ranges[0]["vlan"] in ("300", "vlan://300")

    owner = cloud.new_account()
    own = admin.createNetwork(
        name="lab", displaytext="Lab", networkofferingid=direct(cloud), zoneid=zone,
        vlan="310", gateway="10.31.0.1", netmask="255.255.255.0", startip="10.31.0.10",
        endip="10.31.0.12", account=owner.username,
        domainid=owner.account["domainid"])["network"]
    assert own["account"] == owner.username and own["isshared"] is False

    user = cloud.as_user(owner)
    seen = {n["id"] for n in _networks(user)}
    assert {shared["id"], own["id"]} <= seen  # zone-wide ones and its own
    stranger = cloud.as_user(cloud.new_account())
    seen = {n["id"] for n in _networks(stranger, type="Direct")}
    assert shared["id"] in seen and own["id"] not in seen
    assert [n["id"] for n in _networks(stranger, isshared=True, id=shared["id"])] == [
        shared["id"]]
    assert _status(user.updateNetwork, id=shared["id"], name="x") == 531  # zone-wide: root

    assert _status(admin.createNetwork, name="clash", displaytext="clash",
                   networkofferingid=direct(cloud), zoneid=zone, vlan="320",
                   gateway="10.30.0.1", netmask="255.255.255.0", startip="10.30.0.15",
                   endip="10.30.0.30") == 431  # overlaps dmz's range
    assert not [n for n in _networks(admin, listall=True) if n["name"] == "clash"]
    isolated = user.createNetwork(name="iso", displaytext="iso",
                                  networkofferingid=virtual(cloud), zoneid=zone)["network"]
    assert _status(admin.createNetwork, name="same-vlan", displaytext="same",
                   networkofferingid=direct(cloud), zoneid=zone, vlan=isolated["vlan"],
                   gateway="10.32.0.1", netmask="255.255.255.0",
                   startip="10.32.0.10") == 431  # its VLAN carries an isolated network
    assert _status(admin.createNetwork, name="same-300", displaytext="same",
                   networkofferingid=direct(cloud), zoneid=zone, vlan="300",
                   gateway="10.30.0.1", netmask="255.255.255.0",
                   startip="10.30.0.50") == 431  # VLAN 300 is dmz's
    user.deleteNetwork(id=isolated["id"], fetch_result=True)

    for net in (shared, own):
        assert admin.deleteNetwork(id=net["id"], fetch_result=True)["success"] is True
    assert not admin.listVlanIpRanges(networkid=shared["id"]).get("vlaniprange")
