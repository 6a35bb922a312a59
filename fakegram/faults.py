"""Faults tests inject into the fake: scripted errors and delays, blocked chats, flood control.

`FaultInjection` is a base of `FakeBotApi`, so tests call these helpers on the API object
itself (`api.fail_next(...)`); `FakeBotApi.handle` runs `check_faults` before every method.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from fakegram.wire import ApiError

__all__ = ["BLOCKED", "FaultInjection", "is_flood_counted"]

BLOCKED = "Forbidden: bot was blocked by the user"
_SENDS_AND_EDITS = ("send", "edit", "copymessage", "forwardmessage")


def is_flood_counted(method: str) -> bool:
    """Whether a (lower-case) method counts towards flood limits: sends and edits."""
    return method != "sendchataction" and method.startswith(_SENDS_AND_EDITS)


@dataclass
class _Fault:
    status: int | None  # None means "delay, then answer normally"
    description: str
    retry_after: int | None
    migrate_to_chat_id: int | None
    delay: float
    times: int


class _FloodControl:
    """Counts sends and refuses the ones Telegram would answer with 429."""

    def __init__(
        self,
        per_second: int,
        algorithm: Literal["sliding_window", "token_bucket"],
        group_per_minute: int | None,
        time_source: Callable[[], float],
        tolerance: float,
        paid_per_second: int,
    ) -> None:
        self.per_second = per_second
        self.paid_per_second = paid_per_second
        self._paid: deque[float] = deque()
        self.algorithm = algorithm
        self.group_per_minute = group_per_minute
        self.time_source = time_source
        self.tolerance = tolerance
        self._window: deque[float] = deque()
        self._tokens = float(per_second)
        self._refilled_at = time_source()
        self._groups: dict[int, deque[float]] = {}

    def admit(self, chat_id: object, *, paid: bool = False) -> None:
        now = self.time_source()
        if paid:  # paid broadcasts have a limit of their own and leave the free one alone
            self._admit_paid(now)
            return
        if isinstance(chat_id, int) and chat_id < 0 and self.group_per_minute:
            group = self._groups.setdefault(chat_id, deque())
            while group and group[0] <= now - 60.0 + self.tolerance:
                group.popleft()
            if len(group) >= self.group_per_minute:
                raise self._too_many(group[0] + 60.0 - now)
        if self.algorithm == "token_bucket":
            self._tokens = min(
                float(self.per_second),
                self._tokens + (now - self._refilled_at) * self.per_second,
            )
            self._refilled_at = now
            if self._tokens + self.tolerance * self.per_second < 1.0:
                raise self._too_many((1.0 - self._tokens) / self.per_second)
            self._tokens -= 1.0
        else:
            while self._window and self._window[0] <= now - 1.0 + self.tolerance:
                self._window.popleft()
            if len(self._window) >= self.per_second:
                raise self._too_many(self._window[0] + 1.0 - now)
            self._window.append(now)
        if isinstance(chat_id, int) and chat_id < 0 and self.group_per_minute:
            self._groups[chat_id].append(now)

    def _admit_paid(self, now: float) -> None:
        while self._paid and self._paid[0] <= now - 1.0 + self.tolerance:
            self._paid.popleft()
        if len(self._paid) >= self.paid_per_second:
            raise self._too_many(self._paid[0] + 1.0 - now)
        self._paid.append(now)

    @staticmethod
    def _too_many(wait: float) -> ApiError:
        retry_after = max(1, math.ceil(wait))
        return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)


class FaultInjection:
    """Scripted errors and delays per method, blocked chats and flood control."""

    def __init__(self) -> None:
        self._faults: dict[str, deque[_Fault]] = {}
        self._blocked: set[int] = set()
        self._flood: _FloodControl | None = None

    def fail_next(
        self,
        method: str,
        *,
        status: int,
        description: str,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls of `method` with this error instead of handling them."""
        self._add_fault(
            method,
            _Fault(status, description, retry_after, migrate_to_chat_id, 0.0, times),
        )

    def delay_next(self, method: str, seconds: float, times: int = 1) -> None:
        """Hold the next `times` calls of `method` for `seconds` before handling them.

        A client that gives up meanwhile (a read timeout) cancels the in-process call, so it
        then has no effect; over HTTP the server still completes it, as Telegram would.
        """
        self._add_fault(method, _Fault(None, "", None, None, seconds, times))

    def block_user(self, chat_id: int) -> None:
        """From now on every send or edit to `chat_id` answers 403 "bot was blocked"."""
        self._blocked.add(chat_id)

    def unblock_user(self, chat_id: int) -> None:
        """Undo `block_user`."""
        self._blocked.discard(chat_id)

    def enforce_flood_limit(
        self,
        per_second: int = 30,
        *,
        algorithm: Literal["sliding_window", "token_bucket"] = "sliding_window",
        group_per_minute: int | None = None,
        time_source: Callable[[], float] = time.monotonic,
        tolerance: float = 0.05,
        paid_per_second: int = 1000,
    ) -> None:
        """Answer 429 (with retry_after) to sends and edits beyond `per_second`.

        "sliding_window" refuses the N+1st send within any 1 second. "token_bucket" allows a
        burst of N and then N per second, the model of PTB's AIORateLimiter (aiolimiter), which
        can exceed a strict window right after a burst. `group_per_minute` adds Telegram's
        per-group limit for negative chat ids. `tolerance` (seconds) forgives the jitter
        between a client-side limiter's clock and the moment a request arrives here. Paid
        broadcasts (`allow_paid_broadcast`) count against `paid_per_second` instead, in a window.
        """
        if per_second < 1 or paid_per_second < 1:
            raise ValueError("per_second and paid_per_second must be at least 1")
        self._flood = _FloodControl(
            per_second, algorithm, group_per_minute, time_source, tolerance, paid_per_second
        )

    def disable_flood_limit(self) -> None:
        """Undo `enforce_flood_limit`."""
        self._flood = None

    async def check_faults(self, method: str, chat_id: object, *, paid: bool = False) -> None:
        """Apply what was injected for this call of a (lower-case) method: raise, wait or pass."""
        await self._apply_fault(method)
        sends_or_edits = method.startswith(_SENDS_AND_EDITS)
        if sends_or_edits and chat_id in self._blocked:
            raise ApiError(403, BLOCKED)
        if self._flood is not None and is_flood_counted(method):
            self._flood.admit(chat_id, paid=paid)

    def _add_fault(self, method: str, fault: _Fault) -> None:
        if fault.times < 1:
            raise ValueError("times must be at least 1")
        self._faults.setdefault(method.lower(), deque()).append(fault)

    async def _apply_fault(self, method: str) -> None:
        queue = self._faults.get(method)
        if not queue:
            return
        fault = queue[0]
        fault.times -= 1
        if fault.times == 0:
            queue.popleft()
        if fault.status is None:
            await asyncio.sleep(fault.delay)
            return
        raise ApiError(
            fault.status,
            fault.description,
            retry_after=fault.retry_after,
            migrate_to_chat_id=fault.migrate_to_chat_id,
        )
