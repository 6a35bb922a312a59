"""The sender's paid broadcasts: `allow_paid_broadcast` on the wire, recorded by the fake, drawn
from the paid limit rather than the free 30 a second; and nudges in their lane behind answers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from telegram.ext import ExtBot

from bot.budgets import BudgetRates, LocalBudget
from bot.rate_limit import Lane, PriorityRateLimiter
from bot.sender import TelegramSender
from bot.settings import load_settings
from fakegram import FakeBotApi, FakeRequest
from scheduler.delivery import Delivery

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
FREE_RATE = 4
PAID_RATE = 40


@pytest.fixture
async def sender() -> AsyncIterator[tuple[FakeBotApi, TelegramSender]]:
    api = FakeBotApi(clock=lambda: NOW)
    budget = LocalBudget(BudgetRates(per_second=FREE_RATE, reserve_per_second=1, paid_per_second=PAID_RATE))
    limiter = PriorityRateLimiter(budget=budget, max_retries=2)
    async with ExtBot(api.token, request=FakeRequest(api), rate_limiter=limiter) as bot:
        yield api, TelegramSender(bot)


async def test_a_paid_send_says_so_and_the_fake_counts_it(sender: tuple[FakeBotApi, TelegramSender]) -> None:
    api, telegram = sender
    paid = await telegram.send_text(5, "🚶 Even wandelen", paid=True)
    free = await telegram.send_text(5, "🚶 Even wandelen", lane=Lane.NUDGE)
    assert paid.delivery is free.delivery is Delivery.DELIVERED
    assert paid.message_id is not None
    assert free.message_id is not None
    assert [call.paid for call in api.calls_named("sendMessage")] == [True, False]
    assert api.was_paid(5, paid.message_id)
    assert not api.was_paid(5, free.message_id)
    assert api.paid_message_count() == 1


async def test_paid_broadcasts_go_beyond_the_free_limit_within_their_own(
    sender: tuple[FakeBotApi, TelegramSender],
) -> None:
    api, telegram = sender
    loop = asyncio.get_running_loop()
    started = loop.time()
    results = await asyncio.gather(
        *(telegram.send_text(100 + number, "💧", paid=True) for number in range(PAID_RATE + 10))
    )
    took = loop.time() - started
    assert {result.delivery for result in results} == {Delivery.DELIVERED}
    assert api.paid_message_count() == PAID_RATE + 10
    # Ten times the free limit a second: paid broadcasts took nothing from it ...
    assert took < 2.5
    # ... and stayed within their own.
    assert api.peak_send_rate(paid=True) <= PAID_RATE + 1
    assert api.peak_send_rate() == 0


async def test_the_fakes_flood_control_counts_paid_broadcasts_apart(
    sender: tuple[FakeBotApi, TelegramSender],
) -> None:
    api, telegram = sender
    api.enforce_flood_limit(1, paid_per_second=1000)
    assert (await telegram.send_text(5, "free")).delivery is Delivery.DELIVERED
    for number in range(5):
        assert (await telegram.send_text(5, f"paid {number}", paid=True)).delivery is Delivery.DELIVERED
    assert not [call for call in api.calls if call.status == 429]


async def test_an_answer_goes_ahead_of_waiting_nudges(sender: tuple[FakeBotApi, TelegramSender]) -> None:
    api, telegram = sender
    loop = asyncio.get_running_loop()
    nudges = [
        asyncio.create_task(telegram.send_text(200 + number, "💧", lane=Lane.NUDGE)) for number in range(8)
    ]
    await asyncio.sleep(0.3)  # the nudges queue at their share's pace (3 a second)
    asked = loop.time()
    answer = await telegram.send_text(5, "👍 Genoteerd")
    answered_in = loop.time() - asked
    assert answer.delivery is Delivery.DELIVERED
    assert answered_in < 0.5
    waiting = sum(not task.done() for task in nudges)
    assert waiting >= 4, "the answer went while nudges still waited"
    await asyncio.gather(*nudges)
    assert len(api.calls_named("sendMessage")) == 9


def test_paid_broadcast_settings_default_to_off() -> None:
    settings = load_settings(_env_file=None)
    assert (settings.paid_broadcast, settings.paid_broadcast_daily_limit) == (False, 10_000)
    assert (settings.send_rate_per_second, settings.send_reserve_per_second) == (30, 3)
    assert settings.paid_rate_per_second == 1000
    on = load_settings(_env_file=None, paid_broadcast="true", paid_broadcast_daily_limit="250")
    assert (on.paid_broadcast, on.paid_broadcast_daily_limit) == (True, 250)


def test_the_reserve_must_stay_below_the_rate() -> None:
    with pytest.raises(ValueError, match="SEND_RESERVE_PER_SECOND"):
        load_settings(_env_file=None, send_rate_per_second=10, send_reserve_per_second=10)


def test_a_redis_url_is_secret_and_must_name_redis() -> None:
    settings = load_settings(_env_file=None, redis_url="redis://:hunter2@cache.internal:6379/0")
    assert settings.redis_url is not None
    assert "hunter2" not in repr(settings)
    with pytest.raises(ValueError, match="REDIS_URL"):
        load_settings(_env_file=None, redis_url="http://cache.internal")
    assert load_settings(_env_file=None, redis_url="").redis_url is None
