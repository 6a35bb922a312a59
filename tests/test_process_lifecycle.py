"""The bot as a real process: a SIGTERM mid-dispatch stops it cleanly, and webhook mode only accepts
requests that carry the secret (and refuses to start without one)."""

from __future__ import annotations

import asyncio
import signal
import socket
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from fakegram import FakeBotApi, serve_http
from storage.models import NudgeStatus
from tests.harness import TOKEN, sqlite_engine
from tests.processes import (
    FIRST_MEMBER_ID,
    all_nudges,
    bot_environment,
    nudge_sends,
    seed_due_members,
    start_bot,
)

WEBHOOK_SECRET = "s3cret_webhook-Token"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.slow
async def test_sigterm_mid_dispatch_finishes_what_is_in_flight_and_releases_the_rest(
    tmp_path: Path,
) -> None:
    api = FakeBotApi(token=TOKEN)
    for index in range(120):
        api.user(FIRST_MEMBER_ID + index)
    database_path = tmp_path / "data" / "habits.sqlite3"
    engine = sqlite_engine(database_path)
    expected = seed_due_members(engine, 120, datetime.now(UTC))
    # Slow sends keep the tick busy long enough to be interrupted.
    api.delay_next("sendMessage", 0.1, times=10_000)
    async with await serve_http(api) as server:
        # A long lease: only a clean release lets the next start send the rest right away.
        env = bot_environment(database_path, server.base_url, CLAIM_LEASE_SECONDS="600")
        bot = await start_bot(env, tmp_path, tmp_path / "bot.log")
        await api.wait_until(lambda: len(nudge_sends(api)) >= 20, timeout=20, what="sends")
        bot.process.send_signal(signal.SIGTERM)
        assert await bot.wait(timeout=15) == 0, bot.log()[-3000:]

        sent_before_restart = nudge_sends(api)
        statuses = Counter(n.status for n in all_nudges(engine))
        # A member's later slot (the breathing after the walk) may not be claimed yet: it stays
        # due, for the next claim, and is sent after the restart like the released ones.
        assert len(all_nudges(engine)) <= expected
        # Nothing was left half-done: every send it started is recorded, the rest is released.
        assert set(statuses) == {NudgeStatus.SENT, NudgeStatus.CLAIMED}, statuses
        assert statuses[NudgeStatus.SENT] == len(sent_before_restart)
        assert all(n.claimed_by is None for n in all_nudges(engine) if n.status == NudgeStatus.CLAIMED)

        restarted = await start_bot(env, tmp_path, tmp_path / "bot.log")
        await api.wait_until(
            lambda: len(nudge_sends(api)) >= expected, timeout=30, what="the released nudges"
        )
        restarted.process.send_signal(signal.SIGTERM)
        assert await restarted.wait(timeout=15) == 0
    sends = nudge_sends(api)
    assert len(sends) == len(set(sends)) == expected
    assert {n.status for n in all_nudges(engine)} == {NudgeStatus.SENT}
    engine.dispose()


async def _post(client: httpx.AsyncClient, url: str, body: object, secret: str | None) -> httpx.Response:
    headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
    return await client.post(url, json=body, headers=headers)


@pytest.mark.slow
async def test_webhook_mode_rejects_requests_without_the_right_secret(tmp_path: Path) -> None:
    api = FakeBotApi(token=TOKEN)
    alice = api.user(4242, first_name="Alice")
    database_path = tmp_path / "data" / "habits.sqlite3"
    port = free_port()
    async with await serve_http(api) as server:
        env = bot_environment(
            database_path,
            server.base_url,
            WEBHOOK_URL="https://habits.example.org/telegram/hook",
            WEBHOOK_SECRET=WEBHOOK_SECRET,
            WEBHOOK_LISTEN="127.0.0.1",
            WEBHOOK_PORT=str(port),
        )
        bot = await start_bot(env, tmp_path, tmp_path / "bot.log")
        try:
            set_webhook = await api.wait_for_call("setWebhook", timeout=20)
            assert set_webhook.params["url"] == "https://habits.example.org/telegram/hook"
            assert set_webhook.params["secret_token"] == WEBHOOK_SECRET
            url = f"http://127.0.0.1:{port}/telegram/hook"
            update = alice.send_text("/start")
            async with httpx.AsyncClient(timeout=5) as client:
                for _ in range(50):  # the server may still be coming up
                    try:
                        missing = await _post(client, url, update, None)
                        break
                    except httpx.ConnectError:
                        await asyncio.sleep(0.1)
                wrong = await _post(client, url, update, "not-the-secret")
                empty = await _post(client, url, update, "")
                assert (missing.status_code, wrong.status_code, empty.status_code) == (403, 403, 403)
                assert not api.sent_messages(alice.id)

                accepted = await _post(client, url, update, WEBHOOK_SECRET)
                assert accepted.status_code == 200
                (welcome,) = await api.wait_for_messages(alice.id, 1, timeout=10)
                assert welcome["text"].startswith("Hoi Alice!")
        finally:
            bot.process.send_signal(signal.SIGTERM)
            assert await bot.wait(timeout=15) == 0
    assert TOKEN not in bot.log()
    assert WEBHOOK_SECRET not in bot.log()


@pytest.mark.parametrize(
    ("secret", "shown"),
    [(None, "WEBHOOK_SECRET is not"), ("has spaces and !", "WEBHOOK_SECRET must be")],
)
async def test_webhook_mode_refuses_to_start_without_a_usable_secret(
    tmp_path: Path, secret: str | None, shown: str
) -> None:
    settings = {"WEBHOOK_URL": "https://habits.example.org/hook"}
    if secret is not None:
        settings["WEBHOOK_SECRET"] = secret
    env = bot_environment(tmp_path / "habits.sqlite3", "http://127.0.0.1:9/bot", **settings)
    bot = await start_bot(env, tmp_path, tmp_path / "bot.log")
    assert await bot.wait() == 2
    output = bot.log()
    assert shown in output
    assert TOKEN not in output
    if secret is not None:
        assert secret not in output
    assert not (tmp_path / "habits.sqlite3").exists()
