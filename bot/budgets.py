"""The send budget every message to Telegram draws from, in memory, in PostgreSQL or in Redis.

Telegram allows a bot about 30 messages a second, however many processes send them; paid
broadcasts (`allow_paid_broadcast`) have a limit of their own, 1000 a second. One budget counts
both for all the bot's processes:

- `LocalBudget`: in this process's memory, for one process on SQLite;
- `PostgresBudget`: a row per limit in the database the processes share (storage/send_budget.py),
  a token bucket taken from by one atomic UPDATE;
- `RedisBudget` (bot/redis_budget.py): in Redis when REDIS_URL is set, counted by the `limits`
  library's moving window.

A message is drawn as one of three `Draw`s: `WHOLE` (answers to members: replies, the edit after a
tap) from the whole budget; `SHARE` (nudges and weekly pictures) from the nudges' share, which
leaves `reserve_per_second` of every second to answers; `PAID` from the paid limit. Nobody draws
while a 429 from Telegram, received by any process, is waited out (`pause`).

Sends are spaced rather than bunched (a bucket of one message, or one message per 1/rate seconds
in Redis), so that no second, measured anywhere, holds more than the rate and one.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from enum import Enum
from urllib.parse import urlsplit

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from telegram.error import NetworkError

from bot.settings import Settings
from storage import send_budget
from storage.send_budget import Rates, Taken

log = logging.getLogger(__name__)

# Telegram's limits: messages a second for a bot, and for its paid broadcasts.
TELEGRAM_RATE = 30
PAID_RATE = 1000
DEFAULT_RESERVE = 3
# A message that finds no room for this long is given up (the sender then tries again, a few times).
LONGEST_WAIT = 60.0
# How often a taker that was refused looks again, at most and at least.
LONGEST_POLL = 0.25
SHORTEST_POLL = 0.001
# After the nudges' share refused a message, the budget counts as crowded for this long.
CROWDED_SECONDS = 0.5


class Draw(Enum):
    """What a message is drawn from."""

    WHOLE = "whole"  # answers to members: the whole budget, reserve included
    SHARE = "share"  # nudges and weekly pictures: the whole budget less the reserve
    PAID = "paid"  # paid broadcasts: the paid limit, not the free one


@dataclass(frozen=True)
class BudgetRates:
    """Messages a second: all of them, the part kept for answers, and paid broadcasts."""

    per_second: float = TELEGRAM_RATE
    reserve_per_second: float = DEFAULT_RESERVE
    paid_per_second: float = PAID_RATE

    def __post_init__(self) -> None:
        if not 0 <= self.reserve_per_second < self.per_second:
            raise ValueError("the reserve for answers must be below the rate, and not negative")
        if self.paid_per_second <= 0:
            raise ValueError("the paid rate must be above 0")

    @property
    def share_per_second(self) -> float:
        return self.per_second - self.reserve_per_second


class BudgetUnavailable(NetworkError):
    """The shared budget could not be reached: the message is not sent (the sender retries)."""


class Budget(ABC):
    """Waits for room in the budget; the backends say whether a message may go now."""

    # The errors of the backend, reported as `BudgetUnavailable`.
    unavailable: tuple[type[Exception], ...] = ()

    def __init__(self, rates: BudgetRates) -> None:
        self.rates = rates
        self._locks = {draw: asyncio.Lock() for draw in Draw}
        self._paused_until = 0.0
        self._share_refused_at = -math.inf

    # Empty, not abstract: the budget in memory has nothing to open or close.
    async def open(self) -> None:  # noqa: B027
        """Connect, or make what the budget needs (called as the bot initializes)."""

    async def close(self) -> None:  # noqa: B027
        """Let go of the connections (called as the bot shuts down)."""

    @abstractmethod
    async def _attempt(self, draw: Draw) -> Taken:
        """One try at taking a message now."""

    @abstractmethod
    async def _pause_everyone(self, seconds: float) -> None:
        """Nobody draws for `seconds`, in any process."""

    async def take(self, draw: Draw, *, within: float = LONGEST_WAIT) -> bool:
        """Wait (at most `within` seconds) for room for one message; False if none came in time."""
        deadline = time.monotonic() + within
        lock = self._locks[draw]
        # One taker of a kind asks the backend at a time; the others queue here, in order.
        try:
            async with asyncio.timeout(within):
                await lock.acquire()
        except TimeoutError:
            return False
        try:
            while True:
                taken = await self._attempt_reported(draw)
                if taken.granted:
                    return True
                self._note_refusal(draw, taken)
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                await asyncio.sleep(min(max(taken.wait, SHORTEST_POLL), LONGEST_POLL, left))
        finally:
            lock.release()

    async def pause(self, seconds: float) -> None:
        """Telegram answered 429: every process waits `seconds` before its next message."""
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)
        try:
            await self._pause_everyone(seconds)
        except self.unavailable as error:
            reason = f"the send budget could not be paused ({type(error).__name__})"
            raise BudgetUnavailable(reason) from error

    def crowded(self) -> bool:
        """Paused, or the nudges' share was full a moment ago (as far as this process has seen)."""
        now = time.monotonic()
        return now < self._paused_until or now - self._share_refused_at < CROWDED_SECONDS

    async def _attempt_reported(self, draw: Draw) -> Taken:
        try:
            return await self._attempt(draw)
        except self.unavailable as error:
            raise BudgetUnavailable(f"the send budget is unreachable ({type(error).__name__})") from error

    def _note_refusal(self, draw: Draw, taken: Taken) -> None:
        now = time.monotonic()
        if taken.paused:
            self._paused_until = max(self._paused_until, now + taken.wait)
        if draw is Draw.SHARE:
            self._share_refused_at = now


