"""An offline chat with the very same bot in a terminal, without Telegram and without a token.

The real Application (handlers, JobQueue, dispatcher, database code) runs against fakegram's
in-process fake Bot API through bot/offline.py. Bot messages are printed with their buttons
numbered; "#2" presses button 2, and anything else typed (a bare "2" too) is sent as a message.
Pictures and files the bot sends are saved, and their paths printed. Lines starting with ":" are
console commands (":help" lists them); ":ff 2h" or ":ff 08:15" moves the bot's clock forward and
delivers every nudge that falls due on the way (and each edit of a guided breathing session, at
its moment). Otherwise the clock stands still, except while a breathing session runs: then it
follows the real clock, so the session's edits come in real time.

The database and the saved files live in a temporary folder, removed on exit (also when the
terminal closes): every session starts as a new member, and the real bot's data is never touched.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import os
import re
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from pydantic import SecretStr

from bot.offline import OfflineBot, offline_bot
from bot.settings import Settings
from fakegram import ApiCall, FakeBotApi, FakeUser, UploadedFile
from habits.parsing import parse_time_of_day
from scheduler.clock import SteppedClock, utc_now
from storage import queries
from storage.database import new_session

CONSOLE_TOKEN = "100000:offline-console"
CONSOLE_USER_ID = 1
# The member's Telegram first name, in the language the console starts in.
CONSOLE_NAMES = {"nl": "Sanne", "en": "Sam"}
FILES_FOLDER = "files"
HELP = """Console commands:
  #2              press button 2 of the last buttons shown (a bare 2 is sent as a message)
  :ff 2h | :ff 45m | :ff 1d | :ff 08:15
                  move the clock forward (to the next 08:15 local time) and deliver the
                  nudges that fall due on the way; otherwise the clock stands still,
                  except during a breathing session (/adem), when it goes with real time
  :loc LAT LON    share a location (e.g. :loc 35.68 139.69 for Tokyo)
  :react 👍       react to the message whose buttons were shown last (:react alone takes it back)
  :time           show the bot's clock
  :help           this text
  :quit           leave (Ctrl-D works too)
