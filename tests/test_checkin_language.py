"""The check-in language on messages as members really type them, and its properties."""

from __future__ import annotations

import datetime

import pytest

from habits.onboarding import parse_times
from habits.parsing import parse_time_of_day

# --- times of day in words, here and in the settings screens -----------------------------------------

T = datetime.time
TIMES_IN_WORDS: list[tuple[str, datetime.time | None]] = [
    ("half acht", T(7, 30)),
    ("Half 8", T(7, 30)),
    ("om half acht", T(7, 30)),
    ("half een", T(0, 30)),
    ("half twaalf", T(11, 30)),
    ("half 11 's avonds", T(22, 30)),
    ("half elf 's avonds", T(22, 30)),
    ("kwart over zeven", T(7, 15)),
    ("kwart voor acht", T(7, 45)),
    ("kwart voor 12", T(11, 45)),
    ("kwart over 11 's avonds", T(23, 15)),
    ("tien over zeven", T(7, 10)),
    ("vijf voor acht", T(7, 55)),
    ("tien over half zeven", T(6, 40)),
    ("vijf voor half acht", T(7, 25)),
    ("5 over half 8", T(7, 35)),
    ("acht uur", T(8, 0)),
    ("Acht uur 's ochtends", T(8, 0)),
    ("tien uur 's avonds", T(22, 0)),
    ("twaalf uur 's nachts", T(0, 0)),
    ("2 uur 's middags", T(14, 0)),
    ("om 7 uur", T(7, 0)),
    ("rond 23:00", T(23, 0)),
    ("middernacht", T(0, 0)),
    ("half past seven", T(7, 30)),
    ("half seven", T(7, 30)),
    ("quarter past seven", T(7, 15)),
    ("a quarter to eight", T(7, 45)),
    ("ten past seven", T(7, 10)),
    ("twenty to eight", T(7, 40)),
    ("seven o'clock", T(7, 0)),
    ("7 o'clock", T(7, 0)),
    ("half past ten pm", T(22, 30)),
    ("at 11pm", T(23, 0)),
    ("noon", T(12, 0)),
    ("midnight", T(0, 0)),
    # refused
    ("acht", None),
    ("half", None),
    ("kwart", None),
    ("half dertien", None),
    ("kwart over", None),
    ("twintig over half acht", None),
    ("7 to 8", None),
    ("19:00 's ochtends", None),
    ("half 0", None),
    ("half acht uur", None),
    ("een over acht", None),
]


@pytest.mark.parametrize(("text", "expected"), TIMES_IN_WORDS)
def test_time_of_day_in_words(text: str, expected: datetime.time | None) -> None:
    assert parse_time_of_day(text) == expected


TYPED_TIMES: list[tuple[str, list[datetime.time] | None]] = [
    ("half acht", [T(7, 30)]),
    ("half acht en half twaalf", [T(7, 30), T(11, 30)]),
    ("kwart over zeven, 23:00", [T(7, 15), T(23, 0)]),
    ("van half elf 's avonds tot zeven uur", [T(22, 30), T(7, 0)]),
    ("7 uur", [T(7, 0)]),
    ("acht uur, half een en zes uur", [T(8, 0), T(0, 30), T(6, 0)]),
    ("quarter to eight and 11pm", [T(7, 45), T(23, 0)]),
    ("half acht half acht half acht half acht", None),
    ("half", None),
    ("half acht abc", None),
]


@pytest.mark.parametrize(("text", "expected"), TYPED_TIMES)
def test_typed_times_in_words(text: str, expected: list[datetime.time] | None) -> None:
    assert parse_times(text) == expected
