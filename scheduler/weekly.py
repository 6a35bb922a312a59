"""When a member's weekly picture is due: a local weekday and wall-clock time, DST-proof.

Like the daily slots, the local time is turned into a UTC instant with `zoneinfo` for each week on
its own, so a DST switch never moves the picture by an hour: a time inside the spring-forward gap
comes just after the gap, a time that occurs twice comes the first time.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from scheduler.slots import local_to_utc, minutes


def next_weekly_report_after(after: datetime, zone: ZoneInfo, *, weekday: int, at: time) -> datetime:
    """The first instant strictly after `after` that is `weekday` (Monday 0) at `at`, local time."""
    if not 0 <= weekday <= 6:
        raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), not {weekday}")
    local_day = after.astimezone(zone).date() - timedelta(days=1)
    while True:
        if local_day.weekday() == weekday:
            due = local_to_utc(local_day, minutes(at), zone)
            if due > after:
                return due
        local_day += timedelta(days=1)
