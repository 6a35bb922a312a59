"""The send budget shared through Redis (REDIS_URL), counted by the `limits` library."""

from __future__ import annotations

import math

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.asyncio import ConnectionPool, Redis
from redis.exceptions import RedisError

from bot.budgets import Budget, BudgetRates, Draw
from storage.send_budget import Taken


class RedisBudget(Budget):
    """The budget of several processes through Redis: `limits`' moving windows, spaced by a key.

    The moving window counts the messages of the last second exactly (the whole budget, the
    nudges' share, the paid limit); a key that lives 1/rate seconds, set only if absent, spaces
    the messages of all processes, so a window that opens again is not taken in one burst.
    Redis's own expiry times the spacing and the pause; the windows count on the processes'
    clocks, so the machines must keep theirs in step (NTP).
    """

    unavailable = (RedisError,)

    def __init__(self, url: str, rates: BudgetRates, *, prefix: str) -> None:
        super().__init__(rates)
        if not url.startswith(("redis://", "rediss://")):
            raise ValueError("the Redis URL must start with redis:// or rediss://")
        self._url, self._prefix = url, prefix
        self._redis: Redis | None = None
        self._windows: MovingWindowRateLimiter | None = None
        self._items: dict[str, RateLimitItem] = {
            "whole": RateLimitItemPerSecond(max(1, int(rates.per_second))),
            "share": RateLimitItemPerSecond(max(1, int(rates.share_per_second))),
            "paid": RateLimitItemPerSecond(max(1, int(rates.paid_per_second))),
        }

    async def open(self) -> None:
        pool = ConnectionPool.from_url(self._url)
        self._redis = Redis(connection_pool=pool)
        # One pool for both, closed with the bot's client. `limits` documents `connection_pool`
        # (handed on to redis.asyncio.Redis); its annotation names only the scalar options.
        storage = RedisStorage(
            f"async+{self._url}",
            implementation="redispy",
            key_prefix=self._prefix,
            connection_pool=pool,  # type: ignore[arg-type]
        )
        self._windows = MovingWindowRateLimiter(storage)

    async def close(self) -> None:
        if self._redis is not None:
            redis, self._redis, self._windows = self._redis, None, None
            await redis.aclose(close_connection_pool=True)

    def _key(self, name: str) -> str:
        return f"{self._prefix}:{name}"

    def _spacing_ms(self, draw: Draw) -> int:
        rate = self.rates.paid_per_second if draw is Draw.PAID else self.rates.per_second
        return max(1, math.ceil(1000 / rate))

    async def _attempt(self, draw: Draw) -> Taken:
        redis, windows = self._connected()
        paused_ms = await redis.pttl(self._key("paused"))
        if paused_ms > 0:
            return Taken(granted=False, wait=paused_ms / 1000, paused=True)
        spacing = self._spacing_ms(draw) / 1000
        if draw is Draw.SHARE and not await windows.test(self._items["share"], "share"):
            return Taken(granted=False, wait=spacing)
        space = "spacing-paid" if draw is Draw.PAID else "spacing"
        if not await redis.set(self._key(space), 1, nx=True, px=self._spacing_ms(draw)):
            left_ms = await redis.pttl(self._key(space))
            return Taken(granted=False, wait=max(left_ms, 1) / 1000)
        if draw is Draw.PAID:
            granted = await windows.hit(self._items["paid"], "paid")
        else:
            granted = (draw is not Draw.SHARE or await windows.hit(self._items["share"], "share")) and (
                await windows.hit(self._items["whole"], "whole")
            )
        return Taken(granted=granted, wait=0.0 if granted else spacing)

    async def _pause_everyone(self, seconds: float) -> None:
        redis, _ = self._connected()
        key, ms = self._key("paused"), max(1, math.ceil(seconds * 1000))
        # Set if absent, else lengthened (never shortened): the longest pause asked for wins.
        async with redis.pipeline(transaction=True) as pipe:
            pipe.set(key, 1, nx=True, px=ms)
            pipe.pexpire(key, ms, gt=True)
            await pipe.execute()

    def _connected(self) -> tuple[Redis, MovingWindowRateLimiter]:
        if self._redis is None or self._windows is None:
            raise RuntimeError("the Redis send budget is not open: the bot initializes it")
        return self._redis, self._windows
