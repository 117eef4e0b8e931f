"""listResourceLimits / updateResourceLimit through the API (seed §10.8)."""

from __future__ import annotations

import pytest
from cs import CloudStackApiException

from tests.support.cloud import Cloud


def _status(call: object, **kwargs: object) -> int:
    with pytest.raises(CloudStackApiException) as caught:
        call(**kwargs)  # type: ignore[operator]
    code: int = caught.value.response.status_code
    return code


def _limits(listing: dict[str, list[dict[str, object]]]) -> dict[str, object]:
    return {str(item["resourcetypename"]): item["max"] for item in listing["resourcelimit"]}


def test_root_defaults_account_overrides_and_domain_limits(cloud: Cloud) -> None:
    admin = cloud.admin
    root = admin.listDomains(name="ROOT")["domain"][0]
    domain = cloud.new_domain()
    member = cloud.new_account(domainid=domain["id"])
    args = {"account": member.username, "domainid": domain["id"]}
    assert set(_limits(admin.listResourceLimits(**args)).values()) == {-1}
    assert len(admin.listResourceLimits(**args)["resourcelimit"]) == 5
    try:
        admin.updateResourceLimit(resourcetype=2, max=9, domainid=root["id"])  # ROOT default
        assert _limits(admin.listResourceLimits(**args))["volume"] == 9
        override = admin.updateResourceLimit(resourcetype=2, max=4, **args)["resourcelimit"]
        assert override["max"] == 4 and override["account"] == member.username
        assert _limits(admin.listResourceLimits(**args))["volume"] == 4
        account = admin.listAccounts(name=member.username, domainid=domain["id"])["account"][0]
        assert (account["volumelimit"], account["volumeavailable"]) == ("4", "4")
        mine = cloud.as_user(member).listResourceLimits(resourcetype=2)["resourcelimit"]
        assert [m["max"] for m in mine] == [4]
    finally:
        admin.updateResourceLimit(resourcetype=2, max=-1, domainid=root["id"])
    dom = admin.updateResourceLimit(resourcetype=0, max=10, domainid=domain["id"])
    assert dom["resourcelimit"]["max"] == 10 and "account" not in dom["resourcelimit"]
    assert _limits(admin.listResourceLimits(domainid=domain["id"]))["user_vm"] == 10
    # An account limit may not exceed its domain's.
    assert _status(admin.updateResourceLimit, resourcetype=0, max=11, **args) == 431


def test_bad_input_and_permissions(cloud: Cloud) -> None:
    admin = cloud.admin
    domain = cloud.new_domain()
    dadmin = cloud.new_account(accounttype=2, domainid=domain["id"])
    member = cloud.new_account(domainid=domain["id"])
    assert _status(admin.updateResourceLimit, resourcetype=42, max=1,
                   domainid=domain["id"]) == 431
    assert _status(admin.updateResourceLimit, resourcetype=0, max=-2,
                   domainid=domain["id"]) == 431
    api = cloud.as_user(dadmin)
    assert _status(api.updateResourceLimit, resourcetype=0, max=1,
                   domainid=domain["id"]) == 531
    assert _status(api.updateResourceLimit, resourcetype=0, max=1, account=dadmin.username,
                   domainid=domain["id"]) == 531
    ok = api.updateResourceLimit(resourcetype=0, max=3, account=member.username,
                                 domainid=domain["id"])
    assert ok["resourcelimit"]["max"] == 3
    assert _status(cloud.as_user(member).updateResourceLimit, resourcetype=0, max=9) == 432
    limits = _limits(admin.listResourceLimits(domainid=domain["id"]))
    assert limits["user_vm"] == -1
