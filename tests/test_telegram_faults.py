"""Telegram misbehaving, through fakegram's fault injection: flood control, server errors,
timeouts, blocked members, harmless edit errors, a burst of 1,000 nudges, and exceptions in
handlers and ticks."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from telegram.ext import AIORateLimiter

from bot.app import build_application
from bot.budgets import LocalBudget, PostgresBudget
from bot.rate_limit import PriorityRateLimiter
from bot.texts import text
from fakegram import FakeBotApi
from habits import checkins
from scheduler import dispatch
from scheduler.clock import SteppedClock
from storage.models import NudgeStatus
from tests.harness import (
    TOKEN,
    BotHarness,
    button_data,
    load_shipped_tips,
    make_settings,
    running_bot,
)
from tests.processes import afternoon_zone, all_nudges, nudge_sends, seed_due_members

ALICE = 1001
WALK_TIME = datetime(2026, 11, 23, 7, 15, tzinfo=UTC)  # 08:15 in Amsterdam: the walk after breakfast
BAD_GATEWAY = "Bad Gateway"


@pytest.fixture
async def quick_bot(
    api: FakeBotApi, clock: SteppedClock, engine: Engine, database_path: Path
) -> AsyncIterator[BotHarness]:
    """The bot with Bot API calls that time out after 0.3 s instead of 5 s."""
    settings = make_settings(f"sqlite:///{database_path}")
    async with running_bot(
        api=api, clock=clock, engine=engine, settings=settings, read_timeout=0.3
    ) as harness:
        yield harness


async def _walk_nudge_due(bot: BotHarness) -> None:
    await bot.say(bot.api.user(ALICE, first_name="Alice"), "/start")
    bot.clock.set(WALK_TIME)


def _walk_nudge(bot: BotHarness) -> NudgeStatus:
    (nudge,) = [n for n in bot.nudges(ALICE) if n.slot == "walk-breakfast"]
    return NudgeStatus(nudge.status)


def _send_attempts(api: FakeBotApi) -> list[float]:
    return [
        call.monotonic
        for call in api.calls_named("sendMessage")
        if "n:" in str(call.params.get("reply_markup"))
    ]


async def test_flood_control_is_waited_out_and_the_nudge_still_goes(bot: BotHarness) -> None:
    await _walk_nudge_due(bot)
    bot.api.fail_next(
        "sendMessage", status=429, description="Too Many Requests: retry after 1", retry_after=1
    )
    await bot.tick()
    assert _walk_nudge(bot) == NudgeStatus.SENT
    first, second = _send_attempts(bot.api)
    assert second - first >= 1.0
    assert [c.status for c in bot.api.calls_named("sendMessage")][-2:] == [429, 200]


async def test_server_errors_are_retried_with_backoff_then_recorded_undelivered(
    bot: BotHarness,
) -> None:
    await _walk_nudge_due(bot)
    bot.api.fail_next("sendMessage", status=502, description=BAD_GATEWAY, times=100)
    await bot.tick()
    assert _walk_nudge(bot) == NudgeStatus.UNDELIVERED
    attempts = _send_attempts(bot.api)
    assert len(attempts) == 3  # bounded
    assert attempts[2] - attempts[1] > attempts[1] - attempts[0] >= 0.5  # backing off
    member = bot.member(ALICE)
    assert member is not None
    assert member.active  # a server error says nothing about the member
    # Recorded, so never tried again.
    bot.clock.advance(seconds=30)
    await bot.tick()
    assert len(_send_attempts(bot.api)) == 3


async def test_one_server_error_is_retried_and_the_nudge_goes(bot: BotHarness) -> None:
    await _walk_nudge_due(bot)
    bot.api.fail_next("sendMessage", status=500, description="Internal Server Error")
    await bot.tick()
    assert _walk_nudge(bot) == NudgeStatus.SENT
    assert len(_send_attempts(bot.api)) == 2
    assert len(bot.api.sent_messages(ALICE)) == 2  # the welcome and the one nudge


async def test_timeouts_are_retried_a_bounded_number_of_times_then_undelivered(
    quick_bot: BotHarness,
) -> None:
    bot = quick_bot
    await _walk_nudge_due(bot)
    bot.api.delay_next("sendMessage", 2.0, times=100)
    await bot.tick()
    assert _walk_nudge(bot) == NudgeStatus.UNDELIVERED
    assert len(_send_attempts(bot.api)) == 3
    assert len(bot.api.sent_messages(ALICE)) == 1  # only the welcome


async def test_one_timeout_is_retried_and_the_nudge_goes(quick_bot: BotHarness) -> None:
    bot = quick_bot
    await _walk_nudge_due(bot)
    bot.api.delay_next("sendMessage", 2.0)
    await bot.tick()
    assert _walk_nudge(bot) == NudgeStatus.SENT
    assert len(bot.api.sent_messages(ALICE)) == 2


async def test_a_member_who_blocked_the_bot_is_marked_inactive_and_left_alone(
    bot: BotHarness,
) -> None:
    await _walk_nudge_due(bot)
    bot.api.block_user(ALICE)
    await bot.tick()
    assert _walk_nudge(bot) == NudgeStatus.UNDELIVERED
    member = bot.member(ALICE)
    assert member is not None
    assert (member.active, member.next_due_at) == (False, None)
    attempts = len(bot.api.calls_named("sendMessage"))
    bot.clock.set(datetime(2026, 11, 23, 11, 0, tzinfo=UTC))  # several slots later
    await bot.tick()
    assert len(bot.api.calls_named("sendMessage")) == attempts


@pytest.mark.parametrize(
    "edit_error",
    [
        "Bad Request: message is not modified: specified new message content and reply markup are "
        "exactly the same as a current content and reply markup of the message",
        "Bad Request: message to edit not found",
        "Bad Request: there is no text in the message to edit",
    ],
)
async def test_harmless_edit_errors_change_nothing_for_the_member(
    bot: BotHarness, edit_error: str, caplog: pytest.LogCaptureFixture
) -> None:
    await _walk_nudge_due(bot)
    await bot.tick()
    nudge_message = bot.api.last_message(ALICE)
    bot.api.fail_next("editMessageText", status=400, description=edit_error)
    messages_before = len(bot.api.sent_messages(ALICE))
    with caplog.at_level(logging.WARNING):
        await bot.press(bot.api.user(ALICE), nudge_message, button_data(nudge_message, "done"))
    (checkin,) = bot.checkins(ALICE)
    assert checkin.status == "done"
    assert _walk_nudge(bot) == NudgeStatus.ANSWERED
    assert bot.api.calls_named("editMessageText")[-1].status == 400
    assert len(bot.api.sent_messages(ALICE)) == messages_before  # no apology
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_a_reply_telegram_refuses_is_logged_not_dropped_silently(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    alice = bot.api.user(ALICE)
    bot.api.fail_next("sendMessage", status=400, description="Bad Request: message is too long")
    with caplog.at_level(logging.WARNING):
        await bot.say(alice, "/help")
    (refused,) = [r for r in caplog.records if r.name == "bot.sender"]
    assert refused.levelno == logging.WARNING
    assert "Telegram refused a request: Message is too long" in refused.getMessage()
    await bot.say(alice, "/help")  # the bot carries on
    assert bot.api.last_message(ALICE)["text"].startswith(text("nl", "help")[:20])


@pytest.mark.slow
async def test_a_burst_of_1000_due_nudges_stays_within_the_flood_limit(
    api: FakeBotApi, clock: SteppedClock, engine: Engine, database_path: Path
) -> None:
    """1,000 nudges due at once; the limiter runs at 10x Telegram's 30/s and the fake enforces
    that same 10x rate, so the burst takes about 3 s instead of 34 (the ratio is what matters)."""
    rate = 300
    expected = seed_due_members(engine, 667, clock())  # 1,001 slots
    assert expected >= 1000
    api.enforce_flood_limit(rate, algorithm="token_bucket")
    settings = make_settings(f"sqlite:///{database_path}")
    limiter = AIORateLimiter(overall_max_rate=rate, overall_time_period=1, max_retries=0)
    async with running_bot(
        api=api, clock=clock, engine=engine, settings=settings, rate_limiter=limiter
    ) as bot:
        await bot.tick()
    assert len(nudge_sends(api)) == expected
    assert not [call for call in api.calls if call.status == 429]
    # A token bucket allows one burst of `rate`, then `rate` per second: over the whole burst the
    # bot cannot have gone faster than that.
    sent_at = [call.monotonic for call in api.calls_named("sendMessage") if call.ok]
    assert (len(sent_at) - rate) / (sent_at[-1] - sent_at[0]) <= rate * 1.05
    assert {n.status for n in all_nudges(engine)} == {NudgeStatus.SENT}
    assert afternoon_zone(clock())  # the seeded members' zone exists


def test_the_bot_itself_limits_sends_to_telegrams_30_per_second(engine: Engine, database_path: Path) -> None:
    application = build_application(
        settings=make_settings(f"sqlite:///{database_path}"), engine=engine, tips=load_shipped_tips()
    )
    limiter = application.bot.rate_limiter
    assert isinstance(limiter, PriorityRateLimiter)
    # The send budget is the overall limit (SQLite: one process, in memory); PTB's own is off.
    shared = engine.dialect.name == "postgresql"
    assert isinstance(limiter.budget, PostgresBudget if shared else LocalBudget)
    assert limiter.budget.rates.per_second == 30
    assert limiter._base_limiter is None


async def test_an_exception_in_a_handler_is_logged_apologised_for_and_survived(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    alice = bot.api.user(ALICE, first_name="Alice")
    await bot.say(alice, "/start")

    def broken(**_: object) -> None:
        raise RuntimeError("the database fell over")

    monkeypatch.setattr(checkins, "record_text", broken)
    with caplog.at_level(logging.ERROR):
        await bot.say(alice, "klaar")
    assert bot.api.last_message(ALICE)["text"] == text("nl", "error_apology")
    (logged,) = [r for r in caplog.records if r.name == "bot.handlers"]
    assert logged.exc_info is not None
    assert "the database fell over" in str(logged.exc_info[1])

    monkeypatch.undo()
    await bot.say(alice, "/today")
    assert bot.api.last_message(ALICE)["text"] != text("nl", "error_apology")
    assert bot.app.running


async def test_an_exception_in_a_tick_is_logged_and_the_next_tick_works(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await _walk_nudge_due(bot)
    messages_before = len(bot.api.sent_messages(ALICE))
    real_claim = dispatch.claim_due_nudges

    def broken(**_: object) -> None:
        raise RuntimeError("claim failed")

    monkeypatch.setattr(dispatch, "claim_due_nudges", broken)
    with caplog.at_level(logging.ERROR):
        await bot.tick()
    assert any(r.exc_info and "claim failed" in str(r.exc_info[1]) for r in caplog.records)
    assert len(bot.api.sent_messages(ALICE)) == messages_before  # nobody to apologise to

    monkeypatch.setattr(dispatch, "claim_due_nudges", real_claim)
    await bot.tick()
    assert _walk_nudge(bot) == NudgeStatus.SENT
    assert TOKEN not in caplog.text
