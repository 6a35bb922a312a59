"""Today's checklist: what a member has done for each habit on their current routine day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from scheduler.routines import routine_of, zone_of
from scheduler.slots import BREATHING, MEALS, SLEEP_MORNING, SLEEP_WIND_DOWN, routine_day
from storage import queries
from storage.kinds import CheckInStatus, Habit
from storage.models import Member


@dataclass(frozen=True)
class DayProgress:
    day: date
    habits: frozenset[Habit]
    water_glasses: int
    water_goal: int
    # Per meal ("breakfast", ...): done, skipped or None when not answered yet.
    walks: dict[str, CheckInStatus | None]
    breathing: CheckInStatus | None
    wind_down: CheckInStatus | None
    sleep_hours: float | None


def today_progress(*, session: Session, member: Member, now: datetime) -> DayProgress:
    routine = routine_of(member)
    day = routine_day(routine, zone_of(member), now)
    assert member.id is not None
    checkins = queries.checkins_on(session=session, member_id=member.id, day=day)
    latest: dict[str, CheckInStatus] = {}
    sleep_hours: float | None = None
    for checkin in checkins:
        if checkin.slot is not None:
            latest[checkin.slot] = CheckInStatus(checkin.status)
        if checkin.slot == SLEEP_MORNING and checkin.value is not None:
            sleep_hours = checkin.value
    return DayProgress(
        day=day,
        habits=routine.habits,
        water_glasses=int(sum(c.value or 0 for c in checkins if c.habit == Habit.WATER)),
        water_goal=member.water_goal,
        walks={meal: latest.get(f"walk-{meal}") for meal in MEALS},
        breathing=latest.get(BREATHING),
        wind_down=latest.get(SLEEP_WIND_DOWN),
        sleep_hours=sleep_hours,
    )
