"""Public IP addresses through the API (seed §5.6): a network's source NAT address taken at
its creation, associateIpAddress / disassociateIpAddress, limits, who may touch which, and
concurrent callers never getting one address twice."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import sqlalchemy as sa
from cs import CloudStack, CloudStackApiException

from tests.support import datacenter
from tests.support.cloud import Cloud

# A zone whose public range holds five addresses, for running out of them.
SMALL: dict[str, Any] = {
    "zones": [{
        "name": "pips-small", "networktype": "Advanced", "dns1": "203.0.113.53",
        "internaldns1": "172.16.0.53", "vlan": "300-399",
        "ip_ranges": [{"vlan": "60", "gateway": "198.51.100.1", "netmask": "255.255.255.0",
                       "startip": "198.51.100.10", "endip": "198.51.100.14"}],
    }],
}


def error_of(call: Any, **kwargs: Any) -> int:
    """The error code of a call that fails, in the request or in its job."""
    with pytest.raises(CloudStackApiException) as caught:
        call(fetch_result=True, **kwargs)
    error = caught.value.error
    if isinstance(error, dict) and "errorcode" in error:
        return int(error["errorcode"])
    return int(caught.value.response.status_code)


def deploy(client: CloudStack, dc: dict[str, str], **extra: Any) -> dict[str, Any]:
    vm: dict[str, Any] = client.deployVirtualMachine(
        fetch_result=True, zoneid=dc[datacenter.ZONE], serviceofferingid=dc[datacenter.OFFERING],
        templateid=dc[datacenter.TEMPLATE], **extra)["virtualmachine"]
    return vm


def associate(client: CloudStack, **kwargs: Any) -> dict[str, Any]:
    ip: dict[str, Any] = client.associateIpAddress(fetch_result=True, **kwargs)[
        "ipaddress"]
    return ip


def rules_version(cloud: Cloud, network_id: str) -> int:
    engine = sa.create_engine(cloud.server.database_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text("SELECT rules_version FROM network WHERE id = :id"),
                                    {"id": network_id}).scalar_one())
    finally:
        engine.dispose()


def expunge(cloud: Cloud, *vms: dict[str, Any]) -> None:
    for vm in vms:
        cloud.admin.destroyVirtualMachine(id=vm["id"], expunge=True, fetch_result=True)


def test_a_new_network_gets_a_source_nat_address(cloud: Cloud, dc: dict[str, str]) -> None:
    owner = cloud.new_account()
    user = cloud.as_user(owner)
    vm = deploy(user, dc)
    network_id = vm["nic"][0]["networkid"]
    (ip,) = user.listPublicIpAddresses()["publicipaddress"]
    assert ip["issourcenat"] is True and ip["associatednetworkid"] == network_id
    assert ip["state"] == "Allocated" and ip["account"] == owner.username
    assert ip["ipaddress"].startswith("192.0.2.")
    assert rules_version(cloud, network_id) >= 1
    account = cloud.admin.listAccounts(id=owner.account["id"])["account"][0]
    assert int(account["iptotal"]) == 1
    second = deploy(user, dc)  # same network: no second source NAT address
    assert len(user.listPublicIpAddresses()["publicipaddress"]) == 1
    expunge(cloud, vm, second)


def test_associate_and_disassociate(cloud: Cloud, dc: dict[str, str]) -> None:
    owner = cloud.new_account()
    user = cloud.as_user(owner)
    vm = deploy(user, dc)
    network_id = vm["nic"][0]["networkid"]
    before = rules_version(cloud, network_id)
    ip = associate(user, zoneid=dc[datacenter.ZONE])
    assert ip["issourcenat"] is False and ip["associatednetworkid"] == network_id
    assert ip["state"] == "Allocated" and ip["zoneid"] == dc[datacenter.ZONE]
    assert rules_version(cloud, network_id) == before + 1
    by_network = associate(user, networkid=network_id)
    assert by_network["ipaddress"] != ip["ipaddress"]
    listed = user.listPublicIpAddresses(associatednetworkid=network_id)["publicipaddress"]
    assert len(listed) == 3
    account = cloud.admin.listAccounts(id=owner.account["id"])["account"][0]
    assert int(account["iptotal"]) == 3
    types = {e["type"] for e in user.listEvents()["event"]}
    assert "NET.IPASSIGN" in types

    stranger = cloud.as_user(cloud.new_account())
    assert error_of(stranger.disassociateIpAddress, id=ip["id"]) == 531
    source_nat = user.listPublicIpAddresses(issourcenat=True)["publicipaddress"][0]
    assert error_of(user.disassociateIpAddress, id=source_nat["id"]) == 431

    user.disassociateIpAddress(id=ip["id"], fetch_result=True)
    assert user.listPublicIpAddresses(id=ip["id"]).get("publicipaddress", []) == []
    free = cloud.admin.listPublicIpAddresses(id=ip["id"], allocatedonly=False)
    assert free["publicipaddress"][0]["state"] == "Free"
    assert rules_version(cloud, network_id) == before + 3
    account = cloud.admin.listAccounts(id=owner.account["id"])["account"][0]
    assert int(account["iptotal"]) == 2
    assert "NET.IPRELEASE" in {e["type"] for e in user.listEvents()["event"]}
    user.disassociateIpAddress(id=by_network["id"], fetch_result=True)
    expunge(cloud, vm)


def test_admins_associate_for_an_account(cloud: Cloud, dc: dict[str, str]) -> None:
    owner = cloud.new_account()
    ip = associate(cloud.admin, zoneid=dc[datacenter.ZONE], account=owner.username,
                   domainid=owner.account["domainid"])
    assert ip["account"] == owner.username
    user = cloud.as_user(owner)
    # The account had no network: one was made, with its source NAT address.
    mine = user.listPublicIpAddresses()["publicipaddress"]
    assert sorted(p["issourcenat"] for p in mine) == [False, True]
    stranger = cloud.as_user(cloud.new_account())
    assert error_of(stranger.associateIpAddress, networkid=ip["associatednetworkid"]) == 531
    assert error_of(stranger.associateIpAddress, zoneid=dc[datacenter.ZONE],
                    account=owner.username, domainid=owner.account["domainid"]) == 531
    assert error_of(user.associateIpAddress) == 431


def test_public_ip_limit(cloud: Cloud, dc: dict[str, str]) -> None:
    owner = cloud.new_account()
    user = cloud.as_user(owner)
    cloud.admin.updateResourceLimit(resourcetype=1, max=2, account=owner.username,
                                    domainid=owner.account["domainid"])
    associate(user, zoneid=dc[datacenter.ZONE])  # source NAT + this one
    assert error_of(user.associateIpAddress, zoneid=dc[datacenter.ZONE]) == 532
    assert len(user.listPublicIpAddresses()["publicipaddress"]) == 2


def test_concurrent_associations_never_share_an_address(cloud: Cloud) -> None:
    ids = datacenter.build(cloud, SMALL)
    owner = cloud.new_account()
    user = cloud.as_user(owner)
    first = associate(user, zoneid=ids["pips-small"])  # network + source NAT + this: 2 of 5
    network_id = first["associatednetworkid"]

    def attempt(_: int) -> str | int:
        client = cloud.as_user(owner)
        try:
            return str(associate(client, networkid=network_id)["ipaddress"])
        except CloudStackApiException as exc:
            error = exc.error
            if isinstance(error, dict) and "errorcode" in error:
                return int(error["errorcode"])
            return int(exc.response.status_code)

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(attempt, range(20)))
    given = [o for o in outcomes if isinstance(o, str)]
    assert len(given) == 3 and len(set(given)) == 3
    assert sorted(o for o in outcomes if isinstance(o, int)) == [533] * 17
    held = user.listPublicIpAddresses(zoneid=ids["pips-small"])["publicipaddress"]
    assert len({p["ipaddress"] for p in held}) == 5
    account = cloud.admin.listAccounts(id=owner.account["id"])["account"][0]
    assert int(account["iptotal"]) == 5
    # A new account's network cannot get its source NAT address: nothing is made.
    late = cloud.as_user(cloud.new_account())
    assert error_of(late.associateIpAddress, zoneid=ids["pips-small"]) == 533
    assert late.listNetworks(zoneid=ids["pips-small"]).get("network", []) == []
