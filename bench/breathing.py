"""Guided breathing at everyone's 16:00: sessions beside a burst of nudges, at Telegram's limit.

    python -m bench.breathing [--members 2000] [--sessions 200] [--speed 1]

N members' breathing nudges fall due at 16:00; the real Application (dispatch tick, breathing
job, the bot's rate limiter at 30 messages per second, no limit of its own for the fake) sends
them to the in-process fake Bot API, which answers 429 beyond 30 per second (token bucket, as
Telegram). The same run is made twice: the nudges alone, then with `--sessions` members tapping
"▶️ Samen ademen" on their nudge at a random moment of that minute (once it has arrived), most
with the defaults (calm, 2 min), some with box 1 min, 4-7-8 5 min, or the animation by choice.

Printed: nudge lateness (sent minus due) p50 / p99 / max in both runs; how long after the tap the
member had an answer (the toast) and their session's message, which waits while the nudges fill
the limit; the most edits any one chat got in a 60 s window; how many sessions ran with every
phase, how many were thinned, how many ran as the animation (switched from text to stay within
the limits, or by choice); how late each closing line came after its planned end. Runs in real
time: about 67 s for 2,000 nudges, then the longest session, which starts once they are out.
`--speed` runs the bot's clock faster than real time (the smoke test's tiny runs); the rate
limiter and the fake Telegram stay on real time, so the figures only mean something at 1.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import random
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text

from bench.common import (
    FIRST_TELEGRAM_ID,
    TOKEN,
    bench_settings,
    default_member_rows,
    fresh_database,
    insert_rows,
    machine,
    percentile,
)
from bot.breathing.keyboards import BreathingAction, BreathingButton
from bot.breathing.runner import BREATHING_JOB_NAME, TICK, SessionOutcome
from bot.offline import OfflineBot, offline_bot
from bot.rate_limit import PriorityRateLimiter
from fakegram import ApiCall, FakeBotApi, FakeUser
from habits.breathing import MAX_EDITS_PER_MINUTE, GuidanceMode
from scheduler.clock import SteppedClock
from storage.database import create_db_engine

TELEGRAM_RATE = 30
# Monday 23 November 2026, 16:00 in Amsterdam: everyone's breathing nudge.
DUE = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
EDITS = ("editMessageText", "editMessageCaption")
# Who taps, with what settings: (share, pattern, minutes, guidance).
MIX = (
    (0.6, "calm", 2, "text"),
    (0.2, "box", 1, "text"),
    (0.1, "478", 5, "text"),
    (0.1, "calm", 2, "animation"),
)
# A member taps at the earliest this long after their nudge arrived.
REACTION_SECONDS = 1.0
CLOSING_TARGET_SECONDS = 15.0
P99_TARGET = 0.10


@dataclass
class Run:
    """What one run recorded, as the fake Telegram saw it."""

    due_monotonic: float = 0.0
    nudges: dict[int, tuple[int, int, float]] = field(default_factory=dict)  # chat -> (nudge, message, at)
    edits: dict[int, list[datetime]] = field(default_factory=lambda: defaultdict(list))
    refused: int = 0
    arrived: dict[int, asyncio.Event] = field(default_factory=lambda: defaultdict(asyncio.Event))
    taps: dict[str, tuple[int, float]] = field(default_factory=dict)  # query -> (chat, at)
    answered: dict[int, tuple[float, bool]] = field(default_factory=dict)  # chat -> (after, toast)
    tapped_at: dict[int, float] = field(default_factory=dict)
    started_at: dict[int, float] = field(default_factory=dict)  # chat -> its session's message

    def listen(self, call: ApiCall) -> None:
        if call.status == 429:
            self.refused += 1
        if not call.ok:
            return
        if call.method == "answerCallbackQuery":
            tapped = self.taps.get(str(call.params.get("callback_query_id")))
            if tapped is not None:
                chat, at = tapped
                self.answered[chat] = (call.monotonic - at, bool(call.params.get("text")))
            return
        chat_id = call.params.get("chat_id")
        if not isinstance(chat_id, int):
            return
        data = [
            button.get("callback_data", "")
            for row in (call.params.get("reply_markup") or {}).get("inline_keyboard", [])
            for button in row
        ]
        if call.method in ("sendMessage", "sendAnimation") and data and data[0].startswith("b:stop:"):
            self.started_at.setdefault(chat_id, call.monotonic)
        elif call.method == "sendMessage" and data and data[0].startswith("n:"):
            nudge_id = int(data[0].split(":")[1])
            self.nudges[chat_id] = (nudge_id, call.result["message_id"], call.monotonic)
            self.arrived[chat_id].set()
        elif call.method in EDITS:
            self.edits[chat_id].append(call.at)

    def lateness(self) -> list[float]:
        return sorted(at - self.due_monotonic for _, _, at in self.nudges.values())


def busiest_minute(moments: list[datetime]) -> int:
    moments = sorted(moments)
    best = start = 0
    for end, moment in enumerate(moments):
        while moment - moments[start] >= timedelta(seconds=60):
            start += 1
        best = max(best, end - start + 1)
    return best


async def drive_clock(bot: OfflineBot, speed: float, started: float, stop: asyncio.Event) -> None:
    """The bot's clock follows real time (times `speed`); the breathing job runs every TICK."""
    every = TICK.total_seconds() / speed
    next_job = 0.0
    while not stop.is_set():
        now = time.monotonic()
        bot.clock.set(DUE + timedelta(seconds=(now - started) * speed))
        if now >= next_job:
            await bot.run_job(BREATHING_JOB_NAME)  # starts the due edits, waits for none
            next_job = now + every
        await asyncio.sleep(0.01)


