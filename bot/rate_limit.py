"""The bot's share of Telegram's limits, drawn from one send budget, with lanes that give way.

Every request goes through PTB's AIORateLimiter, which keeps the per-group limits and retries a
429 after waiting it out. The overall limit (about 30 messages a second) is not its own: every
message with a chat draws from the `Budget` (bot/budgets.py), which all the bot's processes
share when there are several (PostgreSQL or Redis), and a 429 that one process receives pauses
the budget for all of them. What a message draws from is its lane:

- no lane: an answer to a member (a reply, the edit after a tap), from the whole budget;
- `Lane.NUDGE`, nudges and weekly pictures: from the nudges' share, which keeps a reserve of
  every second for answers, so answers go ahead of a backlog of nudges;
- `Lane.PAID`, a paid broadcast (`allow_paid_broadcast`): from the paid limit, not the free one;
- `Lane.BEST_EFFORT`, a guided breathing session's phase edits: now or never. Refused at once (as
  a RetryAfter, which the session takes as a skipped phase) while the bot's share has fewer than
  `reserve` places free, or once these edits have had `best_effort_per_second` in the last second,
  or when the nudges' share has no room within a moment. Never retried, and Telegram's 429 for
  one holds up nothing else.
- `Lane.BACKGROUND`, an answered nudge's edit after a session: waits for a moment with the reserve
  free, then goes like a nudge.

So at a busy moment (everyone's 16:00 nudges) the sessions' edits step aside rather than queue in
front of a nudge, and the sessions thin their edits or run as the animation (bot/breathing). A
session started then holds its first message back itself, while `room` is none, and `quiet_in`
says for how long (bot/breathing/runner.py).

How full this process's share is, is counted here on `clock`: the event loop's time, with the
waiting left to the budget in real time; or, offline (`real_time=False`), the bot's stepped clock,
which nothing waits for (there is no budget then), so that a fast-forwarded session meets the
limits it would meet in real time and a test does not wait for them.

In real time the count alone does not say that nudges are queueing: a dispatch round hands them
over ten at a time as the last ten go out, so they come in at the very rate the count drains, and
after a pause (a 429, a slow moment of the machine) the count stays low while the queue goes on.
So the share is also busy while any request waits for its place in the budget or out a 429 (or
the budget is crowded or paused), and for `QUEUED_SECONDS` after a request last had to wait.
"""

from __future__ import annotations

import asyncio
import math
import warnings
from collections.abc import Callable, Coroutine
from datetime import timedelta
from enum import IntEnum
from typing import Any

from telegram.error import RetryAfter, TimedOut
from telegram.ext import AIORateLimiter
from telegram.warnings import PTBDeprecationWarning

from bot.budgets import Budget, BudgetRates, Draw, LocalBudget

# Nudges and replies always find this many places free in the bot's share of 30.
DEFAULT_RESERVE = 10
# All guided sessions' phase edits together: a third of the limit at most.
DEFAULT_BEST_EFFORT_PER_SECOND = 10
# How often a background request looks for a quiet moment.
QUIET_CHECK_SECONDS = 0.25
# A phase edit waits this long at most for room in the nudges' share: now or never.
BEST_EFFORT_WAIT = 0.1
# The share counts as busy this long after a request last had to wait for its place: longer than
# the moment between two rounds of nudges, even on a slow machine, and than a 429's pause.
QUEUED_SECONDS = 2.0

Result = bool | dict[str, Any] | list[dict[str, Any]]
Seconds = Callable[[], float]
Callback = Callable[..., Coroutine[Any, Any, Result]]


class Lane(IntEnum):
    """The `rate_limit_args` of a request that is not an answer; an answer passes none.

    Below zero, so that no retry count (what AIORateLimiter takes there) is mistaken for a lane.
    """

    BEST_EFFORT = -1
    BACKGROUND = -2
    NUDGE = -3
    PAID = -4


def _refusal() -> RetryAfter:
    """A 429 of the limiter's own: try again in a second."""
    with warnings.catch_warnings():  # PTB warns, on creating one, that its type will change
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        return RetryAfter(1)


