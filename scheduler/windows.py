"""When each kind of nudge is still useful: its window around the slot's due time, in one place.

A nudge goes out inside its window or not at all. A walk nudge an hour after lunch is worthless,
so it is recorded `late` instead of sent late. Water may go early: a glass twenty minutes before
the hour is as good as one on the hour, so water (and, by a little, the wind-down and breathing)
can be moved into spare capacity before a rush (scheduler/release_plan.py). The walk and the
morning question never go before they are due: the meal or the wake-up has not happened yet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from scheduler.quiet import QuietHours, is_quiet_at
from scheduler.slots import BREATHING, SLEEP_MORNING, SLEEP_WIND_DOWN, DailyRoutine, Slot, day_slots


@dataclass(frozen=True)
class Window:
    """How long before (`early`, zero or negative) and after (`late`) its due time a nudge may go."""

    name: str
    early: timedelta
    late: timedelta

    @property
    def flexible(self) -> bool:
        """Whether it may go before it is due, into capacity left over before a rush."""
        return self.early < timedelta(0)


WALK = Window("walk", timedelta(0), timedelta(minutes=20))
WIND_DOWN = Window("wind-down", timedelta(minutes=-10), timedelta(minutes=15))
MORNING_QUESTION = Window("morning question", timedelta(0), timedelta(minutes=45))
BREATHING_WINDOW = Window("breathing", timedelta(minutes=-10), timedelta(minutes=20))
WATER = Window("water", timedelta(minutes=-20), timedelta(minutes=20))
WINDOWS = (WALK, WIND_DOWN, MORNING_QUESTION, BREATHING_WINDOW, WATER)
# The earliest any nudge may go before it is due.
MOST_EARLY = -min(window.early for window in WINDOWS)

OpensAt = Callable[[Slot], datetime]


# Cached: a claim asks about the same few keys for every member.
@lru_cache(maxsize=1024)
def window_of(slot_key: str) -> Window:
    """The window of a slot, by its key ("walk-lunch", "water-0900", "sleep-morning", ...)."""
    if slot_key.startswith("walk-"):
        return WALK
    if slot_key.startswith("water-"):
        return WATER
    if slot_key == SLEEP_MORNING:
        return MORNING_QUESTION
    if slot_key == SLEEP_WIND_DOWN:
        return WIND_DOWN
    if slot_key == BREATHING:
        return BREATHING_WINDOW
    raise ValueError(f"no window for slot {slot_key!r}")


def earliest_opening(slot: Slot) -> datetime:
    """The first moment a slot's nudge may go out."""
    return slot.due_at + window_of(slot.key).early


def outside_quiet_hours(opens_at: OpensAt, zone: ZoneInfo, quiet: QuietHours) -> OpensAt:
    """`opens_at`, but a slot whose early start falls in the member's quiet hours opens when it
    is due: the day's first glass at wake-up does not go while the member still sleeps."""

    def opening(slot: Slot) -> datetime:
        moment = opens_at(slot)
        if moment < slot.due_at and _quiet_at(moment, zone, quiet):
            return slot.due_at
        return moment

    return opening


# Cached: members who share a routine ask about the same instants, claim after claim.
@lru_cache(maxsize=16_384)
def _quiet_at(moment: datetime, zone: ZoneInfo, quiet: QuietHours) -> bool:
    return is_quiet_at(moment, zone, quiet)


def deadline_of(slot_key: str, due_at: datetime) -> datetime:
    """The last moment a slot's nudge may go out."""
    return due_at + window_of(slot_key).late


def is_past_window(slot_key: str, due_at: datetime, now: datetime) -> bool:
    return now > deadline_of(slot_key, due_at)


def next_opening(
    routine: DailyRoutine,
    zone: ZoneInfo,
    after: datetime,
    opens_at: OpensAt = earliest_opening,
    *,
    claimed_at_after: bool = False,
) -> tuple[datetime, datetime] | None:
    """When the member is next to be looked at, and the deadline of the slot that opens then.

    The first opening (by `opens_at`) of a slot due after `after`. With `claimed_at_after`, a
    claim at `after` took every slot that had opened by then, so only later openings count.
    None: no habit is on.
    """
    day = after.astimezone(zone).date() - timedelta(days=1)
    best: tuple[datetime, datetime] | None = None
    for _ in range(5):
        # Slots come in due order, and none opens more than MOST_EARLY before it is due: once a
        # slot is due that much after the best opening found, no later one can open sooner.
        for slot in day_slots(routine, zone, day):
            if slot.due_at <= after:
                continue
            if best is not None and slot.due_at - MOST_EARLY >= best[0]:
                return best
            opening = opens_at(slot)
            if (opening > after or not claimed_at_after) and (best is None or opening < best[0]):
                best = (opening, deadline_of(slot.key, slot.due_at))
        day += timedelta(days=1)
    return best
