"""Handlers for a member's own data: /privacy, /export and /delete with its confirmation."""

from __future__ import annotations

from sqlmodel import Session
from telegram import Update

from bot.context import BotContext
from bot.members import for_member, update_language
from bot.privacy.export_words import export_words
from bot.privacy.keyboards import DeleteButton, delete_keyboard
from bot.texts import text
from habits import privacy
from storage import queries
from storage.models import Member


async def show_privacy(update: Update, context: BotContext) -> None:
    """What is stored, why, for how long, and how to get or erase it."""
    assert update.effective_chat is not None
    days = context.services.settings.reminder_log_days
    await context.sender.send_text(
        update.effective_chat.id, text(update_language(update, context), "privacy", days=days)
    )


async def export(update: Update, context: BotContext) -> None:
    """Send the member's own data: check-ins as CSV, settings as JSON."""
    chat = update.effective_chat
    assert chat is not None
    now = context.services.clock()

    def files_of(session: Session, member: Member) -> tuple[str, privacy.Export]:
        files = privacy.export_member_data(
            session=session, member=member, now=now, words=export_words(member.language)
        )
        return member.language, files

    found = await for_member(update, context, files_of, unknown="no_data")
    if found is None:
        return
    language, files = found
    await context.sender.send_text(chat.id, text(language, "export_intro"))
    await context.sender.send_document(
        chat.id,
        files.checkins_csv,
        privacy.CHECKINS_FILENAME,
        caption=text(language, "export_checkins_caption", count=files.checkin_count),
    )
    await context.sender.send_document(
        chat.id,
        files.settings_json,
        privacy.SETTINGS_FILENAME,
        caption=text(language, "export_settings_caption"),
    )


async def delete(update: Update, context: BotContext) -> None:
    """Ask before erasing everything: a confirm and a cancel button."""
    chat = update.effective_chat
    assert chat is not None
    language = await for_member(update, context, lambda _session, member: member.language, unknown="no_data")
    if language is None:
        return
    issued_at = int(context.services.clock().timestamp())
    await context.sender.send_text(
        chat.id, text(language, "delete_confirm"), delete_keyboard(language, issued_at)
    )


DELETE_REPLIES = {
    privacy.DeleteAnswer.ERASED: "delete_done",
    privacy.DeleteAnswer.CANCELLED: "delete_cancelled",
    privacy.DeleteAnswer.EXPIRED: "delete_expired",
    privacy.DeleteAnswer.NOTHING_STORED: "no_data",
}


async def delete_button(update: Update, context: BotContext) -> None:
    """The answer to /delete's question: erase everything, or keep it."""
    query = update.callback_query
    assert query is not None
    services = context.services
    button = DeleteButton.unpack(query.data)
    with services.session() as session:
        member = queries.get_member_by_telegram_id(session=session, telegram_id=query.from_user.id)
        language = member.language if member else update_language(update, context)
        answer = privacy.answer_delete_question(
            session=session,
            telegram_id=query.from_user.id,
            confirmed=button is not None and button.confirmed,
            asked_at=button.issued_at if button else None,
            now=services.clock(),
        )
    await context.sender.answer_callback(query.id)
    message = query.message
    if message is not None:
        await context.sender.edit_text(
            message.chat.id, message.message_id, text(language, DELETE_REPLIES[answer])
        )
