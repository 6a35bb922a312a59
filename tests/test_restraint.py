"""The rules for never nagging (scheduler/restraint.py): table tests, no I/O."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from scheduler.restraint import (
    Backoff,
    DayAnswer,
    SlotAnswer,
    SlotOutcome,
    daily_unanswered_cap_reached,
    habit_needs_check_question,
    quiet_mode,
    rhythm_offer,
    water_backoff,
    weekly_picture_goes,
)

A, U, H, N = SlotOutcome.ANSWERED, SlotOutcome.UNANSWERED, SlotOutcome.HELD_BACK, SlotOutcome.NOT_SENT
SEND, HOLD = Backoff.SEND, Backoff.HOLD_BACK
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NEW_YORK = ZoneInfo("America/New_York")

# --- back off within a day -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("earlier", "next_slot"),
    [
        ([], SEND),
        ([U], SEND),
        ([U, U], SEND),
        ([U, U, U], HOLD),  # three in a row: halved from here on
        ([U, U, U, H], SEND),
        ([U, U, U, H, U], HOLD),
        ([U, U, U, H, U, H], SEND),
        ([U, U, U, H, A], HOLD),  # an answer later that day does not undo the halving
        ([U, U, U, H, A, H], SEND),
        ([U, U, A, U, U], SEND),  # the answer broke the row
        ([A, U, U, U], HOLD),
        ([A, A, A, A], SEND),
        ([U, N, U, N, U], HOLD),  # quiet or missed slots neither break nor lengthen the row
        ([U, U, N, N], SEND),
        ([U, U, U, N], HOLD),  # nor do they count in the alternation
        ([U, U, U, H, N, N], SEND),
        ([U, H, U, U], HOLD),  # a slot the daily cap held back does not break the row
        ([N, N, N, N], SEND),
    ],
)
def test_water_backoff(earlier: list[SlotOutcome], next_slot: Backoff) -> None:
    assert water_backoff(earlier) is next_slot


def play_water_day(answers: list[bool]) -> list[SlotOutcome]:
    """Run a day of water slots through the back-off; `answers` says which sent ones get answered."""
    outcomes: list[SlotOutcome] = []
    for answered in answers:
        if water_backoff(outcomes) is HOLD:
            outcomes.append(H)
        else:
            outcomes.append(A if answered else U)
    return outcomes


@pytest.mark.parametrize(
    ("answers", "outcomes"),
    [
        ([False] * 8, [U, U, U, H, U, H, U, H]),  # 8 slots, 5 nudges
        ([True] * 8, [A] * 8),
        ([False, False, True, False, False, False, False, False], [U, U, A, U, U, U, H, U]),
        ([False, False, False, True, True, True, True, True], [U, U, U, H, A, H, A, H]),
    ],
)
def test_a_day_of_water_slots_is_halved_after_three_unanswered(
    answers: list[bool], outcomes: list[SlotOutcome]
) -> None:
    assert play_water_day(answers) == outcomes


@pytest.mark.parametrize(
    ("today", "cap", "reached"),
    [
        ([], 8, False),
        ([U] * 7, 8, False),
        ([U] * 8, 8, True),
        ([U] * 7 + [A], 8, False),  # answered ones do not count
        ([U] * 8 + [A, A], 8, True),
        ([U] * 4 + [A] + [U] * 3, 8, False),
        ([U] * 3 + [A] + [U] * 5, 8, True),
        ([H] * 12 + [N] * 12, 8, False),  # held back or not sent: not nudges
        ([U] * 3, 3, True),
        ([U], 1, True),
        ([A], 1, False),
    ],
)
def test_daily_unanswered_cap(today: list[SlotOutcome], cap: int, reached: bool) -> None:
    assert daily_unanswered_cap_reached(today, cap=cap) is reached


def test_the_daily_cap_defaults_to_eight_and_must_be_positive() -> None:
    assert not daily_unanswered_cap_reached([U] * 7)
    assert daily_unanswered_cap_reached([U] * 8)
    with pytest.raises(ValueError, match="at least 1"):
        daily_unanswered_cap_reached([], cap=0)


# --- ask, don't repeat -----------------------------------------------------------------------

TODAY = date(2026, 3, 30)


def days_back(*entries: tuple[int, bool, bool]) -> list[DayAnswer]:
    """(days before TODAY, nudged, answered)."""
    return [DayAnswer(TODAY - timedelta(days=back), nudged, answered) for back, nudged, answered in entries]


SILENT = (True, False)
ANSWERED = (True, True)
NOT_NUDGED = (False, False)


@pytest.mark.parametrize(
    ("days", "last_asked", "asks"),
    [
        (days_back((1, *SILENT), (2, *SILENT), (3, *SILENT)), None, True),
        (days_back(*((back, *SILENT) for back in range(1, 11))), None, True),
        (days_back((1, *SILENT), (2, *SILENT)), None, False),  # only two days
        (days_back((1, *SILENT), (2, *ANSWERED), (3, *SILENT)), None, False),
        (days_back((1, *SILENT), (2, *NOT_NUDGED), (3, *SILENT)), None, False),  # paused or habit off
        (days_back((1, *SILENT), (3, *SILENT), (4, *SILENT)), None, False),  # a day missing breaks it
        (days_back((0, *SILENT), (1, *SILENT), (2, *SILENT)), None, False),  # today is not over
        (days_back((3, *SILENT), (2, *SILENT), (1, *SILENT)), None, True),  # any order
        (days_back((1, *SILENT), (1, *ANSWERED), (2, *SILENT), (3, *SILENT)), None, False),  # either entry
        (days_back((1, *SILENT), (2, *SILENT), (3, *SILENT)), TODAY - timedelta(days=13), False),
        (days_back((1, *SILENT), (2, *SILENT), (3, *SILENT)), TODAY - timedelta(days=14), True),
        (days_back((1, *SILENT), (2, *SILENT), (3, *SILENT)), TODAY, False),
    ],
)
def test_habit_needs_check_question(days: list[DayAnswer], last_asked: date | None, asks: bool) -> None:
    assert habit_needs_check_question(days, last_asked, TODAY) is asks


# --- quiet mode ----------------------------------------------------------------------------------


def local(zone: ZoneInfo, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=zone)


JOINED = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("last_answer_at", "now", "zone", "quiet"),
    [
        (local(AMSTERDAM, 2026, 11, 2, 10, 0), local(AMSTERDAM, 2026, 11, 9, 9, 59), AMSTERDAM, False),
        (local(AMSTERDAM, 2026, 11, 2, 10, 0), local(AMSTERDAM, 2026, 11, 9, 10, 0), AMSTERDAM, True),
        (local(AMSTERDAM, 2026, 11, 2, 10, 0), local(AMSTERDAM, 2026, 11, 30, 8, 0), AMSTERDAM, True),
        # Spring forward (29 March): seven days are 167 hours; quiet at 10:00 local, not 11:00.
        (local(AMSTERDAM, 2026, 3, 25, 10, 0), local(AMSTERDAM, 2026, 4, 1, 9, 59), AMSTERDAM, False),
        (local(AMSTERDAM, 2026, 3, 25, 10, 0), local(AMSTERDAM, 2026, 4, 1, 10, 0), AMSTERDAM, True),
        # Fall back (25 October): seven days are 169 hours; not quiet yet after 168 of them.
        (local(AMSTERDAM, 2026, 10, 21, 10, 0), local(AMSTERDAM, 2026, 10, 28, 9, 30), AMSTERDAM, False),
        (local(AMSTERDAM, 2026, 10, 21, 10, 0), local(AMSTERDAM, 2026, 10, 28, 10, 0), AMSTERDAM, True),
        # The same instants given in UTC, and another zone's DST date (8 March in New York).
        (
            datetime(2026, 3, 25, 9, 0, tzinfo=UTC),
            datetime(2026, 4, 1, 8, 0, tzinfo=UTC),
            AMSTERDAM,
            True,
        ),
        (local(NEW_YORK, 2026, 3, 4, 20, 0), local(NEW_YORK, 2026, 3, 11, 19, 59), NEW_YORK, False),
        (local(NEW_YORK, 2026, 3, 4, 20, 0), local(NEW_YORK, 2026, 3, 11, 20, 0), NEW_YORK, True),
    ],
)
def test_quiet_mode_after_seven_wall_clock_days(
    last_answer_at: datetime, now: datetime, zone: ZoneInfo, quiet: bool
) -> None:
    assert quiet_mode(last_answer_at, now, zone, joined_at=JOINED) is quiet


def test_quiet_mode_counts_from_joining_and_ends_with_an_answer() -> None:
    joined = local(AMSTERDAM, 2026, 11, 2, 20, 0)
    assert not quiet_mode(None, local(AMSTERDAM, 2026, 11, 9, 19, 59), AMSTERDAM, joined_at=joined)
    now = local(AMSTERDAM, 2026, 11, 9, 20, 0)
    assert quiet_mode(None, now, AMSTERDAM, joined_at=joined)
    assert not quiet_mode(now, now, AMSTERDAM, joined_at=joined)  # they answered: normal from the next slot
    with pytest.raises(ValueError, match="no time zone"):
        quiet_mode(datetime(2026, 11, 2, 20, 0), now, AMSTERDAM, joined_at=joined)  # noqa: DTZ001


SUNDAY = date(2026, 11, 29)


@pytest.mark.parametrize(
    ("answer_days", "goes"),
    [
        (set(), False),
        ({date(2026, 11, 22)}, False),  # the week before
        ({date(2026, 11, 23)}, True),  # Monday, the first day of the week
        ({date(2026, 11, 29)}, True),  # Sunday, the last
        ({date(2026, 11, 30)}, False),  # the week after
        ({date(2026, 11, 1), date(2026, 11, 25)}, True),
    ],
)
def test_a_week_without_any_answer_gets_no_weekly_picture(answer_days: set[date], goes: bool) -> None:
    assert weekly_picture_goes(answer_days, SUNDAY) is goes


# --- follow the member's rhythm ------------------------------------------------------------------

RHYTHM_TODAY = date(2026, 6, 15)
LUNCH_WALK = time(12, 45)


def answered_at(*times: str | None, due: time = LUNCH_WALK, today: date = RHYTHM_TODAY) -> list[SlotAnswer]:
    """One answer a day for the days before `today`, oldest first; None: not answered that day."""
    answers = []
    for back, at in zip(range(len(times), 0, -1), times, strict=True):
        if at is not None:
            answers.append(SlotAnswer(today - timedelta(days=back), due, time.fromisoformat(at)))
    return answers


@pytest.mark.parametrize(
    ("answers", "offer"),
    [
        (answered_at("13:15", "13:15", "13:15", "13:15", "13:15"), time(13, 15)),
        (answered_at("13:15", "13:15", "12:45", "13:15", "13:15"), time(13, 15)),  # 4 of 5
        (answered_at("13:15", None, "13:15", "13:15", "13:15"), time(13, 15)),
        (answered_at("13:10", "13:15", "12:50", "13:20", "13:25"), time(13, 20)),  # median 32.5: up
        (answered_at("13:06", "13:07", "12:45", "13:09", "13:08"), time(13, 10)),  # 13:07:30: up
        (answered_at("13:05", "13:05", "13:05", "13:05", "13:05"), time(13, 5)),  # exactly 20 minutes
        (answered_at("13:04", "13:04", "13:04", "13:04", "13:04"), None),  # 19 minutes: on time
        (answered_at("13:15", "13:15", "13:15", "12:45", "12:50"), None),  # 3 of 5
        (answered_at("13:15", "13:15", None, None, "13:15"), None),
        (answered_at("13:15", "12:15", "13:15", "12:15", "13:15"), None),  # later and earlier
        (answered_at("13:05", "13:15", "14:25", "14:45", "12:45"), None),  # off, but not consistently
        (answered_at("13:05", "13:15", "13:55", "14:05", "14:45"), time(13, 35)),  # 4 within an hour
        (answered_at("12:20", "12:25", "12:20", "12:15", "12:20"), time(12, 20)),  # earlier
        (answered_at(*["13:15"] * 9)[:4], None),  # only days more than 5 ago: too old
    ],
)
def test_rhythm_offer_for_the_walk_after_lunch(answers: list[SlotAnswer], offer: time | None) -> None:
    assert rhythm_offer(answers, None, None, RHYTHM_TODAY) == offer


@pytest.mark.parametrize(
    ("due", "times", "offer"),
    [
        # The wind-down at 22:15 answered past midnight is later, not 22 hours earlier.
        (time(22, 15), ("00:05", "00:10", "23:55", "00:00", "23:50"), time(0, 0)),
        (time(23, 45), ("00:20", "00:25", "00:15", "00:20", "00:30"), time(0, 20)),
        # The morning question answered before it was asked (typed "7,5 uur" on waking).
        (time(7, 15), ("06:50", "06:50", "06:45", "06:55", "07:14"), time(6, 50)),
        (time(0, 10), ("23:45", "23:40", "23:45", "23:50", "23:45"), time(23, 45)),
    ],
)
def test_rhythm_offer_round_the_clock(due: time, times: tuple[str, ...], offer: time) -> None:
    assert rhythm_offer(answered_at(*times, due=due), None, None, RHYTHM_TODAY) == offer


CONSISTENT = answered_at("13:15", "13:15", "13:15", "13:15", "13:15")


@pytest.mark.parametrize(
    ("last_offer", "last_declined", "offers"),
    [
        (None, None, True),
        (RHYTHM_TODAY - timedelta(days=6), None, False),  # at most one offer a week
        (RHYTHM_TODAY - timedelta(days=7), None, True),
        (RHYTHM_TODAY, None, False),
        (None, RHYTHM_TODAY - timedelta(days=29), False),  # a no is remembered for 30 days
        (None, RHYTHM_TODAY - timedelta(days=30), True),
        (RHYTHM_TODAY - timedelta(days=40), RHYTHM_TODAY - timedelta(days=31), True),
    ],
)
def test_rhythm_offer_at_most_weekly_and_a_no_for_a_month(
    last_offer: date | None, last_declined: date | None, offers: bool
) -> None:
    expected = time(13, 15) if offers else None
    assert rhythm_offer(CONSISTENT, last_offer, last_declined, RHYTHM_TODAY) == expected


def test_after_a_move_only_answers_to_the_new_time_count() -> None:
    moved = [
        *answered_at("13:15", "13:15", "13:15", None, None),
        *[SlotAnswer(RHYTHM_TODAY - timedelta(days=back), time(13, 15), time(13, 15)) for back in (2, 1)],
    ]
    assert rhythm_offer(moved, None, None, RHYTHM_TODAY) is None


def test_todays_answer_does_not_count_yet_and_two_on_one_day_are_refused() -> None:
    four = answered_at("13:15", "13:15", "13:15", "12:45", "12:45")
    today = SlotAnswer(RHYTHM_TODAY, LUNCH_WALK, time(13, 15))
    assert rhythm_offer([*four, today], None, None, RHYTHM_TODAY) is None
    twice = [*CONSISTENT, SlotAnswer(RHYTHM_TODAY - timedelta(days=1), LUNCH_WALK, time(13, 20))]
    with pytest.raises(ValueError, match="one answer per routine day"):
        rhythm_offer(twice, None, None, RHYTHM_TODAY)


@pytest.mark.parametrize(
    ("due_local", "answered_local", "shift"),
    [
        (time(12, 45), time(13, 15), 30),
        (time(12, 45), time(12, 15), -30),
        (time(22, 15), time(0, 5), 110),
        (time(0, 10), time(23, 45), -25),
        (time(6, 0), time(17, 59), 719),
        (time(6, 0), time(18, 0), -720),
    ],
)
def test_shift_goes_the_short_way_round_the_clock(due_local: time, answered_local: time, shift: int) -> None:
    assert SlotAnswer(RHYTHM_TODAY, due_local, answered_local).shift_minutes == shift


def instants_week(zone: ZoneInfo, days: list[date], due: time, answered: time) -> list[SlotAnswer]:
    """Answers built from UTC instants, as the database stores them."""
    answers = []
    for day in days:
        due_at = datetime.combine(day, due, tzinfo=zone).astimezone(UTC)
        at = datetime.combine(day, answered, tzinfo=zone).astimezone(UTC)
        answers.append(SlotAnswer.from_instants(day, due_at, at, zone))
    return answers


@pytest.mark.parametrize(
    ("zone", "first_day", "due", "answered"),
    [
        (AMSTERDAM, date(2026, 3, 26), time(12, 45), time(13, 15)),  # spring forward on 29 March
        (AMSTERDAM, date(2026, 10, 22), time(18, 45), time(19, 20)),  # fall back on 25 October
        # A night slot answered in the hour that comes twice (25 October): its first time.
        (AMSTERDAM, date(2026, 10, 22), time(1, 30), time(2, 30)),
        (NEW_YORK, date(2026, 3, 5), time(8, 15), time(7, 50)),  # spring forward on 8 March
    ],
)
def test_rhythm_offer_across_a_dst_change_keeps_wall_clock_times(
    zone: ZoneInfo, first_day: date, due: time, answered: time
) -> None:
    days = [first_day + timedelta(days=n) for n in range(5)]
    answers = instants_week(zone, days, due, answered)
    assert {(answer.due_local, answer.answered_local) for answer in answers} == {(due, answered)}
    utc_times = {datetime.combine(day, answered, tzinfo=zone).astimezone(UTC).time() for day in days}
    assert len(utc_times) == 2, "the UTC time of day moves by an hour that week"
    assert rhythm_offer(answers, None, None, days[-1] + timedelta(days=1)) == answered
