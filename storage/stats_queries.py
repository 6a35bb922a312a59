"""Plain query functions for the admins' statistics: nudges sent and answered, and members."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, exists, func, not_, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from storage.kinds import CheckInStatus
from storage.models import BACKED_OFF_STATUSES, CheckIn, Member, Nudge, NudgeStatus, Pause

ANSWER_WINDOW = timedelta(hours=2)


@dataclass(frozen=True)
class TipSendCounts:
    """For one habit and tip (None: sent without a tip): sent, and answered done in time."""

    habit: str
    tip_id: str | None
    sent_7_days: int
    done_7_days: int
    sent_30_days: int
    done_30_days: int


@dataclass(frozen=True)
class MemberCounts:
    active: int  # receiving nudges now
    paused: int  # active, but in a pause now
    inactive: int  # blocked the bot (until they send /start again)


def _seconds_between(session: Session, start: Any, end: Any) -> ColumnElement[Any]:
    """`end - start` in seconds; SQLite and PostgreSQL spell date arithmetic differently."""
    if session.get_bind().dialect.name == "sqlite":
        # julianday is a float of days, exact to well under a millisecond: round to that.
        return func.round((func.julianday(end) - func.julianday(start)) * 86400.0, 3)
    return func.extract("epoch", end - start)


def tip_send_counts(
    *, session: Session, now: datetime, answer_window: timedelta = ANSWER_WINDOW
) -> list[TipSendCounts]:
    """Per habit and tip, the nudges sent in the last 7 and 30 days before `now`, and how many
    of them were answered with done within `answer_window` of being sent (a glass counts)."""
    since_7, since_30 = now - timedelta(days=7), now - timedelta(days=30)
    answered_done = exists().where(
        col(CheckIn.nudge_id) == col(Nudge.id),
        col(CheckIn.status) == CheckInStatus.DONE,
        _seconds_between(session, Nudge.sent_at, CheckIn.created_at) <= answer_window.total_seconds(),
    )
    in_last_week = col(Nudge.sent_at) >= since_7
    statement = (
        select(
            col(Nudge.habit),
            col(Nudge.tip_id),
            func.sum(case((in_last_week, 1), else_=0)),
            func.sum(case((and_(in_last_week, answered_done), 1), else_=0)),
            func.count(),
            func.sum(case((answered_done, 1), else_=0)),
        )
        .where(col(Nudge.sent_at) >= since_30, col(Nudge.sent_at) <= now)
        .group_by(col(Nudge.habit), col(Nudge.tip_id))
        .order_by(col(Nudge.habit), col(Nudge.tip_id))
    )
    return [
        TipSendCounts(habit, tip_id, int(sent_7 or 0), int(done_7 or 0), int(sent_30 or 0), int(done_30 or 0))
        for habit, tip_id, sent_7, done_7, sent_30, done_30 in session.connection().execute(statement).all()
    ]


def held_back_counts(*, session: Session, now: datetime) -> dict[str, tuple[int, int]]:
    """Per status of the nudges held back so as not to nag (BACKED_OFF_STATUSES), how many fell
    due in the last 7 and in the last 30 days before `now`."""
    in_last_week = col(Nudge.due_at) >= now - timedelta(days=7)
    statement = (
        select(col(Nudge.status), func.sum(case((in_last_week, 1), else_=0)), func.count())
        .where(
            col(Nudge.status).in_([status.value for status in BACKED_OFF_STATUSES]),
            col(Nudge.due_at) >= now - timedelta(days=30),
            col(Nudge.due_at) <= now,
        )
        .group_by(col(Nudge.status))
    )
    found = {
        status: (int(week or 0), int(month or 0))
        for status, week, month in session.connection().execute(statement).all()
    }
    return {status.value: found.get(status.value, (0, 0)) for status in BACKED_OFF_STATUSES}


@dataclass(frozen=True)
class DeliveryCounts:
    """What the rate made of the nudges: late and missed in the last 7 and 30 days, and the paid
    broadcasts sent today (UTC)."""

    late: tuple[int, int]
    missed: tuple[int, int]
    paid_today: int


def delivery_counts(*, session: Session, now: datetime) -> DeliveryCounts:
    """Late (the rate was taken) and missed (the bot was down) nudges, and today's paid ones."""
    in_last_week = col(Nudge.due_at) >= now - timedelta(days=7)
    statement = (
        select(col(Nudge.status), func.sum(case((in_last_week, 1), else_=0)), func.count())
        .where(
            col(Nudge.status).in_([NudgeStatus.LATE.value, NudgeStatus.MISSED.value]),
            col(Nudge.due_at) >= now - timedelta(days=30),
            col(Nudge.due_at) <= now,
        )
        .group_by(col(Nudge.status))
    )
    found = {
        status: (int(week or 0), int(month or 0))
        for status, week, month in session.connection().execute(statement).all()
    }
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    paid = session.connection().execute(
        select(func.count())
        .select_from(Nudge)
        .where(col(Nudge.paid).is_(True), col(Nudge.sent_at) >= day_start)
    )
    return DeliveryCounts(
        late=found.get(NudgeStatus.LATE.value, (0, 0)),
        missed=found.get(NudgeStatus.MISSED.value, (0, 0)),
        paid_today=int(paid.scalar_one()),
    )


def member_counts(*, session: Session, now: datetime) -> MemberCounts:
    """How many members are active, paused (a pause covers `now`) and inactive."""
    paused_now = exists().where(
        col(Pause.member_id) == col(Member.id),
        col(Pause.starts_at) <= now,
        or_(col(Pause.ends_at).is_(None), col(Pause.ends_at) > now),
    )
    active = col(Member.active)
    statement = select(
        func.sum(case((and_(active, not_(paused_now)), 1), else_=0)),
        func.sum(case((and_(active, paused_now), 1), else_=0)),
        func.sum(case((not_(active), 1), else_=0)),
    )
    active_count, paused_count, inactive_count = session.connection().execute(statement).one()
    return MemberCounts(int(active_count or 0), int(paused_count or 0), int(inactive_count or 0))
