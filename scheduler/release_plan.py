"""Planning sends within the rate Telegram allows: a forecast of when nudges fall due, the best
schedule over it, and the plan that lets flexible nudges go early before a rush.

Telegram takes about 30 messages per second from a bot, so the rate, not the dispatcher, decides
when nudges arrive. Many members keep the default routine, so their nudges fall due in the same
minute. The forecast counts them from the stored routines (one grouped statement: members who
share a routine are counted, not listed) and the plan is worked out on those counts:

- `edf_schedule` sends batches earliest deadline first, at the rate, each inside its window. For
  messages of equal cost this is the best schedule possible: no other gets more of them out
  inside their windows (bench/peak.py prints how far the dispatcher is from it).
- `plan_release` runs that schedule with every nudge released at its due time. Where some would
  then be late, the flexible nudges (water, and a little the wind-down and breathing) whose window
  overlaps the rush are released at the start of their window, so that the capacity before the
  rush is used. Everywhere else a nudge is released when it is due: water goes early only when
  it helps.
- `busiest_minutes` is what the operator is told: the minutes with most nudges due, how long they
  take at the rate, and how many would be late.

All pure: counts in, plan out.
"""

from __future__ import annotations

import heapq
import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from scheduler.quiet import QuietHours
from scheduler.slots import DailyRoutine, Slot, day_slots
from scheduler.windows import WINDOWS, Window, earliest_opening, outside_quiet_hours, window_of


@dataclass(frozen=True)
class Batch:
    """`count` nudges of one window kind due at the same instant, sendable from `opens` to `deadline`."""

    window: str
    due: datetime
    opens: datetime
    deadline: datetime
    count: float


@dataclass(frozen=True)
class BatchOutcome:
    batch: Batch
    on_time: float
    late: float
    # When the batch's last message inside the window went (None: none went).
    finished: datetime | None


def _window_named(name: str) -> Window:
    return next(window for window in WINDOWS if window.name == name)


def due_batches(
    routines: Iterable[tuple[DailyRoutine, ZoneInfo, QuietHours, int]], start: datetime, end: datetime
) -> list[Batch]:
    """Nudges due in [start, end) for routines shared by `count` members each, opening as early
    as their windows and quiet hours allow, one batch per window kind, due instant and opening."""
    counts: Counter[tuple[str, datetime, datetime]] = Counter()
    for routine, zone, quiet, members in routines:
        opens_at = outside_quiet_hours(earliest_opening, zone, quiet)
        day = start.astimezone(zone).date() - timedelta(days=1)
        while day <= end.astimezone(zone).date():
            for slot in day_slots(routine, zone, day):
                if start <= slot.due_at < end:
                    counts[(window_of(slot.key).name, slot.due_at, opens_at(slot))] += members
            day += timedelta(days=1)
    return [
        Batch(name, due, opens, due + _window_named(name).late, count)
        for (name, due, opens), count in sorted(counts.items(), key=lambda item: (item[0][1], item[0][0]))
    ]


def released_on_time(batches: Iterable[Batch]) -> list[Batch]:
    """The same batches, none going before it is due."""
    return [Batch(b.window, b.due, max(b.opens, b.due), b.deadline, b.count) for b in batches]


def edf_schedule(batches: Sequence[Batch], rate: float) -> list[BatchOutcome]:
    """Earliest deadline first at `rate` messages per second, nothing outside its window.

    A fluid schedule (counts may split), exact for many messages of equal cost; each outcome is
    in the order of `batches`.
    """
    order = sorted(range(len(batches)), key=lambda index: batches[index].opens)
    remaining = [batch.count for batch in batches]
    sent = [0.0] * len(batches)
    finished: list[datetime | None] = [None] * len(batches)
    ready: list[tuple[datetime, int, int]] = []
    tiebreak = itertools.count()
    position = 0
    now: datetime | None = None
    while position < len(order) or ready:
        if not ready:
            next_batch = batches[order[position]]
            now = next_batch.opens if now is None else max(now, next_batch.opens)
        assert now is not None
        while position < len(order) and batches[order[position]].opens <= now:
            index = order[position]
            heapq.heappush(ready, (batches[index].deadline, next(tiebreak), index))
            position += 1
        deadline, _, index = ready[0]
        if deadline <= now or remaining[index] <= 0:
            heapq.heappop(ready)
            continue
        until = deadline
        if position < len(order):
            until = min(until, batches[order[position]].opens)
        seconds = (until - now).total_seconds()
        amount = min(remaining[index], seconds * rate)
        now += timedelta(seconds=amount / rate)
        remaining[index] -= amount
        sent[index] += amount
        finished[index] = now
        if remaining[index] <= 1e-9:
            heapq.heappop(ready)
    return [
        BatchOutcome(batch, sent[index], batch.count - sent[index], finished[index])
        for index, batch in enumerate(batches)
    ]


class ReleasePlan:
    """When each slot's nudge may be claimed: at its due time, or at the start of its window when
    the forecast has a rush inside that window (module docstring)."""

    def __init__(self, early: Iterable[tuple[str, datetime]] = ()) -> None:
        self._early = frozenset(early)

    @property
    def early_batches(self) -> int:
        return len(self._early)

    def opening(self, window: Window, due: datetime) -> datetime:
        if window.flexible and (window.name, due) in self._early:
            return due + window.early
        return due

    def opens_at(self, slot: Slot) -> datetime:
        return self.opening(window_of(slot.key), slot.due_at)


ON_TIME = ReleasePlan()


def plan_release(batches: Sequence[Batch], rate: float) -> ReleasePlan:
    """Flexible batches whose window overlaps a rush (nudges late when all go on time) go early."""
    outcomes = edf_schedule(released_on_time(batches), rate)
    rushes = [(o.batch.due, o.batch.deadline) for o in outcomes if o.late > 0.5]
    if not rushes:
        return ON_TIME
    early = []
    for batch in batches:
        if batch.opens >= batch.due:
            continue
        if any(start <= batch.deadline and batch.opens <= end for start, end in rushes):
            early.append((batch.window, batch.due))
    return ReleasePlan(early)


@dataclass(frozen=True)
class BusyMinute:
    """A minute in which many nudges fall due, and what the rate makes of them."""

    minute: datetime
    due: int
    # How long they alone take at the rate.
    seconds: float
    # How many would be late with the release plan (counting every other nudge due around then).
    late: int


def busiest_minutes(batches: Sequence[Batch], rate: float, *, most: int = 3) -> list[BusyMinute]:
    """The `most` minutes with most nudges due, with how long they take and how many would be late."""
    plan = plan_release(batches, rate)
    planned = [
        Batch(b.window, b.due, plan.opening(_window_named(b.window), b.due), b.deadline, b.count)
        for b in batches
    ]
    outcomes = edf_schedule(planned, rate)
    per_minute: dict[datetime, float] = {}
    late: dict[datetime, float] = {}
    for outcome in outcomes:
        minute = outcome.batch.due.replace(second=0, microsecond=0)
        per_minute[minute] = per_minute.get(minute, 0.0) + outcome.batch.count
        late[minute] = late.get(minute, 0.0) + outcome.late
    return [
        BusyMinute(minute, round(count), count / rate, round(late[minute]))
        for minute, count in sorted(per_minute.items(), key=lambda item: (-item[1], item[0]))[:most]
    ]
