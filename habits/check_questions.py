"""The question about a habit whose nudges went unanswered for days ("do these times still fit?"),
and what each answer does. `scheduler/nagging.py` decides when to ask; changes go through
`habits/preferences.py`, which reschedules at once.

- another time: nothing changes yet; the bot opens the habit's settings screen.
- less often (`less_often`): water: a reminder at the next longer interval; walk: only the walk
  after lunch (and one walk a day keeps the walk streak); sleep: only the morning question, no
  wind-down reminder (either keeps the sleep streak). Breathing comes once a day already, so its
  question does not offer it, nor does one about water already at the longest interval.
- switch off: the habit is switched off (/settings switches it on again, with all its slots).
- keep: nothing changes, and that is remembered: like any answer, the question about the habit
  comes again at the earliest after 14 days.

Any answer also counts as the member's latest answer (quiet mode) and answers the nudge the
question went out as, so the habit's nudges come again from its next slot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from habits import preferences
from habits.preferences import WATER_INTERVAL_CHOICES
from scheduler.restraint import CheckChoice
from scheduler.routines import routine_of
from scheduler.slots import MEALS, SLEEP_MORNING, SLEEP_WIND_DOWN, DailyRoutine, slot_offsets
from storage import queries
from storage.kinds import Habit
from storage.models import CheckQuestion, Member, Nudge, NudgeStatus

# The walk kept when walks come less often: a short walk after lunch fits most working days.
WALK_KEPT = "walk-lunch"


class LessOften(StrEnum):
    LONGER_INTERVAL = "longer-interval"
    ONE_WALK = "one-walk"
    MORNING_ONLY = "morning-only"


class QuestionOutcome(StrEnum):
    DONE = "done"
    ALREADY_ANSWERED = "already-answered"
    NOT_POSSIBLE = "not-possible"  # "less often" where nothing can be less often any more
    UNKNOWN = "unknown"  # no such question, or someone else's


@dataclass(frozen=True)
class QuestionAnswer:
    outcome: QuestionOutcome
    language: str = "nl"
    habit: Habit | None = None
    choice: CheckChoice | None = None
    less_often: LessOften | None = None
    # The member as changed (for the settings screen the bot opens on "another time").
    member: Member | None = None


def less_often(habit: Habit, routine: DailyRoutine) -> LessOften | None:
    """What "less often" does for this habit with this routine, or None when it cannot be less."""
    slots = {key for slot_habit, key, _ in slot_offsets(routine) if slot_habit is habit}
    if habit is Habit.WATER:
        longer = [minutes for minutes in WATER_INTERVAL_CHOICES if minutes > routine.water_every_minutes]
        return LessOften.LONGER_INTERVAL if longer and slots else None
    if habit is Habit.WALK:
        return LessOften.ONE_WALK if len(slots) > 1 else None
    if habit is Habit.SLEEP:
        return LessOften.MORNING_ONLY if {SLEEP_WIND_DOWN, SLEEP_MORNING} <= slots else None
    return None


def choices(habit: Habit, routine: DailyRoutine) -> list[CheckChoice]:
    """The answers the question about this habit offers."""
    return [
        choice
        for choice in CheckChoice
        if choice is not CheckChoice.LESS_OFTEN or less_often(habit, routine) is not None
    ]


def _make_less_often(session: Session, member: Member, habit: Habit) -> LessOften | None:
    change = less_often(habit, routine_of(member))
    if change is LessOften.LONGER_INTERVAL:
        longer = min(m for m in WATER_INTERVAL_CHOICES if m > member.water_interval_minutes)
        preferences.set_water_interval(session=session, member=member, minutes=longer)
    elif change is LessOften.ONE_WALK:
        # With one walk nudged, "a walk after every meal" could never be met.
        preferences.set_walk_streak_rule(session=session, member=member, rule="one")
        preferences.mute_slots(
            session=session,
            member=member,
            slots=[f"walk-{meal}" for meal in MEALS if f"walk-{meal}" != WALK_KEPT],
        )
    elif change is LessOften.MORNING_ONLY:
        preferences.mute_slots(session=session, member=member, slots=[SLEEP_WIND_DOWN])
    return change


def answer_check_question(
    *, session: Session, telegram_id: int, question_id: int, choice: CheckChoice, now: datetime
) -> QuestionAnswer:
    """Carry out the member's answer to a check question (once: a second answer changes nothing)."""
    member = queries.get_member_by_telegram_id(session=session, telegram_id=telegram_id)
    question = session.get(CheckQuestion, question_id)
    if member is None or question is None or question.member_id != member.id:
        return QuestionAnswer(QuestionOutcome.UNKNOWN, language=member.language if member else "nl")
    habit = Habit(question.habit)
    if question.choice is not None:
        return QuestionAnswer(
            QuestionOutcome.ALREADY_ANSWERED, member.language, habit, CheckChoice(question.choice)
        )
    change: LessOften | None = None
    if choice is CheckChoice.LESS_OFTEN:
        change = _make_less_often(session, member, habit)
        if change is None:
            return QuestionAnswer(QuestionOutcome.NOT_POSSIBLE, member.language, habit, choice)
    elif choice is CheckChoice.SWITCH_OFF and getattr(member, preferences.HABIT_COLUMNS[habit]):
        preferences.toggle_habit(session=session, member=member, habit=habit)
    question.choice, question.answered_at = choice, now
    member.last_answer_at = now
    nudge = session.get(Nudge, question.nudge_id) if question.nudge_id is not None else None
    if nudge is not None and nudge.status in (NudgeStatus.SENT, NudgeStatus.SENDING, NudgeStatus.UNCONFIRMED):
        nudge.status, nudge.answered_at = NudgeStatus.ANSWERED, now
    session.commit()
    return QuestionAnswer(QuestionOutcome.DONE, member.language, habit, choice, change, member)
