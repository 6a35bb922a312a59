"""Answers go ahead of nudges: with 50,000 nudges due and the dispatcher sending at the
limit, a member who taps a button on their nudge has the answer within a second.

Real time, the bot's own rate limiter and the send budget it would choose (in memory on SQLite,
the database's on PostgreSQL); the stepped clock only says which nudges are due.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from pathlib import Path

from sqlalchemy.engine import Engine

from bench.common import WALK_DUE, default_member_rows, insert_rows
from bot.budgets import budget_for
from bot.rate_limit import PriorityRateLimiter
from fakegram import ApiCall, FakeBotApi
from scheduler.clock import SteppedClock
from tests.harness import make_settings, running_bot

MEMBERS = 50_000
TICK = WALK_DUE + timedelta(seconds=30)  # everyone's 08:15 walk is due


def answered(api: FakeBotApi, chat_id: int, message_id: int, after: float) -> list[ApiCall]:
    """The callback answer and the edit of the tapped nudge, once both have arrived."""
    answers = [c for c in api.calls_named("answerCallbackQuery") if c.ok and c.monotonic >= after]
    edits = [
        c
        for c in api.calls_named("editMessageText")
        if c.ok and c.params.get("chat_id") == chat_id and c.params.get("message_id") == message_id
    ]
    return answers[:1] + edits[:1] if answers and edits else []


async def test_a_tap_is_answered_within_a_second_while_50000_nudges_wait(
    api: FakeBotApi, clock: SteppedClock, engine: Engine, database_path: Path
) -> None:
    insert_rows(engine, default_member_rows(MEMBERS))
    clock.set(TICK)
    settings = make_settings(f"sqlite:///{database_path}")
    limiter = PriorityRateLimiter(max_retries=2, budget=budget_for(settings, engine))
    loop = asyncio.get_running_loop()
    async with running_bot(
        api=api, clock=clock, engine=engine, settings=settings, rate_limiter=limiter
    ) as bot:
        dispatch = asyncio.create_task(bot.tick())
        try:
            first = await api.wait_for_call("sendMessage", timeout=10)
            await asyncio.sleep(1.5)  # well into the backlog, at the limit
            chat_id = int(first.params["chat_id"])
            nudge = api.message(chat_id, first.result["message_id"])
            done = nudge["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
            tapped = loop.time()
            api.user(chat_id).press(nudge, done)
            await api.wait_until(
                lambda: bool(answered(api, chat_id, nudge["message_id"], tapped)),
                timeout=5,
                what="the answer to the tap",
            )
            took = loop.time() - tapped
            backlog = MEMBERS - len(api.calls_named("sendMessage"))
            assert not dispatch.done()
        finally:
            dispatch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await dispatch
    assert took < 1.0
    assert backlog > MEMBERS - 500, "tens of thousands of nudges still waited"
    # The dispatcher was sending at the limit as the member tapped (its share of it: 27 of 30).
    before = [c for c in api.calls_named("sendMessage") if c.ok and tapped - 1 <= c.monotonic < tapped]
    assert len(before) >= 20
    assert api.peak_send_rate(1.0) <= settings.send_rate_per_second + 1
