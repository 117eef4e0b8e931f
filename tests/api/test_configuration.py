"""Global configuration: the seed's parameters with defaults, typed updates, events."""

from __future__ import annotations

import pytest
from cs import CloudStackApiException

from tests.support.cloud import Cloud

SEED_DEFAULTS = {
    "max.template.iso.size": "50", "max.volume.size.gb": "2000",
    "network.throttling.rate": "200", "snapshot.max.hourly": "8", "snapshot.max.daily": "8",
    "snapshot.max.weekly": "8", "snapshot.max.monthly": "8", "expunge.delay": "86400",
    "expunge.interval": "86400", "usage.stats.job.exec.time": "00:15",
    "usage.execution.timezone": "Etc/UTC", "usage.stats.job.aggregation.range": "1440",
}


def _value(cloud: Cloud, name: str) -> str:
    found = cloud.admin.listConfigurations(name=name)["configuration"]
    value: str = next(c["value"] for c in found if c["name"] == name)
    return value


def _error(call: object, **kwargs: object) -> tuple[int, str]:
    with pytest.raises(CloudStackApiException) as caught:
        call(**kwargs)  # type: ignore[operator]
    return caught.value.response.status_code, caught.value.error["errortext"]


def test_seed_parameters_listed_with_defaults(cloud: Cloud) -> None:
    listed = cloud.admin.listConfigurations(pagesize=-1)
    values = {c["name"]: c["value"] for c in listed["configuration"]}
    for name, default in SEED_DEFAULTS.items():
        assert values[name] == default, name
    snapshots = cloud.admin.listConfigurations(category="Snapshots")["configuration"]
    assert {c["name"] for c in snapshots} == {f"snapshot.max.{p}" for p in (
        "hourly", "daily", "weekly", "monthly")} | {"snapshot.delta.max", "snapshot.poll.interval"}
    assert cloud.admin.listConfigurations(keyword="garbage")["count"] >= 1
    page = cloud.admin.listConfigurations(page=2, pagesize=3)
    assert page["count"] == listed["count"] and len(page["configuration"]) == 3


@pytest.mark.parametrize(("name", "bad", "good"), [
    ("expunge.delay", "soon", "60"),
    ("cpu.overprovisioning.factor", "fast", "2.5"),
    ("system.vm.use.local.storage", "maybe", "true"),
    ("usage.stats.job.exec.time", "25:00", "07:00"),
    ("usage.execution.timezone", "Mars/Olympus", "America/New_York"),
])
def test_typed_updates(cloud: Cloud, name: str, bad: str, good: str) -> None:
    before = _value(cloud, name)
    status, text = _error(cloud.admin.updateConfiguration, name=name, value=bad)
    assert status == 431 and bad in text and name in text
    assert _value(cloud, name) == before
    updated = cloud.admin.updateConfiguration(name=name, value=good)["configuration"]
    assert updated["value"] == good and _value(cloud, name) == good
    events = cloud.admin.listEvents(type="CONFIGURATION.VALUE.EDIT", keyword=name)
    assert events["event"][0]["level"] == "INFO"
    restored = cloud.admin.updateConfiguration(name=name, value="")["configuration"]
    assert restored["value"] == restored["defaultvalue"] == before


def test_unknown_and_forbidden(cloud: Cloud) -> None:
    assert _error(cloud.admin.updateConfiguration, name="no.such.thing", value="1")[0] == 431
    domain_admin = cloud.as_user(cloud.new_account(accounttype=2))
    assert _error(domain_admin.listConfigurations)[0] == 432
    assert _error(domain_admin.updateConfiguration, name="expunge.delay", value="1")[0] == 432
