"""The admins' handlers for tips: read the command or button, call tips/ and storage/, reply.

Only admins reach `tip_command` (its filter in bot/app.py); for anyone else `/tip` falls through
to the unknown-command answer. Buttons cannot be filtered that way, so `tip_button` checks the
sender itself and answers a non-admin exactly like a stale nudge button.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from telegram import Update, User
from telegram.ext import filters

from bot.admin import messages as admin_messages
from bot.admin.messages import Reply, TipButton
from bot.admin.texts import admin_text
from bot.context import BotContext, BotServices
from bot.settings import Settings
from bot.texts import text
from habits.members import language_for
from storage import queries, stats_queries
from tips.commands import TipAction, TipCommand, TipUsage, command_arguments, parse_tip_command
from tips.editing import AddTip, SetEnabled, SetText, TipEdit, TipEditError, log_tip_changes
from tips.schema import MAX_TIP_LENGTH
from tips.store import ReloadResult, ReloadStatus

log = logging.getLogger(__name__)
HISTORY_LENGTH = 15
DUTCH_ACTION_WORDS = {
    TipAction.SHOW: "toon",
    TipAction.ENABLE: "aan",
    TipAction.DISABLE: "uit",
    TipAction.HISTORY: "geschiedenis",
}


@dataclass(frozen=True)
class Admin:
    user_id: int
    name: str
    language: str


def admin_only(settings: Settings) -> filters.BaseFilter:
    """Messages sent by an admin themself; a forwarded message never counts as an admin's."""
    return filters.User(user_id=settings.admin_ids) & ~filters.FORWARDED


def _admin(user: User, services: BotServices) -> Admin:
    with services.session() as session:
        member = queries.get_member_by_telegram_id(session=session, telegram_id=user.id)
    language = (
        member.language if member else language_for(user.language_code, services.settings.default_language)
    )
    return Admin(user.id, user.full_name, language)


async def tip_command(update: Update, context: BotContext) -> None:
    """/tip (or /tips) with its Dutch or English subcommand."""
    message = update.effective_message
    assert message is not None
    assert message.from_user is not None
    admin = _admin(message.from_user, context.services)
    command = parse_tip_command(command_arguments(message.text or ""))
    for body, keyboard in _perform(command, context.services, admin):
        await context.sender.send_text(message.chat_id, body, keyboard)


async def tip_button(update: Update, context: BotContext) -> None:
    """A tap on an admin button: navigate, switch a tip on or off, or act on it."""
    query = update.callback_query
    assert query is not None
    services = context.services
    if query.from_user.id not in services.settings.admin_ids:
        language = language_for(query.from_user.language_code, services.settings.default_language)
        await context.sender.answer_callback(query.id, text(language, "answer_unknown"))
        return
    admin = _admin(query.from_user, services)
    button = TipButton.unpack(query.data)
    message = query.message
    if button is None or message is None:
        await context.sender.answer_callback(query.id, text(admin.language, "answer_unknown"))
        return
    if button.action == "pv":
        await context.sender.answer_callback(query.id, admin_text(admin.language, "preview_pressed"))
        return
    in_place: Reply | None = None
    replies: list[Reply] = []
    notice: str | None = None
    library = services.tips
    if button.action == "menu":
        in_place = admin_messages.menu(admin.language, library)
    elif button.action == "l" and button.group is not None:
        in_place = admin_messages.tip_list(admin.language, library, button.group)
    elif button.action == "s" and button.tip_id is not None:
        in_place = _show(admin, services, button.tip_id)
    elif button.action in ("on", "off") and button.tip_id is not None:
        edit = SetEnabled(button.tip_id, enabled=button.action == "on")
        outcome = _edit(services, admin, edit)
        if isinstance(outcome, str):
            replies.append((outcome, None))
        else:
            notice = admin_text(admin.language, "enabled" if edit.enabled else "disabled", tip_id=edit.tip_id)
            tip = services.tips.get(edit.tip_id)
            if button.view == "l" and tip is not None:
                in_place = admin_messages.tip_list(admin.language, services.tips, tip.group)
            else:
                in_place = _show(admin, services, edit.tip_id)
    else:
        replies = _perform(_command_of(button.action, button.tip_id), services, admin)
    await context.sender.answer_callback(query.id, notice)
    if in_place is not None:
        await context.sender.edit_text(message.chat.id, message.message_id, *in_place)
    for body, keyboard in replies:
        await context.sender.send_text(message.chat.id, body, keyboard)


async def watch_tip_file(context: BotContext) -> None:
    """Reload the tip file when it was edited by hand (a repeating JobQueue job)."""
    services = context.services
    result = services.tip_store.reload_if_changed()
    if result.status is ReloadStatus.UNCHANGED:
        return
    _log_reload(services, result)
    file = services.tip_store.path.name
    for admin_id in sorted(services.settings.admin_ids):
        language = _language_of(services, admin_id)
        if result.status is ReloadStatus.REFUSED:
            message = admin_text(language, "watch_refused", file=file, error=result.error)
        else:
            message = admin_text(language, "watch_reloaded", file=file, count=len(result.changes))
        await context.sender.send_text(admin_id, message)


def _command_of(action: str, tip_id: str | None) -> TipCommand:
    actions = {
        "send": TipAction.SEND,
        "h": TipAction.HISTORY,
        "stats": TipAction.STATS,
        "reload": TipAction.RELOAD,
    }
    return TipCommand(actions[action], tip_id=tip_id)


