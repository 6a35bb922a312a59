"""Registering members and keeping their place in the schedule right when their routine changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from scheduler.routines import quiet_hours_of, routine_of, zone_of
from scheduler.slots import routine_day
from scheduler.windows import earliest_opening, next_opening, outside_quiet_hours
from storage import queries
from storage.models import Member

SUPPORTED_LANGUAGES = ("nl", "en")


def today_of(member: Member, now: datetime) -> date:
    return routine_day(routine_of(member), zone_of(member), now)


def language_for(telegram_language_code: str | None, default: str) -> str:
    """nl or en from Telegram's language code (e.g. "en-GB"), else the default."""
    code = (telegram_language_code or "").split("-")[0].lower()
    return code if code in SUPPORTED_LANGUAGES else default


def reschedule(member: Member) -> None:
    """Point the member's next look at the first slot after what was already dealt with (at the
    earliest its window allows; the next claim applies the release plan).

    Slots before the cursor were handled; recomputing from the cursor after any change to the
    routine recomputes the rest of today, and the unique slot key stops a slot firing twice.
    """
    zone = zone_of(member)
    opens_at = outside_quiet_hours(earliest_opening, zone, quiet_hours_of(member))
    member.next_due_at, member.next_deadline_at = next_opening(
        routine_of(member), zone, member.schedule_cursor, opens_at
    ) or (None, None)


@dataclass(frozen=True)
class Registration:
    member: Member
    is_new: bool
    was_inactive: bool


def register_member(
    *,
    session: Session,
    telegram_id: int,
    chat_id: int,
    first_name: str,
    language_code: str | None,
    default_language: str,
    default_timezone: str,
    now: datetime,
) -> Registration:
    """Create a member with the default routine, or welcome back (and reactivate) an existing one."""
    member = queries.get_member_by_telegram_id(session=session, telegram_id=telegram_id)
    if member is not None:
        was_inactive = not member.active
        if was_inactive:
            member.active = True
            # Slots that fell due while they had blocked the bot are history, not a backlog.
            member.schedule_cursor = now
            reschedule(member)
        member.chat_id = chat_id
        session.commit()
        return Registration(member=member, is_new=False, was_inactive=was_inactive)
    member = Member(
        telegram_id=telegram_id,
        chat_id=chat_id,
        first_name=first_name[:64],
        language=language_for(language_code, default_language),
        timezone=default_timezone,
        created_at=now,
        schedule_cursor=now,
    )
    reschedule(member)
    queries.create_member(session=session, member=member)
    session.commit()
    return Registration(member=member, is_new=True, was_inactive=False)
