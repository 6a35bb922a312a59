"""Lateness at Telegram's limit: N nudges due in the same minute, rate limiter on at 30 msg/s.

    python -m bench.lateness [--count 10000]

The real Application (JobQueue tick, AIORateLimiter at 30 messages per second) sends everyone's
08:15 walk to the in-process fake Bot API, which answers 429 to anything beyond 30 per second
(token bucket, as Telegram). The k-th message cannot leave before k/30 s after the nudges fall
due; lateness is how much later than that it left. Takes about count/30 seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import logging
import sys
import time
from typing import Any

from telegram.ext import AIORateLimiter

from bench.common import (
    TOKEN,
    WALK_DUE,
    bench_settings,
    default_member_rows,
    fresh_database,
    insert_rows,
    machine,
    percentile,
)
from bot.app import build_application
from fakegram import ApiCall, FakeBotApi, FakeRequest
from scheduler.clock import SteppedClock
from storage.database import create_db_engine, upgrade_schema
from tips.library import load_tip_library

TELEGRAM_RATE = 30  # messages per second for a normal bot


async def measure(count: int, database_url: str) -> dict[str, Any]:
    settings = bench_settings(database_url)
    engine = create_db_engine(database_url)
    upgrade_schema(engine)
    # The bot's clock stands at the moment everyone's walk is due; lateness is measured on the
    # monotonic clock, as fakegram stamps each call and refills its token bucket.
    clock = SteppedClock(WALK_DUE)
    api = FakeBotApi(token=TOKEN, clock=clock)
    api.enforce_flood_limit(TELEGRAM_RATE, algorithm="token_bucket")
    sends: list[tuple[float, int]] = []
    refused = 0

    def on_call(call: ApiCall) -> None:
        nonlocal refused
        if call.method != "sendMessage":
            return
        if call.status == 429:
            refused += 1
        elif call.ok:
            button = call.params["reply_markup"]["inline_keyboard"][0][0]
            sends.append((call.monotonic, int(button["callback_data"].split(":")[1])))

    api.add_listener(on_call)
    app = build_application(
        settings=settings,
        engine=engine,
        tips=load_tip_library(settings.tips_path),
        clock=clock,
        request=FakeRequest(api),
        rate_limiter=AIORateLimiter(overall_max_rate=TELEGRAM_RATE, overall_time_period=1, max_retries=2),
    )
    await app.initialize()
    due = time.monotonic()  # the nudges fall due now, and the first tick runs now
    await app.start()
    all_sent = asyncio.Event()
    api.add_listener(lambda _call: all_sent.set() if len(sends) >= count else None)
    with contextlib.suppress(TimeoutError):  # reported below: fewer sent than due
        await asyncio.wait_for(all_sent.wait(), timeout=count / TELEGRAM_RATE * 2 + 30)
    await app.stop()
    await app.shutdown()
    engine.dispose()

    lateness = [at - due - k / TELEGRAM_RATE for k, (at, _) in enumerate(sends)]
    ids = [nudge_id for _, nudge_id in sends]
    out_of_order = sum(1 for before, after in itertools.pairwise(ids) if after < before)
    return {
        "count": count,
        "sent": len(sends),
        "refused": refused,
        "lateness": lateness,
        "span": sends[-1][0] - due if sends else float("nan"),
        "out_of_order": out_of_order,
    }


def report(results: dict[str, Any]) -> str:
    lateness, count = results["lateness"], results["count"]
    ideal_span = (count - 1) / TELEGRAM_RATE
    p50, p99, worst = (percentile(lateness, 0.5), percentile(lateness, 0.99), max(lateness))
    return "\n".join(
        [
            f"bench.lateness: {count:,} nudges due at the same moment, limiter at {TELEGRAM_RATE}/s "
            f"({machine()})",
            f"  sent {results['sent']:,}; answered 429 by the fake Telegram: {results['refused']}",
            f"  last message after {results['span']:.1f} s (ideal {ideal_span:.1f} s): "
            f"{results['sent'] / results['span']:.1f} messages/s on average",
            f"  lateness against k/{TELEGRAM_RATE} s: p50 {p50:+.2f} s, p99 {p99:+.2f} s, "
            f"max {worst:+.2f} s (p99 = {p99 / ideal_span:+.2%} of the ideal span)",
            "  (negative: the limiter's first burst of 30 leaves at once, so later messages are early)",
            f"  sent out of claim (due) order: {results['out_of_order']} of {results['sent']:,}",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args(argv)
    # One tick sends the whole backlog, so the JobQueue skips the ticks due meanwhile, by design.
    logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
    with fresh_database(None) as url:
        engine = create_db_engine(url)
        insert_rows(engine, default_member_rows(args.count))
        engine.dispose()
        results = asyncio.run(measure(args.count, url))
    print(report(results))
    return 0 if results["sent"] == args.count else 1


if __name__ == "__main__":
    sys.exit(main())
