"""Check-in handling: updates per second and latency through the full PTB Application.

    python -m bench.updates [--members 1000] [--users-at-once 8] [--rounds 3]

Members tap "done" on their walk nudge and type check-ins ("+1", "2 glazen"); every update goes
through polling, the handlers, the database and the replies, against the in-process fake Bot API
with the rate limiter off. Two echo bots are measured the same way in the same run as baselines:
both reply to a text with the same text; on a button tap the first only answers the tap, the
second also edits the tapped message to show the choice (PTB's inline keyboard example), which
makes the same Bot API calls as the habits bot (answerCallbackQuery and editMessageText).
`--users-at-once` members are typing at any moment: each sends their next update once the
previous one has been handled. The bots take turns for `--rounds` rounds and the median round of
each is reported, so that a passing load on a shared machine does not decide the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bench.common import (
    FIRST_TELEGRAM_ID,
    TOKEN,
    WALK_DUE,
    bench_settings,
    count_rows,
    default_member_rows,
    fresh_database,
    insert_rows,
    machine,
    percentile,
)
from bot.offline import offline_bot
from fakegram import FakeBotApi, FakeRequest, FakeUser
from scheduler.clock import SteppedClock
from storage.database import create_db_engine

NOW = WALK_DUE + timedelta(seconds=30)
TEXT_CHECKINS = ("+1", "2 glazen")

Step = Callable[[], dict[str, Any]]


class Timing:
    """When each update was sent, began to be handled and was done; wakes its sender when done."""

    def __init__(self) -> None:
        self.sent: dict[int, float] = {}
        self.began: dict[int, float] = {}
        self.done: dict[int, float] = {}
        self._waiting: dict[int, asyncio.Future[None]] = {}

    def send(self, step: Step) -> asyncio.Future[None]:
        update = step()
        update_id = int(update["update_id"])
        self.sent[update_id] = time.perf_counter()
        future = asyncio.get_running_loop().create_future()
        self._waiting[update_id] = future
        return future

    async def on_begin(self, update: object, _context: object) -> None:
        assert isinstance(update, Update)
        self.began[update.update_id] = time.perf_counter()

    async def on_done(self, update: object, _context: object) -> None:
        assert isinstance(update, Update)
        self.done[update.update_id] = time.perf_counter()
        future = self._waiting.pop(update.update_id, None)
        if future is not None and not future.done():
            future.set_result(None)


def instrument(app: Application[Any, Any, Any, Any, Any, Any], timing: Timing) -> None:
    """Stamp every update before the bot's handlers (group -1) and after them (group 1)."""
    app.add_handler(TypeHandler(Update, timing.on_begin), group=-1)
    app.add_handler(TypeHandler(Update, timing.on_done), group=1)


async def drive(scripts: list[list[Step]], timing: Timing) -> tuple[float, float]:
    """Run every user's script, each step after the previous one was handled; wall and CPU seconds."""

    async def user(script: list[Step]) -> None:
        for step in script:
            await asyncio.wait_for(timing.send(step), timeout=30)

    started, cpu_started = time.perf_counter(), time.process_time()
    await asyncio.gather(*(user(script) for script in scripts))
    return time.perf_counter() - started, time.process_time() - cpu_started


def figures(timing: Timing, elapsed: float, cpu: float) -> dict[str, Any]:
    ids = list(timing.done)
    end_to_end = [(timing.done[i] - timing.sent[i]) * 1000 for i in ids]
    handling = [(timing.done[i] - timing.began[i]) * 1000 for i in ids if i in timing.began]
    return {
        "updates": len(ids),
        "seconds": elapsed,
        "per_second": len(ids) / elapsed,
        "per_cpu_second": len(ids) / cpu,
        "p50_ms": percentile(end_to_end, 0.5),
        "p99_ms": percentile(end_to_end, 0.99),
        "handling_p50_ms": percentile(handling, 0.5),
        "handling_p99_ms": percentile(handling, 0.99),
    }


def split(steps: list[Step], users: int) -> list[list[Step]]:
    return [steps[index::users] for index in range(users)]


def member_steps(api: FakeBotApi, members: int) -> list[Step]:
    """Per member: tap done on the walk nudge, then type each text check-in; interleaved."""
    steps: list[Step] = []
    for round_ in range(1 + len(TEXT_CHECKINS)):
        for index in range(members):
            user = api.user(FIRST_TELEGRAM_ID + index)
            if round_ == 0:
                steps.append(_tap_done(api, user))
            else:
                steps.append(_typing(user, TEXT_CHECKINS[round_ - 1]))
    return steps


