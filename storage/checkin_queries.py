"""The queries of a check-in, the work the bot does most often, kept cheap.

A check-in reads the member together with the nudge it answers in one query and writes with plain
INSERT and UPDATE statements in the same transaction, committed once by the caller. The statements
are SQLAlchemy Core, built once on first use with bound parameters, and run straight on the pooled
DB-API connection (`storage.direct`); they return small read-only snapshots instead of ORM objects.
On this path an ORM session (loading instances, the unit-of-work flush), building a `select()`
anew for every call, and SQLAlchemy's execution machinery each cost more than SQLite itself
(docs/performance.md, bench.updates).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, time
from functools import cache
from typing import Any

from sqlalchemy import (
    Insert,
    Select,
    Table,
    Update,
    and_,
    bindparam,
    func,
    insert,
    select,
    update,
)

from storage.direct import DirectConnection
from storage.models import BreathingSession, BreathingSessionStatus, CheckIn, Member, Nudge, NudgeStatus


@dataclass(frozen=True, slots=True)
class MemberSnapshot:
    """What a check-in needs to know about the member, as read; changes go through statements."""

    id: int
    language: str
    timezone: str
    water_goal: int
    snooze_minutes: int
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
    onboarding_step: str | None
    settings_screen: str | None
    muted_slots: str

    @property
    def has_screen_open(self) -> bool:
        """An onboarding step or a settings screen is open: it may be waiting for typed text."""
        return self.onboarding_step is not None or self.settings_screen is not None


@dataclass(frozen=True, slots=True)
class NudgeSnapshot:
    """A nudge as a check-in read it (with the status it left it in)."""

    id: int
    habit: str
    slot: str
    local_date: date
    status: str
    snooze_count: int
    message_id: int | None
    tip_id: str | None


_MEMBER_COLUMNS = tuple(field.name for field in fields(MemberSnapshot))
_NUDGE_COLUMNS = tuple(field.name for field in fields(NudgeSnapshot))
_CHECKIN_COLUMNS = (
    "member_id",
    "habit",
    "slot",
    "nudge_id",
    "local_date",
    "value",
    "status",
    "source",
    "created_at",
)


def _table(model: Any) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _member_and_nudge_columns(nudge: Any) -> list[Any]:
    member = _table(Member)
    return [member.c[name] for name in _MEMBER_COLUMNS] + [
        nudge.c[name].label(f"nudge_{name}") for name in _NUDGE_COLUMNS
    ]


def _snapshots(row: Sequence[Any] | None) -> tuple[MemberSnapshot | None, NudgeSnapshot | None]:
    if row is None:
        return None, None
    member = MemberSnapshot(*row[: len(_MEMBER_COLUMNS)])
    nudge_values = row[len(_MEMBER_COLUMNS) :]
    return member, None if nudge_values[0] is None else NudgeSnapshot(*nudge_values)


@cache
def _member_and_nudge_statement() -> Select[Any]:
    member, nudge = _table(Member), _table(Nudge)
    return (
        select(*_member_and_nudge_columns(nudge))
        .select_from(
            member.outerjoin(
                nudge, and_(nudge.c.id == bindparam("nudge_id"), nudge.c.member_id == member.c.id)
            )
        )
        .where(member.c.telegram_id == bindparam("telegram_id"))
    )


def member_and_nudge(
    *, connection: DirectConnection, telegram_id: int, nudge_id: int
) -> tuple[MemberSnapshot | None, NudgeSnapshot | None]:
    """The member with this Telegram id and their nudge `nudge_id`; None for a nudge not theirs."""
    row = connection.first(_member_and_nudge_statement(), {"telegram_id": telegram_id, "nudge_id": nudge_id})
    return _snapshots(row)


@cache
def _member_and_open_nudge_statement(by_habit: bool) -> Select[Any]:
    member, nudge = _table(Member), _table(Nudge)
    candidate = nudge.alias("candidate")
    conditions = [
        candidate.c.member_id == member.c.id,
        candidate.c.status == NudgeStatus.SENT.value,
        candidate.c.sent_at >= bindparam("since"),
        # A question or checklist sent in a nudge's place is answered by its own buttons.
        candidate.c.shown_as.is_(None),
    ]
    if by_habit:
        conditions.append(candidate.c.habit == bindparam("habit"))
    latest = (
        select(candidate.c.id)
        .where(*conditions)
        .order_by(candidate.c.sent_at.desc(), candidate.c.id.desc())
        .limit(1)
        .correlate(member)
        .scalar_subquery()
    )
    return (
        select(*_member_and_nudge_columns(nudge))
        .select_from(member.outerjoin(nudge, nudge.c.id == latest))
        .where(member.c.telegram_id == bindparam("telegram_id"))
    )


def member_and_open_nudge(
    *, connection: DirectConnection, telegram_id: int, since: datetime, habit: str | None = None
) -> tuple[MemberSnapshot | None, NudgeSnapshot | None]:
    """The member and their most recently sent nudge (of `habit`) still waiting for an answer."""
    params: dict[str, Any] = {"telegram_id": telegram_id, "since": since}
    if habit is not None:
        params["habit"] = str(habit)
    row = connection.first(_member_and_open_nudge_statement(habit is not None), params)
    return _snapshots(row)


@cache
def _member_and_nudge_by_message_statement() -> Select[Any]:
    member, nudge = _table(Member), _table(Nudge)
    candidate = nudge.alias("candidate")
    # Bounded by sent_at so that the (member_id, sent_at) index keeps the scan to recent nudges.
    shown = (
        select(candidate.c.id)
        .where(
            candidate.c.member_id == member.c.id,
            candidate.c.message_id == bindparam("message_id"),
            candidate.c.sent_at >= bindparam("since"),
        )
        .order_by(candidate.c.sent_at.desc(), candidate.c.id.desc())
        .limit(1)
        .correlate(member)
        .scalar_subquery()
    )
    return (
        select(*_member_and_nudge_columns(nudge))
        .select_from(member.outerjoin(nudge, nudge.c.id == shown))
        .where(member.c.telegram_id == bindparam("telegram_id"))
    )


def member_and_nudge_by_message(
    *, connection: DirectConnection, telegram_id: int, message_id: int, since: datetime
) -> tuple[MemberSnapshot | None, NudgeSnapshot | None]:
    """The member and their nudge shown as message `message_id` in their chat, sent since `since`."""
    row = connection.first(
        _member_and_nudge_by_message_statement(),
        {"telegram_id": telegram_id, "message_id": message_id, "since": since},
    )
    return _snapshots(row)


@cache
def _water_glasses_statement() -> Select[Any]:
    checkin = _table(CheckIn)
    return select(func.coalesce(func.sum(checkin.c.value), 0)).where(
        checkin.c.member_id == bindparam("member_id"),
        checkin.c.local_date == bindparam("day"),
        checkin.c.habit == "water",
    )


def water_glasses_on(*, connection: DirectConnection, member_id: int, day: date) -> int:
    """Glasses of water the member logged on a routine day."""
    total = connection.scalar(_water_glasses_statement(), {"member_id": member_id, "day": day})
    return int(total or 0)


@cache
def _insert_checkin_statement() -> Insert:
    return insert(_table(CheckIn)).values({name: bindparam(name) for name in _CHECKIN_COLUMNS})


@cache
def _note_answer_statement(by: str) -> Update:
    """The member's latest answer is now (quiet mode counts from it), found by the member's id, or
    by the id of the nudge or check-in answered."""
    member = _table(Member)
    if by == "member":
        who: Any = bindparam("member_id")
    else:
        row = _table(Nudge if by == "nudge" else CheckIn)
        who = select(row.c.member_id).where(row.c.id == bindparam("row_id")).scalar_subquery()
    return update(member).where(member.c.id == who).values(last_answer_at=bindparam("answered_at"))


def add_checkin(
    *,
    connection: DirectConnection,
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
    """Store one check-in in the connection's transaction (the caller commits), and note it as the
    member's latest answer."""
    connection.execute(_note_answer_statement("member"), {"member_id": member_id, "answered_at": created_at})
    connection.execute(
        _insert_checkin_statement(),
        {
            "member_id": member_id,
            "habit": habit,
            "slot": slot,
            "nudge_id": nudge_id,
            "local_date": local_date,
            "value": value,
            "status": status,
            "source": source,
            "created_at": created_at,
        },
    )


