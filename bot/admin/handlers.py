"""The admins' handlers for tips: read the command, button or typed text, call tips/ and storage/, reply.

Only admins reach `tip_command` and `draft_text` (their filters in bot/app.py); for anyone else
`/tip` falls through to the unknown-command answer. Buttons cannot be filtered that way, so the
button handlers check the sender themselves and answer a non-admin exactly like a stale button.

Every change goes through `services.editor` (tips/changes.py): the same validation, atomic
write, history and undo as the web page.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update, User
from telegram.ext import filters

from bot.admin import drafts
from bot.admin import messages as admin_messages
from bot.admin.drafts import Draft, DraftAction, DraftButton, UndoButton
from bot.admin.file_errors import explain, refused_message
from bot.admin.messages import Reply, TipButton, TipButtonAction, group_word
from bot.admin.ranking import HabitRanking, rank
from bot.admin.texts import admin_text
from bot.context import BotContext, BotServices
from bot.nudges import handlers as nudges
from bot.nudges.handlers import TypedCommands
from bot.settings import Settings
from bot.texts import text
from bot.web.links import issue_link
from habits.members import language_for
from scheduler.forecast import tomorrow_busiest
from storage import draft_queries, queries, stats_queries
from storage.database import new_session
from storage.models import TipDraftKind
from tips.changes import UNDO_WINDOW, Change, Editor, UndoExpired
from tips.commands import TipAction, TipCommand, TipUsage, UsageProblem, command_arguments, parse_tip_command
from tips.editing import (
    AddTip,
    DeleteTip,
    EditProblem,
    Language,
    SetEnabled,
    SetText,
    TipEdit,
    TipEditError,
    checked_text,
)
from tips.schema import MAX_TIP_LENGTH, TipGroup, telegram_length
from tips.store import ReloadResult, ReloadStatus

log = logging.getLogger(__name__)
HISTORY_LENGTH = 15
# A refused text longer than this is echoed back only in part (a message holds 4096).
ECHO_LIMIT = 1000
DUTCH_ACTION_WORDS = {
    TipAction.SHOW: "toon",
    TipAction.ENABLE: "aan",
    TipAction.DISABLE: "uit",
    TipAction.HISTORY: "geschiedenis",
    TipAction.DELETE: "verwijder",
}


@dataclass(frozen=True)
class Admin:
    user_id: int
    name: str
    language: str

    @property
    def editor(self) -> Editor:
        return Editor(self.user_id, self.name)


def admin_only(settings: Settings) -> filters.BaseFilter:
    """Messages sent by an admin themself; a forwarded message never counts as an admin's."""
    return filters.User(user_id=settings.admin_ids) & ~filters.FORWARDED


class _OpenDraft(filters.MessageFilter):
    """The sender has a tip draft waiting for text (one indexed look-up, for admins only)."""

    def __init__(self, services: BotServices) -> None:
        super().__init__(name="open_tip_draft")
        self._services = services

    def filter(self, message: Message) -> bool:
        user = message.from_user
        services = self._services
        return user is not None and drafts.has_open_draft(services.engine, user.id, services.clock())


def with_open_draft(services: BotServices) -> filters.BaseFilter:
    """An admin's typed text while one of their drafts waits for it (checked after `admin_only`)."""
    return _OpenDraft(services)


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


