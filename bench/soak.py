"""Soak: N members on the default routine for D simulated days, in virtual time.

    python -m bench.soak --members 10000 --days 7

The real Application (`build_application`: handlers, JobQueue job, polling) runs on a stepped
clock that moves one dispatch interval per tick, from Monday 00:00 in Amsterdam. Its Bot API is a
fake here that keeps no message history: it answers each call, counts message ids per chat and
passes nudges on to the simulated members, so that only the bot's own memory is measured. A share
of the members answer each nudge with its button, another share by typing (`+1`, `klaar`,
`7,5 uur`), a few get the weekly picture (drawn by the chart workers, in their own processes).
The rate limiter is off: virtual time does not wait for Telegram's 30 messages a second.

Printed per simulated day: the process's RSS, the rows per table, the database's size on disk
(file and WAL), and the tick's p99 and slowest time; then the growth per day of each table, RSS on
the last day against the first, and the disk a member costs per year.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import json
import random
import sqlite3
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Engine, make_url
from sqlmodel import SQLModel, col
from telegram import Update
from telegram.request import BaseRequest, RequestData

from bench.common import (
    bench_settings,
    count_rows,
    current_rss_mb,
    default_member_rows,
    fresh_database,
    insert_rows,
    machine,
    percentile,
)
from bot.app import DISPATCH_JOB_NAME, TIP_WATCH_JOB_NAME, build_application
from bot.context import HabitsApplication
from scheduler.clock import SteppedClock
from storage.database import create_db_engine
from storage.models import Member
from tips.library import load_tip_library

# Monday 23 November 2026, 00:00 in Amsterdam.
START = datetime(2026, 11, 22, 23, 0, tzinfo=UTC)
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Habits Bench Bot", "username": "habits_bench_bot"}
SECONDS_PER_YEAR_DAYS = 365


def _ok(result: object) -> tuple[int, bytes]:
    return 200, json.dumps({"ok": True, "result": result}).encode()


def _parameters(request_data: RequestData | None) -> dict[str, Any]:
    if request_data is None:
        return {}
    values: dict[str, Any] = {}
    for name, raw in request_data.json_parameters.items():
        try:
            values[name] = json.loads(raw)
        except ValueError:
            values[name] = raw
    return values


@dataclass
class Members:
    """The simulated members: who answers a nudge, and how."""

    button_share: float
    text_share: float
    seed: int = 1
    answered: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def answer(self, chat_id: int, message: dict[str, Any], buttons: list[str]) -> dict[str, Any] | None:
        """The update a member sends back for a nudge, or None (no answer)."""
        draw = self._random.random()
        if draw < self.button_share:
            data = _pick_button(buttons)
            if data is None:
                return None
            self.answered["button"] += 1
            return {
                "callback_query": {
                    "id": f"{chat_id}-{message['message_id']}",
                    "from": _user(chat_id),
                    "message": message,
                    "chat_instance": str(chat_id),
                    "data": data,
                }
            }
        if draw < self.button_share + self.text_share:
            self.answered["text"] += 1
            typed = "+1" if any(":glass" in data for data in buttons) else "klaar"
            if any(":hours:" in data for data in buttons):
                typed = "7,5 uur"
            return {"message": {"from": _user(chat_id), "chat": _chat(chat_id), "text": typed}}
        return None


def _pick_button(buttons: list[str]) -> str | None:
    for wanted in (":done", ":glass", ":hours:7"):
        for data in buttons:
            if data.endswith(wanted):
                return data
    return None


def _user(chat_id: int) -> dict[str, Any]:
    return {"id": chat_id, "is_bot": False, "first_name": "Member", "language_code": "nl"}


def _chat(chat_id: int) -> dict[str, Any]:
    return {"id": chat_id, "type": "private", "first_name": "Member"}


class ForgetfulBotApi(BaseRequest):
    """A Bot API that answers the bot's calls and forgets them: no message, call or file is kept.

    What it holds is bounded: the next message id per chat and the updates not yet fetched.
    """

    def __init__(self, clock: SteppedClock, members: Members) -> None:
        self._clock, self._members = clock, members
        self._next_message_id: dict[int, int] = {}
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._arrived = asyncio.Event()
        self.all_fetched = asyncio.Event()
        self.all_fetched.set()
        self.calls: Counter[str] = Counter()

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    def _message(self, chat_id: int, content: dict[str, Any]) -> dict[str, Any]:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        return {
            "message_id": message_id,
            "from": BOT_USER,
            "chat": _chat(chat_id),
            "date": int(self._clock().timestamp()),
            **content,
        }

    def _enqueue(self, update: dict[str, Any]) -> None:
        if "message" in update:
            chat_id = update["message"]["chat"]["id"]
            update["message"]["message_id"] = self._next_message_id.get(chat_id, 1)
            self._next_message_id[chat_id] = update["message"]["message_id"] + 1
            update["message"]["date"] = int(self._clock().timestamp())
        self._updates.append({"update_id": self._next_update_id, **update})
        self._next_update_id += 1
        self._arrived.set()
        self.all_fetched.clear()

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
        name = url.rsplit("/", 1)[-1]
        self.calls[name] += 1
        params = _parameters(request_data)
        if name == "getUpdates":
            return _ok(await self._get_updates(params))
        if name == "getMe":
            return _ok(BOT_USER)
        if name in ("setMyCommands", "deleteWebhook", "answerCallbackQuery"):
            return _ok(True)
        if name == "sendMessage":
            chat_id = int(params["chat_id"])
            content: dict[str, Any] = {"text": params["text"]}
            markup = params.get("reply_markup")
            if isinstance(markup, dict) and "inline_keyboard" in markup:
                content["reply_markup"] = markup
            message = self._message(chat_id, content)
            buttons = [
                str(button.get("callback_data", ""))
                for row in (markup or {}).get("inline_keyboard", [])
                for button in row
            ]
            if any(data.startswith("n:") for data in buttons):
                answer = self._members.answer(chat_id, message, buttons)
                if answer is not None:
                    self._enqueue(answer)
            return _ok(message)
        if name == "editMessageText":
            chat_id = int(params["chat_id"])
            return _ok(
                {
                    "message_id": int(params["message_id"]),
                    "from": BOT_USER,
                    "chat": _chat(chat_id),
                    "date": int(self._clock().timestamp()),
                    "text": params["text"],
                }
            )
        if name == "sendPhoto":
            size = {"file_id": "photo", "file_unique_id": "photo", "width": 1080, "height": 1350}
            return _ok(self._message(int(params["chat_id"]), {"photo": [size]}))
        return 404, json.dumps({"ok": False, "error_code": 404, "description": "Not Found"}).encode()

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = params.get("offset")
        if isinstance(offset, int):
            self._updates = [update for update in self._updates if update["update_id"] >= offset]
        if not self._updates:
            self.all_fetched.set()
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), float(params.get("timeout") or 0))
            except TimeoutError:
                return []
        return self._updates[: int(params.get("limit") or 100)]


@dataclass
class Day:
    number: int
    rss_mb: float
    rows: dict[str, int]
    disk_bytes: int
    tick_p99_ms: float
    tick_max_ms: float
    tick_cpu_p99_ms: float
    tick_cpu_max_ms: float
    ticks: int
    wall_s: float
    cpu_s: float


def _database_path(database_url: str) -> Path:
    database = make_url(database_url).database
    assert database
    return Path(database)


def _disk_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.exists())


def _rows(engine: Engine) -> dict[str, int]:
    return {
        table.name: count_rows(engine, f"SELECT count(*) FROM {table.name}")
        for table in SQLModel.metadata.sorted_tables
    }


def _bytes_per_table(path: Path) -> dict[str, int]:
    """Pages of each table and its indexes (SQLite's dbstat), after a checkpoint."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        owners = dict(
            connection.execute("SELECT name, tbl_name FROM sqlite_master WHERE tbl_name IS NOT NULL")
        )
        found: Counter[str] = Counter()
        for name, size in connection.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"):
            found[owners.get(name, name)] += int(size)
        return dict(found)
    finally:
        connection.close()


