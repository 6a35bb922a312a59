"""Quiet hours: the part of a member's night in which no nudge goes out, as a pure rule.

Quiet hours are local wall-clock times, so they follow the member's time zone and DST. By default
they run from 30 minutes before bedtime until wake-up (22:30–07:00 for the default routine), so
they move with a member who goes to bed late; a member can also choose fixed hours or none.

Slots are still generated inside quiet hours: the dispatcher records such a slot as QUIET instead
of sending it, so the record shows why nothing went out (as it does for PAUSED and MISSED).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from scheduler.slots import MINUTES_PER_DAY, minutes

QUIET_BEFORE_BEDTIME = timedelta(minutes=30)


@dataclass(frozen=True)
class QuietHours:
    """No nudges from `start` (inclusive) until `end` (exclusive), local time; may span midnight.

    `start == end` means no quiet hours at all.
    """

    start: time
    end: time

    @property
    def is_off(self) -> bool:
        return self.start == self.end


def derived_quiet_hours(*, bedtime: time, wake: time) -> QuietHours:
    """The default quiet hours: from half an hour before bedtime until wake-up."""
    start = (minutes(bedtime) - QUIET_BEFORE_BEDTIME.seconds // 60) % MINUTES_PER_DAY
    return QuietHours(time(start // 60, start % 60), wake)


def quiet_hours_for(*, bedtime: time, wake: time, start: time | None, end: time | None) -> QuietHours:
    """A member's quiet hours: the chosen ones, or derived from bedtime and wake-up when unset."""
    if start is None or end is None:
        return derived_quiet_hours(bedtime=bedtime, wake=wake)
    return QuietHours(start, end)


def is_quiet_time(local: time, quiet: QuietHours) -> bool:
    """Whether a local wall-clock time falls inside the quiet hours."""
    if quiet.is_off:
        return False
    start, end, now = minutes(quiet.start), minutes(quiet.end), minutes(local)
    if start < end:
        return start <= now < end
    return now >= start or now < end


def is_quiet_at(instant: datetime, zone: ZoneInfo, quiet: QuietHours) -> bool:
    """Whether an aware instant falls inside the quiet hours in the member's time zone."""
    if instant.tzinfo is None:
        raise ValueError("is_quiet_at needs an aware datetime")
    return is_quiet_time(instant.astimezone(zone).time(), quiet)