@cache
def _answer_nudge_statement() -> Update:
    nudge = _table(Nudge)
    return (
        update(nudge)
        .where(nudge.c.id == bindparam("nudge_id"))
        .values(status=NudgeStatus.ANSWERED.value, answered_at=bindparam("answered_at"))
    )


def mark_nudge_answered(*, connection: DirectConnection, nudge: NudgeSnapshot, at: datetime) -> NudgeSnapshot:
    """Mark the nudge answered in the connection's transaction; returns it as it is now."""
    connection.execute(_answer_nudge_statement(), {"nudge_id": nudge.id, "answered_at": at})
    return replace(nudge, status=NudgeStatus.ANSWERED)


@cache
def _snooze_nudge_statement() -> Update:
    nudge = _table(Nudge)
    return (
        update(nudge)
        .where(nudge.c.id == bindparam("nudge_id"))
        .values(
            status=NudgeStatus.SNOOZED.value,
            snooze_count=nudge.c.snooze_count + 1,
            resend_at=bindparam("resend_at"),
        )
    )


def snooze_nudge(
    *, connection: DirectConnection, nudge: NudgeSnapshot, resend_at: datetime, at: datetime
) -> NudgeSnapshot:
    """Send the nudge again at `resend_at` (in the connection's transaction); returns it as it is now.

    A snooze is an answer too: it is noted as the member's latest, `at`."""
    connection.execute(_note_answer_statement("nudge"), {"row_id": nudge.id, "answered_at": at})
    connection.execute(_snooze_nudge_statement(), {"nudge_id": nudge.id, "resend_at": resend_at})
    return replace(nudge, status=NudgeStatus.SNOOZED, snooze_count=nudge.snooze_count + 1)


