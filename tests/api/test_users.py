"""Users: aliases of an account with hashed passwords, time zones and API keys."""

from __future__ import annotations

import pytest
import requests
from cs import CloudStackApiException
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from appliance.models import User
from tests.support.cloud import Cloud


def _status(call: object, **kwargs: object) -> int:
    with pytest.raises(CloudStackApiException) as caught:
        call(**kwargs)  # type: ignore[operator]
    code: int = caught.value.response.status_code
    return code


def _login(cloud: Cloud, username: str, password: str) -> int:
    with requests.Session() as jar:
        return jar.post(cloud.endpoint, data={"command": "login", "username": username,
                                              "password": password, "response": "json"},
                        timeout=30).status_code


def test_users_of_an_account(cloud: Cloud) -> None:
    owner = cloud.new_account()
    domainid = owner.account["domainid"]
    second = cloud.admin.createUser(account=owner.username, domainid=domainid, email="a@b.c",
                                    firstname="Second", lastname="User", password="pw2",
                                    username=f"{owner.username}-2",
                                    timezone="america/new_york")["user"]
    assert second["accountid"] == owner.account["id"]
    assert second["timezone"] == "America/New_York"
    assert _status(cloud.admin.createUser, account=owner.username, domainid=domainid,
                   email="e", firstname="f", lastname="l", password="p",
                   username=second["username"]) == 431
    assert _status(cloud.admin.createUser, account=owner.username, domainid=domainid,
                   email="e", firstname="f", lastname="l", password="p",
                   username="martian", timezone="Mars/Olympus") == 431
    assert cloud.admin.listUsers(account=owner.username, domainid=domainid)["count"] == 2
    # Aliases: both users see the same account.
    listed = cloud.admin.listUsers(username=second["username"])["user"][0]
    assert listed["account"] == owner.username
    assert cloud.admin.deleteUser(id=second["id"]) == {"success": True}
    assert cloud.admin.listUsers(username=second["username"]) == {}


def test_update_password_timezone_and_hash(cloud: Cloud) -> None:
    member = cloud.new_account()
    user_id = member.account["user"][0]["id"]
    api = cloud.as_user(member)
    assert _status(api.updateUser, id=user_id, timezone="Mars/Olympus") == 431
    updated = api.updateUser(id=user_id, timezone="Asia/Tokyo", email="new@x.y")["user"]
    assert updated["timezone"] == "Asia/Tokyo" and updated["email"] == "new@x.y"
    assert _login(cloud, member.username, member.password) == 200
    api.updateUser(id=user_id, password="n3w-secret")
    assert _login(cloud, member.username, member.password) == 401
    assert _login(cloud, member.username, "n3w-secret") == 200
    engine = create_engine(cloud.server.database_url)
    try:
        with Session(engine) as session:
            stored = session.scalar(select(User.password_hash).where(User.id == user_id))
    finally:
        engine.dispose()
    assert stored is not None and stored.startswith("$argon2")
    assert "n3w-secret" not in stored


def test_disable_enable_and_keys(cloud: Cloud) -> None:
    member = cloud.new_account()
    user_id = member.account["user"][0]["id"]
    api = cloud.as_user(member)
    job = cloud.admin.disableUser(id=user_id, fetch_result=True)
    assert job["user"]["state"] == "disabled"
    assert _status(api.listAccounts) == 401
    assert cloud.admin.enableUser(id=user_id)["user"]["state"] == "enabled"
    assert api.listAccounts()["count"] == 1
    assert cloud.admin.getUser(userapikey=member.api_key)["user"]["id"] == user_id
    fresh = api.registerUserKeys(id=user_id)["userkeys"]
    assert fresh["apikey"] != member.api_key
    assert _status(api.listAccounts) == 401  # old pair is dead
    renewed = cloud.client(fresh["apikey"], fresh["secretkey"])
    assert renewed.getUserKeys(id=user_id)["userkeys"] == fresh
    assert _status(cloud.admin.getUser, userapikey="no-such-key") == 431