def _tap_done(api: FakeBotApi, user: FakeUser) -> Step:
    def step() -> dict[str, Any]:
        nudge = api.last_message(user.id)
        data = next(
            button["callback_data"]
            for row in nudge["reply_markup"]["inline_keyboard"]
            for button in row
            if button["callback_data"].endswith(":done")
        )
        return user.press(nudge, data)

    return step


def _typing(user: FakeUser, text: str) -> Step:
    return lambda: user.send_text(text)


async def measure_bot(database_url: str, members: int, users: int) -> dict[str, Any]:
    timing = Timing()
    async with offline_bot(bench_settings(database_url), clock=SteppedClock(NOW), limit_rate=False) as bot:
        instrument(bot.app, timing)
        await bot.tick()  # everyone gets the 08:15 walk nudge to tap
        elapsed, cpu = await drive(split(member_steps(bot.api, members), users), timing)
        stored = count_rows(bot.engine, "SELECT count(*) FROM checkin")
    return {**figures(timing, elapsed, cpu), "checkins_stored": stored}


async def _echo_text(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reply with the same text."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(update.effective_message.text or "")


async def _echo_button(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the button."""
    assert update.callback_query is not None
    await update.callback_query.answer("✅")


async def _echo_button_and_edit(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the button and show the choice in the tapped message."""
    query = update.callback_query
    assert query is not None
    await query.answer("✅")
    await query.edit_message_text(f"🚶 ✅ {query.data}")


async def measure_echo(members: int, users: int, *, edit: bool = False) -> dict[str, Any]:
    api = FakeBotApi(token=TOKEN, clock=lambda: NOW)
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url("http://fake.invalid/bot")
        .request(FakeRequest(api))
        .get_updates_request(FakeRequest(api))
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, _echo_text))
    app.add_handler(CallbackQueryHandler(_echo_button_and_edit if edit else _echo_button))
    timing = Timing()
    instrument(app, timing)
    await app.initialize()
    for index in range(members):  # a message with a button to tap, as the nudge above
        await app.bot.send_message(FIRST_TELEGRAM_ID + index, "🚶", reply_markup=_done_keyboard())
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    await app.start()
    elapsed, cpu = await drive(split(member_steps(api, members), users), timing)
    await app.updater.stop()
    await app.stop()
    await app.shutdown()
    return figures(timing, elapsed, cpu)


def _done_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("✅", callback_data="n:0:done")]])


def report(
    bot: dict[str, Any],
    echo: dict[str, Any],
    echo_edit: dict[str, Any],
    members: int,
    users: int,
    rounds: int,
) -> str:
    def line(name: str, f: dict[str, Any]) -> str:
        return (
            f"  {name:<16} {f['updates']:,} updates in {f['seconds']:.2f} s = "
            f"{f['per_second']:,.0f}/s ({f['per_cpu_second']:,.0f} per CPU-second); "
            f"latency p50 {f['p50_ms']:.1f} ms, p99 {f['p99_ms']:.1f} ms"
            f" (in the handlers: p50 {f['handling_p50_ms']:.1f} ms, "
            f"p99 {f['handling_p99_ms']:.1f} ms)"
        )

    return "\n".join(
        [
            f"bench.updates: {members:,} members, {users} typing at once, median of {rounds} "
            f"round{'s' if rounds > 1 else ''} ({machine()})",
            line("habits bot", bot),
            line("echo bot", echo),
            line("echo bot + edit", echo_edit),
            f"  habits bot / echo: {bot['per_second'] / echo['per_second']:.0%} of the echo throughput;"
            f" / echo + edit (the same Bot API calls): {bot['per_second'] / echo_edit['per_second']:.0%};"
            f" {bot['checkins_stored']:,} check-ins stored",
        ]
    )


def _median_round(results: list[dict[str, Any]]) -> dict[str, Any]:
    return sorted(results, key=lambda figures: figures["per_second"])[len(results) // 2]


def measure_round(members: int, users: int) -> tuple[dict[str, Any], ...]:
    """One round: the habits bot on a fresh database, then each echo bot."""
    with fresh_database(None) as url:
        engine = create_db_engine(url)
        insert_rows(engine, default_member_rows(members))
        engine.dispose()
        bot = asyncio.run(measure_bot(url, members, users))
    echo = asyncio.run(measure_echo(members, users))
    echo_edit = asyncio.run(measure_echo(members, users, edit=True))
    return bot, echo, echo_edit


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--users-at-once", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    rounds = [measure_round(args.members, args.users_at_once) for _ in range(max(args.rounds, 1))]
    bot, echo, echo_edit = (_median_round([round_[index] for round_ in rounds]) for index in range(3))
    print(report(bot, echo, echo_edit, args.members, args.users_at_once, len(rounds)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
