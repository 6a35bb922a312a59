"""In-memory Telegram Bot API semantics, independent of any transport.

`FakeBotApi.handle(method, params)` answers one Bot API call the way api.telegram.org would:
it returns the HTTP status and the JSON body (`{"ok": true, "result": ...}` or an error with
`error_code`, `description` and optional `parameters`). The transports in `fakegram.request`
(in-process, for PTB's `BaseRequest`) and `fakegram.http` (a loopback HTTP server) only move
bytes; everything Telegram-specific lives here.

Tests drive the other side of the conversation through `FakeBotApi.user(...)`, which returns a
`FakeUser` whose actions enqueue updates that `getUpdates` serves, and inspect what the bot did
through the recorded `calls` and the current state of the messages it sent. Fault injection
(`fail_next`, `delay_next`, `block_user`) and flood control (`enforce_flood_limit`) exist to
test the bot's error handling and rate limiting.

Everything here runs on one asyncio event loop and is not thread-safe: call the simulation
helpers from the loop's thread (use `loop.call_soon_threadsafe` from elsewhere).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import math
import re
import struct
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

__all__ = [
    "ApiCall",
    "ApiError",
    "FakeBotApi",
    "FakeUser",
    "JSONDict",
    "MethodHandler",
    "UploadedFile",
]

JSONDict = dict[str, Any]
MethodHandler = Callable[[JSONDict], Awaitable[Any]]
"""A Bot API method: gets the decoded parameters, returns the `result` or raises `ApiError`."""

TOKEN_PATTERN = re.compile(r"^[0-9]{1,20}:[A-Za-z0-9_-]{1,100}$")
MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
BLOCKED = "Forbidden: bot was blocked by the user"
QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"
GET_UPDATES_CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete "
    "the webhook first"
)

# Parameters arrive as strings on the wire (PTB JSON-encodes every non-string value and the
# transports send form fields); these tables say how to turn them back into values.
_INT_PARAMS = frozenset({"message_id", "offset", "limit", "max_connections", "cache_time"})
# getUpdates' timeout is an Integer in the Bot API; fractions are accepted to keep tests fast.
_FLOAT_PARAMS = frozenset({"timeout"})
_BOOL_PARAMS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "show_alert",
        "drop_pending_updates",
        "disable_content_type_detection",
    }
)
_JSON_PARAMS = frozenset({"reply_markup", "commands", "scope", "allowed_updates"})
_CHAT_ID_PARAMS = frozenset({"chat_id"})

# Update types getUpdates delivers when allowed_updates was never given (Bot API default).
_DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_COMMAND_PATTERN = re.compile(r"^[a-z0-9_]{1,32}$")
_BOT_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{1,64})?")
# Message features the bot does not use and the fake does not model; refusing them means a
# future use fails loudly in the tests instead of passing unchecked.
_UNSUPPORTED_PARAMS = (
    "parse_mode", "entities", "caption_entities", "reply_parameters", "reply_to_message_id",
    "link_preview_options", "has_spoiler",
)  # fmt: skip


@dataclass(frozen=True)
class UploadedFile:
    """A file the bot uploaded with multipart/form-data."""

    filename: str
    mime_type: str
    data: bytes


@dataclass
class ApiCall:
    """One Bot API call as the fake server saw it.

    `params` are decoded: JSON-encoded values (reply_markup, commands, ...) are objects again,
    numbers and booleans have their types back, and uploads are `UploadedFile`s. `status` and
    `response` are filled in once the call has been answered; they stay None for a call the
    client abandoned (e.g. a long poll cancelled when polling stops).
    """

    method: str
    params: JSONDict
    at: datetime
    monotonic: float
    status: int | None = None
    response: JSONDict | None = None

    @property
    def ok(self) -> bool:
        """Whether the call succeeded (HTTP 200)."""
        return self.status == 200

    @property
    def result(self) -> Any:
        """The `result` of a successful call, else None."""
        return self.response.get("result") if self.response else None


class ApiError(Exception):
    """A Bot API error answer; raise it from a `MethodHandler` to fail a call."""

    def __init__(
        self,
        status: int,
        description: str,
        *,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def body(self) -> JSONDict:
        """The JSON body Telegram sends for this error."""
        body: JSONDict = {"ok": False, "error_code": self.status, "description": self.description}
        parameters: JSONDict = {}
        if self.retry_after is not None:
            parameters["retry_after"] = self.retry_after
        if self.migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = self.migrate_to_chat_id
        if parameters:
            body["parameters"] = parameters
        return body


def bad_request(detail: str) -> ApiError:
    """A 400 error with Telegram's "Bad Request: " prefix."""
    return ApiError(400, f"Bad Request: {detail}")


def utf16_len(text: str) -> int:
    """Length of `text` in UTF-16 code units, the unit of Telegram's length limits."""
    return len(text.encode("utf-16-le")) // 2


def bot_command_entities(text: str) -> list[JSONDict]:
    """The `bot_command` entity Telegram adds to a message that starts with `/command`."""
    match = _BOT_COMMAND.match(text)
    if not match:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))}]


def _refuse_unsupported(params: JSONDict) -> None:
    for name in _UNSUPPORTED_PARAMS:
        if params.get(name) is not None:
            raise bad_request(f"{name} is not supported by this fake")


