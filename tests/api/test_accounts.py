"""Accounts: types, names, update, async delete/disable, enable and lock."""

from __future__ import annotations

import pytest
from cs import CloudStackApiException

from tests.support.cloud import Cloud


def _status(call: object, **kwargs: object) -> int:
    with pytest.raises(CloudStackApiException) as caught:
        call(**kwargs)  # type: ignore[operator]
    code: int = caught.value.response.status_code
    return code


def test_account_types_and_names(cloud: Cloud) -> None:
    domain = cloud.new_domain()
    for kind in (0, 2):
        acct = cloud.new_account(accounttype=kind, domainid=domain["id"]).account
        assert acct["accounttype"] == kind and acct["domainid"] == domain["id"]
        assert acct["user"][0]["accounttype"] == kind
    root_admin = cloud.new_account(accounttype=1).account
    assert root_admin["roletype"] == "Admin"
    assert _status(cloud.admin.createAccount, accounttype=1, email="e", firstname="f",
                   lastname="l", password="p", username="sub-root",
                   domainid=domain["id"]) == 431
    assert _status(cloud.admin.createAccount, accounttype=7, email="e", firstname="f",
                   lastname="l", password="p", username="weird") == 431
    dup = cloud.new_account()
    assert _status(cloud.admin.createAccount, accounttype=0, email="e", firstname="f",
                   lastname="l", password="p", username="other-user",
                   account=dup.username) == 431


def test_update_and_list_filters(cloud: Cloud) -> None:
    domain = cloud.new_domain()
    sub = cloud.new_domain(domain["id"])
    acct = cloud.new_account(domainid=sub["id"]).account
    renamed = cloud.admin.updateAccount(id=acct["id"], newname="renamed-acct")["account"]
    assert renamed["name"] == "renamed-acct"
    assert cloud.admin.listAccounts(domainid=domain["id"]) == {}
    found = cloud.admin.listAccounts(domainid=domain["id"], isrecursive=True)
    assert [a["id"] for a in found["account"]] == [acct["id"]]
    assert cloud.admin.listAccounts(keyword="renamed-a")["account"][0]["id"] == acct["id"]
    assert cloud.admin.listAccounts(name="renamed-acct", accounttype=2) == {}
    listed = cloud.admin.listAccounts(id=acct["id"], state="enabled")["account"][0]
    assert listed["vmlimit"] == "Unlimited" and listed["vmtotal"] == 0


def test_disable_lock_enable_and_delete(cloud: Cloud) -> None:
    member = cloud.new_account()
    acct_id = member.account["id"]
    api = cloud.as_user(member)
    assert api.listAccounts()["count"] == 1
    locked = cloud.admin.disableAccount(id=acct_id, lock=True, fetch_result=True)
    assert locked["account"]["state"] == "locked"
    assert _status(api.listAccounts) == 401
    disabled = cloud.admin.disableAccount(id=acct_id, lock=False, fetch_result=True)
    assert disabled["account"]["state"] == "disabled"
    assert cloud.admin.enableAccount(id=acct_id)["account"]["state"] == "enabled"
    assert api.listAccounts()["count"] == 1
    relocked = cloud.admin.lockAccount(account=member.username,
                                       domainid=member.account["domainid"])
    assert relocked["account"]["state"] == "locked"
    cloud.admin.enableAccount(account=member.username, domainid=member.account["domainid"])
    assert cloud.admin.deleteAccount(id=acct_id, fetch_result=True) == {"success": True}
    assert _status(cloud.admin.listAccounts, id=acct_id) == 431  # unknown id
    assert _status(api.listAccounts) == 401


def test_default_admin_is_protected(cloud: Cloud) -> None:
    admin = cloud.admin.listAccounts(name="admin")["account"][0]
    other_root = cloud.new_account(accounttype=1)
    api = cloud.as_user(other_root)
    assert _status(api.deleteAccount, id=admin["id"]) == 531
    assert _status(api.disableAccount, id=admin["id"], lock=True) == 531
    assert cloud.admin.listAccounts(id=admin["id"])["account"][0]["state"] == "enabled"
