"""Tips that fit the moment: the slot kinds, `fits` in the tip file, and rotation per kind."""

from __future__ import annotations

import re
from datetime import time, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from fakegram import FakeBotApi
from scheduler.clock import SteppedClock
from scheduler.slot_kinds import kind_of_slot, slots_a_day
from scheduler.slots import DailyRoutine, slot_offsets
from storage.kinds import Habit
from tests.harness import make_settings, running_bot
from tips.editing import FieldChange, SetEnabled, SetText, diff_libraries, edit_tip_text
from tips.library import (
    TIP_REPEAT_GAP,
    TipFileError,
    TipLibrary,
    choose_tip,
    load_tip_library,
    parse_tip_library,
)
from tips.schema import FIT_WORDS, KIND_GROUP, SlotKind, Tip, TipGroup, fits_text, kinds_of_group
from tips.slot_kinds import slot_kind

MEMBER = 1001
PATH = Path("content/tips.yaml")

# --- slot key -> slot kind ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "first_water", "kind"),
    [
        ("water-0700", True, SlotKind.FIRST_WATER),
        ("water-1300", True, SlotKind.FIRST_WATER),  # a late riser's first glass is still the first
        ("water-0700", False, SlotKind.MORNING),
        ("water-1159", False, SlotKind.MORNING),
        ("water-1200", False, SlotKind.AFTERNOON),
        ("water-1759", False, SlotKind.AFTERNOON),
        ("water-1800", False, SlotKind.EVENING),
        ("water-2330", False, SlotKind.EVENING),
        ("water-2430", False, SlotKind.EVENING),  # 00:30 in the night after: still that day's evening
        ("water-0030", False, SlotKind.MORNING),  # a night worker's day that starts after midnight
        ("walk-breakfast", False, SlotKind.AFTER_BREAKFAST),
        ("walk-lunch", False, SlotKind.AFTER_LUNCH),
        ("walk-dinner", False, SlotKind.AFTER_DINNER),
        ("breathing", False, SlotKind.BREATHING),
        ("sleep-winddown", False, SlotKind.WIND_DOWN),
        ("sleep-morning", False, SlotKind.MORNING_QUESTION),
    ],
)
def test_slot_kind_of_each_key(key: str, first_water: bool, kind: SlotKind) -> None:
    assert slot_kind(key, first_water=first_water) is kind


@pytest.mark.parametrize(
    ("key", "first_water"),
    [
        ("water-900", False),
        ("water-0960", False),
        ("water", False),
        ("walk-brunch", False),
        ("lunch", False),
        ("", False),
        ("breathing", True),
        ("walk-lunch", True),
    ],
)
def test_slot_kind_refuses_what_the_scheduler_does_not_make(key: str, first_water: bool) -> None:
    with pytest.raises(ValueError, match="slot"):
        slot_kind(key, first_water=first_water)


ROUTINES = [
    DailyRoutine(),
    DailyRoutine(water_every_minutes=30),
    DailyRoutine(wake=time(5, 45), water_every_minutes=75, bedtime=time(21, 30)),
    # A night worker: up at 15:00, to bed at 07:00, so water slots run past midnight.
    DailyRoutine(
        wake=time(15, 0),
        breakfast=time(15, 30),
        lunch=time(20, 0),
        dinner=time(2, 0),
        breathing=time(23, 0),
        bedtime=time(7, 0),
    ),
    DailyRoutine(wake=time(9, 10), bedtime=time(0, 30), habits=frozenset({Habit.WATER})),
]


@pytest.mark.parametrize("routine", ROUTINES)
def test_every_slot_the_scheduler_makes_has_a_kind_of_its_habit(routine: DailyRoutine) -> None:
    offsets = slot_offsets(routine)
    kinds = [kind_of_slot(routine, key) for _, key, _ in offsets]
    for (habit, key, _), kind in zip(offsets, kinds, strict=True):
        assert KIND_GROUP[kind] == habit, key
    water = [kind for (habit, _, _), kind in zip(offsets, kinds, strict=True) if habit == Habit.WATER]
    assert water[0] is SlotKind.FIRST_WATER
    assert SlotKind.FIRST_WATER not in water[1:]
    for habit in Habit:
        assert slots_a_day(routine, habit) == sum(1 for h, _, _ in offsets if h == habit)


