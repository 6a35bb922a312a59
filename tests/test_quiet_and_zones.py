"""Tables for the pure quiet-hours rule (tz-aware, across DST) and the offline time-zone lookups."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from habits.onboarding import parse_times
from habits.timezones import zone_from_location, zone_from_text
from scheduler.quiet import QuietHours, derived_quiet_hours, is_quiet_at, quiet_hours_for

AMS = ZoneInfo("Europe/Amsterdam")
TOKYO = ZoneInfo("Asia/Tokyo")
DEFAULT_QUIET = QuietHours(time(22, 30), time(7, 0))


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("bedtime", "wake", "expected"),
    [
        (time(23, 0), time(7, 0), DEFAULT_QUIET),
        (time(0, 30), time(7, 0), QuietHours(time(0, 0), time(7, 0))),
        (time(0, 15), time(6, 30), QuietHours(time(23, 45), time(6, 30))),
        (time(21, 0), time(5, 45), QuietHours(time(20, 30), time(5, 45))),
    ],
)
def test_default_quiet_hours_follow_bedtime_and_wake_up(
    bedtime: time, wake: time, expected: QuietHours
) -> None:
    assert derived_quiet_hours(bedtime=bedtime, wake=wake) == expected
    assert quiet_hours_for(bedtime=bedtime, wake=wake, start=None, end=None) == expected


@pytest.mark.parametrize(
    ("instant", "zone", "quiet", "expected"),
    [
        (utc(2026, 11, 23, 21, 29), AMS, DEFAULT_QUIET, False),  # 22:29
        (utc(2026, 11, 23, 21, 30), AMS, DEFAULT_QUIET, True),  # 22:30: starts inclusive
        (utc(2026, 11, 23, 23, 0), AMS, DEFAULT_QUIET, True),  # 00:00
        (utc(2026, 11, 24, 5, 59), AMS, DEFAULT_QUIET, True),  # 06:59
        (utc(2026, 11, 24, 6, 0), AMS, DEFAULT_QUIET, False),  # 07:00: ends exclusive
        # Summer time: the same wall-clock hours, an hour earlier in UTC.
        (utc(2026, 7, 1, 20, 30), AMS, DEFAULT_QUIET, True),  # 22:30 CEST
        (utc(2026, 7, 1, 5, 0), AMS, DEFAULT_QUIET, False),  # 07:00 CEST
        # The spring-forward night (02:00 -> 03:00) and the fall-back night stay quiet.
        (utc(2026, 3, 29, 1, 30), AMS, DEFAULT_QUIET, True),  # 03:30 CEST
        (utc(2026, 10, 25, 1, 30), AMS, DEFAULT_QUIET, True),  # 02:30 the second time
        (utc(2026, 11, 23, 14, 45), TOKYO, QuietHours(time(0, 0), time(7, 0)), False),  # 23:45
        (utc(2026, 11, 23, 15, 0), TOKYO, QuietHours(time(0, 0), time(7, 0)), True),  # 00:00
        # Daytime quiet hours (a night shift) and none at all.
        (utc(2026, 11, 23, 11, 0), AMS, QuietHours(time(9, 0), time(17, 0)), True),
        (utc(2026, 11, 23, 17, 0), AMS, QuietHours(time(9, 0), time(17, 0)), False),
        (utc(2026, 11, 23, 23, 0), AMS, QuietHours(time(0, 0), time(0, 0)), False),
    ],
)
def test_is_quiet_at(instant: datetime, zone: ZoneInfo, quiet: QuietHours, expected: bool) -> None:
    assert is_quiet_at(instant, zone, quiet) is expected


def test_is_quiet_at_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="aware"):
        is_quiet_at(datetime(2026, 11, 23, 12, 0), AMS, DEFAULT_QUIET)  # noqa: DTZ001


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Amsterdam", "Europe/Amsterdam"),
        ("  den haag ", "Europe/Amsterdam"),
        ("Gent", "Europe/Brussels"),
        ("Genève", "Europe/Zurich"),
        ("tokio", "Asia/Tokyo"),
        ("asia/tokyo", "Asia/Tokyo"),
        ("America/New_York", "America/New_York"),
        ("new york", "America/New_York"),
        ("Kathmandu", "Asia/Kathmandu"),
        ("Atlantis", None),
        ("Mars/Olympus", None),
        ("UTC", "Etc/UTC"),
        ("", None),
    ],
)
def test_zone_from_text(typed: str, zone: str | None) -> None:
    assert zone_from_text(typed) == zone


@pytest.mark.parametrize(
    ("latitude", "longitude", "zone"),
    [
        (52.3676, 4.9041, "Europe/Amsterdam"),
        (51.0543, 3.7174, "Europe/Brussels"),
        (35.6812, 139.7671, "Asia/Tokyo"),
        (40.7128, -74.0060, "America/New_York"),
        (91.0, 0.0, None),
    ],
)
def test_zone_from_location_offline(latitude: float, longitude: float, zone: str | None) -> None:
    assert zone_from_location(latitude, longitude) == zone


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("7:30", [time(7, 30)]),
        ("07.30", [time(7, 30)]),
        ("7u30", [time(7, 30)]),
        ("19:30", [time(19, 30)]),
        ("6u45 23.30", [time(6, 45), time(23, 30)]),
        ("22:30-07:00", [time(22, 30), time(7, 0)]),
        ("7:30, 12:30 en 18:00", [time(7, 30), time(12, 30), time(18, 0)]),
        ("25:00", None),
        ("abc", None),
        ("7:30 abc", None),
        ("1 2 3 4", None),
    ],
)
def test_parse_times(typed: str, expected: list[time] | None) -> None:
    assert parse_times(typed) == expected