@cache
def _checkin_for_slot_statement() -> Select[Any]:
    checkin = _table(CheckIn)
    return (
        select(checkin.c.id)
        .where(
            checkin.c.member_id == bindparam("member_id"),
            checkin.c.local_date == bindparam("day"),
            checkin.c.habit == bindparam("habit"),
            checkin.c.slot == bindparam("slot"),
        )
        .order_by(checkin.c.id)
        .limit(1)
    )


def checkin_for_slot(
    *, connection: DirectConnection, member_id: int, day: date, habit: str, slot: str
) -> int | None:
    """The id of the member's check-in for this habit and slot on a routine day, if there is one."""
    checkin_id = connection.scalar(
        _checkin_for_slot_statement(), {"member_id": member_id, "day": day, "habit": habit, "slot": slot}
    )
    return None if checkin_id is None else int(checkin_id)


@cache
def _correct_checkin_statement() -> Update:
    checkin = _table(CheckIn)
    return (
        update(checkin)
        .where(checkin.c.id == bindparam("checkin_id"))
        .values(
            value=bindparam("value"),
            status=bindparam("status"),
            source=bindparam("source"),
            created_at=bindparam("created_at"),
        )
    )


def correct_checkin(
    *,
    connection: DirectConnection,
    checkin_id: int,
    value: float | None,
    status: str,
    source: str,
    created_at: datetime,
) -> None:
    """Replace a check-in's answer in the connection's transaction (the caller commits), and note
    it as the member's latest answer."""
    connection.execute(_note_answer_statement("checkin"), {"row_id": checkin_id, "answered_at": created_at})
    connection.execute(
        _correct_checkin_statement(),
        {
            "checkin_id": checkin_id,
            "value": value,
            "status": status,
            "source": source,
            "created_at": created_at,
        },
    )


@cache
def _breathing_session_statement() -> Select[Any]:
    session = _table(BreathingSession)
    return select(session.c.status, session.c.member_id).where(session.c.id == bindparam("session_id"))


def breathing_session_status(*, connection: DirectConnection, session_id: int) -> tuple[str, int] | None:
    """The status of a guided breathing session and whose it is; None for no such session."""
    row = connection.first(_breathing_session_statement(), {"session_id": session_id})
    return None if row is None else (str(row[0]), int(row[1]))


@cache
def _finish_breathing_session_statement() -> Update:
    session = _table(BreathingSession)
    return (
        update(session)
        .where(session.c.id == bindparam("session_id"))
        .values(status=BreathingSessionStatus.FINISHED.value, ended_at=bindparam("ended_at"))
    )


def finish_breathing_session(*, connection: DirectConnection, session_id: int, at: datetime) -> None:
    """Mark a guided breathing session finished in the connection's transaction."""
    connection.execute(_finish_breathing_session_statement(), {"session_id": session_id, "ended_at": at})
