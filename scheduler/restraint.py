"""Pure rules that keep the bot from nagging: back off, ask instead of repeating, go quiet, follow
the member's rhythm.

Nothing here reads the database or the clock: the caller gathers what happened (in plain values),
asks, and acts on the answer. Days are routine days (`scheduler.slots.routine_day`), so a DST night
or a change of time zone can neither split nor drop one; times of day are the member's local
wall-clock times.

Where rules meet, the quietest wins: a member in quiet mode gets only the morning checklist (so no
check question and no rhythm offer either), and a nudge goes only when neither the water back-off
nor the daily cap holds it back.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

MINUTES_PER_DAY = 24 * 60

# Back off within a day.
UNANSWERED_BEFORE_BACKOFF = 3
DEFAULT_UNANSWERED_A_DAY = 8
# Ask, don't repeat.
SILENT_DAYS_BEFORE_ASKING = 3
ASK_AT_MOST_EVERY = timedelta(days=14)
# Quiet mode.
QUIET_MODE_AFTER = timedelta(days=7)
WEEK_DAYS = 7
# Follow the member's rhythm.
RHYTHM_DAYS = 5
RHYTHM_DAYS_NEEDED = 4
RHYTHM_SHIFT_MINUTES = 20
RHYTHM_SPREAD_MINUTES = 60
RHYTHM_ROUND_MINUTES = 5
RHYTHM_OFFER_AT_MOST_EVERY = timedelta(days=7)
RHYTHM_NO_REMEMBERED = timedelta(days=30)


class SlotOutcome(StrEnum):
    """What became of one of today's slots, as the rules below count it."""

    ANSWERED = "answered"  # sent, and the member answered it (a button, a snooze, a typed check-in)
    UNANSWERED = "unanswered"  # sent, and no answer (yet)
    HELD_BACK = "held-back"  # not sent because the back-off or the daily cap held it back
    NOT_SENT = "not-sent"  # not sent for another reason: quiet hours, a pause, missed, already done


class Backoff(StrEnum):
    SEND = "send"
    HOLD_BACK = "hold-back"


def water_backoff(today_outcomes: Sequence[SlotOutcome]) -> Backoff:
    """Whether the next water slot of today goes out or is held back.

    `today_outcomes` are the outcomes of this routine day's earlier water slots, in due order.

    Rule: once 3 water nudges in a row went out today without an answer, the rest of the day's
    water nudges are halved: the next slot is held back, the one after it goes, and so on, every
    other slot. Only sent nudges make a row (an answered one breaks it); held-back and not-sent
    slots neither break nor lengthen it, and not-sent slots do not count in the alternation
    either. An answer later that day does not undo the halving; the next routine day starts
    afresh.
    """
    due = [outcome for outcome in today_outcomes if outcome is not SlotOutcome.NOT_SENT]
    in_a_row = 0
    for outcome in due:
        if outcome is SlotOutcome.UNANSWERED:
            in_a_row += 1
        elif outcome is SlotOutcome.ANSWERED:
            in_a_row = 0
        if in_a_row >= UNANSWERED_BEFORE_BACKOFF:
            # Halved from here on: whatever went out last, the next one waits.
            return Backoff.SEND if due[-1] is SlotOutcome.HELD_BACK else Backoff.HOLD_BACK
    return Backoff.SEND


def daily_unanswered_cap_reached(
    today_outcomes: Sequence[SlotOutcome], *, cap: int = DEFAULT_UNANSWERED_A_DAY
) -> bool:
    """Whether today's nudges are used up: the member has `cap` unanswered nudges today.

    `today_outcomes` are the outcomes of every nudge of this routine day so far, all habits
    together. Rule: a member gets at most `cap` (a setting, 8 by default) unanswered nudges a
    day in all, so once that many went out and are still unanswered, no further nudge goes out
    that day. A nudge answered later no longer counts, which lets the next one go.
    """
    if cap < 1:
        raise ValueError(f"the daily cap must be at least 1, not {cap}")
    return sum(1 for outcome in today_outcomes if outcome is SlotOutcome.UNANSWERED) >= cap


