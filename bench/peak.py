"""Nudges on time at Telegram's limit: the real dispatcher through a day, in virtual time.

    python -m bench.peak --members 50000 [--mix default|spread] [--rate 30] [--paid]
                         [--start 04:00 --hours 24] [--database-url postgresql+psycopg://...]

N members, each with the default routine (`--mix default`) or a realistic spread (`--mix spread`:
wake-ups between 06:00 and 08:30, meals, bedtime and breathing moved along with them), are put in
a fresh database. The real claim-and-send code (`scheduler.dispatch.dispatch_due`, rendered by the
bot's `nudge_sender`, with the release plan the bot uses) then runs tick after tick on a stepped
clock against a simulated Bot API that takes at most `--rate` messages per second (and, with
`--paid`, paid broadcasts at up to 1,000 per second). A send moves the clock to the moment
Telegram would have taken it; the clock never waits for the dispatcher's own work, which is about
20 times quicker than the rate. Members answer every nudge as it arrives (one statement per tick,
no traffic), as an engaged member would, so what goes out is what the routines say.

For each kind of nudge it prints: sent inside the window, late, missed, sent outside the window,
and lateness (sent minus due, early ones count 0) p50 / p99 / max. In the same run it prints:

- plain first-come first-served sending over the same due list at the same rate (claimed when
  due, sent in due order, missed past the old 30-minute grace), as the dispatcher did before;
- the best schedule possible: earliest deadline first over the due list, known in advance, each
  nudge inside its window (optimal for messages of equal cost), and how far the dispatcher is
  from it; with `--paid`, the fewest paid messages any schedule needs and how many were used.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine
from telegram import Bot, InlineKeyboardMarkup

from bench.common import (
    AMSTERDAM,
    FIRST_TELEGRAM_ID,
    ROOT,
    TOKEN,
    fresh_database,
    insert_rows,
    machine,
    peak_rss_mb,
    percentile,
)
from bot.nudges.sending import nudge_sender
from bot.rate_limit import Lane
from bot.sender import ReplyMarkup, TelegramSender
from scheduler.clock import SteppedClock
from scheduler.delivery import Delivery, SendResult
from scheduler.dispatch import DispatchPolicy, DispatchTotals, OutgoingNudge, dispatch_due
from scheduler.forecast import ReleasePlanner, forecast
from scheduler.release_plan import Batch, edf_schedule
from scheduler.routines import routine_of, zone_of
from scheduler.slots import day_slots
from scheduler.windows import WINDOWS, deadline_of, window_of
from storage.database import create_db_engine
from storage.models import Member, NudgeStatus
from tips.library import TipLibrary, load_tip_library

# Tuesday 24 November 2026, a plain day (no DST change) in Amsterdam.
DAY = date(2026, 11, 24)
TICK_SECONDS = 15.0
PAID_RATE = 1000.0
OLD_GRACE = timedelta(minutes=30)
KINDS = [window.name for window in WINDOWS]


def _shift(moment: clock_time, minutes: int) -> clock_time:
    total = (moment.hour * 60 + moment.minute + minutes) % (24 * 60)
    return clock_time(total // 60, total % 60)


def member_rows(count: int, mix: str, cursor: datetime, seed: int = 7) -> list[dict[str, Any]]:
    """Members whose schedule is dealt with up to `cursor`: the defaults, or spread wake-ups."""
    rng = random.Random(seed)
    rows = []
    for index in range(count):
        member = Member(telegram_id=0, chat_id=0, created_at=cursor, schedule_cursor=cursor)
        if mix == "spread":
            offset = rng.randint(-60, 90)  # wake-up between 06:00 and 08:30
            member.wake_time = _shift(member.wake_time, offset)
            member.breakfast_time = _shift(member.breakfast_time, offset + rng.randint(-10, 20))
            member.lunch_time = _shift(member.lunch_time, offset // 2 + rng.randint(-30, 30))
            member.dinner_time = _shift(member.dinner_time, offset // 2 + rng.randint(-30, 30))
            member.bedtime = _shift(member.bedtime, offset // 2 + rng.randint(-30, 30))
            member.breathing_time = _shift(member.breathing_time, rng.choice([0, 0, 0, -60, 60, 120]))
        routine, zone = routine_of(member), zone_of(member)
        upcoming = [slot for d in (DAY, DAY + timedelta(days=1)) for slot in day_slots(routine, zone, d)]
        first = min((slot for slot in upcoming if slot.due_at > cursor), default=None)
        member.next_due_at = first.due_at + window_of(first.key).early if first else None
        member.next_deadline_at = deadline_of(first.key, first.due_at) if first else None
        telegram_id = FIRST_TELEGRAM_ID + index
        rows.append({**member.model_dump(exclude={"id"}), "telegram_id": telegram_id, "chat_id": telegram_id})
    return rows


@dataclass
class Sent:
    kind: str
    due: datetime
    at: datetime
    paid: bool


@dataclass
class SimulatedTelegram:
    """A Bot API that takes `rate` messages per second and paid broadcasts at their own rate; the
    sender waits (the clock moves on) until it is its turn."""

    clock: SteppedClock
    rate: float
    paid_rate: float = PAID_RATE
    free_next: datetime | None = None
    paid_next: datetime | None = None
    messages: int = 0

    last_at: datetime | None = None

    def take(self, *, paid: bool) -> datetime:
        """When Telegram takes the message. The free rate sets the pace, so the sender waits for
        it (the clock moves on); paid broadcasts go beside it at their own rate (the dispatcher
        sends them concurrently), so they are timed but the clock does not wait for them."""
        now = self.clock()
        if paid:
            at = max(now, self.paid_next or now)
            self.paid_next = at + timedelta(seconds=1 / self.paid_rate)
        else:
            at = max(now, self.free_next or now)
            self.free_next = at + timedelta(seconds=1 / self.rate)
            self.clock.set(at)
        self.messages += 1
        self.last_at = at
        return at


class SimulatedSender(TelegramSender):
    """The bot's sender, with every request taken by the simulated Bot API."""

    def __init__(self, telegram: SimulatedTelegram) -> None:
        super().__init__(Bot(TOKEN))
        self.telegram = telegram

    async def send_text(
        self,
        chat_id: int,
        text: str,
        reply_markup: ReplyMarkup | None = None,
        *,
        lane: Lane | None = None,
        paid: bool = False,
    ) -> SendResult:
        self.telegram.take(paid=paid)
        return SendResult(Delivery.DELIVERED, self.telegram.messages)

    async def edit_text(
        self,
        chat_id: int,
        message_id: int,
        text: str,
        reply_markup: InlineKeyboardMarkup | None = None,
        *,
        lane: Lane | None = None,
    ) -> SendResult:
        self.telegram.take(paid=False)
        return SendResult(Delivery.DELIVERED, message_id)


