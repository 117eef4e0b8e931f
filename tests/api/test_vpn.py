"""Remote access VPN and VPN users through the API (seed §5.9) on the simulator: the VPN
is applied by the network's router (Running), its ports conflict with port rules (537),
VPN users are per account with a limit. L2TP/IPsec on a real router: the lab tests."""

from __future__ import annotations

from tests.api.test_public_ips import associate, deploy, error_of, expunge
from tests.support import datacenter
from tests.support.cloud import Cloud


def test_vpn_on_an_address(cloud: Cloud, dc: dict[str, str]) -> None:
    owner = cloud.new_account()
    user = cloud.as_user(owner)
    vm = deploy(user, dc)
    ip = associate(user, zoneid=dc[datacenter.ZONE])
    vpn = user.createRemoteAccessVpn(publicipid=ip["id"], fetch_result=True)[
        "remoteaccessvpn"]
    assert vpn["state"] == "Running" and vpn["publicip"] == ip["ipaddress"]
    assert vpn["iprange"] == "10.1.2.2-10.1.2.8" and len(vpn["presharedkey"]) == 24
    assert user.listRemoteAccessVpns(publicipid=ip["id"])["remoteaccessvpn"][0]["id"] == \
        vpn["id"]
    # One VPN per network; its ports are taken on its address.
    other = associate(user, zoneid=dc[datacenter.ZONE])
    assert error_of(user.createRemoteAccessVpn, publicipid=other["id"]) == 431
    assert error_of(user.createPortForwardingRule, ipaddressid=ip["id"], protocol="udp",
                    publicport=4500, privateport=4500, virtualmachineid=vm["id"]) == 537
    user.createPortForwardingRule(ipaddressid=ip["id"], protocol="tcp", publicport=500,
                                  privateport=500, virtualmachineid=vm["id"],
                                  fetch_result=True)
    # Another tenant neither sees nor removes it.
    stranger = cloud.as_user(cloud.new_account())
    assert stranger.listRemoteAccessVpns().get("remoteaccessvpn", []) == []
    assert error_of(stranger.deleteRemoteAccessVpn, publicipid=ip["id"]) == 531

    user.deleteRemoteAccessVpn(publicipid=ip["id"], fetch_result=True)
    assert user.listRemoteAccessVpns().get("remoteaccessvpn", []) == []
    # Releasing an address takes its VPN along.
    user.createRemoteAccessVpn(publicipid=other["id"], iprange="10.9.0.1-10.9.0.3",
                               fetch_result=True)
    user.disassociateIpAddress(id=other["id"], fetch_result=True)
    assert user.listRemoteAccessVpns().get("remoteaccessvpn", []) == []
    assert error_of(user.createRemoteAccessVpn, publicipid=ip["id"],
                    iprange="10.1.1.5-10.1.1.9") == 431  # inside the guest network
    expunge(cloud, vm)


def test_vpn_users(cloud: Cloud, dc: dict[str, str]) -> None:
    owner = cloud.new_account()
    user = cloud.as_user(owner)
    vm = deploy(user, dc)
    ip = associate(user, zoneid=dc[datacenter.ZONE])
    user.createRemoteAccessVpn(publicipid=ip["id"], fetch_result=True)
    added = user.addVpnUser(username="alice", password="s3cret!", fetch_result=True)[
        "vpnuser"]
    assert added["username"] == "alice" and added["state"] == "Active"
    assert error_of(user.addVpnUser, username="alice", password="x") == 431
    assert error_of(user.addVpnUser, username="bob", password="has space") == 431
    assert error_of(user.addVpnUser, username="-bad", password="x") == 431
    assert [u["username"] for u in user.listVpnUsers()["vpnuser"]] == ["alice"]
    assert cloud.as_user(cloud.new_account()).listVpnUsers().get("vpnuser", []) == []

    for index in range(7):  # remote.access.vpn.user.limit: 8 per account
        user.addVpnUser(username=f"user{index}", password="pw", fetch_result=True)
    assert error_of(user.addVpnUser, username="one-too-many", password="pw") == 532

    user.removeVpnUser(username="alice", fetch_result=True)
    assert "alice" not in {u["username"] for u in user.listVpnUsers()["vpnuser"]}
    assert error_of(user.removeVpnUser, username="alice") == 431
    expunge(cloud, vm)
