"""The stored routines, counted: how many active members share each routine (the forecast of when
nudges fall due, scheduler/release_plan.py), and the day's paid broadcasts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from storage.models import Member, Nudge

ROUTINE_COLUMNS = (
    Member.timezone,
    Member.wake_time,
    Member.breakfast_time,
    Member.lunch_time,
    Member.dinner_time,
    Member.bedtime,
    Member.breathing_time,
    Member.water_interval_minutes,
    Member.water_on,
    Member.walk_on,
    Member.breathing_on,
    Member.sleep_on,
    Member.muted_slots,
    Member.quiet_start,
    Member.quiet_end,
)


@dataclass(frozen=True)
class RoutineGroup:
    """Active members who share one routine and zone, and how many they are."""

    timezone: str
    wake_time: time
    breakfast_time: time
    lunch_time: time
    dinner_time: time
    bedtime: time
    breathing_time: time
    water_interval_minutes: int
    water_on: bool
    walk_on: bool
    breathing_on: bool
    sleep_on: bool
    muted_slots: str
    quiet_start: time | None
    quiet_end: time | None
    members: int


def routine_groups(*, session: Session) -> list[RoutineGroup]:
    """Every routine of the active members, with how many share it (one statement, grouped)."""
    columns = [col(column) for column in ROUTINE_COLUMNS]
    statement = select(*columns, func.count()).where(col(Member.active).is_(True)).group_by(*columns)
    rows: list[tuple[Any, ...]] = [tuple(row) for row in session.connection().execute(statement)]
    return [RoutineGroup(*row) for row in rows]


def paid_broadcasts_since(*, session: Session, since: datetime) -> int:
    """How many nudges went out as paid broadcasts since `since`."""
    statement = (
        select(func.count()).select_from(Nudge).where(col(Nudge.paid).is_(True), col(Nudge.sent_at) >= since)
    )
    return int(session.connection().execute(statement).scalar_one())


def members_due_by_deadline(*, session: Session, now: datetime, deadline: datetime) -> int:
    """Active members with a slot open by `now` whose window closes by `deadline`, not yet claimed."""
    statement = (
        select(func.count())
        .select_from(Member)
        .where(
            col(Member.active).is_(True),
            col(Member.next_due_at) <= now,
            col(Member.next_deadline_at) <= deadline,
        )
    )
    return int(session.connection().execute(statement).scalar_one())
