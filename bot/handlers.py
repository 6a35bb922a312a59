"""Handlers every feature shares: /help, groups, unknown commands, buttons and messages, errors.

Each handler parses the update, calls the function that does the work, and replies. Nothing more.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType

from bot.context import BotContext
from bot.members import update_language
from bot.texts import text

log = logging.getLogger(__name__)


async def show_help(update: Update, context: BotContext) -> None:
    """Explain what the bot does, the commands and the text check-ins."""
    assert update.effective_chat is not None
    await context.sender.send_text(update.effective_chat.id, text(update_language(update, context), "help"))


async def unknown_button(update: Update, context: BotContext) -> None:
    """A button whose data the bot never made (or no longer knows): a short answer, nothing else."""
    query = update.callback_query
    assert query is not None
    await context.sender.answer_callback(query.id, text(update_language(update, context), "answer_unknown"))


async def not_in_private_chat(update: Update, context: BotContext) -> None:
    """Groups and channels get one polite line; the bot works in private chats."""
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.CHANNEL:
        return
    await context.sender.send_text(chat.id, text(update_language(update, context), "private_only"))


async def unknown_command(update: Update, context: BotContext) -> None:
    """A command the bot does not know."""
    assert update.effective_chat is not None
    await context.sender.send_text(
        update.effective_chat.id, text(update_language(update, context), "unknown_command")
    )


async def non_text_message(update: Update, context: BotContext) -> None:
    """Stickers, photos, voice notes and the like get a short hint."""
    assert update.effective_chat is not None
    await context.sender.send_text(
        update.effective_chat.id, text(update_language(update, context), "non_text")
    )


async def on_error(update: object, context: BotContext) -> None:
    """Log the error (the log filter keeps the token out) and apologise where a member waits."""
    log.error("error while handling an update", exc_info=context.error)
    chat = update.effective_chat if isinstance(update, Update) else None
    if isinstance(update, Update) and chat is not None and chat.type == ChatType.PRIVATE:
        await context.sender.send_text(chat.id, text(update_language(update, context), "error_apology"))
