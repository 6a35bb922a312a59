"""The queries of a check-in, the work the bot does most often, kept cheap.

A check-in reads the member together with the nudge it answers in one query, writes with plain
INSERT and UPDATE statements (no unit-of-work flush, no model object built only to be inserted)
and commits once. The statements are built on first use with bound parameters and then reused:
SQLAlchemy caches the compiled SQL either way, but building a `select()` and its cache key on
every call cost more than running it on SQLite (docs/performance.md, bench.updates).
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Insert, Select, Table, Update, and_, bindparam, func, insert, update
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select as ModelSelect

from storage.models import CheckIn, Member, Nudge, NudgeStatus


def _table(model: Any) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


@cache
def _member_and_nudge_statement() -> ModelSelect[Member, Nudge]:
    return (
        select(Member, Nudge)
        .outerjoin(Nudge, and_(col(Nudge.id) == bindparam("nudge_id"),
                               col(Nudge.member_id) == col(Member.id)))
        .where(col(Member.telegram_id) == bindparam("telegram_id"))
    )


def member_and_nudge(
    *, session: Session, telegram_id: int, nudge_id: int
) -> tuple[Member | None, Nudge | None]:
    """The member with this Telegram id and their nudge `nudge_id`; None for a nudge not theirs."""
    row = session.exec(_member_and_nudge_statement(),
                       params={"telegram_id": telegram_id, "nudge_id": nudge_id}).first()
    if row is None:
        return None, None
    member, nudge = row
    return member, nudge


@cache
def _member_and_open_nudge_statement(by_habit: bool) -> ModelSelect[Member, Nudge]:
    open_nudge = aliased(Nudge)
    conditions = [
        col(open_nudge.member_id) == col(Member.id),
        col(open_nudge.status) == NudgeStatus.SENT,
        col(open_nudge.sent_at) >= bindparam("since"),
    ]
    if by_habit:
        conditions.append(col(open_nudge.habit) == bindparam("habit"))
    latest = (
        select(col(open_nudge.id))
        .where(*conditions)
        .order_by(col(open_nudge.sent_at).desc(), col(open_nudge.id).desc())
        .limit(1)
        .correlate(Member)
        .scalar_subquery()
    )
    return (
        select(Member, Nudge)
        .outerjoin(Nudge, col(Nudge.id) == latest)
        .where(col(Member.telegram_id) == bindparam("telegram_id"))
    )


def member_and_open_nudge(
    *, session: Session, telegram_id: int, since: datetime, habit: str | None = None
) -> tuple[Member | None, Nudge | None]:
    """The member and their most recently sent nudge (of `habit`) still waiting for an answer."""
    params: dict[str, Any] = {"telegram_id": telegram_id, "since": since}
    if habit is not None:
        params["habit"] = str(habit)
    row = session.exec(_member_and_open_nudge_statement(habit is not None), params=params).first()
    if row is None:
        return None, None
    member, nudge = row
    return member, nudge


@cache
def _screen_open_statement() -> Select[int]:
    member = _table(Member)
    return sa_select(member.c.id).where(
        member.c.telegram_id == bindparam("telegram_id"),
        member.c.onboarding_step.is_not(None) | member.c.settings_screen.is_not(None),
    )


def member_with_screen_open(*, session: Session, telegram_id: int) -> Member | None:
    """The member, only if an onboarding step or a settings screen is open (it may wait for text).

    Every typed message asks this first, and almost never is a screen open: then the member is
    not loaded at all.
    """
    member_id = session.connection().execute(_screen_open_statement(),
                                             {"telegram_id": telegram_id}).scalar()
    return None if member_id is None else session.get(Member, member_id)


@cache
def _member_language_statement() -> Select[str]:
    member = _table(Member)
    return sa_select(member.c.language).where(member.c.telegram_id == bindparam("telegram_id"))


def member_language(*, session: Session, telegram_id: int) -> str | None:
    language = session.connection().execute(_member_language_statement(),
                                            {"telegram_id": telegram_id}).scalar()
    return None if language is None else str(language)


@cache
def _water_glasses_statement() -> Select[float]:
    checkin = _table(CheckIn)
    return sa_select(func.coalesce(func.sum(checkin.c.value), 0)).where(
        checkin.c.member_id == bindparam("member_id"),
        checkin.c.local_date == bindparam("day"),
        checkin.c.habit == "water",
    )


def water_glasses_on(*, session: Session, member_id: int, day: date) -> int:
    """Glasses of water the member logged on a routine day."""
    total = session.connection().execute(_water_glasses_statement(),
                                         {"member_id": member_id, "day": day}).scalar()
    return int(total or 0)


@cache
def _insert_checkin_statement() -> Insert:
    return insert(_table(CheckIn))


def add_checkin(
    *,
    session: Session,
    member_id: int,
    habit: str,
    slot: str | None,
    nudge_id: int | None,
    local_date: date,
    value: float | None,
    status: str,
    source: str,
    created_at: datetime,
) -> None:
    """Store one check-in in the session's transaction (the caller commits)."""
    session.connection().execute(_insert_checkin_statement(), {
        "member_id": member_id, "habit": habit, "slot": slot, "nudge_id": nudge_id,
        "local_date": local_date, "value": value, "status": status, "source": source,
        "created_at": created_at,
    })


@cache
def _answer_nudge_statement() -> Update:
    table = _table(Nudge)
    return (update(table).where(table.c.id == bindparam("nudge_id"))
            .values(status=NudgeStatus.ANSWERED.value, answered_at=bindparam("answered_at")))


def mark_nudge_answered(*, session: Session, nudge: Nudge, at: datetime) -> None:
    """Mark the nudge answered in the session's transaction; `nudge` shows it too (no flush)."""
    assert nudge.id is not None
    session.connection().execute(_answer_nudge_statement(),
                                 {"nudge_id": nudge.id, "answered_at": at})
    # The row is written above: keep the loaded object in step without making it dirty.
    set_committed_value(nudge, "status", NudgeStatus.ANSWERED)
    set_committed_value(nudge, "answered_at", at)
