"""What a nudge says, how its message reads once it has been answered, and the replies to typed text."""

from __future__ import annotations

from bot.texts import format_hours, text
from habits.checkins import CheckInResult, Outcome, slot_kind
from habits.parsing import SleepQuality
from storage.checkin_queries import NudgeSnapshot
from storage.kinds import CheckInStatus, Habit


def nudge_text(*, language: str, slot: str, tip: str | None, glasses: int, goal: int) -> str:
    """A header that says what the nudge is for, then the tip."""
    if slot.startswith("water-"):
        header = text(language, "nudge_water", glasses=glasses, goal=goal)
    elif slot.startswith("walk-"):
        meal = text(language, f"walk_after_{slot.removeprefix('walk-')}")
        header = text(language, "nudge_walk", meal=meal)
    else:
        header = text(language, f"nudge_{slot}")
    return f"{header}\n\n{tip}" if tip else header


def forms(language: str, nudge: NudgeSnapshot | None) -> str:
    """Two or three things to type that fit the open nudge ("'2 glazen', '+1' of 'water'")."""
    return text(language, "forms_none" if nudge is None else f"forms_{slot_kind(nudge.slot)}")


_NEEDS_HOURS = {
    SleepQuality.BAD: "needs_hours_bad",
    SleepQuality.GOOD: "needs_hours_good",
    None: "needs_hours",
}
_SIMPLE = {
    Outcome.SNOOZE_LIMIT: "answer_snooze_limit",
    Outcome.ALREADY_DONE: "answer_already",
    Outcome.EXPIRED: "answer_expired",
    Outcome.NOTHING_OPEN: "nothing_open",
    Outcome.NOT_REGISTERED: "not_registered",
    Outcome.NOT_SNOOZABLE: "not_snoozable",
    Outcome.ACKNOWLEDGED: "acknowledged",
}


def answer_line(result: CheckInResult) -> str:
    """What an answer did, in a line or two: the reply to typed text, the toast and edit of a tap."""
    language = result.language
    outcome = result.outcome
    if outcome is Outcome.SNOOZED:
        return text(language, "answer_snoozed", minutes=result.snooze_minutes)
    if outcome is Outcome.NEEDS_HOURS:
        return text(language, _NEEDS_HOURS[result.quality])
    if outcome is Outcome.RECORDED:
        if result.habit is Habit.WATER:
            key = "answer_glass_goal" if result.water_goal_reached_now else "answer_glass"
            return text(language, key, glasses=result.water_today, goal=result.water_goal)
        if result.status is CheckInStatus.SKIPPED:
            return text(language, "answer_skipped")
        if result.value is not None:
            return text(language, "answer_hours", hours=format_hours(language, result.value))
        return text(language, "answer_done")
    if outcome is Outcome.WATER_COUNTS_GLASSES:
        return text(language, "water_counts_glasses" if result.nudge else "water_counts_glasses_typed")
    if outcome is Outcome.NO_MEAL_YET:
        return text(language, "no_meal_yet_skip" if result.status is CheckInStatus.SKIPPED else "no_meal_yet")
    if outcome is Outcome.NOT_UNDERSTOOD:
        key = "not_understood" if result.nudge else "not_understood_general"
        return text(language, key, forms=forms(language, result.nudge))
    if outcome in (Outcome.GREETED, Outcome.THANKED):
        return text(language, outcome.value, forms=forms(language, result.nudge))
    return text(language, _SIMPLE.get(outcome, "answer_unknown"))


def answer_mark(result: CheckInResult) -> str:
    """The short mark a nudge gets when it was answered elsewhere (typed, or a button on a reply):
    the reply says the answer in full at the bottom of the chat, so the nudge only shows which."""
    language = result.language
    if result.outcome is Outcome.SNOOZED:
        return text(language, "mark_snoozed")
    if result.habit is Habit.WATER:
        return text(language, "mark_glasses", glasses=int(result.value or 1))
    if result.status is CheckInStatus.SKIPPED:
        return text(language, "mark_skipped")
    if result.value is not None:
        return text(language, "mark_hours", hours=format_hours(language, result.value))
    return text(language, "mark_done")


def answered_nudge_text(original: str, answer: str) -> str:
    """The nudge as it was, with the answer (a line, or a mark) under it; the caller drops the buttons."""
    return f"{original}\n\n{answer}"
