"""Onboarding: a new member walks through a few skippable steps; progress lives in the database.

A new member is stored at once with working defaults and is nudged with them from the start, so
someone who never finishes the flow still gets their habits; every step only changes settings.
A restart in the middle loses nothing: `/start` picks up at the stored step.
"""

from __future__ import annotations

from datetime import datetime, time
from enum import StrEnum

from sqlmodel import Session

from habits.members import Registration, register_member, reschedule
from habits.times_of_day import typed_times
from storage.models import Member


class Step(StrEnum):
    LANGUAGE = "language"
    TIMEZONE = "timezone"
    HABITS = "habits"
    SLEEP = "sleep"
    MEALS = "meals"
    SUMMARY = "summary"


STEPS = tuple(Step)


def begin_onboarding(
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
    """Register a new member at the first step; an existing one keeps everything they set."""
    registration = register_member(
        session=session,
        telegram_id=telegram_id,
        chat_id=chat_id,
        first_name=first_name,
        language_code=language_code,
        default_language=default_language,
        default_timezone=default_timezone,
        now=now,
    )
    member = registration.member
    if registration.is_new:
        member.onboarding_step = Step.LANGUAGE
    session.commit()
    return registration


def step_of(member: Member) -> Step | None:
    return Step(member.onboarding_step) if member.onboarding_step else None


def go_to(*, session: Session, member: Member, step: Step) -> None:
    """Move an onboarding member to `step` (forward or back); finished members are left alone."""
    if member.onboarding_step is None:
        return
    member.onboarding_step = step
    session.commit()


def step_after(step: Step) -> Step:
    return STEPS[min(STEPS.index(step) + 1, len(STEPS) - 1)]


def step_before(step: Step) -> Step:
    return STEPS[max(STEPS.index(step) - 1, 0)]


def finish_onboarding(*, session: Session, member: Member, now: datetime) -> bool:
    """Close the flow; False when the member had already finished."""
    if member.onboarding_step is None:
        return False
    member.onboarding_step = None
    reschedule(member)
    session.commit()
    return True


def parse_times(text: str) -> list[time] | None:
    """One to three clock times ("7:00 0:30", "22:30-07:00", "7u30 en 19.00", "half acht en 23u");
    None if anything else is typed."""
    return typed_times(text)
