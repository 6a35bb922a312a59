"""One dispatcher process for the several-workers tests: `python -m tests.dispatch_worker ...`.

It sends through the real sender to its own in-process fake Bot API and writes the ids of the
nudges it sent (read back from the buttons of each sent message) to `--out` as JSON. With
`--crash-after-claim` it claims, then dies before sending, as a killed worker would.
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

from bot.nudges.sending import nudge_sender
from bot.sender import TelegramSender
from fakegram import FakeBotApi, FakeRequest
from scheduler.dispatch import DispatchPolicy, claim_due_nudges, dispatch_due
from storage.database import create_db_engine, new_session
from tests.harness import TOKEN, load_shipped_tips
from tips.library import TipLibrary

CRASH_EXIT_CODE = 3


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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--now", required=True, help="the dispatcher's clock, ISO 8601 with offset")
    parser.add_argument("--out", default="")
    parser.add_argument("--members-per-claim", type=int, default=100)
    parser.add_argument("--ready", default="", help="file to create once set up")
    parser.add_argument("--go", default="", help="file to wait for before dispatching")
    parser.add_argument("--crash-after-claim", action="store_true")
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
