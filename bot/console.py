"""An offline chat with the very same bot in a terminal, without Telegram and without a token.

The real Application (handlers, JobQueue, dispatcher, database code) runs against fakegram's
in-process fake Bot API. Bot messages are printed with their buttons numbered; typing a number
presses one. Lines starting with ":" are console commands (":help" lists them); ":ff 2h" or
":ff 08:15" moves the bot's clock forward and delivers every nudge that falls due on the way.

The database is a fresh SQLite file in a temporary folder, removed on exit: every session starts
as a new member, and the real bot's data is never touched.
"""

from __future__ import annotations

import asyncio
import re
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from pydantic import SecretStr
from telegram import Update
from telegram.ext import AIORateLimiter

from bot.app import DISPATCH_JOB_NAME, build_application
from bot.context import HabitsApplication
from bot.settings import Settings
from fakegram import ApiCall, FakeBotApi, FakeRequest, FakeUser
from habits.parsing import parse_time_of_day
from storage import queries
from storage.database import create_db_engine, new_session, upgrade_schema
from tips.library import load_tip_library

CONSOLE_TOKEN = "100000:offline-console"
CONSOLE_USER_ID = 1
HELP = """Console commands:
  <number>        press the button with that number
  :ff 2h | :ff 45m | :ff 1d | :ff 08:15
                  move the clock forward (to the next 08:15 local time) and deliver the
                  nudges that fall due on the way
  :loc LAT LON    share a location (e.g. :loc 35.68 139.69 for Tokyo)
  :time           show the bot's clock
  :help           this text
  :quit           leave (Ctrl-D works too)
Anything else is sent to the bot as a message, e.g. /start, /settings, 2 glazen."""
_DURATION = re.compile(r"^(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m(?:in)?)?$")
LOCATION_HINT = "Type the location as: latitude longitude (e.g. 52.37 4.90)"


class ConsoleClock:
    """Real time plus however far the console has fast-forwarded."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def forward_to(self, moment: datetime) -> None:
        self.offset += max(moment - self(), timedelta())


def fast_forward_target(argument: str, now: datetime, zone: ZoneInfo) -> datetime | None:
    """Where ":ff ARGUMENT" moves the clock: a duration ("2h", "1h30m", "1d"), or the next
    occurrence of a local time ("08:15"). None when the argument is neither."""
    argument = argument.strip().lower().replace(" ", "")
    clock_time = parse_time_of_day(argument) if ":" in argument or "." in argument else None
    if clock_time is not None:
        return _next_local(now, zone, clock_time)
    match = _DURATION.fullmatch(argument)
    if not argument or match is None:
        return None
    days, hours, minutes = (int(part or 0) for part in match.groups())
    delta = timedelta(days=days, hours=hours, minutes=minutes)
    return now + delta if delta > timedelta() else None


def _next_local(now: datetime, zone: ZoneInfo, wanted: time) -> datetime:
    local = now.astimezone(zone)
    candidate = datetime.combine(local.date(), wanted, tzinfo=zone)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), wanted, tzinfo=zone)
    return candidate.astimezone(UTC)


@dataclass(frozen=True)
class Choice:
    label: str
    message_id: int | None = None  # inline buttons: the message that carries them
    callback_data: str | None = None
    sends_location: bool = False  # reply keyboard: share location; else it sends its label


class ConsoleChat:
    """Prints what the bot does in the chat and turns typed lines into the user's actions."""

    def __init__(
        self,
        *,
        api: FakeBotApi,
        app: HabitsApplication,
        clock: ConsoleClock,
        user: FakeUser,
        out: TextIO,
        default_zone: str,
    ) -> None:
        self.api, self.app, self.clock, self.user, self.out = api, app, clock, user, out
        self.default_zone = default_zone
        self.choices: list[Choice] = []
        self.awaiting_location = False

    # -- output ------------------------------------------------------------------------------

    def on_call(self, call: ApiCall) -> None:
        if not call.ok:
            return
        if call.method == "answerCallbackQuery" and call.params.get("text"):
            self.write(f"  (i) {call.params['text']}")
        elif call.method in ("sendMessage", "editMessageText"):
            message = call.result
            if isinstance(message, dict) and message.get("chat", {}).get("id") == self.user.id:
                self.show(message, edited=call.method == "editMessageText", params=call.params)

    def show(self, message: dict[str, Any], *, edited: bool, params: dict[str, Any]) -> None:
        prefix = "bot (edited)" if edited else "bot"
        lines = str(message.get("text", "")).splitlines() or [""]
        self.write(f"{prefix} > {lines[0]}")
        for line in lines[1:]:
            self.write(f"      {line}")
        choices = self._choices(message, params)
        if edited and not choices and any(c.message_id == message.get("message_id") for c in self.choices):
            self.choices = []  # the buttons shown last are gone from their message
        if choices:
            self.choices = choices
            for number, choice in enumerate(choices, start=1):
                self.write(f"      [{number}] {choice.label}")

    def _choices(self, message: dict[str, Any], params: dict[str, Any]) -> list[Choice]:
        rows = message.get("reply_markup", {}).get("inline_keyboard", [])
        inline = [
            Choice(button["text"], message["message_id"], button.get("callback_data"))
            for row in rows
            for button in row
        ]
        markup = params.get("reply_markup")
        keyboard = markup.get("keyboard", []) if isinstance(markup, dict) else []
        reply = [
            Choice(button["text"], sends_location=bool(button.get("request_location")))
            for row in keyboard
            for button in row
        ]
        return inline + reply

    def write(self, line: str) -> None:
        print(line, file=self.out, flush=True)

    # -- input -------------------------------------------------------------------------------

    async def handle(self, line: str) -> bool:
        """Act on one typed line; False when the person wants to leave."""
        line = line.strip()
        if not line:
            return True
        if self.awaiting_location:
            self.awaiting_location = False
            return await self._location(line)
        if line.isdecimal():
            return await self._press(int(line))
        if line.startswith(":"):
            return await self._command(line[1:])
        self.user.send_text(line)
        await self.settle()
        return True

    async def _press(self, number: int) -> bool:
        if not 1 <= number <= len(self.choices):
            self.write(
                f"  (no button {number}; the last buttons shown are numbered 1-{len(self.choices)})"
                if self.choices
                else "  (no buttons to press)"
            )
            return True
        choice = self.choices[number - 1]
        if choice.sends_location:
            self.awaiting_location = True
            self.write(f"  ({LOCATION_HINT})")
        elif choice.callback_data is not None and choice.message_id is not None:
            self.user.press(choice.message_id, choice.callback_data, check_button=False)
            await self.settle()
        else:
            self.user.send_text(choice.label)
            await self.settle()
        return True

    async def _command(self, command: str) -> bool:
        name, _, argument = command.strip().partition(" ")
        if name in ("quit", "q", "exit"):
            return False
        if name == "ff":
            target = fast_forward_target(argument, self.clock(), self.zone())
            if target is None:
                self.write("  (say how far, e.g. :ff 2h, :ff 30m, :ff 1d or :ff 08:15)")
            else:
                await self.fast_forward(target)
        elif name == "loc":
            return await self._location(argument)
        elif name == "time":
            self.show_time()
        else:
            self.write(HELP)
        return True

    async def _location(self, text: str) -> bool:
        parts = text.replace(",", " ").split()
        try:
            latitude, longitude = (float(part) for part in parts)
        except ValueError:
            self.write(f"  ({LOCATION_HINT})")
            return True
        self.user.send_location(latitude, longitude)
        await self.settle()
        return True

    def zone(self) -> ZoneInfo:
        with new_session(self.app.services.engine) as session:
            member = queries.get_member_by_telegram_id(session=session, telegram_id=self.user.id)
        return ZoneInfo(member.timezone if member else self.default_zone)

    def show_time(self) -> None:
        zone = self.zone()
        self.write(f"  (clock: {self.clock().astimezone(zone):%a %d %b %H:%M} {zone.key})")

    async def fast_forward(self, target: datetime) -> None:
        """Step from one due moment to the next, as the running bot would, until `target`."""
        while True:
            with new_session(self.app.services.engine) as session:
                due = queries.earliest_due_at(session=session)
            if due is None or due > target:
                break
            self.clock.forward_to(due)
            await self.tick()
        self.clock.forward_to(target)
        await self.tick()
        self.show_time()

    async def tick(self) -> None:
        assert self.app.job_queue is not None
        for job in self.app.job_queue.get_jobs_by_name(DISPATCH_JOB_NAME):
            await job.run(self.app)

    async def settle(self) -> None:
        await self.api.wait_until(lambda: self.api.pending_updates() == 0, what="updates", timeout=30)
        await self.app.update_queue.join()


