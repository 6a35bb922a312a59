"""The clock the bot reads: real UTC time in production, a stepped one in tests, benchmarks, the console."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class SteppedClock:
    """A clock that stands still until it is set or advanced, so offline runs are repeatable."""

    def __init__(self, start: datetime) -> None:
        self._now = _aware(start)

    def __call__(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = _aware(moment)

    def advance(self, **delta: float) -> None:
        """Move forward by `timedelta(**delta)`, e.g. `advance(minutes=15)`."""
        self._now += timedelta(**delta)


def _aware(moment: datetime) -> datetime:
    # A naive datetime would silently mean "local time of this machine".
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"a clock needs a timezone-aware datetime, got {moment!r}")
    return moment.astimezone(UTC)
