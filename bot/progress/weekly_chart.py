"""The weekly picture as a PNG: 7 days × the habits, water glasses and hours slept, phone-sized.

Drawn with matplotlib's Agg canvas straight onto a Figure (no pyplot, no display, no global state),
so it renders on a server, in a worker thread or in a worker process alike (bot/progress/chart_workers.py).
Sizes are chosen for a phone: the image is 1080 px wide, as Telegram shows photos, with text no
smaller than about 30 px. matplotlib is imported on the first picture, not when the bot starts:
it costs 0.4 s and 40 MB that a bot rendering in worker processes never needs.
"""

from __future__ import annotations

import io
from datetime import date
from typing import TYPE_CHECKING

from bot.calendar_words import short_month, short_weekday
from bot.texts import format_hours, text
from habits.stats import WeekPicture
from habits.streaks import DayOutcome
from storage.kinds import Habit

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

WIDTH_INCHES = 7.2
DPI = 150
INK = "#1f2933"
MUTED = "#7b8794"
GRID = "#e4e7eb"
STYLE: dict[DayOutcome, tuple[str, str, str]] = {
    # outcome: (fill, symbol, symbol colour)
    DayOutcome.DONE: ("#2f9e5b", "✓", "white"),
    DayOutcome.SKIPPED: ("#f0b429", "»", "white"),
    DayOutcome.MISSED: ("#f8d7d3", "✗", "#c0392b"),
    DayOutcome.PAUSED: ("#cbd2d9", "‖", "#52606d"),
    DayOutcome.OPEN: ("#ffffff", "", INK),
    DayOutcome.NOT_TRACKED: ("#f5f7fa", "★", "#9aa5b1"),
    DayOutcome.BEFORE_JOINING: ("#f5f7fa", "–", "#9aa5b1"),
}
# The legend's order; it lists only the states the picture shows.
LEGEND_ORDER = (
    DayOutcome.DONE,
    DayOutcome.SKIPPED,
    DayOutcome.MISSED,
    DayOutcome.PAUSED,
    DayOutcome.OPEN,
    DayOutcome.NOT_TRACKED,
    DayOutcome.BEFORE_JOINING,
)
LEGEND_COLUMNS = 2
WATER_COLOUR = "#3b82c4"
SLEEP_COLOUR = "#6b5bb5"


def legend(picture: WeekPicture, language: str) -> list[tuple[DayOutcome, str]]:
    """The legend's entries: each state that occurs in the grid, with its words."""
    shown = {outcome for row in picture.outcomes.values() for outcome in row}
    return [
        (outcome, text(language, f"chart_legend_{outcome}")) for outcome in LEGEND_ORDER if outcome in shown
    ]