async def run_console_session(
    settings: Settings,
    *,
    stdin: TextIO,
    out: TextIO,
    database_url: str,
    echo: bool,
) -> int:
    """Run the bot against the fake Bot API and chat with it until the input ends."""
    clock = ConsoleClock()
    api = FakeBotApi(
        token=CONSOLE_TOKEN, clock=clock, bot_username="habits_console_bot", bot_first_name="Habits"
    )
    engine = create_db_engine(database_url)
    upgrade_schema(engine)
    console_settings = settings.model_copy(update={"bot_token": SecretStr(CONSOLE_TOKEN)})
    app = build_application(
        settings=console_settings,
        engine=engine,
        tips=load_tip_library(settings.tips_path),
        clock=clock,
        request=FakeRequest(api),
        updates_request=FakeRequest(api),
        rate_limiter=AIORateLimiter(max_retries=2),
    )
    user = api.user(CONSOLE_USER_ID, first_name="You", language_code=settings.default_language)
    chat = ConsoleChat(
        api=api, app=app, clock=clock, user=user, out=out, default_zone=settings.default_timezone
    )
    api.add_listener(chat.on_call)
    await app.initialize()
    if app.post_init is not None:  # run_polling would run it; start-up does the same here
        await app.post_init(app)
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=Update.ALL_TYPES)
    await app.start()
    chat.write(
        "Offline chat with the habits bot (no Telegram needed). Type /start to begin, "
        ":help for the console commands."
    )
    try:
        while True:
            line = await asyncio.to_thread(stdin.readline)
            if not line:
                break
            if echo:
                chat.write(f"you > {line.rstrip()}")
            if not await chat.handle(line):
                break
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        engine.dispose()
    return 0


def run_console(
    settings: Settings,
    *,
    stdin: TextIO | None = None,
    out: TextIO | None = None,
    is_terminal: Callable[[], bool] | None = None,
) -> int:
    """The offline chat on a fresh database in a temporary folder (removed afterwards)."""
    stdin = stdin or sys.stdin
    terminal = (is_terminal or stdin.isatty)()
    with tempfile.TemporaryDirectory(prefix="habits-console-") as folder:
        url = f"sqlite:///{Path(folder) / 'console.sqlite3'}"
        try:
            return asyncio.run(
                run_console_session(
                    settings, stdin=stdin, out=out or sys.stdout, database_url=url, echo=not terminal
                )
            )
        except KeyboardInterrupt:
            return 0
