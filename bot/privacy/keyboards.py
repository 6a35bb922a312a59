"""The /delete question's buttons and the callback data behind them."""

from __future__ import annotations

from typing import Annotated

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callback_data import CallbackData, CallbackDataError, Range
from bot.texts import text


class DeleteButton(CallbackData, prefix="del"):
    """The answer to /delete's question: del:yes:{issued_at} or del:no."""

    confirmed: bool
    # When the question was asked (Unix seconds); a stale "yes" asks again.
    issued_at: Annotated[int, Range(0, 10**12 - 1)] | None = None

    def __post_init__(self) -> None:
        if self.confirmed != (self.issued_at is not None):
            raise CallbackDataError(f"a yes, and only a yes, carries when it was asked: {self!r}")


def delete_keyboard(language: str, issued_at: int) -> InlineKeyboardMarkup:
    """Erase or keep: two big buttons, each on its own row."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    text(language, "button_delete_confirm"),
                    callback_data=DeleteButton(confirmed=True, issued_at=issued_at).pack(),
                )
            ],
            [
                InlineKeyboardButton(
                    text(language, "button_delete_cancel"), callback_data=DeleteButton(confirmed=False).pack()
                )
            ],
        ]
    )