Anything else is sent to the bot as a message, e.g. /start, /settings, 2 glazen, 2.
Pictures and files the bot sends are saved in {files}"""
_PRESS = re.compile(r"#\s*(\d+)")
_DURATION = re.compile(r"^(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m(?:in)?)?$")
LOCATION_HINT = "Type the location as: latitude longitude (e.g. 52.37 4.90)"
# What the bot sends as a file, by method: the parameter with the upload, and how it is shown.
ATTACHMENTS = {
    "sendPhoto": ("photo", "picture"),
    "sendDocument": ("document", "file"),
    "sendAnimation": ("animation", "animation"),
}
EDITS = ("editMessageText", "editMessageCaption")
# While a guided breathing session runs, the clock follows the real one in steps this long.
FOLLOW_SECONDS = 0.25


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
    copy_text: str | None = None  # a copy button: a phone puts this on the clipboard


class ConsoleChat:
    """Prints what the bot does in the chat and turns typed lines into the user's actions."""

    def __init__(
        self, *, bot: OfflineBot, user: FakeUser, out: TextIO, default_zone: str, files: Path
    ) -> None:
        self.bot, self.user, self.out = bot, user, out
        self.default_zone = default_zone
        self.files = files
        self.choices: list[Choice] = []
        self.awaiting_location = False
        # Saved files by the file_id Telegram gave them, for a file sent again by its id.
        self.saved: dict[str, Path] = {}
        # One mover of the clock at a time: :ff, or following a breathing session in real time.
        self.clock_lock = asyncio.Lock()

    # -- output ------------------------------------------------------------------------------

    def on_call(self, call: ApiCall) -> None:
        if not call.ok:
            return
        message = call.result
        to_user = isinstance(message, dict) and message.get("chat", {}).get("id") == self.user.id
        if call.method == "answerCallbackQuery" and call.params.get("text"):
            self.write(f"  (i) {call.params['text']}")
        elif (call.method == "sendMessage" or call.method in EDITS) and to_user:
            self.show(message, edited=call.method in EDITS, params=call.params)
        elif call.method in ATTACHMENTS and to_user:
            parameter, kind = ATTACHMENTS[call.method]
            sent = call.params.get(parameter)
            saved = self.save(sent)
            file_id = _file_id(message.get(parameter))
            if saved is not None and file_id is not None:
                self.saved[file_id] = saved
            elif isinstance(sent, str):
                saved = self.saved.get(sent)  # sent again by its file_id: the file saved before
            self.show(message, edited=False, params=call.params, heading=f"[{kind}] {saved or '(not saved)'}")

    def save(self, upload: object) -> Path | None:
        """Write an uploaded file into the files folder, never over an earlier one."""
        if not isinstance(upload, UploadedFile):
            return None
        self.files.mkdir(parents=True, exist_ok=True)
        name = Path(upload.filename).name or "file"
        path, number = self.files / name, 1
        while path.exists():
            number += 1
            path = self.files / f"{Path(name).stem}-{number}{Path(name).suffix}"
        path.write_bytes(upload.data)
        return path

    def show(
        self, message: dict[str, Any], *, edited: bool, params: dict[str, Any], heading: str | None = None
    ) -> None:
        prefix = "bot (edited)" if edited else "bot"
        body = str(message.get("text", message.get("caption", "")))
        lines = ([heading] if heading else []) + (body.splitlines() if body else [])
        lines = lines or [""]
        self.write(f"{prefix} > {lines[0]}")
        for line in lines[1:]:
            self.write(f"      {line}")
        choices = self._choices(message, params)
        if edited and not choices and any(c.message_id == message.get("message_id") for c in self.choices):
            self.choices = []  # the buttons shown last are gone from their message
        if choices:
            self.choices = choices
            for number, choice in enumerate(choices, start=1):
                self.write(f"      [#{number}] {choice.label}")
                if choice.sends_location:  # a phone would open its map here
                    self.write(f"      (#{number}, then type the coordinates; or :loc LAT LON)")

    def _choices(self, message: dict[str, Any], params: dict[str, Any]) -> list[Choice]:
        rows = message.get("reply_markup", {}).get("inline_keyboard", [])
        inline = [
            Choice(
                button["text"],
                message["message_id"],
                button.get("callback_data"),
                copy_text=button.get("copy_text", {}).get("text"),
            )
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
        # After a hang-up the terminal is gone; the session still has to end cleanly.
        with contextlib.suppress(OSError):
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
        press = _PRESS.fullmatch(line)
        if press:
            return await self._press(int(press[1]))
        if line.startswith(":"):
            return await self._command(line[1:])
        self.user.send_text(line)
        await self.settle()
        return True

    async def _press(self, number: int) -> bool:
        if not 1 <= number <= len(self.choices):
            self.write(
                f"  (no button #{number}; the last buttons shown are #1-#{len(self.choices)})"
                if self.choices
                else "  (no buttons to press)"
            )
            return True
        choice = self.choices[number - 1]
        if choice.sends_location:
            self.awaiting_location = True
            self.write(f"  ({LOCATION_HINT})")
        elif choice.copy_text is not None:
            self.write(f"  (copied, as a phone would: {choice.copy_text})")
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
            target = fast_forward_target(argument, self.bot.clock(), self.zone())
            if target is None:
                self.write("  (say how far, e.g. :ff 2h, :ff 30m, :ff 1d or :ff 08:15)")
            else:
                async with self.clock_lock:
                    await self.bot.run_until(target)
                self.show_time()
        elif name == "loc":
            return await self._location(argument)
        elif name == "react":
            await self._react(argument.strip() or None)
        elif name == "time":
            self.show_time()
        else:
            self.write(HELP.format(files=self.files))
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

    async def _react(self, emoji: str | None) -> None:
        """A reaction on the message under which buttons were shown last, as a thumb on a phone."""
        message_id = next(
            (choice.message_id for choice in self.choices if choice.message_id is not None), None
        )
        if message_id is None:
            self.write("  (no message with buttons to react to)")
            return
        self.user.react(message_id, emoji)
        self.write(
            f"  (reacted {emoji} to the last message with buttons)" if emoji else "  (reaction taken back)"
        )
        await self.settle()

    def zone(self) -> ZoneInfo:
        with new_session(self.bot.engine) as session:
            member = queries.get_member_by_telegram_id(session=session, telegram_id=self.user.id)
        return ZoneInfo(member.timezone if member else self.default_zone)

    def show_time(self) -> None:
        zone = self.zone()
        self.write(f"  (clock: {self.bot.clock().astimezone(zone):%a %d %b %H:%M} {zone.key})")

    async def settle(self) -> None:
        # Generous: a slow machine should make the chat slow, not end it.
        await self.bot.settle(timeout=30)

    async def follow_breathing(self) -> None:
        """While a breathing session runs, the clock goes with the real one (`:ff` still jumps)."""
        loop = asyncio.get_running_loop()
        last = loop.time()
        while True:
            await asyncio.sleep(FOLLOW_SECONDS)
            now = loop.time()
            elapsed, last = now - last, now
            if not self.bot.app.breathing.sessions or self.clock_lock.locked():
                continue
            async with self.clock_lock:
                await self.bot.run_until(self.bot.clock() + timedelta(seconds=elapsed))


def _file_id(media: object) -> str | None:
    """The file_id of a sent file as the message carries it (a photo: its largest size)."""
    if isinstance(media, list) and media and isinstance(media[-1], dict):
        media = media[-1]
    file_id = media.get("file_id") if isinstance(media, dict) else None
    return file_id if isinstance(file_id, str) else None


class TypedLines:
    """The lines typed on stdin, one at a time; `end()` (on a hang-up) ends them early.

    A terminal or a pipe is watched by the event loop rather than read in a thread, so a signal
    can end the session while it waits for input, and no reader thread outlives it.
    """

    def __init__(self, stdin: TextIO) -> None:
        self._stdin = stdin
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()
        self._fd: int | None = None
        self._ended = False
        self._partial = ""
        encoding = getattr(stdin, "encoding", None) or "utf-8"
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="replace")

    def start(self) -> None:
        if self._ended:
            return
        try:
            fd = self._stdin.fileno()
            asyncio.get_running_loop().add_reader(fd, self._readable, fd)
        except (OSError, ValueError, NotImplementedError):
            return  # a StringIO or a regular file (which epoll refuses): read in a thread below
        self._fd = fd

    async def next(self) -> str | None:
        """The next line, or None once the input has ended."""
        if self._fd is None and not self._ended:
            line = await asyncio.to_thread(self._stdin.readline)
            if not line:
                self.end()
            return line or None
        queued = await self._queue.get()
        if queued is None:
            self._queue.put_nowait(None)  # ended for every later call too
        return queued

    def end(self) -> None:
        if self._ended:
            return
        self._ended = True
        self.close()
        self._queue.put_nowait(None)

    def close(self) -> None:
        if self._fd is not None:
            asyncio.get_running_loop().remove_reader(self._fd)

    def _readable(self, fd: int) -> None:
        try:
            data = os.read(fd, 65536)
        except BlockingIOError:
            return
        except OSError:  # EIO: the terminal was closed
            data = b""
        text = self._partial + self._decoder.decode(data, final=not data)
        *lines, self._partial = text.split("\n")
        for line in lines:
            self._queue.put_nowait(line + "\n")
        if not data:
            if self._partial:
                self._queue.put_nowait(self._partial)
            self.end()