@dataclass
class Figures:
    inside: Counter[str] = field(default_factory=Counter)
    late: Counter[str] = field(default_factory=Counter)
    missed: Counter[str] = field(default_factory=Counter)
    outside: Counter[str] = field(default_factory=Counter)
    lateness: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    paid: int = 0

    def total_inside(self) -> int:
        return sum(self.inside.values())


def _record(figures: Figures, kind: str, due: datetime, at: datetime) -> None:
    window = next(w for w in WINDOWS if w.name == kind)
    if due + window.early - timedelta(seconds=1) <= at <= due + window.late:
        figures.inside[kind] += 1
    else:
        figures.outside[kind] += 1
    figures.lateness[kind].append(max(0.0, (at - due).total_seconds()))


def first_come_first_served(due: Sequence[Batch], rate: float) -> Figures:
    """The old sending: claimed when due, sent in due order at the rate, missed past the grace."""
    figures = Figures()
    free: datetime | None = None
    for batch in sorted(due, key=lambda batch: batch.due):
        for _ in range(round(batch.count)):
            at = max(batch.due, free or batch.due)
            if at - batch.due > OLD_GRACE:
                figures.missed[batch.window] += 1
                continue
            free = at + timedelta(seconds=1 / rate)
            _record(figures, batch.window, batch.due, at)
    return figures


