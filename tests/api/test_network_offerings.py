"""Network offerings: the ACS 2.2 defaults seeded at init and availability (seed §6.7.2)."""

from __future__ import annotations

from typing import Any

import pytest
from cs import CloudStackApiException

from tests.support.cloud import Cloud


def _status(call: Any, **kwargs: Any) -> int:
    with pytest.raises(CloudStackApiException) as caught:
        call(**kwargs)
    code: int = caught.value.response.status_code
    return code


def test_defaults_and_availability(cloud: Cloud) -> None:
    offerings = {o["name"]: o for o in cloud.admin.listNetworkOfferings()["networkoffering"]}
    virtual = offerings["DefaultVirtualizedNetworkOffering"]
    direct = offerings["DefaultDirectNetworkOffering"]
    assert virtual["guestiptype"] == "Virtual" and virtual["availability"] == "Required"
    assert direct["guestiptype"] == "Direct" and direct["specifyvlan"] is True
    assert {"name": "SourceNat"} in virtual["service"]
    updated = cloud.admin.updateNetworkOffering(id=virtual["id"], availability="optional",
                                                displaytext="Virtual network")
    assert updated["networkoffering"]["availability"] == "Optional"
    assert updated["networkoffering"]["displaytext"] == "Virtual network"
    found = cloud.admin.listNetworkOfferings(availability="Optional", guestiptype="Virtual")
    assert [o["id"] for o in found["networkoffering"]] == [virtual["id"]]
    assert _status(cloud.admin.updateNetworkOffering, id=virtual["id"],
                   availability="Sometimes") == 431
    assert _status(cloud.admin.updateNetworkOffering, id=direct["id"],
                   availability="Required") == 431
    user = cloud.as_user(cloud.new_account())
    assert user.listNetworkOfferings(isdefault=True)["count"] == 2
    assert _status(user.updateNetworkOffering, id=virtual["id"], name="x") == 432
