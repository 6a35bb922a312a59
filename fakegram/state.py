"""What the fake Telegram remembers: chats and their messages, stored files, the updates queue.

`State` is shared by the Bot API methods (`fakegram.methods`), the simulated users
(`fakegram.users`) and the inspection helpers of `FakeBotApi`. It changes only on the event
loop's thread; `notify` wakes whoever waits for a change (a long poll, a test's `wait_until`).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from fakegram.wire import JSONDict, UploadedFile, bad_request

__all__ = ["Chat", "Person", "State", "StoredFile", "commands_key"]


class Person(Protocol):
    """Someone who can write to the bot (a `FakeUser`)."""

    def as_dict(self) -> JSONDict:
        """This person as a Telegram `User`."""
        ...

    def private_chat(self) -> JSONDict:
        """This person's private chat with the bot as a Telegram `Chat`."""
        ...


@dataclass
class Chat:
    """A chat with its messages (the bot's and its users') in their current state."""

    info: JSONDict
    next_message_id: int = 1
    messages: dict[int, JSONDict] = field(default_factory=dict)
    # Reply keyboards are not part of the Message Telegram returns; they live with the chat.
    reply_keyboard: JSONDict | None = None

    @property
    def id(self) -> int:
        """The chat's id."""
        chat_id: int = self.info["id"]
        return chat_id

    def take_message_id(self) -> int:
        """The next message id in this chat (ids count per chat, as in private chats)."""
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def live(self, message_id: int) -> JSONDict | None:
        """The message with this id, if there is one."""
        return self.messages.get(message_id)


@dataclass
class StoredFile:
    """A file Telegram would keep: its message field and, for uploads, the bytes."""

    kind: str
    meta: Any  # the message field: a PhotoSize list for photos, a dict otherwise
    upload: UploadedFile | None


def commands_key(scope: Any, language_code: Any) -> tuple[str, str]:
    """The key of a command list: its scope (default scope if none) and language."""
    scope = scope if isinstance(scope, dict) else {"type": "default"}
    return json.dumps(scope, sort_keys=True), str(language_code or "")


