"""Plain query functions for the rules against nagging: what became of recent nudges, the answers,
the questions asked and the offers made, and the prompts whose buttons are still live.

The batched ones serve a dispatch claim of hundreds of members at once: one query each. Filters on
member, habit and routine day together use the (member, habit, day, slot) key's index.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from storage.kinds import Habit
from storage.models import CheckIn, CheckQuestion, Member, Nudge, NudgeStatus, RhythmOffer

ALL_HABITS = tuple(habit.value for habit in Habit)


@dataclass(frozen=True, slots=True)
class NudgeFact:
    """What became of one slot, as the rules against nagging read it."""

    id: int
    member_id: int
    habit: str
    slot: str
    local_date: date
    due_at: datetime
    status: str
    snooze_count: int
    shown_as: str | None


@dataclass(frozen=True, slots=True)
class AnswerFact:
    """One check-in, as the rules against nagging read it."""

    member_id: int
    habit: str
    slot: str | None
    local_date: date
    status: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class OfferFact:
    member_id: int
    slot: str
    offered_on: date
    accepted: bool | None


def nudge_facts(
    *,
    session: Session,
    member_ids: Collection[int],
    days: Collection[date],
    habits: Collection[str] = ALL_HABITS,
) -> list[NudgeFact]:
    """The nudges of these members on these routine days (of these habits), in due order."""
    if not member_ids or not days or not habits:
        return []
    statement = (
        select_columns(
            col(Nudge.id),
            col(Nudge.member_id),
            col(Nudge.habit),
            col(Nudge.slot),
            col(Nudge.local_date),
            col(Nudge.due_at),
            col(Nudge.status),
            col(Nudge.snooze_count),
            col(Nudge.shown_as),
        )
        .where(
            col(Nudge.member_id).in_(list(member_ids)),
            col(Nudge.habit).in_(list(habits)),
            col(Nudge.local_date).in_(list(days)),
        )
        .order_by(col(Nudge.due_at), col(Nudge.id))
    )
    rows: Sequence[Any] = session.connection().execute(statement).all()
    return [NudgeFact(*row) for row in rows]


def answer_facts(
    *, session: Session, member_ids: Collection[int], days: Collection[date]
) -> list[AnswerFact]:
    """The check-ins of these members on these routine days, oldest first."""
    if not member_ids or not days:
        return []
    statement = (
        select_columns(
            col(CheckIn.member_id),
            col(CheckIn.habit),
            col(CheckIn.slot),
            col(CheckIn.local_date),
            col(CheckIn.status),
            col(CheckIn.created_at),
        )
        .where(col(CheckIn.member_id).in_(list(member_ids)), col(CheckIn.local_date).in_(list(days)))
        .order_by(col(CheckIn.created_at), col(CheckIn.id))
    )
    return [AnswerFact(*row) for row in session.connection().execute(statement).all()]


def last_questions(*, session: Session, member_ids: Collection[int]) -> dict[tuple[int, str], date]:
    """Per (member, habit), the routine day the check question about it was last asked."""
    if not member_ids:
        return {}
    statement = (
        select(col(CheckQuestion.member_id), col(CheckQuestion.habit), func.max(col(CheckQuestion.asked_on)))
        .where(col(CheckQuestion.member_id).in_(list(member_ids)))
        .group_by(col(CheckQuestion.member_id), col(CheckQuestion.habit))
    )
    return {(member_id, habit): asked for member_id, habit, asked in session.exec(statement).all()}


def rhythm_offers_since(*, session: Session, member_ids: Collection[int], since: date) -> list[OfferFact]:
    """The rhythm offers made to these members on or after `since`."""
    if not member_ids:
        return []
    statement = select(
        col(RhythmOffer.member_id),
        col(RhythmOffer.slot),
        col(RhythmOffer.offered_on),
        col(RhythmOffer.accepted),
    ).where(col(RhythmOffer.member_id).in_(list(member_ids)), col(RhythmOffer.offered_on) >= since)
    return [OfferFact(*row) for row in session.exec(statement).all()]


def questions_of_nudges(*, session: Session, nudge_ids: Collection[int]) -> dict[int, int]:
    """The check question each of these nudges went out as: nudge id -> question id."""
    if not nudge_ids:
        return {}
    statement = select(col(CheckQuestion.nudge_id), col(CheckQuestion.id)).where(
        col(CheckQuestion.nudge_id).in_(list(nudge_ids))
    )
    return {
        nudge_id: question_id
        for nudge_id, question_id in session.exec(statement).all()
        if nudge_id is not None and question_id is not None
    }


def open_prompts_of_members(
    *, session: Session, member_ids: Collection[int], sent_since: datetime
) -> Sequence[Nudge]:
    """Nudges of these members sent since then whose buttons are still live: unanswered, not closed."""
    if not member_ids:
        return []
    statement = (
        select(Nudge)
        .where(
            col(Nudge.member_id).in_(list(member_ids)),
            col(Nudge.sent_at) >= sent_since,
            col(Nudge.status) == NudgeStatus.SENT,
            col(Nudge.message_id).is_not(None),
            col(Nudge.closed_at).is_(None),
        )
        .order_by(col(Nudge.due_at))
    )
    return session.exec(statement).all()


def lock_prompts_open_until(*, session: Session, now: datetime, limit: int) -> Sequence[tuple[Nudge, Member]]:
    """Nudges whose routine day has ended while their buttons may be live, with their members,
    locked for this transaction (other dispatchers skip them)."""
    statement = (
        select(Nudge, Member)
        .join(Member, col(Member.id) == col(Nudge.member_id))
        .where(col(Nudge.open_until) <= now)
        .order_by(col(Nudge.open_until))
        .limit(limit)
        .with_for_update(skip_locked=True, of=Nudge)
    )
    return [(nudge, member) for nudge, member in session.exec(statement).all()]


def answer_days_between(*, session: Session, member_id: int, first: date, last: date) -> set[date]:
    """The routine days from `first` to `last` on which the member checked anything in."""
    statement = (
        select(col(CheckIn.local_date))
        .where(
            CheckIn.member_id == member_id, col(CheckIn.local_date) >= first, col(CheckIn.local_date) <= last
        )
        .distinct()
    )
    return set(session.exec(statement).all())


def add_rows(*, session: Session, rows: Sequence[CheckQuestion | RhythmOffer]) -> None:
    """Insert questions asked and offers made in the claim's transaction; each gets its id."""
    session.add_all(rows)
    session.flush()


def check_questions_of_member(*, session: Session, member_id: int) -> Sequence[CheckQuestion]:
    statement = (
        select(CheckQuestion).where(CheckQuestion.member_id == member_id).order_by(col(CheckQuestion.id))
    )
    return session.exec(statement).all()


def rhythm_offers_of_member(*, session: Session, member_id: int) -> Sequence[RhythmOffer]:
    statement = select(RhythmOffer).where(RhythmOffer.member_id == member_id).order_by(col(RhythmOffer.id))
    return session.exec(statement).all()
