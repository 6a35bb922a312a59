"""Pure, timezone-aware arithmetic for a member's daily nudge slots.

A member's routine is a set of local wall-clock times (wake-up, meals, bedtime, ...). Each routine
day D yields slots at fixed offsets from D's local midnight; offsets past 24 h belong to D too, so a
bedtime of 00:30 puts the wind-down at 23:45 on D and its water slots run until 23:30 on D.

Local times are turned into UTC instants with `zoneinfo`, never with fixed offsets or interval
arithmetic on aware datetimes, so daylight saving time cannot shift a nudge:
- a local time that does not exist (the spring-forward gap) fires once, moved forward by the gap
  (02:30 becomes 03:30 in Europe/Amsterdam);
- a local time that exists twice (the fall-back night) fires once, at its first occurrence.
Each slot has a stable identity (routine day, key), which the database keeps unique.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from storage.kinds import Habit
from storage.models import (
    DEFAULT_BEDTIME,
    DEFAULT_BREAKFAST_TIME,
    DEFAULT_BREATHING_TIME,
    DEFAULT_DINNER_TIME,
    DEFAULT_LUNCH_TIME,
    DEFAULT_WAKE_TIME,
    DEFAULT_WATER_INTERVAL_MINUTES,
)

MINUTES_PER_DAY = 24 * 60
WALK_AFTER_MEAL = timedelta(minutes=15)
WIND_DOWN_BEFORE_BED = timedelta(minutes=45)
WATER_STOPS_BEFORE_BED = timedelta(hours=1)
MORNING_QUESTION_AFTER_WAKE = timedelta(minutes=15)
# Slots further back than this are not even recorded as missed after a long outage.
LONGEST_CATCH_UP = timedelta(days=1)

MEALS = ("breakfast", "lunch", "dinner")
SLEEP_WIND_DOWN = "sleep-winddown"
SLEEP_MORNING = "sleep-morning"
BREATHING = "breathing"


@dataclass(frozen=True)
class DailyRoutine:
    """A member's local times and which habits they want nudges for."""

    wake: time = DEFAULT_WAKE_TIME
    breakfast: time = DEFAULT_BREAKFAST_TIME
    lunch: time = DEFAULT_LUNCH_TIME
    dinner: time = DEFAULT_DINNER_TIME
    bedtime: time = DEFAULT_BEDTIME
    breathing: time = DEFAULT_BREATHING_TIME
    water_every_minutes: int = DEFAULT_WATER_INTERVAL_MINUTES
    habits: frozenset[Habit] = field(default_factory=lambda: frozenset(Habit))
    # Slot keys the member wants no nudge for, though their habit is on ("walk-breakfast").
    muted: frozenset[str] = frozenset()


@dataclass(frozen=True, order=True)
class Slot:
    """One nudge occurrence: due at a UTC instant, identified by (habit, routine day, key)."""

    due_at: datetime
    habit: Habit
    local_date: date
    key: str


def minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _wake_minutes(routine: DailyRoutine) -> int:
    return minutes(routine.wake)


def _after_wake(routine: DailyRoutine, t: time) -> int:
    """Minutes from D's midnight, counting times before wake-up as belonging to the next night."""
    value = minutes(t)
    return value + MINUTES_PER_DAY if value < _wake_minutes(routine) else value


def _bedtime_minutes(routine: DailyRoutine) -> int:
    value = minutes(routine.bedtime)
    return value + MINUTES_PER_DAY if value <= _wake_minutes(routine) else value


def water_slot_offsets(routine: DailyRoutine) -> list[int]:
    """Minutes from D's midnight of each water nudge: every interval from wake-up until 1 h before bed."""
    step = max(routine.water_every_minutes, 30)
    last = _bedtime_minutes(routine) - WATER_STOPS_BEFORE_BED.seconds // 60
    return list(range(_wake_minutes(routine), last + 1, step))


def water_slot_key(offset_minutes: int) -> str:
    """ "water-0900": named by its local time, not its place in the day, so a changed interval or
    wake-up time neither reuses the key of a glass already nudged nor skips a new one. Times after
    midnight count on ("water-2430" is 00:30 in the night that ends routine day D).
    """
    return f"water-{offset_minutes // 60:02d}{offset_minutes % 60:02d}"


