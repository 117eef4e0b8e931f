"""The collection's module_utils: request signing checked by the server's own verifier, and
the API client against a live server (errors, async jobs, timeouts, paging)."""

from __future__ import annotations

import socket
import time
import uuid

import pytest
from ansible_collections.cirrus.cloud.plugins.module_utils import api
from ansible_collections.cirrus.cloud.plugins.module_utils.api import (
    ApiClient,
    ApiError,
    JobTimeout,
)
from ansible_collections.cirrus.cloud.plugins.module_utils.base import (
    as_list,
    connection_spec,
    normalize_path,
    text,
    unique,
)
from ansible_collections.cirrus.cloud.plugins.module_utils.returns import interval_name

from appliance.api import protocol
from tests.support.cloud import Cloud

SECRET = "s3cr3t-Key_with-dashes"
AWKWARD = {
    "command": "createAccount", "apiKey": "ABC-def_123", "response": "json",
    "firstname": "Ann Marie", "email": "a+b@example.org", "lastname": "O'Brien~*",
    "networkdomain": "ex.example", "password": "p@ss/w:rd&=?", "username": "Zoë",
    "accounttype": "0", "domainId": "3f0b5a7e-9c1d-4a47-8f4e-1b2c3d4e5f60",
}


def client(cloud: Cloud, **kwargs: object) -> ApiClient:
    return ApiClient(cloud.endpoint, cloud.admin_key, cloud.admin_secret, job_timeout=30,
                     poll_interval=0.05, **kwargs)  # type: ignore[arg-type]


# -- signing (no server) ---------------------------------------------------------------

def test_the_servers_verifier_accepts_our_signature() -> None:
    params = dict(AWKWARD)
    assert protocol.verify_signature(params, api.signature(params, SECRET), SECRET)


def test_the_signature_covers_every_value_and_the_secret() -> None:
    signature = api.signature(AWKWARD, SECRET)
    tampered = dict(AWKWARD, username="Zoe")
    assert not protocol.verify_signature(tampered, signature, SECRET)
    assert not protocol.verify_signature(AWKWARD, signature, SECRET + "x")


def test_signed_requests_carry_version_3_and_a_future_expiry() -> None:
    signer = ApiClient("http://127.0.0.1:1/client/api", "KEY", SECRET)
    query = signer.signed("listZones", {"name": "a zone", "available": True, "skip": None,
                                        "ids": ["x", "y"]})
    assert query["signatureVersion"] == "3" and query["apiKey"] == "KEY"
    assert query["available"] == "true" and query["ids"] == "x,y" and "skip" not in query
    lowered = {key.lower(): value for key, value in query.items()}
    protocol.check_expiry(lowered)  # raises when missing or past
    signature = query.pop("signature")
    assert protocol.verify_signature(query, signature, SECRET)


def test_canonical_query_is_sorted_lowercased_and_quoted_like_cs() -> None:
    assert api.canonical_query({"b": "x y", "A": "Q*/", "signature": "ignored"}) == \
        "a=q*%2f&b=x%20y"


def test_wire_values() -> None:
    assert [api.wire_value(v) for v in (True, False, 3, ["a", 2], "s")] == \
        ["true", "false", "3", "a,2", "s"]


def test_helpers() -> None:
    assert normalize_path("customers/acme/") == "ROOT/customers/acme"
    assert normalize_path("root/customers") == "ROOT/customers"
    assert normalize_path("/") == "ROOT"
    assert as_list("a, b,,c") == ["a", "b", "c"] and as_list(None) == []
    assert text(2.0) == "2" and text(True) == "true" and text(None) == ""


def test_objects_listed_once_per_zone_count_once() -> None:
    listed = [{"id": "t1", "zoneid": "z1"}, {"id": "t1", "zoneid": "z2"}, {"id": "t2"}, {}]
    assert unique(listed) == [{"id": "t1", "zoneid": "z1"}, {"id": "t2"}, {}]