def best_schedule(due: Sequence[Batch], rate: float) -> tuple[int, Counter[str]]:
    """Earliest deadline first over the whole due list: how many fit inside their windows."""
    inside: dict[str, float] = defaultdict(float)
    for outcome in edf_schedule(due, rate):
        inside[outcome.batch.window] += outcome.on_time
    return round(sum(inside.values())), Counter({k: round(v) for k, v in inside.items()})


async def run_dispatcher(
    engine: Engine,
    tips: TipLibrary,
    start: datetime,
    end: datetime,
    rate: float,
    paid: bool,
    counted_until: datetime,
) -> tuple[Figures, DispatchTotals, float]:
    """Tick after tick from `start` to `end`; figures for the nudges due before `counted_until`."""
    clock = SteppedClock(start)
    telegram = SimulatedTelegram(clock, rate)
    sender = SimulatedSender(telegram)
    planner = ReleasePlanner(rate_per_second=rate)
    send_nudge = nudge_sender(sender)
    figures = Figures()

    async def send(outgoing: OutgoingNudge) -> SendResult:
        result = await send_nudge(outgoing)
        if outgoing.due_at < counted_until:
            at = telegram.last_at or clock()
            _record(figures, window_of(outgoing.slot).name, outgoing.due_at, at)
            figures.paid += outgoing.paid
        return result

    totals = DispatchTotals()
    started = time.perf_counter()
    next_tick = start
    while clock() < end:
        clock.set(max(clock(), next_tick))
        now = clock()
        policy = DispatchPolicy(
            rate_per_second=rate,
            release=planner.plan_at(engine=engine, now=now),
            running_since=start,
            # Every member answers, so the day's cap never comes into it.
            paid_broadcast=paid,
            paid_a_day=10**9,
        )
        totals.add(
            await dispatch_due(engine=engine, send=send, tips=tips, now=now, policy=policy, clock=clock)
        )
        with engine.begin() as connection:
            connection.execute(
                text(
                    "UPDATE member SET last_answer_at = :now WHERE id IN "
                    "(SELECT member_id FROM nudge WHERE status = 'sent')"
                ),
                {"now": clock()},
            )
            connection.execute(
                text("UPDATE nudge SET status = 'answered', answered_at = sent_at WHERE status = 'sent'")
            )
        next_tick = now + timedelta(seconds=TICK_SECONDS)
        while next_tick <= clock():
            next_tick += timedelta(seconds=TICK_SECONDS)
    return figures, totals, time.perf_counter() - started


def statuses_by_kind(engine: Engine, start: datetime, end: datetime) -> dict[str, Counter[str]]:
    found: dict[str, Counter[str]] = defaultdict(Counter)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT slot, status FROM nudge WHERE due_at >= :start AND due_at < :end"),
            {"start": start, "end": end},
        ).all()
    for slot, status in rows:
        found[window_of(slot).name][status] += 1
    return found