def slot_offsets(routine: DailyRoutine) -> list[tuple[Habit, str, int]]:
    """Every slot of a routine day as (habit, key, minutes from D's local midnight), but for the
    muted ones."""
    offsets: list[tuple[Habit, str, int]] = []
    if Habit.WATER in routine.habits:
        for offset in water_slot_offsets(routine):
            offsets.append((Habit.WATER, water_slot_key(offset), offset))
    if Habit.WALK in routine.habits:
        walk_delay = WALK_AFTER_MEAL.seconds // 60
        for meal in MEALS:
            meal_time: time = getattr(routine, meal)
            offsets.append((Habit.WALK, f"walk-{meal}", _after_wake(routine, meal_time) + walk_delay))
    if Habit.BREATHING in routine.habits:
        offsets.append((Habit.BREATHING, BREATHING, _after_wake(routine, routine.breathing)))
    if Habit.SLEEP in routine.habits:
        wind_down = _bedtime_minutes(routine) - WIND_DOWN_BEFORE_BED.seconds // 60
        morning = _wake_minutes(routine) + MORNING_QUESTION_AFTER_WAKE.seconds // 60
        offsets.append((Habit.SLEEP, SLEEP_WIND_DOWN, wind_down))
        offsets.append((Habit.SLEEP, SLEEP_MORNING, morning))
    return [offset for offset in offsets if offset[1] not in routine.muted]


def local_to_utc(day: date, offset_minutes: int, zone: ZoneInfo) -> datetime:
    """The UTC instant of `offset_minutes` after local midnight of `day`, read as wall-clock time.

    fold=0 gives the first occurrence of an ambiguous time, and for a time inside a spring-forward
    gap the offset from before the gap, which lands the instant just after the gap.
    """
    wall = datetime.combine(day, time()) + timedelta(minutes=offset_minutes)
    return wall.replace(tzinfo=zone, fold=0).astimezone(UTC)


def slots_for_day(routine: DailyRoutine, zone: ZoneInfo, day: date) -> list[Slot]:
    """All slots of routine day `day`, in due order."""
    return list(_day_slots(routine, zone, day))


def day_slots(routine: DailyRoutine, zone: ZoneInfo, day: date) -> tuple[Slot, ...]:
    """All slots of routine day `day`, in due order, shared (cached): not to be changed."""
    return _day_slots(routine, zone, day)


@lru_cache(maxsize=16_384)
def _day_slots(routine: DailyRoutine, zone: ZoneInfo, day: date) -> tuple[Slot, ...]:
    # Cached because a dispatch tick asks for the same few routines (most members keep the
    # defaults) on the same days thousands of times; the answer depends on nothing else.
    return tuple(
        sorted(
            Slot(local_to_utc(day, offset, zone), habit, day, key)
            for habit, key, offset in slot_offsets(routine)
        )
    )


def _days_around(start: datetime, end: datetime, zone: ZoneInfo) -> Iterator[date]:
    # A routine day's slots reach up to ~2 days past its midnight, so start one day early.
    first = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date()
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def slots_due_between(routine: DailyRoutine, zone: ZoneInfo, after: datetime, until: datetime) -> list[Slot]:
    """Slots with `after < due_at <= until`, in due order; at most LONGEST_CATCH_UP back from `until`."""
    after = max(after, until - LONGEST_CATCH_UP)
    return [
        slot
        for day in _days_around(after, until, zone)
        for slot in _day_slots(routine, zone, day)
        if after < slot.due_at <= until
    ]


def next_due_after(routine: DailyRoutine, zone: ZoneInfo, after: datetime) -> datetime | None:
    """The first slot instant strictly after `after`, or None when no habit is switched on."""
    if not slot_offsets(routine):
        return None
    day = after.astimezone(zone).date() - timedelta(days=1)
    for _ in range(4):
        later = [slot.due_at for slot in _day_slots(routine, zone, day) if slot.due_at > after]
        if later:
            return min(later)
        day += timedelta(days=1)
    raise AssertionError("a routine with slots always has one within four days")


def routine_day(routine: DailyRoutine, zone: ZoneInfo, instant: datetime) -> date:
    """The routine day an instant belongs to: days turn over in the middle of the member's night.

    So a glass of water logged at 00:20 after a late evening still counts for the evening's day,
    and "7,5 uur" typed at 07:30 counts for the new day.
    """
    bed = _bedtime_minutes(routine)
    night_middle = (bed + _wake_minutes(routine) + MINUTES_PER_DAY) // 2 - MINUTES_PER_DAY
    local = instant.astimezone(zone).replace(tzinfo=None)
    return (local - timedelta(minutes=night_middle)).date()


def meal_slot_at(routine: DailyRoutine, zone: ZoneInfo, instant: datetime) -> str | None:
    """The walk slot a walk reported at `instant` belongs to: that of the latest meal of the routine
    day whose time has come, or None before the day's first meal (a walk then follows no meal)."""
    day = routine_day(routine, zone, instant)
    chosen = None
    for meal in MEALS:
        start = local_to_utc(day, _after_wake(routine, getattr(routine, meal)), zone)
        if start <= instant:
            chosen = meal
    return None if chosen is None else f"walk-{chosen}"


def routine_day_start(routine: DailyRoutine, zone: ZoneInfo, day: date) -> datetime:
    """The UTC instant routine day `day` begins: the middle of the night before it (see routine_day)."""
    bed = _bedtime_minutes(routine)
    night_middle = (bed + _wake_minutes(routine) + MINUTES_PER_DAY) // 2 - MINUTES_PER_DAY
    return local_to_utc(day, night_middle, zone)
