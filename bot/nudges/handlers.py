"""Answering nudges: a tap on a button, a reaction on the nudge, or typed text such as "2 glazen"."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from datetime import date

from telegram import InlineKeyboardMarkup, MessageReactionUpdated, ReactionTypeEmoji, Update
from telegram.constants import ChatType

from bot.context import BotContext
from bot.members import update_language
from bot.nudges.keyboards import NudgeButton, SleepHoursButton, glass_keyboard, sleep_hours_keyboard
from bot.nudges.messages import answer_line, answer_mark, answered_nudge_text, nudge_text
from bot.nudges.typed_text import answer_typed_text
from bot.setup.flow import FlowReply
from bot.setup.handlers import deliver_flow_reply
from bot.texts import text
from habits import checkins
from habits.checkins import CheckInResult, Outcome
from habits.parsing import Command
from storage.kinds import CheckInSource

# A command's handler, run when its word is typed without the slash ("stop", "instellingen").
TypedCommands = Mapping[Command, Callable[[Update, BotContext], Awaitable[None]]]
# Reactions that mean "done" (compared without the emoji variation selector: Telegram sends ❤ bare).
DONE_REACTIONS = frozenset({"👍", "👌", "💪", "🔥", "✅", "❤"})
_VARIATION_SELECTOR = "\ufe0f"


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
    # Not ALREADY_DONE: a second tap (often a double tap) would overwrite what the first one's
    # edit says with "already answered"; its toast says that instead.
    if result.outcome in (Outcome.RECORDED, Outcome.SNOOZED, Outcome.EXPIRED):
        await context.sender.edit_text(
            message.chat.id, message.message_id, answered_nudge_text(original, answer_line(result))
        )
    if result.outcome is Outcome.RECORDED:
        # The +1 under "water counts glasses" answers the nudge further up: it loses its button too.
        await _mark_nudge(context, message.chat.id, result, unless_message=message.message_id)


async def sleep_hours_button(update: Update, context: BotContext) -> None:
    """An hour button under "how many hours did you sleep?" (after "slecht geslapen")."""
    query = update.callback_query
    assert query is not None
    services = context.services
    button = SleepHoursButton.unpack(query.data)
    if button is None:
        await context.sender.answer_callback(
            query.id, text(update_language(update, context), "answer_unknown")
        )
        return
    with services.direct_connection() as connection:
        result = checkins.answer_sleep_hours(
            connection=connection,
            telegram_id=query.from_user.id,
            day=date.fromordinal(button.day),
            hours=float(button.hours),
            now=services.clock(),
        )
    await context.sender.answer_callback(query.id, answer_line(result))
    message = query.message
    if message is None or result.outcome not in (Outcome.RECORDED, Outcome.EXPIRED):
        return
    original = getattr(message, "text", None) or ""
    await context.sender.edit_text(
        message.chat.id, message.message_id, answered_nudge_text(original, answer_line(result))
    )
    if result.outcome is Outcome.RECORDED:
        await _mark_nudge(context, message.chat.id, result, unless_message=message.message_id)


def _emoji(reaction: object) -> str | None:
    if isinstance(reaction, ReactionTypeEmoji):
        return reaction.emoji.replace(_VARIATION_SELECTOR, "")
    return None  # a custom emoji or a paid star: nothing says what it means


def _adds_done(reaction: MessageReactionUpdated) -> bool:
    """A "done" emoji is among the new reactions and was not there before (taking one back: no)."""
    before = {_emoji(old) for old in reaction.old_reaction}
    return any(
        emoji in DONE_REACTIONS and emoji not in before for emoji in map(_emoji, reaction.new_reaction)
    )


async def reaction(update: Update, context: BotContext) -> None:
    """👍 (or 👌 💪 🔥 ✅ ❤️) by the member on their open nudge: the same as its done button (water:
    +1 glass), and the nudge is edited the same way. Anything else, such as a reaction on an
    answered, old or someone else's message, changes nothing and gets no answer: a reaction asks
    for none."""
    reacted = update.message_reaction
    if reacted is None or reacted.user is None:
        return
    chat = reacted.chat
    # Message ids count per chat: only the member's own private chat holds their nudges.
    if chat.type != ChatType.PRIVATE or chat.id != reacted.user.id or not _adds_done(reacted):
        return
    services = context.services
    with services.direct_connection() as connection:
        result = checkins.answer_reaction(
            connection=connection,
            telegram_id=reacted.user.id,
            message_id=reacted.message_id,
            now=services.clock(),
        )
    if result.outcome is Outcome.RECORDED:
        services.metrics.count_checkin(CheckInSource.REACTION)
        await _edit_nudge(context, chat.id, result, answer_line(result))


async def typed_text(update: Update, context: BotContext, *, commands: TypedCommands) -> None:
    """Typed text: the answer to a screen that waits for it, else a check-in such as "2 glazen".

    A command word typed without its slash runs that command (`commands`, from the app builder).
    A check-in is confirmed once: the reply at the bottom of the chat says it in full, and the
    nudge it answered, further up, loses its buttons and gets only a short mark.
    """
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
    if answer.outcome is Outcome.COMMAND and answer.command is not None:
        await commands[answer.command](update, context)
        return
    if answer.outcome is Outcome.NOT_REGISTERED:
        answer = replace(answer, language=update_language(update, context))
    if answer.outcome is Outcome.RECORDED:
        services.metrics.count_checkin(CheckInSource.TEXT)
    if answer.outcome in (Outcome.RECORDED, Outcome.SNOOZED):
        await _mark_nudge(context, message.chat.id, answer)
    await context.sender.send_text(message.chat.id, answer_line(answer), _reply_keyboard(answer))


def _reply_keyboard(answer: CheckInResult) -> InlineKeyboardMarkup | None:
    """The buttons a reply offers: the hours when it asks for them, +1 when water cannot be skipped."""
    if answer.outcome is Outcome.NEEDS_HOURS and answer.day is not None:
        return sleep_hours_keyboard(answer.language, answer.day)
    if answer.outcome is Outcome.WATER_COUNTS_GLASSES and answer.nudge is not None:
        return glass_keyboard(nudge_id=answer.nudge.id, language=answer.language)
    return None


async def _mark_nudge(
    context: BotContext, chat_id: int, result: CheckInResult, *, unless_message: int | None = None
) -> None:
    """A nudge answered elsewhere loses its buttons too, so old prompts do not pile up."""
    nudge = result.nudge
    if nudge is not None and nudge.message_id is not None and nudge.message_id != unless_message:
        await _edit_nudge(context, chat_id, result, answer_mark(result))


async def _edit_nudge(context: BotContext, chat_id: int, result: CheckInResult, answer: str) -> None:
    """Edit the answered nudge, rebuilt as it was sent, to show `answer` under it and no buttons."""
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
    await context.sender.edit_text(chat_id, nudge.message_id, answered_nudge_text(original, answer))