def _line(name: str, figures: Figures, kinds: list[str]) -> list[str]:
    lines = [f"  {name}"]
    for kind in kinds:
        values = figures.lateness.get(kind, [])
        spread = (
            f"p50 {percentile(values, 0.5):6.0f} s  p99 {percentile(values, 0.99):6.0f} s  "
            f"max {max(values):6.0f} s"
            if values
            else "-"
        )
        lines.append(
            f"    {kind:17} inside {figures.inside[kind]:7}  late {figures.late[kind]:7}  "
            f"missed {figures.missed[kind]:7}  outside {figures.outside[kind]:6}  lateness {spread}"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--mix", choices=("default", "spread"), default="default")
    parser.add_argument("--rate", type=float, default=30.0)
    parser.add_argument("--paid", action="store_true")
    parser.add_argument("--start", default="04:00", help="local time (Amsterdam) the run starts")
    parser.add_argument("--hours", type=float, default=24.0)
    parser.add_argument("--database-url")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    hour, minute = (int(part) for part in args.start.split(":"))
    start = datetime.combine(DAY, clock_time(hour, minute), AMSTERDAM).astimezone(UTC)
    end = start + timedelta(hours=args.hours)
    tips = load_tip_library(ROOT / "content" / "tips.yaml")
    with fresh_database(args.database_url) as url:
        engine = create_db_engine(url)
        try:
            insert_rows(engine, iter(member_rows(args.members, args.mix, start)))
            # Nudges due before the end that the dispatcher could reach by then, with the openings
            # the members' quiet hours allow (the first glass at wake-up cannot go early).
            counted_until = end - timedelta(minutes=45)
            # Slots due at the very start were dealt with before it (the members' cursor).
            due = forecast(engine=engine, start=start + timedelta(microseconds=1), end=counted_until)
            figures, totals, seconds = asyncio.run(
                run_dispatcher(engine, tips, start, end, args.rate, args.paid, counted_until)
            )
            statuses = statuses_by_kind(engine, start, counted_until)
        finally:
            engine.dispose()
    in_range = {batch.window for batch in due}
    due_count = round(sum(batch.count for batch in due))
    kinds = [kind for kind in KINDS if kind in in_range]
    for kind in kinds:
        figures.late[kind] = statuses[kind][NudgeStatus.LATE]
        figures.missed[kind] = statuses[kind][NudgeStatus.MISSED]
    fcfs = first_come_first_served(due, args.rate)
    for kind in kinds:
        # The old dispatcher sent what was within the grace, however late for its window.
        fcfs.late[kind] = 0
    best, best_by_kind = best_schedule(due, args.rate)
    dispatched = figures.total_inside()
    local_start = start.astimezone(AMSTERDAM)
    print(
        f"bench.peak: {args.members:,} members ({args.mix} routine), {due_count:,} nudges due from "
        f"{local_start:%a %H:%M} until 45 min before the end of {args.hours:g} h (Amsterdam), "
        f"{args.rate:g} msg/s"
        f"{', paid broadcasts on' if args.paid else ''} ({machine()})"
    )
    for line in _line("this dispatcher", figures, kinds):
        print(line)
    for line in _line("first come, first served (claimed when due, 30 min grace)", fcfs, kinds):
        print(line)
    print("  best schedule possible (earliest deadline first over the known due list)")
    for kind in kinds:
        print(f"    {kind:17} inside {best_by_kind[kind]:7}")
    share = dispatched / best if best else 1.0
    print(
        f"  inside their windows: this dispatcher {dispatched:,}, best possible {best:,} "
        f"({share:.2%} of it), first come first served {fcfs.total_inside():,}"
    )
    outside = sum(figures.outside.values())
    missed = sum(figures.missed.values())
    print(f"  sent outside their window: {outside}; recorded missed: {missed}")
    if args.paid:
        fewest = due_count - best
        print(
            f"  paid broadcasts: {figures.paid:,} used; the fewest any schedule needs: {fewest:,}"
            f" ({(figures.paid - fewest) / fewest:+.2%})"
            if fewest
            else f"  paid broadcasts: {figures.paid:,} used; the fewest any schedule needs: 0"
        )
    sent = telegram_messages(figures)
    print(
        f"  dispatcher work: {seconds:.0f} s for {sent:,} nudges "
        f"({seconds / max(1, sent) * 1e6:.0f} µs per nudge), peak RSS {peak_rss_mb():.0f} MB"
    )
    del totals
    return 0


def telegram_messages(figures: Figures) -> int:
    return sum(figures.inside.values()) + sum(figures.outside.values())


if __name__ == "__main__":
    sys.exit(main())
