"""Access control in one place: root admin sees all, a domain admin its subtree, a user
its own account; another tenant's object is a 531, never the object."""

from __future__ import annotations

import pytest
from cs import CloudStack, CloudStackApiException

from tests.support.cloud import Cloud, Credentials


def _code(call: object, *args: object, **kwargs: object) -> int:
    with pytest.raises(CloudStackApiException) as caught:
        call(*args, **kwargs)  # type: ignore[operator]
    status: int = caught.value.response.status_code
    assert caught.value.error["errorcode"] == status
    return status


@pytest.fixture(scope="module")
def tree(cloud: Cloud) -> dict[str, object]:
    """ROOT → d1 → d1a, ROOT → d2; a domain admin of d1, users in d1a and d2."""
    d1 = cloud.new_domain()
    d1a = cloud.new_domain(d1["id"])
    d2 = cloud.new_domain()
    return {
        "d1": d1, "d1a": d1a, "d2": d2,
        "dadmin": cloud.new_account(accounttype=2, domainid=d1["id"], prefix="dadmin"),
        "user1a": cloud.new_account(domainid=d1a["id"], prefix="u1a"),
        "user2": cloud.new_account(domainid=d2["id"], prefix="u2"),
    }


def _names(listing: dict[str, list[dict[str, str]]], key: str) -> set[str]:
    return {item["name" if key != "user" else "username"] for item in listing.get(key, [])}


def test_root_admin_sees_everything(cloud: Cloud, tree: dict[str, object]) -> None:
    accounts = _names(cloud.admin.listAccounts(), "account")
    for who in ("dadmin", "user1a", "user2"):
        assert tree[who].username in accounts  # type: ignore[attr-defined]


def test_domain_admin_sees_and_manages_only_its_subtree(cloud: Cloud,
                                                        tree: dict[str, object]) -> None:
    dadmin: Credentials = tree["dadmin"]  # type: ignore[assignment]
    d1, d1a, d2 = tree["d1"], tree["d1a"], tree["d2"]
    api = cloud.as_user(dadmin)
    accounts = _names(api.listAccounts(), "account")
    assert accounts == {dadmin.username, tree["user1a"].username}  # type: ignore[attr-defined]
    domains = {d["id"] for d in api.listDomains()["domain"]}
    assert domains == {d1["id"], d1a["id"]}  # type: ignore[index]
    users = _names(api.listUsers(), "user")
    assert tree["user2"].username not in users  # type: ignore[attr-defined]
    # Manages below itself.
    made = api.createAccount(accounttype=0, email="x@y.z", firstname="a", lastname="b",
                             password="pw", username="made-by-dadmin", domainid=d1a["id"])
    assert made["account"]["domainid"] == d1a["id"]  # type: ignore[index]
    # Not beside itself, not root admins, not root-only commands, not its own domain.
    before = cloud.admin.listAccounts(domainid=d2["id"])  # type: ignore[index]
    assert _code(api.createAccount, accounttype=0, email="x@y.z", firstname="a",
                 lastname="b", password="pw", username="intruder",
                 domainid=d2["id"]) == 531  # type: ignore[index]
    assert _code(api.createAccount, accounttype=1, email="x@y.z", firstname="a",
                 lastname="b", password="pw", username="wannabe-root") == 531
    assert _code(api.listConfigurations) == 432
    assert _code(api.deleteDomain, id=d1["id"]) == 531  # type: ignore[index]
    assert _code(api.listUsers, id=tree["user2"].account["user"][0]["id"]) == 531  # type: ignore[attr-defined]
    assert cloud.admin.listAccounts(domainid=d2["id"]) == before  # type: ignore[index]


def test_user_sees_only_its_account(cloud: Cloud, tree: dict[str, object]) -> None:
    me: Credentials = tree["user1a"]  # type: ignore[assignment]
    other: Credentials = tree["user2"]  # type: ignore[assignment]
    api: CloudStack = cloud.as_user(me)
    mine = api.listAccounts()
    assert mine["count"] == 1 and mine["account"][0]["name"] == me.username
    assert {u["account"] for u in api.listUsers()["user"]} == {me.username}
    assert api.listUsers(listall=True)["count"] == 1
    other_user = other.account["user"][0]["id"]
    job = cloud.as_user(other).registerUserKeys(id=other_user)  # other's keys change
    other_api = cloud.client(job["userkeys"]["apikey"], job["userkeys"]["secretkey"])
    async_job = cloud.admin.disableUser(id=cloud.new_account().account["user"][0]["id"])
    for call, kwargs in ((api.listUsers, {"id": other_user}),
                         (api.updateUser, {"id": other_user, "firstname": "x"}),
                         (api.getUserKeys, {"id": other_user}),
                         (api.listAccounts, {"id": other.account["id"]}),
                         (api.listAccounts, {"domainid": other.account["domainid"]}),
                         (api.queryAsyncJobResult, {"jobid": async_job["jobid"]})):
        assert _code(call, **kwargs) == 531, call
    assert other_api.listUsers()["user"][0]["firstname"] == "Test"
    # Admin-only commands do not exist for a user.
    assert _code(api.createDomain, name="nope") == 432
    assert _code(api.createAccount, accounttype=0, email="e", firstname="f", lastname="l",
                 password="p", username="nope") == 432
