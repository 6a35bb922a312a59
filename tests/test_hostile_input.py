"""Hostile and broken input: property tests on every parser a member reaches, forged and stale
buttons end to end, and random junk typed at the real bot."""

from __future__ import annotations

import logging
import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.nudges.keyboards import NudgeButton
from bot.texts import text
from fakegram import FakeUser
from habits.checkins import MAX_SLEEP_HOURS, Action
from habits.parsing import MAX_GLASSES
from habits.timezones import zone_from_text
from storage.models import NudgeStatus
from tests.harness import BotHarness, button_data

ALICE, BOB = 1001, 1002
WALK_TIME = datetime(2026, 11, 23, 7, 15, tzinfo=UTC)  # 08:15 in Amsterdam
CALLBACK_LIMIT_BYTES = 64

HOSTILE_TEXT = (
    st.text()
    | st.text(min_size=4000, max_size=4096)
    | st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zs", "So", "Mn"]))
    | st.integers().map(str)
    | st.floats(allow_nan=True, allow_infinity=True).map(str)
    | st.from_regex(r"n:-?\d{0,40}:[a-z]{0,8}(:-?\d{0,5})?", fullmatch=True)
)


@given(HOSTILE_TEXT)
def test_callback_data_parser_never_raises_and_only_accepts_what_the_bot_makes(data: str) -> None:
    button = NudgeButton.unpack(data)
    if button is not None:
        assert button.nudge_id >= 0
        assert NudgeButton(button.nudge_id, button.action, button.value).pack() == data


@given(
    st.integers(min_value=0, max_value=10**18 - 1),
    st.sampled_from(list(Action)),
    st.integers(min_value=0, max_value=99),
)
def test_callback_data_the_bot_makes_round_trips_and_fits_telegrams_limit(
    nudge_id: int, action: Action, value: int
) -> None:
    hours = value if action is Action.HOURS else None
    data = NudgeButton(nudge_id, action, hours).pack()
    assert len(data.encode()) <= CALLBACK_LIMIT_BYTES
    button = NudgeButton.unpack(data)
    assert button is not None
    assert (button.nudge_id, button.action) == (nudge_id, action)


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "n:",
        "n:1",
        "n:1:",
        "n:x:done",
        "n:1:explode",
        "n:1:done:5",
        "n:1:hours",
        "n:-1:done",
        "n:1:hours:999",
        "n:1:done\n",
        "N:1:DONE",
        "n:1:done:",
        "n:١:done",
    ],
)
def test_malformed_callback_data_is_rejected(data: str | None) -> None:
    assert NudgeButton.unpack(data) is None


@given(HOSTILE_TEXT)
def test_time_zone_parser_never_raises_and_returns_only_real_zones(value: str) -> None:
    zone = zone_from_text(value)
    if zone is not None:
        from zoneinfo import ZoneInfo

        assert ZoneInfo(zone).key == zone


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Europe/Amsterdam", "Europe/Amsterdam"),
        (" europe/amsterdam ", "Europe/Amsterdam"),
        ("Amsterdam", "Europe/Amsterdam"),
        ("new york", "America/New_York"),
        ("tokyo", "Asia/Tokyo"),
        ("Europe", None),
        ("../../etc/passwd", None),
        ("/etc/localtime", None),
        ("", None),
        ("Europe/Amsterdam\x00", None),
        ("x" * 5000, None),
        ("🙂", None),
    ],
)
def test_time_zone_parser_table(typed: str, zone: str | None) -> None:
    assert zone_from_text(typed) == zone


# ---- end to end: forged, missing, malformed and stale buttons ----------------------------------


async def _alice_with_walk_nudge(bot: BotHarness) -> tuple[FakeUser, dict[str, object]]:
    alice = bot.api.user(ALICE, first_name="Alice")
    await bot.say(alice, "/start")
    bot.clock.set(WALK_TIME)
    await bot.tick()
    return alice, bot.api.last_message(ALICE)


def _answer(bot: BotHarness, update: dict[str, object]) -> str:
    query = update["callback_query"]
    assert isinstance(query, dict)
    return str(bot.api.callback_answers[query["id"]].get("text"))


def _state(bot: BotHarness) -> tuple[object, ...]:
    return (
        [(n.id, n.status, n.answered_at) for n in bot.nudges(ALICE)],
        [(c.id, c.value, c.status) for c in bot.checkins(ALICE)],
        len(bot.api.calls_named("editMessageText")),
    )