async def run_console_session(
    settings: Settings,
    *,
    stdin: TextIO,
    out: TextIO,
    folder: Path,
    echo: bool,
    start: datetime | None = None,
) -> int:
    """Run the bot against the fake Bot API and chat with it until the input ends.

    The database and the saved files go into `folder`; the clock starts at `start` (default: now).
    """
    clock = SteppedClock(start or utc_now())
    api = FakeBotApi(
        token=CONSOLE_TOKEN, clock=clock, bot_username="habits_console_bot", bot_first_name="Habits"
    )
    language = settings.default_language
    user = api.user(CONSOLE_USER_ID, first_name=CONSOLE_NAMES.get(language, "Sam"), language_code=language)
    tips_copy = _copy_of_the_tips(settings, folder)
    console_settings = settings.model_copy(
        update={
            "bot_token": SecretStr(CONSOLE_TOKEN),
            "database_url": f"sqlite:///{folder / 'console.sqlite3'}",
            "tips_path": tips_copy,
        }
    )
    lines = TypedLines(stdin)
    loop = asyncio.get_running_loop()
    hang_ups = [number for number in (getattr(signal, "SIGHUP", None), signal.SIGTERM) if number is not None]
    for number in hang_ups:
        # Not on Windows, and only in the main thread; there the console simply lacks it.
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(number, lines.end)
    try:
        async with offline_bot(console_settings, clock=clock, api=api) as bot:
            chat = ConsoleChat(
                bot=bot,
                user=user,
                out=out,
                default_zone=settings.default_timezone,
                files=folder / FILES_FOLDER,
            )
            api.add_listener(chat.on_call)
            chat.write(
                "Offline chat with the habits bot (no Telegram needed). Type /start to begin, "
                "#1 to press button 1, :help for the console commands."
            )
            chat.write(
                f"Pictures and files the bot sends are saved in {chat.files} (removed when you leave)."
            )
            lines.start()
            follower = asyncio.create_task(chat.follow_breathing())
            try:
                while (line := await lines.next()) is not None:
                    if echo:
                        chat.write(f"you > {line.rstrip()}")
                    if not await chat.handle(line):
                        break
            finally:
                follower.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await follower
                lines.close()
    finally:
        for number in hang_ups:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(number)
    return 0


def _copy_of_the_tips(settings: Settings, folder: Path) -> Path:
    """An admin's edits in the console go to a copy of the tips, like its database: the real
    bot's tips stay as they are."""
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / settings.tips_path.name
    shutil.copyfile(settings.tips_path, copy)
    return copy


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
        try:
            return asyncio.run(
                run_console_session(
                    settings, stdin=stdin, out=out or sys.stdout, folder=Path(folder), echo=not terminal
                )
            )
        except KeyboardInterrupt:
            return 0