@dataclass
class _Fault:
    status: int | None  # None means "delay, then answer normally"
    description: str
    retry_after: int | None
    migrate_to_chat_id: int | None
    delay: float
    times: int


@dataclass
class _Chat:
    info: JSONDict
    next_message_id: int = 1
    messages: dict[int, JSONDict] = field(default_factory=dict)
    reply_keyboard: JSONDict | None = None

    @property
    def id(self) -> int:
        chat_id: int = self.info["id"]
        return chat_id

    def take_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def live(self, message_id: int) -> JSONDict | None:
        return self.messages.get(message_id)


@dataclass
class _StoredFile:
    kind: str
    meta: Any  # the message field: a PhotoSize list for photos, a dict otherwise
    upload: UploadedFile | None


class _FloodControl:
    """Counts sends and refuses the ones Telegram would answer with 429."""

    def __init__(
        self,
        per_second: int,
        algorithm: Literal["sliding_window", "token_bucket"],
        group_per_minute: int | None,
        time_source: Callable[[], float],
        tolerance: float,
    ) -> None:
        self.per_second = per_second
        self.algorithm = algorithm
        self.group_per_minute = group_per_minute
        self.time_source = time_source
        self.tolerance = tolerance
        self._window: deque[float] = deque()
        self._tokens = float(per_second)
        self._refilled_at = time_source()
        self._groups: dict[int, deque[float]] = {}

    def admit(self, chat_id: object) -> None:
        now = self.time_source()
        if isinstance(chat_id, int) and chat_id < 0 and self.group_per_minute:
            group = self._groups.setdefault(chat_id, deque())
            while group and group[0] <= now - 60.0 + self.tolerance:
                group.popleft()
            if len(group) >= self.group_per_minute:
                raise self._too_many(group[0] + 60.0 - now)
        if self.algorithm == "token_bucket":
            self._tokens = min(
                float(self.per_second),
                self._tokens + (now - self._refilled_at) * self.per_second,
            )
            self._refilled_at = now
            if self._tokens + self.tolerance * self.per_second < 1.0:
                raise self._too_many((1.0 - self._tokens) / self.per_second)
            self._tokens -= 1.0
        else:
            while self._window and self._window[0] <= now - 1.0 + self.tolerance:
                self._window.popleft()
            if len(self._window) >= self.per_second:
                raise self._too_many(self._window[0] + 1.0 - now)
            self._window.append(now)
        if isinstance(chat_id, int) and chat_id < 0 and self.group_per_minute:
            self._groups[chat_id].append(now)

    @staticmethod
    def _too_many(wait: float) -> ApiError:
        retry_after = max(1, math.ceil(wait))
        return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)


def _is_flood_counted(method: str) -> bool:
    """Whether a (lower-case) method counts towards flood limits: sends and edits."""
    if method == "sendchataction":
        return False
    return method.startswith(("send", "edit", "copymessage", "forwardmessage"))


def _is_blockable(method: str) -> bool:
    return method.startswith(("send", "edit", "copymessage", "forwardmessage"))


def _image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG, GIF or JPEG; None when `data` is no image Telegram accepts."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data.startswith(b"\xff\xd8"):
        index = 2
        while index + 9 < len(data):
            if data[index] != 0xFF:
                index += 1
                continue
            marker = data[index + 1]
            if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD):
                height, width = struct.unpack(">HH", data[index + 5 : index + 9])
                return int(width), int(height)
            (length,) = struct.unpack(">H", data[index + 2 : index + 4])
            index += 2 + int(length)
        return 800, 600
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return 512, 512
    return None


