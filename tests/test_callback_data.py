"""The callback data codec: every family's exact wire data (buttons already sent keep working),
round trips at the edges, Telegram's 64 bytes, the separator, garbage refused, and properties."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Annotated

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.admin.messages import (
    ON_A_TIP,
    TOGGLES,
    TipButton,
    TipButtonAction,
    TipView,
    menu,
    preview_nudge,
    tip_list,
    tip_preview,
)
from bot.breathing.keyboards import BreathingAction, BreathingButton, again_keyboard, stop_keyboard
from bot.callback_data import MAX_BYTES, CallbackData, CallbackDataError, CallbackDataTooLong, Range
from bot.nudges.keyboards import (
    NudgeButton,
    SleepHoursButton,
    glass_keyboard,
    nudge_keyboard,
    sleep_hours_keyboard,
)
from bot.privacy.keyboards import DeleteButton, delete_keyboard
from bot.setup.keyboards import Mode, Screen, ScreenRenderer, SetupButton, which_time_keyboard
from bot.setup.pause import RESUME, TODAY, PauseButton, pause_keyboard, resume_keyboard
from habits.checkins import Action
from habits.onboarding import STEPS
from habits.pauses import PauseLength
from habits.preferences import MEAL_SETTINGS
from storage.models import Member
from tests.harness import load_shipped_tips
from tests.hostile import hostile_text
from tips.schema import TipGroup

FAMILIES: list[type[CallbackData]] = [
    NudgeButton,
    DeleteButton,
    SetupButton,
    PauseButton,
    TipButton,
    SleepHoursButton,
    BreathingButton,
]
NOW = datetime(2026, 11, 23, 7, 15, tzinfo=UTC)
ONBOARDING, SETTINGS = Mode.ONBOARDING, Mode.SETTINGS
A = TipButtonAction

# Every format as the bot wrote it before the codec, so buttons sitting in chats keep working.
WIRE = [
    (NudgeButton(42, Action.DONE), "n:42:done"),
    (NudgeButton(42, Action.SKIP), "n:42:skip"),
    (NudgeButton(42, Action.SNOOZE), "n:42:snooze"),
    (NudgeButton(42, Action.GLASS), "n:42:glass"),
    (NudgeButton(42, Action.HOURS, 7), "n:42:hours:7"),
    (NudgeButton(0, Action.DONE), "n:0:done"),
    (NudgeButton(10**18 - 1, Action.HOURS, 99), "n:999999999999999999:hours:99"),
    (NudgeButton(1, Action.HOURS, 0), "n:1:hours:0"),
    (DeleteButton(confirmed=True, issued_at=1795418100), "del:yes:1795418100"),
    (DeleteButton(confirmed=True, issued_at=0), "del:yes:0"),
    (DeleteButton(confirmed=True, issued_at=10**12 - 1), "del:yes:999999999999"),
    (DeleteButton(confirmed=False), "del:no"),
    (SetupButton(ONBOARDING, Screen.LANGUAGE, "set", "nl"), "o:language:set:nl"),
    (SetupButton(ONBOARDING, Screen.LANGUAGE, "defaults"), "o:language:defaults"),
    (SetupButton(ONBOARDING, Screen.SLEEP, "t", "wake_time.0700"), "o:sleep:t:wake_time.0700"),
    (SetupButton(ONBOARDING, Screen.SUMMARY, "finish"), "o:summary:finish"),
    (SetupButton(ONBOARDING, Screen.HABITS, "next"), "o:habits:next"),
    (SetupButton(SETTINGS, Screen.MAIN, "open", "quiet"), "s:main:open:quiet"),
    (SetupButton(SETTINGS, Screen.MAIN, "close"), "s:main:close"),
    (SetupButton(SETTINGS, Screen.TIMEZONE, "set", "0"), "s:timezone:set:0"),
    (SetupButton(SETTINGS, Screen.QUIET, "set", "2200-0700"), "s:quiet:set:2200-0700"),
    (SetupButton(SETTINGS, Screen.PROGRESS, "weekly", "off"), "s:progress:weekly:off"),
    (SetupButton(SETTINGS, Screen.WATER, "every", "120"), "s:water:every:120"),
    (SetupButton(SETTINGS, Screen.MAIN, ""), "s:main:"),  # an empty action stays an empty place
    (SetupButton(SETTINGS, Screen.MAIN, "", "x"), "s:main::x"),
    (PauseButton(PauseLength.ONE_DAY), "p:1d"),
    (PauseButton(PauseLength.THREE_DAYS), "p:3d"),
    (PauseButton(PauseLength.ONE_WEEK), "p:7d"),
    (PauseButton(PauseLength.UNTIL_RESUMED), "p:open"),
    (PauseButton(RESUME), "p:resume"),
    (PauseButton(RESUME, under=TODAY), "p:resume:today"),
    (TipButton(A.MENU), "t:menu"),
    (TipButton(A.STATS), "t:stats"),
    (TipButton(A.RELOAD), "t:reload"),
    (TipButton(A.PREVIEW), "t:pv"),
    (TipButton(A.LIST, TipGroup.WATER), "t:l:water"),
    (TipButton(A.LIST, TipGroup.GENERAL), "t:l:general"),
    (TipButton(A.SHOW, "water-why"), "t:s:water-why"),
    (TipButton(A.SEND, "water-why"), "t:send:water-why"),
    (TipButton(A.HISTORY, "water-why"), "t:h:water-why"),
    (TipButton(A.ON, TipView.LIST, "water-why"), "t:on:l:water-why"),
    (TipButton(A.OFF, TipView.LIST, "water-why"), "t:off:l:water-why"),
    (TipButton(A.ON, TipView.TIP, "water-why"), "t:on:s:water-why"),
    (TipButton(A.OFF, TipView.TIP, "0-9"), "t:off:s:0-9"),
    (SleepHoursButton(date(2026, 11, 24).toordinal(), 7), "sh:739944:7"),
    (SleepHoursButton(1, 16), "sh:1:16"),
    (BreathingButton(BreathingAction.START), "b:start"),
    (BreathingButton(BreathingAction.START, 42), "b:start:42"),
    (BreathingButton(BreathingAction.STOP, 7), "b:stop:7"),
]


@pytest.mark.parametrize(("button", "data"), WIRE, ids=[data for _, data in WIRE])
def test_every_family_writes_and_reads_todays_wire_data(button: CallbackData, data: str) -> None:
    assert button.pack() == data
    assert type(button).unpack(data) == button
    assert type(button).pattern().match(data)
    others = [family for family in FAMILIES if family is not type(button)]
    assert not any(family.pattern().match(data) for family in others)
    assert all(family.unpack(data) is None for family in others)


def test_the_patterns_match_what_bot_app_matched_before() -> None:
    # Setup's was spelled ^[os]:, the same two words.
    assert [family.pattern().pattern for family in FAMILIES] == [
        "^n:",
        "^del:",
        "^(?:o|s):",
        "^p:",
        "^t:",
        "^sh:",
        "^b:",  # new with guided breathing
    ]


def test_what_the_fields_mean_reads_the_same_as_before() -> None:
    hours = NudgeButton.unpack("n:42:hours:7")
    assert hours is not None
    assert (hours.nudge_id, hours.action, hours.value) == (42, Action.HOURS, 7)
    confirm = DeleteButton.unpack("del:yes:1795418100")
    assert confirm is not None
    assert (confirm.confirmed, confirm.issued_at) == (True, 1795418100)
    pause, resume = PauseButton.unpack("p:3d"), PauseButton.unpack("p:resume")
    assert pause is not None
    assert resume is not None
    assert (pause.length, resume.length) == (PauseLength.THREE_DAYS, None)
    stop, start = BreathingButton.unpack("b:stop:7"), BreathingButton.unpack("b:start:42")
    assert stop is not None
    assert start is not None
    assert (stop.session_id, stop.nudge_id, start.nudge_id, start.session_id) == (7, None, 42, None)
    assert BreathingButton.unpack("b:stop") is None  # a stop names its session
    toggle = TipButton.unpack("t:off:l:water-why")
    assert toggle is not None
    assert (toggle.action, toggle.view, toggle.tip_id, toggle.group) == (
        A.OFF,
        TipView.LIST,
        "water-why",
        None,
    )
    listed = TipButton.unpack("t:l:sleep")
    assert listed is not None
    assert (listed.group, listed.tip_id, listed.view) == (TipGroup.SLEEP, None, None)
    shown = TipButton.unpack("t:s:water-why")
    assert shown is not None
    assert (shown.tip_id, shown.group, shown.view) == ("water-why", None, None)


# ---- every keyboard the bot shows is made by the codec --------------------------------------


def _data(markup: object) -> list[str]:
    rows = getattr(markup, "inline_keyboard", ())
    return [str(button.callback_data) for row in rows for button in row]


def _every_keyboard() -> list[tuple[type[CallbackData], list[str]]]:
    """Each keyboard with its family (a breathing nudge's start button is guided breathing's)."""
    member = Member(telegram_id=1, chat_id=1, first_name="A", language="nl", timezone="Europe/Amsterdam")
    library = load_shipped_tips()
    keyboards: list[tuple[type[CallbackData], list[str]]] = []
    for mode, screens in ((ONBOARDING, [Screen(step.value) for step in STEPS]), (SETTINGS, list(Screen))):
        for screen in screens:
            keyboards.append((SetupButton, _data(ScreenRenderer(member, mode, NOW).render(screen)[1])))
    keyboards.append(
        (SetupButton, _data(which_time_keyboard(SETTINGS, Screen.MEALS, MEAL_SETTINGS, NOW.time(), "en")))
    )
    for slot in ("water-0900", "walk-lunch", "breathing", "sleep-winddown", "sleep-morning"):
        for snoozes in (0, 2):
            keyboard = nudge_keyboard(
                nudge_id=123, slot=slot, language="nl", snooze_count=snoozes, snooze_minutes=15
            )
            data = _data(keyboard)
            keyboards.append((NudgeButton, [d for d in data if not d.startswith("b:")]))
            keyboards.append((BreathingButton, [d for d in data if d.startswith("b:")]))
    keyboards.append((BreathingButton, _data(stop_keyboard("nl", 7)) + _data(again_keyboard("en", 42))))
    keyboards.append((BreathingButton, _data(again_keyboard("nl", None))))
    keyboards.append((NudgeButton, _data(glass_keyboard(nudge_id=123, language="en"))))
    keyboards.append((SleepHoursButton, _data(sleep_hours_keyboard("nl", NOW.date()))))
    keyboards.append((DeleteButton, _data(delete_keyboard("nl", 1795418100))))
    keyboards.append((PauseButton, _data(pause_keyboard("nl", paused=True))))
    keyboards.append((PauseButton, _data(resume_keyboard("en"))))
    keyboards.append((TipButton, _data(menu("nl", library)[1])))
    for group in TipGroup:
        keyboards.append((TipButton, _data(tip_list("nl", library, group)[1])))
    for tip in library.tips:
        keyboards.append((TipButton, _data(tip_preview("nl", tip)[1])))
        keyboards.append((TipButton, _data(preview_nudge("nl", tip, "en")[1])))
    return keyboards


def test_every_button_on_every_keyboard_is_its_familys_data_in_its_one_spelling() -> None:
    keyboards = _every_keyboard()
    assert sum(len(data) for _, data in keyboards) > 200
    for family, every_data in keyboards:
        for data in every_data:
            button = family.unpack(data)
            assert button is not None, data
            assert button.pack() == data


# ---- Telegram's 64 bytes and the separator ----------------------------------------------------


def test_data_of_exactly_64_bytes_packs_and_one_more_byte_is_refused() -> None:
    room = MAX_BYTES - len("s:language:set:")
    assert len(SetupButton(SETTINGS, Screen.LANGUAGE, "set", "x" * room).pack()) == 64
    with pytest.raises(CallbackDataTooLong, match="65 bytes"):
        SetupButton(SETTINGS, Screen.LANGUAGE, "set", "x" * (room + 1)).pack()
    assert SetupButton.unpack("s:language:set:" + "x" * (room + 1)) is None


def test_the_limit_counts_utf8_bytes_not_characters() -> None:
    fits = SetupButton(SETTINGS, Screen.LANGUAGE, "set", "é" * 24)  # 15 + 48 bytes
    assert len(fits.pack().encode()) == 63
    too_long = SetupButton(SETTINGS, Screen.LANGUAGE, "set", "é" * 25)  # 40 characters, 65 bytes
    with pytest.raises(CallbackDataTooLong):
        too_long.pack()
    assert SetupButton.unpack(f"s:language:set:{'é' * 25}") is None


def test_a_tip_id_too_long_for_its_on_off_button_is_refused() -> None:
    assert TipButton(A.OFF, TipView.LIST, "a" * 56).pack() == f"t:off:l:{'a' * 56}"
    with pytest.raises(CallbackDataTooLong):
        TipButton(A.OFF, TipView.LIST, "a" * 57).pack()


@pytest.mark.parametrize(
    "button",
    [
        SetupButton(SETTINGS, Screen.LANGUAGE, "set", "a:b"),
        SetupButton(SETTINGS, Screen.LANGUAGE, "set:nl"),
        SetupButton(SETTINGS, Screen.LANGUAGE, "set", ":"),
        TipButton(A.SHOW, "water:why"),
        TipButton(A.ON, TipView.LIST, "water:why"),
    ],
)
def test_the_separator_inside_a_field_is_refused_at_pack_time(button: CallbackData) -> None:
    with pytest.raises(CallbackDataError, match="may not hold ':'"):
        button.pack()


@pytest.mark.parametrize(
    "button",
    [
        NudgeButton(-1, Action.DONE),
        NudgeButton(10**18, Action.DONE),
        NudgeButton(1, Action.HOURS, 100),
        NudgeButton("1", Action.DONE),  # type: ignore[arg-type]
        NudgeButton(True, Action.DONE),
        DeleteButton(confirmed=True, issued_at=10**12),
        TipButton(A.SHOW, "Water-Why"),
        TipButton(A.SHOW, ""),
        SetupButton(SETTINGS, Screen.LANGUAGE, "set", "\ud800"),
    ],
)
def test_values_that_would_not_be_read_back_are_refused_at_pack_time(button: CallbackData) -> None:
    with pytest.raises(CallbackDataError):
        button.pack()


@pytest.mark.parametrize(
    "make",
    [
        lambda: NudgeButton(1, Action.HOURS),
        lambda: NudgeButton(1, Action.DONE, 5),
        lambda: DeleteButton(confirmed=True),
        lambda: DeleteButton(confirmed=False, issued_at=5),
        lambda: TipButton(A.LIST),
        lambda: TipButton(A.LIST, "nope"),
        lambda: TipButton(A.LIST, TipGroup.WATER, "water-why"),
        lambda: TipButton(A.SHOW),
        lambda: TipButton(A.ON, "x", "water-why"),
        lambda: TipButton(A.ON, TipView.LIST),
        lambda: TipButton(A.STATS, "x"),
    ],
)
def test_fields_that_do_not_go_together_are_refused_when_made(make: Callable[[], object]) -> None:
    with pytest.raises(CallbackDataError):
        make()


# ---- garbage, forged and stale data -------------------------------------------------------------

GARBAGE = {
    NudgeButton: [
        *(None, "", "n", "n:", "n:1", "n:1:", "n:x:done", "n:1:explode", "n:1:done:5", "n:1:hours"),
        *("n:-1:done", "n:1:hours:999", "n:1:done\n", "N:1:DONE", "n:1:done:", "n:١:done", "n: 1:done"),
        *("n:1000000000000000000:done", "n:1:hours:-1", "n:1:hours:", "n:1:done:x:y", "n:1:Done"),
        *("del:no", "p:1d", "t:stats", "x" * 5000),
    ],
    DeleteButton: [
        *(None, "", "del", "del:", "del:yes", "del:yes:", "del:no:5", "del:no:", "del:maybe"),
        *("del:yes:-1", "del:yes:1000000000000", "del:yes:x", "DEL:no", "del:true:5", "del:1:5"),
        *("del:yes:5:5", "n:1:done", "del:yes:1795418100\x00"),
    ],
    SetupButton: [
        *(None, "", "o", "o:", "o:main", "o:Main:open", "O:main:open", "x:main:open", "o:main"),
        *("s:../x:open", "s:main:open:quiet:x", "s:language:set:nl:", "s:language:set:", ":main:open"),
        *("p:1d", "t:l:water"),
    ],
    PauseButton: [
        *(
            None,
            "",
            "p",
            "p:",
            "p:2d",
            "p:1D",
            "p:RESUME",
            "p:resume:x",
            "p:1d:",
            "p:1d:today",
            "p:resume:",
            "1d",
            "resume",
        ),
        *("p:yes", "p:0", "P:1d", "p::1d", "s:main:open"),
    ],
    TipButton: [
        *(None, "", "t", "t:", "t:l", "t:l:", "t:l:nope", "t:l:Water", "t:l:water:x", "t:s", "t:s:"),
        *("t:s:Water", "t:s:water_why", "t:s:water why", "t:on:x:water-why", "t:on:l", "t:on:l:"),
        *("t:on:water-why", "t:stats:x", "t:menu:", "t:send:", "t:h:a:b", "t:pv:pv", "t:explode"),
        *("t:l:water:", "T:stats", "t:STATS", "p:1d"),
    ],
}


@pytest.mark.parametrize(
    ("family", "data"),
    [(family, data) for family, garbage in GARBAGE.items() for data in garbage],
    ids=lambda value: value.__name__ if isinstance(value, type) else repr(value)[:30],
)
def test_garbage_is_refused(family: type[CallbackData], data: str | None) -> None:
    assert family.unpack(data) is None


# What the hand-written parsers took, though no button ever carried it: only the spelling a
# button is written in is read now, so each button has exactly one data string.
OTHER_SPELLINGS = [
    (NudgeButton, "n:01:done"),  # leading zero
    (NudgeButton, "n:1:hours:07"),
    (DeleteButton, "del:yes:٣"),  # other scripts' digits
    (DeleteButton, "del:yes:0123"),
    (SetupButton, "s:main:open:quiet:x"),  # a ':' inside the argument
    (SetupButton, "s:language:defaults:"),  # an empty argument written out
]


@pytest.mark.parametrize(("family", "data"), OTHER_SPELLINGS, ids=[data for _, data in OTHER_SPELLINGS])
def test_spellings_the_old_parsers_also_took_are_refused(family: type[CallbackData], data: str) -> None:
    assert family.unpack(data) is None


# ---- the families are declared safely -----------------------------------------------------------


def test_a_second_family_cannot_claim_another_familys_data() -> None:
    with pytest.raises(TypeError, match="another family's"):

        class Forged(CallbackData, prefix="n"):
            nudge_id: int

    with pytest.raises(TypeError, match="another family's"):

        class AlsoSettings(CallbackData, prefix=None):
            mode: Mode


@pytest.mark.parametrize("prefix", ["", "a:b"])
def test_a_prefix_is_one_non_empty_word(prefix: str) -> None:
    with pytest.raises(TypeError, match="prefix"):

        class Bad(CallbackData, prefix=prefix):
            value: int


def test_without_a_prefix_the_first_field_must_be_an_enum() -> None:
    with pytest.raises(TypeError, match="first field"):

        class Unprefixed(CallbackData, prefix=None):
            word: str


def test_an_unsupported_field_type_is_refused_when_declared() -> None:
    with pytest.raises(TypeError, match="unsupported"):

        class Floating(CallbackData, prefix="zz-float"):
            value: float


# ---- properties ---------------------------------------------------------------------------------

NUDGE_IDS = st.integers(min_value=0, max_value=10**18 - 1)
TIP_IDS = st.from_regex(r"[a-z0-9-]{1,56}", fullmatch=True)
WORDS = st.text(alphabet=st.characters(codec="utf-8", exclude_characters=":"), max_size=12)
SETUP = st.builds(SetupButton, st.sampled_from(Mode), st.sampled_from(Screen), WORDS, WORDS).filter(
    lambda button: len(f"o:{button.screen}:{button.action}:{button.argument}".encode()) <= MAX_BYTES
)
BUTTONS: st.SearchStrategy[CallbackData] = st.one_of(
    st.builds(NudgeButton, NUDGE_IDS, st.sampled_from([a for a in Action if a is not Action.HOURS])),
    st.builds(NudgeButton, NUDGE_IDS, st.just(Action.HOURS), st.integers(min_value=0, max_value=99)),
    st.builds(
        DeleteButton, confirmed=st.just(True), issued_at=st.integers(min_value=0, max_value=10**12 - 1)
    ),
    st.just(DeleteButton(confirmed=False)),
    SETUP,
    st.sampled_from([*PauseLength, RESUME]).map(PauseButton),
    st.sampled_from([A.MENU, A.STATS, A.RELOAD, A.PREVIEW]).map(TipButton),
    st.builds(TipButton, st.just(A.LIST), st.sampled_from(TipGroup)),
    st.builds(TipButton, st.sampled_from(sorted(ON_A_TIP)), TIP_IDS),
    st.builds(TipButton, st.sampled_from(sorted(TOGGLES)), st.sampled_from(TipView), TIP_IDS),
)


def _hand_written(button: CallbackData) -> str:
    """The data as the bot's hand-written builders wrote it before the codec."""
    if isinstance(button, NudgeButton):
        suffix = f":{button.value}" if button.value is not None else ""
        return f"n:{button.nudge_id}:{button.action.value}{suffix}"
    if isinstance(button, DeleteButton):
        return f"del:yes:{button.issued_at}" if button.confirmed else "del:no"
    if isinstance(button, SetupButton):
        suffix = f":{button.argument}" if button.argument else ""
        return f"{button.mode.value}:{button.screen.value}:{button.action}{suffix}"
    if isinstance(button, PauseButton):
        return f"p:{button.length.value}" if button.length is not None else "p:resume"
    assert isinstance(button, TipButton)
    if button.action in TOGGLES:
        return f"t:{button.action}:{button.view}:{button.tip_id}"
    if button.group is not None:
        return f"t:l:{button.group}"
    return f"t:{button.action}:{button.tip_id}" if button.tip_id is not None else f"t:{button.action}"