def _wait_of(error: RetryAfter) -> float:
    """The wait a 429 asks for, in seconds, without PTB's warning about its type changing."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        wait = error.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)


def draw_of(data: dict[str, Any], lane: int | None) -> Draw | None:
    """What a request draws from: None for one without a chat, which Telegram does not count."""
    if data.get("chat_id") is None:
        return None
    if lane == Lane.PAID or data.get("allow_paid_broadcast"):
        return Draw.PAID
    if lane in (Lane.NUDGE, Lane.BACKGROUND, Lane.BEST_EFFORT):
        return Draw.SHARE
    return Draw.WHOLE


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
    """AIORateLimiter drawing from the send budget, with the lanes of the module docstring.

    `budget`: the shared one (bot/budgets.py `budget_for`); by default, in real time, one in
    memory at `overall_max_rate` per `overall_time_period`; offline, none.
    """

    def __init__(
        self,
        *,
        budget: Budget | None = None,
        reserve: int = DEFAULT_RESERVE,
        best_effort_per_second: float = DEFAULT_BEST_EFFORT_PER_SECOND,
        clock: Seconds | None = None,
        real_time: bool = True,
        overall_max_rate: float = 30,
        overall_time_period: float = 1,
        **limits: Any,
    ) -> None:
        # The budget is the overall limit: AIORateLimiter keeps the per-group ones and the retries.
        super().__init__(overall_max_rate=0, overall_time_period=overall_time_period, **limits)
        per_second = (
            overall_max_rate / overall_time_period if overall_max_rate and overall_time_period else 0.0
        )
        if budget is None and real_time and per_second:
            budget = LocalBudget(BudgetRates(per_second=per_second))
        self.budget = budget if real_time else None
        self.reserve = reserve
        self.best_effort_per_second = best_effort_per_second
        self._clock = clock
        if budget is not None:
            per_second = budget.rates.per_second
        self._shared = _Leaky(per_second, per_second) if per_second else None
        self._best_effort = _Leaky(best_effort_per_second, max(1.0, best_effort_per_second))
        # Requests waiting for their place in the budget, and when one that had to wait last got it.
        self.waiting = 0
        self._queued_at = -math.inf

    async def initialize(self) -> None:
        if self.budget is not None:
            await self.budget.open()

    async def shutdown(self) -> None:
        if self.budget is not None:
            await self.budget.close()

    def _now(self) -> float:
        return self._clock() if self._clock is not None else asyncio.get_running_loop().time()

    def mark_queued(self) -> None:
        """A request that had to wait got its place (in real time only: offline nothing waits)."""
        if self.budget is not None:
            self._queued_at = self._now()

    def _queue(self) -> bool:
        """Requests wait for a place, or everyone waits out Telegram's 429."""
        # AIORateLimiter's pause after a 429 is read here, never changed.
        if not self._retry_after_event.is_set() or self.waiting > 0:
            return True
        return self.budget is not None and self.budget.crowded()

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

        While requests queue or a 429 is waited out, which ends in real time, it is the check
        interval.
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
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        draw = draw_of(data, rate_limit_args)
        if rate_limit_args == Lane.BEST_EFFORT:
            return await self._now_or_never(callback, args, kwargs, draw)
        if rate_limit_args == Lane.BACKGROUND:
            # The share empties with time alone: there is no event to wait for.
            while self.busy():  # noqa: ASYNC110
                await asyncio.sleep(QUIET_CHECK_SECONDS)
        if rate_limit_args is not None and rate_limit_args < 0:
            rate_limit_args = None  # a lane, not a retry count
        self._count(draw)
        return await super().process_request(
            self._drawing(callback, draw), args, kwargs, endpoint, data, rate_limit_args
        )

    def _count(self, draw: Draw | None) -> None:
        """This process's view of its share, for `busy` (paid broadcasts are not in it)."""
        if self._shared is not None and draw in (Draw.WHOLE, Draw.SHARE):
            self._shared.add(self._now())

    def _drawing(self, callback: Callback, draw: Draw | None) -> Callback:
        """`callback`, each try of it (AIORateLimiter's retries too) drawn from the budget."""
        budget = self.budget
        if budget is None or draw is None:
            return callback

        refused = False  # a try of this request had a 429: its next try waited for its place

        async def drawn(*args: Any, **kwargs: Any) -> Result:
            nonlocal refused
            # Others already waiting: this one queues behind them (a lone request that waits a
            # moment for its turn in the budget's pacing does not).
            queued = refused or self.waiting > 0
            self.waiting += 1
            try:
                granted = await budget.take(draw)
            finally:
                self.waiting -= 1
            if not granted:
                raise TimedOut("no room in the send budget in time")
            if queued:
                self.mark_queued()
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                refused = True
                # Every process waits it out, not only this one; AIORateLimiter then retries.
                await budget.pause(_wait_of(error))
                raise

        return drawn

    async def _now_or_never(
        self, callback: Callback, args: Any, kwargs: dict[str, Any], draw: Draw | None
    ) -> Result:
        now = self._now()
        if self.busy() or not self._best_effort.has_room(now):
            raise _refusal()
        self._best_effort.add(now)
        self._count(draw)
        if (
            self.budget is not None
            and draw is not None
            and not await self.budget.take(draw, within=BEST_EFFORT_WAIT)
        ):
            raise _refusal()
        return await callback(*args, **kwargs)
