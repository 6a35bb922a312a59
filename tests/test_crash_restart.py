"""The bot as a real process, killed with SIGKILL at random moments while it sends hundreds of due
nudges and members answer: nothing is delivered twice, nothing due is unaccounted for, and every
check-in the bot acknowledged is in the database."""

from __future__ import annotations

import asyncio
import random
import re
import signal
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from bot.texts import text
from fakegram import ApiCall, FakeBotApi, FakeUser, serve_http
from scheduler.dispatch import DispatchPolicy
from storage.database import new_session
from storage.models import CheckIn, Member, NudgeStatus
from tests.harness import TOKEN, sqlite_engine
from tests.processes import (
    FIRST_MEMBER_ID,
    NUDGE_ID,
    all_nudges,
    bot_environment,
    nudge_sends,
    seed_due_members,
    start_bot,
)

MEMBERS = 500  # 750 due nudges: enough to be still sending at the 20th kill
KILLS = 20
SETTLED = {
    NudgeStatus.SENT,
    NudgeStatus.ANSWERED,
    NudgeStatus.UNCONFIRMED,
    NudgeStatus.UNDELIVERED,
    NudgeStatus.MISSED,
}
GLASSES_ACK = re.compile(r"(\d+)/(\d+)")


@dataclass
class Activity:
    """What the simulated members did, and the counters the kill moments are chosen by."""

    nudges_sent: int = 0
    get_me_calls: int = 0
    delivered: list[ApiCall] = field(default_factory=list)
    presses: dict[str, tuple[int, int, str]] = field(default_factory=dict)  # query id -> ...
    texts: Counter[int] = field(default_factory=Counter)

    def listen(self, call: ApiCall) -> None:
        if call.method == "getMe":
            self.get_me_calls += 1
        elif call.method == "sendMessage" and call.ok and "n:" in str(call.params.get("reply_markup")):
            self.nudges_sent += 1
            self.delivered.append(call)


async def members_answer(
    api: FakeBotApi,
    users: dict[int, FakeUser],
    activity: Activity,
    rng: random.Random,
    stop: asyncio.Event,
) -> None:
    """Members tap done/skip on nudges they got (sometimes twice) and type "2 glazen"."""
    while not stop.is_set():
        await asyncio.sleep(rng.uniform(0.1, 0.3))
        if activity.delivered and rng.random() < 0.7:
            call = rng.choice(activity.delivered)
            chat_id = int(call.params["chat_id"])
            data = call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
            match = NUDGE_ID.match(data)
            assert match is not None
            action = rng.choice(["done", "skip"])
            update = users[chat_id].press(
                call.result["message_id"], f"n:{match.group(1)}:{action}", check_button=False
            )
            activity.presses[update["callback_query"]["id"]] = (chat_id, int(match.group(1)), action)
        else:
            telegram_id = rng.choice(list(users))
            users[telegram_id].send_text("2 glazen")
            activity.texts[telegram_id] += 1


def _unsettled_and_sending(engine_path: Path, expected: int) -> tuple[int, set[int]]:
    """How many due nudges are not settled yet, and the ids of those handed to Telegram whose
    outcome is not recorded (SENDING)."""
    engine = sqlite_engine(engine_path)
    try:
        nudges = all_nudges(engine)
        unsettled = expected - len(nudges) + sum(n.status not in SETTLED for n in nudges)
        return unsettled, {n.id for n in nudges if n.status == NudgeStatus.SENDING and n.id}
    finally:
        engine.dispose()