async def draft_text(update: Update, context: BotContext, *, commands: TypedCommands) -> None:
    """Typed text from an admin whose draft waits for it: the draft's next text."""
    message = update.effective_message
    assert message is not None
    assert message.from_user is not None
    services = context.services
    draft = drafts.open_draft(services.engine, message.from_user.id, services.clock())
    if draft is None:  # expired since the filter looked: a check-in after all
        await nudges.typed_text(update, context, commands=commands)
        return
    admin = _admin(message.from_user, services)
    for body, keyboard in _continue_draft(admin, services, draft, message.text or ""):
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
    if button.action == TipButtonAction.PREVIEW:
        await context.sender.answer_callback(query.id, admin_text(admin.language, "preview_pressed"))
        return
    in_place: Reply | None = None
    replies: list[Reply] = []
    notice: str | None = None
    library = services.tips
    tip_id = button.tip_id
    if button.action == TipButtonAction.MENU:
        in_place = admin_messages.menu(admin.language, library)
    elif button.action == TipButtonAction.LIST and button.group is not None:
        in_place = admin_messages.tip_list(admin.language, library, button.group)
    elif button.action == TipButtonAction.SHOW and tip_id is not None:
        in_place = _show(admin, services, tip_id)
    elif button.action in (TipButtonAction.ON, TipButtonAction.OFF) and tip_id is not None:
        outcome = _switch(services, admin, tip_id, enabled=button.action == TipButtonAction.ON)
        if isinstance(outcome, str):
            replies.append((outcome, None))
        else:
            notice = outcome.note
            tip = services.tips.get(tip_id)
            if button.view == "l" and tip is not None:
                in_place = admin_messages.tip_list(admin.language, services.tips, tip.group)
            else:
                in_place = _show(admin, services, tip_id)
    elif button.action == TipButtonAction.EDIT and tip_id is not None:
        replies.append(_start_edit(admin, services, tip_id, "nl", ""))
    elif button.action == TipButtonAction.DELETE and tip_id is not None:
        in_place = _delete_question(admin, services, tip_id)
    elif button.action == TipButtonAction.DELETE_CONFIRMED and tip_id is not None:
        in_place = _delete(admin, services, tip_id)
    elif button.action == TipButtonAction.FULL_STATS:
        replies = [(body, None) for body in _full_statistics(services, admin.language)]
    else:
        replies = _perform(_command_of(button.action, tip_id), services, admin)
    await context.sender.answer_callback(query.id, notice)
    if in_place is not None:
        await context.sender.edit_text(message.chat.id, message.message_id, *in_place)
    for body, keyboard in replies:
        await context.sender.send_text(message.chat.id, body, keyboard)


async def draft_button(update: Update, context: BotContext) -> None:
    """✅ Live zetten, ✖️ Annuleren, or the other language, under a draft."""
    query = update.callback_query
    assert query is not None
    services = context.services
    button = DraftButton.unpack(query.data)
    message = query.message
    if query.from_user.id not in services.settings.admin_ids or button is None or message is None:
        language = language_for(query.from_user.language_code, services.settings.default_language)
        await context.sender.answer_callback(query.id, text(language, "answer_unknown"))
        return
    admin = _admin(query.from_user, services)
    now = services.clock()
    draft = drafts.get_draft(services.engine, button.draft_id, admin.user_id, now)
    if draft is None:
        await context.sender.answer_callback(query.id, admin_text(admin.language, "draft_gone"))
        return
    in_place: Reply | None = None
    replies: list[Reply] = []
    if button.action == DraftAction.CANCEL:
        drafts.discard_draft(services.engine, draft.id)
        in_place = (admin_text(admin.language, "cancelled"), None)
    elif button.action == DraftAction.CONFIRM:
        if draft.step != "confirm":
            await context.sender.answer_callback(query.id, admin_text(admin.language, "confirm_wait"))
            return
        in_place, replies = _confirm(admin, services, draft)
    elif draft.kind is TipDraftKind.EDIT and draft.tip_id is not None:
        wanted: Language = "en" if button.action == DraftAction.ENGLISH else "nl"
        tip = services.tips.get(draft.tip_id)
        if tip is not None:
            draft = replace(draft, language=wanted, step="text", base=tip.text(wanted), nl=tip.nl, en=tip.en)
            drafts.save_draft(services.engine, draft, now)
            in_place = drafts.prompt(admin.language, draft, tip)
    await context.sender.answer_callback(query.id)
    if in_place is not None:
        await context.sender.edit_text(message.chat.id, message.message_id, *in_place)
    for body, keyboard in replies:
        await context.sender.send_text(message.chat.id, body, keyboard)


