"""Factory helpers for tests that run the bot as a real process (`python -m bot`) against fakegram
served over loopback HTTP, with a SQLite file and the real clock."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.settings import Settings
from fakegram import FakeBotApi
from habits.members import reschedule
from storage.database import new_session
from storage.models import Member, Nudge
from tests.harness import ROOT, TOKEN

NUDGE_ID = re.compile(r"^n:(\d+):")
FIRST_MEMBER_ID = 50_000


def bot_environment(database_path: Path, api_url: str, **settings: str) -> dict[str, str]:
    """The environment for `python -m bot`: the test's settings only, none inherited."""
    names = {name.upper() for name in Settings.model_fields}
    env = {key: value for key, value in os.environ.items() if key.upper() not in names}
    env.update(
        {
            "PYTHONPATH": str(ROOT),
            "BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": api_url,
            "DATABASE_URL": f"sqlite:///{database_path}",
            "TIPS_PATH": str(ROOT / "content" / "tips.yaml"),
            "DISPATCH_INTERVAL_SECONDS": "0.2",
            "LOG_LEVEL": "INFO",
        }
    )
    env.update(settings)
    return env


@dataclass
class BotProcess:
    process: asyncio.subprocess.Process
    log_path: Path

    async def wait(self, timeout: float = 30.0) -> int:  # noqa: ASYNC109
        return await asyncio.wait_for(self.process.wait(), timeout)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


async def start_bot(env: dict[str, str], workdir: Path, log_path: Path) -> BotProcess:
    """Start `python -m bot` in `workdir` (no .env there), appending its output to `log_path`."""
    with log_path.open("ab") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            env=env,
            cwd=workdir,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
        )
    return BotProcess(process, log_path)


def afternoon_zone(now: datetime) -> ZoneInfo:
    """A fixed-offset zone where it is about 14:00 now, far from any routine-day turnover."""
    offset = 14 - now.hour
    if offset > 14:
        offset -= 24
    if offset < -12:
        offset += 24
    return ZoneInfo("UTC" if offset == 0 else f"Etc/GMT{-offset:+d}")


def seed_due_members(engine: Engine, count: int, now: datetime) -> int:
    """`count` members whose breathing slot (and, for every other one, the walk after lunch) fell
    due a few minutes before `now`, well inside the grace window; returns how many slots are due."""
    zone = afternoon_zone(now)
    local_now = now.astimezone(zone)
    breathing = (local_now - timedelta(minutes=3)).time().replace(second=0, microsecond=0)
    # The walk nudge comes 15 minutes after the meal: due about 5 minutes ago.
    lunch = (local_now - timedelta(minutes=20)).time().replace(second=0, microsecond=0)
    due = 0
    with new_session(engine) as session:
        for index in range(count):
            telegram_id = FIRST_MEMBER_ID + index
            member = Member(
                telegram_id=telegram_id,
                chat_id=telegram_id,
                first_name=f"M{index}",
                timezone=str(zone.key),
                breathing_time=breathing,
                lunch_time=lunch,
                water_on=False,
                sleep_on=False,
                walk_on=index % 2 == 0,
                created_at=now - timedelta(days=1),
                schedule_cursor=now - timedelta(minutes=10),
            )
            reschedule(member)
            assert member.next_due_at is not None
            assert member.next_due_at <= now
            session.add(member)
            due += 2 if member.walk_on else 1
        session.commit()
    return due


def nudge_sends(api: FakeBotApi) -> list[tuple[int, int]]:
    """(chat id, nudge id) of every nudge Telegram accepted, in order."""
    sends = []
    for call in api.calls_named("sendMessage"):
        if not call.ok:
            continue
        markup: Any = call.params.get("reply_markup") or {}
        data = [
            button.get("callback_data", "") for row in markup.get("inline_keyboard", []) for button in row
        ]
        ids = {int(match.group(1)) for item in data if (match := NUDGE_ID.match(item))}
        if ids:
            (nudge_id,) = ids
            sends.append((int(call.params["chat_id"]), nudge_id))
    return sends


def all_nudges(engine: Engine) -> Sequence[Nudge]:
    with new_session(engine) as session:
        return session.exec(select(Nudge)).all()