async def tap(
    users: dict[int, FakeUser], run: Run, chat_id: int, at: float, started: float, speed: float
) -> None:
    """One member taps the start button on their nudge at `at` seconds (once it has arrived)."""
    await asyncio.sleep(max(0.0, started + at / speed - time.monotonic()))
    await run.arrived[chat_id].wait()
    nudge_id, message_id, arrived_at = run.nudges[chat_id]
    await asyncio.sleep(max(0.0, arrived_at + REACTION_SECONDS / speed - time.monotonic()))
    update = users[chat_id].press(
        message_id, BreathingButton(BreathingAction.START, nudge_id).pack(), check_button=False
    )
    run.tapped_at[chat_id] = time.monotonic()
    run.taps[update["callback_query"]["id"]] = (chat_id, run.tapped_at[chat_id])


async def measure(
    database_url: str, members: int, starters: list[int], speed: float, rng: random.Random
) -> dict[str, Any]:
    clock = SteppedClock(DUE)
    api = FakeBotApi(token=TOKEN, clock=clock)
    api.enforce_flood_limit(TELEGRAM_RATE, algorithm="token_bucket")
    run = Run()
    api.add_listener(run.listen)
    users = {FIRST_TELEGRAM_ID + index: api.user(FIRST_TELEGRAM_ID + index) for index in range(members)}
    limiter = PriorityRateLimiter(overall_max_rate=TELEGRAM_RATE, overall_time_period=1, max_retries=2)
    async with offline_bot(bench_settings(database_url), clock=clock, api=api, rate_limiter=limiter) as bot:
        stop = asyncio.Event()
        started = run.due_monotonic = time.monotonic()
        driver = asyncio.create_task(drive_clock(bot, speed, started, stop))
        dispatch = asyncio.create_task(bot.tick())  # the nudges fall due now
        taps = [
            asyncio.create_task(tap(users, run, chat_id, rng.uniform(0, 60), started, speed))
            for chat_id in starters
        ]
        runner = bot.app.breathing
        deadline = started + (members / TELEGRAM_RATE) * 2 + (5 * 60 + 120) / speed
        while time.monotonic() < deadline:
            await asyncio.sleep(0.2)
            sessions_done = len(runner.outcomes) >= len(starters) and not runner.sessions
            if dispatch.done() and all(t.done() for t in taps) and sessions_done:
                break
        await runner.settle()  # the answered nudges' edits, which wait for a quiet moment
        stop.set()
        await driver
        for task in (dispatch, *taps):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        outcomes = list(runner.outcomes)
    return {"run": run, "outcomes": outcomes, "members": members, "sessions": len(starters)}


def prepare(
    database_url: str, members: int, sessions: int, rng: random.Random
) -> tuple[list[int], Counter[str]]:
    """Members whose breathing nudge is due at 16:00; `sessions` of them with the mix's settings."""
    engine = create_db_engine(database_url)
    try:
        insert_rows(engine, default_member_rows(members, cursor=DUE - timedelta(minutes=1)))
        starters = rng.sample([FIRST_TELEGRAM_ID + index for index in range(members)], sessions)
        mix: Counter[str] = Counter()
        settings = [
            (pattern, minutes, guidance)
            for share, pattern, minutes, guidance in MIX
            for _ in range(round(share * sessions))
        ]
        settings += [MIX[0][1:]] * (sessions - len(settings))
        with engine.begin() as connection:
            for telegram_id, (pattern, minutes, guidance) in zip(starters, settings, strict=False):
                connection.execute(
                    text(
                        "UPDATE member SET breathing_pattern = :pattern, breathing_minutes = :minutes, "
                        "breathing_guidance = :guidance WHERE telegram_id = :telegram_id"
                    ),
                    {
                        "pattern": pattern,
                        "minutes": minutes,
                        "guidance": guidance,
                        "telegram_id": telegram_id,
                    },
                )
                mix[f"{pattern} {minutes} min {guidance}"] += 1
        return starters, mix
    finally:
        engine.dispose()


