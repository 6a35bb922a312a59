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
from collections.abc import Collection, Iterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.scalarstring import DoubleQuotedScalarString
from ruamel.yaml.tokens import CommentToken
from sqlmodel import Session

from storage import queries
from storage.models import TipChange
from tips.library import TipFileError, TipLibrary, parse_tip_library
from tips.schema import MAX_TIP_LENGTH, Tip, TipGroup, fits_text, has_control_characters, telegram_length

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
    """One text of a tip; with `expected`, refused (CONFLICT) unless the text is still that."""

    tip_id: str
    language: Language
    text: str
    expected: str | None = None


@dataclass(frozen=True)
class SetTexts:
    """Both texts at once (the web page saves a row); `expected_*` as in SetText."""

    tip_id: str
    nl: str
    en: str
    expected_nl: str | None = None
    expected_en: str | None = None


@dataclass(frozen=True)
class SetEnabled:
    tip_id: str
    enabled: bool


@dataclass(frozen=True)
class DeleteTip:
    """Remove the tip from the file; its history and the nudges that carried it stay in the database."""

    tip_id: str


@dataclass(frozen=True)
class RestoreTip:
    """Put a deleted tip back where it was (an undo of DeleteTip)."""

    tip: Tip
    index: int


TipEdit = AddTip | SetText | SetTexts | SetEnabled | DeleteTip | RestoreTip


class EditProblem(StrEnum):
    UNKNOWN_TIP = "unknown_tip"
    EMPTY_TEXT = "empty_text"
    TOO_LONG = "too_long"
    CONTROL_CHARACTERS = "control_characters"
    CONFLICT = "conflict"  # the text was changed by someone else since the edit began
    TAKEN_ID = "taken_id"  # a restore whose id is in use again
    FILE_INVALID = "file_invalid"  # the file on disk does not validate (a hand edit gone wrong)
    WRITE_FAILED = "write_failed"


class TipEditError(Exception):
    """An edit that was refused; nothing was written.

    TOO_LONG, EMPTY_TEXT and CONTROL_CHARACTERS name the `language` of the text; TOO_LONG has its
    `length` in UTF-16 units; CONFLICT has the `current` tip; FILE_INVALID the `file_error`.
    """

    def __init__(
        self,
        problem: EditProblem,
        detail: str = "",
        *,
        length: int = 0,
        language: Language | None = None,
        current: Tip | None = None,
        file_error: TipFileError | None = None,
    ) -> None:
        self.problem = problem
        self.detail = detail
        self.length = length
        self.language = language
        self.current = current
        self.file_error = file_error
        super().__init__(f"{problem.value}: {detail}" if detail else problem.value)

    @property
    def over(self) -> int:
        """How many UTF-16 units a TOO_LONG text is over the limit."""
        return max(self.length - MAX_TIP_LENGTH, 0)


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


def edit_tip_text(text: str, path: Path, edit: TipEdit, *, reserved_ids: Collection[str] = ()) -> EditedFile:
    """Apply `edit` to the tip-file text; raise `TipEditError` if it cannot be applied.

    `reserved_ids` are ids a new tip may not take (those of deleted tips, still in the history).
    """
    try:
        current = parse_tip_library(text, path)
    except TipFileError as error:
        raise TipEditError(EditProblem.FILE_INVALID, str(error), file_error=error) from error
    document = round_trip_yaml().load(text)
    changes: tuple[FieldChange, ...]
    if isinstance(edit, AddTip):
        nl, en = checked_text(edit.nl, "nl"), checked_text(edit.en, "en")
        tip_id = new_tip_id(current, edit.group, en, reserved_ids=reserved_ids)
        _insert_tip(document, edit.group, tip_id, {"nl": nl, "en": en, "enabled": True}, None)
        changes = (FieldChange(tip_id, "tip", None, nl),)
    elif isinstance(edit, RestoreTip):
        tip_id = edit.tip.id
        if current.get(tip_id) is not None:
            raise TipEditError(EditProblem.TAKEN_ID, tip_id)
        # Every field the tip has, in the file's order; fields added to tips later come along.
        stored = edit.tip.model_dump(mode="json", exclude={"id", "group"})
        fields: dict[str, Any] = {"nl": edit.tip.nl, "en": edit.tip.en}
        if edit.tip.source:
            fields["source"] = edit.tip.source
        fields["enabled"] = edit.tip.enabled
        fields.update(
            {key: value for key, value in stored.items() if key not in fields and value is not None}
        )
        _insert_tip(document, edit.tip.group, tip_id, fields, edit.index)
        changes = (FieldChange(tip_id, "tip", None, edit.tip.nl),)
    else:
        tip = current.get(edit.tip_id)
        if tip is None:
            raise TipEditError(EditProblem.UNKNOWN_TIP, edit.tip_id)
        tip_id = tip.id
        entry = _entry(document, tip_id)
        if isinstance(edit, DeleteTip):
            _remove_tip(document, tip_id)
            changes = (FieldChange(tip_id, "tip", tip.nl, None),)
        elif isinstance(edit, SetEnabled):
            changes = (
                ()
                if edit.enabled == tip.enabled
                else (FieldChange(tip_id, "enabled", _flag(tip.enabled), _flag(edit.enabled)),)
            )
            _set_last_key(entry, "enabled", edit.enabled)
        else:
            if isinstance(edit, SetText):
                wanted = {edit.language: (edit.text, edit.expected)}
            else:
                wanted = {"nl": (edit.nl, edit.expected_nl), "en": (edit.en, edit.expected_en)}
            for language, (_, expected) in wanted.items():
                if expected is not None and expected.strip() != tip.text(language):
                    raise TipEditError(EditProblem.CONFLICT, tip_id, language=language, current=tip)
            found: list[FieldChange] = []
            for language, (new_text, _) in wanted.items():
                cleaned = checked_text(new_text, language)
                before = tip.text(language)
                if cleaned != before:
                    found.append(FieldChange(tip_id, language, before, cleaned))
                    entry[language] = DoubleQuotedScalarString(cleaned)
            changes = tuple(found)
    if not changes:
        return EditedFile(text, current, tip_id, ())
    buffer = io.StringIO()
    round_trip_yaml().dump(document, buffer)
    new_text = buffer.getvalue()
    try:
        library = parse_tip_library(new_text, path)
    except TipFileError as error:  # pragma: no cover - the checks above should prevent this
        raise TipEditError(EditProblem.FILE_INVALID, str(error), file_error=error) from error
    return EditedFile(new_text, library, tip_id, changes)


