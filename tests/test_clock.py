"""The stepped clock tests, benchmarks and the console share."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from scheduler.clock import SteppedClock

START = datetime(2026, 11, 23, 7, 5, tzinfo=timezone(timedelta(hours=1)))


def test_it_stands_still_until_set_or_advanced_and_reads_utc() -> None:
    clock = SteppedClock(START)
    assert clock() == clock() == datetime(2026, 11, 23, 6, 5, tzinfo=UTC)
    assert clock().tzinfo is UTC
    clock.advance(hours=1, minutes=30)
    assert clock() == datetime(2026, 11, 23, 7, 35, tzinfo=UTC)
    clock.set(datetime(2026, 11, 24, 9, 0, tzinfo=timezone(timedelta(hours=9))))
    assert clock() == datetime(2026, 11, 24, 0, 0, tzinfo=UTC)


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        SteppedClock(datetime(2026, 11, 23, 7, 5))  # noqa: DTZ001 - the point of the test
    clock = SteppedClock(START)
    with pytest.raises(ValueError, match="timezone-aware"):
        clock.set(datetime(2026, 11, 23, 8, 0))  # noqa: DTZ001
    assert clock() == START
