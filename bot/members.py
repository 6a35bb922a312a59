"""The member behind an update, read in one short database session.

Handlers hand `for_member` the work to do with the member; the session closes before anything goes
to Telegram, and someone who is not a member is told to send /start only after it has closed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlmodel import Session
from telegram import Update

from bot.context import BotContext
from bot.texts import text
from habits import members
from storage import queries
from storage.models import Member

T = TypeVar("T")


def update_language(update: Update, context: BotContext) -> str:
    """nl or en for whoever sent the update, from Telegram's language before they are a member."""
    user = update.effective_user
    return members.language_for(
        user.language_code if user else None, context.services.settings.default_language
    )


async def for_member(
    update: Update,
    context: BotContext,
    work: Callable[[Session, Member], T],
    *,
    unknown: str = "not_registered",
) -> T | None:
    """`work(session, member)` for the member who sent this update, else the `unknown` hint and None."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None
    assert chat is not None
    with context.services.session() as session:
        member = queries.get_member_by_telegram_id(session=session, telegram_id=user.id)
        result = work(session, member) if member is not None else None
    if member is None:
        await context.sender.send_text(chat.id, text(update_language(update, context), unknown))
    return result