def test_every_kind_belongs_to_one_group_and_every_group_has_a_kind() -> None:
    assert set(KIND_GROUP) == set(SlotKind)
    assert {group for group in TipGroup if kinds_of_group(group)} == set(TipGroup)
    assert kinds_of_group(TipGroup.GENERAL) == (SlotKind.WEEKLY,)


# --- `fits` in the tip file ----------------------------------------------------------------


def tip_file(fits: str, group: str = "water") -> str:
    return f'{group}:\n  - id: {group}-a\n    nl: "Een."\n    en: "One."\n{fits}'


@pytest.mark.parametrize(
    ("fits", "expected"),
    [
        ("", None),
        ("    fits: [first-water]\n", {SlotKind.FIRST_WATER}),
        ("    fits: first-water\n", {SlotKind.FIRST_WATER}),
        ("    fits:\n      - morning\n      - afternoon\n", {SlotKind.MORNING, SlotKind.AFTERNOON}),
        ("    fits: [water]\n", {SlotKind.MORNING, SlotKind.AFTERNOON, SlotKind.EVENING}),
        ("    fits: [water, first-water]\n", set(kinds_of_group(TipGroup.WATER))),
        ("    fits: [evening, evening]\n", {SlotKind.EVENING}),
    ],
)
def test_fits_is_read_as_slot_kinds(fits: str, expected: set[SlotKind] | None) -> None:
    tip = parse_tip_library(tip_file(fits), PATH).get("water-a")
    assert tip is not None
    assert tip.fits == (None if expected is None else frozenset(expected))


BROKEN_FITS: list[tuple[str, str, str, int, str, str]] = [
    # (case, group, fits lines, line, field, part of the reason)
    (
        "unknown",
        "water",
        "    fits: [lunch]\n",
        5,
        "water[0].fits[0]",
        "unknown slot kind 'lunch'; the kinds are",
    ),
    (
        "unknown in a block list",
        "water",
        "    fits:\n      - morning\n      - nacht\n",
        7,
        "water[0].fits[1]",
        "unknown slot kind 'nacht'",
    ),
    (
        "unknown single word",
        "water",
        "    fits: ochtend\n",
        5,
        "water[0].fits",
        "unknown slot kind 'ochtend'",
    ),
    (
        "another group's kind",
        "walk",
        "    fits: [after-lunch, first-water]\n",
        5,
        "walk[0].fits[1]",
        "'first-water' is not a slot of walk tips; they fit after-breakfast, after-lunch, after-dinner",
    ),
    (
        "the water word on a walk tip",
        "walk",
        "    fits: [water]\n",
        5,
        "walk[0].fits[0]",
        "'water' is not a slot of walk tips",
    ),
    ("weekly on a sleep tip", "sleep", "    fits: [weekly]\n", 5, "sleep[0].fits[0]", "not a slot of sleep"),
    ("empty list", "water", "    fits: []\n", 5, "water[0].fits", "an empty list fits no slot"),
    ("left empty", "water", "    fits:\n", 5, "water[0].fits", "an empty list fits no slot"),
    ("a mapping", "water", "    fits: {morning: 1}\n", 5, "water[0].fits", "must be a list of slot kinds"),
    ("a number", "water", "    fits: 12\n", 5, "water[0].fits", "must be a list of slot kinds"),
    (
        "a number in the list",
        "water",
        "    fits: [morning, 12]\n",
        5,
        "water[0].fits[1]",
        "unknown slot kind 12",
    ),
]


@pytest.mark.parametrize(
    ("group", "fits", "line", "field", "reason"),
    [
        pytest.param(group, fits, line, field, reason, id=case)
        for case, group, fits, line, field, reason in BROKEN_FITS
    ],
)
def test_a_wrong_fits_is_refused_with_line_and_field(
    group: str, fits: str, line: int, field: str, reason: str
) -> None:
    with pytest.raises(TipFileError) as caught:
        parse_tip_library(tip_file(fits, group), PATH)
    error = caught.value
    assert (error.line, error.field) == (line, field)
    assert reason in error.reason
    assert str(error).startswith(f"{PATH}, line {line}, field {field}: ")
    assert "\n" not in str(error)