class State:
    """The fake Telegram's memory for one bot."""

    def __init__(self, bot_user: JSONDict, clock: Callable[[], datetime]) -> None:
        self.bot_user = bot_user
        self.clock = clock
        self.users: dict[int, Person] = {}
        self.chats: dict[int, Chat] = {}
        self.bot_messages: list[tuple[int, int]] = []
        # (chat id, message id) of the bot's messages sent as paid broadcasts.
        self.paid_messages: set[tuple[int, int]] = set()

        self.updates: list[JSONDict] = []
        self.allowed_updates: frozenset[str] | None = None
        self.poll_generation = 0
        self.webhook_url: str | None = None

        # Each user's current reaction per message: (chat id, message id, user id) -> ReactionTypes.
        self.reactions: dict[tuple[int, int, int], list[JSONDict]] = {}
        self.commands: dict[tuple[str, str], list[JSONDict]] = {}
        self.open_queries: dict[str, JSONDict] = {}
        self.callback_answers: dict[str, JSONDict] = {}
        self.stored_files: dict[str, StoredFile] = {}
        self.files: dict[str, UploadedFile] = {}

        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._changed: asyncio.Event | None = None
        self._changed_loop: asyncio.AbstractEventLoop | None = None

    @property
    def bot_id(self) -> int:
        """The bot's user id."""
        bot_id: int = self.bot_user["id"]
        return bot_id

    def now(self) -> int:
        """The clock as a Unix timestamp, the unit of message dates."""
        return int(self.clock().timestamp())

    # ----------------------------------------------------------------------------------------
    # Chats and messages

    def chat(self, chat_id: int, *, kind: str = "private", title: str | None = None) -> Chat:
        """The chat with this id, created on first use (positive ids are private chats)."""
        chat = self.chats.get(chat_id)
        if chat is None:
            if chat_id > 0:
                user = self.users.get(chat_id)
                info = user.private_chat() if user else {
                    "id": chat_id, "type": "private", "first_name": "Test",
                }  # fmt: skip
            else:
                chat_type = kind if kind != "private" else "group"
                info = {"id": chat_id, "type": chat_type, "title": title or f"Group {-chat_id}"}
            chat = self.chats[chat_id] = Chat(info)
        return chat

    def target_chat(self, params: JSONDict, name: str = "chat_id") -> Chat:
        """The chat a call names in `params[name]` (an id or an @username), or a 400."""
        chat_id = params.get(name)
        if chat_id is None or chat_id == "":
            raise bad_request(f"{name} is empty")
        if isinstance(chat_id, str):
            username = chat_id.removeprefix("@").lower()
            for chat in self.chats.values():
                if str(chat.info.get("username", "")).lower() == username:
                    return chat
            raise bad_request("chat not found")
        if not isinstance(chat_id, int) or chat_id == 0:
            raise bad_request("chat not found")
        return self.chat(chat_id)

    def new_message(self, chat: Chat, sender: JSONDict, content: JSONDict) -> JSONDict:
        """A message from `sender` in `chat` with the next id and the current date (not stored)."""
        return {
            "message_id": chat.take_message_id(),
            "from": copy.deepcopy(sender),
            "chat": copy.deepcopy(chat.info),
            "date": self.now(),
            **content,
        }

    def store(self, chat: Chat, message: JSONDict, *, from_bot: bool) -> JSONDict:
        """Keep `message` in its chat; returns a copy."""
        chat.messages[message["message_id"]] = message
        if from_bot:
            self.bot_messages.append((chat.id, message["message_id"]))
        return copy.deepcopy(message)

    def sent_messages(self, chat_id: int | None = None) -> list[JSONDict]:
        """Copies of the bot's messages (all chats, or one) in their current state, oldest first."""
        return [
            copy.deepcopy(self.chats[message_chat_id].messages[message_id])
            for message_chat_id, message_id in self.bot_messages
            if chat_id is None or message_chat_id == chat_id
        ]

    def bot_message_count(self, chat_id: int) -> int:
        """How many messages the bot has sent to a chat."""
        return sum(1 for message_chat_id, _ in self.bot_messages if message_chat_id == chat_id)

    def last_bot_message(self, chat_id: int) -> JSONDict:
        """The bot's latest message in a chat; LookupError if there is none."""
        for message_chat_id, message_id in reversed(self.bot_messages):
            if message_chat_id == chat_id:
                return copy.deepcopy(self.chats[chat_id].messages[message_id])
        raise LookupError(f"the bot has sent no message to chat {chat_id}")

    # ----------------------------------------------------------------------------------------
    # Updates and callback queries

    def enqueue_update(self, kind: str, payload: JSONDict) -> JSONDict:
        """Queue a raw update `{kind: payload}` with the next update_id and return it."""
        update = {"update_id": next(self._update_ids), kind: copy.deepcopy(payload)}
        self.updates.append(update)
        self.notify()
        return copy.deepcopy(update)

    def next_callback_query_id(self, user_id: int) -> str:
        """A fresh callback query id for a press by `user_id`."""
        return f"{next(self._callback_ids)}{user_id}"

    # ----------------------------------------------------------------------------------------
    # Files

    def register_file(
        self, kind: str, meta_for: Callable[[str, str], Any], upload: UploadedFile | None
    ) -> Any:
        """Store a new file; `meta_for(file_id, file_unique_id)` gives its message field."""
        number = next(self._file_ids)
        file_id = f"fakegram-{kind}-{number}"
        meta = meta_for(file_id, f"fg{kind[:3]}{number}")
        stored = StoredFile(kind, meta, upload)
        self.stored_files[file_id] = stored
        # Every size of a photo is a usable file_id of its own.
        for item in meta if isinstance(meta, list) else ():
            self.stored_files[item["file_id"]] = stored
        if upload is not None:
            self.files[file_id] = upload
        return meta

    def stored_media(self, kind: str, value: Any) -> Any:
        """Message field for media given as a file_id; None for a URL; a 400 otherwise."""
        if isinstance(value, str) and value in self.stored_files:
            stored = self.stored_files[value]
            if stored.kind != kind:
                raise bad_request(f"can't use file of type {stored.kind} as {kind}")
            return copy.deepcopy(stored.meta)
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            return None
        raise bad_request("wrong file identifier/HTTP URL specified")

    def photo_sizes(self, width: int, height: int, size: int, upload: UploadedFile | None) -> list[JSONDict]:
        """Store a photo and return its PhotoSize list, smallest first, as Telegram makes it."""

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

        sizes: list[JSONDict] = self.register_file("photo", meta, upload)
        return sizes

    # ----------------------------------------------------------------------------------------
    # Change notification

    def notify(self) -> None:
        """Wake everyone waiting in `wait_for_change`."""
        # A fresh Event per change wakes every current waiter exactly once with no clear() race.
        if self._changed is not None:
            self._changed.set()
            self._changed = None

    async def wait_for_change(self, seconds: float) -> None:
        """Return after the next `notify`, or after `seconds`."""
        loop = asyncio.get_running_loop()
        if self._changed is None or self._changed_loop is not loop:
            self._changed, self._changed_loop = asyncio.Event(), loop
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), seconds)
