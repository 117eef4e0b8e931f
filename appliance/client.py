"""A small typed client of the CloudStack query API, for the appliance's own use.

It signs each request the way the `cs` library does (DESIGN §3: parameters sorted by name,
values encoded with `quote(v, safe="*")`, the whole string lower-cased, HMAC-SHA1 through
`protocol.sign`), sends it as a POST form, follows async jobs to their result with a
deadline, and turns every error answer into `CloudStackError` with the errorcode and
errortext the server sent.  Standard library only: `cirrus apply` needs nothing else.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

from appliance.api import protocol

Params = Mapping[str, Any]

# queryAsyncJobResult's jobstatus values.
JOB_PENDING, JOB_SUCCEEDED, JOB_FAILED = 0, 1, 2


class CloudStackError(Exception):
    """An error answer of the API (or of an async job): CloudStack's errorcode and text;
    errorcode 0 when no answer came (unreachable, timed out)."""

    def __init__(self, command: str, errorcode: int, errortext: str) -> None:
        code = f" (errorcode {errorcode})" if errorcode else ""
        super().__init__(f"{command}: {errortext}{code}")
        self.command = command
        self.errorcode = errorcode
        self.errortext = errortext


class JobTimeout(CloudStackError):
    """An async job still pending when the client's deadline passed."""

    def __init__(self, command: str, jobid: str, seconds: float) -> None:
        super().__init__(command, 0, f"job {jobid} still pending after {seconds:.0f} s")
        self.jobid = jobid


def wire_value(value: Any) -> str:
    """A Python value as the API expects it: booleans lower-case, lists comma-joined."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(wire_value(item) for item in value)
    return str(value)


def flatten(params: Params) -> dict[str, str]:
    """Wire form of `params`: maps (a dict, or a list of dicts) become `name[i].key=value`."""
    out: dict[str, str] = {}
    for name, value in params.items():
        if value is None:
            continue
        if isinstance(value, dict):
            value = [value]
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for index, entry in enumerate(value):
                for key, item in entry.items():
                    out[f"{name}[{index}].{key}"] = wire_value(item)
        else:
            out[name] = wire_value(value)
    return out


def canonical_string(params: Mapping[str, str]) -> str:
    """The string `cs` signs: sorted `name=quote(value, safe='*')`, joined, lower-cased."""
    items = sorted((k, v) for k, v in params.items() if k.lower() != "signature")
    return "&".join(f"{k}={quote(v, safe='*')}" for k, v in items).lower()


def signed(params: Mapping[str, str], api_key: str, secret_key: str,
           expires_in: float | None = 600) -> dict[str, str]:
    """`params` plus apiKey (and signatureVersion 3 with expires), and their signature."""
    out = {**params, "apiKey": api_key}
    if expires_in is not None:
        expires = datetime.now(UTC) + timedelta(seconds=expires_in)
        out["signatureVersion"] = "3"
        out["expires"] = expires.strftime("%Y-%m-%dT%H:%M:%S+0000")
    out["signature"] = protocol.sign(canonical_string(out), secret_key)
    return out


@dataclass
class Client:
    """Signed calls to one endpoint (`http://HOST:PORT/client/api`) as one user."""

    endpoint: str
    api_key: str
    secret_key: str
    timeout: float = 60.0  # one HTTP request
    job_timeout: float = 300.0  # one async job, from submission to its result
    poll_interval: float = 0.5
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    def request(self, command: str, params: Params | None = None) -> dict[str, Any]:
        """One call; the body under `<command>response` (for an async command: the job)."""
        form = signed({**flatten(params or {}), "command": command, "response": "json"},
                      self.api_key, self.secret_key)
        data = urlencode(form).encode()
        http = urllib.request.Request(self.endpoint, data=data, method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json"})
        try:
            with urllib.request.urlopen(http, timeout=self.timeout) as answer:
                raw = answer.read()
        except urllib.error.HTTPError as error:
            raw = error.read()
            body = _decode(command, raw, error.code)
            raise CloudStackError(command, int(body.get("errorcode", error.code)),
                                  str(body.get("errortext", raw[:200]))) from None
        except urllib.error.URLError as error:
            raise CloudStackError(command, 0, f"cannot reach {self.endpoint}: "
                                  f"{error.reason}") from None
        except OSError as error:  # a timeout or a reset connection mid-answer
            raise CloudStackError(command, 0, f"no answer from {self.endpoint}: "
                                  f"{error}") from None
        body = _decode(command, raw, 200)
        if "errorcode" in body:
            raise CloudStackError(command, int(body["errorcode"]), str(body.get("errortext")))
        return body

    def call(self, command: str, **params: Any) -> dict[str, Any]:
        """One command; for an async one, wait for its job and return the job's result."""
        body = self.request(command, params)
        if "jobid" in body and not command.lower().startswith("queryasyncjobresult"):
            return self.wait_for_job(command, str(body["jobid"]))
        return body

    def wait_for_job(self, command: str, jobid: str) -> dict[str, Any]:
        """Poll queryAsyncJobResult until the job ends; its jobresult, or CloudStackError."""
        deadline = self.clock() + self.job_timeout
        while True:
            job = self.request("queryAsyncJobResult", {"jobid": jobid})
            status = int(job.get("jobstatus", JOB_PENDING))
            result = job.get("jobresult") or {}
            if status == JOB_SUCCEEDED:
                return dict(result)
            if status == JOB_FAILED:
                raise CloudStackError(command, int(result.get("errorcode", 530)),
                                      str(result.get("errortext", f"job {jobid} failed")))
            if self.clock() >= deadline:
                raise JobTimeout(command, jobid, self.job_timeout)
            self.sleep(self.poll_interval)

    def list(self, command: str, key: str | tuple[str, ...], pagesize: int = 500,
             **params: Any) -> list[dict[str, Any]]:
        """Every item of a list command (all pages): the entries under `key` (or under the
        first of several keys the answer has)."""
        keys = (key,) if isinstance(key, str) else key
        items: list[dict[str, Any]] = []
        page = 1
        while True:
            body = self.request(command, {**params, "page": page, "pagesize": pagesize})
            batch: list[dict[str, Any]] = next((body[k] for k in keys if k in body), [])
            items.extend(batch)
            if not batch or len(items) >= int(body.get("count", 0)):
                return items
            page += 1


def _decode(command: str, raw: bytes, status: int) -> dict[str, Any]:
    try:
        payload = json.loads(raw)
    except ValueError:
        raise CloudStackError(command, status, f"not a JSON answer (HTTP {status}): "
                              f"{raw[:200]!r}") from None
    if not isinstance(payload, dict) or len(payload) != 1:
        raise CloudStackError(command, status, f"unexpected answer: {str(payload)[:200]}")
    (body,) = payload.values()
    return dict(body) if isinstance(body, dict) else {}