def test_the_unknown_kind_message_lists_the_whole_vocabulary() -> None:
    with pytest.raises(TipFileError) as caught:
        parse_tip_library(tip_file("    fits: [lunch]\n"), PATH)
    assert caught.value.reason.endswith(", ".join(FIT_WORDS))


def test_a_changed_fits_is_reported_like_the_other_fields() -> None:
    before = parse_tip_library(tip_file(""), PATH)
    after = parse_tip_library(tip_file("    fits: [evening, first-water]\n"), PATH)
    assert diff_libraries(before, after) == [FieldChange("water-a", "fits", None, "first-water, evening")]
    assert fits_text(None) is None


# --- rotation per kind -----------------------------------------------------------------------


def make_tip(tip_id: str, fits: tuple[SlotKind, ...] | None, group: TipGroup = TipGroup.WATER) -> Tip:
    return Tip(id=tip_id, group=group, nl=f"nl {tip_id}", en=f"en {tip_id}", fits=fits)


WATER_KINDS = kinds_of_group(TipGroup.WATER)
MIXED = TipLibrary(
    (
        make_tip("water-first-0", (SlotKind.FIRST_WATER,)),
        make_tip("water-first-1", (SlotKind.FIRST_WATER,)),
        make_tip("water-day-0", (SlotKind.FIRST_WATER, SlotKind.MORNING, SlotKind.AFTERNOON)),
        make_tip("water-any-0", None),
        make_tip("water-any-1", None),
        make_tip("water-later-0", (SlotKind.MORNING, SlotKind.AFTERNOON, SlotKind.EVENING)),
        make_tip("water-evening-0", (SlotKind.EVENING,)),
        make_tip("water-evening-1", (SlotKind.EVENING,)),
        make_tip("water-afternoon-0", (SlotKind.AFTERNOON,)),
        make_tip("walk-any-0", None, TipGroup.WALK),
    )
)


def test_the_chooser_picks_only_tips_that_fit_the_kind() -> None:
    assert [tip.id for tip in MIXED.fitting(SlotKind.FIRST_WATER)] == [
        "water-first-0",
        "water-first-1",
        "water-day-0",
        "water-any-0",
        "water-any-1",
    ]
    assert [tip.id for tip in MIXED.fitting(SlotKind.EVENING)] == [
        "water-any-0",
        "water-any-1",
        "water-later-0",
        "water-evening-0",
        "water-evening-1",
    ]
    assert [tip.id for tip in MIXED.fitting(SlotKind.AFTER_DINNER)] == ["walk-any-0"]
    assert MIXED.fitting(SlotKind.WIND_DOWN) == []
    assert choose_tip(MIXED, SlotKind.WIND_DOWN, []) is None


@given(kinds=st.lists(st.sampled_from(WATER_KINDS), min_size=1, max_size=80))
def test_rotation_per_kind_never_repeats_before_every_fitting_tip_was_seen(kinds: list[SlotKind]) -> None:
    history: list[str] = []
    for kind in kinds:
        tip = choose_tip(MIXED, kind, history)
        assert tip is not None
        assert tip.fits_kind(kind)
        fitting = {candidate.id for candidate in MIXED.fitting(kind)}
        # Unseen tips come first; a seen one only when every other tip that fits this kind was
        # sent (with any kind) after it.
        if tip.id in history:
            assert set(history[: history.index(tip.id)]) >= fitting - {tip.id}
        history.insert(0, tip.id)


def test_a_small_kind_keeps_the_week_gap_over_its_own_tips() -> None:
    # Five tips fit the first glass: fewer than a week's worth, so no repeat within 7 days.
    shown = {"water-first-0", "water-first-1", "water-day-0", "water-any-0", "water-any-1"}
    assert choose_tip(MIXED, SlotKind.FIRST_WATER, list(shown), shown_within_repeat_gap=shown) is None
    tip = choose_tip(MIXED, SlotKind.EVENING, list(shown), shown_within_repeat_gap=shown)
    assert tip is not None
    assert tip.id == "water-later-0"


# --- the dispatcher passes each slot's kind ----------------------------------------------------