def _legend_rows(entries: list[tuple[DayOutcome, str]]) -> int:
    return -(-len(entries) // LEGEND_COLUMNS)


def bar_label(picture: WeekPicture, index: int, shown: str) -> str:
    """What a water or sleep bar says: its figure, a pause mark on a paused day without one, and
    nothing on a day before the member joined."""
    if shown not in ("0", "–"):
        return shown
    if picture.before_joining(picture.days[index]):
        return ""
    if picture.paused and picture.paused[index]:
        return STYLE[DayOutcome.PAUSED][1]
    return shown


def day_labels(language: str, days: list[date]) -> list[str]:
    return [f"{short_weekday(language, day.weekday())}\n{day.day}" for day in days]


def period_label(language: str, first: date, last: date) -> str:
    if first.month == last.month:
        return f"{first.day}–{last.day} {short_month(language, last.month)}"
    return (
        f"{first.day} {short_month(language, first.month)} – {last.day} {short_month(language, last.month)}"
    )


def _draw_grid(ax: Axes, picture: WeekPicture, language: str) -> None:
    from matplotlib.patches import FancyBboxPatch

    habits = list(picture.outcomes)
    ax.set_xlim(-0.5, len(picture.days) - 0.5)
    ax.set_ylim(len(habits) - 0.5 if habits else 0.5, -0.5)
    ax.set_xticks(range(len(picture.days)), day_labels(language, picture.days), fontsize=13, color=INK)
    ax.xaxis.tick_top()
    ax.set_yticks(range(len(habits)), [text(language, f"habit_{h}") for h in habits], fontsize=15, color=INK)
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    if not habits:
        ax.text(
            len(picture.days) / 2 - 0.5,
            0,
            text(language, "chart_no_habits"),
            ha="center",
            va="center",
            fontsize=15,
            color=MUTED,
        )
        return
    for row, habit in enumerate(habits):
        for column, outcome in enumerate(picture.outcomes[habit]):
            fill, symbol, colour = STYLE[outcome]
            ax.add_patch(
                FancyBboxPatch(
                    (column - 0.4, row - 0.4),
                    0.8,
                    0.8,
                    boxstyle="round,pad=0,rounding_size=0.15",
                    facecolor=fill,
                    edgecolor=GRID if outcome is DayOutcome.OPEN else fill,
                    linewidth=2,
                )
            )
            if symbol:
                ax.text(
                    column,
                    row,
                    symbol,
                    ha="center",
                    va="center",
                    fontsize=20,
                    fontweight="bold",
                    color=colour,
                )


def _draw_legend(ax: Axes, entries: list[tuple[DayOutcome, str]]) -> None:
    """Rows of two: wide enough for the longest Dutch label on a phone."""
    from matplotlib.patches import FancyBboxPatch

    rows = _legend_rows(entries)
    ax.set_axis_off()
    ax.set_xlim(0, LEGEND_COLUMNS)
    ax.set_ylim(rows, 0)
    for index, (outcome, label) in enumerate(entries):
        fill, symbol, colour = STYLE[outcome]
        x, y = index % LEGEND_COLUMNS, index // LEGEND_COLUMNS
        ax.add_patch(
            FancyBboxPatch(
                (x + 0.02, y + 0.15),
                0.12,
                0.7,
                boxstyle="round,pad=0,rounding_size=0.05",
                facecolor=fill,
                edgecolor=GRID if outcome is DayOutcome.OPEN else fill,
            )
        )
        ax.text(
            x + 0.08, y + 0.5, symbol, ha="center", va="center", fontsize=14, fontweight="bold", color=colour
        )
        ax.text(
            x + 0.19,
            y + 0.5,
            label,
            ha="left",
            va="center",
            fontsize=14,
            color=INK,
        )


def _bars(
    ax: Axes,
    values: list[float | None],
    labels: list[str],
    *,
    title: str,
    colour: str,
    bar_texts: list[str],
    goal: float | None = None,
) -> None:
    heights = [value or 0 for value in values]
    top = max([*heights, goal or 0, 1])
    ax.bar(range(len(values)), heights, color=colour, width=0.7)
    if goal:
        ax.axhline(goal, color=INK, linestyle="--", linewidth=1.5)
        ax.text(len(values) - 0.5, goal, f" {goal:g}", va="center", ha="left", fontsize=12, color=INK)
    for x, (height, shown) in enumerate(zip(heights, bar_texts, strict=True)):
        ax.text(
            x,
            height + top * 0.03,
            shown,
            ha="center",
            va="bottom",
            fontsize=14,
            fontweight="bold",
            color=INK if height else MUTED,
        )
    ax.set_ylim(0, top * 1.3)
    ax.set_xlim(-0.5, len(values) - 0.5)
    ax.set_xticks(range(len(values)), labels, fontsize=12, color=INK)
    ax.set_yticks([])
    ax.tick_params(length=0)
    ax.set_title(title, loc="left", fontsize=16, fontweight="bold", color=INK, pad=10)
    for name, side in ax.spines.items():
        side.set_visible(name == "bottom")
        side.set_color(GRID)


def render_week_png(picture: WeekPicture, language: str) -> bytes:
    """The weekly picture as PNG bytes, in the member's language."""
    buffer = io.BytesIO()
    week_figure(picture, language).savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()


def week_figure(picture: WeekPicture, language: str) -> Figure:
    """The weekly picture drawn on a Figure with an Agg canvas, ready to be saved."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    entries = legend(picture, language)
    panels: list[str] = ["grid"]
    if entries:
        panels.append("legend")
    if Habit.WATER in picture.outcomes:
        panels.append("water")
    if Habit.SLEEP in picture.outcomes:
        panels.append("sleep")
    ratios = {
        "grid": max(len(picture.outcomes), 1) * 0.9 + 0.9,
        "legend": 0.4 * _legend_rows(entries),
        "water": 2.4,
        "sleep": 2.4,
    }
    heights = [ratios[panel] for panel in panels]
    total = sum(heights) + 1.6
    figure = Figure(figsize=(WIDTH_INCHES, total), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    figure.suptitle(
        f"{text(language, 'chart_title')} · {period_label(language, picture.days[0], picture.days[-1])}",
        fontsize=20,
        fontweight="bold",
        color=INK,
        x=0.05,
        y=1 - 0.25 / total,
        ha="left",
        va="top",
    )
    grid = figure.add_gridspec(
        len(panels),
        1,
        height_ratios=heights,
        hspace=0.4,
        left=0.2,
        right=0.95,
        top=1 - 1.3 / total,
        bottom=0.3 / total,
    )
    short_days = [label.replace("\n", " ") for label in day_labels(language, picture.days)]
    for index, panel in enumerate(panels):
        ax = figure.add_subplot(grid[index])
        if panel == "grid":
            _draw_grid(ax, picture, language)
        elif panel == "legend":
            _draw_legend(ax, entries)
        elif panel == "water":
            glasses: list[float | None] = [float(g) for g in picture.water_glasses]
            _bars(
                ax,
                glasses,
                short_days,
                title=text(language, "chart_water_title"),
                colour=WATER_COLOUR,
                bar_texts=[bar_label(picture, i, str(g)) for i, g in enumerate(picture.water_glasses)],
                goal=float(picture.water_goal),
            )
        else:
            _bars(
                ax,
                list(picture.sleep_hours),
                short_days,
                title=text(language, "chart_sleep_title"),
                colour=SLEEP_COLOUR,
                bar_texts=[
                    bar_label(picture, i, "–" if h is None else format_hours(language, h))
                    for i, h in enumerate(picture.sleep_hours)
                ],
            )
    return figure
