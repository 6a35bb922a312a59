"""`FakeBotApi`: an in-memory Telegram Bot API, independent of any transport.

`FakeBotApi.handle(method, params)` answers one Bot API call the way api.telegram.org would:
it returns the HTTP status and the JSON body (`{"ok": true, "result": ...}` or an error with
`error_code`, `description` and optional `parameters`). The transports in `fakegram.request`
(in-process, for PTB's `BaseRequest`) and `fakegram.http` (a loopback HTTP server) only move
bytes. Behind `FakeBotApi` the work is split by role: `fakegram.wire` (decoding, recorded calls,
errors), `fakegram.state` (chats, messages, files, the updates queue), `fakegram.methods` (the
Bot API methods), `fakegram.faults` (fault injection, flood control, blocking) and
`fakegram.users` (the simulated users).

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
import copy
import re
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from fakegram.faults import FaultInjection, is_flood_counted
from fakegram.methods import BotApiMethods
from fakegram.state import State, commands_key
from fakegram.users import FakeUser
from fakegram.wire import ApiCall, ApiError, JSONDict, MethodHandler, decode_params

__all__ = ["FakeBotApi"]

TOKEN_PATTERN = re.compile(r"^[0-9]{1,20}:[A-Za-z0-9_-]{1,100}$")


class FakeBotApi(FaultInjection):
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
        super().__init__()
        self.token = token
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self._clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        bot_user = {"id": bot_id, "is_bot": True, "first_name": bot_first_name, "username": bot_username}
        self._state = State(bot_user, self._clock)

        self.calls: list[ApiCall] = []
        self.callback_answers: dict[str, JSONDict] = self._state.callback_answers
        self.files = self._state.files
        self._listeners: list[Callable[[ApiCall], None]] = []
        self._methods: dict[str, tuple[str, MethodHandler]] = {
            name.lower(): (name, handler) for name, handler in BotApiMethods(self._state).table().items()
        }

    # ----------------------------------------------------------------------------------------
    # Transport entry points

    @property
    def bot_user(self) -> JSONDict:
        """The bot as a Telegram `User`."""
        return copy.deepcopy(self._state.bot_user)

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
            call.params = decode_params(params)
            if known is None:
                raise ApiError(404, "Not Found: method not found")
            await self.check_faults(key, call.params.get("chat_id"), paid=call.paid)
            result = await known[1](call.params)
        except ApiError as error:
            status, body = error.status, error.body()
        else:
            status, body = 200, {"ok": True, "result": result}
        call.status, call.response = status, body
        self._state.notify()
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
        return self._state.sent_messages(chat_id)

    def messages_to(self, chat_id: int) -> list[JSONDict]:
        """The bot's messages in one chat (same as `sent_messages(chat_id)`)."""
        return self.sent_messages(chat_id)

    def texts_to(self, chat_id: int) -> list[str]:
        """The text (or caption) of each of the bot's messages in one chat."""
        return [str(m.get("text", m.get("caption", ""))) for m in self.sent_messages(chat_id)]

    def last_message(self, chat_id: int) -> JSONDict:
        """The bot's latest message in a chat; LookupError if there is none."""
        return self._state.last_bot_message(chat_id)

    def message(self, chat_id: int, message_id: int) -> JSONDict:
        """Any message (the bot's or a user's) in its current state; LookupError if unknown."""
        chat = self._state.chats.get(chat_id)
        message = chat.live(message_id) if chat else None
        if message is None:
            raise LookupError(f"no message {message_id} in chat {chat_id}")
        return copy.deepcopy(message)

    def reply_keyboard(self, chat_id: int) -> JSONDict | None:
        """The reply keyboard (ReplyKeyboardMarkup) currently shown in a chat, if any."""
        chat = self._state.chats.get(chat_id)
        return copy.deepcopy(chat.reply_keyboard) if chat else None

    def commands(self, *, scope: JSONDict | None = None, language_code: str = "") -> list[JSONDict]:
        """The command list set for a scope (default scope) and language."""
        return copy.deepcopy(self._state.commands.get(commands_key(scope, language_code), []))

    def queued_updates(self) -> list[JSONDict]:
        """The updates not yet confirmed by a getUpdates offset (copies), oldest first."""
        return copy.deepcopy(self._state.updates)

    def pending_updates(self) -> int:
        """Updates not yet confirmed by a getUpdates offset (Telegram's pending_update_count)."""
        return len(self._state.updates)

    def was_paid(self, chat_id: int, message_id: int) -> bool:
        """Whether the bot sent this message as a paid broadcast (`allow_paid_broadcast`)."""
        return (chat_id, message_id) in self._state.paid_messages

    def paid_message_count(self) -> int:
        """How many messages the bot sent as paid broadcasts."""
        return len(self._state.paid_messages)

    def peak_send_rate(self, window: float = 1.0, *, paid: bool = False) -> int:
        """The most successful sends/edits the bot made within any `window` seconds: those within
        the free limit, or (`paid=True`) its paid broadcasts."""
        times = [
            call.monotonic
            for call in self.calls
            if call.ok and is_flood_counted(call.method.lower()) and call.paid == paid
        ]
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
            await self._state.wait_for_change(remaining)

    async def wait_for_messages(
        self,
        chat_id: int,
        count: int = 1,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> list[JSONDict]:
        """Wait until the bot has at least `count` messages in a chat; return them all."""
        await self.wait_until(
            lambda: self._state.bot_message_count(chat_id) >= count,
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
            self._state,
            self,
            user_id,
            first_name=first_name,
            language_code=language_code,
            username=username,
            last_name=last_name,
        )
        self._state.users[user_id] = user
        chat = self._state.chats.get(user_id)
        if chat is not None:
            chat.info = user.private_chat()
        return user

    def enqueue_update(self, kind: str, payload: JSONDict) -> JSONDict:
        """Queue a raw update `{kind: payload}` with the next update_id and return it."""
        return self._state.enqueue_update(kind, payload)