class FakeBotApi:
    """A fake Telegram Bot API server's state and behaviour; see the module docstring."""

    def __init__(
        self,
        *,
        token: str = "123456:TEST-TOKEN",
        bot_id: int = 123456,
        bot_username: str = "habits_test_bot",
        clock: Callable[[], datetime] | None = None,
        bot_first_name: str = "Habits Test Bot",
    ) -> None:
        if not TOKEN_PATTERN.match(token):
            raise ValueError(f"{token!r} is not shaped like a bot token ('<digits>:<secret>')")
        self.token = token
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self._clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))

        self.calls: list[ApiCall] = []
        self.callback_answers: dict[str, JSONDict] = {}
        self.files: dict[str, UploadedFile] = {}

        self._users: dict[int, FakeUser] = {}
        self._chats: dict[int, _Chat] = {}
        self._bot_messages: list[tuple[int, int]] = []
        self._updates: list[JSONDict] = []
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._open_queries: dict[str, JSONDict] = {}
        self._stored_files: dict[str, _StoredFile] = {}
        self._allowed_updates: frozenset[str] | None = None
        self._poll_generation = 0
        self._webhook: JSONDict | None = None
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}
        self._faults: dict[str, deque[_Fault]] = {}
        self._blocked: set[int] = set()
        self._flood: _FloodControl | None = None
        self._listeners: list[Callable[[ApiCall], None]] = []
        self._changed: asyncio.Event | None = None
        self._changed_loop: asyncio.AbstractEventLoop | None = None

        builtin: dict[str, MethodHandler] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "setMyCommands": self._set_my_commands,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "editMessageText": self._edit_message_text,
            "answerCallbackQuery": self._answer_callback_query,
        }
        self._methods: dict[str, tuple[str, MethodHandler]] = {
            name.lower(): (name, handler) for name, handler in builtin.items()
        }

    # ----------------------------------------------------------------------------------------
    # Transport entry points

    @property
    def bot_user(self) -> JSONDict:
        """The bot as a Telegram `User`."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def check_token(self, token: str) -> tuple[int, JSONDict] | None:
        """None if `token` is this bot's, else the error answer Telegram gives for it."""
        if token == self.token:
            return None
        if TOKEN_PATTERN.match(token):
            return 401, ApiError(401, "Unauthorized").body()
        return 404, ApiError(404, "Not Found").body()

    async def handle(self, method: str, params: Mapping[str, Any]) -> tuple[int, JSONDict]:
        """Answer one Bot API call: (HTTP status, JSON body). `method` is case-insensitive.

        `params` may hold wire values (strings, `UploadedFile`s) or already decoded values.
        """
        key = method.lower()
        known = self._methods.get(key)
        call = ApiCall(
            method=known[0] if known else method,
            params=dict(params),
            at=self._clock(),
            monotonic=time.monotonic(),
        )
        self.calls.append(call)
        try:
            call.params = _decode_params(params)
            if known is None:
                raise ApiError(404, "Not Found: method not found")
            await self._apply_fault(key)
            chat_id = call.params.get("chat_id")
            if _is_blockable(key) and chat_id in self._blocked:
                raise ApiError(403, BLOCKED)
            if self._flood is not None and _is_flood_counted(key):
                self._flood.admit(chat_id)
            result = await known[1](call.params)
        except ApiError as error:
            status, body = error.status, error.body()
        else:
            status, body = 200, {"ok": True, "result": result}
        call.status, call.response = status, body
        self._notify()
        for listener in list(self._listeners):
            listener(call)
        return status, body

    def set_handler(self, method: str, handler: MethodHandler) -> None:
        """Add or replace a Bot API method (e.g. one the fake does not implement)."""
        self._methods[method.lower()] = (method, handler)

    def add_listener(self, listener: Callable[[ApiCall], None]) -> None:
        """Call `listener(call)` after every answered call (e.g. to print bot messages)."""
        self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[ApiCall], None]) -> None:
        """Undo `add_listener`."""
        self._listeners.remove(listener)

    # ----------------------------------------------------------------------------------------
    # Inspection helpers for tests

    def calls_named(self, method: str) -> list[ApiCall]:
        """The recorded calls of one method (case-insensitive), oldest first."""
        key = method.lower()
        return [call for call in self.calls if call.method.lower() == key]

    def clear_calls(self) -> None:
        """Forget the recorded calls (the chats and messages stay)."""
        self.calls.clear()

    def sent_messages(self, chat_id: int | None = None) -> list[JSONDict]:
        """Current state (after edits) of the messages the bot sent."""
        messages: list[JSONDict] = []
        for message_chat_id, message_id in self._bot_messages:
            if chat_id is not None and message_chat_id != chat_id:
                continue
            message = self._chats[message_chat_id].live(message_id)
            if message is not None:
                messages.append(copy.deepcopy(message))
        return messages

    def _live_bot_message_count(self, chat_id: int) -> int:
        chat = self._chats.get(chat_id)
        if chat is None:
            return 0
        return sum(1 for message_chat_id, message_id in self._bot_messages if message_chat_id == chat_id)

    def messages_to(self, chat_id: int) -> list[JSONDict]:
        """The bot's messages in one chat (same as `sent_messages(chat_id)`)."""
        return self.sent_messages(chat_id)

    def texts_to(self, chat_id: int) -> list[str]:
        """The text (or caption) of each of the bot's messages in one chat."""
        return [str(m.get("text", m.get("caption", ""))) for m in self.sent_messages(chat_id)]

    def last_message(self, chat_id: int) -> JSONDict:
        """The bot's latest message in a chat; LookupError if there is none."""
        messages = self.sent_messages(chat_id)
        if not messages:
            raise LookupError(f"the bot has sent no message to chat {chat_id}")
        return messages[-1]

    def message(self, chat_id: int, message_id: int) -> JSONDict:
        """Any message (the bot's or a user's) in its current state; LookupError if unknown."""
        chat = self._chats.get(chat_id)
        message = chat.live(message_id) if chat else None
        if message is None:
            raise LookupError(f"no message {message_id} in chat {chat_id}")
        return copy.deepcopy(message)

    def reply_keyboard(self, chat_id: int) -> JSONDict | None:
        """The reply keyboard (ReplyKeyboardMarkup) currently shown in a chat, if any."""
        chat = self._chats.get(chat_id)
        return copy.deepcopy(chat.reply_keyboard) if chat else None

    def commands(self, *, scope: JSONDict | None = None, language_code: str = "") -> list[JSONDict]:
        """The command list set for a scope (default scope) and language."""
        return copy.deepcopy(self._commands.get(_commands_key(scope, language_code), []))

    def queued_updates(self) -> list[JSONDict]:
        """The updates not yet confirmed by a getUpdates offset (copies), oldest first."""
        return copy.deepcopy(self._updates)

    def pending_updates(self) -> int:
        """Updates not yet confirmed by a getUpdates offset (Telegram's pending_update_count)."""
        return len(self._updates)

    def peak_send_rate(self, window: float = 1.0) -> int:
        """The most successful sends/edits the bot made within any `window` seconds."""
        times = [call.monotonic for call in self.calls if call.ok and _is_flood_counted(call.method.lower())]
        best = start = 0
        for end, moment in enumerate(times):
            while moment - times[start] >= window:
                start += 1
            best = max(best, end - start + 1)
        return best

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - the deadline is reported with `what`
        what: str = "condition",
    ) -> None:
        """Wait until `predicate()` holds, re-checking after every call and update."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"fakegram: timed out after {timeout}s waiting for {what}")
            await self._wait_for_change(remaining)

    async def wait_for_messages(
        self,
        chat_id: int,
        count: int = 1,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[JSONDict]:
        """Wait until the bot has at least `count` messages in a chat; return them all."""
        await self.wait_until(
            lambda: self._live_bot_message_count(chat_id) >= count,
            timeout=timeout,
            what=f"{count} bot message(s) in chat {chat_id}",
        )
        return self.sent_messages(chat_id)

    async def wait_for_call(
        self,
        method: str,
        count: int = 1,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> ApiCall:
        """Wait until `method` has been called `count` times; return that call."""
        await self.wait_until(
            lambda: len(self.calls_named(method)) >= count,
            timeout=timeout,
            what=f"{count} call(s) of {method}",
        )
        return self.calls_named(method)[count - 1]

    # ----------------------------------------------------------------------------------------
    # Simulated users

    def user(
        self,
        user_id: int,
        *,
        first_name: str = "Test",
        language_code: str | None = "nl",
        username: str | None = None,
        last_name: str | None = None,
    ) -> FakeUser:
        """A Telegram user who can talk to the bot; calling again replaces their profile."""
        if user_id <= 0:
            raise ValueError("user ids are positive")
        user = FakeUser(
            self,
            user_id,
            first_name=first_name,
            language_code=language_code,
            username=username,
            last_name=last_name,
        )
        self._users[user_id] = user
        chat = self._chats.get(user_id)
        if chat is not None:
            chat.info = user.private_chat()
        return user

    def enqueue_update(self, kind: str, payload: JSONDict) -> JSONDict:
        """Queue a raw update `{kind: payload}` with the next update_id and return it."""
        update = {"update_id": next(self._update_ids), kind: copy.deepcopy(payload)}
        self._updates.append(update)
        self._notify()
        return copy.deepcopy(update)

    # ----------------------------------------------------------------------------------------
    # Fault injection and flood control

    def fail_next(
        self,
        method: str,
        *,
        status: int,
        description: str,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls of `method` with this error instead of handling them."""
        self._add_fault(
            method,
            _Fault(status, description, retry_after, migrate_to_chat_id, 0.0, times),
        )

    def delay_next(self, method: str, seconds: float, times: int = 1) -> None:
        """Hold the next `times` calls of `method` for `seconds` before handling them.

        A client that gives up meanwhile (a read timeout) cancels the in-process call, so it
        then has no effect; over HTTP the server still completes it, as Telegram would.
        """
        self._add_fault(method, _Fault(None, "", None, None, seconds, times))

    def block_user(self, chat_id: int) -> None:
        """From now on every send or edit to `chat_id` answers 403 "bot was blocked"."""
        self._blocked.add(chat_id)

    def unblock_user(self, chat_id: int) -> None:
        """Undo `block_user`."""
        self._blocked.discard(chat_id)

    def enforce_flood_limit(
        self,
        per_second: int = 30,
        *,
        algorithm: Literal["sliding_window", "token_bucket"] = "sliding_window",
        group_per_minute: int | None = None,
        time_source: Callable[[], float] = time.monotonic,
        tolerance: float = 0.05,
    ) -> None:
        """Answer 429 (with retry_after) to sends and edits beyond `per_second`.

        "sliding_window" refuses the N+1st send within any 1 second. "token_bucket" allows a
        burst of N and then N per second, the model of PTB's AIORateLimiter (aiolimiter), which
        can exceed a strict window right after a burst. `group_per_minute` adds Telegram's
        per-group limit for negative chat ids. `tolerance` (seconds) forgives the jitter
        between a client-side limiter's clock and the moment a request arrives here.
        """
        if per_second < 1:
            raise ValueError("per_second must be at least 1")
        self._flood = _FloodControl(per_second, algorithm, group_per_minute, time_source, tolerance)

    def disable_flood_limit(self) -> None:
        """Undo `enforce_flood_limit`."""
        self._flood = None

    def _add_fault(self, method: str, fault: _Fault) -> None:
        if fault.times < 1:
            raise ValueError("times must be at least 1")
        self._faults.setdefault(method.lower(), deque()).append(fault)

    async def _apply_fault(self, method: str) -> None:
        queue = self._faults.get(method)
        if not queue:
            return
        fault = queue[0]
        fault.times -= 1
        if fault.times == 0:
            queue.popleft()
        if fault.status is None:
            await asyncio.sleep(fault.delay)
            return
        raise ApiError(
            fault.status,
            fault.description,
            retry_after=fault.retry_after,
            migrate_to_chat_id=fault.migrate_to_chat_id,
        )

    # ----------------------------------------------------------------------------------------
    # Internals shared by the methods

    def _now(self) -> int:
        return int(self._clock().timestamp())

    def _changed_event(self) -> asyncio.Event:
        loop = asyncio.get_running_loop()
        if self._changed is None or self._changed_loop is not loop:
            self._changed, self._changed_loop = asyncio.Event(), loop
        return self._changed

    async def _wait_for_change(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed_event().wait(), seconds)

    def _notify(self) -> None:
        # A fresh Event per change wakes every current waiter exactly once with no clear() race.
        if self._changed is not None:
            self._changed.set()
            self._changed = None

    def _chat(self, chat_id: int, *, kind: str = "private", title: str | None = None) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            if chat_id > 0:
                user = self._users.get(chat_id)
                info = user.private_chat() if user else {
                    "id": chat_id, "type": "private", "first_name": "Test",
                }  # fmt: skip
            else:
                chat_type = kind if kind != "private" else "group"
                info = {"id": chat_id, "type": chat_type, "title": title or f"Group {-chat_id}"}
            chat = self._chats[chat_id] = _Chat(info)
        return chat

    def _target_chat(self, params: JSONDict, name: str = "chat_id") -> _Chat:
        chat_id = params.get(name)
        if chat_id is None or chat_id == "":
            raise bad_request(f"{name} is empty")
        if isinstance(chat_id, str):
            username = chat_id.removeprefix("@").lower()
            for chat in self._chats.values():
                if str(chat.info.get("username", "")).lower() == username:
                    return chat
            raise bad_request("chat not found")
        if not isinstance(chat_id, int) or chat_id == 0:
            raise bad_request("chat not found")
        return self._chat(chat_id)

    def _store(self, chat: _Chat, message: JSONDict, *, from_bot: bool) -> JSONDict:
        chat.messages[message["message_id"]] = message
        if from_bot:
            self._bot_messages.append((chat.id, message["message_id"]))
        return copy.deepcopy(message)

    def _new_message(self, chat: _Chat, sender: JSONDict, content: JSONDict) -> JSONDict:
        return {
            "message_id": chat.take_message_id(),
            "from": copy.deepcopy(sender),
            "chat": copy.deepcopy(chat.info),
            "date": self._now(),
            **content,
        }

    def _inline_markup(self, chat: _Chat, markup: Any, *, editing: bool) -> JSONDict | None:
        """The inline keyboard a message carries after this markup (None: no keyboard)."""
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise bad_request('can\'t parse inline keyboard button: field "inline_keyboard"')
            for row in rows:
                for button in row:
                    _validate_inline_button(button)
            if not any(rows):
                return None
            return {"inline_keyboard": copy.deepcopy(rows)}
        if editing:
            raise bad_request("inline keyboard expected")
        # Reply keyboards are not part of the Message Telegram returns; they live with the chat.
        if "keyboard" in markup:
            chat.reply_keyboard = copy.deepcopy(markup)
        elif "remove_keyboard" in markup:
            chat.reply_keyboard = None
        elif "force_reply" not in markup:
            raise bad_request("can't parse reply keyboard markup JSON object")
        return None

    def _send(self, chat: _Chat, params: JSONDict, content: JSONDict) -> JSONDict:
        markup = self._inline_markup(chat, params.get("reply_markup"), editing=False)
        message = self._new_message(chat, self.bot_user, content)
        if markup is not None:
            message["reply_markup"] = markup
        return self._store(chat, message, from_bot=True)

    def _caption(self, params: JSONDict) -> JSONDict:
        caption = params.get("caption")
        if not caption:
            return {}
        text = str(caption).strip()
        if utf16_len(text) > MAX_CAPTION_LENGTH:
            raise bad_request("message caption is too long")
        return {"caption": text} if text else {}

    def _editable(self, params: JSONDict) -> tuple[_Chat, JSONDict]:
        if params.get("inline_message_id") is not None:
            raise bad_request("MESSAGE_ID_INVALID")
        chat = self._target_chat(params)
        message_id = params.get("message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        message = chat.live(message_id) if isinstance(message_id, int) else None
        if message is None:
            raise bad_request("message to edit not found")
        if message["from"]["id"] != self.bot_id:
            raise bad_request("message can't be edited")
        return chat, message

    def _apply_edit(self, message: JSONDict, changes: JSONDict) -> JSONDict:
        """Apply `changes` (None values remove fields) unless they change nothing."""
        if all(message.get(key) == value for key, value in changes.items()):
            raise ApiError(400, NOT_MODIFIED)
        for key, value in changes.items():
            if value is None:
                message.pop(key, None)
            else:
                message[key] = copy.deepcopy(value)
        message["edit_date"] = self._now()
        return copy.deepcopy(message)

    def _register_file(self, kind: str, meta_for: Callable[[str, str], Any], upload: Any) -> Any:
        number = next(self._file_ids)
        file_id = f"fakegram-{kind}-{number}"
        meta = meta_for(file_id, f"fg{kind[:3]}{number}")
        stored = _StoredFile(kind, meta, upload)
        self._stored_files[file_id] = stored
        # Every size of a photo is a usable file_id of its own.
        for item in meta if isinstance(meta, list) else ():
            self._stored_files[item["file_id"]] = stored
        if upload is not None:
            self.files[file_id] = upload
        return meta

    def _stored_media(self, kind: str, value: Any) -> Any:
        """Message field for media given as a file_id or URL instead of an upload."""
        if isinstance(value, str) and value in self._stored_files:
            stored = self._stored_files[value]
            if stored.kind != kind:
                raise bad_request(f"can't use file of type {stored.kind} as {kind}")
            return copy.deepcopy(stored.meta)
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            return None
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _photo_sizes(self, width: int, height: int, size: int, upload: Any) -> list[JSONDict]:
        def meta(file_id: str, unique_id: str) -> list[JSONDict]:
            sizes: list[JSONDict] = []
            largest = max(width, height, 1)
            bounds = [bound for bound in (90, 320, 800) if bound < largest] + [min(largest, 2560)]
            for index, bound in enumerate(bounds):
                scale = bound / largest
                sizes.append(
                    {
                        "file_id": f"{file_id}-{index}",
                        "file_unique_id": f"{unique_id}{index}",
                        "width": max(1, round(width * scale)),
                        "height": max(1, round(height * scale)),
                        "file_size": max(1, round(size * scale * scale)),
                    }
                )
            sizes[-1]["file_id"] = file_id
            return sizes

        sizes: list[JSONDict] = self._register_file("photo", meta, upload)
        return sizes

    # ----------------------------------------------------------------------------------------
    # Bot API methods

    async def _get_me(self, params: JSONDict) -> JSONDict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: JSONDict) -> list[JSONDict]:
        if self._webhook is not None:
            raise ApiError(409, WEBHOOK_CONFLICT)
        offset = params.get("offset")
        limit = params.get("limit", 100)
        timeout = params.get("timeout", 0)
        if not isinstance(limit, int) or not isinstance(timeout, int | float):
            raise bad_request("wrong parameter type")
        limit = min(max(limit, 1), 100)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(str(kind) for kind in allowed) or None
        if isinstance(offset, int) and offset < 0:
            del self._updates[: max(len(self._updates) + offset, 0)]
        elif isinstance(offset, int):
            self._updates = [u for u in self._updates if u["update_id"] >= offset]

        # A newer getUpdates call ends this one with 409, as Telegram does.
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(float(timeout), 0.0)
        while True:
            batch = self._deliverable(limit)
            if batch:
                return batch
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            await self._wait_for_change(remaining)
            if generation != self._poll_generation:
                raise ApiError(409, GET_UPDATES_CONFLICT)

    def _deliverable(self, limit: int) -> list[JSONDict]:
        def allowed(update: JSONDict) -> bool:
            kind = next(key for key in update if key != "update_id")
            if self._allowed_updates is None:
                return kind not in _DEFAULT_EXCLUDED_UPDATES
            return kind in self._allowed_updates

        # Updates of a type the bot did not ask for are dropped, not kept pending forever.
        self._updates = [update for update in self._updates if allowed(update)]
        return copy.deepcopy(self._updates[:limit])

    async def _set_webhook(self, params: JSONDict) -> bool:
        url = str(params.get("url") or "")
        if params.get("drop_pending_updates"):
            self._updates.clear()
        if not url:
            self._webhook = None
            return True
        if not url.startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self._webhook = {
            "url": url,
            "max_connections": params.get("max_connections", 40),
        }
        if isinstance(params.get("allowed_updates"), list):
            self._webhook["allowed_updates"] = params["allowed_updates"]
        return True

    async def _delete_webhook(self, params: JSONDict) -> bool:
        self._webhook = None
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _set_my_commands(self, params: JSONDict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, dict):
                raise bad_request("can't parse commands JSON object")
            if not _COMMAND_PATTERN.match(str(command.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = _commands_key(params.get("scope"), params.get("language_code"))
        self._commands[key] = [{"command": c["command"], "description": c["description"]} for c in commands]
        return True

    async def _send_message(self, params: JSONDict) -> JSONDict:
        _refuse_unsupported(params)
        chat = self._target_chat(params)
        raw = params.get("text")
        if raw is None or raw == "":
            raise bad_request("message text is empty")
        text = str(raw).strip()
        if not text:
            raise bad_request("message text is empty")
        if utf16_len(text) > MAX_TEXT_LENGTH:
            raise bad_request("message is too long")
        return self._send(chat, params, {"text": text})

    async def _send_photo(self, params: JSONDict) -> JSONDict:
        _refuse_unsupported(params)
        chat = self._target_chat(params)
        photo = params.get("photo")
        if photo is None or photo == "":
            raise bad_request("there is no photo in the request")
        if isinstance(photo, UploadedFile):
            if not photo.data:
                raise bad_request("file must be non-empty")
            dimensions = _image_size(photo.data)
            if dimensions is None:
                raise bad_request("IMAGE_PROCESS_FAILED")
            sizes = self._photo_sizes(*dimensions, len(photo.data), photo)
        else:
            sizes = self._stored_media("photo", photo) or self._photo_sizes(800, 600, 50_000, None)
        return self._send(chat, params, {"photo": sizes, **self._caption(params)})

    async def _send_document(self, params: JSONDict) -> JSONDict:
        _refuse_unsupported(params)
        chat = self._target_chat(params)
        document = params.get("document")
        if document is None or document == "":
            raise bad_request("there is no document in the request")
        if isinstance(document, UploadedFile):
            if not document.data:
                raise bad_request("file must be non-empty")
            upload = document

            def meta(file_id: str, unique_id: str) -> JSONDict:
                return {
                    "file_name": upload.filename,
                    "mime_type": upload.mime_type,
                    "file_id": file_id,
                    "file_unique_id": unique_id,
                    "file_size": len(upload.data),
                }

            stored: JSONDict = self._register_file("document", meta, upload)
        else:
            stored = self._stored_media("document", document) or self._register_file(
                "document",
                lambda file_id, unique_id: {"file_id": file_id, "file_unique_id": unique_id},
                None,
            )
        content: JSONDict = {"document": stored, **self._caption(params)}
        return self._send(chat, params, content)

    async def _edit_message_text(self, params: JSONDict) -> JSONDict:
        _refuse_unsupported(params)
        chat, message = self._editable(params)
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        raw = params.get("text")
        if raw is None or raw == "":
            raise bad_request("message text is empty")
        text = str(raw).strip()
        if not text:
            raise bad_request("message text is empty")
        if utf16_len(text) > MAX_TEXT_LENGTH:
            raise bad_request("MESSAGE_TOO_LONG")
        # Like Telegram, an edit without reply_markup removes the inline keyboard.
        markup = self._inline_markup(chat, params.get("reply_markup"), editing=True)
        return self._apply_edit(message, {"text": text, "reply_markup": markup})

    async def _answer_callback_query(self, params: JSONDict) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if self._open_queries.pop(query_id, None) is None:
            raise ApiError(400, QUERY_INVALID)
        self.callback_answers[query_id] = {
            key: value for key, value in params.items() if key != "callback_query_id"
        }
        return True


def _commands_key(scope: Any, language_code: Any) -> tuple[str, str]:
    scope = scope if isinstance(scope, dict) else {"type": "default"}
    return json.dumps(scope, sort_keys=True), str(language_code or "")


def _validate_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request('can\'t find field "text"')
    data = button.get("callback_data")
    if data is not None and not 1 <= len(str(data).encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
        raise bad_request("BUTTON_DATA_INVALID")
    url = button.get("url")
    if url is not None and not str(url).startswith(("http://", "https://", "tg://")):
        raise bad_request("BUTTON_URL_INVALID")
    actions = set(button) - {"text", "style", "icon_custom_emoji_id"}
    if not actions:
        raise bad_request("text buttons are unallowed in the inline keyboard")


def _decode_value(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if name in _JSON_PARAMS:
        try:
            return json.loads(value)
        except ValueError:
            what = "reply keyboard markup" if name == "reply_markup" else name
            raise bad_request(f"can't parse {what} JSON object") from None
    if name in _CHAT_ID_PARAMS:
        return int(value) if re.fullmatch(r"-?[0-9]+", value) else value
    try:
        if name in _INT_PARAMS:
            return int(value)
        if name in _FLOAT_PARAMS:
            return float(value)
    except ValueError:
        raise bad_request(f"invalid {name} specified") from None
    if name in _BOOL_PARAMS:
        return value.lower() in ("true", "1")
    return value


def _decode_params(params: Mapping[str, Any]) -> JSONDict:
    """Wire parameters (strings, uploads) to values; resolves `attach://name` references."""
    decoded = {name: _decode_value(name, value) for name, value in params.items()}
    attached: set[str] = set()
    for name, value in decoded.items():
        if isinstance(value, str) and value.startswith("attach://"):
            part = value.removeprefix("attach://")
            if isinstance(decoded.get(part), UploadedFile):
                decoded[name] = decoded[part]
                attached.add(part)
    return {name: value for name, value in decoded.items() if name not in attached}


class FakeUser:
    """A simulated Telegram user; every action enqueues an update and returns it as a dict."""

    def __init__(
        self,
        api: FakeBotApi,
        user_id: int,
        *,
        first_name: str = "Test",
        language_code: str | None = "nl",
        username: str | None = None,
        last_name: str | None = None,
    ) -> None:
        self.api = api
        self.id = user_id
        self.first_name = first_name
        self.language_code = language_code
        self.username = username
        self.last_name = last_name

    def as_dict(self) -> JSONDict:
        """This user as a Telegram `User`."""
        user: JSONDict = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            user["last_name"] = self.last_name
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    def private_chat(self) -> JSONDict:
        """This user's private chat with the bot as a Telegram `Chat`."""
        chat: JSONDict = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            chat["last_name"] = self.last_name
        if self.username:
            chat["username"] = self.username
        return chat

    def received(self) -> list[JSONDict]:
        """The bot's messages in this user's private chat (current state)."""
        return self.api.sent_messages(self.id)

    def last_received(self) -> JSONDict:
        """The bot's latest message in this user's private chat."""
        return self.api.last_message(self.id)

    def _chat(self, chat_type: str, chat_id: int | None, chat_title: str | None) -> _Chat:
        if chat_type == "private":
            if chat_id not in (None, self.id):
                raise ValueError("a private chat's id is the user's id")
            chat = self.api._chat(self.id)
            chat.info = self.private_chat()
            return chat
        if chat_type not in ("group", "supergroup"):
            raise ValueError(f"unsupported chat_type {chat_type!r}")
        if chat_id is None or chat_id >= 0:
            raise ValueError("group chats need a negative chat_id, e.g. -1001234567890")
        return self.api._chat(chat_id, kind=chat_type, title=chat_title)

    def _message(
        self,
        content: JSONDict,
        *,
        chat_type: str = "private",
        chat_id: int | None = None,
        chat_title: str | None = None,
        reply_to: JSONDict | int | None = None,
    ) -> JSONDict:
        chat = self._chat(chat_type, chat_id, chat_title)
        message = self.api._new_message(chat, self.as_dict(), {})
        if reply_to is not None:
            reply_id = reply_to if isinstance(reply_to, int) else reply_to["message_id"]
            target = chat.live(reply_id)
            if target is None:
                raise ValueError(f"no message {reply_id} in chat {chat.id} to reply to")
            replied = copy.deepcopy(target)
            replied.pop("reply_to_message", None)
            message["reply_to_message"] = replied
        message.update(content)
        self.api._store(chat, message, from_bot=False)
        return self.api.enqueue_update("message", message)

    def send_text(
        self,
        text: str,
        *,
        chat_type: str = "private",
        chat_id: int | None = None,
        chat_title: str | None = None,
        reply_to: JSONDict | int | None = None,
    ) -> JSONDict:
        """Send a text message; "/command ..." gets a `bot_command` entity like Telegram adds."""
        content: JSONDict = {"text": text}
        entities = bot_command_entities(text)
        if entities:
            content["entities"] = entities
        return self._message(
            content, chat_type=chat_type, chat_id=chat_id, chat_title=chat_title, reply_to=reply_to
        )

    def press(self, message: JSONDict | int, callback_data: str, *, check_button: bool = True) -> JSONDict:
        """Press an inline button on a bot message (a message dict, or a message_id in this
        user's private chat). With `check_button`, the button must be on the message now.
        """
        if isinstance(message, int):
            chat_id, message_id = self.id, message
        else:
            chat_id, message_id = message["chat"]["id"], message["message_id"]
        chat = self.api._chats.get(chat_id)
        current = chat.live(message_id) if chat else None
        if current is None:
            raise ValueError(f"no message {message_id} in chat {chat_id}")
        if current["from"]["id"] != self.api.bot_id:
            raise ValueError("only the bot's messages have inline buttons")
        if check_button:
            rows = current.get("reply_markup", {}).get("inline_keyboard", [])
            if not any(b.get("callback_data") == callback_data for row in rows for b in row):
                raise ValueError(f"message {message_id} has no button with callback_data {callback_data!r}")
        query_id = f"{next(self.api._callback_ids)}{self.id}"
        query: JSONDict = {
            "id": query_id,
            "from": self.as_dict(),
            "message": copy.deepcopy(current),
            "chat_instance": f"{chat_id}{self.api.bot_id}",
            "data": callback_data,
        }
        self.api._open_queries[query_id] = query
        return self.api.enqueue_update("callback_query", query)

    def send_location(self, latitude: float, longitude: float) -> JSONDict:
        """Share a location in the private chat."""
        return self._message({"location": {"latitude": latitude, "longitude": longitude}})

    def send_sticker(self, emoji: str = "👍") -> JSONDict:
        """Send a sticker in the private chat."""
        sticker = self.api._register_file(
            "sticker",
            lambda file_id, unique_id: {
                "file_id": file_id,
                "file_unique_id": unique_id,
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": emoji,
                "set_name": "FakegramStickers",
            },
            None,
        )
        return self._message({"sticker": sticker})

    def send_photo(self, caption: str | None = None) -> JSONDict:
        """Send a photo in the private chat."""
        content: JSONDict = {"photo": self.api._photo_sizes(1280, 960, 120_000, None)}
        if caption:
            content["caption"] = caption
        return self._message(content)

    def send_voice(self, duration: int = 3) -> JSONDict:
        """Send a voice note in the private chat."""
        voice = self.api._register_file(
            "voice",
            lambda file_id, unique_id: {
                "file_id": file_id,
                "file_unique_id": unique_id,
                "duration": duration,
                "mime_type": "audio/ogg",
                "file_size": 4_000 * duration,
            },
            None,
        )
        return self._message({"voice": voice})

    def forward_text(self, text: str, from_user_id: int) -> JSONDict:
        """Forward someone else's text message into the private chat; like Telegram, a forward
        keeps the original's entities ("/command ..." stays a `bot_command`)."""
        original = self.api._users.get(from_user_id)
        sender = original.as_dict() if original else {
            "id": from_user_id, "is_bot": False, "first_name": "Someone",
        }  # fmt: skip
        origin = {"type": "user", "sender_user": sender, "date": self.api._now() - 60}
        content: JSONDict = {"forward_origin": origin, "text": text}
        entities = bot_command_entities(text)
        if entities:
            content["entities"] = entities
        return self._message(content)

    def block_bot(self) -> JSONDict:
        """Block the bot: sends answer 403 and the bot gets a my_chat_member update."""
        self.api.block_user(self.id)
        return self._membership_update("member", "kicked")

    def unblock_bot(self) -> JSONDict:
        """Unblock the bot (the my_chat_member update Telegram sends on /start after a block)."""
        self.api.unblock_user(self.id)
        return self._membership_update("kicked", "member")

    def _membership_update(self, old: str, new: str) -> JSONDict:
        def member(status: str) -> JSONDict:
            entry: JSONDict = {"status": status, "user": self.api.bot_user}
            if status == "kicked":
                entry["until_date"] = 0
            return entry

        self._chat("private", None, None)
        return self.api.enqueue_update(
            "my_chat_member",
            {
                "chat": self.private_chat(),
                "from": self.as_dict(),
                "date": self.api._now(),
                "old_chat_member": member(old),
                "new_chat_member": member(new),
            },
        )
