"""Property tests on the parsers of the onboarding and settings screens, pauses, /delete, time
zones and the admins' /tip, and on the flows behind them: random Unicode, 4,096 characters, emoji,
control characters, negative and huge numbers never raise, and what gets stored is always sound.

(Typed check-ins and times of day: tests/test_parsing.py; nudge buttons: tests/test_hostile_input.py.)
"""

from __future__ import annotations

import itertools
import math
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.admin.messages import TipButton
from bot.privacy.keyboards import DeleteButton
from bot.setup import flow as setup_flow
from bot.setup.keyboards import (
    TYPED_SCREENS,
    Mode,
    Screen,
    SetupButton,
    parse_compact,
    parse_time_choice,
)
from bot.setup.pause import PauseButton
from habits import onboarding, privacy
from habits.onboarding import Step, parse_times
from habits.pauses import PauseLength
from habits.timezones import is_valid_zone, zone_from_location, zone_from_text
from storage import queries
from storage.database import new_session
from storage.models import Member
from tests.harness import ROOT, sqlite_engine
from tests.hostile import (
    TELEGRAM_TEXT_LIMIT,
    assert_member_is_sound,
    hostile_text,
    setup_callback_data,
)
from tips.commands import TipAction, TipCommand, TipUsage, command_arguments, parse_tip_command
from tips.editing import AddTip, SetEnabled, SetText, TipEdit, TipEditError
from tips.library import load_tip_library
from tips.schema import MAX_TIP_LENGTH, TIP_ID_PATTERN, TipGroup, has_control_characters
from tips.store import TipStore

NOW = datetime(2026, 11, 23, 6, 5, tzinfo=UTC)
TIME_WORDS = (
    "7:30",
    "07.30",
    "7u30",
    "19:30",
    "22:30-07:00",
    "tot",
    "en",
    "and",
    "to",
    ",",
    ";",
    "/",
    "–",
    "u",
    "h",
    "am",
    "pm",
)
ZONE_WORDS = (
    "Europe/Amsterdam",
    "europe",
    "/",
    "amsterdam",
    "new york",
    "tokyo",
    "..",
    "UTC",
    "Etc/GMT+14",
    "posixrules",
    "localtime",
    "_",
    "America/Argentina/Buenos_Aires",
)
TIP_WORDS = (
    "tip",
    "/tip",
    "/tip@HabitsBot",
    "nieuw",
    "add",
    "wijzig",
    "edit",
    "aan",
    "uit",
    "on",
    "off",
    "stuur",
    "send",
    "toon",
    "show",
    "geschiedenis",
    "history",
    "herlaad",
    "reload",
    "stats",
    "lijst",
    "list",
    "water",
    "walk",
    "sleep",
    "general",
    "algemeen",
    "nl",
    "en",
    "water-why",
    "water-",
    "|",
    "\n",
    "WATER-WHY",
    "a" * 70,
)
FLOATS = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from(
    [90.0, -90.0, 180.0, -180.0, 90.0000001, -180.0000001, 0.0, -0.0, 5e-324, 1e308]
)
DB_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


# ---- pure parsers -------------------------------------------------------------------------------


@given(hostile_text(*TIME_WORDS))
def test_typed_times_parser_returns_one_to_three_whole_minutes_or_nothing(typed: str) -> None:
    times = parse_times(typed)
    if times is not None:
        assert 1 <= len(times) <= 3
        assert all(t.tzinfo is None and t.second == 0 and t.microsecond == 0 for t in times)


@given(hostile_text(*ZONE_WORDS))
def test_typed_zone_parser_returns_only_real_zones(typed: str) -> None:
    zone = zone_from_text(typed)
    assert zone is None or (is_valid_zone(zone) and "/" in zone)


