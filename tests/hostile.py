"""Hostile input for property and end-to-end tests, and the checks that nothing stored is garbage.

The strategies mix what a fuzzer rarely reaches on its own (the bot's own words, numbers at the
edges, pieces of valid callback data) with random Unicode, emoji, control characters and texts of
Telegram's full 4,096 characters.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import time

from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.setup.keyboards import TYPED_SCREENS, Mode, Screen
from habits.breathing import BreathingPattern, GuidanceMode, SessionLength
from habits.checkins import MAX_SLEEP_HOURS
from habits.members import SUPPORTED_LANGUAGES
from habits.onboarding import Step
from habits.parsing import MAX_GLASSES
from habits.preferences import SNOOZE_CHOICES, WATER_GOAL_CHOICES, WATER_INTERVAL_CHOICES, TimeSetting
from habits.timezones import is_valid_zone
from storage.database import new_session
from storage.kinds import Habit
from storage.models import CheckIn, Member, Pause

TELEGRAM_TEXT_LIMIT = 4096

EDGE_NUMBERS = st.sampled_from([
    "0", "-0", "-1", "1", "7", "8", "12", "23", "24", "59", "60", "99", "100", "0700", "2400",
    "9" * 19, "-" + "9" * 19, "9" * 5000, "1e308", "-1e308", "nan", "inf", "-inf", "NaN", "0x10",
    "1_000", "٣", "７", "²", "½", "1.5", "7,5", " 8 ",
])  # fmt: skip
NUMBERS = (
    st.integers().map(str)
    | st.integers(min_value=-(10**40), max_value=10**40).map(str)
    | st.floats(allow_nan=True, allow_infinity=True).map(str)
    | EDGE_NUMBERS
)
CONTROL_AND_EMOJI = st.text(
    alphabet=st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp", "So", "Sk", "Mn", "Nd", "No"]),
    max_size=200,
)
# Telegram's longest message, built cheaply from a short random piece.
FULL_LENGTH = st.text(min_size=1, max_size=8).map(
    lambda piece: (piece * TELEGRAM_TEXT_LIMIT)[:TELEGRAM_TEXT_LIMIT]
)


def hostile_text(*fragments: str) -> st.SearchStrategy[str]:
    """Random text, plus near misses joined from the given words and edge numbers."""
    pieces = st.sampled_from([*fragments, " ", ":", ".", "-", "\n", "\x00", "💧", "\u200b"]) | NUMBERS
    near_misses = st.lists(pieces, min_size=1, max_size=6).map("".join)
    return st.text() | CONTROL_AND_EMOJI | FULL_LENGTH | NUMBERS | near_misses


# Every word the setup screens use in their callback data, so the fuzzer reaches every branch.
SETUP_ACTIONS = [
    "t",
    "set",
    "defaults",
    "location",
    "toggle",
    "goal",
    "every",
    "auto",
    "off",
    "open",
    "menu",
    "close",
    "next",
    "previous",
    "finish",
]
SETUP_ARGUMENTS = [
    "nl",
    "en",
    "de",
    "",
    *[habit.value for habit in Habit],
    *[screen.value for screen in Screen],
    *[f"{s.value}.0700" for s in TimeSetting],
    "wake_time.0730",
    "bedtime.0700",
    "bedtime.2400",
    "lunch_time.1260",
    "2200-0700",
    "2200-2200",
    "0700",
    "2500-0700",
    "22-07",
    "-1",
    "-9",
    "8",
    "9",
]


def setup_callback_data() -> st.SearchStrategy[str]:
    """Callback data shaped like the setup screens' (mode:screen:action[:argument]), and junk."""
    mode = st.sampled_from([mode.value for mode in Mode] + ["x", "", "O"])
    screen = st.sampled_from([screen.value for screen in Screen] + ["", "Main", "../x"])
    action = st.sampled_from(SETUP_ACTIONS) | st.text(max_size=8)
    argument = st.sampled_from(SETUP_ARGUMENTS) | NUMBERS | st.text(max_size=12)
    shaped = st.builds(
        lambda m, s, a, g: f"{m}:{s}:{a}" + (f":{g}" if g else ""), mode, screen, action, argument
    )
    return shaped | hostile_text("o:", "s:", *SETUP_ACTIONS)


# ---- plain random junk for end-to-end tests (the running bot is too slow for hypothesis) -------


def random_character(rng: random.Random) -> str:
    code = rng.randrange(0x20, 0x2FFFF)
    return "\ufffd" if 0xD800 <= code <= 0xDFFF else chr(code)  # Telegram sends valid UTF-8 only