async def undo_button(update: Update, context: BotContext) -> None:
    """↩️ Ongedaan maken under a change that went live."""
    query = update.callback_query
    assert query is not None
    services = context.services
    button = UndoButton.unpack(query.data)
    message = query.message
    if query.from_user.id not in services.settings.admin_ids or button is None or message is None:
        language = language_for(query.from_user.language_code, services.settings.default_language)
        await context.sender.answer_callback(query.id, text(language, "answer_unknown"))
        return
    admin = _admin(query.from_user, services)
    outcome = _undo(admin, services, button.undo_id)
    if isinstance(outcome, str):
        await context.sender.answer_callback(query.id, outcome)
        return
    await context.sender.answer_callback(query.id)
    await context.sender.edit_text(message.chat.id, message.message_id, *outcome)


async def watch_tip_file(context: BotContext) -> None:
    """Reload the tip file when it was edited by hand (a repeating JobQueue job)."""
    services = context.services
    result = services.editor.reload(only_if_changed=True)
    if result.status is ReloadStatus.UNCHANGED:
        return
    if result.status is ReloadStatus.REFUSED:
        log.warning("tip file refused, the previous tips stay in use: %s", result.error)
    file = services.tip_store.path.name
    for admin_id in sorted(services.settings.admin_ids):
        language = _language_of(services, admin_id)
        if result.status is ReloadStatus.REFUSED:
            assert result.error is not None
            message = refused_message(language, result.error, file=file)
        else:
            message = _with_write_back(
                language,
                admin_text(language, "watch_reloaded", file=file, count=len(result.changes)),
                result,
            )
        await context.sender.send_text(admin_id, message)


async def write_back_pending_switches(services: BotServices) -> None:
    """At start-up: switches made while the file was invalid, before a restart, go into it now."""
    with new_session(services.engine) as session:
        waiting = draft_queries.drafts_of_kind(session=session, kind=TipDraftKind.SWITCH)
    if waiting:
        services.editor.reload(only_if_changed=True)


def _command_of(action: str, tip_id: str | None) -> TipCommand:
    actions = {
        TipButtonAction.SEND: TipAction.SEND,
        TipButtonAction.HISTORY: TipAction.HISTORY,
        TipButtonAction.STATS: TipAction.STATS,
        TipButtonAction.RELOAD: TipAction.RELOAD,
    }
    return TipCommand(actions[TipButtonAction(action)], tip_id=tip_id)


def _perform(command: TipCommand | TipUsage, services: BotServices, admin: Admin) -> list[Reply]:
    """Do what the command asks and return the replies."""
    language = admin.language
    if isinstance(command, TipUsage):
        return [(_usage(language, command), None)]
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
        return [_statistics(services, language)]
    if action is TipAction.UNDO:
        undo_id = services.editor.latest_undo(admin.user_id)
        if undo_id is None:
            return [(admin_text(language, "undo_nothing"), None)]
        outcome = _undo(admin, services, undo_id)
        return [(outcome, None) if isinstance(outcome, str) else outcome]
    if action is TipAction.WEB:
        url = issue_link(services, admin.user_id, admin.name)
        return [(admin_text(language, "web_link", url=url) if url else admin_text(language, "web_off"), None)]
    if action is TipAction.ADD:
        assert command.group is not None
        return _start_add(admin, services, command.group, command.nl, command.en)
    assert command.tip_id is not None
    if action is TipAction.HISTORY:
        return [(_history(services, language, command.tip_id), None)]
    tip = library.get(command.tip_id)
    if tip is None:
        return [(admin_text(language, "unknown_tip", tip_id=command.tip_id), None)]
    if action is TipAction.SHOW:
        return [_show(admin, services, command.tip_id)]
    if action is TipAction.SEND:
        return [admin_messages.preview_nudge(language, tip, command.language or language)]
    if action is TipAction.EDIT:
        return [_start_edit(admin, services, tip.id, command.language or "nl", command.text)]
    if action is TipAction.DELETE:
        return [_delete_question(admin, services, tip.id)]
    switched = _switch(services, admin, tip.id, enabled=action is TipAction.ENABLE)
    if isinstance(switched, str):
        return [(switched, None)]
    return [_show(admin, services, tip.id, note=switched.note)]


