"""The send budget's backends: the token bucket in PostgreSQL, the moving window in Redis and the
one in memory. Several budgets on one backend stand for several processes: together they never
take more than the rate (and one) in any second, the nudges' share leaves the reserve to answers,
and a pause from one holds up all."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AsyncExitStack

import pytest
from sqlalchemy.engine import Engine

from bot.budgets import Budget, BudgetRates, Draw, LocalBudget, PostgresBudget
from bot.redis_budget import RedisBudget
from storage import send_budget
from storage.database import create_db_engine
from tests.backends import empty_tables

RATE = 20
RESERVE = 5
RATES = BudgetRates(per_second=RATE, reserve_per_second=RESERVE, paid_per_second=50)
PROCESSES = 3
TAKERS = 4  # concurrent takers in each "process"
SECONDS = 1.5

BudgetFactory = Callable[[], Budget]


def most_in_a_second(moments: list[float]) -> int:
    """The most moments within any 1 second (a sliding window)."""
    moments = sorted(moments)
    best = start = 0
    for end, moment in enumerate(moments):
        while moment - moments[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


@pytest.fixture
def pg_engine(postgres_url: str) -> Iterator[Engine]:
    engine = create_db_engine(postgres_url)
    yield engine
    empty_tables(engine)
    engine.dispose()


@pytest.fixture(
    params=[
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("redis", marks=pytest.mark.redis),
    ]
)
async def budgets(request: pytest.FixtureRequest) -> AsyncIterator[list[Budget]]:
    """PROCESSES budgets on one shared backend, opened."""
    if request.param == "postgres":
        engine = request.getfixturevalue("pg_engine")

        def make() -> Budget:
            return PostgresBudget(engine, RATES)

    else:
        url, prefix = request.getfixturevalue("redis_url"), request.getfixturevalue("redis_prefix")

        def make() -> Budget:
            return RedisBudget(url, RATES, prefix=prefix)

    async with AsyncExitStack() as stack:
        opened = []
        for _ in range(PROCESSES):
            budget = make()
            await budget.open()
            stack.push_async_callback(budget.close)
            opened.append(budget)
        yield opened


async def take_for(budget: Budget, draw: Draw, seconds: float, granted: list[float]) -> None:
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        if await budget.take(draw, within=left):
            granted.append(time.monotonic())


@pytest.mark.postgres
def test_concurrent_takers_of_the_postgresql_row_never_take_the_same_message(pg_engine: Engine) -> None:
    with pg_engine.begin() as connection:
        send_budget.ensure_budgets(connection)
    rates = send_budget.Rates(per_second=RATE, share_per_second=RATE)
    granted: list[float] = []
    started = time.monotonic()

    def taker() -> None:
        while time.monotonic() - started < SECONDS:
            with pg_engine.begin() as connection:
                taken = send_budget.take(connection, name=send_budget.MESSAGES, rates=rates, from_share=False)
            if taken.granted:
                granted.append(time.monotonic())

    threads = [threading.Thread(target=taker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Eight takers that never wait got what the bucket holds and no more: one, then RATE a second.
    assert len(granted) <= 1 + RATE * SECONDS + 1
    assert len(granted) >= RATE * SECONDS * 0.8
    assert most_in_a_second(granted) <= RATE + 1


@pytest.mark.postgres
def test_an_emptied_budget_table_is_made_again_by_the_next_take(pg_engine: Engine) -> None:
    rates = send_budget.Rates(per_second=RATE, share_per_second=RATE)
    with pg_engine.begin() as connection:
        first = send_budget.take(connection, name=send_budget.MESSAGES, rates=rates, from_share=False)
        second = send_budget.take(connection, name=send_budget.MESSAGES, rates=rates, from_share=False)
    assert (first.granted, second.granted) == (False, True)


@pytest.mark.slow
async def test_several_processes_together_stay_within_the_rate(budgets: list[Budget]) -> None:
    granted: list[float] = []
    await asyncio.gather(
        *(take_for(budget, Draw.WHOLE, SECONDS, granted) for budget in budgets for _ in range(TAKERS))
    )
    assert most_in_a_second(granted) <= RATE + 1
    assert len(granted) >= RATE * SECONDS * 0.8  # and they do use it
    # Spaced, not bunched: no more than two of them within a quarter of the rate's interval.
    assert most_in_a_second([moment * RATE * 4 for moment in granted]) <= 2


@pytest.mark.slow
async def test_nudges_leave_the_reserve_to_answers(budgets: list[Budget]) -> None:
    nudges: list[float] = []
    answers: list[float] = []
    await asyncio.gather(
        *(take_for(budget, Draw.SHARE, SECONDS, nudges) for budget in budgets for _ in range(TAKERS)),
        take_for(budgets[0], Draw.WHOLE, SECONDS, answers),
    )
    assert most_in_a_second(nudges) <= RATE - RESERVE + 1
    assert most_in_a_second(nudges + answers) <= RATE + 1
    # However many nudges wait, answers find room every second.
    assert len(answers) >= RESERVE * SECONDS * 0.8


async def test_a_pause_from_one_process_holds_up_every_process(budgets: list[Budget]) -> None:
    first, other, third = budgets
    assert await other.take(Draw.WHOLE, within=1)
    await first.pause(0.6)
    paused_at = time.monotonic()
    assert not await other.take(Draw.WHOLE, within=0.2)
    assert not await third.take(Draw.SHARE, within=0.1)
    assert other.crowded()  # it saw the pause, so a breathing session steps aside
    assert await third.take(Draw.PAID, within=2)  # the paid limit is paused as well ...
    assert time.monotonic() - paused_at >= 0.55  # ... until the pause is over
    assert await other.take(Draw.WHOLE, within=1)


async def test_a_longer_pause_is_never_shortened(budgets: list[Budget]) -> None:
    first, other, _ = budgets
    await first.pause(0.8)
    await other.pause(0.1)
    started = time.monotonic()
    assert await other.take(Draw.WHOLE, within=2)
    assert time.monotonic() - started >= 0.7


@pytest.mark.slow
async def test_paid_broadcasts_have_a_limit_of_their_own(budgets: list[Budget]) -> None:
    paid: list[float] = []
    free: list[float] = []
    await asyncio.gather(
        *(take_for(budget, Draw.PAID, SECONDS, paid) for budget in budgets for _ in range(TAKERS)),
        *(take_for(budget, Draw.WHOLE, SECONDS, free) for budget in budgets),
    )
    assert most_in_a_second(paid) <= RATES.paid_per_second + 1
    assert len(paid) >= RATES.paid_per_second * SECONDS * 0.6
    assert most_in_a_second(free) <= RATE + 1
    assert len(free) >= RATE * SECONDS * 0.8  # paid broadcasts took nothing from the free limit


async def test_the_budget_in_memory_keeps_the_reserve_and_pauses() -> None:
    budget = LocalBudget(RATES)
    nudges: list[float] = []
    answers: list[float] = []
    await asyncio.gather(
        *(take_for(budget, Draw.SHARE, 1.0, nudges) for _ in range(TAKERS)),
        take_for(budget, Draw.WHOLE, 1.0, answers),
    )
    assert most_in_a_second(nudges) <= RATE - RESERVE + 1
    assert most_in_a_second(nudges + answers) <= RATE + 1
    assert len(answers) >= RESERVE * 0.8
    await budget.pause(0.3)
    assert budget.crowded()
    assert not await budget.take(Draw.WHOLE, within=0.1)
    assert await budget.take(Draw.WHOLE, within=1)


def test_the_reserve_must_leave_nudges_a_share() -> None:
    with pytest.raises(ValueError, match="reserve"):
        BudgetRates(per_second=10, reserve_per_second=10)
