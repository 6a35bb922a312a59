"""Answering quiet mode's checklist: one tap records a check-in as the nudge button of that habit
would (a glass of water, the walk after the meal just had, breathing, the night's hours).

The checklist went out as a nudge (`PromptKind.CHECKLIST`); a tap answers it, so its buttons go
and, the tap being an answer, quiet mode ends: the normal schedule returns from the next slot.
A checklist of an earlier day records nothing.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from habits.checkins import MAX_SLEEP_HOURS, CheckInResult, Outcome
from scheduler.routines import routine_of, zone_of
from scheduler.slots import BREATHING, SLEEP_MORNING, meal_slot_at, routine_day
from storage import queries
from storage.kinds import CheckInSource, CheckInStatus, Habit
from storage.models import CheckIn, Nudge, NudgeStatus, PromptKind

# A checklist's message is answerable while it may still be on screen with its buttons.
ANSWERABLE = frozenset({NudgeStatus.SENT, NudgeStatus.SENDING, NudgeStatus.UNCONFIRMED, NudgeStatus.ANSWERED})


class ChecklistItem(StrEnum):
    WATER = "water"
    WALK = "walk"
    BREATHING = "breathing"
    SLEEP = "sleep"  # the night's hours, with a value


ITEM_HABITS = {
    ChecklistItem.WATER: Habit.WATER,
    ChecklistItem.WALK: Habit.WALK,
    ChecklistItem.BREATHING: Habit.BREATHING,
    ChecklistItem.SLEEP: Habit.SLEEP,
}


def answer_checklist(
    *,
    session: Session,
    telegram_id: int,
    nudge_id: int,
    item: ChecklistItem,
    hours: int | None,
    now: datetime,
) -> CheckInResult:
    """Record one tap on a checklist; the result says it as a nudge's answer would."""
    member = queries.get_member_by_telegram_id(session=session, telegram_id=telegram_id)
    nudge = session.get(Nudge, nudge_id)
    if (
        member is None
        or nudge is None
        or nudge.member_id != member.id
        or nudge.shown_as != PromptKind.CHECKLIST
    ):
        return CheckInResult(Outcome.UNKNOWN_NUDGE, language=member.language if member else "nl")
    assert member.id is not None
    language, habit = member.language, ITEM_HABITS[item]
    if nudge.status not in ANSWERABLE or (item is ChecklistItem.SLEEP) != (hours is not None):
        return CheckInResult(Outcome.UNKNOWN_NUDGE, language=language)
    if hours is not None and not 0 < hours <= MAX_SLEEP_HOURS:
        return CheckInResult(Outcome.UNKNOWN_NUDGE, language=language)
    routine, zone = routine_of(member), zone_of(member)
    day = routine_day(routine, zone, now)
    if nudge.local_date != day:
        return CheckInResult(Outcome.EXPIRED, habit=habit, language=language)
    slot = {
        ChecklistItem.WATER: None,
        ChecklistItem.WALK: meal_slot_at(routine, zone, now),
        ChecklistItem.BREATHING: BREATHING,
        ChecklistItem.SLEEP: SLEEP_MORNING,
    }[item]
    checkins = queries.checkins_on(session=session, member_id=member.id, day=day)
    earlier = next((c for c in checkins if slot is not None and c.slot == slot), None)
    value = float(hours) if hours is not None else (1.0 if item is ChecklistItem.WATER else None)
    if earlier is not None and item is ChecklistItem.SLEEP:
        # A second answer the same morning corrects the night rather than adding one.
        earlier.value, earlier.status, earlier.created_at = value, CheckInStatus.DONE, now
        earlier.source = CheckInSource.BUTTON
    elif earlier is not None:
        return CheckInResult(Outcome.ALREADY_DONE, habit=habit, slot=slot, language=language)
    else:
        queries.create_checkin(
            session=session,
            checkin=CheckIn(
                member_id=member.id,
                habit=habit,
                slot=slot,
                local_date=day,
                value=value,
                status=CheckInStatus.DONE,
                source=CheckInSource.BUTTON,
                created_at=now,
            ),
        )
    if nudge.status != NudgeStatus.ANSWERED:
        nudge.status, nudge.answered_at = NudgeStatus.ANSWERED, now
    member.last_answer_at = now
    session.commit()
    glasses = int(sum(c.value or 0 for c in checkins if c.habit == Habit.WATER))
    return CheckInResult(
        Outcome.RECORDED,
        habit=habit,
        slot=slot,
        status=CheckInStatus.DONE,
        value=value,
        water_today=glasses + (1 if item is ChecklistItem.WATER else 0),
        water_goal=member.water_goal,
        language=language,
    )