@given(FLOATS, FLOATS)
def test_location_lookup_never_raises_and_returns_only_real_zones(latitude: float, longitude: float) -> None:
    zone = zone_from_location(latitude, longitude)
    inside = (
        math.isfinite(latitude) and math.isfinite(longitude) and abs(latitude) <= 90 and abs(longitude) <= 180
    )
    if not inside:
        assert zone is None
    assert zone is None or is_valid_zone(zone)


@given(setup_callback_data())
def test_setup_callback_parser_accepts_only_what_the_screens_make(data: str) -> None:
    button = SetupButton.unpack(data)
    if button is not None:
        assert SetupButton(button.mode, button.screen, button.action, button.argument).pack() == data
        assert len(data) <= 64


@given(hostile_text("wake_time", "bedtime", "lunch_time", ".", "0700", "2400"))
def test_time_choice_parser_returns_only_valid_settings_and_times(argument: str) -> None:
    choice = parse_time_choice(argument)
    if choice is not None:
        setting, value = choice
        assert f"{setting.value}.{value:%H%M}" == argument
    compact = parse_compact(argument)
    assert compact is None or f"{compact:%H%M}" == argument


@given(hostile_text("p:", "1d", "3d", "7d", "open", "resume"))
def test_pause_callback_parser_accepts_only_the_offered_lengths(data: str) -> None:
    button = PauseButton.unpack(data)
    length = button.length if button is not None else None
    assert length is None or data == f"p:{length.value}"


@pytest.mark.parametrize("length", list(PauseLength))
def test_pause_callback_parser_reads_every_offered_length(length: PauseLength) -> None:
    button = PauseButton.unpack(f"p:{length.value}")
    assert button is not None
    assert button.length is length
    assert PauseButton.unpack(length.value) is None


@given(hostile_text("del:", "yes:", "no", "999999999999", "-1", "٣"))
def test_delete_callback_parser_round_trips(data: str) -> None:
    button = DeleteButton.unpack(data)
    if button is not None:
        assert data == (f"del:yes:{button.issued_at}" if button.confirmed else "del:no")


@given(
    hostile_text(
        "t:",
        "menu",
        "stats",
        "reload",
        "pv",
        "l:",
        "s:",
        "send:",
        "h:",
        "on:",
        "off:",
        "water",
        "general",
        "water-why",
        ":l:",
        ":s:",
    )
)
def test_tip_callback_parser_accepts_only_what_the_admin_screens_make(data: str) -> None:
    button = TipButton.unpack(data)
    if button is None:
        return
    assert button.group is None or button.group in set(TipGroup)
    assert button.tip_id is None or re.fullmatch(r"[a-z0-9-]+", button.tip_id)
    if button.action in ("on", "off"):
        assert data == f"t:{button.action}:{button.view}:{button.tip_id}"
    elif button.action == "l":
        assert data == f"t:l:{button.group}"
    elif button.tip_id is not None:
        assert data == f"t:{button.action}:{button.tip_id}"
    else:
        assert data == f"t:{button.action}"


@given(hostile_text(*TIP_WORDS))
def test_tip_command_parser_yields_only_complete_commands(message: str) -> None:
    command = parse_tip_command(command_arguments(message))
    if isinstance(command, TipUsage):
        return
    assert command.tip_id is None or re.fullmatch(TIP_ID_PATTERN, command.tip_id)
    assert command.group is None or command.group in set(TipGroup)
    assert command.language in (None, "nl", "en")
    if command.action is TipAction.EDIT:
        assert command.tip_id
        assert command.text == command.text.strip()
        assert command.language or not command.text
    if command.action is TipAction.ADD:
        assert command.group is not None
        assert command.nl == command.nl.strip()
        assert command.en == command.en.strip()
        assert command.nl or not command.en
    if command.action in (
        TipAction.SHOW,
        TipAction.ENABLE,
        TipAction.DISABLE,
        TipAction.SEND,
        TipAction.HISTORY,
    ):
        assert command.tip_id is not None


# ---- the flows behind the parsers, on a real database -------------------------------------------


