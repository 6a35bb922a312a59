"""Handlers for answering nudges: a tap on a nudge's button, or typed text such as "2 glazen"."""

from __future__ import annotations

from dataclasses import replace

from telegram import Update

from bot.context import BotContext
from bot.members import update_language
from bot.nudges.keyboards import NudgeButton
from bot.nudges.messages import answer_line, answered_nudge_text, nudge_text
from bot.nudges.typed_text import answer_typed_text
from bot.setup.flow import FlowReply
from bot.setup.handlers import deliver_flow_reply
from bot.texts import text
from habits import checkins
from habits.checkins import CheckInResult, Outcome
from storage.kinds import CheckInSource


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
    if result.outcome is Outcome.RECORDED:
        services.metrics.count_checkin(CheckInSource.BUTTON)
    await context.sender.answer_callback(query.id, answer_line(result))
    message = query.message
    if message is None or result.outcome is Outcome.UNKNOWN_NUDGE:
        return
    original = getattr(message, "text", None) or ""
    if result.outcome in (Outcome.RECORDED, Outcome.SNOOZED, Outcome.ALREADY_DONE, Outcome.EXPIRED):
        await context.sender.edit_text(
            message.chat.id, message.message_id, answered_nudge_text(original, result)
        )


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
        services.metrics.count_checkin(CheckInSource.TEXT)
        await _close_answered_nudge(context, message.chat.id, answer)
    await context.sender.send_text(message.chat.id, answer_line(answer))


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
