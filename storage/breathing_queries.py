"""Queries for guided breathing: the sessions (running and past) and the animations' file_ids.

The end of a session, which also stores its check-in, is on the check-in path
(`storage.checkin_queries`); everything here is a short ORM session.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, Table, bindparam
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from storage.direct import DirectConnection
from storage.models import AnimationFile, BreathingSession, BreathingSessionStatus, Member


@cache
def _breathing_minutes_statement() -> Select[Any]:
    member = Member.__table__  # type: ignore[attr-defined]
    assert isinstance(member, Table)
    return core_select(member.c.breathing_minutes).where(member.c.id == bindparam("member_id"))


def breathing_minutes_of(*, connection: DirectConnection, member_id: int) -> int | None:
    """A member's guided session length in minutes (read as each breathing nudge goes out)."""
    minutes = connection.scalar(_breathing_minutes_statement(), {"member_id": member_id})
    return None if minutes is None else int(minutes)


def add_breathing_session(*, session: Session, row: BreathingSession) -> BreathingSession:
    session.add(row)
    session.flush()
    return row


def breathing_session(*, session: Session, session_id: int) -> BreathingSession | None:
    return session.get(BreathingSession, session_id)


def running_sessions_of_member(*, session: Session, member_id: int) -> Sequence[BreathingSession]:
    statement = select(BreathingSession).where(
        BreathingSession.member_id == member_id,
        BreathingSession.status == BreathingSessionStatus.RUNNING.value,
    )
    return session.exec(statement).all()


def running_sessions(*, session: Session) -> Sequence[BreathingSession]:
    """Every session marked running, oldest first (at start-up: the ones a restart cut short)."""
    statement = (
        select(BreathingSession)
        .where(BreathingSession.status == BreathingSessionStatus.RUNNING.value)
        .order_by(col(BreathingSession.id))
    )
    return session.exec(statement).all()


def breathing_sessions_of_member(*, session: Session, member_id: int) -> Sequence[BreathingSession]:
    statement = (
        select(BreathingSession)
        .where(BreathingSession.member_id == member_id)
        .order_by(col(BreathingSession.id))
    )
    return session.exec(statement).all()


def animation_file_id(*, session: Session, key: str) -> str | None:
    row = session.get(AnimationFile, key)
    return None if row is None else row.file_id


def remember_animation_file(*, session: Session, key: str, file_id: str, now: datetime) -> None:
    """Keep the file_id Telegram gave an upload (the last one wins if two uploaded at once)."""
    row = session.get(AnimationFile, key)
    if row is None:
        session.add(AnimationFile(key=key, file_id=file_id, created_at=now))
    else:
        row.file_id, row.created_at = file_id, now
    session.commit()


def forget_animation_file(*, session: Session, key: str) -> None:
    """A file_id Telegram no longer takes: the next session uploads the file again."""
    row = session.get(AnimationFile, key)
    if row is not None:
        session.delete(row)
        session.commit()
