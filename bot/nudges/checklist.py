"""Quiet mode's one message a day: today's habits, with a button to answer each from, and a line
saying that the bot stays quiet until the member answers anything.

`scheduler/nagging.py` decides when it goes (it replaces a nudge); a tap records the check-in
(`habits/checklist.py`), edits the checklist to the answer without buttons and ends quiet mode.
"""

from __future__ import annotations

from typing import Annotated

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.callback_data import CallbackData, CallbackDataError, Range
from bot.context import BotContext
from bot.members import update_language
from bot.nudges.keyboards import SLEEP_HOUR_CHOICES
from bot.nudges.messages import answer_line
from bot.setup.keyboards import HABIT_EMOJI
from bot.texts import text
from habits.checkins import Outcome
from habits.checklist import ChecklistItem, answer_checklist
from scheduler.nagging import ChecklistPrompt
from storage.kinds import Habit

ITEMS = {
    Habit.WATER: ChecklistItem.WATER,
    Habit.WALK: ChecklistItem.WALK,
    Habit.BREATHING: ChecklistItem.BREATHING,
}


class ChecklistButton(CallbackData, prefix="cl"):
    """A tap on the checklist: cl:{nudge_id}:{item}, and for the night's hours :{hours}."""

    nudge_id: Annotated[int, Range(0, 10**18 - 1)]
    item: ChecklistItem
    hours: Annotated[int, Range(0, 99)] | None = None

    def __post_init__(self) -> None:
        if (self.item is ChecklistItem.SLEEP) != (self.hours is not None):
            raise CallbackDataError(f"the night's hours, and only they, carry a value: {self!r}")


def checklist_message(
    language: str, nudge_id: int, checklist: ChecklistPrompt
) -> tuple[str, InlineKeyboardMarkup]:
    names = " · ".join(
        f"{HABIT_EMOJI[habit]} {text(language, f'habit_{habit.value}')}" for habit in checklist.habits
    )
    rows: list[list[InlineKeyboardButton]] = []
    singles = [
        InlineKeyboardButton(
            text(language, f"button_checklist_{item.value}"),
            callback_data=ChecklistButton(nudge_id, item).pack(),
        )
        for habit, item in ITEMS.items()
        if habit in checklist.habits
    ]
    if singles:
        rows.append(singles)
    if Habit.SLEEP in checklist.habits:
        rows.append(
            [
                InlineKeyboardButton(
                    text(
                        language,
                        "button_checklist_hours_max"
                        if hours == SLEEP_HOUR_CHOICES[-1]
                        else "button_checklist_hours",
                        hours=hours,
                    ),
                    callback_data=ChecklistButton(nudge_id, ChecklistItem.SLEEP, hours).pack(),
                )
                for hours in SLEEP_HOUR_CHOICES
            ]
        )
    return text(language, "checklist", habits=names), InlineKeyboardMarkup(rows)


async def checklist_button(update: Update, context: BotContext) -> None:
    """A tap on the checklist: record it and edit the checklist to the answer, without buttons."""
    query = update.callback_query
    assert query is not None
    button = ChecklistButton.unpack(query.data)
    if button is None:
        await context.sender.answer_callback(
            query.id, text(update_language(update, context), "answer_unknown")
        )
        return
    services = context.services
    with services.session() as session:
        result = answer_checklist(
            session=session,
            telegram_id=query.from_user.id,
            nudge_id=button.nudge_id,
            item=button.item,
            hours=button.hours,
            now=services.clock(),
        )
    line = answer_line(result)
    await context.sender.answer_callback(query.id, line)
    message = query.message
    if message is None or result.outcome is Outcome.UNKNOWN_NUDGE:
        return
    original = getattr(message, "text", None) or ""
    answered = (
        text(result.language, "checklist_answered", answer=line)
        if result.outcome is Outcome.RECORDED
        else line
    )
    await context.sender.edit_text(message.chat.id, message.message_id, f"{original}\n\n{answered}")