@dataclass(frozen=True)
class DayAnswer:
    """One routine day of one habit: whether a nudge of it went out, and whether it got an answer."""

    day: date
    nudged: bool
    answered: bool


class CheckChoice(StrEnum):
    """The buttons of the check question about a habit that goes unanswered."""

    ANOTHER_TIME = "another-time"
    LESS_OFTEN = "less-often"
    SWITCH_OFF = "switch-off"
    KEEP = "keep"


def habit_needs_check_question(days: Sequence[DayAnswer], last_asked: date | None, today: date) -> bool:
    """Whether to ask the member, once, what to do about a habit they no longer answer.

    `days` are recent routine days of one habit (in any order; a day given twice counts as nudged
    or answered if either entry says so); `last_asked` is the routine day the question about this
    habit was last asked, if ever.

    Rule: ask when each of the 3 routine days before today (today itself is not over) had at
    least one nudge of the habit and no answer to it at all, and the question about this habit
    was not asked in the last 14 days (`today - last_asked >= 14 days`). A day without a nudge of
    the habit (paused, habit off, before joining, or missing from `days`) breaks the row, so only
    nudges that were ignored lead to the question.
    """
    if last_asked is not None and today - last_asked < ASK_AT_MOST_EVERY:
        return False
    nudged: set[date] = set()
    answered: set[date] = set()
    for entry in days:
        if entry.nudged:
            nudged.add(entry.day)
        if entry.answered:
            answered.add(entry.day)
    row = [today - timedelta(days=back) for back in range(1, SILENT_DAYS_BEFORE_ASKING + 1)]
    return all(day in nudged and day not in answered for day in row)


def _wall_clock(instant: datetime, zone: ZoneInfo) -> datetime:
    if instant.tzinfo is None:
        raise ValueError(f"{instant!r} has no time zone")
    return instant.astimezone(zone).replace(tzinfo=None)


def quiet_mode(
    last_answer_at: datetime | None, now: datetime, zone: ZoneInfo, *, joined_at: datetime
) -> bool:
    """Whether the member is in quiet mode: one message a day, a morning checklist of today's habits.

    `last_answer_at` is the member's last answer of any kind (a button, a typed check-in, a
    command such as /resume), None if they never answered; `joined_at` is when they joined.

    Rule: quiet mode when nothing was answered for 7 days, counted from the last answer (or from
    joining, if there is none) in wall-clock days in the member's zone: an answer on a Wednesday
    at 10:00 puts them in quiet mode on the next Wednesday at 10:00 local time, whether that week
    had 168 hours or, across a DST change, 167 or 169. It lasts until they answer anything: with
    that answer as `last_answer_at` it is off at once, and the normal schedule returns from the
    next slot. All instants must be timezone-aware.
    """
    since = last_answer_at if last_answer_at is not None else joined_at
    return _wall_clock(now, zone) - _wall_clock(since, zone) >= QUIET_MODE_AFTER


def weekly_picture_goes(answer_days: Collection[date], week_ending: date) -> bool:
    """Whether the weekly picture of the week ending on `week_ending` is sent.

    `answer_days` are the routine days on which the member answered anything. Rule: a week with
    no answer at all gets no weekly picture, so it goes only when one of the 7 routine days
    `week_ending - 6 days` ... `week_ending` is among them.
    """
    first = week_ending - timedelta(days=WEEK_DAYS - 1)
    return any(first <= day <= week_ending for day in answer_days)


