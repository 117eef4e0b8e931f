"""The domain tree: arbitrary depth, paths, renames, deletion with and without cleanup."""

from __future__ import annotations

import pytest
from cs import CloudStackApiException

from tests.support.cloud import Cloud


def test_nested_domains_to_any_depth(cloud: Cloud) -> None:
    parent = None
    chain = []
    for _ in range(6):
        parent = cloud.new_domain(parent["id"] if parent else None)
        chain.append(parent)
    deepest = chain[-1]
    assert deepest["level"] == 6
    assert deepest["path"] == "ROOT/" + "/".join(d["name"] for d in chain)
    assert deepest["parentdomainid"] == chain[-2]["id"]
    assert deepest["parentdomainname"] == chain[-2]["name"]
    top = cloud.admin.listDomains(id=chain[0]["id"])["domain"][0]
    assert top["haschild"] is True
    below = cloud.admin.listDomainChildren(id=chain[0]["id"], isrecursive=True)
    assert {d["id"] for d in below["domain"]} == {d["id"] for d in chain[1:]}
    direct = cloud.admin.listDomainChildren(id=chain[0]["id"])
    assert [d["id"] for d in direct["domain"]] == [chain[1]["id"]]


def test_duplicate_sibling_and_rename(cloud: Cloud) -> None:
    parent = cloud.new_domain()
    child = cloud.new_domain(parent["id"])
    grandchild = cloud.new_domain(child["id"])
    with pytest.raises(CloudStackApiException) as caught:
        cloud.admin.createDomain(name=child["name"], parentdomainid=parent["id"])
    assert caught.value.error["errorcode"] == 431
    renamed = cloud.admin.updateDomain(id=child["id"], name="renamed")["domain"]
    assert renamed["path"] == f"ROOT/{parent['name']}/renamed"
    moved = cloud.admin.listDomains(id=grandchild["id"])["domain"][0]
    assert moved["path"] == f"ROOT/{parent['name']}/renamed/{grandchild['name']}"


def test_delete_refuses_non_empty_then_cleans_up(cloud: Cloud) -> None:
    top = cloud.new_domain()
    sub = cloud.new_domain(top["id"])
    member = cloud.new_account(domainid=sub["id"])
    with pytest.raises(CloudStackApiException) as caught:
        cloud.admin.deleteDomain(id=top["id"])
    assert caught.value.error["errorcode"] == 536
    assert cloud.admin.listDomains(id=sub["id"])["count"] == 1
    result = cloud.admin.deleteDomain(id=top["id"], cleanup=True, fetch_result=True)
    assert result == {"success": True}
    assert cloud.admin.listDomains(name=top["name"]) == {}
    assert cloud.admin.listAccounts(name=member.username, listall=True) == {}
    gone = cloud.as_user(member)
    with pytest.raises(CloudStackApiException) as caught:
        gone.listAccounts()
    assert caught.value.response.status_code == 401


def test_root_cannot_be_deleted(cloud: Cloud) -> None:
    root = cloud.admin.listDomains(name="ROOT")["domain"][0]
    with pytest.raises(CloudStackApiException) as caught:
        cloud.admin.deleteDomain(id=root["id"], cleanup=True)
    assert caught.value.error["errorcode"] == 431
    assert cloud.admin.listDomains(id=root["id"])["count"] == 1
