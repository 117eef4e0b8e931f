"""Errors carry their documented code (HTTP status = errorcode) and change nothing;
envelopes, paging, xml, POST and case-insensitive names behave as CloudStack's."""

from __future__ import annotations

import base64
import hashlib
import hmac
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import requests

from tests.support.cloud import Cloud


def _signed(cloud: Cloud, params: dict[str, str], *, secret: str | None = None,
            key: str | None = None, method: str = "GET") -> requests.Response:
    """Sign like the cs library does, optionally with the wrong secret."""
    params = {"apiKey": key or cloud.admin_key, "response": "json", **params}
    canonical = "&".join(f"{k}={quote(v, safe='*')}" for k, v in sorted(params.items()))
    digest = hmac.new((secret or cloud.admin_secret).encode(), canonical.lower().encode(),
                      hashlib.sha1).digest()
    params["signature"] = base64.b64encode(digest).decode()
    if method == "GET":
        return requests.get(cloud.endpoint, params=params, timeout=30)
    return requests.post(cloud.endpoint, data=params, timeout=30)


def _state(cloud: Cloud) -> Any:
    """Everything an erroneous call could have changed."""
    admin = cloud.admin
    return (admin.listAccounts(listall=True), admin.listDomains(),
            admin.listUsers(listall=True), admin.listEvents(listall=True, pagesize=-1))


def _error(response: requests.Response, command: str, code: int) -> str:
    assert response.status_code == code, response.text
    assert response.headers["Content-Type"] == "application/json; charset=UTF-8"
    body = response.json()
    assert list(body) == [f"{command.lower()}response"]
    inner = body[f"{command.lower()}response"]
    assert inner["errorcode"] == code and inner["cserrorcode"] == 9999
    text: str = inner["errortext"]
    assert text
    assert response.headers["X-Description"] == " ".join(text.split())
    return text


def _expires(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).strftime("%Y-%m-%dT%H:%M:%S%z")


def test_errors_have_their_code_and_change_nothing(cloud: Cloud) -> None:
    other = cloud.new_account()
    user = cloud.new_account()
    other_user = other.account["user"][0]["id"]
    domain = cloud.new_domain()
    before = _state(cloud)
    create = {"command": "createDomain", "name": "never-created"}

    _error(_signed(cloud, create, secret="x" * 40), "createDomain", 401)
    _error(_signed(cloud, {**create, "signatureVersion": "3",
                           "expires": _expires(timedelta(minutes=-1))}), "createDomain", 401)
    _error(_signed(cloud, {**create, "signatureVersion": "3"}), "createDomain", 401)
    _error(_signed(cloud, {"command": "createDomainPlease", "name": "x"}),
           "createDomainPlease", 432)
    assert "name" in _error(_signed(cloud, {"command": "createDomain"}), "createDomain", 431)
    text = _error(_signed(cloud, {"command": "createAccount", "accounttype": "abc",
                                  "email": "e", "firstname": "f", "lastname": "l",
                                  "password": "p", "username": "never"}),
                  "createAccount", 431)
    assert "accounttype" in text
    _error(_signed(cloud, {"command": "updateDomain", "id": "not-a-uuid", "name": "n"}),
           "updateDomain", 431)
    _error(_signed(cloud, {"command": "updateDomain", "id": domain["id"], "name": "n" * 256}),
           "updateDomain", 431)
    for command, params in (("updateUser", {"id": other_user, "firstname": "stolen"}),
                            ("getUserKeys", {"id": other_user}),
                            ("listUsers", {"id": other_user}),
                            ("registerUserKeys", {"id": other_user}),
                            ("listAccounts", {"id": other.account["id"]})):
        _error(_signed(cloud, {"command": command, **params}, key=user.api_key,
                       secret=user.secret_key), command, 531)
    # A user's erroring calls add no events, and neither the domain nor the names changed.
    assert _state(cloud)[:3] == before[:3]
    assert cloud.admin.listUsers(id=other_user)["user"][0]["firstname"] == "Test"
    assert other.api_key == cloud.admin.getUserKeys(id=other_user)["userkeys"]["apikey"]


def test_fresh_v3_signature_accepted(cloud: Cloud) -> None:
    response = _signed(cloud, {"command": "listAccounts", "name": "admin",
                               "signatureVersion": "3",
                               "expires": _expires(timedelta(minutes=5))})
    assert response.status_code == 200
    assert response.json()["listaccountsresponse"]["account"][0]["name"] == "admin"


def test_envelope_paging_and_count(cloud: Cloud) -> None:
    parent = cloud.new_domain()
    children = {cloud.new_domain(parent["id"])["id"] for _ in range(5)}
    seen: set[str] = set()
    for page in (1, 2, 3):
        body = cloud.admin.listDomainChildren(id=parent["id"], page=page, pagesize=2)
        assert body["count"] == 5
        seen |= {d["id"] for d in body["domain"]}
    assert seen == children
    empty = _signed(cloud, {"command": "listDomainChildren", "id": sorted(children)[0]})
    assert empty.json() == {"listdomainchildrenresponse": {}}
    one = _signed(cloud, {"command": "createDomain", "name": "envelope-one"}).json()
    assert list(one) == ["createdomainresponse"]
    assert list(one["createdomainresponse"]) == ["domain"]


def test_xml_is_the_default_and_matches_json(cloud: Cloud) -> None:
    params = {"command": "listDomains", "name": "ROOT"}
    as_json = _signed(cloud, params).json()["listdomainsresponse"]
    signed = {"apiKey": cloud.admin_key, **params}
    canonical = "&".join(f"{k}={quote(v, safe='*')}" for k, v in sorted(signed.items()))
    signed["signature"] = base64.b64encode(hmac.new(
        cloud.admin_secret.encode(), canonical.lower().encode(), hashlib.sha1).digest()).decode()
    response = requests.get(cloud.endpoint, params=signed, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/xml")
    root = ET.fromstring(response.content)
    assert root.tag == "listdomainsresponse"
    assert root.findtext("count") == str(as_json["count"])
    domain = root.find("domain")
    assert domain is not None
    assert domain.findtext("id") == as_json["domain"][0]["id"]
    assert domain.findtext("path") == "ROOT"


def test_post_form_and_case_insensitive_names(cloud: Cloud) -> None:
    response = _signed(cloud, {"command": "createDomain", "NAME": "posted-domain"},
                       method="POST")
    assert response.status_code == 200, response.text
    assert response.json()["createdomainresponse"]["domain"]["name"] == "posted-domain"
    upper = _signed(cloud, {"command": "LISTDOMAINS", "name": "posted-domain"})
    assert upper.json()["listdomainsresponse"]["count"] == 1


def test_unauthenticated_calls_get_401(cloud: Cloud) -> None:
    response = cloud.raw(command="listAccounts")
    _error(response, "listAccounts", 401)
    _error(cloud.raw(command="listAccounts", apikey=cloud.admin_key), "listAccounts", 401)


def test_missing_command_is_a_parameter_error(cloud: Cloud) -> None:
    response = cloud.raw()
    assert response.status_code == 431
    assert "command" in response.json()["errorresponse"]["errortext"]
