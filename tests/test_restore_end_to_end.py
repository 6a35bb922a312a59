"""A backup taken while the bot is dispatching, restored into a fresh place and run there by a new
bot: nothing the backup records as handed to Telegram goes out again, nothing it still owed is
lost, and every check-in in it is there."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from bench.common import default_member_rows, insert_rows
from fakegram import ApiCall, FakeBotApi
from scheduler.clock import SteppedClock
from storage.backups import backup_sqlite, restore_sqlite
from storage.models import NudgeStatus
from tests.harness import TOKEN, BotHarness, button_data, make_settings, running_bot, sqlite_engine

ONBOARDED = [2001, 2002, 2003, 2004]  # through /start, at 07:05 in Amsterdam
SLEEP_QUESTION = datetime(2026, 11, 23, 6, 15, 30, tzinfo=UTC)  # 07:15:30, wake-up + 15 min
WALKS_DUE = datetime(2026, 11, 23, 7, 15, 30, tzinfo=UTC)  # 08:15:30, everyone's breakfast walk
INSERTED = 25  # more members whose walk falls due then: 29 walks, three chunks of sends
BACKUP_AT_SEND = 15  # in the middle of the second chunk
HANDED_TO_TELEGRAM = {
    NudgeStatus.SENDING,
    NudgeStatus.SENT,
    NudgeStatus.SNOOZED,
    NudgeStatus.ANSWERED,
    NudgeStatus.UNCONFIRMED,
}


def nudge_id(call: ApiCall) -> int | None:
    """The nudge a sendMessage carried (its buttons say which), None for other messages."""
    if call.method != "sendMessage" or not call.ok:
        return None
    markup = call.params.get("reply_markup") or {}
    for row in markup.get("inline_keyboard", []):
        for button in row:
            data = str(button.get("callback_data", ""))
            if data.startswith("n:"):
                return int(data.split(":")[1])
    return None


def rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_a_backup_taken_mid_dispatch_restores_into_a_bot_that_sends_nothing_twice(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock, engine: Engine, database_path: Path, tmp_path: Path
) -> None:
    users = {telegram_id: api.user(telegram_id, first_name=f"M{telegram_id}") for telegram_id in ONBOARDED}
    for user in users.values():
        await bot.onboard(user)
    clock.set(SLEEP_QUESTION)
    await bot.tick()
    first, second, third, fourth = (users[telegram_id] for telegram_id in ONBOARDED)
    await bot.press(first, api.last_message(first.id), button_data(api.last_message(first.id), "hours:7"))
    await bot.press(second, api.last_message(second.id), button_data(api.last_message(second.id), "skip"))
    await bot.say(third, "7,5 uur")
    await bot.say(first, "2 glazen")
    await bot.say(fourth, "+1")

    insert_rows(engine, default_member_rows(INSERTED, cursor=WALKS_DUE - timedelta(minutes=1)))
    backup = tmp_path / "backups" / "mid-dispatch.sqlite3"
    sends: list[int] = []

    def back_up_mid_dispatch(call: ApiCall) -> None:
        sent = nudge_id(call)
        if sent is None:
            return
        sends.append(sent)
        if len(sends) == BACKUP_AT_SEND:
            backup_sqlite(f"sqlite:///{database_path}", backup)

    api.add_listener(back_up_mid_dispatch)
    clock.set(WALKS_DUE)
    await bot.tick()
    api.remove_listener(back_up_mid_dispatch)
    assert len(sends) == len(ONBOARDED) + INSERTED

    backed_up = dict(rows(backup, "SELECT id, status FROM nudge"))
    handed_over = {nudge for nudge, status in backed_up.items() if status in HANDED_TO_TELEGRAM}
    owed = {nudge for nudge, status in backed_up.items() if status == NudgeStatus.CLAIMED}
    statuses = set(backed_up.values())
    assert {NudgeStatus.SENT, NudgeStatus.SENDING, NudgeStatus.CLAIMED, NudgeStatus.ANSWERED} <= statuses
    checkins = rows(backup, "SELECT * FROM checkin ORDER BY id")
    assert {(row[2], row[7], row[8]) for row in checkins} == {
        ("sleep", "done", "button"),
        ("sleep", "skipped", "button"),
        ("sleep", "done", "text"),
        ("water", "done", "text"),
    }

    restored = tmp_path / "restored" / "habits.sqlite3"
    restore_sqlite(backup, f"sqlite:///{restored}")
    new_clock = SteppedClock(WALKS_DUE + timedelta(minutes=1))
    new_api = FakeBotApi(token=TOKEN, clock=new_clock)
    member_ids = [row[0] for row in rows(restored, "SELECT telegram_id FROM member")]
    for telegram_id in member_ids:
        new_api.user(telegram_id)
    restored_engine = sqlite_engine(restored)
    settings = make_settings(f"sqlite:///{restored}")
    try:
        async with running_bot(
            api=new_api, clock=new_clock, engine=restored_engine, settings=settings
        ) as again:
            # Past the claim lease, so that the claims in the backup are taken over (within the
            # grace window), then past 09:00, when the next glass of water falls due.
            await again.run_until(WALKS_DUE + timedelta(minutes=3))
            await again.run_until(datetime(2026, 11, 23, 8, 5, tzinfo=UTC))
    finally:
        restored_engine.dispose()

    resent = [nudge for nudge in (nudge_id(call) for call in new_api.calls) if nudge is not None]
    assert len(resent) == len(set(resent))
    assert set(resent) & handed_over == set()
    assert owed <= set(resent)  # never handed to Telegram as far as the backup knows: sent now
    assert any(nudge not in backed_up for nudge in resent)  # and the restored bot goes on nudging
    after = dict(rows(restored, "SELECT id, status FROM nudge"))
    for nudge, status in backed_up.items():
        if status == NudgeStatus.SENDING:
            assert after[nudge] == NudgeStatus.UNCONFIRMED
        elif status != NudgeStatus.CLAIMED:
            assert after[nudge] == status
    assert rows(restored, "SELECT * FROM checkin ORDER BY id")[: len(checkins)] == checkins
