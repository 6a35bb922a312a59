"""The Bot API methods the bot (and PTB on its behalf) calls, answered as api.telegram.org does.

Only these are implemented: getMe, getUpdates, setWebhook, deleteWebhook, setMyCommands,
sendMessage, sendPhoto, sendDocument, sendAnimation, editMessageText, editMessageCaption and
answerCallbackQuery. Any other method
answers 404 like an unknown one, so a new call in the bot is noticed; a test can add one with
`FakeBotApi.set_handler`.
"""

from __future__ import annotations

import asyncio
import copy
import re
import struct
from typing import Any

from fakegram.state import Chat, State, commands_key
from fakegram.wire import ApiError, JSONDict, MethodHandler, UploadedFile, bad_request, utf16_len

__all__ = ["NOT_MODIFIED", "BotApiMethods"]

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"
GET_UPDATES_CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete "
    "the webhook first"
)

# Message features the bot does not use and the fake does not model; refusing them means a
# future use fails loudly in the tests instead of passing unchecked.
_UNSUPPORTED_PARAMS = (
    "parse_mode", "entities", "caption_entities", "reply_parameters", "reply_to_message_id",
    "link_preview_options", "has_spoiler",
)  # fmt: skip
# Update types getUpdates delivers when allowed_updates was never given (Bot API default).
_DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_COMMAND_PATTERN = re.compile(r"^[a-z0-9_]{1,32}$")


