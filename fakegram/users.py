"""The users' side of the conversation: what a person does in Telegram, turned into updates.

`FakeBotApi.user(...)` makes a `FakeUser`; each action stores the user's message like Telegram
would and queues the update that `getUpdates` then serves to the bot.
"""

from __future__ import annotations

import copy
import re

from fakegram.faults import FaultInjection
from fakegram.state import Chat, State
from fakegram.wire import JSONDict, utf16_len

__all__ = ["FakeUser", "bot_command_entities"]

_BOT_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{1,64})?")


def bot_command_entities(text: str) -> list[JSONDict]:
    """The `bot_command` entity Telegram adds to a message that starts with `/command`."""
    match = _BOT_COMMAND.match(text)
    if not match:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))}]


class FakeUser:
    """A simulated Telegram user; every action enqueues an update and returns it as a dict."""

    def __init__(
        self,
        state: State,
        faults: FaultInjection,
        user_id: int,
        *,
        first_name: str = "Test",
        language_code: str | None = "nl",
        username: str | None = None,
        last_name: str | None = None,
    ) -> None:
        self._state = state
        self._faults = faults
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
        return self._state.sent_messages(self.id)

    def last_received(self) -> JSONDict:
        """The bot's latest message in this user's private chat."""
        return self._state.last_bot_message(self.id)

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
        chat = self._state.chats.get(chat_id)
        current = chat.live(message_id) if chat else None
        if current is None:
            raise ValueError(f"no message {message_id} in chat {chat_id}")
        if current["from"]["id"] != self._state.bot_id:
            raise ValueError("only the bot's messages have inline buttons")
        if check_button:
            rows = current.get("reply_markup", {}).get("inline_keyboard", [])
            if not any(b.get("callback_data") == callback_data for row in rows for b in row):
                raise ValueError(f"message {message_id} has no button with callback_data {callback_data!r}")
        query_id = self._state.next_callback_query_id(self.id)
        query: JSONDict = {
            "id": query_id,
            "from": self.as_dict(),
            "message": copy.deepcopy(current),
            "chat_instance": f"{chat_id}{self._state.bot_id}",
            "data": callback_data,
        }
        self._state.open_queries[query_id] = query
        return self._state.enqueue_update("callback_query", query)

    def react(self, message: JSONDict | int, emoji: str | None) -> JSONDict:
        """React to a message (a message dict, or a message_id in this user's private chat) with an
        emoji, or with None take the reaction back. Like Telegram, the `message_reaction` update
        holds the user's reaction before and after (one emoji, as without Telegram Premium), and
        getUpdates serves it only to a bot that named message_reaction in allowed_updates.
        """
        if isinstance(message, int):
            chat_id, message_id = self.id, message
        else:
            chat_id, message_id = message["chat"]["id"], message["message_id"]
        chat = self._state.chats.get(chat_id)
        if chat is None or chat.live(message_id) is None:
            raise ValueError(f"no message {message_id} in chat {chat_id}")
        if emoji is not None and not emoji:
            raise ValueError("a reaction is an emoji, or None to take it back")
        key = (chat_id, message_id, self.id)
        old = self._state.reactions.pop(key, [])
        new: list[JSONDict] = [{"type": "emoji", "emoji": emoji}] if emoji else []
        if new:
            self._state.reactions[key] = new
        reaction: JSONDict = {
            "chat": copy.deepcopy(chat.info),
            "message_id": message_id,
            "user": self.as_dict(),
            "date": self._state.now(),
            "old_reaction": old,
            "new_reaction": new,
        }
        return self._state.enqueue_update("message_reaction", reaction)

    def send_location(self, latitude: float, longitude: float) -> JSONDict:
        """Share a location in the private chat."""
        return self._message({"location": {"latitude": latitude, "longitude": longitude}})

    def send_sticker(self, emoji: str = "👍") -> JSONDict:
        """Send a sticker in the private chat."""
        sticker = self._state.register_file(
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
        content: JSONDict = {"photo": self._state.photo_sizes(1280, 960, 120_000, None)}
        if caption:
            content["caption"] = caption
        return self._message(content)

    def send_voice(self, duration: int = 3) -> JSONDict:
        """Send a voice note in the private chat."""
        voice = self._state.register_file(
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
        original = self._state.users.get(from_user_id)
        sender = original.as_dict() if original else {
            "id": from_user_id, "is_bot": False, "first_name": "Someone",
        }  # fmt: skip
        origin = {"type": "user", "sender_user": sender, "date": self._state.now() - 60}
        content: JSONDict = {"forward_origin": origin, "text": text}
        entities = bot_command_entities(text)
        if entities:
            content["entities"] = entities
        return self._message(content)

    def block_bot(self) -> JSONDict:
        """Block the bot: sends answer 403 and the bot gets a my_chat_member update."""
        self._faults.block_user(self.id)
        return self._membership_update("member", "kicked")

    def unblock_bot(self) -> JSONDict:
        """Unblock the bot (the my_chat_member update Telegram sends on /start after a block)."""
        self._faults.unblock_user(self.id)
        return self._membership_update("kicked", "member")

    def _chat(self, chat_type: str, chat_id: int | None, chat_title: str | None) -> Chat:
        if chat_type == "private":
            if chat_id not in (None, self.id):
                raise ValueError("a private chat's id is the user's id")
            chat = self._state.chat(self.id)
            chat.info = self.private_chat()
            return chat
        if chat_type not in ("group", "supergroup"):
            raise ValueError(f"unsupported chat_type {chat_type!r}")
        if chat_id is None or chat_id >= 0:
            raise ValueError("group chats need a negative chat_id, e.g. -1001234567890")
        return self._state.chat(chat_id, kind=chat_type, title=chat_title)

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
        message = self._state.new_message(chat, self.as_dict(), {})
        if reply_to is not None:
            reply_id = reply_to if isinstance(reply_to, int) else reply_to["message_id"]
            target = chat.live(reply_id)
            if target is None:
                raise ValueError(f"no message {reply_id} in chat {chat.id} to reply to")
            replied = copy.deepcopy(target)
            replied.pop("reply_to_message", None)
            message["reply_to_message"] = replied
        message.update(content)
        self._state.store(chat, message, from_bot=False)
        return self._state.enqueue_update("message", message)

    def _membership_update(self, old: str, new: str) -> JSONDict:
        def member(status: str) -> JSONDict:
            entry: JSONDict = {"status": status, "user": copy.deepcopy(self._state.bot_user)}
            if status == "kicked":
                entry["until_date"] = 0
            return entry

        self._chat("private", None, None)
        return self._state.enqueue_update(
            "my_chat_member",
            {
                "chat": self.private_chat(),
                "from": self.as_dict(),
                "date": self._state.now(),
                "old_chat_member": member(old),
                "new_chat_member": member(new),
            },
        )