async def test_a_button_for_another_members_nudge_changes_nothing(bot: BotHarness) -> None:
    _, nudge_message = await _alice_with_walk_nudge(bot)
    bob = bot.api.user(BOB, first_name="Bob")
    await bot.say(bob, "/start")
    before = _state(bot)
    # Bob's client forges a press with Alice's nudge id (Telegram would only let him press his
    # own messages, so the forged data arrives on one of his).
    welcome = bot.api.last_message(BOB)
    update = bob.press(welcome, button_data(nudge_message, "done"), check_button=False)
    await bot.settle()
    assert _answer(bot, update) == text("nl", "answer_unknown")
    assert _state(bot) == before
    assert not bot.checkins(ALICE)
    assert not bot.api.calls_named("editMessageText")


@pytest.mark.parametrize(
    "data",
    [
        "n:999999:done",
        "n:1:hours:7",
        "n:x:done",
        "garbage",
        "n:" + "9" * 40 + ":done",
        "🙂" * 16,
        "n:1:done:5",
    ],
)
async def test_missing_or_malformed_buttons_get_a_short_answer_and_change_nothing(
    bot: BotHarness, data: str
) -> None:
    alice, nudge_message = await _alice_with_walk_nudge(bot)
    before = _state(bot)
    update = alice.press(nudge_message, data, check_button=False)
    await bot.settle()
    answer = _answer(bot, update)
    assert answer == text("nl", "answer_unknown")
    assert len(answer) <= 200  # Telegram's limit for a callback answer
    assert _state(bot) == before


async def test_yesterdays_button_is_answered_gracefully_and_records_nothing(
    bot: BotHarness,
) -> None:
    alice, nudge_message = await _alice_with_walk_nudge(bot)
    bot.clock.set(WALK_TIME + timedelta(days=1))
    update = alice.press(nudge_message, button_data(nudge_message, "done"))
    await bot.settle()
    assert _answer(bot, update) == text("nl", "answer_expired")
    assert not bot.checkins(ALICE)
    (walk,) = [n for n in bot.nudges(ALICE) if n.slot == "walk-breakfast"]
    assert walk.status == NudgeStatus.SENT
    # The old prompt loses its buttons so it cannot be pressed again.
    assert "reply_markup" not in bot.api.message(ALICE, int(str(nudge_message["message_id"])))


async def test_a_second_press_on_an_answered_nudge_records_nothing_more(bot: BotHarness) -> None:
    alice, nudge_message = await _alice_with_walk_nudge(bot)
    await bot.press(alice, nudge_message, button_data(nudge_message, "done"))
    update = alice.press(nudge_message, button_data(nudge_message, "skip"), check_button=False)
    await bot.settle()
    assert _answer(bot, update) == text("nl", "answer_already")
    assert [c.status for c in bot.checkins(ALICE)] == ["done"]


# ---- end to end: random junk typed at the real bot ---------------------------------------------


def _character(rng: random.Random) -> str:
    code = rng.randrange(0x20, 0x2FFFF)
    return "\ufffd" if 0xD800 <= code <= 0xDFFF else chr(code)  # Telegram sends valid UTF-8 only


def _junk(rng: random.Random) -> str:
    makers = [
        lambda: "".join(_character(rng) for _ in range(rng.randrange(1, 40))),
        lambda: "".join(rng.choice("0123456789,.-+e ") for _ in range(rng.randrange(1, 30))),
        lambda: rng.choice(
            [
                "-7 uur",
                "99999999999999999999 glazen",
                "1e308 uur",
                "nan",
                "inf",
                "+0",
                "0 glazen",
                "-1",
                "13 glazen",
                "16.001 uur",
                "7,5,5 uur",
            ]
        ),
        lambda: "💧" * rng.randrange(1, 400),
        lambda: "x" * 4096,
        lambda: "".join(chr(rng.randrange(0, 0x20)) for _ in range(10)) + "klaar",
        lambda: "\u202e" + "klaar" + "\u200b" * 5,
    ]
    return rng.choice(makers)()


async def test_random_junk_gets_friendly_answers_and_stores_no_garbage(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    rng = random.Random(20261123)
    alice = bot.api.user(ALICE, first_name="Alice")
    await bot.say(alice, "/start")
    bot.clock.set(WALK_TIME)
    await bot.tick()
    with caplog.at_level(logging.ERROR):
        for _ in range(80):
            alice.send_text(_junk(rng))
        await bot.settle()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    texts = [m["text"] for m in bot.api.sent_messages(ALICE)]
    assert text("nl", "error_apology") not in texts
    assert all(len(t) <= 4096 for t in texts)
    for checkin in bot.checkins(ALICE):
        if checkin.habit == "water":
            assert checkin.value is not None
            assert 1 <= checkin.value <= MAX_GLASSES
            assert checkin.value == int(checkin.value)
        if checkin.value is not None and checkin.habit == "sleep":
            assert 0 < checkin.value <= MAX_SLEEP_HOURS
