"""Parameter types and validation of command declarations."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from appliance.api import params
from appliance.api.params import ParamSpec
from appliance.api.registry import lookup
from appliance.errors import ParamError


def _spec(kind: params.ParamType, **kwargs: object) -> ParamSpec:
    return ParamSpec(kind, name="p", **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(("kind", "raw", "value"), [
    (params.UUID, "6FA459EA-EE8A-3CA4-894E-DB77E160355E", "6fa459ea-ee8a-3ca4-894e-db77e160355e"),
    (params.STRING, "x y", "x y"),
    (params.INTEGER, "-42", -42),
    (params.LONG, "9000000000", 9000000000),
    (params.BOOLEAN, "TRUE", True),
    (params.BOOLEAN, "false", False),
    (params.DATE, "2024-02-29", date(2024, 2, 29)),
    (params.DATE, "2024-02-29 13:14:15", datetime(2024, 2, 29, 13, 14, 15)),
])
def test_types_parse(kind: params.ParamType, raw: str, value: object) -> None:
    assert _spec(kind).parse("cmd", raw) == value


@pytest.mark.parametrize(("kind", "raw"), [
    (params.UUID, "42"), (params.INTEGER, "4.2"), (params.INTEGER, "3000000000"),
    (params.BOOLEAN, "yes"), (params.DATE, "29/02/2024"),
])
def test_bad_values_are_431_naming_the_parameter(kind: params.ParamType, raw: str) -> None:
    with pytest.raises(ParamError) as caught:
        _spec(kind).parse("cmd", raw)
    assert "p" in caught.value.text and raw in caught.value.text


def test_list_and_length() -> None:
    spec = _spec(params.LIST, item_type=params.INTEGER)
    assert spec.parse("cmd", "1,2,3") == [1, 2, 3]
    with pytest.raises(ParamError):
        spec.parse("cmd", "1,x")
    with pytest.raises(ParamError):
        _spec(params.STRING, length=3).parse("cmd", "abcd")


def test_maps_gather_indexed_pairs() -> None:
    raw = {"details[1].key": "b", "details[0].key": "a", "details[0].value": "1",
           "details[1].value": "2", "other": "x"}
    assert params.collect_maps(raw) == {"details": [{"key": "a", "value": "1"},
                                                    {"key": "b", "value": "2"}]}


def test_required_parameter_missing_or_empty() -> None:
    spec = lookup("createDomain")
    assert spec is not None
    for raw in ({}, {"name": ""}):
        with pytest.raises(ParamError) as caught:
            spec.parse(raw)
        assert "name" in caught.value.text
    assert spec.parse({"name": "ok"}).name == "ok"  # type: ignore[attr-defined]
