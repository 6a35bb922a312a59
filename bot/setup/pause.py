"""What /pause and /resume say and show: the pause lengths as buttons, the end in local time."""

from __future__ import annotations

from datetime import datetime
from typing import Final, Literal
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.calendar_words import short_month, short_weekday
from bot.callback_data import CallbackData
from bot.texts import text
from habits.pauses import PauseLength

RESUME: Final = "resume"
TODAY: Final = "today"


class PauseButton(CallbackData, prefix="p"):
    """A pause length under /pause (p:3d), or resume (p:resume; under /today p:resume:today)."""

    choice: PauseLength | Literal["resume"]
    # Where the button is: resuming from /today shows the day again.
    under: Literal["today"] | None = None

    def __post_init__(self) -> None:
        if self.under is not None and self.choice != RESUME:
            raise ValueError("only the resume button sits under /today")

    @property
    def length(self) -> PauseLength | None:
        """The pause length; None for the resume button."""
        return self.choice if isinstance(self.choice, PauseLength) else None


def pause_keyboard(language: str, *, paused: bool) -> InlineKeyboardMarkup:
    lengths = [
        InlineKeyboardButton(
            text(language, f"pause_{length.value}"), callback_data=PauseButton(length).pack()
        )
        for length in PauseLength
    ]
    rows = [lengths[:2], lengths[2:]]
    if paused:
        rows.append(
            [InlineKeyboardButton(text(language, "button_resume"), callback_data=PauseButton(RESUME).pack())]
        )
    return InlineKeyboardMarkup(rows)


def resume_keyboard(language: str) -> InlineKeyboardMarkup:
    """The one resume button under /today during a pause."""
    button = PauseButton(RESUME, under=TODAY)
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text(language, "button_resume"), callback_data=button.pack())]]
    )


def local_moment(language: str, instant: datetime, zone: str) -> str:
    """ "di 24 nov 08:15" / "Tue 24 Nov 08:15" in the member's time zone."""
    local = instant.astimezone(ZoneInfo(zone))
    weekday, month = short_weekday(language, local.weekday()), short_month(language, local.month)
    return f"{weekday} {local.day} {month} {local:%H:%M}"


def paused_text(language: str, ends_at: datetime | None, zone: str) -> str:
    if ends_at is None:
        return text(language, "paused_open")
    return text(language, "paused_until", until=local_moment(language, ends_at, zone))


def today_paused_text(language: str, ends_at: datetime | None, zone: str) -> str:
    """The line on top of /today during a pause: until when, in the member's time zone."""
    if ends_at is None:
        return text(language, "today_paused_open")
    return text(language, "today_paused_until", until=local_moment(language, ends_at, zone))
