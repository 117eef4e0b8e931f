"""Recurring snapshot schedules: CloudStack's formats, and next run times that follow the
policy's time zone through daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from appliance.errors import ParamError
from appliance.models import IntervalType
from appliance.services.storage.snapshot_policies import (
    Schedule,
    interval_type,
    next_run,
    parse_schedule,
    resolve_timezone,
)

H, D, W, M = IntervalType.HOURLY, IntervalType.DAILY, IntervalType.WEEKLY, IntervalType.MONTHLY


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(("interval", "text", "parsed"), [
    (H, "5", Schedule(5)), (H, "59", Schedule(59)), (D, "30:2", Schedule(30, 2)),
    (D, "00:23", Schedule(0, 23)), (W, "0:5:1", Schedule(0, 5, 1)),
    (W, "15:9:7", Schedule(15, 9, 7)),
    (M, "0:5:28", Schedule(0, 5, 28)), (M, "45:12:1", Schedule(45, 12, 1)),
])
def test_valid_schedules(interval: IntervalType, text: str, parsed: Schedule) -> None:
    assert parse_schedule(interval, text) == parsed


@pytest.mark.parametrize(("interval", "text"), [
    (H, "60"), (H, "5:1"), (H, "x"), (D, "30"), (D, "30:24"), (D, "-1:3"), (W, "0:5"),
    (W, "0:5:8"), (W, "0:5:0"), (M, "0:5:29"), (M, "0:5:0"), (M, "0:24:1"), (D, ""),
])
def test_invalid_schedules_name_the_value_and_the_format(interval: IntervalType,
                                                         text: str) -> None:
    with pytest.raises(ParamError) as caught:
        parse_schedule(interval, text)
    assert repr(text) in caught.value.text and interval.value in caught.value.text
    assert "expected MM" in caught.value.text


def test_interval_types_by_name_or_number() -> None:
    assert [interval_type(v) for v in ("hourly", "DAILY", "2", "3")] == [H, D, W, M]
    with pytest.raises(ParamError, match="'yearly'"):
        interval_type("yearly")


def test_time_zones() -> None:
    assert resolve_timezone("etc/utc") == "Etc/UTC"
    assert resolve_timezone("UTC") == "UTC"  # what the Ansible collection sends by default
    assert resolve_timezone("Europe/Zurich") == "Europe/Zurich"
    with pytest.raises(ParamError, match="Mars/Olympus"):
        resolve_timezone("Mars/Olympus")


def test_hourly_follows_the_local_minute() -> None:
    # Kolkata is UTC+5:30: minute 0 there is minute 30 in UTC.
    assert next_run(H, Schedule(0), "Asia/Kolkata", utc(2024, 5, 1, 10, 0)) == utc(2024, 5, 1,
                                                                                   10, 30)
    assert next_run(H, Schedule(15), "Etc/UTC", utc(2024, 5, 1, 10, 15)) == utc(2024, 5, 1,
                                                                                11, 15)


def test_hourly_runs_every_real_hour_across_dst() -> None:
    # New York falls back on 2021-11-07 at 06:00 UTC: 01:15 local happens twice.
    runs, at = [], utc(2021, 11, 7, 4, 0)
    for _ in range(4):
        at = next_run(H, Schedule(15), "America/New_York", at)
        runs.append(at)
    assert [r - runs[0] for r in runs] == [timedelta(hours=h) for h in range(4)]
    assert runs[0] == utc(2021, 11, 7, 4, 15)
    # ... and springs forward on 2021-03-14 at 07:00 UTC: no hour is lost either.
    spring = [next_run(H, Schedule(15), "America/New_York", utc(2021, 3, 14, h, 20))
              for h in (5, 6, 7)]
    assert spring == [utc(2021, 3, 14, h, 15) for h in (6, 7, 8)]


def test_daily_wall_clock_time_across_dst() -> None:
    zone = "America/New_York"
    # 02:30 does not exist on 2021-03-14: the run comes when the clocks went forward.
    first = next_run(D, Schedule(30, 2), zone, utc(2021, 3, 13, 8, 0))
    assert first == utc(2021, 3, 14, 7, 30)  # 03:30 EDT
    assert next_run(D, Schedule(30, 2), zone, first) == utc(2021, 3, 15, 6, 30)  # 02:30 EDT
    # 01:30 happens twice on 2021-11-07: one run, at the first.
    once = next_run(D, Schedule(30, 1), zone, utc(2021, 11, 7, 0, 0))
    assert once == utc(2021, 11, 7, 5, 30)  # 01:30 EDT
    assert next_run(D, Schedule(30, 1), zone, once) == utc(2021, 11, 8, 6, 30)  # 01:30 EST
    # The daily time is local: 07:00 in Tokyo is 22:00 UTC the day before.
    assert next_run(D, Schedule(0, 7), "Asia/Tokyo", utc(2024, 5, 1, 21, 0)) == utc(2024, 5, 1,
                                                                                    22, 0)


def test_weekly_and_monthly() -> None:
    wednesday = utc(2024, 5, 1, 12, 0)
    # Day 1 is Sunday, 7 Saturday (CloudStack counts like java.util.Calendar).
    assert next_run(W, Schedule(0, 9, 1), "Etc/UTC", wednesday) == utc(2024, 5, 5, 9, 0)
    assert next_run(W, Schedule(0, 9, 4), "Etc/UTC", wednesday) == utc(2024, 5, 8, 9, 0)
    assert next_run(W, Schedule(0, 13, 4), "Etc/UTC", wednesday) == utc(2024, 5, 1, 13, 0)
    assert next_run(M, Schedule(30, 0, 28), "Etc/UTC", wednesday) == utc(2024, 5, 28, 0, 30)
    assert next_run(M, Schedule(0, 0, 1), "Europe/London", wednesday) == utc(2024, 5, 31,
                                                                             23, 0)