@pytest.fixture(scope="module")
def shared_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = sqlite_engine(tmp_path_factory.mktemp("hostile") / "habits.sqlite3")
    yield engine
    engine.dispose()


_telegram_ids = itertools.count(10_000)


def _new_member(session: Session, *, step: Step | None, screen: Screen | None = None) -> Member:
    """A fresh member on an onboarding step, or set up with a settings screen waiting for input."""
    member = onboarding.begin_onboarding(
        session=session,
        telegram_id=next(_telegram_ids),
        chat_id=1,
        first_name="Fuzz",
        language_code="nl",
        default_language="nl",
        default_timezone="Europe/Amsterdam",
        now=NOW,
    ).member
    member.onboarding_step = step
    member.settings_screen = screen.value if screen else None
    member.settings_opened_at = NOW if screen else None
    session.commit()
    return member


def _stored(engine: Engine, telegram_id: int) -> Member:
    with new_session(engine) as session:
        member = queries.get_member_by_telegram_id(session=session, telegram_id=telegram_id)
    assert member is not None
    return member


WAITING = (
    [(step, None) for step in Step] + [(None, screen) for screen in sorted(TYPED_SCREENS)] + [(None, None)]
)


@given(typed=hostile_text(*TIME_WORDS, *ZONE_WORDS, "klaar", "2 glazen"), waiting=st.sampled_from(WAITING))
@DB_SETTINGS
def test_typed_answers_on_any_screen_never_raise_and_store_only_sound_settings(
    shared_engine: Engine, typed: str, waiting: tuple[Step | None, Screen | None]
) -> None:
    step, screen = waiting
    with new_session(shared_engine) as session:
        member = _new_member(session, step=step, screen=screen)
        reply = setup_flow.handle_text(session=session, member=member, typed=typed, now=NOW)
        telegram_id = member.telegram_id
    if reply is not None:
        for outgoing in reply.send:
            assert 0 < len(outgoing.text) <= TELEGRAM_TEXT_LIMIT
    assert_member_is_sound(_stored(shared_engine, telegram_id))


@given(data=setup_callback_data(), waiting=st.sampled_from(WAITING))
@DB_SETTINGS
def test_any_setup_button_never_raises_and_stores_only_sound_settings(
    shared_engine: Engine, data: str, waiting: tuple[Step | None, Screen | None]
) -> None:
    button = SetupButton.unpack(data)
    if button is None:
        return
    step, screen = waiting
    with new_session(shared_engine) as session:
        member = _new_member(session, step=step, screen=screen)
        reply = setup_flow.handle_button(session=session, member=member, button=button, now=NOW)
        telegram_id = member.telegram_id
    assert reply.toast is None or len(reply.toast) <= 200  # Telegram's limit for a tap's answer
    assert_member_is_sound(_stored(shared_engine, telegram_id))


@pytest.mark.parametrize("argument", ["-1", "-8", "٣", " 3", "3 ", "+3", "03", "1_0", "99", "9" * 5000])
def test_a_forged_zone_index_changes_nothing(shared_engine: Engine, argument: str) -> None:
    button = SetupButton(Mode.SETTINGS, Screen.TIMEZONE, "set", argument)
    with new_session(shared_engine) as session:
        member = _new_member(session, step=None)
        reply = setup_flow.handle_button(session=session, member=member, button=button, now=NOW)
        telegram_id = member.telegram_id
    assert reply.edit is None
    assert _stored(shared_engine, telegram_id).timezone == "Europe/Amsterdam"


@given(latitude=FLOATS, longitude=FLOATS, waiting=st.sampled_from(WAITING))
@DB_SETTINGS
def test_any_shared_location_never_raises_and_stores_only_real_zones(
    shared_engine: Engine,
    latitude: float,
    longitude: float,
    waiting: tuple[Step | None, Screen | None],
) -> None:
    step, screen = waiting
    with new_session(shared_engine) as session:
        member = _new_member(session, step=step, screen=screen)
        setup_flow.handle_location(
            session=session, member=member, latitude=latitude, longitude=longitude, now=NOW
        )
        telegram_id = member.telegram_id
    assert_member_is_sound(_stored(shared_engine, telegram_id))


