"""The tips layer's new edits: delete and restore, conflicts, lengths as Telegram counts them,
hand edits picked up before an edit, switches while the file is broken, and undo."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.admin.file_errors import explain, refused_message
from storage.database import new_session
from storage.models import TipChange, TipDraft
from tests.harness import sqlite_engine
from tests.test_tips import BROKEN
from tips.changes import UNDO_WINDOW, Editor, TipEditor, UndoExpired
from tips.editing import (
    AddTip,
    DeleteTip,
    EditProblem,
    RestoreTip,
    SetEnabled,
    SetText,
    SetTexts,
    TipEditError,
    edit_tip_text,
)
from tips.library import TipFileError, load_tip_library, parse_tip_library
from tips.schema import TipGroup, telegram_length
from tips.store import ReloadStatus, TipStore

FAMILY = "👨‍👩‍👧‍👦"
FILE = (
    "# Header comment\n"
    "water:\n"
    "  - id: water-a  # the first one\n"
    '    nl: "Drink een glas."\n'
    '    en: "Have a glass."\n'
    "\n"
    "  # the second\n"
    "  - id: water-b\n"
    '    nl: "Nog een glas."\n'
    '    en: "Another glass."\n'
    "\n"
    "# walking\n"
    "walk:\n"
    "  - id: walk-a\n"
    '    nl: "Loop."\n'
    '    en: "Walk."\n'
)
ANNA = Editor(4242, "Anna")
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def path(tmp_path: Path) -> Path:
    file = tmp_path / "tips.yaml"
    file.write_text(FILE, encoding="utf-8")
    return file


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Engine]:
    engine = sqlite_engine(tmp_path / "db.sqlite3")
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def editor(path: Path, database: Engine, clock: Clock) -> TipEditor:
    return TipEditor(TipStore(path, load_tip_library(path)), database, clock)


def logged(engine: Engine) -> list[tuple[str, str, int | None]]:
    with new_session(engine) as session:
        rows = session.exec(select(TipChange).order_by(TipChange.id)).all()  # type: ignore[arg-type]
    return [(row.tip_id, row.field, row.changed_by) for row in rows]


def test_lengths_are_counted_in_utf16_units_as_telegram_does() -> None:
    assert telegram_length(FAMILY) == 11
    assert len(FAMILY) == 7
    text = "a" * 190 + FAMILY  # 197 code points, 201 units
    with pytest.raises(TipFileError, match="text is 201 characters, the limit is 200") as caught:
        parse_tip_library(f'water:\n  - id: water-a\n    nl: "{text}"\n    en: "b"\n', Path("t.yaml"))
    assert caught.value.code == "too_long"
    assert caught.value.details["length"] == 201
    with pytest.raises(TipEditError) as refused:
        edit_tip_text(FILE, Path("t.yaml"), AddTip(TipGroup.WATER, "Kort.", text))
    assert (refused.value.problem, refused.value.language, refused.value.over) == (
        EditProblem.TOO_LONG,
        "en",
        1,
    )
    fits = "a" * 189 + FAMILY
    assert edit_tip_text(FILE, Path("t.yaml"), SetText("water-a", "nl", fits)).changes


def test_delete_keeps_the_comments_around_the_tip_and_restore_puts_it_back() -> None:
    path = Path("t.yaml")
    deleted = edit_tip_text(FILE, path, DeleteTip("water-b"))
    assert deleted.text == FILE.replace(
        '  - id: water-b\n    nl: "Nog een glas."\n    en: "Another glass."\n', ""
    )
    assert deleted.library.get("water-b") is None
    original = parse_tip_library(FILE, path).get("water-b")
    assert original is not None
    restored = edit_tip_text(deleted.text, path, RestoreTip(original, 1))
    assert restored.library.get("water-b") == original
    assert [tip.id for tip in restored.library.tips] == ["water-a", "water-b", "walk-a"]
    only = edit_tip_text(FILE, path, DeleteTip("walk-a"))
    assert only.text.endswith('    en: "Another glass."\n\n# walking\n')
    assert only.library.groups() == [TipGroup.WATER]


def test_a_text_changed_since_the_edit_began_is_a_conflict() -> None:
    with pytest.raises(TipEditError) as caught:
        edit_tip_text(FILE, Path("t.yaml"), SetTexts("water-a", "Nieuw.", "New.", "Iets anders.", None))
    assert caught.value.problem is EditProblem.CONFLICT
    assert caught.value.current is not None
    assert caught.value.current.nl == "Drink een glas."
    both = edit_tip_text(FILE, Path("t.yaml"), SetTexts("water-a", "Nieuw.", "New.", "Drink een glas.", None))
    assert [(c.field, c.after) for c in both.changes] == [("nl", "Nieuw."), ("en", "New.")]


def test_a_hand_edit_found_before_an_admins_switch_is_logged_as_by_hand(
    editor: TipEditor, path: Path, database: Engine
) -> None:
    path.write_text(FILE.replace("Drink een glas.", "Drink twee glazen."), encoding="utf-8")
    change = editor.apply(SetEnabled("water-b", False), ANNA)
    assert [(c.tip_id, c.field, c.after) for c in change.picked_up] == [
        ("water-a", "nl", "Drink twee glazen.")
    ]
    assert logged(database) == [("water-a", "nl", None), ("water-b", "enabled", ANNA.user_id)]
    assert editor.library.get("water-a").nl == "Drink twee glazen."  # type: ignore[union-attr]


def test_a_switch_while_the_file_is_broken_is_live_at_once_and_written_once_it_is_fixed(
    editor: TipEditor, path: Path, database: Engine
) -> None:
    broken = FILE.replace('    en: "Walk."\n', '    en: "Walk."\n    tekst: oeps\n')
    path.write_text(broken, encoding="utf-8")
    assert editor.reload(only_if_changed=True).status is ReloadStatus.REFUSED
    change = editor.apply(SetEnabled("water-a", False), ANNA)
    assert change.pending
    assert not editor.library.get("water-a").enabled  # type: ignore[union-attr]
    assert path.read_text(encoding="utf-8") == broken
    with pytest.raises(TipEditError) as refused:
        editor.apply(SetText("water-b", "nl", "Nieuw."), ANNA)
    assert refused.value.problem is EditProblem.FILE_INVALID
    assert refused.value.file_error is not None
    assert refused.value.file_error.code == "unknown_field"
    # A restart while it is broken keeps the switch (it is a row), and so does another process.
    other = TipEditor(TipStore(path, parse_tip_library(FILE, path)), database, editor._clock)
    other.reload(only_if_changed=True)
    assert not other.library.get("water-a").enabled  # type: ignore[union-attr]

    path.write_text(broken.replace("    tekst: oeps\n", ""), encoding="utf-8")
    result = editor.reload(only_if_changed=True)
    assert result.status is ReloadStatus.RELOADED
    assert result.written_back == ("water-a",)
    assert "    enabled: false\n" in path.read_text(encoding="utf-8")
    assert not load_tip_library(path).get("water-a").enabled  # type: ignore[union-attr]
    with new_session(database) as session:
        assert session.exec(select(TipDraft)).all() == []
    assert logged(database) == [("water-a", "enabled", ANNA.user_id)]


def test_undo_within_ten_minutes_unless_the_tip_changed_since(
    editor: TipEditor, path: Path, clock: Clock
) -> None:
    change = editor.apply(SetText("water-a", "nl", "Drink water."), ANNA)
    assert change.undo_id is not None
    assert editor.latest_undo(ANNA.user_id) == change.undo_id
    editor.undo(change.undo_id, ANNA)
    assert editor.library.get("water-a").nl == "Drink een glas."  # type: ignore[union-attr]
    with pytest.raises(UndoExpired):
        editor.undo(change.undo_id, ANNA)

    added = editor.apply(AddTip(TipGroup.WATER, "Thee telt ook.", "Tea counts too."), ANNA)
    editor.apply(SetText(added.tip_id, "en", "Tea counts."), ANNA)
    assert added.undo_id is not None
    with pytest.raises(TipEditError) as caught:
        editor.undo(added.undo_id, ANNA)
    assert caught.value.problem is EditProblem.CONFLICT

    deleted = editor.apply(DeleteTip("water-b"), ANNA)
    assert deleted.undo_id is not None
    clock.now += UNDO_WINDOW + timedelta(seconds=1)
    with pytest.raises(UndoExpired):
        editor.undo(deleted.undo_id, ANNA)


def test_a_deleted_tips_id_is_not_given_to_a_new_tip(editor: TipEditor) -> None:
    added = editor.apply(AddTip(TipGroup.WATER, "Thee.", "Tea."), ANNA)
    assert added.tip_id == "water-tea"
    editor.apply(DeleteTip("water-tea"), ANNA)
    again = editor.apply(AddTip(TipGroup.WATER, "Thee.", "Tea."), ANNA)
    assert again.tip_id == "water-tea-2"


@pytest.mark.parametrize(("case", "text"), [(case, text) for case, text, *_ in BROKEN])
def test_every_broken_file_is_explained_in_plain_dutch(case: str, text: str) -> None:
    with pytest.raises(TipFileError) as caught:
        parse_tip_library(text, Path("tips.yaml"))
    message = refused_message("nl", caught.value, file="tips.yaml")
    what, *rest = message.splitlines()[1:]
    assert what.startswith("Wat: ")
    assert any(line.startswith("Oplossen: ") for line in rest)
    if caught.value.line is not None:
        assert f"regel {caught.value.line}" in message
    # None of the parser's English reaches the coach.
    for english in ("expected", "mapping", "while", "found", "unknown", "missing", "not valid"):
        assert english not in message, (case, english)
    assert explain("en", caught.value).startswith("What: ")
