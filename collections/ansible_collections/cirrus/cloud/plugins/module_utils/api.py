# Copyright (c) Cirrus contributors
# Apache License 2.0 (see https://www.apache.org/licenses/LICENSE-2.0)
"""A client of the CloudStack query API as Cirrus speaks it.

Signs requests the way the ``cs`` library does (HMAC-SHA1 over the sorted, lower-cased
query, base64) with the Python standard library, sends them with ansible-core's
``open_url``, unwraps the ``<command>response`` envelope, pages through lists, and waits
for async jobs (``queryAsyncJobResult``) with a deadline.  No AnsibleModule is needed, so
plugins and tests can use it as it is; no library beyond ansible-core is.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlencode

from ansible.module_utils.urls import ConnectionError as TransportError
from ansible.module_utils.urls import open_url

PAGE_SIZE = 500
SIGNATURE_LIFETIME = 600  # seconds a signed request stays valid (signatureVersion 3)


class ApiError(Exception):
    """A call failed: the API's errorcode and errortext, or a transport problem (code 0)."""

    def __init__(self, command: str, code: int, text: str, job_id: str | None = None) -> None:
        super().__init__(text)
        self.command = command
        self.code = code
        self.text = text
        self.job_id = job_id

    def __str__(self) -> str:
        where = f" (job {self.job_id})" if self.job_id else ""
        if self.code:
            return f"{self.command} failed with error {self.code}{where}: {self.text}"
        return f"{self.command} failed{where}: {self.text}"


class JobTimeout(ApiError):
    """An async job did not finish before the deadline; it may still finish later."""


def wire_value(value: Any) -> str:
    """A Python value as the API takes it: booleans lower-case, lists comma-joined."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(wire_value(item) for item in value)
    return str(value)


def canonical_query(params: dict[str, str]) -> str:
    """The string that is signed: parameters sorted by name, values quoted as ``cs`` quotes
    them (``quote(value, safe="*")``, spaces as %20), joined with ``&``, all lower-cased."""
    items = sorted(((k, v) for k, v in params.items() if k.lower() != "signature"),
                   key=lambda item: (item[0].lower(), item[0]))
    return "&".join(f"{key}={quote(value, safe='*')}" for key, value in items).lower()


def signature(params: dict[str, str], secret: str) -> str:
    """Base64 of the HMAC-SHA1 of the canonical query under the user's secret key."""
    digest = hmac.new(secret.encode("utf-8"), canonical_query(params).encode("utf-8"),
                      hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def expires_at(now: float, lifetime: int = SIGNATURE_LIFETIME) -> str:
    """ISO-8601 UTC timestamp for signatureVersion 3's ``expires``."""
    return time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(now + lifetime))


class ApiClient:
    """Signed calls to one endpoint as one user (API key and secret key)."""

    def __init__(self, endpoint: str, api_key: str, secret: str, *, timeout: float = 10,
                 method: str = "get", verify: bool = True, job_timeout: float = 600,
                 poll_interval: float = 0.2, max_poll_interval: float = 2.0) -> None:
        self.endpoint = endpoint
        self.api_key = api_key
        self.secret = secret
        self.timeout = timeout
        self.method = method.lower()
        self.job_timeout = job_timeout
        self.poll_interval = poll_interval
        self.max_poll_interval = max_poll_interval
        self.verify = verify

    def signed(self, command: str, params: dict[str, Any]) -> dict[str, str]:
        """The full parameter set of a request, signature included; None values dropped."""
        query = {key: wire_value(value) for key, value in params.items() if value is not None}
        query.update(command=command, response="json", apiKey=self.api_key,
                     signatureVersion="3", expires=expires_at(time.time()))
        query["signature"] = signature(query, self.secret)
        return query

    def request(self, command: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """One call; the body inside the ``<command>response`` envelope.  Does not wait for
        async jobs (see `call`)."""
        body = urlencode(self.signed(command, params or {}), quote_via=quote)
        if self.method == "post":
            url, data, headers = self.endpoint, body.encode("ascii"), {
                "Content-Type": "application/x-www-form-urlencoded"}
        else:
            url, data, headers = f"{self.endpoint}?{body}", None, {}
        try:
            with open_url(url, data=data, headers=headers, method=self.method.upper(),
                          timeout=self.timeout, validate_certs=self.verify) as answer:
                raw = answer.read()
        except HTTPError as error:
            raw = error.read()
            code, text = _error_of(raw, error.code)
            raise ApiError(command, code, text) from None
        except (URLError, OSError, TransportError) as error:
            reason = getattr(error, "reason", error)
            raise ApiError(command, 0, f"cannot reach {self.endpoint}: {reason}") from None
        envelope = _json(command, raw)
        inner = envelope.get(f"{command.lower()}response")
        if inner is None and len(envelope) == 1:
            inner = next(iter(envelope.values()))
        if not isinstance(inner, dict):
            raise ApiError(command, 0, f"unexpected answer: {str(envelope)[:300]}")
        if "errorcode" in inner:
            raise ApiError(command, int(inner["errorcode"]), str(inner.get("errortext", "")))
        return inner

    def call(self, command: str, **params: Any) -> dict[str, Any]:
        """A call whose async job, if it starts one, is waited for: the job's result."""
        body = self.request(command, params)
        if "jobid" in body and command.lower() != "queryasyncjobresult":
            return self.wait(command, str(body["jobid"]))
        return body

    def wait(self, command: str, job_id: str, timeout: float | None = None) -> dict[str, Any]:
        """Poll queryAsyncJobResult until the job ends or the deadline passes; the job's
        ``jobresult`` on success, `ApiError` with the job's error code on failure."""
        deadline = time.monotonic() + (self.job_timeout if timeout is None else timeout)
        interval = self.poll_interval
        while True:
            job = self.request("queryAsyncJobResult", {"jobid": job_id})
            status = int(job.get("jobstatus", 0))
            result = job.get("jobresult") or {}
            if status == 1:
                return result if isinstance(result, dict) else {"result": result}
            if status == 2:
                code = int(result.get("errorcode") or job.get("jobresultcode") or 530)
                raise ApiError(command, code, str(result.get("errortext", "job failed")),
                               job_id)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise JobTimeout(command, 0, "job still pending after "
                                 f"{self.job_timeout if timeout is None else timeout:g} s",
                                 job_id)
            time.sleep(min(interval, remaining))
            interval = min(interval * 1.5, self.max_poll_interval)

    def list_all(self, command: str, key: str, **params: Any) -> list[dict[str, Any]]:
        """Every item of a list command (all pages); the server does the filtering."""
        items: list[dict[str, Any]] = []
        page = 1
        while True:
            body = self.request(command, dict(params, page=page, pagesize=PAGE_SIZE))
            batch = body.get(key) or []
            items.extend(batch)
            if not batch or len(items) >= int(body.get("count", len(items))):
                return items
            page += 1


def _json(command: str, raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw.decode("utf-8"))
    except ValueError:
        raise ApiError(command, 0, f"the endpoint did not answer JSON: {raw[:200]!r}") \
            from None
    if not isinstance(value, dict):
        raise ApiError(command, 0, f"unexpected answer: {str(value)[:300]}")
    return value


def _error_of(raw: bytes, status: int) -> tuple[int, str]:
    """errorcode and errortext of an error envelope; the HTTP status when there is none."""
    try:
        envelope = json.loads(raw.decode("utf-8"))
        (inner,) = envelope.values()
        return int(inner.get("errorcode", status)), str(inner.get("errortext", ""))
    except (ValueError, AttributeError, TypeError):
        return status, raw[:300].decode("utf-8", "replace") or f"HTTP {status}"
