"""A nudge's buttons and the callback data behind them: big buttons, one tap each."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.breathing.keyboards import start_from_nudge
from bot.callback_data import CallbackData, CallbackDataError, Range
from bot.texts import text
from habits.breathing import DEFAULT_LENGTH, SessionLength
from habits.checkins import MAX_SNOOZES, Action, slot_kind
from scheduler.slots import BREATHING, SLEEP_MORNING, SLEEP_WIND_DOWN

SLEEP_HOUR_CHOICES = (5, 6, 7, 8, 9)


class NudgeButton(CallbackData, prefix="n"):
    """A nudge's answer: n:{nudge_id}:{action}, and for the sleep question :{hours}."""

    nudge_id: Annotated[int, Range(0, 10**18 - 1)]
    action: Action
    value: Annotated[int, Range(0, 99)] | None = None

    def __post_init__(self) -> None:
        if (self.action is Action.HOURS) != (self.value is not None):
            raise CallbackDataError(f"hours, and only hours, carry a value: {self!r}")


class SleepHoursButton(CallbackData, prefix="sh"):
    """An hour button under the question how long the member slept: sh:{routine day's ordinal}:{hours}.

    Asked after "slecht geslapen" whether or not the morning question is open, so it names the day
    rather than a nudge; a button from an earlier day changes nothing.
    """

    day: Annotated[int, Range(1, date.max.toordinal())]
    hours: Annotated[int, Range(1, 16)]


def _button(label: str, nudge_id: int, action: Action, value: int | None = None) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=NudgeButton(nudge_id, action, value).pack())


def _hour_buttons(language: str, data: Callable[[int], str]) -> list[InlineKeyboardButton]:
    return [
        InlineKeyboardButton(
            text(language, "button_hours_max" if h == SLEEP_HOUR_CHOICES[-1] else "button_hours", hours=h),
            callback_data=data(h),
        )
        for h in SLEEP_HOUR_CHOICES
    ]


def sleep_hours_keyboard(language: str, day: date) -> InlineKeyboardMarkup:
    """The morning question's hour buttons, for the night before routine day `day`."""
    return InlineKeyboardMarkup(
        [_hour_buttons(language, lambda hours: SleepHoursButton(day.toordinal(), hours).pack())]
    )


def glass_keyboard(*, nudge_id: int, language: str) -> InlineKeyboardMarkup:
    """A water nudge's one button, +1 glass."""
    return InlineKeyboardMarkup([[_button(text(language, "button_glass"), nudge_id, Action.GLASS)]])


def nudge_keyboard(
    *,
    nudge_id: int,
    slot: str,
    language: str,
    snooze_count: int,
    snooze_minutes: int,
    breathing_length: SessionLength = DEFAULT_LENGTH,
) -> InlineKeyboardMarkup:
    """The buttons under a nudge: the main answer on a row of its own, so it is easy to hit.

    The breathing nudge also offers to breathe along now, for the member's session length.
    """
    kind = slot_kind(slot)
    done = _button(text(language, "button_done"), nudge_id, Action.DONE)
    skip = _button(text(language, "button_skip"), nudge_id, Action.SKIP)
    if kind == "water":
        return glass_keyboard(nudge_id=nudge_id, language=language)
    if kind == SLEEP_MORNING:
        hours = _hour_buttons(language, lambda h: NudgeButton(nudge_id, Action.HOURS, h).pack())
        return InlineKeyboardMarkup([hours, [skip]])
    if kind == SLEEP_WIND_DOWN:
        return InlineKeyboardMarkup([[done], [skip]])
    assert kind in ("walk", BREATHING), kind
    second_row = [skip]
    if snooze_count < MAX_SNOOZES:
        snooze = _button(text(language, "button_snooze", minutes=snooze_minutes), nudge_id, Action.SNOOZE)
        second_row = [snooze, skip]
    if kind == BREATHING:
        # Done stays the first button of every nudge; breathing along now comes right under it.
        start = start_from_nudge(language, nudge_id, breathing_length)
        return InlineKeyboardMarkup([[done], [start], second_row])
    return InlineKeyboardMarkup([[done], second_row])
