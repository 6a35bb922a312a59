"""The tests' helpers on top of bot/offline.py (the real bot against fakegram on a stepped clock)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import fields
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from sqlalchemy.engine import Engine

from bot.app import TIP_WATCH_JOB_NAME
from bot.offline import OfflineBot, offline_bot
from bot.settings import Settings, load_settings
from fakegram import FakeBotApi, FakeUser
from habits.members import reschedule
from scheduler.clock import SteppedClock
from storage import queries
from storage.database import create_db_engine, new_session, upgrade_schema
from storage.models import CheckIn, Member, Nudge
from tips.library import TipLibrary, load_tip_library

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456:TEST-TOKEN-do-not-leak"
# The admin in ADMIN_IDS of the `admin_bot` fixture.
ADMIN = 4242


def make_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "bot_token": SecretStr(TOKEN),
        "database_url": database_url,
        "tips_path": ROOT / "content" / "tips.yaml",
        "telegram_api_url": "http://127.0.0.1:9/bot",
        "dispatch_interval_seconds": 30,
        # Weekly pictures are drawn in a thread: a pool of processes per test would cost seconds
        # (tests/test_chart_workers.py covers the pool).
        "render_workers": 0,
        "_env_file": None,
    }
    values.update(overrides)
    return load_settings(**values)


class BotHarness(OfflineBot):
    """The running bot with the tests' helpers: members who talk and tap, and their rows."""

    async def watch_tips(self) -> None:
        """Run the tip-file watch once, as the JobQueue would every half minute."""
        await self.run_job(TIP_WATCH_JOB_NAME)

    async def say(self, user: FakeUser, message: str) -> None:
        user.send_text(message)
        await self.settle()

    async def press(self, user: FakeUser, message: dict[str, Any], callback_data: str) -> None:
        user.press(message, callback_data)
        await self.settle()

    async def react(self, user: FakeUser, message: dict[str, Any] | int, emoji: str | None) -> None:
        user.react(message, emoji)
        await self.settle()

    async def press_label(self, user: FakeUser, label: str) -> None:
        """Press the button whose label contains `label` on the bot's latest message with buttons."""
        message = latest_with_buttons(self.api, user.id)
        await self.press(user, message, button_with_label(message, label))

    async def onboard(self, user: FakeUser) -> None:
        """/start, then accept every default: Next on each step and Start on the summary."""
        await self.say(user, "/start")
        for _ in range(6):
            message = latest_with_buttons(self.api, user.id)
            data = [data for _, data in buttons(message)]
            finish = [d for d in data if d.endswith(":finish")]
            if finish:
                await self.press(user, message, finish[0])
                return
            (advance,) = [d for d in data if d.endswith(":next")]
            await self.press(user, message, advance)
        raise AssertionError("onboarding did not reach Start within 6 taps")

    async def answer_until(self, moment: datetime, telegram_id: int | None = None) -> None:
        """`run_until`, with every member (or only `telegram_id`) answering each nudge as it comes:
        done, a glass, or 7 hours of sleep."""
        while True:
            with new_session(self.engine) as session:
                due = queries.earliest_due_at(session=session)
            if due is None or due > moment:
                break
            self.clock.set(max(due, self.clock()))
            await self.tick()
            await self._answer_open_nudges(telegram_id)
        self.clock.set(moment)
        await self.tick()
        await self._answer_open_nudges(telegram_id)

    async def _answer_open_nudges(self, telegram_id: int | None) -> None:
        for message in self.api.sent_messages():
            chat_id = message["chat"]["id"]
            if telegram_id is not None and chat_id != telegram_id:
                continue
            answers = [data for _, data in buttons(message) if data.startswith("n:")]
            answers = [d for d in answers if d.split(":", 2)[2] in ("done", "glass", "hours:7")]
            if answers:
                await self.press(self.api.user(chat_id), message, answers[0])

    def member(self, telegram_id: int) -> Member | None:
        with new_session(self.engine) as session:
            return queries.get_member_by_telegram_id(session=session, telegram_id=telegram_id)

    def set_routine(self, telegram_id: int, **changes: Any) -> Member:
        """Change a member's stored times or zone directly, as a settings screen would."""
        with new_session(self.engine) as session:
            member = queries.get_member_by_telegram_id(session=session, telegram_id=telegram_id)
            assert member is not None
            for name, value in changes.items():
                assert hasattr(member, name), name
                setattr(member, name, value)
            reschedule(member)
            session.commit()
            return member

    def checkins(self, telegram_id: int) -> Sequence[CheckIn]:
        member = self.member(telegram_id)
        assert member is not None
        assert member.id is not None
        with new_session(self.engine) as session:
            return queries.checkins_of_member(session=session, member_id=member.id)

    def nudges(self, telegram_id: int) -> Sequence[Nudge]:
        member = self.member(telegram_id)
        assert member is not None
        assert member.id is not None
        with new_session(self.engine) as session:
            return queries.nudges_of_member(session=session, member_id=member.id)


def load_shipped_tips() -> TipLibrary:
    return load_tip_library(ROOT / "content" / "tips.yaml")


@asynccontextmanager
async def running_bot(
    *, settings: Settings, clock: SteppedClock, api: FakeBotApi, engine: Engine, **options: Any
) -> AsyncIterator[BotHarness]:
    """`bot.offline.offline_bot` (same options) with the tests' helpers on the bot it yields.

    The repeating jobs are paused unless `real_ticks=True`, so that tests run them by hand.
    """
    async with offline_bot(settings, clock=clock, api=api, engine=engine, **options) as bot:
        yield BotHarness(**{field.name: getattr(bot, field.name) for field in fields(bot)})


def sqlite_engine(path: Path) -> Engine:
    engine = create_db_engine(f"sqlite:///{path}")
    upgrade_schema(engine)
    return engine


def buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, callback_data) of every inline button on a message."""
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [(button["text"], button.get("callback_data", "")) for row in rows for button in row]


def button_data(message: dict[str, Any], action: str) -> str:
    """The callback data of the button whose action is `action` ("done", "skip", "hours:7")."""
    for _, data in buttons(message):
        if data.split(":", 2)[2] == action:
            return data
    raise AssertionError(f"no {action!r} button on {message.get('text')!r}")


def latest_with_buttons(api: FakeBotApi, chat_id: int) -> dict[str, Any]:
    """The bot's latest message in a chat that still carries inline buttons."""
    for message in reversed(api.sent_messages(chat_id)):
        if buttons(message):
            return message
    raise AssertionError(f"no message with buttons in chat {chat_id}")


def button_with_label(message: dict[str, Any], label: str) -> str:
    """The callback data of the button whose label contains `label`."""
    found = [data for text, data in buttons(message) if label in text]
    if len(found) != 1:
        raise AssertionError(
            f"{len(found)} buttons labelled {label!r} on {message.get('text')!r}: "
            f"{[text for text, _ in buttons(message)]}"
        )
    return found[0]
