"""The one way tips change, from Telegram and from the browser alike: apply, log, keep an undo.

`TipEditor.apply` runs the edit through the store (the same validation and the same atomic,
comment-keeping write for every caller), then logs in `tipchange` first any hand edits it found
in the file on the way (by nobody: the file), then the admin's own change. A change that went
live can be undone for `UNDO_WINDOW`, as long as the tip is still as the change left it; the
undo record is a `tipdraft` row, so it survives a restart. Switches made while the file is
invalid are `tipdraft` rows too, until they are written into the file.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from storage import draft_queries
from storage.database import new_session
from storage.models import TipDraft, TipDraftKind
from tips.editing import (
    AddTip,
    DeleteTip,
    EditProblem,
    FieldChange,
    RestoreTip,
    SetEnabled,
    SetTexts,
    TipEdit,
    TipEditError,
    log_tip_changes,
    position_in_group,
)
from tips.library import TipLibrary
from tips.schema import Tip
from tips.store import Applied, ReloadResult, TipStore

UNDO_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True)
class Editor:
    """Who makes a change: an admin's Telegram id and name."""

    user_id: int
    name: str


@dataclass(frozen=True)
class Change:
    """A change that went live."""

    tip_id: str
    changes: tuple[FieldChange, ...]
    # Hand edits found in the file just before, live now too and logged as edits by hand.
    picked_up: tuple[FieldChange, ...] = ()
    # The file is invalid: live now, written into the file once it is valid again.
    pending: bool = False
    undo_id: int | None = None


class UndoExpired(Exception):
    """The undo is gone: used, older than UNDO_WINDOW, or never there."""


class TipEditor:
    def __init__(self, store: TipStore, engine: Engine, clock: Callable[[], datetime]) -> None:
        self.store = store
        self._engine = engine
        self._clock = clock

    @property
    def library(self) -> TipLibrary:
        return self.store.library

    def apply(self, edit: TipEdit, by: Editor, *, undoable: bool = True) -> Change:
        """Make the edit live and log it; `TipEditError` when refused (nothing changed then)."""
        reserved: set[str] = set()
        if isinstance(edit, AddTip):
            with new_session(self._engine) as session:
                reserved = draft_queries.tip_ids_in_history(session=session)
        before = self.store.library
        applied = self.store.apply(edit, reserved_ids=reserved)
        now = self._clock()
        edited = applied.edited
        undo_id: int | None = None
        with new_session(self._engine) as session:
            self._log_found(session, applied.reload, now)
            log_tip_changes(
                session=session,
                changes=edited.changes,
                changed_by=by.user_id,
                changed_by_name=by.name,
                now=now,
            )
            if applied.pending:
                draft_queries.delete_drafts(
                    session=session, kinds=[TipDraftKind.SWITCH], tip_ids=[edited.tip_id]
                )
                if edited.tip_id in self.store.pending:
                    draft_queries.add_draft(
                        session=session,
                        draft=TipDraft(
                            admin_id=by.user_id,
                            kind=TipDraftKind.SWITCH,
                            tip_id=edited.tip_id,
                            payload=json.dumps({"enabled": self.store.pending[edited.tip_id]}),
                            created_at=now,
                        ),
                    )
            elif undoable and edited.changes:
                undo = _undo_of(edit, before, applied)
                if undo is not None:
                    draft = draft_queries.add_draft(
                        session=session,
                        draft=TipDraft(
                            admin_id=by.user_id,
                            kind=TipDraftKind.UNDO,
                            tip_id=edited.tip_id,
                            payload=json.dumps(undo),
                            created_at=now,
                            expires_at=now + UNDO_WINDOW,
                        ),
                    )
                    undo_id = draft.id
        return Change(edited.tip_id, edited.changes, applied.reload.changes, applied.pending, undo_id)

    def undo(self, undo_id: int, by: Editor) -> Change:
        """Undo a change: UndoExpired when it is gone, TipEditError(CONFLICT) when the tip changed since."""
        with new_session(self._engine) as session:
            draft = draft_queries.get_draft(session=session, draft_id=undo_id, now=self._clock())
            if draft is None or draft.kind != TipDraftKind.UNDO:
                raise UndoExpired
            payload = json.loads(draft.payload)
        tip_id = str(draft.tip_id)
        current = self.store.library.get(tip_id)
        if _snapshot(current) != payload["after"]:
            raise TipEditError(EditProblem.CONFLICT, tip_id, current=current)
        change = self.apply(_edit_from(payload["inverse"]), by, undoable=False)
        with new_session(self._engine) as session:
            draft_queries.delete_drafts(session=session, ids=[undo_id])
        return change

    def latest_undo(self, admin_id: int) -> int | None:
        """The admin's most recent change that can still be undone."""
        with new_session(self._engine) as session:
            draft = draft_queries.open_draft(
                session=session, admin_id=admin_id, kinds=[TipDraftKind.UNDO], now=self._clock()
            )
        return draft.id if draft is not None else None

    def reload(self, *, only_if_changed: bool = False) -> ReloadResult:
        """Read the file again (now, or when it changed); hand edits are logged, pending switches
        written once the file is valid."""
        with new_session(self._engine) as session:
            switches = draft_queries.drafts_of_kind(session=session, kind=TipDraftKind.SWITCH)
            self.store.set_pending(
                {str(row.tip_id): bool(json.loads(row.payload)["enabled"]) for row in switches}
            )
        result = self.store.reload_if_changed() if only_if_changed else self.store.reload()
        with new_session(self._engine) as session:
            self._log_found(session, result, self._clock())
        return result

    def _log_found(self, session: Session, result: ReloadResult, now: datetime) -> None:
        log_tip_changes(session=session, changes=result.changes, changed_by=None, changed_by_name="", now=now)
        done = result.written_back + result.dropped
        if done:
            draft_queries.delete_drafts(session=session, kinds=[TipDraftKind.SWITCH], tip_ids=done)


def _snapshot(tip: Tip | None) -> dict[str, Any] | None:
    return None if tip is None else tip.model_dump(mode="json")


def _undo_of(edit: TipEdit, before: TipLibrary, applied: Applied) -> dict[str, Any] | None:
    """How to take the change back, and the tip as the change left it (undo only from there)."""
    tip_id = applied.edited.tip_id
    after = applied.edited.library.get(tip_id)
    old = before.get(tip_id)
    inverse: dict[str, Any]
    if isinstance(edit, AddTip | RestoreTip):
        inverse = {"kind": "delete", "tip_id": tip_id}
    elif isinstance(edit, DeleteTip):
        if old is None:
            return None
        inverse = {"kind": "restore", "tip": _snapshot(old), "index": position_in_group(before, tip_id)}
    elif isinstance(edit, SetEnabled):
        if old is None:
            return None
        inverse = {"kind": "enabled", "tip_id": tip_id, "enabled": old.enabled}
    else:
        if old is None:
            return None
        inverse = {"kind": "texts", "tip_id": tip_id, "nl": old.nl, "en": old.en}
    return {"after": _snapshot(after), "inverse": inverse}


def _edit_from(inverse: dict[str, Any]) -> TipEdit:
    kind = inverse["kind"]
    if kind == "delete":
        return DeleteTip(inverse["tip_id"])
    if kind == "restore":
        return RestoreTip(Tip.model_validate(inverse["tip"]), int(inverse["index"]))
    if kind == "enabled":
        return SetEnabled(inverse["tip_id"], bool(inverse["enabled"]))
    return SetTexts(inverse["tip_id"], inverse["nl"], inverse["en"])