def random_text(rng: random.Random, words: Sequence[str] = ()) -> str:
    """One piece of junk a member could type (never empty: Telegram sends no empty messages)."""
    makers = [
        lambda: "".join(random_character(rng) for _ in range(rng.randrange(1, 40))),
        lambda: "".join(rng.choice("0123456789:.,-+e u") for _ in range(rng.randrange(1, 20))),
        lambda: rng.choice(
            [
                "-7:00",
                "25:00",
                "7:60",
                "99999999999999999999",
                "1e308",
                "nan",
                "inf",
                "-1",
                "0:00 0:00",
                "7:00 7:00",
                "1 2 3 4",
                "٣:٠٠",
                "７:３０",
                "../../etc/passwd",
                "Europe/",
                "UTC",
                "Etc/GMT+14",
                "amsterdam",
            ]
        ),
        lambda: " ".join(rng.choice(list(words) or ["x"]) for _ in range(rng.randrange(1, 5))),
        lambda: "🙂" * rng.randrange(1, 300),
        lambda: (random_character(rng) * TELEGRAM_TEXT_LIMIT)[:TELEGRAM_TEXT_LIMIT],
        lambda: "".join(chr(rng.randrange(1, 0x20)) for _ in range(10)) + "7:30",
        lambda: "\u202e" + "22:00 07:00" + "\u200b" * 5,
    ]
    text = rng.choice(makers)()
    return text if text.strip() else "x"


def random_callback_data(rng: random.Random, prefixes: Sequence[str]) -> str:
    """Callback data a forged client could send: at most 64 bytes, like Telegram allows."""
    makers = [
        lambda: rng.choice(prefixes) + rng.choice(SETUP_ACTIONS + SETUP_ARGUMENTS),
        lambda: ":".join(
            [
                rng.choice(["o", "s", "p", "t", "n", "del", "x"]),
                rng.choice([s.value for s in Screen] + ["l", "s", "on", "off", "yes"]),
                rng.choice(SETUP_ACTIONS + SETUP_ARGUMENTS),
                rng.choice([*SETUP_ARGUMENTS, "999999999999", "-1", "٣"]),
            ]
        ),
        lambda: rng.choice(prefixes) + "".join(random_character(rng) for _ in range(rng.randrange(0, 12))),
        lambda: "".join(random_character(rng) for _ in range(rng.randrange(1, 16))),
    ]
    data = rng.choice(makers)()
    while len(data.encode()) > 64:
        data = data[:-1]
    return data or "x"


# ---- nothing stored is garbage ----------------------------------------------------------------


def _whole_minute(value: time | None) -> bool:
    return value is None or (value.tzinfo is None and value.second == 0 and value.microsecond == 0)


def assert_member_is_sound(member: Member) -> None:
    """Every stored setting is one the bot itself offers or validates."""
    assert member.language in SUPPORTED_LANGUAGES, member.language
    assert is_valid_zone(member.timezone), member.timezone
    times = [
        member.wake_time,
        member.bedtime,
        member.breakfast_time,
        member.lunch_time,
        member.dinner_time,
        member.breathing_time,
    ]
    assert all(isinstance(value, time) and _whole_minute(value) for value in times), times
    assert member.wake_time != member.bedtime
    assert member.water_goal in WATER_GOAL_CHOICES, member.water_goal
    assert member.water_interval_minutes in WATER_INTERVAL_CHOICES, member.water_interval_minutes
    assert member.snooze_minutes in SNOOZE_CHOICES, member.snooze_minutes
    assert (member.quiet_start is None) == (member.quiet_end is None)
    assert _whole_minute(member.quiet_start)
    assert _whole_minute(member.quiet_end)
    assert member.onboarding_step is None or member.onboarding_step in set(Step)
    assert member.settings_screen is None or Screen(member.settings_screen) in TYPED_SCREENS
    assert (member.settings_screen is None) == (member.settings_opened_at is None)
    assert member.breathing_pattern in set(BreathingPattern), member.breathing_pattern
    assert member.breathing_minutes in set(SessionLength), member.breathing_minutes
    assert member.breathing_guidance in set(GuidanceMode), member.breathing_guidance


def assert_checkin_is_sound(checkin: CheckIn) -> None:
    assert checkin.habit in set(Habit), checkin.habit
    if checkin.habit == Habit.WATER:
        assert checkin.value is not None
        assert 1 <= checkin.value <= MAX_GLASSES
        assert checkin.value == int(checkin.value)
    if checkin.habit == Habit.SLEEP and checkin.value is not None:
        assert 0 < checkin.value <= MAX_SLEEP_HOURS


def assert_stored_data_is_sound(engine: Engine) -> None:
    """Members, check-ins and pauses in the database hold only values the bot accepts."""
    with new_session(engine) as session:
        for member in session.exec(select(Member)).all():
            assert_member_is_sound(member)
        for checkin in session.exec(select(CheckIn)).all():
            assert_checkin_is_sound(checkin)
        for pause in session.exec(select(Pause)).all():
            assert pause.ends_at is None or pause.ends_at >= pause.starts_at
