"""The tip library: the shipped content, validation of the tip file, and rotation."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from ruamel.yaml import YAML

from tips.library import (
    TipFileError,
    TipLibrary,
    choose_tip,
    load_tip_library,
    parse_tip_library,
)
from tips.schema import MAX_TIP_LENGTH, SlotKind, Tip, TipGroup

CONTENT = Path(__file__).resolve().parent.parent / "content" / "tips.yaml"
# A tip's `source` may only name a study from the reference list of the source articles
# (the VitaminFit article "De darm-huid as"); the two articles themselves are not studies.
REFERENCE_LIST = {
    "De Pessemier et al. (2021), Microorganisms",
    "Mahmud et al. (2022), Gut Microbes",
    "Do N. M. (2024), American Journal of Lifestyle Medicine",
    "Dhaliwal et al. (2020), American Journal of Clinical Dermatology",
    "Arribas Lopez et al. (2025), BMJ Nutrition, Prevention & Health",
    "Maghsoumi-Norouzabad et al. (2025), Iranian Journal of Medical Sciences",
    "Caetano & Castelucci (2022), World Journal of Clinical Cases",
    "Siddiqui & Cresci (2021), Journal of Inflammation Research",
}
GOOD_TIP = '  - id: water-ok\n    nl: "Drink een glas."\n    en: "Have a glass."\n'


# --- the shipped content ---------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> TipLibrary:
    return load_tip_library(CONTENT)


def test_shipped_file_validates(shipped: TipLibrary) -> None:
    assert shipped.groups() == list(TipGroup)


@pytest.mark.parametrize("group", list(TipGroup))
def test_shipped_groups_have_at_least_twelve_enabled_tips(shipped: TipLibrary, group: TipGroup) -> None:
    assert len(shipped.enabled(group)) >= 12


def test_shipped_texts_are_present_and_short(shipped: TipLibrary) -> None:
    for tip in shipped.tips:
        for text in (tip.nl, tip.en):
            assert text.strip() == text
            assert 0 < len(text) <= MAX_TIP_LENGTH, tip.id
        assert tip.nl != tip.en, tip.id


def test_shipped_ids_are_unique_and_prefixed_by_group() -> None:
    document = YAML(typ="safe").load(CONTENT.read_text(encoding="utf-8"))
    ids = [entry["id"] for entries in document.values() for entry in entries]
    assert [tip_id for tip_id, count in Counter(ids).items() if count > 1] == []
    for group, entries in document.items():
        for entry in entries:
            assert entry["id"].startswith(f"{group}-"), entry["id"]


def test_shipped_sources_name_only_studies_of_the_reference_list(shipped: TipLibrary) -> None:
    for tip in shipped.tips:
        assert tip.source is None or tip.source in REFERENCE_LIST, tip.id


BANNED = re.compile(
    r"detox|ontgift|\bleaky\b|lekkende darm|\bgene(es|zen)|\bcures?\b|\bheals?\b"
    r"|\d+\s?(mg|mcg|µg|ie|iu)\b",
    re.IGNORECASE,
)


def test_shipped_tips_avoid_banned_claims(shipped: TipLibrary) -> None:
    for tip in shipped.tips:
        assert BANNED.search(tip.nl) is None, tip.id
        assert BANNED.search(tip.en) is None, tip.id
        assert re.search(r"\b(u|uw)\b", tip.nl, re.IGNORECASE) is None, tip.id


# --- loading and validation ------------------------------------------------------------


def test_load_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "tips.yaml"
    path.write_text(
        "# header\nwater:\n"
        "  - id: water-one\n"
        "    nl: '  Drink een glas.  '\n"
        "    en: Have a glass.\n"
        "    source: ''\n"
        "walk:\n"
        "  - id: walk-one\n"
        "    nl: |\n"
        "      Loop een rondje.\n"
        "    en: Take a walk.\n"
        "    enabled: false\n"
        "breathing: []\n",
        encoding="utf-8",
    )
    library = load_tip_library(path)
    water = library.get("water-one")
    assert water == Tip(id="water-one", group=TipGroup.WATER, nl="Drink een glas.", en="Have a glass.")
    assert water is not None
    assert water.source is None
    walk = library.get("walk-one")
    assert walk is not None
    assert walk.nl == "Loop een rondje."
    assert not walk.enabled
    assert type(walk.nl) is str
    assert library.enabled("walk") == []
    assert library.groups() == [TipGroup.WATER, TipGroup.WALK]
    assert library.get("nope") is None


def test_load_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.yaml"
    with pytest.raises(TipFileError) as caught:
        load_tip_library(path)
    assert caught.value.path == path
    assert str(caught.value).startswith(f"{path}: cannot read the file")


def test_error_message_format() -> None:
    error = TipFileError(
        Path("content/tips.yaml"),
        "text is 231 characters, the limit is 200",
        line=14,
        field="water[3].nl",
    )
    assert str(error) == (
        "content/tips.yaml, line 14, field water[3].nl: text is 231 characters, the limit is 200"
    )
    assert str(TipFileError(Path("t.yaml"), "empty")) == "t.yaml: empty"


BROKEN: list[tuple[str, str, int | None, str | None, str]] = [
    # (case, text, line, field, part of the reason)
    ("bad yaml", 'water:\n  - id: water-a\n    nl: [oops\n    en: "x"\n', 4, None, "not valid YAML"),
    ("tab indent", "water:\n\t- id: water-a\n", 2, None, "spaces, not tabs"),
    ("duplicate key", "water:\n" + GOOD_TIP + '    nl: "Nog een."\n', 5, None, "duplicate key"),
    ("empty file", "# only a comment\n", None, None, "no tips"),
    ("top level list", "- id: water-a\n  nl: x\n  en: y\n", 1, None, "top level must be a mapping"),
    ("top level text", "water\n", None, None, "top level must be a mapping"),
    ("unknown group", "water:\n" + GOOD_TIP + "wter:\n" + GOOD_TIP, 5, "wter", "unknown group 'wter'"),
    ("group not a list", "water:\n  id: water-a\n  nl: x\n", 1, "water", "must be a list of tips"),
    ("group left empty", "water:\nwalk: []\n", 1, "water", "not nothing"),
    (
        "tip not a mapping",
        "water:\n" + GOOD_TIP + "  - Drink water\n",
        5,
        "water[1]",
        "a tip must be a mapping",
    ),
    (
        "unknown field",
        "water:\n" + GOOD_TIP + "    tekst: hoi\n",
        5,
        "water[0].tekst",
        "unknown field 'tekst'",
    ),
    ("missing id", 'water:\n  - nl: "a"\n    en: "b"\n', 2, "water[0].id", "missing"),
    ("missing nl", 'water:\n  - id: water-a\n    en: "b"\n', 2, "water[0].nl", "missing"),
    ("missing en", 'water:\n  - id: water-a\n    nl: "a"\n', 2, "water[0].en", "missing"),
    (
        "blank text",
        'water:\n  - id: water-a\n    nl: "   "\n    en: "b"\n',
        3,
        "water[0].nl",
        "text is empty",
    ),
    ("null text", 'water:\n  - id: water-a\n    nl: "a"\n    en:\n', 4, "water[0].en", "text is empty"),
    (
        "text not a string",
        'water:\n  - id: water-a\n    nl: 12\n    en: "b"\n',
        3,
        "water[0].nl",
        "must be text",
    ),
    (
        "text too long",
        f'water:\n  - id: water-a\n    nl: "a"\n    en: "{"x" * 231}"\n',
        4,
        "water[0].en",
        "text is 231 characters, the limit is 200",
    ),
    (
        "control character",
        'water:\n  - id: water-a\n    nl: "a\\u0007b"\n    en: "b"\n',
        3,
        "water[0].nl",
        "contains control characters (only line breaks are allowed)",
    ),
    ("bad id", 'water:\n  - id: Water_A\n    nl: "a"\n    en: "b"\n', 2, "water[0].id", "bad id 'Water_A'"),
    ("id too short", 'water:\n  - id: w\n    nl: "a"\n    en: "b"\n', 2, "water[0].id", "bad id 'w'"),
    (
        "duplicate id",
        "water:\n" + GOOD_TIP + "walk:\n" + GOOD_TIP,
        6,
        "walk[0].id",
        "duplicate id 'water-ok', already used by water[0] (line 2)",
    ),
    (
        "enabled yes",
        "water:\n" + GOOD_TIP + "    enabled: yes\n",
        5,
        "water[0].enabled",
        "must be true or false",
    ),
    (
        "enabled quoted",
        "water:\n" + GOOD_TIP + '    enabled: "false"\n',
        5,
        "water[0].enabled",
        "must be true or false",
    ),
    (
        "enabled number",
        "water:\n" + GOOD_TIP + "    enabled: 1\n",
        5,
        "water[0].enabled",
        "must be true or false",
    ),
]


@pytest.mark.parametrize(
    ("text", "line", "field", "reason"),
    [pytest.param(text, line, field, reason, id=case) for case, text, line, field, reason in BROKEN],
)
def test_broken_files_are_rejected(
    tmp_path: Path, text: str, line: int | None, field: str | None, reason: str
) -> None:
    path = tmp_path / "tips.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TipFileError) as caught:
        load_tip_library(path)
    error = caught.value
    assert (error.path, error.line, error.field) == (path, line, field)
    assert reason in error.reason
    message = str(error)
    assert message.startswith(str(path))
    if line is not None:
        assert f"line {line}" in message
    if field is not None:
        assert f"field {field}:" in message
    assert "\n" not in message


def test_parse_checks_text_not_on_disk() -> None:
    path = Path("content/tips.yaml")
    assert parse_tip_library("water:\n" + GOOD_TIP, path).get("water-ok") is not None
    with pytest.raises(TipFileError, match=r"^content/tips.yaml, line 1, field wter: "):
        parse_tip_library("wter:\n" + GOOD_TIP, path)


def test_library_refuses_duplicate_ids() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        TipLibrary((make_tip("water-a"), make_tip("water-a")))


@pytest.mark.parametrize(
    ("language", "expected"),
    [("nl", "nl"), ("en", "en"), ("en-GB", "en"), ("EN_us", "en"), ("de", "nl"), ("", "nl")],
)
def test_tip_text_by_language(language: str, expected: str) -> None:
    tip = Tip(id="water-a", group=TipGroup.WATER, nl="nl", en="en", source=None)
    assert tip.text(language) == expected


# --- rotation --------------------------------------------------------------------------


def make_tip(tip_id: str, *, group: TipGroup = TipGroup.WATER, enabled: bool = True) -> Tip:
    return Tip(id=tip_id, group=group, nl=f"nl {tip_id}", en=f"en {tip_id}", enabled=enabled)


def make_library(count: int, *, disabled: frozenset[int] = frozenset()) -> TipLibrary:
    water = [make_tip(f"water-{n}", enabled=n not in disabled) for n in range(count)]
    walk = [make_tip(f"walk-{n}", group=TipGroup.WALK) for n in range(3)]
    return TipLibrary(tuple(water + walk))


def pick_many(library: TipLibrary, history: list[str], picks: int) -> list[str]:
    """Pick `picks` tips in a row, sending each one (newest first in `history`)."""
    chosen: list[str] = []
    for _ in range(picks):
        tip = choose_tip(library, SlotKind.MORNING, history)
        assert tip is not None
        history.insert(0, tip.id)
        chosen.append(tip.id)
    return chosen


def test_rotation_starts_in_file_order_and_cycles() -> None:
    library = make_library(5)
    picks = pick_many(library, [], 25)
    assert picks[:5] == [f"water-{n}" for n in range(5)]
    for start in range(len(picks) - 4):
        assert len(set(picks[start : start + 5])) == 5


@given(
    history=st.lists(
        st.sampled_from([f"water-{n}" for n in range(8)] + ["walk-0", "water-gone"]),
        max_size=40,
    ),
    count=st.integers(min_value=1, max_value=8),
)
def test_rotation_never_repeats_before_a_full_cycle(history: list[str], count: int) -> None:
    library = make_library(count)
    picks = pick_many(library, list(history), 3 * count)
    for start in range(len(picks) - count + 1):
        window = picks[start : start + count]
        assert sorted(window) == sorted(tip.id for tip in library.enabled("water"))


def test_disabled_tips_are_never_picked() -> None:
    library = make_library(6, disabled=frozenset({1, 4}))
    picks = pick_many(library, ["water-1", "water-4"], 40)
    assert set(picks) == {"water-0", "water-2", "water-3", "water-5"}


def test_newly_enabled_tip_is_picked_next() -> None:
    history: list[str] = []
    pick_many(make_library(6, disabled=frozenset({3})), history, 14)
    assert pick_many(make_library(6), history, 1) == ["water-3"]


def test_re_enabled_tip_that_was_seen_long_ago_comes_first() -> None:
    history: list[str] = []
    pick_many(make_library(4), history, 4)
    pick_many(make_library(4, disabled=frozenset({0})), history, 9)
    assert pick_many(make_library(4), history, 1) == ["water-0"]


def test_rotation_of_empty_groups_is_none() -> None:
    assert choose_tip(TipLibrary(), SlotKind.MORNING, []) is None
    assert choose_tip(make_library(3, disabled=frozenset({0, 1, 2})), SlotKind.MORNING, []) is None
    assert choose_tip(make_library(3), SlotKind.WIND_DOWN, ["water-0"]) is None


@pytest.mark.parametrize("kind", ["water", "no-such-kind", "walk-lunch"])
def test_rotation_refuses_what_is_not_a_slot_kind(kind: str) -> None:
    with pytest.raises(ValueError, match="not a valid SlotKind"):
        choose_tip(make_library(3), kind, [])  # type: ignore[arg-type]


def test_rotation_is_per_group() -> None:
    library = make_library(3)
    tip = choose_tip(library, SlotKind.AFTER_LUNCH, ["water-0", "walk-0"])
    assert tip is not None
    assert tip.id == "walk-1"


def test_rotation_rejects_a_single_string_as_history() -> None:
    with pytest.raises(TypeError):
        choose_tip(make_library(3), SlotKind.MORNING, "water-0")