@given(
    asked_at=st.integers(min_value=-(10**15), max_value=10**15)
    | st.sampled_from(
        [
            0,
            999_999_999_999,
            253_402_300_800,
            int(NOW.timestamp()),
            int(NOW.timestamp()) + 1,
            int((NOW - timedelta(minutes=15)).timestamp()),
        ]
    )
)
@DB_SETTINGS
def test_any_delete_confirmation_never_raises_and_erases_only_when_fresh(
    shared_engine: Engine, asked_at: int
) -> None:
    with new_session(shared_engine) as session:
        telegram_id = _new_member(session, step=None).telegram_id
        answer = privacy.answer_delete_question(
            session=session, telegram_id=telegram_id, confirmed=True, asked_at=asked_at, now=NOW
        )
    fresh = 0 <= NOW.timestamp() - asked_at <= 15 * 60
    assert answer is (privacy.DeleteAnswer.ERASED if fresh else privacy.DeleteAnswer.EXPIRED)
    with new_session(shared_engine) as session:
        kept = queries.get_member_by_telegram_id(session=session, telegram_id=telegram_id)
    assert (kept is None) == fresh


# ---- admins' edits: whatever is typed, the tip file stays valid ---------------------------------


@pytest.fixture(scope="module")
def tip_store(tmp_path_factory: pytest.TempPathFactory) -> TipStore:
    path = tmp_path_factory.mktemp("tips") / "tips.yaml"
    shutil.copy(ROOT / "content" / "tips.yaml", path)
    return TipStore(path, load_tip_library(path))


def _edit_of(command: TipCommand) -> TipEdit | None:
    if command.action is TipAction.ADD and command.group is not None:
        return AddTip(command.group, command.nl, command.en)
    if command.action is TipAction.EDIT and command.tip_id and command.language:
        return SetText(command.tip_id, command.language, command.text)
    if command.action in (TipAction.ENABLE, TipAction.DISABLE) and command.tip_id:
        return SetEnabled(command.tip_id, enabled=command.action is TipAction.ENABLE)
    return None


EDIT_COMMANDS = st.builds(
    lambda verb, target, rest: f"/tip {verb} {target} {rest}",
    st.sampled_from(["nieuw", "add", "wijzig", "edit", "aan", "uit"]),
    st.sampled_from(
        ["water", "general", "water-why", "water-why nl", "water-why en", "walk", "nope-nope", "water-why EN"]
    ),
    hostile_text("|", "\n", "Drink", "water") | st.text(min_size=190, max_size=230),
)


@given(EDIT_COMMANDS | hostile_text(*TIP_WORDS))
@DB_SETTINGS
def test_any_admin_edit_is_refused_or_leaves_a_valid_tip_file(tip_store: TipStore, message: str) -> None:
    command = parse_tip_command(command_arguments(message))
    edit = _edit_of(command) if isinstance(command, TipCommand) else None
    if edit is None:
        return
    before = tip_store.path.read_bytes()
    try:
        edited = tip_store.apply(edit).edited
    except TipEditError:
        assert tip_store.path.read_bytes() == before
        return
    reloaded = load_tip_library(tip_store.path)  # what is on disk validates...
    assert reloaded == edited.library == tip_store.library  # ...and is what is live
    for tip in reloaded.tips:
        assert 0 < len(tip.nl) <= MAX_TIP_LENGTH
        assert 0 < len(tip.en) <= MAX_TIP_LENGTH
        assert not has_control_characters(tip.nl + tip.en)


def test_typed_time_parser_examples() -> None:
    assert parse_times("22:30-07:00") == [time(22, 30), time(7, 0)]
    assert parse_times("7u30 en 19.00") == [time(7, 30), time(19, 0)]
    assert parse_times("1 2 3 4") is None
