"""An admin's new tip or new text in the making: stored, shown back, confirmed or cancelled.

A draft is a `tipdraft` row, so a restart loses nothing; it expires `DRAFT_LIFETIME` after its
last step, and from then on the admin's typed text is a check-in again. Each admin has at most
one draft open: starting another replaces it.

Steps: an added tip waits for its Dutch text ("nl"), then its English one ("en"); an edit waits
for its one new text ("text"); then both wait for ✅ or ✖️ ("confirm"), with the tip shown
exactly as members will get it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Literal

from sqlalchemy.engine import Engine
from telegram import CopyTextButton, InlineKeyboardButton, InlineKeyboardMarkup

from bot.admin.messages import FLAGS, Reply, group_label, member_view
from bot.admin.texts import admin_text
from bot.callback_data import CallbackData, Range
from storage import draft_queries
from storage.database import new_session
from storage.models import TipDraft, TipDraftKind
from tips.editing import Language
from tips.schema import Tip, TipGroup, telegram_length
from tips.wording import marked

DRAFT_LIFETIME = timedelta(minutes=15)
DRAFT_KINDS = (TipDraftKind.ADD, TipDraftKind.EDIT)
# Telegram copies at most this much with a copy button.
COPY_LIMIT = 256
# The id a new tip is previewed with, before it has its own.
PREVIEW_ID = "new-tip"
Step = Literal["nl", "en", "text", "confirm"]
DraftId = Annotated[int, Range(1, 2**62)]


class DraftAction(StrEnum):
    CONFIRM = "ok"
    CANCEL = "no"
    DUTCH = "nl"  # edit the Dutch text instead
    ENGLISH = "en"  # edit the English text instead


class DraftButton(CallbackData, prefix="td"):
    """A tap under a draft: td:ok:12 (make it live), td:no:12, td:en:12 (the other language)."""

    action: DraftAction
    draft_id: DraftId


class UndoButton(CallbackData, prefix="tu"):
    """↩️ under a change that went live: tu:{undo record id}."""

    undo_id: DraftId


@dataclass(frozen=True)
class Draft:
    id: int
    admin_id: int
    kind: TipDraftKind
    step: Step
    group: TipGroup
    tip_id: str | None = None  # an edit's tip
    language: Language = "nl"  # the text an edit replaces
    nl: str = ""
    en: str = ""
    # An edit's text as it was when the edit began: confirming refuses if it changed since.
    base: str | None = None

    @property
    def text(self) -> str:
        """An edit's new text."""
        return self.nl if self.language == "nl" else self.en


def with_text(draft: Draft, language: Language, text: str, *, step: Step | None = None) -> Draft:
    """The draft with one of its texts (and, if given, its step) changed."""
    changed = replace(draft, nl=text) if language == "nl" else replace(draft, en=text)
    return changed if step is None else replace(changed, step=step)


def open_draft(engine: Engine, admin_id: int, now: datetime) -> Draft | None:
    with new_session(engine) as session:
        row = draft_queries.open_draft(session=session, admin_id=admin_id, kinds=DRAFT_KINDS, now=now)
    return _draft(row) if row is not None else None


def get_draft(engine: Engine, draft_id: int, admin_id: int, now: datetime) -> Draft | None:
    """The admin's own open draft with this id (another admin's is none of theirs)."""
    with new_session(engine) as session:
        row = draft_queries.get_draft(session=session, draft_id=draft_id, now=now)
    if row is None or row.admin_id != admin_id or row.kind not in DRAFT_KINDS:
        return None
    return _draft(row)


def start_draft(engine: Engine, draft: Draft, now: datetime) -> Draft:
    """Store a new draft in place of the admin's open one; it comes back with its id."""
    with new_session(engine) as session:
        draft_queries.delete_drafts(session=session, admin_id=draft.admin_id, kinds=DRAFT_KINDS)
        row = draft_queries.add_draft(session=session, draft=_row(draft, now))
    return replace(draft, id=int(row.id or 0))


def save_draft(engine: Engine, draft: Draft, now: datetime) -> None:
    """Store the draft's next step; its lifetime starts again."""
    with new_session(engine) as session:
        row = session.get(TipDraft, draft.id)
        if row is None:
            return
        fresh = _row(draft, now)
        row.payload, row.tip_id, row.expires_at = fresh.payload, fresh.tip_id, fresh.expires_at
        draft_queries.save_draft(session=session, draft=row)


def discard_draft(engine: Engine, draft_id: int) -> None:
    with new_session(engine) as session:
        draft_queries.delete_drafts(session=session, ids=[draft_id])


def has_open_draft(engine: Engine, admin_id: int, now: datetime) -> bool:
    return open_draft(engine, admin_id, now) is not None


