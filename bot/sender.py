"""The one place that sends to Telegram and turns its errors into outcomes.

Retries are bounded: a 429 is waited out (the rate limiter retries first), server errors and
timeouts get a few attempts with backoff, and then the outcome is reported, never raised.
A guided breathing session's edits are tried once and reported (`edit_once`): a phase whose edit
does not get out is skipped, not waited for. Nudges are sent in `Lane.NUDGE`, behind the answers
to members, and paid broadcasts (`paid=True`) in `Lane.PAID`; requests in a `Lane` give way to
answers in the rate limiter (bot/rate_limit.py).
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
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
from telegram.warnings import PTBDeprecationWarning

from bot.rate_limit import Lane, PriorityRateLimiter
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


def _wait_of(error: RetryAfter) -> float:
    """The wait a 429 asks for, in seconds, without PTB's warning about its type changing."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        return _seconds(error.retry_after)


class Edited(StrEnum):
    MADE = "made"  # the message shows the new text (or already did)
    REFUSED = "refused"  # 429, from Telegram or from the rate limiter's lane: try later
    GONE = "gone"  # the message or the chat is gone, or the bot was blocked: stop editing it
    FAILED = "failed"  # a timeout or server error: try later


@dataclass(frozen=True)
class EditOutcome:
    edited: Edited
    retry_after: float = 0.0
    reason: str = ""


@dataclass(frozen=True)
class AnimationSent:
    result: SendResult
    # The id Telegram keeps the file under, to send it again without uploading it.
    file_id: str | None = None


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

    async def send_text(
        self,
        chat_id: int,
        text: str,
        reply_markup: ReplyMarkup | None = None,
        *,
        lane: Lane | None = None,
        paid: bool = False,
    ) -> SendResult:
        """Send a message: an answer by default, a nudge with `lane=Lane.NUDGE`, a paid broadcast
        (Telegram Stars, beyond the free limit) with `paid=True`."""
        arguments = self._lane(Lane.PAID if paid else lane)
        if paid:
            arguments["allow_paid_broadcast"] = True
        return await self._deliver(
            lambda: self._bot.send_message(chat_id, text, reply_markup=reply_markup, **arguments)
        )

    async def send_document(
        self, chat_id: int, data: bytes, filename: str, caption: str | None = None
    ) -> SendResult:
        return await self._deliver(
            lambda: self._bot.send_document(chat_id, InputFile(data, filename=filename), caption=caption)
        )

    async def send_photo(
        self, chat_id: int, png: bytes, caption: str | None = None, *, lane: Lane | None = None
    ) -> SendResult:
        arguments = self._lane(lane)
        return await self._deliver(
            lambda: self._bot.send_photo(
                chat_id, InputFile(png, filename="week.png"), caption=caption, **arguments
            )
        )

    async def send_animation(
        self,
        chat_id: int,
        animation: bytes | str,
        *,
        filename: str,
        caption: str | None = None,
        reply_markup: InlineKeyboardMarkup | None = None,
    ) -> AnimationSent:
        """Send a GIF (its bytes, uploaded) or a file Telegram already has (its file_id)."""
        sent: list[Message] = []

        async def call() -> Message:
            media = InputFile(animation, filename=filename) if isinstance(animation, bytes) else animation
            message = await self._bot.send_animation(
                chat_id, media, caption=caption, reply_markup=reply_markup
            )
            sent.append(message)
            return message

        result = await self._deliver(call)
        file_id = sent[-1].animation.file_id if sent and sent[-1].animation else None
        return AnimationSent(result, file_id)

    async def edit_text(
        self,
        chat_id: int,
        message_id: int,
        text: str,
        reply_markup: InlineKeyboardMarkup | None = None,
        *,
        lane: Lane | None = None,
    ) -> SendResult:
        """Edit a message; an edit that changes nothing or whose message is gone is not an error."""
        lane_arguments = self._lane(lane)
        result = await self._deliver(
            lambda: self._bot.edit_message_text(
                text, chat_id=chat_id, message_id=message_id, reply_markup=reply_markup, **lane_arguments
            ),
            harmless=HARMLESS_EDIT_ERRORS,
        )
        if result.delivery is Delivery.FAILED and result.reason.lower().startswith(HARMLESS_EDIT_ERRORS):
            return SendResult(Delivery.DELIVERED, message_id, result.reason)
        return result

    async def edit_once(
        self,
        chat_id: int,
        message_id: int,
        text: str,
        reply_markup: InlineKeyboardMarkup | None = None,
        *,
        caption: bool = False,
        lane: Lane | None = None,
    ) -> EditOutcome:
        """One try at editing a text (or a media message's caption); a 429 is reported, not waited out."""
        arguments = self._lane(lane)
        try:
            if caption:
                await self._bot.edit_message_caption(
                    chat_id=chat_id,
                    message_id=message_id,
                    caption=text,
                    reply_markup=reply_markup,
                    **arguments,
                )
            else:
                await self._bot.edit_message_text(
                    text, chat_id=chat_id, message_id=message_id, reply_markup=reply_markup, **arguments
                )
        except RetryAfter as error:
            return EditOutcome(Edited.REFUSED, _wait_of(error), error.message)
        except Forbidden as error:
            return EditOutcome(Edited.GONE, reason=error.message)
        except BadRequest as error:
            reason = error.message.lower()
            if reason.startswith("message is not modified"):
                return EditOutcome(Edited.MADE, reason=error.message)
            if reason.startswith(HARMLESS_EDIT_ERRORS) or any(gone in reason for gone in GONE_CHAT_ERRORS):
                return EditOutcome(Edited.GONE, reason=error.message)
            log.warning("Telegram refused an edit: %s", error.message)
            return EditOutcome(Edited.FAILED, reason=error.message)
        except NetworkError as error:
            return EditOutcome(Edited.FAILED, reason=error.message)
        except TelegramError as error:
            log.warning("Telegram refused an edit: %s", error.message)
            return EditOutcome(Edited.FAILED, reason=error.message)
        return EditOutcome(Edited.MADE)

    def _lane(self, lane: Lane | None) -> dict[str, Any]:
        """The request's lane for the rate limiter, where it has lanes (not in benches without one)."""
        if lane is None or not isinstance(getattr(self._bot, "rate_limiter", None), PriorityRateLimiter):
            return {}
        return {"rate_limit_args": lane}

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
