"""The crash window of a dispatch round: at most one chunk of nudges is SENDING at any moment."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.engine import Engine

from bench.common import WALK_DUE, default_member_rows, insert_rows
from fakegram import ApiCall, FakeBotApi
from scheduler.clock import SteppedClock
from scheduler.dispatch import DispatchPolicy
from storage.models import NudgeStatus
from tests.harness import BotHarness

MEMBERS = 35  # three full chunks of 10 and a last one of 5


async def test_every_nudge_is_sending_when_it_goes_out_and_never_more_than_a_chunk(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock, engine: Engine
) -> None:
    insert_rows(engine, default_member_rows(MEMBERS))  # everyone's walk is due at 08:15
    clock.set(WALK_DUE + timedelta(seconds=30))
    chunk = DispatchPolicy().concurrent_sends
    seen: list[tuple[str, int]] = []

    def committed_state(call: ApiCall) -> None:
        if call.method != "sendMessage" or not call.ok:
            return
        nudge_id = int(call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"].split(":")[1])
        with engine.connect() as connection:  # what a crash right now would leave behind
            statuses = dict(connection.execute(text("SELECT id, status FROM nudge")).all())
        seen.append((statuses[nudge_id], Counter(statuses.values())[NudgeStatus.SENDING]))

    api.add_listener(committed_state)
    await bot.tick()
    api.remove_listener(committed_state)

    assert len(seen) == MEMBERS
    assert {status for status, _ in seen} == {NudgeStatus.SENDING}
    assert max(sending for _, sending in seen) == chunk
    with engine.connect() as connection:
        final = Counter(status for (status,) in connection.execute(text("SELECT status FROM nudge")))
    assert final == {NudgeStatus.SENT: MEMBERS}