class BotApiMethods:
    """The implemented Bot API methods, working on one `State`."""

    def __init__(self, state: State) -> None:
        self._state = state

    def table(self) -> dict[str, MethodHandler]:
        """Each method under its Bot API name."""
        return {
            "getMe": self.get_me,
            "getUpdates": self.get_updates,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "setMyCommands": self.set_my_commands,
            "sendMessage": self.send_message,
            "sendPhoto": self.send_photo,
            "sendDocument": self.send_document,
            "sendAnimation": self.send_animation,
            "editMessageText": self.edit_message_text,
            "editMessageCaption": self.edit_message_caption,
            "answerCallbackQuery": self.answer_callback_query,
        }

    # ----------------------------------------------------------------------------------------
    # The bot and its updates

    async def get_me(self, params: JSONDict) -> JSONDict:
        """getMe."""
        return {
            **self._state.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def get_updates(self, params: JSONDict) -> list[JSONDict]:
        """getUpdates, long polling up to `timeout` seconds."""
        state = self._state
        if state.webhook_url is not None:
            raise ApiError(409, WEBHOOK_CONFLICT)
        offset = params.get("offset")
        limit = params.get("limit", 100)
        timeout = params.get("timeout", 0)
        if not isinstance(limit, int) or not isinstance(timeout, int | float):
            raise bad_request("wrong parameter type")
        limit = min(max(limit, 1), 100)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            state.allowed_updates = frozenset(str(kind) for kind in allowed) or None
        if isinstance(offset, int) and offset < 0:
            del state.updates[: max(len(state.updates) + offset, 0)]
        elif isinstance(offset, int):
            state.updates = [u for u in state.updates if u["update_id"] >= offset]

        # A newer getUpdates call ends this one with 409, as Telegram does.
        state.poll_generation += 1
        generation = state.poll_generation
        state.notify()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(float(timeout), 0.0)
        while True:
            batch = self._deliverable(limit)
            if batch:
                return batch
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            await state.wait_for_change(remaining)
            if generation != state.poll_generation:
                raise ApiError(409, GET_UPDATES_CONFLICT)

    def _deliverable(self, limit: int) -> list[JSONDict]:
        state = self._state

        def allowed(update: JSONDict) -> bool:
            kind = next(key for key in update if key != "update_id")
            if state.allowed_updates is None:
                return kind not in _DEFAULT_EXCLUDED_UPDATES
            return kind in state.allowed_updates

        # Updates of a type the bot did not ask for are dropped, not kept pending forever.
        state.updates = [update for update in state.updates if allowed(update)]
        return copy.deepcopy(state.updates[:limit])

    async def set_webhook(self, params: JSONDict) -> bool:
        """setWebhook; an empty url removes the webhook."""
        url = str(params.get("url") or "")
        if params.get("drop_pending_updates"):
            self._state.updates.clear()
        if url and not url.startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self._state.webhook_url = url or None
        return True

    async def delete_webhook(self, params: JSONDict) -> bool:
        """deleteWebhook."""
        self._state.webhook_url = None
        if params.get("drop_pending_updates"):
            self._state.updates.clear()
        return True

    async def set_my_commands(self, params: JSONDict) -> bool:
        """setMyCommands, one list per scope and language."""
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
        key = commands_key(params.get("scope"), params.get("language_code"))
        self._state.commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    # ----------------------------------------------------------------------------------------
    # Messages

    async def send_message(self, params: JSONDict) -> JSONDict:
        """sendMessage."""
        _refuse_unsupported(params)
        chat = self._state.target_chat(params)
        return self._send(chat, params, {"text": _text(params, "message is too long")})

    async def send_photo(self, params: JSONDict) -> JSONDict:
        """sendPhoto: an upload (PNG, GIF, JPEG or WebP), a known file_id or a URL."""
        _refuse_unsupported(params)
        chat = self._state.target_chat(params)
        photo = params.get("photo")
        if photo is None or photo == "":
            raise bad_request("there is no photo in the request")
        if isinstance(photo, UploadedFile):
            if not photo.data:
                raise bad_request("file must be non-empty")
            dimensions = _image_size(photo.data)
            if dimensions is None:
                raise bad_request("IMAGE_PROCESS_FAILED")
            sizes = self._state.photo_sizes(*dimensions, len(photo.data), photo)
        else:
            sizes = self._state.stored_media("photo", photo) or self._state.photo_sizes(
                800, 600, 50_000, None
            )
        return self._send(chat, params, {"photo": sizes, **_caption(params)})

    async def send_document(self, params: JSONDict) -> JSONDict:
        """sendDocument: an upload, a known file_id or a URL."""
        _refuse_unsupported(params)
        chat = self._state.target_chat(params)
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

            stored: JSONDict = self._state.register_file("document", meta, upload)
        else:
            stored = self._state.stored_media("document", document) or self._state.register_file(
                "document",
                lambda file_id, unique_id: {"file_id": file_id, "file_unique_id": unique_id},
                None,
            )
        return self._send(chat, params, {"document": stored, **_caption(params)})

    async def send_animation(self, params: JSONDict) -> JSONDict:
        """sendAnimation: an uploaded GIF or MP4, a known file_id or a URL.

        Like Telegram, the message carries the file as `animation` and, for older clients, as
        `document` too; a file_id names the same file on every later send.
        """
        _refuse_unsupported(params)
        chat = self._state.target_chat(params)
        animation = params.get("animation")
        if animation is None or animation == "":
            raise bad_request("there is no animation in the request")
        if isinstance(animation, UploadedFile):
            if not animation.data:
                raise bad_request("file must be non-empty")
            dimensions = _image_size(animation.data) if animation.data[:3] == b"GIF" else None
            if dimensions is None and animation.data[4:8] != b"ftyp":
                raise bad_request("wrong type of the animation: a GIF or an MP4 is needed")
            upload = animation
            width, height = dimensions or (320, 320)
            duration = _gif_seconds(upload.data)

            def meta(file_id: str, unique_id: str) -> JSONDict:
                return {
                    "file_id": file_id,
                    "file_unique_id": unique_id,
                    "width": width,
                    "height": height,
                    "duration": duration,
                    "file_name": upload.filename,
                    "mime_type": "video/mp4",  # Telegram turns a GIF into an MP4
                    "file_size": len(upload.data),
                }

            stored: JSONDict = self._state.register_file("animation", meta, upload)
        else:
            stored = self._state.stored_media("animation", animation) or self._state.register_file(
                "animation",
                lambda file_id, unique_id: {
                    "file_id": file_id,
                    "file_unique_id": unique_id,
                    "width": 320,
                    "height": 320,
                    "duration": 1,
                },
                None,
            )
        return self._send(
            chat, params, {"animation": stored, "document": copy.deepcopy(stored), **_caption(params)}
        )

    async def edit_message_text(self, params: JSONDict) -> JSONDict:
        """editMessageText of one of the bot's text messages."""
        _refuse_unsupported(params)
        chat, message = self._editable(params)
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        text = _text(params, "MESSAGE_TOO_LONG")
        # Like Telegram, an edit without reply_markup removes the inline keyboard.
        markup = _inline_markup(chat, params.get("reply_markup"), editing=True)
        changes = {"text": text, "reply_markup": markup}
        if all(message.get(key) == value for key, value in changes.items()):
            raise ApiError(400, NOT_MODIFIED)
        message["text"] = text
        if markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = markup
        message["edit_date"] = self._state.now()
        return copy.deepcopy(message)

    async def edit_message_caption(self, params: JSONDict) -> JSONDict:
        """editMessageCaption of one of the bot's photos, documents or animations."""
        _refuse_unsupported(params)
        chat, message = self._editable(params)
        if "text" in message:
            raise bad_request("there is no caption in the message to edit")
        caption = _caption(params).get("caption")
        markup = _inline_markup(chat, params.get("reply_markup"), editing=True)
        if message.get("caption") == caption and message.get("reply_markup") == markup:
            raise ApiError(400, NOT_MODIFIED)
        if caption is None:
            message.pop("caption", None)
        else:
            message["caption"] = caption
        if markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = markup
        message["edit_date"] = self._state.now()
        return copy.deepcopy(message)

    async def answer_callback_query(self, params: JSONDict) -> bool:
        """answerCallbackQuery, once per open query; the answer is kept in `callback_answers`."""
        query_id = str(params.get("callback_query_id") or "")
        if self._state.open_queries.pop(query_id, None) is None:
            raise ApiError(400, QUERY_INVALID)
        self._state.callback_answers[query_id] = {
            key: value for key, value in params.items() if key != "callback_query_id"
        }
        return True

    def _send(self, chat: Chat, params: JSONDict, content: JSONDict) -> JSONDict:
        markup = _inline_markup(chat, params.get("reply_markup"), editing=False)
        message = self._state.new_message(chat, self._state.bot_user, content)
        if markup is not None:
            message["reply_markup"] = markup
        if params.get("allow_paid_broadcast") is True:
            self._state.paid_messages.add((chat.id, message["message_id"]))
        return self._state.store(chat, message, from_bot=True)

    def _editable(self, params: JSONDict) -> tuple[Chat, JSONDict]:
        if params.get("inline_message_id") is not None:
            raise bad_request("MESSAGE_ID_INVALID")
        chat = self._state.target_chat(params)
        message_id = params.get("message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        message = chat.live(message_id) if isinstance(message_id, int) else None
        if message is None:
            raise bad_request("message to edit not found")
        if message["from"]["id"] != self._state.bot_id:
            raise bad_request("message can't be edited")
        return chat, message


def _refuse_unsupported(params: JSONDict) -> None:
    for name in _UNSUPPORTED_PARAMS:
        if params.get(name) is not None:
            raise bad_request(f"{name} is not supported by this fake")


def _text(params: JSONDict, too_long: str) -> str:
    """The message text as Telegram keeps it (surrounding whitespace trimmed), or a 400."""
    raw = params.get("text")
    text = "" if raw is None else str(raw).strip()
    if not text:
        raise bad_request("message text is empty")
    if utf16_len(text) > MAX_TEXT_LENGTH:
        raise bad_request(too_long)
    return text


def _caption(params: JSONDict) -> JSONDict:
    text = str(params.get("caption") or "").strip()
    if utf16_len(text) > MAX_CAPTION_LENGTH:
        raise bad_request("message caption is too long")
    return {"caption": text} if text else {}


def _inline_markup(chat: Chat, markup: Any, *, editing: bool) -> JSONDict | None:
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
    if "keyboard" in markup:
        chat.reply_keyboard = copy.deepcopy(markup)
    elif "remove_keyboard" in markup:
        chat.reply_keyboard = None
    elif "force_reply" not in markup:
        raise bad_request("can't parse reply keyboard markup JSON object")
    return None


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


def _gif_seconds(data: bytes) -> int:
    """How long one loop of a GIF lasts, in whole seconds (at least 1), from its frames' delays."""
    if data[:3] != b"GIF" or len(data) < 13:
        return 1
    index = 13
    if data[10] & 0x80:  # a global colour table follows the screen descriptor
        index += 3 * 2 ** ((data[10] & 0x07) + 1)
    hundredths = 0
    while index < len(data):
        block = data[index]
        if block == 0x3B:  # trailer
            break
        if block == 0x21 and index + 1 < len(data):  # an extension: label, then sub-blocks
            if data[index + 1] == 0xF9 and index + 6 <= len(data):
                hundredths += struct.unpack("<H", data[index + 4 : index + 6])[0]
            index += 2
        elif block == 0x2C and index + 10 <= len(data):  # an image: descriptor, colours, LZW code size
            flags = data[index + 9]
            index += 10 + (3 * 2 ** ((flags & 0x07) + 1) if flags & 0x80 else 0) + 1
        else:
            break
        while index < len(data) and data[index]:  # the sub-blocks, up to the empty one
            index += data[index] + 1
        index += 1
    return max(1, round(hundredths / 100))


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
