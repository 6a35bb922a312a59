"""Pausing and resuming: no nudges while paused, and the pause periods are kept for streaks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlmodel import Session

from scheduler.routines import zone_of
from storage import queries
from storage.models import Member, Pause


class PauseLength(StrEnum):
    ONE_DAY = "1d"
    THREE_DAYS = "3d"
    ONE_WEEK = "7d"
    UNTIL_RESUMED = "open"


PAUSE_DAYS = {PauseLength.ONE_DAY: 1, PauseLength.THREE_DAYS: 3, PauseLength.ONE_WEEK: 7}


def pause_end(member: Member, length: PauseLength, now: datetime) -> datetime | None:
    """When a pause started now ends: the same local wall-clock time N days later (DST-proof)."""
    days = PAUSE_DAYS.get(length)
    if days is None:
        return None
    zone = zone_of(member)
    wall = now.astimezone(zone).replace(tzinfo=None) + timedelta(days=days)
    return wall.replace(tzinfo=zone).astimezone(UTC)


def current_pause(*, session: Session, member: Member, now: datetime) -> Pause | None:
    assert member.id is not None
    return queries.pause_covering(session=session, member_id=member.id, instant=now)


def pause_member(*, session: Session, member: Member, length: PauseLength, now: datetime) -> Pause:
    """Pause from now; a member who is already paused gets the new end instead of a second pause."""
    assert member.id is not None
    ends_at = pause_end(member, length, now)
    pause = current_pause(session=session, member=member, now=now)
    if pause is None:
        pause = queries.add_pause(
            session=session, pause=Pause(member_id=member.id, starts_at=now, ends_at=ends_at)
        )
    else:
        pause.ends_at = ends_at
    session.commit()
    return pause


def resume_member(*, session: Session, member: Member, now: datetime) -> Pause | None:
    """End the pause in force now; returns it, or None when the member was not paused."""
    pause = current_pause(session=session, member=member, now=now)
    if pause is None:
        return None
    pause.ends_at = now
    session.commit()
    return pause