async def _settle(app: HabitsApplication, api: ForgetfulBotApi) -> None:
    """Until every update sent so far has been fetched and handled."""
    await api.all_fetched.wait()
    await app.update_queue.join()


async def soak(
    *,
    members: int,
    days: int,
    button_share: float,
    text_share: float,
    picture_share: float,
    reminder_log_days: int,
    database_url: str,
    report: Any = print,
) -> list[Day]:
    settings = bench_settings(database_url, reminder_log_days=reminder_log_days)
    engine = create_db_engine(database_url)
    insert_rows(engine, default_member_rows(members, cursor=START))
    with engine.begin() as connection:
        # Weekly pictures cost 0.19 s of CPU each (bench.weekly): only a few members get one.
        pictures = round(members * picture_share)
        connection.execute(update(Member).where(col(Member.id) > pictures).values(weekly_report_on=False))
    clock = SteppedClock(START)
    simulated = Members(button_share, text_share)
    api = ForgetfulBotApi(clock, simulated)
    app = build_application(
        settings=settings,
        engine=engine,
        tips=load_tip_library(settings.tips_path),
        clock=clock,
        request=api,
        updates_request=api,
        limit_rate=False,
    )
    assert app.job_queue is not None
    for name in (DISPATCH_JOB_NAME, TIP_WATCH_JOB_NAME):
        for job in app.job_queue.get_jobs_by_name(name):
            job.enabled = False
    (tick,) = app.job_queue.get_jobs_by_name(DISPATCH_JOB_NAME)
    await app.initialize()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=Update.ALL_TYPES)
    await app.start()
    interval = timedelta(seconds=settings.dispatch_interval_seconds)
    path = _database_path(database_url)
    results: list[Day] = []
    try:
        for day in range(1, days + 1):
            day_started, day_cpu = time.perf_counter(), time.process_time()
            durations: list[float] = []
            cpu: list[float] = []
            end = START + timedelta(days=day)
            while clock() < end:
                clock.advance(seconds=interval.total_seconds())
                started, cpu_started = time.perf_counter(), time.process_time()
                await tick.run(app)
                durations.append(time.perf_counter() - started)
                cpu.append(time.process_time() - cpu_started)
                await _settle(app, api)
            gc.collect()
            result = Day(
                number=day,
                rss_mb=current_rss_mb(),
                rows=_rows(engine),
                disk_bytes=_disk_bytes(path),
                tick_p99_ms=percentile(durations, 0.99) * 1000,
                tick_max_ms=max(durations) * 1000,
                tick_cpu_p99_ms=percentile(cpu, 0.99) * 1000,
                tick_cpu_max_ms=max(cpu) * 1000,
                ticks=len(durations),
                wall_s=time.perf_counter() - day_started,
                cpu_s=time.process_time() - day_cpu,
            )
            results.append(result)
            report(_day_line(result))
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        engine.dispose()
    report(_summary(results, members, _bytes_per_table(path), simulated.answered))
    return results