def test_policy_intervals_as_the_modules_say_them() -> None:
    assert [interval_name(v) for v in (0, "1", 2, "3", "DAILY")] == \
        ["hourly", "daily", "weekly", "monthly", "daily"]


def test_connection_options_fall_back_to_both_environment_names() -> None:
    spec = connection_spec()
    names = {option: spec[option]["fallback"][1] for option in ("api_url", "api_key",
                                                                "api_secret")}
    assert names == {"api_url": ["CIRRUS_ENDPOINT", "CLOUDSTACK_ENDPOINT"],
                     "api_key": ["CIRRUS_API_KEY", "CLOUDSTACK_KEY"],
                     "api_secret": ["CIRRUS_SECRET_KEY", "CLOUDSTACK_SECRET"]}
    assert spec["api_secret"]["no_log"] is True


# -- against a live server -------------------------------------------------------------

@pytest.mark.parametrize("method", ["get", "post"])
def test_signed_calls_are_accepted(cirrus: Cloud, method: str) -> None:
    name = f"ut-{method}-{uuid.uuid4().hex[:6]}"
    created = client(cirrus, method=method).call("createDomain", name=name)["domain"]
    assert created["name"] == name and created["path"] == f"ROOT/{name}"


def test_errors_carry_the_api_error_code_and_text(cirrus: Cloud) -> None:
    with pytest.raises(ApiError) as caught:
        client(cirrus).call("listZones", id="not-a-uuid")
    assert caught.value.code == 431 and "id" in caught.value.text
    assert str(caught.value).startswith("listZones failed with error 431: ")


def test_a_wrong_secret_is_refused_with_401(cirrus: Cloud) -> None:
    wrong = ApiClient(cirrus.endpoint, cirrus.admin_key, "not-the-secret")
    with pytest.raises(ApiError) as caught:
        wrong.call("listZones")
    assert caught.value.code == 401


def test_an_unreachable_endpoint_is_reported(cirrus: Cloud) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, not listening: connections are refused
        nowhere = ApiClient(f"http://127.0.0.1:{port}/client/api", "k", "s", timeout=5)
        with pytest.raises(ApiError) as caught:
            nowhere.call("listZones")
    assert caught.value.code == 0 and "cannot reach" in caught.value.text


def test_async_jobs_are_waited_for(cirrus: Cloud) -> None:
    cs = client(cirrus)
    name = f"ut-del-{uuid.uuid4().hex[:6]}"
    domain = cs.call("createDomain", name=name)["domain"]
    assert cs.call("deleteDomain", id=domain["id"]) == {"success": True}
    assert cs.list_all("listDomains", "domain", name=name, listall=True) == []


def test_a_failed_job_raises_its_error_code(cirrus: Cloud) -> None:
    with pytest.raises(ApiError) as caught:
        client(cirrus).call("testFailingJob", what="the widget")
    assert caught.value.code == 536 and caught.value.text == "the widget is in use"
    assert caught.value.job_id


def test_a_job_past_its_deadline_raises_job_timeout(cirrus: Cloud, tmp_path: object) -> None:
    cs = ApiClient(cirrus.endpoint, cirrus.admin_key, cirrus.admin_secret,
                   job_timeout=0.5, poll_interval=0.05)
    started = time.monotonic()
    with pytest.raises(JobTimeout) as caught:
        cs.call("testHoldJob", seconds=3, marker=f"{tmp_path}/held")
    assert 0.5 <= time.monotonic() - started < 2.5
    assert caught.value.job_id and "pending after 0.5 s" in caught.value.text


def test_lists_are_read_page_by_page(cirrus: Cloud, monkeypatch: pytest.MonkeyPatch) -> None:
    cs = client(cirrus)
    prefix = f"ut-page-{uuid.uuid4().hex[:6]}"
    for index in range(5):
        cs.call("createDomain", name=f"{prefix}-{index}")
    monkeypatch.setattr(api, "PAGE_SIZE", 2)
    names = [d["name"] for d in cs.list_all("listDomains", "domain", keyword=prefix,
                                            listall=True)]
    assert sorted(names) == [f"{prefix}-{index}" for index in range(5)]
