"""The rate limiter's lanes that give way (best effort: now or never; background: at a quiet
moment), the room it tells a held-back message about, and the sender's one try at an edit,
reported rather than waited out."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from telegram import Bot
from telegram.error import RetryAfter

from bot.budgets import BudgetRates, LocalBudget
from bot.rate_limit import QUEUED_SECONDS, Lane, PriorityRateLimiter
from bot.sender import Edited, TelegramSender
from fakegram import FakeBotApi, FakeRequest

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
# PTB warns on every 429 it builds that `retry_after` will become a timedelta; the bot reads both.
pytestmark = pytest.mark.filterwarnings("ignore:.*`retry_after` will be of type:DeprecationWarning")


class Clock:
    def __init__(self) -> None:
        self.seconds = 1_000.0

    def __call__(self) -> float:
        return self.seconds


async def ok() -> bool:
    return True


def limiter(clock: Clock, **options: Any) -> PriorityRateLimiter:
    return PriorityRateLimiter(clock=clock, real_time=False, **options)


async def send(rate: PriorityRateLimiter, lane: Lane | None = None, callback: Any = ok) -> Any:
    return await rate.process_request(callback, (), {}, "sendMessage", {"chat_id": 5}, lane)


async def test_best_effort_gives_way_while_nudges_fill_the_share() -> None:
    clock = Clock()
    rate = limiter(clock)
    for _ in range(19):  # 30 places, 10 kept for everything else: the 20th message fills the rest
        await send(rate)
    assert not rate.busy()
    assert await send(rate, Lane.BEST_EFFORT)
    with pytest.raises(RetryAfter):
        await send(rate, Lane.BEST_EFFORT)
    assert rate.busy()
    assert await send(rate)  # a nudge or a reply still goes at once
    clock.seconds += 1  # 30 places drain in a second
    assert not rate.busy()
    assert await send(rate, Lane.BEST_EFFORT)


async def test_best_effort_edits_have_a_budget_of_their_own() -> None:
    clock = Clock()
    rate = limiter(clock, best_effort_per_second=3)
    for _ in range(3):
        await send(rate, Lane.BEST_EFFORT)
    with pytest.raises(RetryAfter):
        await send(rate, Lane.BEST_EFFORT)
    assert not rate.busy()  # the rest of the share is untouched
    clock.seconds += 1 / 3
    await send(rate, Lane.BEST_EFFORT)


async def test_telegrams_429_for_a_best_effort_edit_is_not_retried_and_holds_up_nothing() -> None:
    rate = limiter(Clock(), max_retries=2)
    calls = 0

    async def refused() -> bool:
        nonlocal calls
        calls += 1
        raise RetryAfter(30)

    with pytest.raises(RetryAfter):
        await send(rate, Lane.BEST_EFFORT, refused)
    assert calls == 1
    assert not rate.busy()
    assert await asyncio.wait_for(send(rate), timeout=1)


async def test_a_429_for_a_nudge_pauses_the_best_effort_lane_too() -> None:
    rate = limiter(Clock(), max_retries=1)
    attempts = 0

    async def refused_once() -> bool:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise RetryAfter(1)
        return True

    nudge = asyncio.create_task(send(rate, callback=refused_once))
    await asyncio.sleep(0.05)
    assert rate.busy()  # everyone waits out Telegram's 429 ...
    with pytest.raises(RetryAfter):
        await send(rate, Lane.BEST_EFFORT)
    assert await nudge  # ... and the nudge goes after it
    assert not rate.busy()


async def test_a_background_request_waits_for_a_quiet_moment() -> None:
    clock = Clock()
    rate = limiter(clock)
    for _ in range(25):
        await send(rate)
    waiting = asyncio.create_task(send(rate, Lane.BACKGROUND))
    await asyncio.sleep(0.3)
    assert not waiting.done()
    clock.seconds += 1
    assert await asyncio.wait_for(waiting, timeout=2)


async def test_room_and_quiet_in_say_when_a_held_back_message_may_go() -> None:
    clock = Clock()
    rate = limiter(clock)
    for _ in range(15):
        await send(rate)
    assert rate.room() == 5  # 30 places, 15 taken, 10 kept for nudges and replies
    assert rate.quiet_in() == 0
    for _ in range(10):
        await send(rate)
    assert (rate.room(), rate.busy()) == (0, True)
    assert rate.quiet_in() == pytest.approx(6 / 30)  # 25 taken drain to 19, a thirtieth each
    clock.seconds += rate.quiet_in() + 0.001
    assert (rate.room(), rate.busy()) == (1, False)


async def test_in_real_time_requests_queueing_for_a_place_keep_the_share_busy() -> None:
    # Nudges come in rounds as the last round goes out, as fast as the count drains: that they
    # queue says more than the count does.
    clock = Clock()
    rate = PriorityRateLimiter(
        clock=clock,
        reserve=0,
        budget=LocalBudget(BudgetRates(per_second=3, reserve_per_second=0)),
        max_retries=1,
    )
    await asyncio.gather(*(send(rate) for _ in range(4)))  # the fourth waits for its place
    clock.seconds += 1  # the count has drained to one ...
    assert (rate.room(), rate.busy()) == (0, True)  # ... but a request queued a second ago
    assert rate.quiet_in() == pytest.approx(QUEUED_SECONDS - 1)
    clock.seconds += rate.quiet_in()
    assert (rate.room(), rate.busy()) == (3, False)

    refusals = 0

    async def refused_once() -> bool:
        nonlocal refusals
        refusals += 1
        if refusals == 1:
            raise RetryAfter(1)
        return True

    nudge = asyncio.create_task(send(rate, callback=refused_once))
    await asyncio.sleep(0.05)
    clock.seconds += QUEUED_SECONDS
    assert rate.busy()  # waiting for its place, then out its 429: however long ago it queued
    assert await nudge
    assert rate.busy()  # and tried again: it was a wait for its place
    clock.seconds += QUEUED_SECONDS
    assert not rate.busy()


@pytest.fixture
async def sender() -> AsyncIterator[tuple[FakeBotApi, TelegramSender]]:
    api = FakeBotApi(clock=lambda: NOW)
    async with Bot(api.token, request=FakeRequest(api)) as bot:
        yield api, TelegramSender(bot)


async def test_one_try_at_an_edit_says_what_became_of_it(sender: tuple[FakeBotApi, TelegramSender]) -> None:
    api, telegram = sender
    sent = await telegram.send_text(5, "🌬️ Adem in")
    assert sent.message_id is not None
    message_id = sent.message_id
    assert (await telegram.edit_once(5, message_id, "😮‍💨 Adem uit")).edited is Edited.MADE
    assert (await telegram.edit_once(5, message_id, "😮‍💨 Adem uit")).edited is Edited.MADE  # no change
    api.fail_next(
        "editMessageText", status=429, description="Too Many Requests: retry after 7", retry_after=7
    )
    refused = await telegram.edit_once(5, message_id, "🌬️ Adem in")
    assert (refused.edited, refused.retry_after) == (Edited.REFUSED, 7)
    api.fail_next("editMessageText", status=502, description="Bad Gateway")
    assert (await telegram.edit_once(5, message_id, "🌬️ Adem in")).edited is Edited.FAILED
    assert (await telegram.edit_once(5, 999, "🌬️ Adem in")).edited is Edited.GONE  # deleted
    api.block_user(5)
    assert (await telegram.edit_once(5, message_id, "🌬️ Adem in")).edited is Edited.GONE
    # Every outcome came from exactly one call: nothing was retried.
    assert len(api.calls_named("editMessageText")) == 6
