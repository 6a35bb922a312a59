"""The one place that sends to Telegram and turns its errors into outcomes.

Retries are bounded: a 429 is waited out (the rate limiter retries first), server errors and
timeouts get a few attempts with backoff, and then the outcome is reported, never raised.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from telegram import (
    Bot,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.request import BaseRequest, RequestData

from scheduler.delivery import Delivery, SendResult

log = logging.getLogger(__name__)

ReplyMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


# The last one: the tapped message is a file or picture, which only forged button data reaches.
HARMLESS_EDIT_ERRORS = (
    "message is not modified",
    "message to edit not found",
    "message can't be edited",
    "there is no text in the message to edit",
)
GONE_CHAT_ERRORS = ("chat not found", "user is deactivated", "bot was blocked")


def error_kind(status: int) -> str | None:
    """The kind of error an HTTP status from the Bot API is, for the metrics (None: not one)."""
    if status == 429:
        return "429"
    if status == 403:
        return "403"
    if 500 <= status <= 599:
        return "5xx"
    return None


class CountedRequest(BaseRequest):
    """The Bot API requests, with every error answer counted by kind (`error_kind`, "timeout",
    "network"): each attempt, including the 429s that the rate limiter retries before the sender
    ever sees them."""

    __slots__ = ("_count", "_inner")

    def __init__(self, inner: BaseRequest, count: Callable[[str], None]) -> None:
        self._inner, self._count = inner, count

    @property
    def read_timeout(self) -> float | None:
        return self._inner.read_timeout

    async def initialize(self) -> None:
        await self._inner.initialize()

    async def shutdown(self) -> None:
        await self._inner.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        try:
            status, payload = await self._inner.do_request(
                url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
            )
        except TimedOut:
            self._count("timeout")
            raise
        except NetworkError:
            self._count("network")
            raise
        kind = error_kind(status)
        if kind is not None:
            self._count(kind)
        return status, payload


def _seconds(retry_after: int | float | timedelta) -> float:
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else float(retry_after)


class TelegramSender:
    """Sends messages, edits and callback answers for the whole bot."""

    def __init__(
        self,
        bot: Bot,
        *,
        attempts: int = 3,
        first_backoff_seconds: float = 0.5,
        longest_wait_seconds: float = 60.0,
    ) -> None:
        self._bot = bot
        self._attempts = attempts
        self._first_backoff = first_backoff_seconds
        self._longest_wait = longest_wait_seconds

    async def send_text(self, chat_id: int, text: str, reply_markup: ReplyMarkup | None = None) -> SendResult:
        return await self._deliver(lambda: self._bot.send_message(chat_id, text, reply_markup=reply_markup))

    async def send_document(
        self, chat_id: int, data: bytes, filename: str, caption: str | None = None
    ) -> SendResult:
        return await self._deliver(
            lambda: self._bot.send_document(chat_id, InputFile(data, filename=filename), caption=caption)
        )

    async def send_photo(self, chat_id: int, png: bytes, caption: str | None = None) -> SendResult:
        return await self._deliver(
            lambda: self._bot.send_photo(chat_id, InputFile(png, filename="week.png"), caption=caption)
        )

    async def edit_text(
        self,
        chat_id: int,
        message_id: int,
        text: str,
        reply_markup: InlineKeyboardMarkup | None = None,
    ) -> SendResult:
        """Edit a message; an edit that changes nothing or whose message is gone is not an error."""
        result = await self._deliver(
            lambda: self._bot.edit_message_text(
                text, chat_id=chat_id, message_id=message_id, reply_markup=reply_markup
            ),
            harmless=HARMLESS_EDIT_ERRORS,
        )
        if result.delivery is Delivery.FAILED and result.reason.lower().startswith(HARMLESS_EDIT_ERRORS):
            return SendResult(Delivery.DELIVERED, message_id, result.reason)
        return result

    async def answer_callback(self, callback_query_id: str, text: str | None = None) -> SendResult:
        return await self._deliver(lambda: self._bot.answer_callback_query(callback_query_id, text=text))

    async def _deliver(
        self, call: Callable[[], Awaitable[object]], *, harmless: tuple[str, ...] = ()
    ) -> SendResult:
        """Make the call with bounded retries; a refusal is logged unless `harmless` names it."""
        backoff = self._first_backoff
        reason = ""
        for attempt in range(1, self._attempts + 1):
            try:
                outcome = await call()
            except RetryAfter as error:
                wait = _seconds(error.retry_after)
                reason = f"flood control: retry after {wait:g}s"
                if wait > self._longest_wait:
                    break
                log.warning("Telegram asked to wait %.1fs (attempt %d)", wait, attempt)
                await asyncio.sleep(wait)
                continue
            except Forbidden as error:
                return SendResult(Delivery.BLOCKED, reason=error.message)
            except BadRequest as error:
                if any(text in error.message.lower() for text in GONE_CHAT_ERRORS):
                    return SendResult(Delivery.BLOCKED, reason=error.message)
                if not error.message.lower().startswith(harmless):
                    log.warning("Telegram refused a request: %s", error.message)
                return SendResult(Delivery.FAILED, reason=error.message)
            except NetworkError as error:
                # Server errors (5xx) and timeouts: worth a few more tries.
                reason = error.message
                log.warning("Telegram request failed (attempt %d): %s", attempt, reason)
            except TelegramError as error:
                log.warning("Telegram refused a request: %s", error.message)
                return SendResult(Delivery.FAILED, reason=error.message)
            else:
                message_id = outcome.message_id if isinstance(outcome, Message) else None
                return SendResult(Delivery.DELIVERED, message_id)
            if attempt < self._attempts:
                await asyncio.sleep(backoff)
                backoff *= 2
        return SendResult(Delivery.FAILED, reason=reason or "gave up")
