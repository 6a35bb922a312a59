"""The buttons of guided breathing and the callback data behind them.

b:start starts a session (b:start:42 from breathing nudge 42, whose check-in it then stores);
b:stop:7 stops session 7, and only that one, so an old message's button cannot stop a newer one.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.breathing.views import restart_button, start_button, stop_button
from bot.callback_data import CallbackData, CallbackDataError, Range
from habits.breathing import SessionLength


class BreathingAction(StrEnum):
    START = "start"
    STOP = "stop"


class BreathingButton(CallbackData, prefix="b"):
    """b:start[:{nudge_id}] or b:stop:{session_id}."""

    action: BreathingAction
    number: Annotated[int, Range(0, 10**18 - 1)] | None = None

    def __post_init__(self) -> None:
        if self.action is BreathingAction.STOP and self.number is None:
            raise CallbackDataError(f"stop names the session it stops: {self!r}")

    @property
    def nudge_id(self) -> int | None:
        return self.number if self.action is BreathingAction.START else None

    @property
    def session_id(self) -> int | None:
        return self.number if self.action is BreathingAction.STOP else None


def start_from_nudge(language: str, nudge_id: int, length: SessionLength) -> InlineKeyboardButton:
    """The breathing nudge's "▶️ Samen ademen (2 min)"."""
    return InlineKeyboardButton(
        start_button(language, length), callback_data=BreathingButton(BreathingAction.START, nudge_id).pack()
    )


def stop_keyboard(language: str, session_id: int) -> InlineKeyboardMarkup:
    button = BreathingButton(BreathingAction.STOP, session_id)
    return InlineKeyboardMarkup([[InlineKeyboardButton(stop_button(language), callback_data=button.pack())]])


def again_keyboard(language: str, nudge_id: int | None) -> InlineKeyboardMarkup:
    """Under a stopped or interrupted session: start again (still answering its nudge, if any)."""
    button = InlineKeyboardButton(
        restart_button(language), callback_data=BreathingButton(BreathingAction.START, nudge_id).pack()
    )
    return InlineKeyboardMarkup([[button]])
