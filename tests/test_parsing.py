from __future__ import annotations

import datetime
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from habits.parsing import (
    MAX_GLASSES,
    MAX_NUMBER,
    MAX_SLEEP_HOURS,
    MIN_GLASSES,
    CheckInKind,
    ParsedCheckIn,
    parse_checkin,
    parse_time_of_day,
)
from storage.kinds import Habit

DONE, SKIP, WATER, SLEEP, NUMBER = (
    CheckInKind.DONE,
    CheckInKind.SKIP,
    CheckInKind.WATER,
    CheckInKind.SLEEP,
    CheckInKind.NUMBER,
)

CHECKINS: list[tuple[str, ParsedCheckIn | None]] = [
    # done, no habit named
    ("klaar", ParsedCheckIn(DONE)),
    ("Gedaan!", ParsedCheckIn(DONE)),
    ("  done.  ", ParsedCheckIn(DONE)),
    ("✅", ParsedCheckIn(DONE)),
    ("✔️", ParsedCheckIn(DONE)),
    ("👍", ParsedCheckIn(DONE)),
    ("👍🏽", ParsedCheckIn(DONE)),
    ("ok gedaan", ParsedCheckIn(DONE)),
    ("Oké, klaar 👍", ParsedCheckIn(DONE)),
    ("ja", ParsedCheckIn(DONE)),
    ("YES", ParsedCheckIn(DONE)),
    ("check", ParsedCheckIn(DONE)),
    # done, habit named
    ("wandeling gedaan", ParsedCheckIn(DONE, Habit.WALK)),
    ("ja, de wandeling gedaan!", ParsedCheckIn(DONE, Habit.WALK)),
    ("gewandeld", ParsedCheckIn(DONE, Habit.WALK)),
    ("walk done", ParsedCheckIn(DONE, Habit.WALK)),
    ("walked ✅", ParsedCheckIn(DONE, Habit.WALK)),
    ("ademhaling gedaan", ParsedCheckIn(DONE, Habit.BREATHING)),
    ("Breathing exercise done", ParsedCheckIn(DONE, Habit.BREATHING)),
    ("water gedaan", ParsedCheckIn(DONE, Habit.WATER)),
    ("winddown done", ParsedCheckIn(DONE, Habit.SLEEP)),
    ("wind-down gedaan", ParsedCheckIn(DONE, Habit.SLEEP)),
    # skip
    ("overslaan", ParsedCheckIn(SKIP)),
    ("sla over", ParsedCheckIn(SKIP)),
    ("Skip", ParsedCheckIn(SKIP)),
    ("skipped", ParsedCheckIn(SKIP)),
    ("niet vandaag", ParsedCheckIn(SKIP)),
    ("not today!", ParsedCheckIn(SKIP)),
    ("⏭️", ParsedCheckIn(SKIP)),
    ("nee", ParsedCheckIn(SKIP)),
    ("wandeling overslaan", ParsedCheckIn(SKIP, Habit.WALK)),
    ("skip walk", ParsedCheckIn(SKIP, Habit.WALK)),
    ("skip the breathing", ParsedCheckIn(SKIP, Habit.BREATHING)),
    ("sla de wandeling over", ParsedCheckIn(SKIP, Habit.WALK)),
    ("geen ademhaling vandaag", ParsedCheckIn(SKIP, Habit.BREATHING)),
    # water
    ("+1", ParsedCheckIn(WATER, value=1)),
    ("+ 2", ParsedCheckIn(WATER, value=2)),
    ("2 glazen", ParsedCheckIn(WATER, value=2)),
    ("1 glas", ParsedCheckIn(WATER, value=1)),
    ("een glas", ParsedCheckIn(WATER, value=1)),
    ("één glas water", ParsedCheckIn(WATER, value=1)),
    ("twee glazen", ParsedCheckIn(WATER, value=2)),
    ("3 glasses", ParsedCheckIn(WATER, value=3)),
    ("1 glass", ParsedCheckIn(WATER, value=1)),
    ("three glasses of water", ParsedCheckIn(WATER, value=3)),
    ("2x water", ParsedCheckIn(WATER, value=2)),
    ("water +1", ParsedCheckIn(WATER, value=1)),
    ("💧", ParsedCheckIn(WATER, value=1)),
    ("💧💧", ParsedCheckIn(WATER, value=2)),
    ("12 glazen", ParsedCheckIn(WATER, value=12)),
    # sleep
    ("7,5 uur", ParsedCheckIn(SLEEP, value=7.5)),
    ("7.5 uur", ParsedCheckIn(SLEEP, value=7.5)),
    ("7,5u", ParsedCheckIn(SLEEP, value=7.5)),
    ("7u30", ParsedCheckIn(SLEEP, value=7.5)),
    ("7h30", ParsedCheckIn(SLEEP, value=7.5)),
    ("7u45", ParsedCheckIn(SLEEP, value=7.75)),
    ("6u10", ParsedCheckIn(SLEEP, value=6.17)),
    ("slept 7.5h", ParsedCheckIn(SLEEP, value=7.5)),
    ("Slept 7 hours", ParsedCheckIn(SLEEP, value=7)),
    ("7 uur geslapen", ParsedCheckIn(SLEEP, value=7)),
    ("8 uur", ParsedCheckIn(SLEEP, value=8)),
    ("6.5 hours", ParsedCheckIn(SLEEP, value=6.5)),
    ("7:30 uur", ParsedCheckIn(SLEEP, value=7.5)),
    ("16 uur", ParsedCheckIn(SLEEP, value=16)),
    ("7\u00a0uur", ParsedCheckIn(SLEEP, value=7)),
    ("７,５ uur", ParsedCheckIn(SLEEP, value=7.5)),  # fullwidth digits
    # bare numbers
    ("7", ParsedCheckIn(NUMBER, value=7)),
    ("7,5", ParsedCheckIn(NUMBER, value=7.5)),
    ("8.0", ParsedCheckIn(NUMBER, value=8)),
    ("24", ParsedCheckIn(NUMBER, value=24)),
    # rejected
    ("", None),
    ("   ", None),
    ("hallo", ParsedCheckIn(CheckInKind.GREETING)),  # a kind of its own now, never stored
    ("abc", None),
    ("ok", ParsedCheckIn(CheckInKind.WEAK_DONE)),  # done only if a nudge is open: the caller decides
    ("gedaan?", None),
    ("25 uur", None),
    ("0 uur", None),
    ("16u30", None),
    ("-2 glazen", None),
    ("0 glazen", None),
    ("13 glazen", None),
    ("100 glazen", None),
    ("1,5 glas", ParsedCheckIn(WATER, value=2)),  # rounded to whole glasses, half up
    ("7,5,5 uur", None),
    ("7:30", None),
    ("0", None),
    ("25", None),
    ("1e9", None),
    ("nan", None),
    ("inf", None),
    ("7 uur 2 glazen", None),
    ("gedaan " * 40, None),
    ("\x00\x01\x1b", None),
    ("٧ uur", None),  # Arabic-Indic digit
    ("1²", None),
    ("½ uur", None),
    ("💧" * 13, None),
]


