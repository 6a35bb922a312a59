"""Telegram handlers: parse the update, call the function that does the work, reply. Nothing more."""

from __future__ import annotations

import logging
from dataclasses import replace

from sqlmodel import Session
from telegram import Update
from telegram.constants import ChatType

from bot.context import BotContext
from bot.keyboards import NudgeButton
from bot.nudge_messages import answer_line, answered_nudge_text, nudge_text
from bot.progress_messages import today_text
from bot.setup_flow import FlowReply
from bot.texts import text
from bot.typed_text import answer_typed_text
from habits import checkins, members
from habits.checkins import CheckInResult, Outcome
from habits.progress import today_progress
from storage import queries
from storage.models import Member

log = logging.getLogger(__name__)


def update_language(update: Update, context: BotContext) -> str:
    """nl or en for whoever sent the update, from Telegram's language before they are a member."""
    user = update.effective_user
    return members.language_for(
        user.language_code if user else None, context.services.settings.default_language
    )


async def sending_member(
    update: Update, context: BotContext, session: Session, *, unknown: str = "not_registered"
) -> Member | None:
    """The member who sent this update; anyone else gets the `unknown` hint, and None."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None
    assert chat is not None
    member = queries.get_member_by_telegram_id(session=session, telegram_id=user.id)
    if member is None:
        await context.sender.send_text(chat.id, text(update_language(update, context), unknown))
    return member


async def today(update: Update, context: BotContext) -> None:
    """Show today's checklist with progress per habit."""
    assert update.effective_chat is not None
    services = context.services
    with services.session() as session:
        member = await sending_member(update, context, session)
        if member is None:
            return
        progress = today_progress(session=session, member=member, now=services.clock())
    await context.sender.send_text(update.effective_chat.id, today_text(member.language, progress))


async def show_help(update: Update, context: BotContext) -> None:
    """Explain what the bot does, the commands and the text check-ins."""
    assert update.effective_chat is not None
    await context.sender.send_text(update.effective_chat.id, text(update_language(update, context), "help"))


async def nudge_button(update: Update, context: BotContext) -> None:
    """A tap on a nudge's button: record it and edit the nudge to show the answer."""
    query = update.callback_query
    assert query is not None
    services = context.services
    button = NudgeButton.unpack(query.data)
    if button is None:
        await context.sender.answer_callback(
            query.id, text(update_language(update, context), "answer_unknown")
        )
        return
    with services.direct_connection() as connection:
        result = checkins.answer_button(
            connection=connection,
            telegram_id=query.from_user.id,
            nudge_id=button.nudge_id,
            action=button.action,
            value=button.value,
            now=services.clock(),
        )
    await context.sender.answer_callback(query.id, answer_line(result))
    message = query.message
    if message is None or result.outcome is Outcome.UNKNOWN_NUDGE:
        return
    original = getattr(message, "text", None) or ""
    if result.outcome in (Outcome.RECORDED, Outcome.SNOOZED, Outcome.ALREADY_DONE, Outcome.EXPIRED):
        await context.sender.edit_text(
            message.chat.id, message.message_id, answered_nudge_text(original, result)
        )


async def unknown_button(update: Update, context: BotContext) -> None:
    """A button whose data the bot never made (or no longer knows): a short answer, nothing else."""
    query = update.callback_query
    assert query is not None
    await context.sender.answer_callback(query.id, text(update_language(update, context), "answer_unknown"))


async def typed_text(update: Update, context: BotContext) -> None:
    """Typed text: the answer to a screen that waits for it, else a check-in such as "2 glazen"."""
    message = update.effective_message
    assert message is not None
    assert message.from_user is not None
    services = context.services
    answer = answer_typed_text(
        engine=services.engine,
        telegram_id=message.from_user.id,
        typed=message.text or "",
        now=services.clock(),
    )
    if isinstance(answer, FlowReply):
        await deliver_flow_reply(context, message.chat.id, answer)
        return
    if answer.outcome is Outcome.NOT_REGISTERED:
        answer = replace(answer, language=update_language(update, context))
    if answer.outcome is Outcome.RECORDED:
        await _close_answered_nudge(context, message.chat.id, answer)
    await context.sender.send_text(message.chat.id, answer_line(answer))


async def deliver_flow_reply(
    context: BotContext, chat_id: int, reply: FlowReply, pressed_message_id: int | None = None
) -> list[int]:
    """Edit the setup screen in place, then send the new messages; returns the new menus' ids."""
    if reply.edit is not None:
        message_id = reply.edit_message_id or pressed_message_id
        if message_id is not None:
            await context.sender.edit_text(chat_id, message_id, reply.edit[0], reply.edit[1])
    menus = []
    for outgoing in reply.send:
        result = await context.sender.send_text(chat_id, outgoing.text, outgoing.markup)
        if outgoing.is_menu and result.message_id is not None:
            menus.append(result.message_id)
    return menus


async def _close_answered_nudge(context: BotContext, chat_id: int, result: CheckInResult) -> None:
    """A nudge answered by text loses its buttons too, so old prompts do not pile up."""
    nudge = result.nudge
    if nudge is None or nudge.message_id is None:
        return
    tip = context.services.tips.get(nudge.tip_id) if nudge.tip_id else None
    glasses_before = result.water_today - int(result.value or 0)
    original = nudge_text(
        language=result.language,
        slot=nudge.slot,
        tip=tip.text(result.language) if tip else None,
        glasses=max(glasses_before, 0),
        goal=result.water_goal,
    )
    await context.sender.edit_text(chat_id, nudge.message_id, answered_nudge_text(original, result))


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