def lateness_line(label: str, results: dict[str, Any]) -> tuple[str, float]:
    lateness = results["run"].lateness()
    p50, p99 = percentile(lateness, 0.5), percentile(lateness, 0.99)
    worst = max(lateness, default=float("nan"))
    return (
        f"  {label}: {len(lateness):,} of {results['members']:,} nudges sent; lateness p50 {p50:.1f} s, "
        f"p99 {p99:.1f} s, max {worst:.1f} s",
        p99,
    )


def report(alone: dict[str, Any], together: dict[str, Any], mix: Counter[str]) -> tuple[str, bool]:
    run: Run = together["run"]
    outcomes: list[SessionOutcome] = together["outcomes"]
    alone_line, alone_p99 = lateness_line("nudges alone      ", alone)
    together_line, together_p99 = lateness_line("nudges + sessions ", together)
    worse = together_p99 / alone_p99 - 1 if alone_p99 else float("nan")
    busiest = max((busiest_minute(moments) for moments in run.edits.values()), default=0)
    edits = sum(len(moments) for moments in run.edits.values())
    every_phase = sum(outcome.every_phase for outcome in outcomes)
    thinned = sum(outcome.guidance is GuidanceMode.TEXT and outcome.thinned for outcome in outcomes)
    animation = [outcome for outcome in outcomes if outcome.guidance is GuidanceMode.ANIMATION]
    switched = sum(outcome.preferred is GuidanceMode.TEXT for outcome in animation)
    late = [
        (outcome.closed_at - outcome.planned_end).total_seconds()
        for outcome in outcomes
        if outcome.closed_at is not None
    ]
    within = sum(seconds <= CLOSING_TARGET_SECONDS for seconds in late)
    answers = sorted(after for after, _ in run.answered.values())
    toasts = sum(toast for _, toast in run.answered.values())
    waits = sorted(at - run.tapped_at[chat] for chat, at in run.started_at.items() if chat in run.tapped_at)
    last_nudge = max((at for _, _, at in run.nudges.values()), default=0.0)
    ahead = sum(at < last_nudge for at in run.started_at.values())
    met = {
        "nudge p99 at most 10% worse": worse <= P99_TARGET,
        f"no chat over {MAX_EDITS_PER_MINUTE} edits a minute": busiest <= MAX_EDITS_PER_MINUTE,
        "every closing line within 15 s": within == together["sessions"],
    }
    lines = [
        f"bench.breathing: {together['members']:,} breathing nudges due at 16:00, "
        f"{together['sessions']} members tap ▶️ on theirs within the minute, "
        f"limiter at {TELEGRAM_RATE}/s ({machine()})",
        "  sessions chosen: " + ", ".join(f"{count} {name}" for name, count in sorted(mix.items())),
        alone_line,
        together_line + f" (p99 {worse:+.1%})",
        f"  after the tap: answered p50 {percentile(answers, 0.5):.2f} s, "
        f"max {max(answers, default=float('nan')):.2f} s "
        f"({toasts} of {len(answers)} with 'begins in a moment'); session message p50 "
        f"{percentile(waits, 0.5):.1f} s, p99 {percentile(waits, 0.99):.1f} s, "
        f"max {max(waits, default=float('nan')):.1f} s; {ahead} sent before the last nudge",
        f"  edits: {edits:,} made; most in one chat in any 60 s: {busiest} (limit {MAX_EDITS_PER_MINUTE}); "
        f"answered 429 by the fake Telegram: {run.refused}",
        f"  sessions: {len(outcomes)} ran; every phase {every_phase}, thinned {thinned}, "
        f"as the animation {len(animation)} ({switched} switched from text to stay within the limits, "
        f"{len(animation) - switched} by choice)",
        f"  closing line after the planned end: p50 {percentile(late, 0.5):.2f} s, "
        f"p99 {percentile(late, 0.99):.2f} s, max {max(late, default=float('nan')):.2f} s; "
        f"within {CLOSING_TARGET_SECONDS:g} s: {within} of {together['sessions']}",
        "  targets: " + "; ".join(f"{name}: {'met' if ok else 'MISSED'}" for name, ok in met.items()),
    ]
    return "\n".join(lines), all(met.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=2_000)
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--speed", type=float, default=1.0, help="the bot's clock against real time")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if not 0 <= args.sessions <= args.members:
        parser.error("--sessions is at most --members")
    # One tick sends the whole backlog, so the JobQueue skips the ticks due meanwhile, by design.
    logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
    with fresh_database(None) as url:
        prepare(url, args.members, 0, random.Random(args.seed))
        alone = asyncio.run(measure(url, args.members, [], args.speed, random.Random(args.seed)))
    with fresh_database(None) as url:
        rng = random.Random(args.seed)
        starters, mix = prepare(url, args.members, args.sessions, rng)
        together = asyncio.run(measure(url, args.members, starters, args.speed, rng))
    printed, _ = report(alone, together, mix)
    print(printed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