@pytest.mark.parametrize(("text", "expected"), CHECKINS)
def test_parse_checkin(text: str, expected: ParsedCheckIn | None) -> None:
    assert parse_checkin(text) == expected


def test_checkin_table_is_large_enough() -> None:
    assert len(CHECKINS) >= 40
    assert sum(expected is None for _, expected in CHECKINS) >= 12


TIMES: list[tuple[str, datetime.time | None]] = [
    ("7:30", datetime.time(7, 30)),
    ("07:30", datetime.time(7, 30)),
    ("07.30", datetime.time(7, 30)),
    ("7u30", datetime.time(7, 30)),
    ("7h30", datetime.time(7, 30)),
    ("19:30", datetime.time(19, 30)),
    ("7", datetime.time(7, 0)),
    ("23", datetime.time(23, 0)),
    ("0:30", datetime.time(0, 30)),
    ("00:30", datetime.time(0, 30)),
    ("7u", datetime.time(7, 0)),
    ("22 uur", datetime.time(22, 0)),
    ("0730", datetime.time(7, 30)),
    ("1930", datetime.time(19, 30)),
    (" 22:45. ", datetime.time(22, 45)),
    ("11pm", datetime.time(23, 0)),
    ("10:30 PM", datetime.time(22, 30)),
    ("12am", datetime.time(0, 0)),
    ("12pm", datetime.time(12, 0)),
    ("25:00", None),
    ("24:00", None),
    ("7:60", None),
    ("7:5", None),
    ("730", None),
    ("2400", None),
    ("13pm", None),
    ("abc", None),
    ("", None),
    ("-1", None),
    ("half acht", datetime.time(7, 30)),  # Dutch clock words count (tests/test_checkin_language.py)
    ("٧:٣٠", None),
]