def position_in_group(library: TipLibrary, tip_id: str) -> int:
    """Where a tip stands among the tips of its group (0 first); -1 when there is no such tip."""
    tip = library.get(tip_id)
    if tip is None:
        return -1
    return [other.id for other in library.tips if other.group is tip.group].index(tip_id)


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


def new_tip_id(library: TipLibrary, group: TipGroup, text: str, *, reserved_ids: Collection[str] = ()) -> str:
    """A readable, unused id such as `water-keep-a-bottle-in-sight`, made from the English text.

    Ids in `reserved_ids` (deleted tips) are not reused, so their statistics never merge with a new tip's.
    """
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
    while library.get(candidate) is not None or candidate in reserved_ids:
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


def checked_text(text: str, language: Language) -> str:
    """The text as it would be stored, or TipEditError naming the language and what is wrong."""
    cleaned = text.strip()
    if not cleaned:
        raise TipEditError(EditProblem.EMPTY_TEXT, language=language)
    length = telegram_length(cleaned)
    if length > MAX_TIP_LENGTH:
        raise TipEditError(EditProblem.TOO_LONG, length=length, language=language)
    if has_control_characters(cleaned):
        raise TipEditError(EditProblem.CONTROL_CHARACTERS, language=language)
    return cleaned


def _entry(document: CommentedMap, tip_id: str) -> CommentedMap:
    for entries in document.values():
        for entry in entries:
            if str(entry.get("id")) == tip_id:
                assert isinstance(entry, CommentedMap)
                return entry
    raise TipEditError(EditProblem.UNKNOWN_TIP, tip_id)  # pragma: no cover - validated before


def _insert_tip(
    document: CommentedMap, group: TipGroup, tip_id: str, fields: dict[str, Any], index: int | None
) -> None:
    """A new entry in the group (created at the end if missing), at `index` or last."""
    entry = CommentedMap()
    entry["id"] = tip_id
    for key, value in fields.items():
        entry[key] = DoubleQuotedScalarString(value) if isinstance(value, str) else value
    entries = document.get(group.value)
    if entries is None:
        entries = document[group.value] = CommentedSeq()
    if index is not None and index < len(entries):
        entries.insert(max(index, 0), entry)
        return
    if entries and isinstance(entries[-1], CommentedMap) and entries[-1]:
        _move_trailing_comment(entries[-1], entry, list(entry.keys())[-1])
    entries.append(entry)


def _remove_tip(document: CommentedMap, tip_id: str) -> None:
    """Take a tip out of the file; the comments and blank lines after it stay where they were."""
    groups = list(document.keys())
    for position, name in enumerate(groups):
        entries = document[name]
        index = next((i for i, entry in enumerate(entries) if str(entry.get("id")) == tip_id), None)
        if index is None:
            continue
        rest = _take_trailing_comment(entries[index])
        del entries[index]
        if index > 0:
            _add_trailing_comment(entries[index - 1], rest)
        elif entries:
            if rest:
                if entries.ca.comment is None:
                    entries.ca.comment = [None, []]
                if entries.ca.comment[1] is None:
                    entries.ca.comment[1] = []
                entries.ca.comment[1].append(CommentToken(rest, CommentMark(0)))
        else:
            # An empty group would be written as `group: []`, which ruamel lays out badly: the
            # group goes, and what followed its last tip moves to the group before it.
            del document[name]
            earlier = [document[other] for other in groups[:position] if other in document]
            if earlier and earlier[-1]:
                _add_trailing_comment(earlier[-1][-1], rest)
            elif rest.strip():
                if document.ca.comment is None:
                    document.ca.comment = [None, []]
                if document.ca.comment[1] is None:
                    document.ca.comment[1] = []
                document.ca.comment[1].append(CommentToken(rest.lstrip("\n"), CommentMark(0)))
        return


def _take_trailing_comment(entry: CommentedMap) -> str:
    """The blank lines and comments after a tip's last line (not an end-of-line comment), removed."""
    last_key = list(entry.keys())[-1]
    slots = entry.ca.items.get(last_key)
    if not slots or len(slots) < 3 or not isinstance(slots[2], CommentToken):
        return ""
    value: str = slots[2].value
    _, _, rest = value.partition("\n")
    return rest


def _add_trailing_comment(entry: CommentedMap, rest: str) -> None:
    if not rest:
        return
    last_key = list(entry.keys())[-1]
    slots = entry.ca.items.setdefault(last_key, [None, None, None, None])
    while len(slots) < 4:
        slots.append(None)
    token = slots[2]
    if isinstance(token, CommentToken):
        token.value = token.value + rest
    else:
        slots[2] = CommentToken("\n" + rest, CommentMark(0))


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
