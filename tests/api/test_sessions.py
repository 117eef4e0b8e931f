"""Login sessions as the web UI and CloudMonkey use them: cookies plus sessionkey."""

from __future__ import annotations

import requests

from tests.support.cloud import Cloud


def _login(cloud: Cloud, jar: requests.Session, username: str, password: str,
           domain: str = "/") -> requests.Response:
    return jar.post(cloud.endpoint, data={"command": "login", "username": username,
                                          "password": password, "domain": domain,
                                          "response": "json"}, timeout=30)


def test_login_call_logout(cloud: Cloud) -> None:
    with requests.Session() as jar:
        response = _login(cloud, jar, "admin", cloud.admin_password)
        assert response.status_code == 200, response.text
        body = response.json()["loginresponse"]
        assert body["username"] == "admin" and body["account"] == "admin"
        assert body["type"] == "1" and body["timeout"] == "1800"
        key = body["sessionkey"]
        assert jar.cookies.get("sessionkey") == key
        assert jar.cookies.get("JSESSIONID")

        listed = jar.get(cloud.endpoint, params={"command": "listAccounts", "name": "admin",
                                                 "sessionkey": key, "response": "json"})
        assert listed.status_code == 200
        assert listed.json()["listaccountsresponse"]["account"][0]["name"] == "admin"

        bye = jar.get(cloud.endpoint, params={"command": "logout", "sessionkey": key,
                                              "response": "json"})
        assert bye.json() == {"logoutresponse": {"description": "success"}}
        after = requests.get(cloud.endpoint, params={"command": "listAccounts",
                                                     "sessionkey": key, "response": "json"},
                             timeout=30)
        assert after.status_code == 401
    events = cloud.admin.listEvents(type="USER.LOGIN")["event"]
    assert any(e["username"] == "admin" for e in events)
    assert cloud.admin.listEvents(type="USER.LOGOUT")["count"] >= 1


def test_session_key_must_match_the_session_cookie(cloud: Cloud) -> None:
    with requests.Session() as first, requests.Session() as second:
        key1 = _login(cloud, first, "admin", cloud.admin_password).json()["loginresponse"][
            "sessionkey"]
        _login(cloud, second, "admin", cloud.admin_password)
        # second's JSESSIONID cookie with first's key: refused.
        crossed = second.get(cloud.endpoint, params={"command": "listAccounts",
                                                     "sessionkey": key1, "response": "json"})
        assert crossed.status_code == 401


def test_login_rules(cloud: Cloud) -> None:
    domain = cloud.new_domain(cloud.new_domain()["id"])
    user = cloud.new_account(domainid=domain["id"])
    path = "/" + domain["path"].removeprefix("ROOT/")
    with requests.Session() as jar:
        get = jar.get(cloud.endpoint, params={"command": "login", "username": "admin",
                                              "password": cloud.admin_password,
                                              "response": "json"})
        assert get.status_code == 405
        assert _login(cloud, jar, "admin", "wrong").status_code == 401
        assert _login(cloud, jar, user.username, user.password).status_code == 401  # wrong domain
        ok = _login(cloud, jar, user.username, user.password, domain=path)
        assert ok.status_code == 200
        assert ok.json()["loginresponse"]["domainid"] == domain["id"]
    cloud.admin.disableUser(id=user.account["user"][0]["id"], fetch_result=True)
    with requests.Session() as jar:
        assert _login(cloud, jar, user.username, user.password, domain=path).status_code == 401
