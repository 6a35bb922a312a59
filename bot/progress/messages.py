"""How a member's progress reads in a message."""

from __future__ import annotations

from bot.texts import format_hours, text
from habits.progress import DayProgress
from habits.stats import MemberStats, WeekPicture
from storage.kinds import CheckInStatus, Habit

MARKS = {CheckInStatus.DONE: "✅", CheckInStatus.SKIPPED: "⏭️", None: "▫️"}


def today_text(language: str, progress: DayProgress) -> str:
    """Today's checklist: one line per habit that is switched on."""
    lines = [text(language, "today_title", day=progress.day.strftime("%d-%m"))]
    if Habit.WATER in progress.habits:
        lines.append(text(language, "today_water", glasses=progress.water_glasses, goal=progress.water_goal))
    if Habit.WALK in progress.habits:
        marks = " ".join(
            f"{text(language, f'meal_{meal}')} {MARKS[status]}" for meal, status in progress.walks.items()
        )
        lines.append(text(language, "today_walks", marks=marks))
    if Habit.BREATHING in progress.habits:
        lines.append(text(language, "today_breathing", mark=MARKS[progress.breathing]))
    if Habit.SLEEP in progress.habits:
        lines.append(text(language, "today_wind_down", mark=MARKS[progress.wind_down]))
        if progress.sleep_hours is None:
            lines.append(text(language, "today_sleep_unknown"))
        else:
            lines.append(text(language, "today_sleep", hours=format_hours(language, progress.sleep_hours)))
    if len(lines) == 1:
        lines.append(text(language, "today_nothing"))
    return "\n".join(lines)


HABIT_ICONS = {Habit.WATER: "💧", Habit.WALK: "🚶", Habit.BREATHING: "🌬️", Habit.SLEEP: "🌙"}


def stats_text(language: str, stats: MemberStats) -> str:
    """Streaks per habit, this week's days done, water glasses and average sleep this week."""
    if not stats.habits:
        return text(language, "today_nothing")
    lines = [text(language, "stats_title"), text(language, "stats_explain"), ""]
    for habit in stats.habits:
        lines.append(
            text(
                language,
                "stats_habit",
                icon=HABIT_ICONS[habit.habit],
                name=text(language, f"habit_{habit.habit}"),
                current=habit.current,
                best=habit.best,
                week=habit.week_done,
            )
        )
    shown = {habit.habit for habit in stats.habits}
    if Habit.WATER in shown or Habit.SLEEP in shown:
        lines.append("")
    if Habit.WATER in shown:
        lines.append(text(language, "stats_water_week", glasses=stats.water_glasses_week))
    if Habit.SLEEP in shown:
        if stats.sleep_hours_average is None:
            lines.append(text(language, "stats_sleep_none"))
        else:
            hours = format_hours(language, round(stats.sleep_hours_average, 1))
            lines.append(text(language, "stats_sleep_week", hours=hours, nights=stats.sleep_nights))
    return "\n".join(lines)


def week_caption(language: str, picture: WeekPicture, tip: str | None) -> str:
    """One line about the week, then the tip for the coming week."""
    done, counted = picture.done_days, picture.counted_days
    if picture.paused_throughout:
        line = text(language, "week_caption_paused")
    elif counted == 0:
        line = text(language, "week_caption_empty")
    else:
        share = done / counted
        key = (
            "week_caption_great"
            if share >= 0.8
            else "week_caption_good"
            if share >= 0.5
            else "week_caption_start"
        )
        line = text(language, key, done=done, counted=counted)
    return line if tip is None else f"{line}\n\n{text(language, 'week_tip', tip=tip)}"
