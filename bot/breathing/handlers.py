"""Handlers for guided breathing: /adem and /breathe, the nudge's start button, stop and start again."""

from __future__ import annotations

from sqlmodel import Session
from telegram import Update

from bot.breathing.keyboards import BreathingAction, BreathingButton
from bot.breathing.runner import AlreadyRunning, OpenedSession, StoppedSession
from bot.breathing.views import already_running_text, session_over_text, starting_text
from bot.context import BotContext
from bot.members import for_member, update_language
from bot.texts import text
from storage.models import Member


async def breathe(update: Update, context: BotContext) -> None:
    """Start a guided session now, whatever the time and even during a pause: the member asked."""
    chat = update.effective_chat
    assert chat is not None
    runner = context.breathing

    def open_session(session: Session, member: Member) -> OpenedSession | AlreadyRunning:
        return runner.open(session, member, nudge_id=None)

    opened = await for_member(update, context, open_session)
    if isinstance(opened, AlreadyRunning):
        # Its message is held back while nudges go out and answers this one too, soon: a reply
        # saying so would be one more message in the nudges' way.
        if not opened.starting:
            await context.sender.send_text(chat.id, already_running_text(opened.language))
    elif opened is not None:
        await runner.begin(opened)


def start_toast(opened: OpenedSession | AlreadyRunning | None) -> str | None:
    """What the tap on ▶️ answers: nothing when the session appears at once."""
    if isinstance(opened, AlreadyRunning):
        return starting_text(opened.language) if opened.starting else already_running_text(opened.language)
    if opened is not None and opened.waits:
        return starting_text(opened.language)
    return None


async def breathing_button(update: Update, context: BotContext) -> None:
    """▶️ on a breathing nudge or under an ended session, or ⏹️ on a running one."""
    query = update.callback_query
    assert query is not None
    button = BreathingButton.unpack(query.data)
    if button is None:
        await context.sender.answer_callback(
            query.id, text(update_language(update, context), "answer_unknown")
        )
        return
    runner = context.breathing
    if button.action is BreathingAction.START:

        def open_session(session: Session, member: Member) -> OpenedSession | AlreadyRunning:
            return runner.open(session, member, nudge_id=button.nudge_id)

        opened = await for_member(update, context, open_session)
        await context.sender.answer_callback(query.id, start_toast(opened))
        if isinstance(opened, OpenedSession):
            await runner.begin(opened)
        return
    session_id = button.session_id
    assert session_id is not None

    def stop_session(session: Session, member: Member) -> tuple[StoppedSession | None, str]:
        return runner.stop(session, member, session_id), member.language

    found = await for_member(update, context, stop_session)
    if found is None:
        await context.sender.answer_callback(query.id)
        return
    stopped, language = found
    await context.sender.answer_callback(query.id, None if stopped else session_over_text(language))
    if stopped is not None:
        await runner.show_stopped(stopped)
