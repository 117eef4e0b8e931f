"""The wire protocol: request signatures, expiry, envelopes and json/xml rendering."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, quote_plus
from xml.sax.saxutils import escape

from appliance import __version__
from appliance.errors import CS_ERROR_CODE, CloudError, MalformedParameter, Unauthorized

JSON_CONTENT_TYPE = "application/json; charset=UTF-8"
XML_CONTENT_TYPE = "text/xml; charset=UTF-8"


# --- signatures ---------------------------------------------------------------------------

def _quote_star(value: str) -> str:
    return quote(value, safe="*")


def _quote_libcloud(value: str) -> str:
    return quote(value, safe="[]*")


def _quote_plus(value: str) -> str:
    return quote_plus(value).replace("+", "%20")


def _quote_java(value: str) -> str:
    return quote(value, safe="*").replace("~", "%7E")


# Each client canonicalizes differently (DESIGN §3): (sort on lower-cased keys?, encoder).
_VARIANTS = (
    (False, _quote_star),  # cs, CloudMonkey
    (True, _quote_star),
    (True, _quote_libcloud),  # libcloud
    (True, _quote_plus),  # Marvin
    (False, _quote_java),  # the server's own Java encoder
    (True, _quote_java),
)


def canonical_strings(params: dict[str, str]) -> set[str]:
    """Every canonical request string a real client could have signed for `params`."""
    items = [(k, v) for k, v in params.items() if k.lower() != "signature"]
    by_lower = sorted(items, key=lambda kv: kv[0].lower())
    by_case = sorted(items)
    out = set()
    for lower_sort, encode in _VARIANTS:
        ordered = by_lower if lower_sort else by_case
        out.add("&".join(f"{k}={encode(v)}" for k, v in ordered).lower())
    return out


def sign(canonical: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), canonical.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def verify_signature(params: dict[str, str], signature: str, secret: str) -> bool:
    """Constant-time check of `signature` against every accepted canonicalization."""
    ok = False
    for canonical in canonical_strings(params):
        ok |= hmac.compare_digest(sign(canonical, secret), signature)
    return ok


_OFFSET = re.compile(r"([+-]\d{2}):?(\d{2})$")


def parse_expires(raw: str) -> datetime:
    """Parse an ISO-8601 `expires` value with offset (±hhmm, ±hh:mm or Z); 430 otherwise."""
    text = raw.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+0000"
    text = _OFFSET.sub(lambda m: m[1] + m[2], text)
    for fmt in ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise MalformedParameter(f"Incorrect date format for expires parameter: {raw!r}")


def check_expiry(params: dict[str, str], now: datetime | None = None) -> None:
    """signatureVersion=3 requires `expires` and rejects a request past it (401)."""
    if params.get("signatureversion") != "3":
        return
    raw = params.get("expires")
    if not raw:
        raise Unauthorized("Missing Expires parameter in the request (signatureVersion=3)")
    if parse_expires(raw) < (now or datetime.now(UTC)):
        raise Unauthorized("Request expired -- ignoring ...sig: expires is in the past")


# --- envelopes ----------------------------------------------------------------------------

def envelope(command: str, body: dict[str, Any]) -> dict[str, Any]:
    """Wrap a body in the one top-level key CloudStack uses: <command>response."""
    return {f"{command.lower()}response": body}


def error_body(error: CloudError) -> dict[str, Any]:
    return {"uuidList": [], "errorcode": int(error.code), "cserrorcode": CS_ERROR_CODE,
            "errortext": error.text}


def render(payload: dict[str, Any], fmt: str) -> tuple[str, str]:
    """Serialize an envelope to (text, content type) in json or xml."""
    if fmt == "json":
        return json.dumps(payload, separators=(",", ":"), default=str), JSON_CONTENT_TYPE
    (root, body), = payload.items()
    inner = _xml_value(body)
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<{root} cloud-stack-version="{__version__}">{inner}</{root}>'
    )
    return text, XML_CONTENT_TYPE


def _xml_value(value: Any) -> str:
    if isinstance(value, dict):
        parts: list[str] = []
        for key, item in value.items():
            if item is None:
                continue
            if isinstance(item, list):
                parts.extend(f"<{key}>{_xml_value(element)}</{key}>" for element in item)
            else:
                parts.append(f"<{key}>{_xml_value(item)}</{key}>")
        return "".join(parts)
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(str(value))
