"""Streaks: pure functions over what a member did on each of their routine days.

A day is the member's routine day (it turns over in the middle of their night, see
`scheduler.slots.routine_day`), and check-ins carry the day they were recorded for. So a DST night
or a change of time zone can neither split a day in two nor make one disappear: days are dates,
counted one by one, whatever their length in hours.

Per habit and day the outcome is one of `DayOutcome`. A done day adds one to the streak; a skipped
or paused day keeps it (adds nothing, breaks nothing); a day with no answer breaks it. Today, while
it is not done yet, is still open and breaks nothing; neither do the days before the member joined,
nor the day they joined unless it was done.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from scheduler.slots import (
    BREATHING,
    MEALS,
    SLEEP_MORNING,
    SLEEP_WIND_DOWN,
    DailyRoutine,
    routine_day_start,
)
from storage.kinds import CheckInStatus, Habit


class DayOutcome(StrEnum):
    DONE = "done"
    SKIPPED = "skipped"
    PAUSED = "paused"
    MISSED = "missed"
    OPEN = "open"  # today (or later), not done yet
    NOT_TRACKED = "not_tracked"  # the day the member joined, not done: only partly theirs
    BEFORE_JOINING = "before_joining"


class WalkRule(StrEnum):
    ONE = "one"  # at least one meal walk done
    ALL = "all"  # every meal walk done (a skipped meal is excused)


# What keeps a streak going without adding to it.
NEUTRAL = frozenset(
    {
        DayOutcome.SKIPPED,
        DayOutcome.PAUSED,
        DayOutcome.OPEN,
        DayOutcome.NOT_TRACKED,
        DayOutcome.BEFORE_JOINING,
    }
)


@dataclass(frozen=True)
class CheckInFact:
    """The part of a stored check-in that decides a day: what, which slot, how, how much."""

    habit: str
    slot: str | None
    status: str
    value: float | None


def _statuses(facts: Sequence[CheckInFact], slot: str) -> set[str]:
    return {fact.status for fact in facts if fact.slot == slot}


def _single(statuses: set[str]) -> CheckInStatus | None:
    if CheckInStatus.DONE in statuses:
        return CheckInStatus.DONE
    if CheckInStatus.SKIPPED in statuses:
        return CheckInStatus.SKIPPED
    return None


def habit_answer(
    habit: Habit, facts: Sequence[CheckInFact], *, water_goal: int, walk_rule: WalkRule
) -> CheckInStatus | None:
    """Whether one day's check-ins of a habit meet its daily target (done), excuse it (skipped), or neither.

    Water: the glass goal. Walk: one meal walk or all of them, as the member chose; for "all" a
    skipped meal is excused, and a day of only skipped meals is skipped. Breathing: once. Sleep:
    the evening wind-down or the morning answer.
    """
    own = [fact for fact in facts if fact.habit == habit]
    if habit is Habit.WATER:
        glasses = sum(fact.value or 0 for fact in own if fact.status == CheckInStatus.DONE)
        return CheckInStatus.DONE if glasses >= water_goal > 0 else None
    if habit is Habit.WALK:
        per_meal = [_single(_statuses(own, f"walk-{meal}")) for meal in MEALS]
        if walk_rule is WalkRule.ONE:
            return _single({status for status in per_meal if status is not None})
        if None in per_meal:
            return None
        return CheckInStatus.DONE if CheckInStatus.DONE in per_meal else CheckInStatus.SKIPPED
    if habit is Habit.BREATHING:
        return _single(_statuses(own, BREATHING))
    return _single(_statuses(own, SLEEP_WIND_DOWN) | _statuses(own, SLEEP_MORNING))


def day_outcome(
    answer: CheckInStatus | None, *, day: date, today: date, first_day: date, paused: bool
) -> DayOutcome:
    """One habit's outcome on one day; doing it wins over a pause, a pause over a skip."""
    if answer is CheckInStatus.DONE:
        return DayOutcome.DONE
    if day < first_day:
        return DayOutcome.BEFORE_JOINING
    if paused:
        return DayOutcome.PAUSED
    if answer is CheckInStatus.SKIPPED:
        return DayOutcome.SKIPPED
    if day >= today:
        return DayOutcome.OPEN
    # The day the member joined was only partly theirs: it counts when done, never against them.
    return DayOutcome.NOT_TRACKED if day == first_day else DayOutcome.MISSED


def current_streak(outcomes: Sequence[DayOutcome]) -> int:
    """Done days counted back from the newest day, until a missed day (oldest first in `outcomes`)."""
    streak = 0
    for outcome in reversed(outcomes):
        if outcome is DayOutcome.MISSED:
            break
        if outcome is DayOutcome.DONE:
            streak += 1
    return streak


def best_streak(outcomes: Sequence[DayOutcome]) -> int:
    """The longest run of done days with no missed day in between."""
    best = run = 0
    for outcome in outcomes:
        if outcome is DayOutcome.MISSED:
            run = 0
        elif outcome is DayOutcome.DONE:
            run += 1
            best = max(best, run)
    return best


def days_between(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def paused_days(
    pauses: Iterable[tuple[datetime, datetime | None]],
    routine: DailyRoutine,
    zone: ZoneInfo,
    days: Iterable[date],
) -> set[date]:
    """The routine days that a pause (start, end or None while it lasts) covers for any part."""
    periods = list(pauses)
    covered: set[date] = set()
    for day in days:
        start = routine_day_start(routine, zone, day)
        end = routine_day_start(routine, zone, day + timedelta(days=1))
        if any(p_start < end and (p_end is None or p_end > start) for p_start, p_end in periods):
            covered.add(day)
    return covered


def habit_outcomes(
    habit: Habit,
    facts_by_day: dict[date, list[CheckInFact]],
    *,
    days: Sequence[date],
    today: date,
    first_day: date,
    paused: set[date],
    water_goal: int,
    walk_rule: WalkRule,
) -> list[DayOutcome]:
    """The habit's outcome on each of `days`, in the same order."""
    return [
        day_outcome(
            habit_answer(habit, facts_by_day.get(day, []), water_goal=water_goal, walk_rule=walk_rule),
            day=day,
            today=today,
            first_day=first_day,
            paused=day in paused,
        )
        for day in days
    ]