class _Bucket:
    """A token bucket in memory: `rate` a second, holding at most one message."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self._level, self._at = send_budget.BURST, time.monotonic()

    def level(self, now: float) -> float:
        self._level = min(send_budget.BURST, self._level + max(0.0, now - self._at) * self.rate)
        self._at = max(self._at, now)
        return self._level

    def wait(self, now: float) -> float:
        return max(0.0, 1 - self.level(now)) / self.rate

    def take(self) -> None:
        self._level -= 1


class LocalBudget(Budget):
    """The budget of a bot that runs as one process: in memory."""

    def __init__(self, rates: BudgetRates) -> None:
        super().__init__(rates)
        self._whole = _Bucket(rates.per_second)
        self._share = _Bucket(rates.share_per_second)
        self._paid = _Bucket(rates.paid_per_second)

    def _buckets(self, draw: Draw) -> list[_Bucket]:
        if draw is Draw.PAID:
            return [self._paid]
        if draw is Draw.SHARE:
            return [self._whole, self._share]
        return [self._whole]

    async def _attempt(self, draw: Draw) -> Taken:
        now = time.monotonic()
        if now < self._paused_until:
            return Taken(granted=False, wait=self._paused_until - now, paused=True)
        buckets = self._buckets(draw)
        wait = max(bucket.wait(now) for bucket in buckets)
        if wait > 0:
            return Taken(granted=False, wait=wait)
        for bucket in buckets:
            bucket.take()
        return Taken(granted=True)

    async def _pause_everyone(self, seconds: float) -> None:
        """Only this process sends: `pause` has said it all."""


class PostgresBudget(Budget):
    """The budget of several processes on PostgreSQL: rows in the shared database."""

    unavailable = (SQLAlchemyError,)

    def __init__(self, engine: Engine, rates: BudgetRates) -> None:
        super().__init__(rates)
        self._engine = engine

    async def open(self) -> None:
        await asyncio.to_thread(self._ensure)

    def _ensure(self) -> None:
        with self._engine.begin() as connection:
            send_budget.ensure_budgets(connection)

    # In a thread: a take that waits for the row's lock must not hold up the event loop.
    async def _attempt(self, draw: Draw) -> Taken:
        return await asyncio.to_thread(self._take_now, draw)

    def _take_now(self, draw: Draw) -> Taken:
        if draw is Draw.PAID:
            name, rates = send_budget.PAID, Rates(self.rates.paid_per_second, self.rates.paid_per_second)
        else:
            name, rates = send_budget.MESSAGES, Rates(self.rates.per_second, self.rates.share_per_second)
        with self._engine.begin() as connection:
            return send_budget.take(connection, name=name, rates=rates, from_share=draw is Draw.SHARE)

    async def _pause_everyone(self, seconds: float) -> None:
        await asyncio.to_thread(self._pause_now, seconds)

    def _pause_now(self, seconds: float) -> None:
        with self._engine.begin() as connection:
            send_budget.pause(connection, seconds=seconds)


def _without_password(url: str) -> str:
    """A URL fit for a log line: the password, if any, left out."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def budget_for(settings: Settings, engine: Engine) -> Budget:
    """Redis when REDIS_URL is set, else the database when it is PostgreSQL, else memory."""
    rates = BudgetRates(
        per_second=settings.send_rate_per_second,
        reserve_per_second=settings.send_reserve_per_second,
        paid_per_second=settings.paid_rate_per_second,
    )
    if settings.redis_url is not None:
        # Imported only here: `limits` and `redis` add to every start-up that does not use them.
        from bot.redis_budget import RedisBudget

        url = settings.redis_url.get_secret_value()
        log.info("The send budget is shared through Redis at %s", _without_password(url))
        return RedisBudget(url, rates, prefix=settings.redis_key_prefix)
    if engine.dialect.name == "postgresql":
        log.info("The send budget is shared through the PostgreSQL database")
        return PostgresBudget(engine, rates)
    return LocalBudget(rates)
