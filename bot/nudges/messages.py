"""What a nudge says, and how its message reads once it has been answered."""

from __future__ import annotations

from bot.texts import format_hours, text
from habits.checkins import CheckInResult, Outcome
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


def answer_line(result: CheckInResult) -> str:
    """One line that confirms an answer, used as the edit of the nudge and as the reply."""
    language = result.language
    if result.outcome is Outcome.SNOOZED:
        return text(language, "answer_snoozed", minutes=result.snooze_minutes)
    if result.outcome is Outcome.SNOOZE_LIMIT:
        return text(language, "answer_snooze_limit")
    if result.outcome is Outcome.ALREADY_DONE:
        return text(language, "answer_already")
    if result.outcome is Outcome.EXPIRED:
        return text(language, "answer_expired")
    if result.outcome is Outcome.NEEDS_HOURS:
        return text(language, "needs_hours")
    if result.outcome is Outcome.RECORDED:
        if result.habit is Habit.WATER:
            key = "answer_glass_goal" if result.water_goal_reached_now else "answer_glass"
            return text(language, key, glasses=result.water_today, goal=result.water_goal)
        if result.status is CheckInStatus.SKIPPED:
            return text(language, "answer_skipped")
        if result.value is not None:
            return text(language, "answer_hours", hours=format_hours(language, result.value))
        return text(language, "answer_done")
    keys = {
        Outcome.NOTHING_OPEN: "nothing_open",
        Outcome.NOT_REGISTERED: "not_registered",
        Outcome.NOT_UNDERSTOOD: "not_understood",
    }
    return text(language, keys.get(result.outcome, "answer_unknown"))


def answered_nudge_text(original: str, result: CheckInResult) -> str:
    """The nudge as it was, with the answer under it (and, by the caller, no buttons)."""
    return f"{original}\n\n{answer_line(result)}"
