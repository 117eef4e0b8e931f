"""deleteAccount of an account that owns things (Apache CloudStack's cleanupAccount): its VMs,
networks and routers, public IPs with their rules and VPN, VPN users, volumes, snapshots,
snapshot policies, templates and security groups go first; the account is then marked
removed, its users' keys stop working, its name can be used again, and a deletion that
failed halfway continues where it stopped when asked again."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from cs import CloudStack, CloudStackApiException

from tests.support import datacenter, sim_storage
from tests.support.cloud import Cloud, Credentials


def _error(call: Any, **kwargs: Any) -> tuple[int, str]:
    """The error code and text of a call that fails, in the request or in its job."""
    with pytest.raises(CloudStackApiException) as caught:
        call(fetch_result=True, **kwargs)
    error = caught.value.error
    if isinstance(error, dict) and "errorcode" in error:
        return int(error["errorcode"]), str(error["errortext"])
    return int(caught.value.response.status_code), str(error)


def _deploy(user: CloudStack, dc: dict[str, str], **extra: Any) -> dict[str, Any]:
    vm: dict[str, Any] = user.deployVirtualMachine(
        fetch_result=True, zoneid=dc[datacenter.ZONE], serviceofferingid=dc[datacenter.OFFERING],
        templateid=dc[datacenter.TEMPLATE], **extra)["virtualmachine"]
    return vm


def _domain_counts(cloud: Cloud, domain_id: str) -> dict[int, int]:
    """The domain's resource counts by type (0 user_vm, 1 public_ip, 2 volume, 3 snapshot,
    4 template), as the limits service keeps them."""
    engine = sa.create_engine(cloud.server.database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT resource_type, count FROM resource_count "
                "WHERE owner_kind = 'domain' AND owner_id = :id"), {"id": domain_id})
            return {int(kind): int(count) for kind, count in rows}
    finally:
        engine.dispose()


def _owned(cloud: Cloud, domain_id: str) -> dict[str, list[str]]:
    """What the root admin lists in `domain_id`, by kind (ids)."""
    admin = cloud.admin
    scope = {"domainid": domain_id, "listall": True}
    listings = {
        "virtualmachine": admin.listVirtualMachines(**scope),
        "network": admin.listNetworks(**scope),
        "volume": admin.listVolumes(**scope),
        "publicipaddress": admin.listPublicIpAddresses(**scope),
        "router": admin.listRouters(**scope),
        "snapshot": admin.listSnapshots(**scope),
        "template": admin.listTemplates(templatefilter="all", **scope),
        "vpnuser": admin.listVpnUsers(**scope),
        "remoteaccessvpn": admin.listRemoteAccessVpns(**scope),
        "securitygroup": admin.listSecurityGroups(**scope),
        "portforwardingrule": admin.listPortForwardingRules(**scope),
    }
    # (listTemplates with templatefilter=all shows the public ones of other domains too)
    return {kind: [item["id"] for item in listing.get(kind, [])
                   if item.get("domainid", domain_id) == domain_id]
            for kind, listing in listings.items()}


def _populate(cloud: Cloud, dc: dict[str, str], owner: Credentials) -> dict[str, Any]:
    """A running VM with a data disk on its isolated network (router, source NAT IP), a
    spare volume, a snapshot with a policy, a private template from the snapshot, an extra
    public IP with a port forward and a VPN, a VPN user and a security group."""
    user = cloud.as_user(owner)
    vm = _deploy(user, dc, diskofferingid=dc[datacenter.DISK_OFFERING])
    volumes = {v["type"]: v for v in user.listVolumes(virtualmachineid=vm["id"])["volume"]}
    data = volumes["DATADISK"]
    spare = user.createVolume(fetch_result=True, name="spare", zoneid=dc[datacenter.ZONE],
                              diskofferingid=dc[datacenter.DISK_OFFERING])["volume"]
    snapshot = user.createSnapshot(fetch_result=True, volumeid=data["id"])["snapshot"]
    policy = user.createSnapshotPolicy(volumeid=data["id"], intervaltype="DAILY",
                                       schedule="30:2", timezone="Etc/UTC", maxsnaps=2)[
        "snapshotpolicy"]
    ostype = cloud.admin.listOsTypes()["ostype"][0]["id"]
    template = user.createTemplate(fetch_result=True, name=f"t-{uuid.uuid4().hex[:6]}",
                                   displaytext="private", ostypeid=ostype,
                                   snapshotid=snapshot["id"])["template"]
    ip = user.associateIpAddress(fetch_result=True, zoneid=dc[datacenter.ZONE])["ipaddress"]
    rule = user.createPortForwardingRule(fetch_result=True, ipaddressid=ip["id"],
                                         protocol="tcp", publicport=2222, privateport=22,
                                         virtualmachineid=vm["id"])["portforwardingrule"]
    vpn = user.createRemoteAccessVpn(fetch_result=True, publicipid=ip["id"])[
        "remoteaccessvpn"]
    user.addVpnUser(fetch_result=True, username="alice", password="s3cret!")
    group = user.createSecurityGroup(name="web")["securitygroup"]
    addresses = [a["ipaddress"] for a in user.listPublicIpAddresses()["publicipaddress"]]
    return {"vm": vm, "data": data, "spare": spare, "snapshot": snapshot, "policy": policy,
            "template": template, "ip": ip, "rule": rule, "vpn": vpn, "group": group,
            "addresses": addresses, "network": vm["nic"][0]["networkid"]}


def test_an_account_with_resources_is_deleted_with_all_of_them(cloud: Cloud,
                                                               dc: dict[str, str]) -> None:
    admin = cloud.admin
    domain = cloud.new_domain()
    owner = cloud.new_account(domainid=domain["id"], prefix="doomed")
    made = _populate(cloud, dc, owner)
    before = _owned(cloud, domain["id"])
    assert all(before.values()), before  # the listings below do see each kind
    assert made["template"]["id"] in before["template"]
    assert len(before["publicipaddress"]) == 2 and len(before["volume"]) == 3
    counts = _domain_counts(cloud, domain["id"])
    assert (counts[0], counts[1], counts[3], counts[4]) == (1, 2, 1, 1)
    snapshot_file = os.path.join(sim_storage.secondary_dir(cloud),
                                 sim_storage.snapshot_row(cloud, made["snapshot"]["id"])[
                                     "install_path"])
    assert os.path.exists(snapshot_file)

    assert admin.deleteAccount(id=owner.account["id"], fetch_result=True) == {"success": True}

    assert _owned(cloud, domain["id"]) == {kind: [] for kind in before}
    policies = admin.listSnapshotPolicies().get("snapshotpolicy", [])
    assert made["policy"]["id"] not in {p["id"] for p in policies}
    assert admin.listNetworks(id=made["network"], listall=True) == {}
    assert admin.listRouters(networkid=made["network"], listall=True) == {}
    assert not os.path.exists(snapshot_file)
    # Its addresses are free again and another account takes them.
    for address in made["addresses"]:
        (free,) = admin.listPublicIpAddresses(allocatedonly=False, ipaddress=address)[
            "publicipaddress"]
        assert free["state"] == "Free" and "account" not in free, free
    assert _domain_counts(cloud, domain["id"]) == {kind: 0 for kind in range(5)}
    # The account is gone, its users' keys with it.
    assert admin.listAccounts(name=owner.username, listall=True) == {}
    assert _error(admin.listAccounts, id=owner.account["id"])[0] == 431
    assert _error(cloud.as_user(owner).listVirtualMachines)[0] == 401
    # deleteAccount again: the id is unknown now.
    assert _error(admin.deleteAccount, id=owner.account["id"])[0] == 431

    # The name (and the username) can be used again in the same domain.
    again = admin.createAccount(accounttype=0, email="again@example.org", firstname="A",
                                lastname="Gain", password="pw", username=owner.username,
                                domainid=domain["id"])["account"]
    assert again["name"] == owner.username and again["id"] != owner.account["id"]
    (listed,) = admin.listAccounts(name=owner.username, domainid=domain["id"])["account"]
    assert listed["id"] == again["id"] and listed["vmtotal"] == 0
    keys = admin.registerUserKeys(id=again["user"][0]["id"])["userkeys"]
    newcomer = cloud.client(keys["apikey"], keys["secretkey"])
    taken = newcomer.associateIpAddress(fetch_result=True, zoneid=dc[datacenter.ZONE])[
        "ipaddress"]
    assert taken["state"] == "Allocated"
    admin.deleteAccount(id=again["id"], fetch_result=True)
    assert admin.listAccounts(domainid=domain["id"]) == {}


@contextmanager
def _secondary_out(cloud: Cloud, dc: dict[str, str]) -> Iterator[str]:
    """The zone's secondary storage away for the block (as an NFS store whose mount went);
    its name."""
    store = cloud.admin.listImageStores(zoneid=dc[datacenter.ZONE])["imagestore"][0]
    path = urlsplit(store["url"]).path
    os.rename(path, f"{path}.away")
    try:
        yield str(store["name"])
    finally:
        os.rename(f"{path}.away", path)


def test_a_deletion_that_failed_halfway_continues_when_asked_again(
        cloud: Cloud, dc: dict[str, str]) -> None:
    admin = cloud.admin
    domain = cloud.new_domain()
    owner = cloud.new_account(domainid=domain["id"], prefix="halfway")
    made = _populate(cloud, dc, owner)

    with _secondary_out(cloud, dc) as store:
        code, text = _error(admin.deleteAccount, id=owner.account["id"])
    assert code == 534 and store in text
    # What needs no secondary storage went; the snapshot and template wait; the account
    # is still there, disabled, and its users are locked out already.
    left = _owned(cloud, domain["id"])
    assert (left["virtualmachine"], left["network"], left["router"],
            left["publicipaddress"], left["vpnuser"]) == ([], [], [], [], [])
    assert left["snapshot"] == [made["snapshot"]["id"]]
    assert left["template"] == [made["template"]["id"]]
    (account,) = admin.listAccounts(id=owner.account["id"])["account"]
    assert account["state"] == "disabled"
    assert _error(cloud.as_user(owner).listVirtualMachines)[0] == 401

    assert admin.deleteAccount(id=owner.account["id"], fetch_result=True) == {"success": True}
    assert _owned(cloud, domain["id"]) == {kind: [] for kind in left}
    assert _domain_counts(cloud, domain["id"]) == {kind: 0 for kind in range(5)}
    assert admin.listAccounts(name=owner.username, listall=True) == {}
    # Domains are not soft-deleted: the records of the account's former resources (its
    # expunged VM, deleted networks and volumes) keep its domain.
    code, text = _error(admin.deleteDomain, id=domain["id"])
    assert code == 536 and owner.username in text
    assert admin.listDomains(id=domain["id"])["count"] == 1


def test_an_account_without_resources_and_the_protected_ones(cloud: Cloud) -> None:
    admin = cloud.admin
    domain = cloud.new_domain()
    owner = cloud.new_account(domainid=domain["id"])
    assert admin.deleteAccount(id=owner.account["id"], fetch_result=True) == {"success": True}
    assert admin.listAccounts(domainid=domain["id"]) == {}
    assert _error(admin.deleteAccount, id=owner.account["id"])[0] == 431
    # Its domain has no live account left: deleted without cleanup.
    assert admin.deleteDomain(id=domain["id"], fetch_result=True) == {"success": True}
    assert admin.listDomains(name=domain["name"]) == {}

    default = admin.listAccounts(name="admin")["account"][0]
    other_root = cloud.new_account(accounttype=1)
    api = cloud.as_user(other_root)
    code, text = _error(api.deleteAccount, id=default["id"])
    assert code == 531 and "default account" in text
    code, text = _error(api.deleteAccount, id=other_root.account["id"])
    assert code == 531 and "itself" in text
    assert admin.listAccounts(id=other_root.account["id"])["account"][0]["state"] == "enabled"