@pytest.mark.parametrize(("text", "expected"), TIMES)
def test_parse_time_of_day(text: str, expected: datetime.time | None) -> None:
    assert parse_time_of_day(text) == expected


def assert_within_documented_range(result: ParsedCheckIn | None) -> None:
    if result is None:
        return
    if result.kind not in (WATER, SLEEP, NUMBER):
        # DONE, SKIP and the kinds that store nothing; SNOOZE's minutes: tests/test_checkin_language.py
        assert result.value is None or result.kind is CheckInKind.SNOOZE
        return
    assert result.habit is None
    assert result.value is not None
    assert math.isfinite(result.value)
    assert result.value == round(result.value, 2)
    if result.kind is CheckInKind.WATER:
        assert result.value.is_integer()
        assert MIN_GLASSES <= result.value <= MAX_GLASSES
    elif result.kind is CheckInKind.SLEEP:
        assert 0 < result.value <= MAX_SLEEP_HOURS
    else:
        assert 0 < result.value <= MAX_NUMBER


# Pieces of near-miss input, so the fuzzer reaches the number and unit paths that
# random unicode almost never hits.
FRAGMENTS = st.sampled_from(
    [
        "0", "1", "7", "9", "12", "24", ",", ".", ":", "+", "-", " ", "\u00a0", "x", "e",
        "u", "h", "uur", "hours", "glazen", "glass", "water", "slept", "geslapen", "💧",
        "twee", "één", "gedaan", "skip", "wandeling", "sla", "over", "de", "ok", "ja", "✅",
        "\ufe0f", "nan", "inf", "٣", "７", "²", "½", "\x00", "\u200d", "am", "pm", "!",
    ]
)  # fmt: skip
NEAR_MISSES = st.lists(FRAGMENTS, max_size=8).map("".join)
CONTROL_HEAVY = st.text(
    alphabet=st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp", "Nd", "No", "So"]),
    max_size=300,
)


@given(st.text() | st.text(max_size=4096) | CONTROL_HEAVY | NEAR_MISSES)
@settings(max_examples=500)
def test_parse_checkin_never_raises_and_stays_in_range(text: str) -> None:
    assert_within_documented_range(parse_checkin(text))


@given(st.text() | st.text(max_size=4096) | CONTROL_HEAVY | NEAR_MISSES)
@settings(max_examples=500)
def test_parse_time_of_day_never_raises(text: str) -> None:
    result = parse_time_of_day(text)
    assert result is None or isinstance(result, datetime.time)


@given(
    st.integers(min_value=0, max_value=30),
    st.integers(min_value=0, max_value=99),
    st.sampled_from([":", ".", "u", "h"]),
)
def test_clock_times_round_trip(hour: int, minute: int, separator: str) -> None:
    expected = datetime.time(hour, minute) if hour < 24 and minute < 60 else None
    assert parse_time_of_day(f"{hour}{separator}{minute:02d}") == expected


@given(st.integers(min_value=-5, max_value=20), st.sampled_from(["glazen", "glasses", "glas"]))
def test_glass_counts_outside_range_are_rejected(count: int, word: str) -> None:
    result = parse_checkin(f"{count} {word}")
    if MIN_GLASSES <= count <= MAX_GLASSES:
        assert result == ParsedCheckIn(CheckInKind.WATER, value=count)
    else:
        assert result is None
