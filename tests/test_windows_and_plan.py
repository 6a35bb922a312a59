"""Nudge windows, the release plan and paid broadcasts: pure tables of timezone-aware instants,
then the real dispatcher at Telegram's limit on a stepped clock."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from bench.common import AMSTERDAM, default_member_rows, insert_rows
from fakegram import FakeBotApi
from scheduler.clock import SteppedClock
from scheduler.delivery import Delivery, SendResult
from scheduler.dispatch import DispatchPolicy, OutgoingNudge, assign_paid, dispatch_due
from scheduler.quiet import quiet_hours_for
from scheduler.release_plan import ON_TIME, Batch, due_batches, edf_schedule, plan_release
from scheduler.slots import DailyRoutine, Slot
from scheduler.windows import deadline_of, next_opening, outside_quiet_hours, window_of
from storage.database import new_session
from storage.kinds import Habit
from storage.models import Member, Nudge, NudgeStatus
from tests.harness import ADMIN, BotHarness, load_shipped_tips

TOKYO = ZoneInfo("Asia/Tokyo")
MINUTE = timedelta(minutes=1)


def utc(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("slot", "early", "late"),
    [
        ("walk-lunch", 0, 20),
        ("walk-breakfast", 0, 20),
        ("sleep-winddown", -10, 15),
        ("sleep-morning", 0, 45),
        ("breathing", -10, 20),
        ("water-0900", -20, 20),
        ("water-2430", -20, 20),
    ],
)
def test_each_kind_of_nudge_has_its_window(slot: str, early: int, late: int) -> None:
    window = window_of(slot)
    assert (window.early, window.late) == (timedelta(minutes=early), timedelta(minutes=late))
    assert window.flexible is (early < 0)


def test_a_slot_without_a_window_is_an_error() -> None:
    with pytest.raises(ValueError, match="no window"):
        window_of("dance-0900")


DEFAULT = DailyRoutine()
DEFAULT_QUIET = quiet_hours_for(bedtime=DEFAULT.bedtime, wake=DEFAULT.wake, start=None, end=None)


@pytest.mark.parametrize(
    ("zone", "after", "opening", "deadline"),
    [
        # Amsterdam in winter (UTC+1): the 09:00 water opens at 08:40 and closes at 09:20.
        (AMSTERDAM, utc(24, 7, 16), utc(24, 7, 40), utc(24, 8, 20)),
        # After the walk at 12:45, the 13:00 glass already opened at 12:40 and was claimed then:
        # next is the 15:00 glass.
        (AMSTERDAM, utc(24, 11, 45), utc(24, 13, 40), utc(24, 14, 20)),
        # The night: the first glass at wake-up (07:00) may not go early, the member still sleeps.
        (AMSTERDAM, utc(24, 22, 0), utc(25, 6, 0), utc(25, 6, 20)),
        # The spring-forward night: 07:00 CEST is 05:00 UTC.
        (AMSTERDAM, utc(28, 22, 0, month=3), utc(29, 5, 0, month=3), utc(29, 5, 20, month=3)),
        # The fall-back night: 07:00 CET is 06:00 UTC.
        (AMSTERDAM, utc(24, 22, 0, month=10), utc(25, 6, 0, month=10), utc(25, 6, 20, month=10)),
        # Tokyo (UTC+9): 16:00 breathing opens at 15:50.
        (TOKYO, utc(24, 6, 5), utc(24, 6, 50), utc(24, 7, 20)),
    ],
)
def test_next_opening_is_the_start_of_the_next_window(
    zone: ZoneInfo, after: datetime, opening: datetime, deadline: datetime
) -> None:
    quiet = quiet_hours_for(bedtime=DEFAULT.bedtime, wake=DEFAULT.wake, start=None, end=None)
    from scheduler.windows import earliest_opening

    opens_at = outside_quiet_hours(earliest_opening, zone, quiet)
    assert next_opening(DEFAULT, zone, after, opens_at, claimed_at_after=True) == (opening, deadline)


def test_next_opening_after_a_routine_change_includes_a_window_already_open() -> None:
    # A member rescheduled at 08:45 (cursor): the 09:00 glass opened at 08:40 and is still to go.
    found = next_opening(DEFAULT, AMSTERDAM, utc(24, 7, 45))
    assert found == (utc(24, 7, 40), utc(24, 8, 20))
    assert next_opening(DailyRoutine(habits=frozenset()), AMSTERDAM, utc(24, 7, 45)) is None


def test_the_first_glass_at_wake_up_opens_when_it_is_due() -> None:
    from scheduler.windows import earliest_opening

    opens_at = outside_quiet_hours(earliest_opening, AMSTERDAM, DEFAULT_QUIET)
    first = Slot(utc(24, 6), Habit.WATER, date(2026, 11, 24), "water-0700")
    later = Slot(utc(24, 8), Habit.WATER, date(2026, 11, 24), "water-0900")
    assert opens_at(first) == utc(24, 6)
    assert opens_at(later) == utc(24, 7, 40)


def batch(window: str, due: datetime, count: float, early: int = 0, late: int = 20) -> Batch:
    return Batch(window, due, due + timedelta(minutes=early), due + timedelta(minutes=late), count)


@pytest.mark.parametrize(
    ("batches", "rate", "on_time"),
    [
        # 600 walks in a 20-minute window at 1/s: 1,200 fit, all go.
        ([batch("walk", utc(24, 12), 600)], 1.0, [600]),
        # 2,000 walks: 1,200 fit.
        ([batch("walk", utc(24, 12), 2000)], 1.0, [1200]),
        # Water may go 20 minutes early: 2,400 fit.
        ([batch("water", utc(24, 12), 3000, early=-20)], 1.0, [2400]),
        # A walk (closes 12:20) goes before water due at the same time (closes 12:40); the water
        # takes what is left of its own window.
        (
            [batch("walk", utc(24, 12), 1000), batch("water", utc(24, 12), 3000, late=40)],
            1.0,
            [1000, 1400],
        ),
    ],
)
def test_earliest_deadline_first_fills_each_window(
    batches: list[Batch], rate: float, on_time: list[float]
) -> None:
    assert [round(outcome.on_time) for outcome in edf_schedule(batches, rate)] == on_time


def test_water_goes_early_only_before_a_rush() -> None:
    routines = [(DEFAULT, AMSTERDAM, DEFAULT_QUIET, 100)]
    day = utc(24, 0)
    calm = plan_release(due_batches(routines, day, day + timedelta(days=1)), rate=30)
    assert calm is ON_TIME
    busy = [(DEFAULT, AMSTERDAM, DEFAULT_QUIET, 60_000)]
    plan = plan_release(due_batches(busy, day, day + timedelta(days=1)), rate=30)
    nine = Slot(utc(24, 8), Habit.WATER, date(2026, 11, 24), "water-0900")
    walk = Slot(utc(24, 7, 15), Habit.WALK, date(2026, 11, 24), "walk-breakfast")
    assert plan.opens_at(nine) == utc(24, 7, 40)
    assert plan.opens_at(walk) == utc(24, 7, 15)  # a walk never goes before the meal


def outgoing(nudge_id: int, deadline: datetime | None) -> OutgoingNudge:
    return OutgoingNudge(
        nudge_id=nudge_id,
        member_id=nudge_id,
        chat_id=nudge_id,
        language="nl",
        habit=Habit.WALK,
        slot="walk-lunch",
        due_at=utc(24, 11, 45),
        tip_text=None,
        glasses=0,
        water_goal=8,
        snooze_count=0,
        snooze_minutes=15,
        deadline=deadline,
    )


@pytest.mark.parametrize(
    ("waiting", "paid_left", "expected_paid"),
    [
        # 10 s left at 1/s: room for 10 free; 5 in this claim and none waiting: all free.
        (0, 100, 0),
        # 8 more members waiting with the same deadline: 13 for 10 places, 3 go paid.
        (8, 100, 3),
        # Only 1 paid broadcast left today: the rest go free (and may turn out late).
        (8, 1, 1),
    ],
)
def test_paid_broadcasts_only_for_what_the_free_rate_cannot_make(
    waiting: int, paid_left: int, expected_paid: int
) -> None:
    now = utc(24, 12)
    items = [outgoing(index, now + timedelta(seconds=10)) for index in range(5)]
    assigned = assign_paid(
        items, now=now, rate_per_second=1.0, paid_left=paid_left, waiting_until=lambda deadline: waiting
    )
    assert sum(item.paid for item in assigned) == expected_paid
    # A snoozed nudge (no deadline) is never paid for.
    snoozed = assign_paid(
        [outgoing(9, None)], now=now, rate_per_second=1.0, paid_left=10, waiting_until=lambda d: 10**6
    )
    assert not snoozed[0].paid


class SlowTelegram:
    """Takes `rate` messages per second on the stepped clock: a send moves the clock to its turn."""

    def __init__(self, clock: SteppedClock, rate: float) -> None:
        self.clock, self.rate = clock, rate
        self.free: datetime | None = None
        self.sent: list[tuple[OutgoingNudge, datetime]] = []

    async def send(self, item: OutgoingNudge) -> SendResult:
        at = max(self.clock(), self.free or self.clock())
        if not item.paid:
            self.free = at + timedelta(seconds=1 / self.rate)
        self.clock.set(at)
        self.sent.append((item, at))
        return SendResult(Delivery.DELIVERED, len(self.sent))


async def run_ticks(
    engine: Engine, clock: SteppedClock, telegram: SlowTelegram, until: datetime, **policy: object
) -> None:
    started = clock()
    while clock() < until:
        now = clock()
        await dispatch_due(
            engine=engine,
            send=telegram.send,
            tips=load_shipped_tips(),
            now=now,
            policy=DispatchPolicy(rate_per_second=telegram.rate, running_since=started, **policy),  # type: ignore[arg-type]
            clock=clock,
        )
        clock.set(max(clock(), now + timedelta(seconds=15)))


def statuses(engine: Engine) -> Counter[str]:
    with new_session(engine) as session:
        return Counter(nudge.status for nudge in session.exec(select(Nudge)).all())


# Members with the default routine whose 08:15 walk (07:15 UTC, Monday 23 November) is next.
WALK_DUE = datetime(2026, 11, 23, 7, 15, tzinfo=UTC)


async def test_at_the_limit_late_walks_are_recorded_late_and_none_goes_outside_its_window(
    engine: Engine,
) -> None:
    insert_rows(engine, default_member_rows(300, cursor=WALK_DUE - MINUTE))
    clock = SteppedClock(WALK_DUE - MINUTE)
    telegram = SlowTelegram(clock, rate=0.2)  # 240 fit in the walk's 20 minutes
    await run_ticks(engine, clock, telegram, WALK_DUE + timedelta(minutes=25))
    walks = [(item, at) for item, at in telegram.sent if item.slot == "walk-breakfast"]
    assert all(at <= deadline_of(item.slot, item.due_at) for item, at in walks)
    assert len(walks) >= 239
    counted = statuses(engine)
    assert counted[NudgeStatus.LATE] == 300 - len(walks)
    assert counted[NudgeStatus.MISSED] == 0


async def test_after_downtime_what_fell_due_is_missed_not_late(engine: Engine) -> None:
    insert_rows(engine, default_member_rows(20, cursor=WALK_DUE - MINUTE))
    clock = SteppedClock(WALK_DUE + timedelta(minutes=40))  # the bot was down through the walk
    telegram = SlowTelegram(clock, rate=30)
    await run_ticks(engine, clock, telegram, clock() + MINUTE)
    assert statuses(engine)[NudgeStatus.MISSED] == 20
    assert not [item for item, _ in telegram.sent if item.slot == "walk-breakfast"]


async def test_paid_broadcasts_get_every_walk_out_inside_its_window(engine: Engine) -> None:
    insert_rows(engine, default_member_rows(300, cursor=WALK_DUE - MINUTE))
    clock = SteppedClock(WALK_DUE - MINUTE)
    telegram = SlowTelegram(clock, rate=0.2)
    await run_ticks(
        engine, clock, telegram, WALK_DUE + timedelta(minutes=25), paid_broadcast=True, paid_a_day=1000
    )
    walks = [(item, at) for item, at in telegram.sent if item.slot == "walk-breakfast"]
    assert len(walks) == 300
    assert all(at <= deadline_of(item.slot, item.due_at) for item, at in walks)
    paid = sum(item.paid for item, _ in walks)
    # The free rate takes 240 in the window: about 60 need paying for, and not many more.
    assert 60 <= paid <= 75
    with new_session(engine) as session:
        assert len(session.exec(select(Nudge).where(col(Nudge.paid).is_(True))).all()) == paid
    assert statuses(engine)[NudgeStatus.LATE] == 0


async def test_tip_stats_tell_the_operator_what_tomorrow_asks_of_the_rate(
    admin_bot: BotHarness, api: FakeBotApi, engine: Engine
) -> None:
    # 60,000 members on the default routine: tomorrow's first glasses at 07:00 alone take 37
    # minutes at 27/s, and cannot go before the members wake up.
    insert_rows(engine, default_member_rows(60_000, cursor=WALK_DUE - MINUTE))
    with new_session(engine) as session:
        member_id = session.exec(select(Member.id)).first()
        assert member_id is not None
        for status in (NudgeStatus.LATE, NudgeStatus.LATE, NudgeStatus.MISSED):
            slot = f"water-{len(session.new):04d}"
            session.add(
                Nudge(
                    member_id=member_id,
                    habit="water",
                    slot=slot,
                    local_date=date(2026, 11, 22),
                    due_at=utc(22, 12),
                    status=status,
                )
            )
        session.commit()
    await admin_bot.say(api.user(ADMIN), "/tip stats")
    lines = api.sent_messages(ADMIN)[-1]["text"].splitlines()
    (capacity,) = [line for line in lines if line.startswith("Niet op tijd")]
    assert capacity.startswith(
        "Niet op tijd, 7 · 30 dagen: te laat (niet verstuurd) 2 · 2, gemist (bot lag stil) 1 · 1. "
    )
    busiest = capacity[capacity.index("Morgen het drukst om ") :]
    assert busiest.startswith(
        "Morgen het drukst om 07:00: nudges 60.000 · verzenden 37 min bij 27 per seconde · te laat "
    )
    assert busiest.endswith(
        ". Spreid de tijden, zet betaalde berichten aan (PAID_BROADCAST=on) of stuur minder water-nudges."
    )
    assert len(lines) <= 22  # still one phone screen
