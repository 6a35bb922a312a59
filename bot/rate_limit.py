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

    def _now(self) -> float:
        return self._clock() if self._clock is not None else asyncio.get_running_loop().time()

    def busy(self) -> bool:
        """The bot's share is (nearly) taken now, or everyone is waiting out Telegram's 429."""
        # AIORateLimiter's pause after a 429 is read here, never changed.
        if not self._retry_after_event.is_set():
            return True
        return self._shared is not None and not self._shared.has_room(self._now(), 1 + self.reserve)

    def room(self) -> float:
        """How many requests can go now and leave the reserve free: none while `busy`."""
        if not self._retry_after_event.is_set():
            return 0
        if self._shared is None:
            return math.inf
        return max(0, math.floor(self._shared.size - self.reserve - self._shared.level(self._now())))

    def quiet_in(self) -> float:
        """Seconds on `clock` until there is `room` again: 0 when there is now.

        While everyone waits out Telegram's 429, which ends in real time, it is the check interval.
        """
        if not self._retry_after_event.is_set():
            return QUIET_CHECK_SECONDS
        if self._shared is None:
            return 0.0
        excess = self._shared.level(self._now()) + 1 + self.reserve - self._shared.size
        return max(0.0, excess / self._shared.rate)

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
        if self._shared is not None and data.get("chat_id") is not None:
            self._shared.add(self._now())
        return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)

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