def _day_line(day: Day) -> str:
    rows = ", ".join(f"{name} {count:,}" for name, count in day.rows.items())
    return (
        f"  day {day.number}: RSS {day.rss_mb:.0f} MB; database {day.disk_bytes / 2**20:.1f} MB; "
        f"tick p99 {day.tick_p99_ms:.1f} ms, slowest {day.tick_max_ms:.0f} ms (CPU: p99 "
        f"{day.tick_cpu_p99_ms:.1f} ms, slowest {day.tick_cpu_max_ms:.0f} ms; {day.ticks:,} ticks, "
        f"{day.wall_s:.0f} s, {day.cpu_s:.0f} s CPU); rows: {rows}"
    )


def _summary(days: list[Day], members: int, table_bytes: dict[str, int], answered: Counter[str]) -> str:
    first, last = days[0], days[-1]
    lines = [
        f"  answers sent by the members: {answered['button']:,} taps, {answered['text']:,} typed",
        f"  RSS on day {last.number} against day {first.number}: {last.rss_mb:.0f} vs {first.rss_mb:.0f} MB "
        f"({(last.rss_mb / first.rss_mb - 1) * 100:+.1f}%)",
    ]
    if len(days) > 1:
        span = last.number - first.number
        growth = []
        for name in first.rows:
            per_day = [later.rows[name] - earlier.rows[name] for earlier, later in itertools.pairwise(days)]
            growth.append(f"{name} {(last.rows[name] - first.rows[name]) / span:+,.0f}/day {per_day}")
        lines.append("  rows added per day after day 1: " + "; ".join(growth))
        per_member_day = (last.disk_bytes - first.disk_bytes) / span / members
        lines.append(
            f"  disk: {per_member_day:,.0f} bytes per member per day = "
            f"{per_member_day * SECONDS_PER_YEAR_DAYS / 2**20:.2f} MB per member per year"
        )
    rows = last.rows
    shares = []
    for name in ("nudge", "checkin", "weeklyreport", "member", "pause"):
        if rows.get(name):
            shares.append(f"{name} {table_bytes.get(name, 0) / rows[name]:.0f} B/row")
    lines.append("  bytes per row, with its indexes (dbstat, after a checkpoint): " + ", ".join(shares))
    nudges_per_member_day = rows["nudge"] / members / last.number
    checkins_per_member_day = rows["checkin"] / members / last.number
    nudge_row = table_bytes.get("nudge", 0) / max(rows["nudge"], 1)
    checkin_row = table_bytes.get("checkin", 0) / max(rows["checkin"], 1)
    year_log = nudges_per_member_day * SECONDS_PER_YEAR_DAYS * nudge_row
    year_checkins = checkins_per_member_day * SECONDS_PER_YEAR_DAYS * checkin_row
    lines.append(
        f"  a member's year: {nudges_per_member_day * SECONDS_PER_YEAR_DAYS:,.0f} nudge rows "
        f"({year_log / 2**20:.2f} MB, kept for REMINDER_LOG_DAYS) + "
        f"{checkins_per_member_day * SECONDS_PER_YEAR_DAYS:,.0f} check-ins "
        f"({year_checkins / 2**20:.2f} MB, kept)"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--button-share", type=float, default=0.3, help="nudges answered by a tap")
    parser.add_argument("--text-share", type=float, default=0.15, help="nudges answered by typing")
    parser.add_argument("--picture-share", type=float, default=0.01, help="members with the weekly picture")
    parser.add_argument("--reminder-log-days", type=int, default=400)
    args = parser.parse_args(argv)
    print(
        f"bench.soak: {args.members:,} members on the default routine, {args.days} simulated days, "
        f"{args.button_share:.0%} of nudges tapped and {args.text_share:.0%} typed, "
        f"reminder log kept {args.reminder_log_days} days ({machine()})",
        flush=True,
    )
    with fresh_database(None) as url:
        asyncio.run(
            soak(
                members=args.members,
                days=args.days,
                button_share=args.button_share,
                text_share=args.text_share,
                picture_share=args.picture_share,
                reminder_log_days=args.reminder_log_days,
                database_url=url,
                report=lambda line: print(line, flush=True),
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
