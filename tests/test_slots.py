"""Tables of timezone-aware instants for the pure slot arithmetic in scheduler/slots.py."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from scheduler.slots import (
    DailyRoutine,
    local_to_utc,
    meal_slot_at,
    next_due_after,
    routine_day,
    slots_due_between,
    slots_for_day,
)
from storage.kinds import Habit

AMS = ZoneInfo("Europe/Amsterdam")
LA = ZoneInfo("America/Los_Angeles")
AKL = ZoneInfo("Pacific/Auckland")
KOLKATA = ZoneInfo("Asia/Kolkata")
DEFAULT = DailyRoutine()


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def slot_instants(routine: DailyRoutine, zone: ZoneInfo, day: date) -> dict[str, datetime]:
    return {slot.key: slot.due_at for slot in slots_for_day(routine, zone, day)}


# Every default slot on an ordinary winter day in Amsterdam (UTC+1).
@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("water-0700", utc(2026, 11, 23, 6, 0)),
        ("sleep-morning", utc(2026, 11, 23, 6, 15)),
        ("walk-breakfast", utc(2026, 11, 23, 7, 15)),
        ("water-0900", utc(2026, 11, 23, 8, 0)),
        ("water-1100", utc(2026, 11, 23, 10, 0)),
        ("walk-lunch", utc(2026, 11, 23, 11, 45)),
        ("water-1300", utc(2026, 11, 23, 12, 0)),
        ("water-1500", utc(2026, 11, 23, 14, 0)),
        ("breathing", utc(2026, 11, 23, 15, 0)),
        ("water-1700", utc(2026, 11, 23, 16, 0)),
        ("walk-dinner", utc(2026, 11, 23, 17, 45)),
        ("water-1900", utc(2026, 11, 23, 18, 0)),
        ("water-2100", utc(2026, 11, 23, 20, 0)),
        ("sleep-winddown", utc(2026, 11, 23, 21, 15)),
    ],
)
def test_default_slots_amsterdam_winter(key: str, expected: datetime) -> None:
    instants = slot_instants(DEFAULT, AMS, date(2026, 11, 23))
    assert instants[key] == expected
    assert len(instants) == 14


@pytest.mark.parametrize(
    ("zone", "day", "key", "expected"),
    [
        # Amsterdam, the day before and the day of spring forward (CET -> CEST at 02:00).
        (AMS, date(2026, 3, 28), "water-0700", utc(2026, 3, 28, 6, 0)),
        (AMS, date(2026, 3, 29), "water-0700", utc(2026, 3, 29, 5, 0)),
        (AMS, date(2026, 3, 29), "sleep-winddown", utc(2026, 3, 29, 20, 15)),
        # Amsterdam, fall back (CEST -> CET at 03:00).
        (AMS, date(2026, 10, 24), "walk-breakfast", utc(2026, 10, 24, 6, 15)),
        (AMS, date(2026, 10, 25), "walk-breakfast", utc(2026, 10, 25, 7, 15)),
        # Los Angeles: PST (-8) until 2026-03-08, PDT (-7) after; back to PST on 2026-11-01.
        (LA, date(2026, 3, 7), "walk-breakfast", utc(2026, 3, 7, 16, 15)),
        (LA, date(2026, 3, 8), "walk-breakfast", utc(2026, 3, 8, 15, 15)),
        (LA, date(2026, 11, 1), "breathing", utc(2026, 11, 2, 0, 0)),
        (LA, date(2026, 11, 1), "sleep-winddown", utc(2026, 11, 2, 6, 15)),
        # Auckland: NZDT (+13) in November, NZST (+12) in June; southern-hemisphere DST.
        (AKL, date(2026, 11, 21), "sleep-winddown", utc(2026, 11, 21, 9, 15)),
        (AKL, date(2026, 6, 10), "sleep-winddown", utc(2026, 6, 10, 10, 15)),
        (AKL, date(2026, 9, 27), "water-0700", utc(2026, 9, 26, 18, 0)),
        # Kolkata: a half-hour offset (+5:30) and no DST.
        (KOLKATA, date(2026, 7, 1), "breathing", utc(2026, 7, 1, 10, 30)),
        (KOLKATA, date(2026, 7, 1), "walk-lunch", utc(2026, 7, 1, 7, 15)),
    ],
)
def test_slots_across_zones_and_dst(zone: ZoneInfo, day: date, key: str, expected: datetime) -> None:
    assert slot_instants(DEFAULT, zone, day)[key] == expected


def test_spring_forward_gap_fires_once_just_after_the_gap() -> None:
    # 02:30 does not exist in Amsterdam on 2026-03-29: it fires once, at 03:30 CEST.
    routine = DailyRoutine(breathing=time(2, 30))
    night = slots_due_between(routine, AMS, utc(2026, 3, 28, 22, 0), utc(2026, 3, 29, 4, 0))
    breathing = [slot for slot in night if slot.habit is Habit.BREATHING]
    assert [slot.due_at for slot in breathing] == [utc(2026, 3, 29, 1, 30)]
    assert breathing[0].due_at.astimezone(AMS).time() == time(3, 30)


def test_fall_back_repeated_hour_fires_once_at_first_occurrence() -> None:
    # 02:30 happens twice in Amsterdam on 2026-10-25 (CEST, then CET): it fires once.
    routine = DailyRoutine(breathing=time(2, 30))
    night = slots_due_between(routine, AMS, utc(2026, 10, 24, 21, 0), utc(2026, 10, 25, 5, 0))
    breathing = [slot for slot in night if slot.habit is Habit.BREATHING]
    assert [slot.due_at for slot in breathing] == [utc(2026, 10, 25, 0, 30)]


def test_la_fall_back_night_has_no_doubles_in_a_whole_day() -> None:
    window = slots_due_between(DEFAULT, LA, utc(2026, 11, 1, 7, 0), utc(2026, 11, 2, 7, 0))
    keys = [(slot.local_date, slot.key) for slot in window]
    assert len(keys) == len(set(keys)) == 14


@pytest.mark.parametrize(
    ("day", "offset_minutes", "expected"),
    [
        (date(2026, 3, 29), 2 * 60 + 30, utc(2026, 3, 29, 1, 30)),  # in the gap
        (date(2026, 3, 29), 3 * 60 + 30, utc(2026, 3, 29, 1, 30)),  # just after it
        (date(2026, 10, 25), 2 * 60 + 30, utc(2026, 10, 25, 0, 30)),  # ambiguous: first
        (date(2026, 10, 25), 3 * 60 + 30, utc(2026, 10, 25, 2, 30)),
        (date(2026, 11, 21), 24 * 60 + 30, utc(2026, 11, 21, 23, 30)),  # past midnight
    ],
)
def test_local_to_utc(day: date, offset_minutes: int, expected: datetime) -> None:
    assert local_to_utc(day, offset_minutes, AMS) == expected


def test_bedtime_after_midnight_keeps_the_evening_on_its_day() -> None:
    late = DailyRoutine(bedtime=time(0, 30))
    slots = slots_for_day(late, AMS, date(2026, 11, 21))
    by_key = {slot.key: slot for slot in slots}
    # Wind-down 45 min before 00:30 is 23:45 on the same routine day.
    assert by_key["sleep-winddown"].due_at == utc(2026, 11, 21, 22, 45)
    # Water every 2 h from 07:00 until 23:30: 07, 09, ..., 23 -> nine slots.
    water = [slot for slot in slots if slot.habit is Habit.WATER]
    assert len(water) == 9
    assert water[-1].due_at == utc(2026, 11, 21, 22, 0)
    assert all(slot.local_date == date(2026, 11, 21) for slot in slots)


def test_habits_switched_off_have_no_slots() -> None:
    routine = DailyRoutine(habits=frozenset({Habit.BREATHING}))
    assert [slot.key for slot in slots_for_day(routine, AMS, date(2026, 11, 21))] == ["breathing"]
    assert next_due_after(DailyRoutine(habits=frozenset()), AMS, utc(2026, 11, 21)) is None


@pytest.mark.parametrize(
    ("after", "until", "expected_keys"),
    [
        # A slot exactly at the tick boundary belongs to the tick that ends there...
        (utc(2026, 11, 23, 7, 14, 45), utc(2026, 11, 23, 7, 15), ["walk-breakfast"]),
        # ...and never to the next one.
        (utc(2026, 11, 23, 7, 15), utc(2026, 11, 23, 7, 15, 15), []),
        (utc(2026, 11, 23, 5, 59), utc(2026, 11, 23, 6, 20), ["water-0700", "sleep-morning"]),
    ],
)
def test_window_is_open_at_start_and_closed_at_end(
    after: datetime, until: datetime, expected_keys: list[str]
) -> None:
    assert [slot.key for slot in slots_due_between(DEFAULT, AMS, after, until)] == expected_keys


def test_catch_up_is_bounded_to_one_day() -> None:
    slots = slots_due_between(DEFAULT, AMS, utc(2026, 11, 1), utc(2026, 11, 23, 12, 0))
    assert min(slot.due_at for slot in slots) > utc(2026, 11, 22, 12, 0)
    assert len(slots) == 14


@pytest.mark.parametrize(
    ("zone", "after", "expected"),
    [
        (AMS, utc(2026, 11, 23, 7, 0), utc(2026, 11, 23, 7, 15)),
        (AMS, utc(2026, 11, 23, 7, 15), utc(2026, 11, 23, 8, 0)),
        (AMS, utc(2026, 11, 23, 21, 15), utc(2026, 11, 24, 6, 0)),
        (AMS, utc(2026, 3, 28, 21, 15), utc(2026, 3, 29, 5, 0)),  # across spring forward
        (LA, utc(2026, 11, 1, 6, 15), utc(2026, 11, 1, 15, 0)),  # 07:00 PST after fall-back
        (KOLKATA, utc(2026, 7, 1, 10, 0), utc(2026, 7, 1, 10, 30)),
    ],
)
def test_next_due_after(zone: ZoneInfo, after: datetime, expected: datetime) -> None:
    assert next_due_after(DEFAULT, zone, after) == expected


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (utc(2026, 11, 23, 11, 0), date(2026, 11, 23)),
        (utc(2026, 11, 23, 23, 20), date(2026, 11, 23)),  # 00:20 local, still that evening
        (utc(2026, 11, 24, 1, 59), date(2026, 11, 23)),  # 02:59 local
        (utc(2026, 11, 24, 2, 0), date(2026, 11, 24)),  # 03:00 local: mid-night turns the day
        (utc(2026, 11, 24, 6, 30), date(2026, 11, 24)),
    ],
)
def test_routine_day_turns_over_in_the_middle_of_the_night(instant: datetime, expected: date) -> None:
    assert routine_day(DEFAULT, AMS, instant) == expected


@pytest.mark.parametrize(
    ("local_time", "expected"),
    [
        (time(7, 30), None),  # before breakfast: a walk then follows no meal
        (time(8, 0), "walk-breakfast"),
        (time(9, 0), "walk-breakfast"),
        (time(12, 29), "walk-breakfast"),
        (time(13, 0), "walk-lunch"),
        (time(20, 0), "walk-dinner"),
    ],
)
def test_meal_slot_at(local_time: time, expected: str | None) -> None:
    instant = datetime.combine(date(2026, 11, 23), local_time, tzinfo=AMS)
    assert meal_slot_at(DEFAULT, AMS, instant) == expected


def test_every_slot_is_timezone_aware_utc() -> None:
    for slot in slots_for_day(DEFAULT, AKL, date(2026, 4, 5)):
        assert slot.due_at.tzinfo is UTC
        assert slot.due_at.utcoffset() == timedelta(0)
