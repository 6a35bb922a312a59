"""Streaks over routine days: tables of tz-aware check-in instants, pauses, skips and zone changes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from habits.streaks import (
    CheckInFact,
    DayOutcome,
    WalkRule,
    best_streak,
    current_streak,
    day_outcome,
    days_between,
    habit_answer,
    habit_outcomes,
    paused_days,
)
from scheduler.slots import DailyRoutine, routine_day
from scheduler.weekly import next_weekly_report_after
from storage.kinds import CheckInStatus, Habit

AMS = ZoneInfo("Europe/Amsterdam")
NYC = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")
ROUTINE = DailyRoutine()  # wake 07:00, bed 23:00: days turn over at 03:00 local
DONE, SKIPPED = CheckInStatus.DONE, CheckInStatus.SKIPPED


def local(zone: ZoneInfo, *parts: int, fold: int = 0) -> datetime:
    return datetime(*parts, tzinfo=zone, fold=fold).astimezone(UTC)  # type: ignore[misc]


@dataclass(frozen=True)
class Event:
    """A check-in as it happens: when, in which time zone the member was, and what."""

    at: datetime
    zone: ZoneInfo
    habit: Habit
    slot: str | None
    status: CheckInStatus = DONE
    value: float | None = None


def breathing(at: datetime, zone: ZoneInfo = AMS, status: CheckInStatus = DONE) -> Event:
    return Event(at, zone, Habit.BREATHING, "breathing", status)


def glasses(at: datetime, count: int, zone: ZoneInfo = AMS) -> Event:
    return Event(at, zone, Habit.WATER, None, DONE, float(count))


@dataclass(frozen=True)
class Scenario:
    events: list[Event]
    now: datetime
    now_zone: ZoneInfo = AMS
    joined: date = date(2026, 11, 1)
    pauses: list[tuple[datetime, datetime | None]] = field(default_factory=list)
    habit: Habit = Habit.BREATHING


def outcomes_of(scenario: Scenario) -> dict[date, DayOutcome]:
    facts: dict[date, list[CheckInFact]] = defaultdict(list)
    for event in scenario.events:
        day = routine_day(ROUTINE, event.zone, event.at)
        facts[day].append(CheckInFact(event.habit, event.slot, event.status, event.value))
    today = routine_day(ROUTINE, scenario.now_zone, scenario.now)
    days = list(days_between(min([scenario.joined, *facts]), max([today, *facts])))
    paused = paused_days(scenario.pauses, ROUTINE, scenario.now_zone, days)
    outcomes = habit_outcomes(
        scenario.habit,
        facts,
        days=days,
        today=today,
        first_day=scenario.joined,
        paused=paused,
        water_goal=8,
        walk_rule=WalkRule.ONE,
    )
    return dict(zip(days, outcomes, strict=True))


def streaks(scenario: Scenario) -> tuple[int, int]:
    outcomes = list(outcomes_of(scenario).values())
    return current_streak(outcomes), best_streak(outcomes)


# Monday 16 November 2026 ... ; the member joined on Sunday 15 November.
JOINED = date(2026, 11, 15)


def at_four(day: int, zone: ZoneInfo = AMS) -> datetime:
    return local(zone, 2026, 11, day, 16, 0)


SCENARIOS = {
    "three days in a row": Scenario(
        [breathing(at_four(16)), breathing(at_four(17)), breathing(at_four(18))],
        now=local(AMS, 2026, 11, 19, 9, 0),
        joined=JOINED,
    ),
    "a skipped day keeps the streak, adds nothing": Scenario(
        [breathing(at_four(16)), breathing(at_four(17), status=SKIPPED), breathing(at_four(18))],
        now=local(AMS, 2026, 11, 19, 9, 0),
        joined=JOINED,
    ),
    "a paused day keeps the streak": Scenario(
        [breathing(at_four(16)), breathing(at_four(18))],
        now=local(AMS, 2026, 11, 19, 9, 0),
        joined=JOINED,
        pauses=[(local(AMS, 2026, 11, 17, 10, 0), local(AMS, 2026, 11, 18, 2, 0))],
    ),
    "a pause still running keeps the streak": Scenario(
        [breathing(at_four(16)), breathing(at_four(17))],
        now=local(AMS, 2026, 11, 21, 9, 0),
        joined=JOINED,
        pauses=[(local(AMS, 2026, 11, 18, 8, 0), None)],
    ),
    "a missed day breaks it": Scenario(
        [breathing(at_four(16)), breathing(at_four(18)), breathing(at_four(19))],
        now=local(AMS, 2026, 11, 20, 9, 0),
        joined=JOINED,
    ),
    "today not done yet breaks nothing": Scenario(
        [breathing(at_four(16)), breathing(at_four(17))],
        now=local(AMS, 2026, 11, 18, 22, 0),
        joined=JOINED,
    ),
    "yesterday not done breaks it": Scenario(
        [breathing(at_four(16)), breathing(at_four(17))],
        now=local(AMS, 2026, 11, 19, 9, 0),
        joined=JOINED,
    ),
    "the day of joining counts when done": Scenario(
        [breathing(at_four(15)), breathing(at_four(16)), breathing(at_four(17))],
        now=local(AMS, 2026, 11, 17, 20, 0),
        joined=JOINED,
    ),
    "a check-in at 00:15 counts for the evening before": Scenario(
        [breathing(at_four(16)), breathing(local(AMS, 2026, 11, 18, 0, 15)), breathing(at_four(18))],
        now=local(AMS, 2026, 11, 19, 9, 0),
        joined=JOINED,
    ),
    "water goal reached at 00:20 counts for the evening before": Scenario(
        [
            glasses(local(AMS, 2026, 11, 16, 9, 0), 8),
            glasses(local(AMS, 2026, 11, 17, 12, 0), 7),
            glasses(local(AMS, 2026, 11, 18, 0, 20), 1),
            glasses(local(AMS, 2026, 11, 18, 13, 0), 8),
        ],
        now=local(AMS, 2026, 11, 19, 9, 0),
        joined=JOINED,
        habit=Habit.WATER,
    ),
    "water one glass short is a missed day": Scenario(
        [
            glasses(local(AMS, 2026, 11, 16, 9, 0), 8),
            glasses(local(AMS, 2026, 11, 17, 12, 0), 7),
            glasses(local(AMS, 2026, 11, 18, 13, 0), 8),
        ],
        now=local(AMS, 2026, 11, 19, 9, 0),
        joined=JOINED,
        habit=Habit.WATER,
    ),
    # Sunday 25 October 2026: 03:00 CEST becomes 02:00 CET, the night has 25 hours.
    "fall-back night: a glass at the second 02:30 counts for Saturday, no day doubled": Scenario(
        [
            glasses(local(AMS, 2026, 10, 24, 12, 0), 7),
            glasses(local(AMS, 2026, 10, 25, 2, 30, fold=1), 1),
            glasses(local(AMS, 2026, 10, 25, 12, 0), 8),
            glasses(local(AMS, 2026, 10, 26, 12, 0), 8),
        ],
        now=local(AMS, 2026, 10, 27, 9, 0),
        joined=date(2026, 10, 23),
        habit=Habit.WATER,
    ),
    # Sunday 29 March 2026: 02:00 CET becomes 03:00 CEST, the night has 23 hours.
    "spring-forward night: no day lost": Scenario(
        [
            breathing(local(AMS, 2026, 3, 28, 16, 0)),
            breathing(local(AMS, 2026, 3, 29, 3, 30)),
            breathing(local(AMS, 2026, 3, 29, 16, 0)),
            breathing(local(AMS, 2026, 3, 30, 16, 0)),
        ],
        now=local(AMS, 2026, 3, 31, 9, 0),
        joined=date(2026, 3, 27),
    ),
    "flying west: Amsterdam to New York, no day doubled or lost": Scenario(
        [
            breathing(at_four(16)),
            breathing(at_four(17)),
            breathing(local(NYC, 2026, 11, 18, 21, 0), NYC),
            breathing(at_four(19, NYC), NYC),
        ],
        now=local(NYC, 2026, 11, 20, 9, 0),
        now_zone=NYC,
        joined=JOINED,
    ),
    "flying east: Amsterdam to Tokyo, no day lost": Scenario(
        [
            breathing(at_four(16)),
            breathing(local(AMS, 2026, 11, 17, 21, 0)),
            breathing(local(TOKYO, 2026, 11, 18, 20, 0), TOKYO),
            breathing(at_four(19, TOKYO), TOKYO),
        ],
        now=local(TOKYO, 2026, 11, 20, 9, 0),
        now_zone=TOKYO,
        joined=JOINED,
    ),
    "Tokyo morning then New York the same date: one day, counted once": Scenario(
        [
            breathing(local(TOKYO, 2026, 11, 16, 16, 0), TOKYO),
            breathing(local(TOKYO, 2026, 11, 17, 10, 0), TOKYO),
            breathing(local(NYC, 2026, 11, 17, 18, 0), NYC),
            breathing(at_four(18, NYC), NYC),
        ],
        now=local(NYC, 2026, 11, 19, 9, 0),
        now_zone=NYC,
        joined=JOINED,
    ),
}

EXPECTED = {
    "three days in a row": (3, 3),
    "a skipped day keeps the streak, adds nothing": (2, 2),
    "a paused day keeps the streak": (2, 2),
    "a pause still running keeps the streak": (2, 2),
    "a missed day breaks it": (2, 2),
    "today not done yet breaks nothing": (2, 2),
    "yesterday not done breaks it": (0, 2),
    "the day of joining counts when done": (3, 3),
    "a check-in at 00:15 counts for the evening before": (3, 3),
    "water goal reached at 00:20 counts for the evening before": (3, 3),
    "water one glass short is a missed day": (1, 1),
    "fall-back night: a glass at the second 02:30 counts for Saturday, no day doubled": (3, 3),
    "spring-forward night: no day lost": (3, 3),
    "flying west: Amsterdam to New York, no day doubled or lost": (4, 4),
    "flying east: Amsterdam to Tokyo, no day lost": (4, 4),
    "Tokyo morning then New York the same date: one day, counted once": (3, 3),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_streak_scenarios(name: str) -> None:
    assert streaks(SCENARIOS[name]) == EXPECTED[name]


def test_the_day_sequence_around_a_pause_and_a_skip() -> None:
    scenario = Scenario(
        [breathing(at_four(16)), breathing(at_four(17), status=SKIPPED), breathing(at_four(20))],
        now=local(AMS, 2026, 11, 21, 9, 0),
        joined=JOINED,
        pauses=[(local(AMS, 2026, 11, 18, 12, 0), local(AMS, 2026, 11, 20, 8, 0))],
    )
    outcomes = outcomes_of(scenario)
    assert [outcomes[date(2026, 11, day)] for day in range(15, 22)] == [
        DayOutcome.NOT_TRACKED,
        DayOutcome.DONE,
        DayOutcome.SKIPPED,
        DayOutcome.PAUSED,
        DayOutcome.PAUSED,
        DayOutcome.DONE,
        DayOutcome.OPEN,
    ]


def test_check_in_just_after_midnight_lands_on_the_right_routine_day() -> None:
    assert routine_day(ROUTINE, AMS, local(AMS, 2026, 11, 18, 0, 15)) == date(2026, 11, 17)
    assert routine_day(ROUTINE, AMS, local(AMS, 2026, 11, 18, 2, 59)) == date(2026, 11, 17)
    assert routine_day(ROUTINE, AMS, local(AMS, 2026, 11, 18, 3, 0)) == date(2026, 11, 18)
    # The second 02:30 of the fall-back night is still Saturday's.
    assert routine_day(ROUTINE, AMS, local(AMS, 2026, 10, 25, 2, 30, fold=1)) == date(2026, 10, 24)


D, S, P, M, OP, N = (
    DayOutcome.DONE,
    DayOutcome.SKIPPED,
    DayOutcome.PAUSED,
    DayOutcome.MISSED,
    DayOutcome.OPEN,
    DayOutcome.NOT_TRACKED,
)


@pytest.mark.parametrize(
    ("outcomes", "current", "best"),
    [
        ([], 0, 0),
        ([N, N, OP], 0, 0),
        ([D, D, D], 3, 3),
        ([D, D, M, D], 1, 2),
        ([D, S, P, D, OP], 2, 2),
        ([D, D, D, M, D, S, D, M], 0, 3),
        ([M, M, D, P, P, P, D, OP], 2, 2),
        ([N, D, D, D, M, D, D, D, D], 4, 4),
    ],
)
def test_current_and_best_streak(outcomes: list[DayOutcome], current: int, best: int) -> None:
    assert current_streak(outcomes) == current
    assert best_streak(outcomes) == best


def fact(slot: str, status: CheckInStatus = DONE, value: float | None = None) -> CheckInFact:
    habit = "walk" if slot.startswith("walk") else "sleep" if slot.startswith("sleep") else slot
    return CheckInFact(habit, slot, status, value)


@pytest.mark.parametrize(
    ("habit", "facts", "rule", "answer"),
    [
        (Habit.WALK, [fact("walk-lunch")], WalkRule.ONE, DONE),
        (Habit.WALK, [fact("walk-lunch")], WalkRule.ALL, None),
        (Habit.WALK, [fact("walk-breakfast"), fact("walk-lunch"), fact("walk-dinner")], WalkRule.ALL, DONE),
        (
            Habit.WALK,
            [fact("walk-breakfast"), fact("walk-lunch", SKIPPED), fact("walk-dinner")],
            WalkRule.ALL,
            DONE,
        ),
        (
            Habit.WALK,
            [fact(f"walk-{m}", SKIPPED) for m in ("breakfast", "lunch", "dinner")],
            WalkRule.ALL,
            SKIPPED,
        ),
        (Habit.WALK, [fact("walk-lunch", SKIPPED)], WalkRule.ONE, SKIPPED),
        (Habit.WALK, [fact("walk-lunch", SKIPPED), fact("walk-dinner")], WalkRule.ONE, DONE),
        (Habit.WALK, [], WalkRule.ONE, None),
        (Habit.BREATHING, [fact("breathing")], WalkRule.ONE, DONE),
        (Habit.BREATHING, [fact("breathing", SKIPPED)], WalkRule.ONE, SKIPPED),
        (Habit.SLEEP, [fact("sleep-winddown")], WalkRule.ONE, DONE),
        (Habit.SLEEP, [fact("sleep-morning", value=7.5)], WalkRule.ONE, DONE),
        (Habit.SLEEP, [fact("sleep-winddown", SKIPPED), fact("sleep-morning", value=6)], WalkRule.ONE, DONE),
        (Habit.SLEEP, [fact("sleep-winddown", SKIPPED)], WalkRule.ONE, SKIPPED),
        (Habit.WATER, [CheckInFact("water", None, DONE, 8)], WalkRule.ONE, DONE),
        (
            Habit.WATER,
            [CheckInFact("water", None, DONE, 5), CheckInFact("water", None, DONE, 2)],
            WalkRule.ONE,
            None,
        ),
        # Another habit's check-ins never count.
        (Habit.BREATHING, [fact("walk-lunch"), fact("sleep-winddown")], WalkRule.ONE, None),
    ],
)
def test_what_meets_a_habits_daily_target(
    habit: Habit, facts: list[CheckInFact], rule: WalkRule, answer: CheckInStatus | None
) -> None:
    assert habit_answer(habit, facts, water_goal=8, walk_rule=rule) == answer


def test_doing_the_habit_on_a_paused_day_still_counts() -> None:
    assert (
        day_outcome(
            DONE, day=date(2026, 11, 17), today=date(2026, 11, 20), first_day=date(2026, 11, 1), paused=True
        )
        is DayOutcome.DONE
    )


@pytest.mark.parametrize(
    ("pause", "covered"),
    [
        # Amsterdam routine days run 03:00 to 03:00.
        ((local(AMS, 2026, 11, 17, 10, 0), local(AMS, 2026, 11, 17, 12, 0)), {17}),
        ((local(AMS, 2026, 11, 17, 2, 0), local(AMS, 2026, 11, 17, 2, 30)), {16}),
        ((local(AMS, 2026, 11, 17, 2, 0), local(AMS, 2026, 11, 17, 3, 30)), {16, 17}),
        ((local(AMS, 2026, 11, 16, 20, 0), local(AMS, 2026, 11, 19, 3, 0)), {16, 17, 18}),
        ((local(AMS, 2026, 11, 18, 20, 0), None), {18, 19, 20}),
        ((local(AMS, 2026, 11, 10, 8, 0), local(AMS, 2026, 11, 12, 8, 0)), set()),
    ],
)
def test_paused_days(pause: tuple[datetime, datetime | None], covered: set[int]) -> None:
    days = list(days_between(date(2026, 11, 14), date(2026, 11, 20)))
    assert paused_days([pause], ROUTINE, AMS, days) == {date(2026, 11, d) for d in covered}


SUNDAY_19 = {"weekday": 6, "at": time(19, 0)}


@pytest.mark.parametrize(
    ("after", "zone", "when", "expected"),
    [
        # Monday -> the coming Sunday 19:00 (CET, UTC+1).
        (local(AMS, 2026, 11, 23, 7, 5), AMS, SUNDAY_19, local(AMS, 2026, 11, 29, 19, 0)),
        # Sunday before 19:00 -> the same evening.
        (local(AMS, 2026, 11, 29, 18, 59), AMS, SUNDAY_19, local(AMS, 2026, 11, 29, 19, 0)),
        # Exactly at the time -> next week (strictly after).
        (local(AMS, 2026, 11, 29, 19, 0), AMS, SUNDAY_19, local(AMS, 2026, 12, 6, 19, 0)),
        # Across the fall-back switch the wall-clock time stays 19:00 (CEST then CET).
        (local(AMS, 2026, 10, 18, 19, 0), AMS, SUNDAY_19, local(AMS, 2026, 10, 25, 19, 0)),
        (local(AMS, 2026, 10, 18, 19, 0), AMS, SUNDAY_19, datetime(2026, 10, 25, 18, 0, tzinfo=UTC)),
        # 02:30 on the spring-forward Sunday does not exist: it comes just after the gap.
        (
            local(AMS, 2026, 3, 28, 12, 0),
            AMS,
            {"weekday": 6, "at": time(2, 30)},
            datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
        ),
        # 02:30 on the fall-back Sunday exists twice: the first one.
        (
            local(AMS, 2026, 10, 24, 12, 0),
            AMS,
            {"weekday": 6, "at": time(2, 30)},
            datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        ),
        # Another zone, another weekday: Wednesday 08:00 in New York.
        (
            datetime(2026, 11, 25, 12, 0, tzinfo=UTC),
            NYC,
            {"weekday": 2, "at": time(8, 0)},
            datetime(2026, 11, 25, 13, 0, tzinfo=UTC),
        ),
        (
            datetime(2026, 11, 25, 13, 0, tzinfo=UTC),
            NYC,
            {"weekday": 2, "at": time(8, 0)},
            datetime(2026, 12, 2, 13, 0, tzinfo=UTC),
        ),
    ],
)
def test_next_weekly_report(
    after: datetime, zone: ZoneInfo, when: dict[str, object], expected: datetime
) -> None:
    due = next_weekly_report_after(after, zone, **when)  # type: ignore[arg-type]
    assert due == expected
    assert due > after
    assert due - after <= timedelta(days=7, hours=1)  # a week with a fall-back night


def test_weekly_report_weekday_is_checked() -> None:
    with pytest.raises(ValueError, match="weekday"):
        next_weekly_report_after(datetime(2026, 11, 25, tzinfo=UTC), AMS, weekday=7, at=time(19))
