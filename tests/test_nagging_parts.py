"""The small pure parts of not nagging: how a stored nudge counts, when a week was paused
throughout, what "less often" does per habit, and the short line of a closed prompt."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from bot.nudges.closing import closed_line
from habits.check_questions import LessOften, choices, less_often
from scheduler.nagging import OpenPrompt, covered_throughout, slot_outcome
from scheduler.restraint import CheckChoice, SlotOutcome
from scheduler.slots import DailyRoutine
from storage.kinds import Habit
from storage.models import NudgeStatus, Pause, PromptKind

START = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
END = START + timedelta(days=7)


@pytest.mark.parametrize(
    ("status", "snoozes", "outcome"),
    [
        (NudgeStatus.SENT, 0, SlotOutcome.UNANSWERED),
        (NudgeStatus.SENDING, 0, SlotOutcome.UNANSWERED),
        (NudgeStatus.UNCONFIRMED, 0, SlotOutcome.UNANSWERED),
        (NudgeStatus.ANSWERED, 0, SlotOutcome.ANSWERED),
        (NudgeStatus.SNOOZED, 1, SlotOutcome.ANSWERED),
        (NudgeStatus.SENT, 1, SlotOutcome.ANSWERED),  # sent again after a snooze, which answered it
        (NudgeStatus.HELD_BACK, 0, SlotOutcome.HELD_BACK),
        (NudgeStatus.CAPPED, 0, SlotOutcome.HELD_BACK),
        (NudgeStatus.QUIET_MODE, 0, SlotOutcome.NOT_SENT),
        (NudgeStatus.QUESTION_OPEN, 0, SlotOutcome.NOT_SENT),
        (NudgeStatus.SUPPRESSED, 0, SlotOutcome.NOT_SENT),
        (NudgeStatus.MISSED, 0, SlotOutcome.NOT_SENT),
        (NudgeStatus.UNDELIVERED, 0, SlotOutcome.NOT_SENT),
    ],
)
def test_how_a_stored_nudge_counts_for_the_back_off_and_the_cap(
    status: NudgeStatus, snoozes: int, outcome: SlotOutcome
) -> None:
    assert slot_outcome(status, snoozes) is outcome


def pause(start_days: float, end_days: float | None) -> Pause:
    return Pause(
        member_id=1,
        starts_at=START + timedelta(days=start_days),
        ends_at=None if end_days is None else START + timedelta(days=end_days),
    )


@pytest.mark.parametrize(
    ("pauses", "covered"),
    [
        ([], False),
        ([pause(-1, None)], True),
        ([pause(-1, 8)], True),
        ([pause(0, 7)], True),
        ([pause(0.01, None)], False),  # the week's first moments were not paused
        ([pause(-1, 6.9)], False),
        ([pause(-1, 3), pause(3, None)], True),  # back to back
        ([pause(3, None), pause(-1, 3.5)], True),  # in any order, overlapping
        ([pause(-1, 3), pause(3.1, None)], False),  # a gap between them
    ],
)
def test_a_week_paused_throughout(pauses: list[Pause], covered: bool) -> None:
    assert covered_throughout(pauses, START, END) is covered


def test_what_less_often_does_per_habit() -> None:
    routine = DailyRoutine()
    assert less_often(Habit.WATER, routine) is LessOften.LONGER_INTERVAL
    assert less_often(Habit.WATER, DailyRoutine(water_every_minutes=180)) is None
    assert less_often(Habit.WALK, routine) is LessOften.ONE_WALK
    assert less_often(Habit.WALK, DailyRoutine(muted=frozenset({"walk-breakfast", "walk-dinner"}))) is None
    assert less_often(Habit.SLEEP, routine) is LessOften.MORNING_ONLY
    assert less_often(Habit.SLEEP, DailyRoutine(muted=frozenset({"sleep-winddown"}))) is None
    assert less_often(Habit.BREATHING, routine) is None
    assert choices(Habit.BREATHING, routine) == [
        CheckChoice.ANOTHER_TIME,
        CheckChoice.SWITCH_OFF,
        CheckChoice.KEEP,
    ]
    assert choices(Habit.WATER, routine) == list(CheckChoice)


@pytest.mark.parametrize(
    ("slot", "shown_as", "language", "line"),
    [
        ("water-0900", None, "nl", "💧 09:00 · niet beantwoord"),
        ("walk-lunch", None, "nl", "🚶 12:45 · niet beantwoord"),
        ("breathing", None, "en", "🌬️ 12:45 · not answered"),
        ("sleep-winddown", None, "nl", "🌙 12:45 · niet beantwoord"),
        ("sleep-morning", None, "nl", "☀️ 12:45 · niet beantwoord"),
        ("water-0700", PromptKind.CHECK_QUESTION, "nl", "💧 12:45 · niet beantwoord"),
        ("sleep-morning", PromptKind.CHECKLIST, "en", "📋 12:45 · not answered"),
    ],
)
def test_the_short_line_of_a_closed_prompt(slot: str, shown_as: str | None, language: str, line: str) -> None:
    due = time(9, 0) if slot == "water-0900" else time(12, 45)
    prompt = OpenPrompt(1, 1, 1, language, slot, shown_as, due)
    assert closed_line(prompt) == line