@given(BUTTONS)
def test_every_button_unpacks_to_itself_within_64_bytes_as_the_bot_always_wrote_it(
    button: CallbackData,
) -> None:
    data = button.pack()
    assert len(data.encode()) <= MAX_BYTES
    assert type(button).unpack(data) == button
    assert data == _hand_written(button)


# Near misses from every family's words, plus random text, surrogates and long strings.
VOCABULARY = [
    *("n", "del", "o", "s", "p", "t", "yes", "no", "resume", "l", "pv", "0", "99", "-1", "01", "٣"),
    *(member.value for enum in (Action, Mode, Screen, PauseLength, A, TipGroup) for member in enum),
    *("water-why", "wake_time.0700", "2200-0700", "9" * 19, "é", "🙂", "", " ", "\x00", "\n"),
]
ANY_DATA = (
    hostile_text(*VOCABULARY)
    | st.lists(st.sampled_from(VOCABULARY) | st.text(max_size=3), max_size=6).map(":".join)
    | st.text(alphabet=st.characters(categories=["Cs", "Co", "Cn"]), max_size=8)
    | st.none()
)


@given(family=st.sampled_from(FAMILIES), data=ANY_DATA)
def test_no_input_makes_unpack_raise_and_what_it_reads_is_that_buttons_one_spelling(
    family: type[CallbackData], data: str | None
) -> None:
    button = family.unpack(data)
    if button is not None:
        assert isinstance(button, family)
        assert button.pack() == data


class _Ranged(CallbackData, prefix="zz-test"):
    """A family of the test's own, for what the bot's families leave out (negative ints)."""

    low: Annotated[int, Range(-5, 5)]
    flag: bool = False


@given(st.integers(min_value=-5, max_value=5), st.booleans())
def test_negative_ints_and_bools_round_trip(low: int, flag: bool) -> None:
    button = _Ranged(low, flag)
    assert _Ranged.unpack(button.pack()) == button
    assert button.pack() == (f"zz-test:{low}:yes" if flag else f"zz-test:{low}")


@pytest.mark.parametrize("data", ["zz-test:-0", "zz-test:6", "zz-test:+1", "zz-test:1:no", "zz-test:1:1"])
def test_the_test_family_refuses_its_garbage(data: str) -> None:
    assert _Ranged.unpack(data) is None