# --- drafts: adding and editing -------------------------------------------------------------------


def _start_add(admin: Admin, services: BotServices, group: TipGroup, nl: str, en: str) -> list[Reply]:
    """A new tip's draft, with whatever texts came with the command; then ask for the rest."""
    now = services.clock()
    draft = Draft(0, admin.user_id, TipDraftKind.ADD, "nl", group)
    replies: list[Reply] = []
    typed_texts: tuple[tuple[Language, str], ...] = (("nl", nl), ("en", en))
    for language, typed in typed_texts:
        if not typed or replies:
            continue
        checked = _checked(admin.language, typed, language)
        if isinstance(checked, str):
            draft = drafts.with_text(draft, language, checked)
        else:
            replies.append(checked)
    draft = drafts.start_draft(services.engine, _next_step(draft), now)
    return [*replies, _draft_reply(admin, services, draft)]


def _start_edit(admin: Admin, services: BotServices, tip_id: str, language: Language, typed: str) -> Reply:
    """✏️: show the current text, ready to copy; the next message replaces it (or `typed` does now)."""
    tip = services.tips.get(tip_id)
    if tip is None:
        return admin_text(admin.language, "unknown_tip", tip_id=tip_id), None
    draft = Draft(
        0,
        admin.user_id,
        TipDraftKind.EDIT,
        "text",
        tip.group,
        tip_id=tip.id,
        language=language,
        nl=tip.nl,
        en=tip.en,
        base=tip.text(language),
    )
    refusal: Reply | None = None
    if typed:
        checked = _checked(admin.language, typed, language)
        if isinstance(checked, str):
            draft = drafts.with_text(draft, language, checked, step="confirm")
        else:
            refusal = checked
    draft = drafts.start_draft(services.engine, draft, services.clock())
    return refusal or _draft_reply(admin, services, draft)


def _continue_draft(admin: Admin, services: BotServices, draft: Draft, typed: str) -> list[Reply]:
    """The draft's next text has been typed."""
    language = admin.language
    if draft.kind is TipDraftKind.ADD:
        if draft.step == "confirm":
            return [(admin_text(language, "confirm_wait"), None)]
        lines = [line.strip() for line in typed.splitlines() if line.strip()]
        texts: list[tuple[Language, str]]
        if draft.step == "nl" and len(lines) == 2:
            texts = [("nl", lines[0]), ("en", lines[1])]
        else:
            texts = [("en" if draft.step == "en" else "nl", typed)]
        for member_language, part in texts:
            checked = _checked(language, part, member_language)
            if not isinstance(checked, str):
                drafts.save_draft(services.engine, _next_step(draft), services.clock())
                return [checked]
            draft = _next_step(drafts.with_text(draft, member_language, checked))
    else:
        checked = _checked(language, typed, draft.language)
        if not isinstance(checked, str):
            return [checked]
        draft = drafts.with_text(draft, draft.language, checked, step="confirm")
    drafts.save_draft(services.engine, draft, services.clock())
    return [_draft_reply(admin, services, draft)]


def _next_step(draft: Draft) -> Draft:
    if draft.kind is not TipDraftKind.ADD:
        return draft
    step: drafts.Step = "nl" if not draft.nl else "en" if not draft.en else "confirm"
    return replace(draft, step=step)


def _draft_reply(admin: Admin, services: BotServices, draft: Draft) -> Reply:
    current = services.tips.get(draft.tip_id) if draft.tip_id else None
    if draft.step == "confirm":
        return drafts.preview(admin.language, draft, current)
    return drafts.prompt(admin.language, draft, current)


