"""Changes to the tip file made from Telegram: validated, then written back atomically.

The file is edited with ruamel.yaml's round-trip mode, so the admins' comments, the order of
groups and tips, and the quoting survive an edit. Nothing is written unless the whole edited
file validates exactly as it would at start-up; the write goes to a temporary file in the
same folder that then replaces the tip file in one step, so a reader never sees half a file.
"""

from __future__ import annotations

import io
import os
import re
import stat
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString
from ruamel.yaml.tokens import CommentToken
from sqlmodel import Session

from storage import queries
from storage.models import TipChange
from tips.library import TipFileError, TipLibrary, parse_tip_library
from tips.schema import MAX_TIP_LENGTH, Tip, TipGroup, fits_text, has_control_characters

Language = Literal["nl", "en"]
LANGUAGES: tuple[Language, ...] = ("nl", "en")
# Generated ids stay short, so that they fit in a button's callback data.
GENERATED_ID_LENGTH = 40


@dataclass(frozen=True)
class AddTip:
    group: TipGroup
    nl: str
    en: str


@dataclass(frozen=True)
class SetText:
    tip_id: str
    language: Language
    text: str


@dataclass(frozen=True)
class SetEnabled:
    tip_id: str
    enabled: bool


TipEdit = AddTip | SetText | SetEnabled


class EditProblem(StrEnum):
    UNKNOWN_TIP = "unknown_tip"
    EMPTY_TEXT = "empty_text"
    TOO_LONG = "too_long"
    CONTROL_CHARACTERS = "control_characters"
    FILE_INVALID = "file_invalid"  # the file on disk does not validate (a hand edit gone wrong)
    WRITE_FAILED = "write_failed"


class TipEditError(Exception):
    """An edit that was refused; nothing was written."""

    def __init__(self, problem: EditProblem, detail: str = "", *, length: int = 0) -> None:
        self.problem = problem
        self.detail = detail
        self.length = length
        super().__init__(f"{problem.value}: {detail}" if detail else problem.value)


@dataclass(frozen=True)
class FieldChange:
    """One field of one tip, before and after; None where the tip did not (or no longer) exist."""

    tip_id: str
    field: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class EditedFile:
    """The edited file's text and library, not yet written."""

    text: str
    library: TipLibrary
    tip_id: str
    changes: tuple[FieldChange, ...]


