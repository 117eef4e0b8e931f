"""The appliance's own API client signs what the server verifies, and follows jobs."""

from __future__ import annotations

from typing import Any

import pytest

from appliance.api import protocol
from appliance.client import Client, CloudStackError, JobTimeout, canonical_string, flatten, signed

AWKWARD = {"name": "Ünïcode ~ a*b/c [x] & = + %", "Zeta": "1", "alpha": "two words"}


def test_signature_is_one_the_server_accepts() -> None:
    params = signed({**AWKWARD, "command": "listZones", "response": "json"}, "KEY", "SECRET")
    assert params["signatureVersion"] == "3" and params["expires"].endswith("+0000")
    assert canonical_string(params) in protocol.canonical_strings(params)
    assert protocol.verify_signature(params, params["signature"], "SECRET")
    assert not protocol.verify_signature(params, params["signature"], "OTHER")


def test_wire_values_and_maps() -> None:
    assert flatten({"a": True, "b": [1, 2], "c": None, "tags": [{"key": "k", "value": "v"}],
                    "details": {"x": 1}}) == {
        "a": "true", "b": "1,2", "tags[0].key": "k", "tags[0].value": "v",
        "details[0].x": "1"}


class FakeClient(Client):
    """Answers queryAsyncJobResult from a script instead of HTTP."""

    def __init__(self, answers: list[dict[str, Any]], **kwargs: Any) -> None:
        self.now = 0.0
        super().__init__("http://x/client/api", "k", "s", clock=lambda: self.now,
                         sleep=self.advance, **kwargs)
        self.answers = answers
        self.calls: list[str] = []

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def request(self, command: str, params: Any = None) -> dict[str, Any]:
        self.calls.append(command)
        return self.answers.pop(0) if self.answers else {"jobstatus": 0}


def test_async_call_polls_until_the_job_ends() -> None:
    client = FakeClient([{"jobid": "j1", "id": "x"}, {"jobstatus": 0},
                         {"jobstatus": 1, "jobresult": {"zone": {"id": "x"}}}])
    assert client.call("deleteZone", id="x") == {"zone": {"id": "x"}}
    assert client.calls == ["deleteZone", "queryAsyncJobResult", "queryAsyncJobResult"]


def test_failed_job_raises_its_error_code() -> None:
    client = FakeClient([{"jobid": "j1"}, {"jobstatus": 2, "jobresult": {
        "errorcode": 533, "errortext": "no host has room"}}])
    with pytest.raises(CloudStackError) as caught:
        client.call("deployVirtualMachine")
    assert (caught.value.errorcode, caught.value.errortext) == (533, "no host has room")


def test_job_polling_has_a_deadline() -> None:
    client = FakeClient([{"jobid": "j1"}], job_timeout=5, poll_interval=1)
    with pytest.raises(JobTimeout, match="job j1 still pending after 5 s"):
        client.call("addHost")
    assert 5 <= len(client.calls) <= 8


def test_unreachable_endpoint_is_an_error_without_a_code() -> None:
    from tests.support.server import free_port

    client = Client(f"http://127.0.0.1:{free_port()}/client/api", "k", "s", timeout=2)
    with pytest.raises(CloudStackError) as caught:
        client.call("listZones")
    assert caught.value.errorcode == 0 and "cannot reach" in caught.value.errortext
    assert "errorcode" not in str(caught.value)
