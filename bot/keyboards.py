"""Inline keyboards and the callback data behind their buttons: big buttons, one tap each."""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.texts import text
from habits.checkins import MAX_SNOOZES, Action, slot_kind
from scheduler.slots import BREATHING, SLEEP_MORNING, SLEEP_WIND_DOWN

SLEEP_HOUR_CHOICES = (5, 6, 7, 8, 9)
NUDGE_CALLBACK_PATTERN = r"^n:"
# [0-9], not \\d: \\d also matches other scripts' digits ("n:١:done").
_NUDGE_CALLBACK = re.compile(r"^n:([0-9]{1,18}):(done|skip|snooze|glass|hours)(?::([0-9]{1,2}))?$")


@dataclass(frozen=True)
class NudgeButton:
    nudge_id: int
    action: Action
    value: float | None = None


def nudge_callback(nudge_id: int, action: Action, value: int | None = None) -> str:
    suffix = f":{value}" if value is not None else ""
    return f"n:{nudge_id}:{action.value}{suffix}"


def parse_nudge_callback(data: str | None) -> NudgeButton | None:
    """The button behind callback data, or None for anything malformed."""
    match = _NUDGE_CALLBACK.fullmatch(data or "")
    if match is None:
        return None
    nudge_id, action, value = match.groups()
    if (action == Action.HOURS) != (value is not None):
        return None
    return NudgeButton(int(nudge_id), Action(action), float(value) if value else None)


def _button(label: str, nudge_id: int, action: Action, value: int | None = None) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=nudge_callback(nudge_id, action, value))


def nudge_keyboard(
    *, nudge_id: int, slot: str, language: str, snooze_count: int, snooze_minutes: int
) -> InlineKeyboardMarkup:
    """The buttons under a nudge: the main answer on a row of its own, so it is easy to hit."""
    kind = slot_kind(slot)
    done = _button(text(language, "button_done"), nudge_id, Action.DONE)
    skip = _button(text(language, "button_skip"), nudge_id, Action.SKIP)
    if kind == "water":
        return InlineKeyboardMarkup([[_button(text(language, "button_glass"), nudge_id, Action.GLASS)]])
    if kind == SLEEP_MORNING:
        hours = [
            _button(
                text(
                    language, "button_hours_max" if h == SLEEP_HOUR_CHOICES[-1] else "button_hours", hours=h
                ),
                nudge_id,
                Action.HOURS,
                h,
            )
            for h in SLEEP_HOUR_CHOICES
        ]
        return InlineKeyboardMarkup([hours, [skip]])
    if kind == SLEEP_WIND_DOWN:
        return InlineKeyboardMarkup([[done], [skip]])
    assert kind in ("walk", BREATHING), kind
    second_row = [skip]
    if snooze_count < MAX_SNOOZES:
        snooze = _button(text(language, "button_snooze", minutes=snooze_minutes), nudge_id, Action.SNOOZE)
        second_row = [snooze, skip]
    return InlineKeyboardMarkup([[done], second_row])


DELETE_CALLBACK_PATTERN = r"^del:"
_DELETE_CALLBACK = re.compile(r"^del:(?:yes:(\d{1,12})|no)$")


@dataclass(frozen=True)
class DeleteButton:
    confirmed: bool
    # When the question was asked (Unix seconds); a stale "yes" asks again.
    issued_at: int | None = None


def delete_keyboard(language: str, issued_at: int) -> InlineKeyboardMarkup:
    """Erase or keep: two big buttons, each on its own row."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    text(language, "button_delete_confirm"), callback_data=f"del:yes:{issued_at}"
                )
            ],
            [InlineKeyboardButton(text(language, "button_delete_cancel"), callback_data="del:no")],
        ]
    )


def parse_delete_callback(data: str | None) -> DeleteButton | None:
    match = _DELETE_CALLBACK.fullmatch(data or "")
    if match is None:
        return None
    issued = match.group(1)
    return DeleteButton(confirmed=issued is not None, issued_at=int(issued) if issued else None)
