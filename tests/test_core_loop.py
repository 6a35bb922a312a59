"""End to end: the real Application, handlers and JobQueue against the fake Bot API."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from fakegram import FakeBotApi
from scheduler.clock import SteppedClock
from storage.models import NudgeStatus
from tests.harness import (
    BotHarness,
    button_data,
    buttons,
    make_settings,
    running_bot,
)

ALICE = 1001
WALK_TIME = datetime(2026, 11, 23, 7, 15, tzinfo=UTC)  # 08:15 in Amsterdam


def sent_texts(api: FakeBotApi, chat_id: int) -> list[str]:
    return [message["text"] for message in api.sent_messages(chat_id)]


async def test_start_registers_with_defaults_and_greets_in_two_lines(bot: BotHarness) -> None:
    alice = bot.api.user(ALICE, first_name="Alice", language_code="nl")
    await bot.say(alice, "/start")
    member = bot.member(ALICE)
    assert member is not None
    assert (member.language, member.timezone) == ("nl", "Europe/Amsterdam")
    assert (member.wake_time.hour, member.bedtime.hour, member.lunch_time.minute) == (7, 23, 30)
    assert all((member.water_on, member.walk_on, member.breathing_on, member.sleep_on))
    greeting, first_step = sent_texts(bot.api, ALICE)[-1].split("\n\n")
    assert greeting.startswith("Hoi Alice!")
    assert len(greeting.splitlines()) == 2
    assert first_step == "🌐 Welke taal wil je?"


async def test_language_follows_telegram_when_english_else_dutch(bot: BotHarness) -> None:
    await bot.say(bot.api.user(2, language_code="en-GB"), "/start")
    await bot.say(bot.api.user(3, language_code="de"), "/start")
    assert bot.member(2).language == "en"  # type: ignore[union-attr]
    assert bot.member(3).language == "nl"  # type: ignore[union-attr]


async def test_walk_nudge_tap_done_is_stored_and_never_repeated(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock, engine: Engine, database_path: Path
) -> None:
    alice = api.user(ALICE, first_name="Alice")
    await bot.onboard(alice)
    clock.set(WALK_TIME)
    await bot.tick()

    nudge_message = api.last_message(ALICE)
    assert nudge_message["text"].startswith("🚶 Even wandelen na het ontbijt?")
    assert [label for label, _ in buttons(nudge_message)] == [
        "✅ Gedaan",
        "⏰ Over 15 min",
        "⏭️ Overslaan",
    ]
    await bot.press(alice, nudge_message, button_data(nudge_message, "done"))

    (checkin,) = bot.checkins(ALICE)
    assert (checkin.habit, checkin.slot, checkin.status, checkin.source) == (
        "walk",
        "walk-breakfast",
        "done",
        "button",
    )
    assert checkin.local_date == date(2026, 11, 23)
    assert checkin.created_at == WALK_TIME
    walk_nudge = next(n for n in bot.nudges(ALICE) if n.slot == "walk-breakfast")
    assert checkin.nudge_id == walk_nudge.id
    assert walk_nudge.status == NudgeStatus.ANSWERED

    edited = api.message(ALICE, nudge_message["message_id"])
    assert edited["text"].endswith("✅ Gedaan. Goed bezig!")
    assert "reply_markup" not in edited
    assert api.calls_named("answerCallbackQuery")

    messages_before = len(api.sent_messages(ALICE))
    for _ in range(5):
        clock.advance(seconds=15)
        await bot.tick()
    assert len(api.sent_messages(ALICE)) == messages_before

    # A restart on the same database sends nothing twice.
    await bot.app.updater.stop()  # type: ignore[union-attr]
    await bot.app.stop()
    await bot.app.shutdown()
    settings = make_settings(f"sqlite:///{database_path}")
    async with running_bot(api=api, clock=clock, engine=engine, settings=settings) as restarted:
        await restarted.tick()
        clock.advance(seconds=30)
        await restarted.tick()
        assert len(api.sent_messages(ALICE)) == messages_before
        clock.set(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))  # 09:00: the second glass of water
        await restarted.tick()
        assert api.last_message(ALICE)["text"].startswith("💧 Tijd voor een glas water (0/8)")
        assert len(api.sent_messages(ALICE)) == messages_before + 1
    # The fixture's own shutdown of the first app must stay harmless.
    bot.app.updater.stop = _noop  # type: ignore[method-assign, union-attr]
    bot.app.stop = _noop  # type: ignore[method-assign]
    bot.app.shutdown = _noop  # type: ignore[method-assign]


async def _noop() -> None:
    return None


async def test_missed_slots_older_than_grace_are_recorded_not_sent(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock
) -> None:
    alice = api.user(ALICE)
    await bot.onboard(alice)
    welcome_messages = len(sent_texts(api, ALICE))
    # The bot was down from 07:05 until 09:19 local: the 07:15 question and the 08:15 walk are
    # past their windows (missed), the 09:00 glass still has a minute of its 20.
    clock.set(datetime(2026, 11, 23, 8, 19, tzinfo=UTC))
    await bot.tick()
    statuses = {n.slot: n.status for n in bot.nudges(ALICE)}
    assert statuses == {
        "sleep-morning": NudgeStatus.MISSED,
        "walk-breakfast": NudgeStatus.MISSED,
        "water-0900": NudgeStatus.SENT,
    }
    assert len(sent_texts(api, ALICE)) == welcome_messages + 1  # the one late water nudge


async def test_times_set_for_tokyo_with_a_bedtime_after_midnight_land_at_the_right_instants(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock
) -> None:
    from datetime import time

    await bot.say(api.user(ALICE), "/start")
    member = bot.set_routine(ALICE, timezone="Asia/Tokyo", bedtime=time(0, 30))
    # 06:05 UTC is 15:05 in Tokyo (UTC+9): next is the 16:00 breathing exercise, 07:00 UTC,
    # whose window opens 10 minutes before and closes 20 minutes after.
    assert member.next_due_at == datetime(2026, 11, 23, 6, 50, tzinfo=UTC)
    assert member.next_deadline_at == datetime(2026, 11, 23, 7, 20, tzinfo=UTC)
    clock.set(datetime(2026, 11, 23, 14, 45, tzinfo=UTC))  # 23:45 Tokyo: wind-down for 00:30
    await bot.tick()
    sent = {n.slot: n.due_at for n in bot.nudges(ALICE) if n.status == NudgeStatus.SENT}
    assert sent == {"sleep-winddown": datetime(2026, 11, 23, 14, 45, tzinfo=UTC)}
    assert api.last_message(ALICE)["text"].startswith("🌙")
