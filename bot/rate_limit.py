"""The bot's share of Telegram's limit (about 30 messages per second), with two lanes that give way.

Every request goes through PTB's AIORateLimiter: one leaky bucket for the whole bot, a 429 waited
out by everyone and retried. Two kinds of request come second to nudges and replies:

- `Lane.BEST_EFFORT`, a guided breathing session's phase edits: now or never. Refused at once (as
  a RetryAfter, which the session takes as a skipped phase) while the bot's share has fewer than
  `reserve` places free, or once these edits have had `best_effort_per_second` in the last second.
  Never retried, and Telegram's 429 for one holds up nothing else.
- `Lane.BACKGROUND`, an answered nudge's edit after a session: waits for a moment with the reserve
  free, then goes like any other request.

So at a busy moment (everyone's 16:00 nudges) the sessions' edits step aside rather than queue in
front of a nudge, and the sessions thin their edits or run as the animation (bot/breathing). A
session started then holds its first message back itself, while `room` is none, and `quiet_in`
says for how long (bot/breathing/runner.py).

How full the share is, is counted here on `clock`: the event loop's time, with the waiting left to
AIORateLimiter in real time; or, offline (`real_time=False`), the bot's stepped clock, which
nothing waits for, so that a fast-forwarded session meets the limits it would meet in real time
and a test does not wait for them.

In real time the count alone does not say that nudges are queueing: a dispatch round hands them
over ten at a time as the last ten go out, so they come in at the very rate the count drains, and
after a pause (a 429, a slow moment of the machine) the count stays low while the queue goes on.
So the share is also busy while any request waits out a 429, and for `QUEUED_SECONDS` after a
request last found no place free at once in AIORateLimiter's bucket.
"""

from __future__ import annotations

import asyncio
import math
import warnings
from collections.abc import Callable, Coroutine
from enum import IntEnum
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter
from telegram.warnings import PTBDeprecationWarning

# Nudges and replies always find this many places free in the bot's share of 30.
DEFAULT_RESERVE = 10
# All guided sessions' phase edits together: a third of the limit at most.
DEFAULT_BEST_EFFORT_PER_SECOND = 10
# How often a background request looks for a quiet moment.
QUIET_CHECK_SECONDS = 0.25
# The share counts as busy this long after a request last had to wait for its place: longer than
# the moment between two rounds of nudges, even on a slow machine, and than a 429's pause.
QUEUED_SECONDS = 2.0

Result = bool | dict[str, Any] | list[dict[str, Any]]
Seconds = Callable[[], float]


class Lane(IntEnum):
    """The `rate_limit_args` of a request that gives way; every other request passes none.

    Below zero, so that no retry count (what AIORateLimiter takes there) is mistaken for a lane.
    """

    BEST_EFFORT = -1
    BACKGROUND = -2


def _refusal() -> RetryAfter:
    """A 429 of the limiter's own: try again in a second."""
    with warnings.catch_warnings():  # PTB warns, on creating one, that its type will change
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        return RetryAfter(1)


class _Leaky:
    """A leaky bucket that only counts: `rate` per second drain away, `size` fit."""

    def __init__(self, rate: float, size: float) -> None:
        self.rate, self.size = rate, size
        self._level, self._at = 0.0, 0.0

    def level(self, now: float) -> float:
        self._level = max(0.0, self._level - max(0.0, now - self._at) * self.rate)
        self._at = max(self._at, now)
        return self._level

    def has_room(self, now: float, places: float = 1) -> bool:
        return self.level(now) + places <= self.size

    def add(self, now: float) -> None:
        self._level = self.level(now) + 1


class _Attempts:
    """A request's calls to Telegram, watched: it waits for its place until the first call starts,
    and again after each 429 until it is tried again."""

    def __init__(
        self,
        limiter: PriorityRateLimiter,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        *,
        queued: bool,
    ) -> None:
        self._limiter, self._callback = limiter, callback
        self._queued = queued  # it found no place free at once
        self._waiting = True
        limiter.waiting += 1

    async def __call__(self, *args: Any, **kwargs: Any) -> Result:
        self.release()
        if self._queued:
            self._limiter.mark_queued()
        try:
            return await self._callback(*args, **kwargs)
        except RetryAfter:
            self._waiting = self._queued = True
            self._limiter.waiting += 1
            raise

    def release(self) -> None:
        if self._waiting:
            self._waiting = False
            self._limiter.waiting -= 1