def _confirm(admin: Admin, services: BotServices, draft: Draft) -> tuple[Reply | None, list[Reply]]:
    """✅ Live zetten: (the draft's message edited in place, further messages)."""
    edit: TipEdit
    if draft.kind is TipDraftKind.ADD:
        edit = AddTip(draft.group, draft.nl, draft.en)
    else:
        assert draft.tip_id is not None
        edit = SetText(draft.tip_id, draft.language, draft.text, expected=draft.base)
    language = admin.language
    try:
        change = services.editor.apply(edit, admin.editor)
    except TipEditError as error:
        log.info("tip draft refused: %s", error)
        if error.problem is EditProblem.CONFLICT and error.current is not None:
            current = error.current.text(draft.language)
            drafts.save_draft(services.engine, replace(draft, base=current), services.clock())
            keyboard = drafts.preview(language, draft, error.current)[1]
            return (admin_text(language, "conflict", tip_id=draft.tip_id, current=current), keyboard), []
        if error.problem is EditProblem.UNKNOWN_TIP:
            drafts.discard_draft(services.engine, draft.id)
        return None, [(_refusal(language, error), None)]
    drafts.discard_draft(services.engine, draft.id)
    if draft.kind is TipDraftKind.ADD:
        note = admin_text(language, "live_new", tip_id=change.tip_id)
    else:
        note = admin_text(language, "live_edit", tip_id=change.tip_id, code=draft.language)
    return _with_undo(admin, services, _show(admin, services, change.tip_id, note=note), change), []


# --- switching, deleting, undoing ------------------------------------------------------------------


@dataclass(frozen=True)
class _Switched:
    note: str


def _switch(services: BotServices, admin: Admin, tip_id: str, *, enabled: bool) -> _Switched | str:
    """Switch a tip on or off: what to tell the admin, or why it was refused."""
    outcome = _apply(services, admin, SetEnabled(tip_id, enabled))
    if isinstance(outcome, str):
        return outcome
    language = admin.language
    state = admin_text(language, "enabled" if enabled else "disabled", tip_id=tip_id)
    if not outcome.changes and not outcome.pending:
        return _Switched(admin_text(language, "no_change"))
    if outcome.pending:
        error = services.tip_store.error
        if error is not None and error.line is not None:
            return _Switched(admin_text(language, "pending_switch", state=state.rstrip("."), line=error.line))
        return _Switched(admin_text(language, "pending_switch_no_line", state=state.rstrip(".")))
    return _Switched(state)


def _delete_question(admin: Admin, services: BotServices, tip_id: str) -> Reply:
    tip = services.tips.get(tip_id)
    if tip is None:
        return admin_text(admin.language, "unknown_tip", tip_id=tip_id), None
    language = admin.language
    body = admin_text(language, "delete_ask", tip_id=tip.id, text=tip.text(language))
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    admin_text(language, "button_delete_confirm"),
                    callback_data=TipButton(TipButtonAction.DELETE_CONFIRMED, tip.id).pack(),
                ),
                InlineKeyboardButton(
                    admin_text(language, "button_cancel"),
                    callback_data=TipButton(TipButtonAction.SHOW, tip.id).pack(),
                ),
            ]
        ]
    )
    return body, keyboard


def _delete(admin: Admin, services: BotServices, tip_id: str) -> Reply:
    tip = services.tips.get(tip_id)
    outcome = _apply(services, admin, DeleteTip(tip_id))
    if isinstance(outcome, str):
        return outcome, None
    body = admin_text(admin.language, "deleted", tip_id=tip_id)
    rows: list[list[InlineKeyboardButton]] = []
    if tip is not None:
        rows.append(
            [
                InlineKeyboardButton(
                    admin_text(
                        admin.language,
                        "button_back",
                        group=admin_messages.group_label(admin.language, tip.group),
                    ),
                    callback_data=TipButton(TipButtonAction.LIST, tip.group).pack(),
                )
            ]
        )
    return _with_undo(admin, services, (body, InlineKeyboardMarkup(rows) if rows else None), outcome)


