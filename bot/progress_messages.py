"""How a member's progress reads in a message."""

from __future__ import annotations

from bot.texts import format_hours, text
from habits.kinds import CheckInStatus, Habit
from habits.progress import DayProgress

MARKS = {CheckInStatus.DONE: "✅", CheckInStatus.SKIPPED: "⏭️", None: "▫️"}


def today_text(language: str, progress: DayProgress) -> str:
    """Today's checklist: one line per habit that is switched on."""
    lines = [text(language, "today_title", day=progress.day.strftime("%d-%m"))]
    if Habit.WATER in progress.habits:
        lines.append(text(language, "today_water", glasses=progress.water_glasses,
                          goal=progress.water_goal))
    if Habit.WALK in progress.habits:
        marks = " ".join(f"{text(language, f'meal_{meal}')} {MARKS[status]}"
                         for meal, status in progress.walks.items())
        lines.append(text(language, "today_walks", marks=marks))
    if Habit.BREATHING in progress.habits:
        lines.append(text(language, "today_breathing", mark=MARKS[progress.breathing]))
    if Habit.SLEEP in progress.habits:
        lines.append(text(language, "today_wind_down", mark=MARKS[progress.wind_down]))
        if progress.sleep_hours is None:
            lines.append(text(language, "today_sleep_unknown"))
        else:
            lines.append(text(language, "today_sleep",
                              hours=format_hours(language, progress.sleep_hours)))
    if len(lines) == 1:
        lines.append(text(language, "today_nothing"))
    return "\n".join(lines)
