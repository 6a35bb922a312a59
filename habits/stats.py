"""What /stats and the weekly picture show: streaks, this week's days done, water and sleep."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session

from habits.streaks import (
    CheckInFact,
    DayOutcome,
    WalkRule,
    best_streak,
    current_streak,
    days_between,
    habit_outcomes,
    paused_days,
)
from scheduler.routines import routine_of, zone_of
from scheduler.slots import SLEEP_MORNING, routine_day
from storage import queries
from storage.kinds import CheckInStatus, Habit
from storage.models import Member

DAYS_PER_WEEK = 7


@dataclass(frozen=True)
class History:
    """Every routine day of a member from the day they joined, with each habit's outcome."""

    today: date
    days: list[date]
    outcomes: dict[Habit, list[DayOutcome]]
    water_glasses: dict[date, int]
    sleep_hours: dict[date, float]
    water_goal: int
    first_day: date
    # The days a pause covered for any part.
    paused: frozenset[date] = frozenset()

    def window(self, first: date, last: date) -> list[date]:
        return list(days_between(first, last))

    def outcomes_on(self, habit: Habit, days: list[date]) -> list[DayOutcome]:
        by_day = dict(zip(self.days, self.outcomes[habit], strict=True))
        start = self.days[0] if self.days else self.today
        return [
            by_day.get(day, DayOutcome.BEFORE_JOINING if day < start else DayOutcome.OPEN) for day in days
        ]


@dataclass(frozen=True)
class HabitStats:
    habit: Habit
    current: int
    best: int
    week_done: int


@dataclass(frozen=True)
class MemberStats:
    week_start: date
    habits: list[HabitStats]
    water_glasses_week: int
    sleep_hours_average: float | None
    sleep_nights: int


@dataclass(frozen=True)
class WeekPicture:
    """The 7 routine days ending on `days[-1]`, per habit that is switched on."""

    days: list[date]
    outcomes: dict[Habit, list[DayOutcome]]
    water_glasses: list[int]
    water_goal: int
    # Hours slept in the night before each day (the morning answer), None when not answered.
    sleep_hours: list[float | None]
    # Per day: whether a pause covered it for any part.
    paused: list[bool] = field(default_factory=list)
    # The day the member joined; the days before it were not theirs yet.
    first_day: date | None = None

    def before_joining(self, day: date) -> bool:
        return self.first_day is not None and day < self.first_day

    @property
    def paused_throughout(self) -> bool:
        """Every day of the week that was the member's was paused (for any part)."""
        paused_days = self.paused or [False] * len(self.days)
        theirs = [
            paused for day, paused in zip(self.days, paused_days, strict=True) if not self.before_joining(day)
        ]
        return bool(theirs) and all(theirs)

    @property
    def done_days(self) -> int:
        return sum(outcome is DayOutcome.DONE for row in self.outcomes.values() for outcome in row)

    @property
    def counted_days(self) -> int:
        """Habit-days that could count: done, skipped or missed (not paused, open or before joining)."""
        counted = {DayOutcome.DONE, DayOutcome.SKIPPED, DayOutcome.MISSED}
        return sum(outcome in counted for row in self.outcomes.values() for outcome in row)


def walk_rule_of(member: Member) -> WalkRule:
    try:
        return WalkRule(member.walk_streak_rule)
    except ValueError:
        return WalkRule.ONE


def load_history(*, session: Session, member: Member, now: datetime) -> History:
    """Read the member's check-ins and pauses and work out every day's outcome per habit."""
    assert member.id is not None
    routine, zone = routine_of(member), zone_of(member)
    today = routine_day(routine, zone, now)
    joined = routine_day(routine, zone, member.created_at)
    facts_by_day: dict[date, list[CheckInFact]] = defaultdict(list)
    water: dict[date, int] = defaultdict(int)
    sleep: dict[date, float] = {}
    for checkin in queries.checkins_of_member(session=session, member_id=member.id):
        facts_by_day[checkin.local_date].append(
            CheckInFact(checkin.habit, checkin.slot, checkin.status, checkin.value)
        )
        if checkin.habit == Habit.WATER and checkin.status == CheckInStatus.DONE:
            water[checkin.local_date] += int(checkin.value or 0)
        if checkin.slot == SLEEP_MORNING and checkin.value is not None:
            sleep[checkin.local_date] = checkin.value
    # After a move westwards a check-in can be dated a day past today in the new zone.
    days = list(days_between(min([joined, *facts_by_day]), max([today, *facts_by_day])))
    pauses = [
        (pause.starts_at, pause.ends_at)
        for pause in queries.pauses_of_member(session=session, member_id=member.id)
    ]
    paused = paused_days(pauses, routine, zone, days)
    outcomes = {
        habit: habit_outcomes(
            habit,
            facts_by_day,
            days=days,
            today=today,
            first_day=joined,
            paused=paused,
            water_goal=member.water_goal,
            walk_rule=walk_rule_of(member),
        )
        for habit in Habit
    }
    return History(
        today=today,
        days=days,
        outcomes=outcomes,
        water_glasses=dict(water),
        sleep_hours=sleep,
        water_goal=member.water_goal,
        first_day=joined,
        paused=frozenset(paused),
    )


def member_stats(*, session: Session, member: Member, now: datetime) -> MemberStats:
    """Current and best streak per switched-on habit, and this week's (Monday to Sunday) figures."""
    history = load_history(session=session, member=member, now=now)
    week_start = history.today - timedelta(days=history.today.weekday())
    week = history.window(week_start, week_start + timedelta(days=DAYS_PER_WEEK - 1))
    habits = []
    for habit in sorted(routine_of(member).habits, key=list(Habit).index):
        outcomes = history.outcomes[habit]
        habits.append(
            HabitStats(
                habit=habit,
                current=current_streak(outcomes),
                best=best_streak(outcomes),
                week_done=sum(o is DayOutcome.DONE for o in history.outcomes_on(habit, week)),
            )
        )
    nights = [history.sleep_hours[day] for day in week if day in history.sleep_hours]
    return MemberStats(
        week_start=week_start,
        habits=habits,
        water_glasses_week=sum(history.water_glasses.get(day, 0) for day in week),
        sleep_hours_average=sum(nights) / len(nights) if nights else None,
        sleep_nights=len(nights),
    )


def week_picture(
    *, session: Session, member: Member, now: datetime, last_day: date | None = None
) -> WeekPicture:
    """The past 7 routine days (ending today, or on `last_day`) for the weekly picture."""
    history = load_history(session=session, member=member, now=now)
    end = last_day or history.today
    days = history.window(end - timedelta(days=DAYS_PER_WEEK - 1), end)
    habits = sorted(routine_of(member).habits, key=list(Habit).index)
    return WeekPicture(
        days=days,
        outcomes={habit: history.outcomes_on(habit, days) for habit in habits},
        water_glasses=[history.water_glasses.get(day, 0) for day in days],
        water_goal=history.water_goal,
        sleep_hours=[history.sleep_hours.get(day) for day in days],
        paused=[day in history.paused for day in days],
        first_day=history.first_day,
    )