def _undo(admin: Admin, services: BotServices, undo_id: int) -> Reply | str:
    """Undo a change: the tip as it is again, or why it can no longer be undone."""
    language = admin.language
    try:
        change = services.editor.undo(undo_id, admin.editor)
    except UndoExpired:
        return admin_text(language, "undo_expired")
    except TipEditError as error:
        if error.problem is EditProblem.CONFLICT:
            return admin_text(language, "undo_conflict", tip_id=error.detail)
        return _refusal(language, error)
    note = admin_text(language, "undone", tip_id=change.tip_id)
    if services.tips.get(change.tip_id) is None:
        return note, None
    return _show(admin, services, change.tip_id, note=note)


def _with_undo(admin: Admin, services: BotServices, reply: Reply, change: Change) -> Reply:
    """The reply with the undo note and ↩️ on top, while the change can be undone."""
    keyboard = drafts.undo_keyboard(admin.language, change.undo_id)
    if keyboard is None:
        return reply
    body, rest = reply
    until = _local(services, services.clock() + UNDO_WINDOW).strftime("%H:%M")
    body = f"{body}\n\n{admin_text(admin.language, 'undo_note', until=until)}"
    rows = [*keyboard.inline_keyboard, *(rest.inline_keyboard if rest else ())]
    return body, InlineKeyboardMarkup(rows)


def _apply(services: BotServices, admin: Admin, edit: TipEdit) -> Change | str:
    """Apply and log an edit, or say why it was refused."""
    try:
        return services.editor.apply(edit, admin.editor)
    except TipEditError as error:
        log.info("tip edit refused: %s", error)
        return _refusal(admin.language, error)


def _checked(admin_language: str, typed: str, language: Language) -> str | Reply:
    """The text as it will be stored, or the refusal (which keeps the text, ready to copy)."""
    try:
        return checked_text(typed, language)
    except TipEditError as error:
        body = _refusal(admin_language, error, typed=typed.strip())
        row = drafts.copy_row(admin_language, typed.strip())
        return body, InlineKeyboardMarkup([row]) if row else None


def _refusal(language: str, error: TipEditError, *, typed: str = "") -> str:
    problem = error.problem
    language_of = admin_text(language, f"language_{error.language or 'nl'}_of")
    if problem is EditProblem.TOO_LONG:
        return admin_text(
            language,
            "too_long_text",
            language_of=language_of,
            length=error.length,
            over=error.over,
            limit=MAX_TIP_LENGTH,
            text=_shortened(typed),
        )
    if problem is EditProblem.EMPTY_TEXT:
        return admin_text(language, "empty_text_of", language_of=language_of)
    if problem is EditProblem.CONTROL_CHARACTERS:
        return admin_text(language, "control_characters_of", language_of=language_of)
    if problem is EditProblem.FILE_INVALID and error.file_error is not None:
        return admin_text(language, "file_invalid_edit", explanation=explain(language, error.file_error))
    if problem is EditProblem.UNKNOWN_TIP:
        return admin_text(language, "unknown_tip", tip_id=error.detail)
    if problem is EditProblem.TAKEN_ID:
        return admin_text(language, "taken_id", tip_id=error.detail)
    if problem is EditProblem.CONFLICT:
        return admin_text(language, "undo_conflict", tip_id=error.detail)
    return admin_text(language, problem.value, detail=error.detail, tip_id=error.detail)