def _perform(command: TipCommand | TipUsage, services: BotServices, admin: Admin) -> list[Reply]:
    """Do what the command asks and return the replies."""
    language = admin.language
    if isinstance(command, TipUsage):
        return [(_usage(language, command.action), None)]
    action, library = command.action, services.tips
    if action is TipAction.MENU:
        return [admin_messages.menu(language, library)]
    if action is TipAction.HELP:
        return [(admin_text(language, "usage"), None)]
    if action is TipAction.LIST and command.group is not None:
        return [admin_messages.tip_list(language, library, command.group)]
    if action is TipAction.RELOAD:
        return [(_reload(services, language), None)]
    if action is TipAction.STATS:
        return [(body, None) for body in _statistics(services, language)]
    if action is TipAction.ADD:
        return [_apply(services, admin, command)]
    assert command.tip_id is not None
    tip = library.get(command.tip_id)
    if tip is None:
        return [(admin_text(language, "unknown_tip", tip_id=command.tip_id), None)]
    if action is TipAction.SHOW:
        return [_show(admin, services, command.tip_id)]
    if action is TipAction.SEND:
        assert tip is not None
        return [admin_messages.preview_nudge(language, tip, command.language or language)]
    if action is TipAction.HISTORY:
        with services.session() as session:
            changes = queries.tip_changes(session=session, tip_id=command.tip_id, limit=HISTORY_LENGTH)
        zone = ZoneInfo(services.settings.default_timezone)
        return [(admin_messages.history(language, command.tip_id, changes, zone), None)]
    return [_apply(services, admin, command)]


def _apply(services: BotServices, admin: Admin, command: TipCommand) -> Reply:
    """Add a tip, change a text, or switch a tip on or off; answer with the tip as it is now."""
    edit: TipEdit
    if command.action is TipAction.ADD:
        assert command.group is not None
        edit = AddTip(command.group, command.nl, command.en)
    elif command.action is TipAction.EDIT:
        assert command.tip_id is not None
        assert command.language is not None
        edit = SetText(command.tip_id, command.language, command.text)
    else:
        assert command.tip_id is not None
        edit = SetEnabled(command.tip_id, enabled=command.action is TipAction.ENABLE)
    outcome = _edit(services, admin, edit)
    if isinstance(outcome, str):
        return outcome, None
    tip_id, changed = outcome
    language = admin.language
    if not changed:
        note = admin_text(language, "no_change")
    elif isinstance(edit, AddTip):
        note = admin_text(language, "added", tip_id=tip_id)
    elif isinstance(edit, SetText):
        note = admin_text(language, "edited", field=edit.language)
    else:
        note = admin_text(language, "enabled" if edit.enabled else "disabled", tip_id=tip_id)
    return _show(admin, services, tip_id, note=note)


def _edit(services: BotServices, admin: Admin, edit: TipEdit) -> tuple[str, bool] | str:
    """Apply and log an edit: (tip id, whether anything changed), or why it was refused."""
    try:
        edited = services.tip_store.apply(edit)
    except TipEditError as error:
        log.info("tip edit refused: %s", error)
        return admin_text(
            admin.language,
            error.problem.value,
            tip_id=error.detail,
            detail=error.detail,
            length=error.length,
            limit=MAX_TIP_LENGTH,
        )
    with services.session() as session:
        log_tip_changes(
            session=session,
            changes=edited.changes,
            changed_by=admin.user_id,
            changed_by_name=admin.name,
            now=services.clock(),
        )
    return edited.tip_id, bool(edited.changes)


def _show(admin: Admin, services: BotServices, tip_id: str, *, note: str = "") -> Reply:
    tip = services.tips.get(tip_id)
    if tip is None:
        return admin_text(admin.language, "unknown_tip", tip_id=tip_id), None
    return admin_messages.tip_preview(admin.language, tip, note=note)


def _reload(services: BotServices, language: str) -> str:
    # The admin who asks for a reload did not make the changes in the file: they are logged
    # as edits of the file by hand.
    result = services.tip_store.reload()
    _log_reload(services, result)
    if result.status is ReloadStatus.REFUSED:
        return admin_text(language, "reload_refused", error=result.error)
    if result.changes:
        return admin_text(language, "reloaded", count=len(result.changes))
    return admin_text(language, "reload_unchanged")


def _log_reload(services: BotServices, result: ReloadResult) -> None:
    if result.status is ReloadStatus.REFUSED:
        log.warning("tip file refused, the previous tips stay in use: %s", result.error)
        return
    with services.session() as session:
        log_tip_changes(
            session=session, changes=result.changes, changed_by=None, changed_by_name="", now=services.clock()
        )


def _statistics(services: BotServices, language: str) -> list[str]:
    now = services.clock()
    with services.session() as session:
        counts = stats_queries.tip_send_counts(session=session, now=now)
        members = stats_queries.member_counts(session=session, now=now)
        held_back = stats_queries.held_back_counts(session=session, now=now)
    return admin_messages.statistics(language, services.tips, counts, members, held_back)


def _usage(language: str, action: TipAction | None) -> str:
    if action is TipAction.ADD:
        return admin_text(language, "usage_add")
    if action is TipAction.EDIT:
        return admin_text(language, "usage_edit")
    if action is TipAction.SEND:
        return admin_text(language, "usage_send")
    if action is None:
        return admin_text(language, "usage")
    word = DUTCH_ACTION_WORDS.get(action, action.value) if language == "nl" else action.value
    return admin_text(language, "usage_tip", action=word)


def _language_of(services: BotServices, telegram_id: int) -> str:
    with services.session() as session:
        member = queries.get_member_by_telegram_id(session=session, telegram_id=telegram_id)
    return member.language if member else services.settings.default_language
