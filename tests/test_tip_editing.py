"""Editing the tip file, the live tip store, the /tip command words, and the weekly repeat rule."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.main import main
from tests.harness import ROOT, TOKEN
from tests.test_tips import BROKEN, make_library, make_tip, pick_many
from tips.commands import (
    TipAction,
    TipCommand,
    TipUsage,
    UsageProblem,
    command_arguments,
    parse_tip_command,
)
from tips.editing import (
    AddTip,
    EditProblem,
    FieldChange,
    SetEnabled,
    SetText,
    TipEditError,
    diff_libraries,
    edit_tip_text,
    round_trip_yaml,
    write_atomically,
)
from tips.library import TipLibrary, choose_tip, load_tip_library
from tips.schema import SlotKind, TipGroup
from tips.store import ReloadStatus, TipStore

SHIPPED = ROOT / "content" / "tips.yaml"
SMALL = (
    "# Header comment\n"
    "water:\n"
    "  - id: water-a  # the first one\n"
    '    nl: "Drink een glas."\n'
    "    en: 'Have a glass.'\n"
    "\n"
    "# walking\n"
    "walk:\n"
    "  - id: walk-a\n"
    '    nl: "Loop."\n'
    '    en: "Walk."\n'
    "    enabled: true\n"
)


@pytest.fixture
def tips_file(tmp_path: Path) -> Path:
    path = tmp_path / "tips.yaml"
    shutil.copy(SHIPPED, path)
    return path


def test_round_trip_of_the_shipped_file_is_byte_for_byte() -> None:
    import io

    text = SHIPPED.read_text(encoding="utf-8")
    yaml = round_trip_yaml()
    buffer = io.StringIO()
    yaml.dump(yaml.load(text), buffer)
    assert buffer.getvalue() == text


def test_edits_keep_comments_order_and_quotes() -> None:
    path = Path("tips.yaml")
    added = edit_tip_text(SMALL, path, AddTip(TipGroup.WATER, " Nog een. ", "One more."))
    assert added.tip_id == "water-one-more"
    assert added.changes == (FieldChange("water-one-more", "tip", None, "Nog een."),)
    edited = edit_tip_text(added.text, path, SetText("water-a", "nl", "Drink water."))
    switched = edit_tip_text(edited.text, path, SetEnabled("water-a", False))
    assert switched.text == (
        "# Header comment\n"
        "water:\n"
        "  - id: water-a  # the first one\n"
        '    nl: "Drink water."\n'
        "    en: 'Have a glass.'\n"
        "    enabled: false\n"
        "  - id: water-one-more\n"
        '    nl: "Nog een."\n'
        '    en: "One more."\n'
        "    enabled: true\n"
        "\n"
        "# walking\n"
        "walk:\n"
        "  - id: walk-a\n"
        '    nl: "Loop."\n'
        '    en: "Walk."\n'
        "    enabled: true\n"
    )
    tip = switched.library.get("water-a")
    assert tip is not None
    assert (tip.nl, tip.enabled) == ("Drink water.", False)


def test_adding_to_a_new_group_and_ids_stay_unique() -> None:
    path = Path("tips.yaml")
    first = edit_tip_text(SMALL, path, AddTip(TipGroup.SLEEP, "Slaap", "Sleep well"))
    second = edit_tip_text(first.text, path, AddTip(TipGroup.SLEEP, "Slaap", "Sleep well!"))
    third = edit_tip_text(second.text, path, AddTip(TipGroup.SLEEP, "Slaap", "😴"))
    assert (first.tip_id, second.tip_id, third.tip_id) == (
        "sleep-sleep-well",
        "sleep-sleep-well-2",
        "sleep-tip",
    )
    assert [tip.id for tip in third.library.tips][-3:] == [first.tip_id, second.tip_id, "sleep-tip"]
    long = edit_tip_text(SMALL, path, AddTip(TipGroup.WATER, "x", "word " * 40))
    assert len(long.tip_id) <= 40


def test_no_change_writes_nothing() -> None:
    result = edit_tip_text(SMALL, Path("t.yaml"), SetText("walk-a", "en", " Walk. "))
    assert (result.text, result.changes) == (SMALL, ())
    assert edit_tip_text(SMALL, Path("t.yaml"), SetEnabled("walk-a", True)).changes == ()


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (SetText("water-a", "nl", "x" * 201), EditProblem.TOO_LONG),
        (SetText("water-a", "en", "   "), EditProblem.EMPTY_TEXT),
        (SetText("water-a", "en", "Drink\x00 water"), EditProblem.CONTROL_CHARACTERS),
        (AddTip(TipGroup.WATER, "Drink\x1b[31m water", "x"), EditProblem.CONTROL_CHARACTERS),
        (AddTip(TipGroup.WATER, "", "x"), EditProblem.EMPTY_TEXT),
        (SetEnabled("water-zzz", False), EditProblem.UNKNOWN_TIP),
    ],
)
def test_bad_edits_are_refused(edit: SetText | SetEnabled | AddTip, problem: EditProblem) -> None:
    with pytest.raises(TipEditError) as caught:
        edit_tip_text(SMALL, Path("t.yaml"), edit)
    assert caught.value.problem is problem


def test_an_edit_on_a_broken_file_is_refused_with_the_files_error() -> None:
    with pytest.raises(TipEditError) as caught:
        edit_tip_text(SMALL.replace("walk:", "wlak:"), Path("t.yaml"), SetEnabled("water-a", False))
    assert caught.value.problem is EditProblem.FILE_INVALID
    assert (
        caught.value.detail == "t.yaml, line 8, field wlak: unknown group 'wlak'; "
        "the groups are water, walk, breathing, sleep, general"
    )


def test_write_is_atomic_and_keeps_the_mode(tmp_path: Path) -> None:
    path = tmp_path / "tips.yaml"
    path.write_text("old", encoding="utf-8")
    path.chmod(0o640)
    write_atomically(path, "new ✓")
    assert path.read_text(encoding="utf-8") == "new ✓"
    assert path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["tips.yaml"]


def test_failed_write_changes_nothing(tips_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = TipStore(tips_file, load_tip_library(tips_file))
    live, before = store.library, tips_file.read_bytes()

    def disk_full(source: str, target: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("tips.editing.os.replace", disk_full)
    with pytest.raises(TipEditError) as caught:
        store.apply(SetEnabled("water-why", False))
    assert caught.value.problem is EditProblem.WRITE_FAILED
    assert "No space left on device" in caught.value.detail
    assert store.library is live
    assert tips_file.read_bytes() == before
    assert [p.name for p in tips_file.parent.iterdir()] == ["tips.yaml"]


# --- the live store ------------------------------------------------------------------------


def test_store_apply_writes_and_swaps(tips_file: Path) -> None:
    store = TipStore(tips_file, load_tip_library(tips_file))
    edited = store.apply(SetEnabled("water-why", False)).edited
    assert edited.changes == (FieldChange("water-why", "enabled", "true", "false"),)
    assert store.library is edited.library
    assert load_tip_library(tips_file) == store.library
    assert store.reload_if_changed().status is ReloadStatus.UNCHANGED


@pytest.mark.parametrize(
    ("text", "line", "field", "reason"),
    [pytest.param(text, line, field, reason, id=case) for case, text, line, field, reason in BROKEN],
)
def test_broken_files_at_reload_keep_the_last_valid_tips(
    tips_file: Path, text: str, line: int | None, field: str | None, reason: str
) -> None:
    store = TipStore(tips_file, load_tip_library(tips_file))
    live = store.library
    tips_file.write_text(text, encoding="utf-8")
    for result in (store.reload_if_changed(), store.reload()):
        assert result.status is ReloadStatus.REFUSED
        assert result.error is not None
        assert (result.error.line, result.error.field) == (line, field)
        assert reason in result.error.reason
        assert store.library is live
    # The watch reports a bad file once, not every time it looks.
    assert store.reload_if_changed().status is ReloadStatus.UNCHANGED


def test_missing_file_at_reload_keeps_the_tips(tips_file: Path) -> None:
    store = TipStore(tips_file, load_tip_library(tips_file))
    live = store.library
    tips_file.unlink()
    result = store.reload_if_changed()
    assert result.status is ReloadStatus.REFUSED
    assert "cannot read the file" in str(result.error)
    assert store.library is live


def test_reload_reports_what_changed(tips_file: Path) -> None:
    store = TipStore(tips_file, load_tip_library(tips_file))
    text = tips_file.read_text(encoding="utf-8")
    tips_file.write_text(text.replace("  - id: water-why\n", "  - id: water-how\n"), encoding="utf-8")
    result = store.reload_if_changed()
    assert result.status is ReloadStatus.RELOADED
    assert {(c.tip_id, c.field, c.after is None) for c in result.changes} == {
        ("water-why", "tip", True),
        ("water-how", "tip", False),
    }
    assert store.library.get("water-how") is not None


def test_diff_libraries_field_by_field() -> None:
    before = TipLibrary((make_tip("water-a"), make_tip("water-b")))
    after = TipLibrary((make_tip("water-a", enabled=False), make_tip("water-c")))
    assert diff_libraries(before, after) == [
        FieldChange("water-a", "enabled", "true", "false"),
        FieldChange("water-b", "tip", "nl water-b", None),
        FieldChange("water-c", "tip", None, "nl water-c"),
    ]


# --- startup -------------------------------------------------------------------------------


def test_invalid_file_at_startup_stops_the_bot_naming_file_line_and_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "tips.yaml"
    path.write_text('water:\n  - id: water-a\n    nl: "a"\n    en: ""\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # no .env from the project
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TIPS_PATH", str(path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert main() == 1
    error = capsys.readouterr().err
    assert error == f"Cannot start: {path}, line 4, field water[0].en: text is empty\n"
    assert TOKEN not in error
    assert not (tmp_path / "db.sqlite3").exists()


# --- the /tip command ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ("", TipCommand(TipAction.MENU)),
        ("Water", TipCommand(TipAction.LIST, group=TipGroup.WATER)),
        ("lijst wandelen", TipCommand(TipAction.LIST, group=TipGroup.WALK)),
        ("list", TipCommand(TipAction.MENU)),
        ("Water-Why", TipCommand(TipAction.SHOW, tip_id="water-why")),
        ("toon water-why", TipCommand(TipAction.SHOW, tip_id="water-why")),
        ("show water-why", TipCommand(TipAction.SHOW, tip_id="water-why")),
        (
            "nieuw slaap Slaap lekker | Sleep well",
            TipCommand(TipAction.ADD, group=TipGroup.SLEEP, nl="Slaap lekker", en="Sleep well"),
        ),
        (
            "add breathing\nAdem in\nBreathe in",
            TipCommand(TipAction.ADD, group=TipGroup.BREATHING, nl="Adem in", en="Breathe in"),
        ),
        ("add water only one text", TipCommand(TipAction.ADD, group=TipGroup.WATER, nl="only one text")),
        ("nieuw water", TipCommand(TipAction.ADD, group=TipGroup.WATER)),
        ("nieuw water a | b | c", TipUsage(TipAction.ADD, UsageProblem.PIPES, TipGroup.WATER)),
        ("nieuw water a\nb\nc", TipUsage(TipAction.ADD, UsageProblem.LINES, TipGroup.WATER)),
        ("add water | en", TipUsage(TipAction.ADD)),
        ("nieuw koffie a | b", TipUsage(TipAction.ADD)),
        (
            "wijzig water-why nl Nieuwe  tekst\nmet twee regels",
            TipCommand(
                TipAction.EDIT, tip_id="water-why", language="nl", text="Nieuwe  tekst\nmet twee regels"
            ),
        ),
        (
            "edit water-why english New",
            TipCommand(TipAction.EDIT, tip_id="water-why", language="en", text="New"),
        ),
        ("edit water-why fr Nouveau", TipUsage(TipAction.EDIT)),
        ("edit water-why nl", TipCommand(TipAction.EDIT, tip_id="water-why", language="nl")),
        ("wijzig water-why", TipCommand(TipAction.EDIT, tip_id="water-why")),
        ("verwijder water-why", TipCommand(TipAction.DELETE, tip_id="water-why")),
        ("ongedaan", TipCommand(TipAction.UNDO)),
        ("web", TipCommand(TipAction.WEB)),
        ("aan water-why", TipCommand(TipAction.ENABLE, tip_id="water-why")),
        ("off water-why", TipCommand(TipAction.DISABLE, tip_id="water-why")),
        ("uit", TipUsage(TipAction.DISABLE)),
        ("stuur water-why en", TipCommand(TipAction.SEND, tip_id="water-why", language="en")),
        ("send water-why", TipCommand(TipAction.SEND, tip_id="water-why")),
        ("send water-why de", TipUsage(TipAction.SEND)),
        ("geschiedenis water-why", TipCommand(TipAction.HISTORY, tip_id="water-why")),
        ("herlaad", TipCommand(TipAction.RELOAD)),
        ("statistieken", TipCommand(TipAction.STATS)),
        ("help", TipCommand(TipAction.HELP)),
        ("onzin", TipUsage(None)),
    ],
)
def test_tip_command_words(arguments: str, expected: TipCommand | TipUsage) -> None:
    assert parse_tip_command(arguments) == expected


def test_command_arguments_keep_line_breaks() -> None:
    assert command_arguments("/tip@habits_bot add water\nA\nB ") == "add water\nA\nB"
    assert command_arguments("/tips") == ""


# --- no repeat within a week -----------------------------------------------------------------


def test_a_small_group_sends_no_tip_rather_than_repeating_within_the_gap() -> None:
    library = make_library(3)
    history = pick_many(library, [], 3)[::-1]
    assert choose_tip(library, SlotKind.MORNING, history, shown_within_repeat_gap=set(history)) is None
    tip = choose_tip(library, SlotKind.MORNING, history, shown_within_repeat_gap={"water-1", "water-2"})
    assert tip is not None
    assert tip.id == "water-0"


def test_a_never_seen_tip_shown_within_the_gap_is_not_picked() -> None:
    # water-2 was sent this week but is older than the (short) history passed in.
    library = make_library(3)
    tip = choose_tip(
        library,
        SlotKind.MORNING,
        ["water-0", "water-1"],
        shown_within_repeat_gap={"water-0", "water-1", "water-2"},
    )
    assert tip is None
    with pytest.raises(TypeError):
        choose_tip(library, SlotKind.MORNING, [], shown_within_repeat_gap="water-0")