def _shortened(typed: str) -> str:
    """A text echoed back in full unless it would not fit in a message with the refusal."""
    if telegram_length(typed) <= ECHO_LIMIT:
        return typed
    return typed[: ECHO_LIMIT // 2].rstrip() + " …"


# --- looking -------------------------------------------------------------------------------------


def _show(admin: Admin, services: BotServices, tip_id: str, *, note: str = "") -> Reply:
    tip = services.tips.get(tip_id)
    if tip is None:
        return admin_text(admin.language, "unknown_tip", tip_id=tip_id), None
    return admin_messages.tip_preview(admin.language, tip, note=note)


def _history(services: BotServices, language: str, tip_id: str) -> str:
    with services.session() as session:
        changes = queries.tip_changes(session=session, tip_id=tip_id, limit=HISTORY_LENGTH)
        moments = {change.changed_at for change in changes if change.changed_by is None}
        together = draft_queries.hand_changes_at(session=session, moments=moments)
    exists = services.tips.get(tip_id) is not None
    if not changes and not exists:
        return admin_text(language, "unknown_tip", tip_id=tip_id)
    zone = ZoneInfo(services.settings.default_timezone)
    return admin_messages.history(language, tip_id, changes, zone, exists=exists, loaded_with=together)


def _reload(services: BotServices, language: str) -> str:
    # The admin who asks for a reload did not make the changes in the file: they are logged
    # as edits of the file by hand.
    result = services.editor.reload()
    if result.status is ReloadStatus.REFUSED:
        assert result.error is not None
        return refused_message(language, result.error, file=services.tip_store.path.name)
    if result.changes:
        message = admin_text(language, "reloaded", count=len(result.changes))
    else:
        message = admin_text(language, "reload_unchanged")
    return _with_write_back(language, message, result)


def _with_write_back(language: str, message: str, result: ReloadResult) -> str:
    lines = [message]
    if result.written_back:
        lines.append(admin_text(language, "pending_written", tip_ids=", ".join(result.written_back)))
    if result.dropped:
        lines.append(admin_text(language, "pending_dropped", tip_ids=", ".join(result.dropped)))
    return "\n".join(lines)


def _rankings(
    services: BotServices,
) -> tuple[list[HabitRanking], stats_queries.MemberCounts, dict[str, tuple[int, int]]]:
    now = services.clock()
    with services.session() as session:
        counts = stats_queries.tip_send_counts(session=session, now=now)
        members = stats_queries.member_counts(session=session, now=now)
        gone = {row.tip_id for row in counts if row.tip_id and services.tips.get(row.tip_id) is None}
        deleted = draft_queries.deleted_tip_texts(session=session, ids=gone)
        held_back = stats_queries.held_back_counts(session=session, now=now)
    return rank(counts, services.tips, deleted), members, held_back


def capacity_of(services: BotServices) -> admin_messages.Capacity:
    """Late, missed and paid nudges, and tomorrow's busiest minutes from the stored routines."""
    now, rate = services.clock(), services.release_planner.rate_per_second
    with services.session() as session:
        delivery = stats_queries.delivery_counts(session=session, now=now)
    return admin_messages.Capacity(
        delivery=delivery,
        busiest=tomorrow_busiest(engine=services.engine, now=now, rate=rate),
        rate_per_second=rate,
        zone=ZoneInfo(services.settings.default_timezone),
        paid_a_day=services.paid_a_day,
    )


def _statistics(services: BotServices, language: str) -> Reply:
    rankings, members, held_back = _rankings(services)
    return admin_messages.statistics(language, rankings, members, held_back, capacity_of(services))


def _full_statistics(services: BotServices, language: str) -> list[str]:
    rankings, _, _ = _rankings(services)
    return admin_messages.full_statistics(language, rankings)


def _usage(language: str, usage: TipUsage) -> str:
    action = usage.action
    if action is TipAction.ADD:
        if usage.problem is UsageProblem.PIPES:
            return admin_text(language, "usage_add_pipes", word=_add_word(language, usage.group))
        if usage.problem is UsageProblem.LINES:
            return admin_text(language, "usage_add_lines", word=_add_word(language, usage.group))
        return admin_text(language, "usage_add")
    if action is TipAction.EDIT:
        return admin_text(language, "usage_edit")
    if action is TipAction.SEND:
        return admin_text(language, "usage_send")
    if action is None:
        return admin_text(language, "usage")
    word = DUTCH_ACTION_WORDS.get(action, action.value) if language == "nl" else action.value
    return admin_text(language, "usage_tip", action=word)


def _add_word(language: str, group: TipGroup | None) -> str:
    return group_word(language, group or TipGroup.WATER)


def _local(services: BotServices, moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(services.settings.default_timezone))


def _language_of(services: BotServices, telegram_id: int) -> str:
    with services.session() as session:
        member = queries.get_member_by_telegram_id(session=session, telegram_id=telegram_id)
    return member.language if member else services.settings.default_language
