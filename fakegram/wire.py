"""What crosses the wire: parameters as the Bot API receives them, recorded calls, error answers.

Everything else in fakegram builds on these; this module imports nothing from the package.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = [
    "ApiCall",
    "ApiError",
    "JSONDict",
    "MethodHandler",
    "UploadedFile",
    "bad_request",
    "decode_params",
    "utf16_len",
]

JSONDict = dict[str, Any]
MethodHandler = Callable[[JSONDict], Awaitable[Any]]
"""A Bot API method: gets the decoded parameters, returns the `result` or raises `ApiError`."""

# Parameters arrive as strings on the wire (PTB JSON-encodes every non-string value and the
# transports send form fields); these tables say how to turn the ones the fake reads back into
# values. Anything else stays a string.
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
        "allow_paid_broadcast",
    }
)
_JSON_PARAMS = frozenset({"reply_markup", "commands", "scope", "allowed_updates"})
_CHAT_ID = re.compile(r"-?[0-9]+")


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
    def paid(self) -> bool:
        """Whether it was sent as a paid broadcast (`allow_paid_broadcast`), beyond the free limit."""
        return self.params.get("allow_paid_broadcast") is True

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
    """Length of `text` in UTF-16 code units, the unit of Telegram's lengths and offsets."""
    return len(text.encode("utf-16-le")) // 2


def _decode_value(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if name in _JSON_PARAMS:
        try:
            return json.loads(value)
        except ValueError:
            what = "reply keyboard markup" if name == "reply_markup" else name
            raise bad_request(f"can't parse {what} JSON object") from None
    if name == "chat_id":
        return int(value) if _CHAT_ID.fullmatch(value) else value
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


def decode_params(params: Mapping[str, Any]) -> JSONDict:
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