async def test_each_nudge_gets_a_tip_that_fits_its_slot_and_rotation_holds_per_kind(
    api: FakeBotApi, clock: SteppedClock, engine: Engine, database_path: Path, tmp_path: Path
) -> None:
    def tips(group: str, name: str, count: int, fits: str | None) -> str:
        line = f"    fits: [{fits}]\n" if fits else ""
        return "".join(
            f'  - id: {group}-{name}-{n}\n    nl: "{name} {n}"\n    en: "{name} {n}"\n{line}'
            for n in range(count)
        )

    tips_path = tmp_path / "fitting.yaml"
    tips_path.write_text(
        "water:\n"
        + tips("water", "first", 3, "first-water")
        + tips("water", "later", 8, "water")
        + tips("water", "evening", 1, "evening")
        + "walk:\n"
        + tips("walk", "breakfast", 1, "after-breakfast")
        + tips("walk", "meal", 7, None)
        + tips("walk", "dinner", 1, "after-dinner"),
        encoding="utf-8",
    )
    library = parse_tip_library(tips_path.read_text(encoding="utf-8"), tips_path)
    settings = make_settings(f"sqlite:///{database_path}", tips_path=tips_path)
    async with running_bot(api=api, clock=clock, engine=engine, settings=settings) as harness:
        await harness.say(api.user(MEMBER), "/start")
        # A member who answers every nudge gets every one (one who answers nothing gets fewer).
        await harness.answer_until(clock() + timedelta(days=9))
        sent = sorted((n for n in harness.nudges(MEMBER) if n.sent_at), key=lambda n: n.sent_at)  # type: ignore[arg-type, return-value]

    by_kind: dict[SlotKind, list[Any]] = {}
    for habit in (Habit.WATER, Habit.WALK):
        sends = [
            (n.sent_at, kind_of_slot(DailyRoutine(), n.slot), n.tip_id) for n in sent if n.habit == habit
        ]
        for index, (sent_at, kind, tip_id) in enumerate(sends):
            by_kind.setdefault(kind, []).append((sent_at, tip_id))
            fitting = {tip.id for tip in library.fitting(kind)}
            if tip_id is None:
                assert len(fitting) < 7, f"{kind}: enough tips for one every time"
                continue
            assert tip_id in fitting, (kind, tip_id)
            earlier = [i for i, (_, _, other) in enumerate(sends[:index]) if other == tip_id]
            if not earlier:
                continue
            between = {other for _, _, other in sends[earlier[-1] + 1 : index]}
            if len(fitting) >= 7:
                assert between >= fitting - {tip_id}, f"{kind}: {tip_id} again before the others"
            else:
                assert sent_at - sends[earlier[-1]][0] >= TIP_REPEAT_GAP, kind
    assert set(by_kind) == set(kinds_of_group(TipGroup.WATER)) | set(kinds_of_group(TipGroup.WALK))
    # The first glass has three tips of its own: three days with one, then a tipless rest of the week.
    assert [tip for _, tip in by_kind[SlotKind.FIRST_WATER][:3]] == [f"water-first-{n}" for n in range(3)]
    assert [tip for _, tip in by_kind[SlotKind.FIRST_WATER][3:7]] == [None] * 4
    assert by_kind[SlotKind.FIRST_WATER][7][1] == "water-first-0"


# --- the shipped content -----------------------------------------------------------------------

CONTENT = Path(__file__).resolve().parent.parent / "content" / "tips.yaml"


@pytest.fixture(scope="module")
def shipped() -> TipLibrary:
    return load_tip_library(CONTENT)


@pytest.mark.parametrize("kind", list(SlotKind))
def test_every_tip_the_chooser_picks_for_a_kind_fits_it(shipped: TipLibrary, kind: SlotKind) -> None:
    fitting = shipped.fitting(kind)
    assert len(fitting) >= 5, f"{kind} needs at least 5 tips that fit it"
    history: list[str] = []
    picked: set[str] = set()
    for _ in range(3 * len(fitting)):
        tip = choose_tip(shipped, kind, history)
        assert tip is not None
        assert tip.fits_kind(kind), (kind, tip.id)
        assert tip.group == KIND_GROUP[kind]
        history.insert(0, tip.id)
        picked.add(tip.id)
    # The rotation came round to every tip that fits, so every tip it can pick was checked.
    assert picked == {tip.id for tip in fitting}