@dataclass(frozen=True)
class SlotAnswer:
    """When a once-a-day slot was due and when the member answered it, on local wall clocks."""

    routine_day: date
    due_local: time
    answered_local: time

    @classmethod
    def from_instants(
        cls, routine_day: date, due_at: datetime, answered_at: datetime, zone: ZoneInfo
    ) -> SlotAnswer:
        """From the stored UTC instants: the local times are read in the member's zone, so a week
        with a DST change keeps the same wall-clock times."""
        return cls(routine_day, _wall_clock(due_at, zone).time(), _wall_clock(answered_at, zone).time())

    @property
    def shift_minutes(self) -> int:
        """Minutes the answer came after the slot (negative: before), the short way round the
        clock, so 22:15 answered at 00:05 is +110, not -1330."""
        gap = _minutes(self.answered_local) - _minutes(self.due_local)
        return (gap + MINUTES_PER_DAY // 2) % MINUTES_PER_DAY - MINUTES_PER_DAY // 2


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def rhythm_offer(
    answers: Sequence[SlotAnswer], last_offer: date | None, last_declined: date | None, today: date
) -> time | None:
    """The time to offer moving a slot to, when the member answers it consistently at another time.

    `answers` are the member's answers to one once-a-day slot (a meal's walk, breathing, the
    wind-down, the morning question), at most one per routine day; `last_offer` is the routine
    day of the member's last rhythm offer for any slot, `last_declined` the day they last said no
    to moving this slot (an offer left unanswered may be passed as declined too).

    Rule, for the 5 routine days before today (today is not over):
    1. only answers to the slot at its current time count: the due time of the latest answer;
       answers on days when it was due at another time are left out;
    2. an answer counts as off when it came 20 or more minutes after the slot, or 20 or more
       before it (the short way round the clock, so past midnight is later, not earlier);
    3. consistently: at least 4 of the 5 days were answered off on the same side, within an hour
       of one another (the largest such group of days is taken; between equal ones, the tighter
       and then the earlier);
    4. the suggestion is the slot's time moved by the median shift of that group, rounded to the
       nearest 5 minutes (halves up);
    5. at most one offer a week: none if `last_offer` is less than 7 days ago; and a "no" is
       remembered for 30 days: none if `last_declined` is less than 30 days ago.
    Otherwise None. Raises ValueError for two answers on one routine day.
    """
    if last_offer is not None and today - last_offer < RHYTHM_OFFER_AT_MOST_EVERY:
        return None
    if last_declined is not None and today - last_declined < RHYTHM_NO_REMEMBERED:
        return None
    first = today - timedelta(days=RHYTHM_DAYS)
    recent = sorted(
        (answer for answer in answers if first <= answer.routine_day < today), key=lambda a: a.routine_day
    )
    days = [answer.routine_day for answer in recent]
    if len(days) != len(set(days)):
        raise ValueError("at most one answer per routine day")
    if len(recent) < RHYTHM_DAYS_NEEDED:
        return None
    due = recent[-1].due_local
    shifts = [answer.shift_minutes for answer in recent if answer.due_local == due]
    late = _tightest_group([shift for shift in shifts if shift >= RHYTHM_SHIFT_MINUTES])
    early = _tightest_group([shift for shift in shifts if shift <= -RHYTHM_SHIFT_MINUTES])
    group = late if len(late) >= len(early) else early
    if len(group) < RHYTHM_DAYS_NEEDED:
        return None
    moved = math.floor((_minutes(due) + _median(group)) / RHYTHM_ROUND_MINUTES + 0.5) * RHYTHM_ROUND_MINUTES
    moved %= MINUTES_PER_DAY
    return time(moved // 60, moved % 60)


def _tightest_group(values: list[int]) -> list[int]:
    """The most values (sorted) within RHYTHM_SPREAD_MINUTES of one another: the tightest such
    group when several are as large, the first (earliest) when they are as tight too."""
    values = sorted(values)
    best: list[int] = []
    for start in range(len(values)):
        end = start
        while end + 1 < len(values) and values[end + 1] - values[start] <= RHYTHM_SPREAD_MINUTES:
            end += 1
        group = values[start : end + 1]
        if len(group) > len(best) or (len(group) == len(best) and group[-1] - group[0] < best[-1] - best[0]):
            best = group
    return best


def _median(values: list[int]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
