"""One dispatcher process for the several-workers tests: `python -m tests.dispatch_worker ...`.

It sends through the real sender to its own in-process fake Bot API and writes the ids of the
nudges it sent (read back from the buttons of each sent message) to `--out` as JSON. With
`--crash-after-claim` it claims, then dies before sending, as a killed worker would.

With `--api-url` it sends instead over HTTP to a fake Bot API that the test serves to all its
workers, through the bot's own rate limiter and the send budget the bot would choose (the
database's, or Redis's with `--redis-url`), and writes every request it made: method, start,
end (time.monotonic, which all processes on the machine share) and HTTP status.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from telegram import Bot
from telegram.ext import ExtBot
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from bot.budgets import budget_for
from bot.nudges.sending import nudge_sender
from bot.rate_limit import PriorityRateLimiter
from bot.sender import TelegramSender
from bot.settings import load_settings
from fakegram import FakeBotApi, FakeRequest
from scheduler.dispatch import DispatchPolicy, claim_due_nudges, dispatch_due
from storage.database import create_db_engine, new_session
from tests.harness import TOKEN, load_shipped_tips
from tips.library import TipLibrary

CRASH_EXIT_CODE = 3
CONNECTIONS = 64


class RecordedRequest(BaseRequest):
    """Every request, as [method, start, end, status], into `calls`."""

    def __init__(self, inner: BaseRequest, calls: list[list[Any]]) -> None:
        self._inner, self._calls = inner, calls

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
        started = time.monotonic()
        status, payload = await self._inner.do_request(
            url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
        )
        self._calls.append([url.rsplit("/", 1)[-1], started, time.monotonic(), status])
        return status, payload


def sent_nudge_ids(api: FakeBotApi) -> list[int]:
    ids = []
    for call in api.calls_named("sendMessage"):
        first_button = call.params["reply_markup"]["inline_keyboard"][0][0]
        ids.append(int(first_button["callback_data"].split(":")[1]))
    return ids


async def dispatch(args: argparse.Namespace, engine: Engine, tips: TipLibrary) -> dict[str, Any]:
    now = datetime.fromisoformat(args.now)
    policy = DispatchPolicy(members_per_claim=args.members_per_claim, concurrent_sends=50)
    if args.crash_after_claim:
        with new_session(engine) as session:
            claim_due_nudges(
                session=session, now=now, policy=policy, tips=tips, claimer=f"crashing-{os.getpid()}"
            )
        os._exit(CRASH_EXIT_CODE)  # no clean-up, no sending: as if the process were killed
    if args.api_url:
        return await dispatch_over_http(args, engine, tips, policy)
    api = FakeBotApi(token=TOKEN, clock=lambda: now)
    bot = Bot(TOKEN, request=FakeRequest(api))
    await bot.initialize()
    started = time.perf_counter()
    totals = await dispatch_due(
        engine=engine,
        send=nudge_sender(TelegramSender(bot)),
        tips=tips,
        now=now,
        policy=policy,
        clock=lambda: now,
    )
    await bot.shutdown()
    return {"sent": sent_nudge_ids(api), "totals": dict(totals), "seconds": time.perf_counter() - started}


async def dispatch_over_http(
    args: argparse.Namespace, engine: Engine, tips: TipLibrary, policy: DispatchPolicy
) -> dict[str, Any]:
    now = datetime.fromisoformat(args.now)
    settings = load_settings(
        _env_file=None,
        bot_token=TOKEN,
        database_url=args.database_url,
        telegram_api_url=args.api_url,
        send_rate_per_second=args.send_rate,
        send_reserve_per_second=args.reserve,
        redis_url=args.redis_url,
        redis_key_prefix=args.redis_prefix,
    )
    calls: list[list[Any]] = []
    limiter = PriorityRateLimiter(max_retries=2, budget=budget_for(settings, engine))
    request = RecordedRequest(HTTPXRequest(connection_pool_size=CONNECTIONS), calls)
    bot = ExtBot(TOKEN, base_url=settings.telegram_api_url, request=request, rate_limiter=limiter)
    async with bot:
        totals = await dispatch_due(
            engine=engine,
            send=nudge_sender(TelegramSender(bot)),
            tips=tips,
            now=now,
            policy=policy,
            clock=lambda: now,
        )
    return {"calls": calls, "totals": dict(totals)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--now", required=True, help="the dispatcher's clock, ISO 8601 with offset")
    parser.add_argument("--out", default="")
    parser.add_argument("--members-per-claim", type=int, default=100)
    parser.add_argument("--ready", default="", help="file to create once set up")
    parser.add_argument("--go", default="", help="file to wait for before dispatching")
    parser.add_argument("--crash-after-claim", action="store_true")
    parser.add_argument("--api-url", default="", help="a shared fake Bot API over HTTP")
    parser.add_argument("--send-rate", type=int, default=30)
    parser.add_argument("--reserve", type=int, default=0)
    parser.add_argument("--redis-url", default="")
    parser.add_argument("--redis-prefix", default="habits-bot")
    args = parser.parse_args()
    engine = create_db_engine(args.database_url)
    tips = load_shipped_tips()
    if args.ready:
        Path(args.ready).touch()
    while args.go and not Path(args.go).exists():
        time.sleep(0.01)
    try:
        result = asyncio.run(dispatch(args, engine, tips))
    finally:
        engine.dispose()
    if args.out:
        Path(args.out).write_text(json.dumps(result))


if __name__ == "__main__":
    main()