def round_trip_yaml() -> YAML:
    """ruamel configured for the layout of content/tips.yaml (`  - id:` under each group)."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long tip over two lines
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def edit_tip_text(text: str, path: Path, edit: TipEdit) -> EditedFile:
    """Apply `edit` to the tip-file text; raise `TipEditError` if it cannot be applied."""
    try:
        current = parse_tip_library(text, path)
    except TipFileError as error:
        raise TipEditError(EditProblem.FILE_INVALID, str(error)) from error
    document = round_trip_yaml().load(text)
    if isinstance(edit, AddTip):
        nl, en = _checked_text(edit.nl), _checked_text(edit.en)
        tip_id = new_tip_id(current, edit.group, en)
        _append_tip(document, edit.group, tip_id, nl, en)
        changes: tuple[FieldChange, ...] = (FieldChange(tip_id, "tip", None, nl),)
    else:
        tip = current.get(edit.tip_id)
        if tip is None:
            raise TipEditError(EditProblem.UNKNOWN_TIP, edit.tip_id)
        tip_id = tip.id
        entry = _entry(document, tip_id)
        if isinstance(edit, SetText):
            new_text = _checked_text(edit.text)
            before = tip.nl if edit.language == "nl" else tip.en
            changes = () if new_text == before else (FieldChange(tip_id, edit.language, before, new_text),)
            entry[edit.language] = DoubleQuotedScalarString(new_text)
        else:
            changes = (
                ()
                if edit.enabled == tip.enabled
                else (FieldChange(tip_id, "enabled", _flag(tip.enabled), _flag(edit.enabled)),)
            )
            _set_last_key(entry, "enabled", edit.enabled)
    if not changes:
        return EditedFile(text, current, tip_id, ())
    buffer = io.StringIO()
    round_trip_yaml().dump(document, buffer)
    new_text = buffer.getvalue()
    try:
        library = parse_tip_library(new_text, path)
    except TipFileError as error:  # pragma: no cover - the checks above should prevent this
        raise TipEditError(EditProblem.FILE_INVALID, str(error)) from error
    return EditedFile(new_text, library, tip_id, changes)


def write_atomically(path: Path, text: str) -> None:
    """Replace the file in one step: a temporary file in the same folder, then a rename."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        with suppress(FileNotFoundError):
            os.chmod(temporary, stat.S_IMODE(path.stat().st_mode))
        os.replace(temporary, path)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def new_tip_id(library: TipLibrary, group: TipGroup, text: str) -> str:
    """A readable, unused id such as `water-keep-a-bottle-in-sight`, made from the English text."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", ascii_text)
    base = group.value
    for word in words:
        if len(base) + 1 + len(word) > GENERATED_ID_LENGTH - 3:
            break
        base = f"{base}-{word}"
    if base == group.value:
        base = f"{group.value}-tip"
    candidate, number = base, 2
    while library.get(candidate) is not None:
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def diff_libraries(before: TipLibrary, after: TipLibrary) -> list[FieldChange]:
    """What changed between two versions of the file, tip by tip and field by field."""
    changes: list[FieldChange] = []
    for old in before.tips:
        new = after.get(old.id)
        if new is None:
            changes.append(FieldChange(old.id, "tip", old.nl, None))
            continue
        for name, old_value, new_value in _fields(old, new):
            if old_value != new_value:
                changes.append(FieldChange(old.id, name, old_value, new_value))
    changes.extend(
        FieldChange(new.id, "tip", None, new.nl) for new in after.tips if before.get(new.id) is None
    )
    return changes


def log_tip_changes(
    *,
    session: Session,
    changes: tuple[FieldChange, ...] | list[FieldChange],
    changed_by: int | None,
    changed_by_name: str,
    now: datetime,
) -> None:
    """Store who changed what, and when (`changed_by` None: the file was edited by hand)."""
    if changes:
        queries.add_tip_changes(
            session=session,
            changes=[
                TipChange(
                    tip_id=change.tip_id,
                    changed_at=now,
                    changed_by=changed_by,
                    changed_by_name=changed_by_name,
                    field=change.field,
                    before=change.before,
                    after=change.after,
                )
                for change in changes
            ],
        )


def _fields(old: Tip, new: Tip) -> Iterator[tuple[str, str | None, str | None]]:
    yield "group", old.group.value, new.group.value
    yield "nl", old.nl, new.nl
    yield "en", old.en, new.en
    yield "source", old.source, new.source
    yield "fits", fits_text(old.fits), fits_text(new.fits)
    yield "enabled", _flag(old.enabled), _flag(new.enabled)


def _flag(enabled: bool) -> str:
    return "true" if enabled else "false"


def _checked_text(text: str) -> str:
    cleaned = text.strip()
    if not cleaned:
        raise TipEditError(EditProblem.EMPTY_TEXT)
    if len(cleaned) > MAX_TIP_LENGTH:
        raise TipEditError(EditProblem.TOO_LONG, length=len(cleaned))
    if has_control_characters(cleaned):
        raise TipEditError(EditProblem.CONTROL_CHARACTERS)
    return cleaned


def _entry(document: CommentedMap, tip_id: str) -> CommentedMap:
    for entries in document.values():
        for entry in entries:
            if str(entry.get("id")) == tip_id:
                assert isinstance(entry, CommentedMap)
                return entry
    raise TipEditError(EditProblem.UNKNOWN_TIP, tip_id)  # pragma: no cover - validated before


def _append_tip(document: CommentedMap, group: TipGroup, tip_id: str, nl: str, en: str) -> None:
    entry = CommentedMap()
    entry["id"] = tip_id
    entry["nl"] = DoubleQuotedScalarString(nl)
    entry["en"] = DoubleQuotedScalarString(en)
    entry["enabled"] = True
    entries = document.get(group.value)
    if entries is None:
        entries = document[group.value] = CommentedSeq()
    if entries and isinstance(entries[-1], CommentedMap) and entries[-1]:
        _move_trailing_comment(entries[-1], entry, "enabled")
    entries.append(entry)


def _set_last_key(entry: CommentedMap, key: str, value: Any) -> None:
    """Set a key; a new one goes last, before the blank lines and comments that follow the tip."""
    if key in entry:
        entry[key] = value
        return
    last_key = list(entry.keys())[-1]
    entry[key] = value
    _move_trailing_comment(entry, entry, key, source_key=last_key)


def _move_trailing_comment(
    source: CommentedMap, target: CommentedMap, target_key: str, *, source_key: Any = None
) -> None:
    """Blank lines and comments after a tip's last line stay after it when a line is added."""
    last_key = source_key if source_key is not None else list(source.keys())[-1]
    slots = source.ca.items.get(last_key)
    if not slots or len(slots) < 3 or not isinstance(slots[2], CommentToken):
        return
    token: CommentToken = slots[2]
    value: str = token.value
    # An end-of-line comment (`enabled: false  # why`) stays on its line; what follows moves.
    if value.lstrip(" ").startswith("#"):
        own_line, _, rest = value.partition("\n")
        token.value = own_line + "\n"
    else:
        rest = value.removeprefix("\n")
        slots[2] = None
    if rest:
        target.ca.items[target_key] = [None, None, CommentToken("\n" + rest, token.start_mark), None]