class PriorityRateLimiter(AIORateLimiter):
    """AIORateLimiter, plus the two lanes that give way to nudges and replies (module docstring)."""

    def __init__(
        self,
        *,
        reserve: int = DEFAULT_RESERVE,
        best_effort_per_second: float = DEFAULT_BEST_EFFORT_PER_SECOND,
        clock: Seconds | None = None,
        real_time: bool = True,
        overall_max_rate: float = 30,
        overall_time_period: float = 1,
        **limits: Any,
    ) -> None:
        super().__init__(
            overall_max_rate=overall_max_rate if real_time else 0,
            overall_time_period=overall_time_period,
            **limits,
        )
        self.reserve = reserve
        self.best_effort_per_second = best_effort_per_second
        self._clock = clock
        per_second = (
            overall_max_rate / overall_time_period if overall_max_rate and overall_time_period else 0.0
        )
        self._shared = _Leaky(per_second, overall_max_rate) if per_second else None
        self._best_effort = _Leaky(best_effort_per_second, max(1.0, best_effort_per_second))
        # Requests waiting for their place or out Telegram's 429, and when one that had to wait
        # last got it.
        self.waiting = 0
        self._queued_at = -math.inf

    def _now(self) -> float:
        return self._clock() if self._clock is not None else asyncio.get_running_loop().time()

    def mark_queued(self) -> None:
        """A request that had to wait got its place (in real time only: offline nothing waits)."""
        if self._base_limiter is not None:
            self._queued_at = self._now()

    def _queue(self) -> bool:
        """Requests wait for a place, or everyone waits out Telegram's 429."""
        # AIORateLimiter's pause after a 429 is read here, never changed.
        return not self._retry_after_event.is_set() or self.waiting > 0

    def busy(self) -> bool:
        """The bot's share is (nearly) taken now, requests queue for it, or wait out Telegram's 429."""
        return self.room() < 1

    def room(self) -> float:
        """How many requests can go now and leave the reserve free: none while `busy`."""
        now = self._now()
        if self._queue() or now - self._queued_at < QUEUED_SECONDS:
            return 0
        if self._shared is None:
            return math.inf
        return max(0, math.floor(self._shared.size - self.reserve - self._shared.level(now)))

    def quiet_in(self) -> float:
        """Seconds on `clock` until there is `room` again: 0 when there is now.

        While a 429 is waited out, which ends in real time, it is the check interval.
        """
        if self._queue():
            return QUIET_CHECK_SECONDS
        now = self._now()
        queue_over = max(0.0, self._queued_at + QUEUED_SECONDS - now)
        if self._shared is None:
            return queue_over
        excess = self._shared.level(now) + 1 + self.reserve - self._shared.size
        return max(queue_over, excess / self._shared.rate)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        if rate_limit_args == Lane.BEST_EFFORT:
            return await self._now_or_never(callback, args, kwargs)
        if rate_limit_args == Lane.BACKGROUND:
            # The share empties with time alone: there is no event to wait for.
            while self.busy():  # noqa: ASYNC110
                await asyncio.sleep(QUIET_CHECK_SECONDS)
            rate_limit_args = None
        queued = False
        if data.get("chat_id") is not None:
            if self._shared is not None:
                self._shared.add(self._now())
            queued = self._base_limiter is not None and not self._base_limiter.has_capacity()
        attempts = _Attempts(self, callback, queued=queued)
        try:
            return await super().process_request(attempts, args, kwargs, endpoint, data, rate_limit_args)
        finally:
            attempts.release()  # given up after the last 429, or not sent at all

    async def _now_or_never(
        self, callback: Callable[..., Coroutine[Any, Any, Result]], args: Any, kwargs: dict[str, Any]
    ) -> Result:
        now = self._now()
        if self.busy() or not self._best_effort.has_room(now):
            raise _refusal()
        self._best_effort.add(now)
        if self._shared is not None:
            self._shared.add(now)
        # The share had room, so the real-time bucket almost always has too: this rarely waits.
        if self._base_limiter is not None:
            await self._base_limiter.acquire()
        return await callback(*args, **kwargs)
