"""Guided breathing sessions as the database keeps them: at most one running per member, opened,
sent, stopped, and cut short by a restart.

How a session is paced and what its message says is the bot's (bot/breathing); its end, which
stores the check-in, is `habits.checkins.record_guided`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from habits.breathing import (
    DEFAULT_LENGTH,
    DEFAULT_MODE,
    DEFAULT_PATTERN,
    BreathingPattern,
    GuidanceMode,
    SessionLength,
)
from storage import breathing_queries
from storage.kinds import Habit
from storage.models import BreathingSession, BreathingSessionStatus, Member, Nudge

# A session still marked running this long after its planned end was lost by a process that
# did not come back (it would have marked it interrupted): it no longer blocks a new one.
STALE_AFTER = timedelta(minutes=2)


@dataclass(frozen=True)
class BreathingChoice:
    """What a member chose in /settings for guided breathing."""

    pattern: BreathingPattern
    length: SessionLength
    guidance: GuidanceMode


def choice_of(member: Member) -> BreathingChoice:
    """The member's stored choices; a value this release does not know reads as the default."""
    try:
        pattern = BreathingPattern(member.breathing_pattern)
    except ValueError:
        pattern = DEFAULT_PATTERN
    try:
        length = SessionLength(member.breathing_minutes)
    except ValueError:
        length = DEFAULT_LENGTH
    try:
        guidance = GuidanceMode(member.breathing_guidance)
    except ValueError:
        guidance = DEFAULT_MODE
    return BreathingChoice(pattern, length, guidance)


def running_session(*, session: Session, member: Member, now: datetime) -> BreathingSession | None:
    """The member's running session, if any; one left long past its end is marked interrupted."""
    assert member.id is not None
    running = None
    for row in breathing_queries.running_sessions_of_member(session=session, member_id=member.id):
        if now - row.planned_end_at > STALE_AFTER:
            row.status, row.ended_at = BreathingSessionStatus.INTERRUPTED, now
        else:
            running = row
    session.commit()
    return running


def nudge_to_answer(*, session: Session, member: Member, nudge_id: int | None) -> int | None:
    """The nudge a session started from its button answers: the member's own breathing nudge only."""
    if nudge_id is None:
        return None
    nudge = session.get(Nudge, nudge_id)
    if nudge is None or nudge.member_id != member.id or nudge.habit != Habit.BREATHING:
        return None
    return nudge_id


def open_session(
    *,
    session: Session,
    member: Member,
    pattern: BreathingPattern,
    length: SessionLength,
    guidance: GuidanceMode,
    nudge_id: int | None,
    now: datetime,
    planned_end_at: datetime,
) -> BreathingSession:
    """Store a running session before its message goes out, so a second start finds it.

    `guidance` and `planned_end_at` are as the member chose and at the latest: how the session
    really runs, and from when, is known once its message is out (`session_sent`).
    """
    assert member.id is not None
    row = breathing_queries.add_breathing_session(
        session=session,
        row=BreathingSession(
            member_id=member.id,
            chat_id=member.chat_id,
            pattern=pattern.value,
            minutes=length.value,
            guidance=guidance.value,
            started_at=now,
            planned_end_at=planned_end_at,
            status=BreathingSessionStatus.RUNNING,
            nudge_id=nudge_to_answer(session=session, member=member, nudge_id=nudge_id),
        ),
    )
    session.commit()
    return row


def session_sent(
    *,
    session: Session,
    session_id: int,
    message_id: int,
    guidance: GuidanceMode,
    started_at: datetime,
    planned_end_at: datetime,
) -> None:
    """The session's message is out: its id, how it runs, and the times counted from when it went out."""
    row = breathing_queries.breathing_session(session=session, session_id=session_id)
    if row is None:
        return
    row.message_id, row.guidance = message_id, guidance.value
    row.started_at, row.planned_end_at = started_at, planned_end_at
    session.commit()


def end_session(
    *, session: Session, session_id: int, status: BreathingSessionStatus, now: datetime
) -> BreathingSession | None:
    """End a running session as stopped or interrupted; None when it was not running (any more)."""
    row = breathing_queries.breathing_session(session=session, session_id=session_id)
    if row is None or row.status != BreathingSessionStatus.RUNNING:
        return None
    row.status, row.ended_at = status, now
    session.commit()
    return row


def stop_session(
    *, session: Session, member: Member, session_id: int, now: datetime
) -> BreathingSession | None:
    """The member tapped stop on their own running session: stopped, nothing stored."""
    row = breathing_queries.breathing_session(session=session, session_id=session_id)
    if row is None or row.member_id != member.id:
        return None
    return end_session(session=session, session_id=session_id, status=BreathingSessionStatus.STOPPED, now=now)


def interrupt_running_sessions(*, session: Session, now: datetime) -> list[BreathingSession]:
    """At start-up: every session still marked running was cut short by the restart."""
    rows = list(breathing_queries.running_sessions(session=session))
    for row in rows:
        row.status, row.ended_at = BreathingSessionStatus.INTERRUPTED, now
    session.commit()
    return rows