@pytest.mark.slow
async def test_sigkill_at_random_moments_never_doubles_or_loses_anything(tmp_path: Path) -> None:
    seed = random.randrange(1_000_000)
    rng = random.Random(seed)
    api = FakeBotApi(token=TOKEN)
    activity = Activity()
    api.add_listener(activity.listen)
    users = {FIRST_MEMBER_ID + i: api.user(FIRST_MEMBER_ID + i) for i in range(MEMBERS)}
    database_path = tmp_path / "data" / "habits.sqlite3"
    engine = sqlite_engine(database_path)
    expected = seed_due_members(engine, MEMBERS, datetime.now(UTC))
    assert expected >= 500
    log_path = tmp_path / "bot.log"
    stop_members = asyncio.Event()

    async with await serve_http(api) as server:
        env = bot_environment(database_path, server.base_url, CLAIM_LEASE_SECONDS="1")
        answering = asyncio.create_task(members_answer(api, users, activity, rng, stop_members))
        unsettled_at_kill, left_sending_at_kill = [], []
        sending: set[int] = set()
        for _ in range(KILLS):
            bot = await start_bot(env, tmp_path, log_path)
            if rng.random() < 0.3:
                # Early: while the first tick claims, or before it has sent anything.
                started = activity.get_me_calls
                await api.wait_until(
                    lambda s=started: activity.get_me_calls > s, timeout=20, what="the bot to start"
                )
                await asyncio.sleep(rng.uniform(0.0, 0.8))
            else:
                target = activity.nudges_sent + rng.randint(1, 15)
                await api.wait_until(
                    lambda t=target: activity.nudges_sent >= t, timeout=20, what="nudges to go out"
                )
                await asyncio.sleep(rng.uniform(0.0, 0.03))
            bot.process.send_signal(signal.SIGKILL)
            assert await bot.wait() == -signal.SIGKILL
            unsettled, sending_now = _unsettled_and_sending(database_path, expected)
            unsettled_at_kill.append(unsettled)
            left_sending_at_kill.append(len(sending_now - sending))
            sending = sending_now

        # The last start runs until every due nudge is settled; then members stop and it is
        # stopped gracefully.
        bot = await start_bot(env, tmp_path, log_path)
        for _ in range(300):
            if _unsettled_and_sending(database_path, expected)[0] == 0:
                break
            await asyncio.sleep(0.2)
        stop_members.set()
        await answering
        await api.wait_until(lambda: api.pending_updates() == 0, timeout=10, what="updates fetched")
        await asyncio.sleep(1.0)
        bot.process.send_signal(signal.SIGTERM)
        assert await bot.wait() == 0, bot.log()[-3000:]

    context = (
        f"(seed {seed}, unsettled at each kill {unsettled_at_kill}, left sending {left_sending_at_kill})"
    )
    # Every kill came while nudges were still waiting to be dealt with.
    assert all(count > 0 for count in unsettled_at_kill), context
    # A kill leaves at most the one chunk in flight with its outcome unrecorded.
    assert max(left_sending_at_kill) <= DispatchPolicy().concurrent_sends, context
    assert sum(left_sending_at_kill) > 0, context  # and some kills did land mid-chunk

    # No nudge delivered twice, and every delivery was a nudge for that member's chat.
    sends = nudge_sends(api)
    doubled = {key: n for key, n in Counter(sends).items() if n > 1}
    assert not doubled, context
    nudges = {nudge.id: nudge for nudge in all_nudges(engine)}
    with new_session(engine) as session:
        chats = {m.id: m.chat_id for m in session.exec(select(Member)).all()}
        checkins = session.exec(select(CheckIn)).all()
    assert len(nudges) == expected, context
    delivered = {nudge_id for _, nudge_id in sends}
    for chat_id, nudge_id in sends:
        assert chats[nudges[nudge_id].member_id] == chat_id

    # Every due nudge is accounted for: delivered and recorded, or recorded as not sent.
    statuses = Counter(nudge.status for nudge in nudges.values())
    assert set(statuses) <= SETTLED, (statuses, context)
    for nudge in nudges.values():
        if nudge.status in (NudgeStatus.SENT, NudgeStatus.ANSWERED):
            assert nudge.id in delivered, (nudge, context)
        if nudge.status in (NudgeStatus.UNDELIVERED, NudgeStatus.MISSED):
            assert nudge.id not in delivered, (nudge, context)
    # Those, and only those, end unconfirmed.
    assert statuses[NudgeStatus.UNCONFIRMED] <= sum(left_sending_at_kill), (statuses, context)
    assert statuses[NudgeStatus.SENT] + statuses[NudgeStatus.ANSWERED] > expected // 2, statuses

    # Every acknowledged button answer is stored, and no nudge is answered twice.
    recorded = {text("nl", "answer_done"): "done", text("nl", "answer_skipped"): "skipped"}
    answers_by_nudge = Counter(c.nudge_id for c in checkins if c.nudge_id is not None)
    assert all(n == 1 for n in answers_by_nudge.values()), context
    acknowledged = 0
    for query_id, (_, nudge_id, _) in activity.presses.items():
        answer = api.callback_answers.get(query_id, {}).get("text")
        if answer in recorded:
            acknowledged += 1
            stored = [c for c in checkins if c.nudge_id == nudge_id]
            assert [c.status for c in stored] == [recorded[answer]], (nudge_id, context)
            assert nudges[nudge_id].status == NudgeStatus.ANSWERED
    assert acknowledged > 0

    # Every acknowledged glass of water is stored: the highest total the bot confirmed to a
    # member never exceeds what the database holds for them.
    water: Counter[int] = Counter()
    for checkin in checkins:
        if checkin.habit == "water":
            water[chats[checkin.member_id]] += int(checkin.value or 0)
    confirmed: Counter[int] = Counter()
    for call in api.calls_named("sendMessage"):
        message = str(call.params.get("text", ""))
        if call.ok and message.startswith(("💧 Genoteerd", "🎉 Doel gehaald")):
            match = GLASSES_ACK.search(message)
            assert match is not None
            chat_id = int(call.params["chat_id"])
            confirmed[chat_id] = max(confirmed[chat_id], int(match.group(1)))
    assert confirmed
    for chat_id, glasses in confirmed.items():
        assert water[chat_id] >= glasses, (chat_id, context)

    assert TOKEN not in log_path.read_text(errors="replace")
    engine.dispose()