# Words that contradict the moment a kind of slot goes out (a tip about lunch after breakfast,
# "today" in a Sunday-evening message about the coming week, daytime advice at 23:30).
CONTRADICTIONS: dict[SlotKind, str] = {
    SlotKind.MORNING: r"avondglas|evening glass|middagdip|slump",
    SlotKind.AFTERNOON: r"begin je dag|start your day|goedemorgen|good morning|avondglas|evening glass",
    SlotKind.EVENING: r"begin je dag|start your day|overdag|during the day|middagdip|slump"
    r"|bureau|desk|deur uit|heading out",
    SlotKind.FIRST_WATER: r"avondglas|evening glass|middagdip|slump|gesport|worked out",
    SlotKind.AFTER_BREAKFAST: r"lunch|avondeten|dinner|bellen|call",
    SlotKind.AFTER_LUNCH: r"ontbijt|breakfast|avondeten|dinner|afwas|dishes",
    SlotKind.AFTER_DINNER: r"ontbijt|breakfast|lunch",
    SlotKind.WIND_DOWN: r"vanochtend|this morning|goedemorgen|good morning|vandaag|today",
    SlotKind.MORNING_QUESTION: r"bijna bedtijd|bedtime is getting close|\bdim\b|gisteren|yesterday",
    SlotKind.WEEKLY: r"vandaag|today|vanmiddag|this afternoon|vanochtend|this morning|vanavond|tonight",
}


@pytest.mark.parametrize("kind", list(SlotKind))
def test_no_tip_contradicts_the_moment_it_goes_out(shipped: TipLibrary, kind: SlotKind) -> None:
    pattern = re.compile(CONTRADICTIONS.get(kind, r"(?!)"), re.IGNORECASE)
    for tip in shipped.fitting(kind):
        assert pattern.search(tip.nl) is None, (kind, tip.id, tip.nl)
        assert pattern.search(tip.en) is None, (kind, tip.id, tip.en)


@pytest.mark.parametrize(
    ("tip_id", "kinds"),
    [
        ("water-first-glass", {SlotKind.FIRST_WATER}),
        ("water-daytime-first", {SlotKind.FIRST_WATER, SlotKind.MORNING, SlotKind.AFTERNOON}),
        ("water-afternoon-dip", {SlotKind.AFTERNOON}),
        ("walk-lunch-daylight", {SlotKind.AFTER_LUNCH}),
        ("walk-at-work", {SlotKind.AFTER_LUNCH}),
        ("walk-after-dinner", {SlotKind.AFTER_DINNER}),
        ("sleep-phone-away", {SlotKind.WIND_DOWN}),
        ("sleep-look-back", {SlotKind.MORNING_QUESTION}),
    ],
)
def test_tips_tied_to_a_moment_fit_only_that_moment(
    shipped: TipLibrary, tip_id: str, kinds: set[SlotKind]
) -> None:
    tip = shipped.get(tip_id)
    assert tip is not None
    assert {kind for kind in SlotKind if tip.fits_kind(kind)} == kinds


def test_an_admin_edit_keeps_the_fits_of_the_tip(shipped: TipLibrary) -> None:
    text = CONTENT.read_text(encoding="utf-8")
    shipped_tip = shipped.get("water-first-glass")
    assert shipped_tip is not None
    edited = edit_tip_text(text, CONTENT, SetText("water-first-glass", "en", "Start with a glass of water."))
    switched = edit_tip_text(edited.text, CONTENT, SetEnabled("water-first-glass", False))
    tip = switched.library.get("water-first-glass")
    assert tip is not None
    assert (tip.en, tip.enabled, tip.fits) == ("Start with a glass of water.", False, {SlotKind.FIRST_WATER})
    before, after = text.splitlines(), switched.text.splitlines()
    assert len(before) == len(after)
    assert [(old, new) for old, new in zip(before, after, strict=True) if old != new] == [
        (f'    en: "{shipped_tip.en}"', '    en: "Start with a glass of water."'),
        ("    enabled: true", "    enabled: false"),
    ]
