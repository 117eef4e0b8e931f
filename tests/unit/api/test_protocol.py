"""Signature canonicalization variants, expiry parsing and rendering."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime
from urllib.parse import quote, quote_plus

import pytest

from appliance.api import protocol
from appliance.errors import MalformedParameter, Unauthorized

SECRET = "s3cret"
PARAMS = {"command": "listUsers", "apiKey": "KEY", "keyword": "a b*c/d~e[0]", "Zeta": "ü"}


def _sign(canonical: str) -> str:
    return base64.b64encode(hmac.new(SECRET.encode(), canonical.lower().encode(),
                                     hashlib.sha1).digest()).decode()


def test_cs_variant() -> None:
    canonical = "&".join(f"{k}={quote(v, safe='*')}" for k, v in sorted(PARAMS.items()))
    assert protocol.verify_signature(PARAMS, _sign(canonical), SECRET)


def test_libcloud_variant() -> None:
    pairs = sorted((k.lower(), v) for k, v in PARAMS.items())
    canonical = "&".join(f"{k}={quote(v, safe='[]*')}" for k, v in pairs)
    assert protocol.verify_signature(PARAMS, _sign(canonical), SECRET)


def test_marvin_variant() -> None:
    pairs = sorted((k.lower(), v) for k, v in PARAMS.items())
    canonical = "&".join(f"{k}={quote_plus(v)}" for k, v in pairs).replace("+", "%20")
    assert protocol.verify_signature(PARAMS, _sign(canonical), SECRET)


def test_java_encoder_variant() -> None:
    canonical = "&".join(f"{k}={quote(v, safe='*').replace('~', '%7E')}"
                         for k, v in sorted(PARAMS.items()))
    assert protocol.verify_signature(PARAMS, _sign(canonical), SECRET)


def test_wrong_secret_or_changed_value_fails() -> None:
    canonical = "&".join(f"{k}={quote(v, safe='*')}" for k, v in sorted(PARAMS.items()))
    good = _sign(canonical)
    assert not protocol.verify_signature(PARAMS, good, "other")
    assert not protocol.verify_signature({**PARAMS, "keyword": "x"}, good, SECRET)
    assert protocol.verify_signature({**PARAMS, "signature": "ignored"}, good, SECRET)


@pytest.mark.parametrize("raw", ["2030-01-02T03:04:05+0000", "2030-01-02T03:04:05Z",
                                 "2030-01-02T04:04:05+01:00"])
def test_expires_formats(raw: str) -> None:
    assert protocol.parse_expires(raw) == datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_expiry_rules() -> None:
    now = datetime(2030, 1, 1, tzinfo=UTC)
    protocol.check_expiry({"signatureversion": "3", "expires": "2030-01-01T00:01:00+0000"},
                          now)
    protocol.check_expiry({"expires": "2000-01-01T00:00:00+0000"}, now)  # not v3: ignored
    with pytest.raises(Unauthorized):
        protocol.check_expiry({"signatureversion": "3", "expires": "2029-12-31T23:59:00Z"},
                              now)
    with pytest.raises(Unauthorized):
        protocol.check_expiry({"signatureversion": "3"}, now)
    with pytest.raises(MalformedParameter):
        protocol.check_expiry({"signatureversion": "3", "expires": "tomorrow"}, now)


def test_render_json_and_xml() -> None:
    payload = protocol.envelope("listThings", {"count": 2, "thing": [{"a": 1}, {"a": "<b>"}],
                                               "ok": True})
    text, content_type = protocol.render(payload, "json")
    assert content_type == "application/json; charset=UTF-8"
    assert text == '{"listthingsresponse":{"count":2,"thing":[{"a":1},{"a":"<b>"}],"ok":true}}'
    xml, xml_type = protocol.render(payload, "xml")
    assert xml_type.startswith("text/xml")
    assert "<thing><a>1</a></thing><thing><a>&lt;b&gt;</a></thing><ok>true</ok>" in xml
