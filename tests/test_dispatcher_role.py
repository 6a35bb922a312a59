"""ROLE=dispatcher: a worker that runs the dispatch tick and never polls Telegram for updates."""

from __future__ import annotations

import asyncio
import os
import signal
from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from bot.app import build_application
from bot.main import dispatch_until_stopped
from fakegram import FakeBotApi, FakeRequest
from habits.members import register_member
from scheduler.clock import SteppedClock
from storage.database import new_session
from tests.harness import load_shipped_tips, make_settings

WALK_TIME = datetime(2026, 11, 23, 7, 15, 10, tzinfo=UTC)  # 08:15:10 in Amsterdam


async def test_dispatcher_sends_due_nudges_without_polling_and_stops_on_sigterm(
    api: FakeBotApi, clock: SteppedClock, engine: Engine
) -> None:
    with new_session(engine) as session:
        register_member(
            session=session,
            telegram_id=501,
            chat_id=501,
            first_name="Ada",
            language_code="en",
            default_language="nl",
            default_timezone="Europe/Amsterdam",
            now=clock(),
        )
    clock.set(WALK_TIME)
    settings = make_settings("sqlite://", role="dispatcher", dispatch_interval_seconds=0.05)
    assert settings.role == "dispatcher"
    app = build_application(
        settings=settings, engine=engine, tips=load_shipped_tips(), clock=clock, request=FakeRequest(api)
    )
    running = asyncio.create_task(dispatch_until_stopped(app))

    (nudge,) = await api.wait_for_messages(501, count=1)
    assert nudge["text"].startswith("🚶")
    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.wait_for(running, timeout=5)
    assert api.calls_named("getUpdates") == []
    assert not app.running