# --- what the admin sees --------------------------------------------------------------------------


def prompt(language: str, draft: Draft, current: Tip | None) -> Reply:
    """What the draft waits for: the Dutch text, the English one, or an edit's new text."""
    cancel = _draft_button(language, "button_cancel", DraftAction.CANCEL, draft)
    if draft.kind is TipDraftKind.ADD:
        if draft.step == "en":
            body = admin_text(language, "add_ask_en", nl=draft.nl)
        else:
            body = admin_text(language, "add_ask_nl", group=group_label(language, draft.group))
        return body, InlineKeyboardMarkup([[cancel]])
    text = current.text(draft.language) if current is not None else (draft.base or "")
    body = admin_text(
        language,
        "edit_ask",
        tip_id=draft.tip_id,
        flag=FLAGS[draft.language],
        language_name=admin_text(language, f"language_{draft.language}"),
        text=text,
    )
    other: Language = "en" if draft.language == "nl" else "nl"
    switch = InlineKeyboardButton(
        admin_text(
            language,
            "button_other_language",
            flag=FLAGS[other],
            which=admin_text(language, f"other_language_{other}"),
        ),
        callback_data=DraftButton(DraftAction(other), draft.id).pack(),
    )
    rows = [copy_row(language, text), [switch], [cancel]]
    return body, InlineKeyboardMarkup([row for row in rows if row])


def preview(language: str, draft: Draft, current: Tip | None) -> Reply:
    """The tip exactly as members will get it, with ✅ Live zetten and ✖️ Annuleren."""
    parts: list[str] = []
    if draft.kind is TipDraftKind.ADD:
        parts.append(admin_text(language, "confirm_new", group=group_label(language, draft.group)))
        tip = Tip(id=PREVIEW_ID, group=draft.group, nl=draft.nl, en=draft.en)
        for member_language in ("nl", "en"):
            parts += ["", f"{FLAGS[member_language]}", member_view(tip, member_language)]
    else:
        parts.append(admin_text(language, "confirm_edit", tip_id=draft.tip_id, code=draft.language))
        base = current or Tip(
            id=draft.tip_id or PREVIEW_ID, group=draft.group, nl=draft.nl or "-", en=draft.en or "-"
        )
        tip = base.model_copy(update={draft.language: draft.text})
        parts += ["", member_view(tip, draft.language)]
        before = current.text(draft.language) if current is not None else draft.base
        if before and before != draft.text:
            parts += ["", admin_text(language, "confirm_changed", diff=marked(before, draft.text))]
        parts += ["", admin_text(language, "confirm_retype")]
    keyboard = InlineKeyboardMarkup(
        [
            [
                _draft_button(language, "button_confirm", DraftAction.CONFIRM, draft),
                _draft_button(language, "button_cancel", DraftAction.CANCEL, draft),
            ]
        ]
    )
    return "\n".join(parts), keyboard


def copy_row(language: str, text: str) -> list[InlineKeyboardButton]:
    """A button that puts the text on the phone's clipboard (Telegram copies up to 256 characters)."""
    if not text or telegram_length(text) > COPY_LIMIT:
        return []
    return [InlineKeyboardButton(admin_text(language, "button_copy"), copy_text=CopyTextButton(text))]


def undo_keyboard(language: str, undo_id: int | None) -> InlineKeyboardMarkup | None:
    if undo_id is None:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    admin_text(language, "button_undo"), callback_data=UndoButton(undo_id).pack()
                )
            ]
        ]
    )


def _draft_button(language: str, key: str, action: DraftAction, draft: Draft) -> InlineKeyboardButton:
    return InlineKeyboardButton(admin_text(language, key), callback_data=DraftButton(action, draft.id).pack())


# --- stored as a row ------------------------------------------------------------------------------


def _row(draft: Draft, now: datetime) -> TipDraft:
    payload = {
        "step": draft.step,
        "group": draft.group.value,
        "language": draft.language,
        "nl": draft.nl,
        "en": draft.en,
        "base": draft.base,
    }
    return TipDraft(
        admin_id=draft.admin_id,
        kind=draft.kind,
        tip_id=draft.tip_id,
        payload=json.dumps(payload, ensure_ascii=False),
        created_at=now,
        expires_at=now + DRAFT_LIFETIME,
    )


def _draft(row: TipDraft) -> Draft:
    payload = json.loads(row.payload)
    return Draft(
        id=int(row.id or 0),
        admin_id=int(row.admin_id),
        kind=TipDraftKind(row.kind),
        step=payload["step"],
        group=TipGroup(payload["group"]),
        tip_id=row.tip_id,
        language="en" if payload.get("language") == "en" else "nl",
        nl=payload.get("nl") or "",
        en=payload.get("en") or "",
        base=payload.get("base"),
    )
