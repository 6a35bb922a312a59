"""The weekly picture at scale: render time per picture and pictures per hour from the real tick.

    python -m bench.weekly [--members 400] [--workers N]

First one picture (a full week: four habits, water and sleep bars) is drawn several times in this
process: CPU seconds per picture. Then N members whose picture is due on Sunday at 19:00 are
served by the real Application's dispatch tick, run back to back with the chart workers
(`--workers`, default one per core; 0 draws in a thread) against the in-process fake Bot API: how
many pictures one tick sends, how long it takes, and what that means for 100,000 members whose
pictures fall due at the same moment (everyone on the default Sunday 19:00 in one time zone).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench.common import (
    TOKEN,
    bench_settings,
    count_rows,
    default_member_rows,
    fresh_database,
    insert_rows,
    machine,
)
from bot.app import DISPATCH_JOB_NAME, build_application
from bot.jobs import WEEKLY_SHARE_OF_INTERVAL
from bot.progress.chart_workers import default_workers
from bot.progress.weekly_chart import render_week_png
from fakegram import FakeBotApi, FakeRequest
from habits.stats import WeekPicture
from habits.streaks import DayOutcome
from scheduler.weekly_reports import WEEKLY_REPORT_GRACE
from storage.database import create_db_engine, upgrade_schema
from storage.kinds import Habit
from tips.library import load_tip_library

# Sunday 29 November 2026, 19:00 in Amsterdam: everyone's weekly picture is due.
SUNDAY_DUE = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)
TICK_AT = SUNDAY_DUE + timedelta(seconds=30)
AT_SCALE = 100_000
# What the tick did before the chart workers: 40 pictures a tick, drawn one after another.
OLD_REPORTS_PER_TICK = 40

_D, _S, _M, _P = DayOutcome.DONE, DayOutcome.SKIPPED, DayOutcome.MISSED, DayOutcome.PAUSED
FULL_WEEK = WeekPicture(
    days=[date(2026, 11, 23) + timedelta(days=offset) for offset in range(7)],
    outcomes={
        Habit.WATER: [_D, _M, _D, _M, _P, _D, _D],
        Habit.WALK: [_D, _S, _D, _M, _P, _D, _D],
        Habit.BREATHING: [_D, _S, _M, _D, _P, _D, _D],
        Habit.SLEEP: [_D, _D, _D, _D, _P, _D, _D],
    },
    water_glasses=[8, 5, 9, 0, 0, 8, 3],
    water_goal=8,
    sleep_hours=[7.5, 6.0, None, 8.0, None, 9.0, 7.0],
)


def render_cost(pictures: int) -> dict[str, Any]:
    render_week_png(FULL_WEEK, "nl")  # the first one imports matplotlib
    cpu: list[float] = []
    for index in range(pictures):
        started = time.process_time()
        png = render_week_png(FULL_WEEK, "nl" if index % 2 else "en")
        cpu.append(time.process_time() - started)
    return {"cpu_s": statistics.median(cpu), "png_bytes": len(png)}


async def measure_ticks(database_url: str, members: int, workers: int) -> dict[str, Any]:
    settings = bench_settings(database_url, render_workers=workers)
    engine = create_db_engine(database_url)
    upgrade_schema(engine)
    api = FakeBotApi(token=TOKEN, clock=lambda: TICK_AT)
    app = build_application(
        settings=settings,
        engine=engine,
        tips=load_tip_library(settings.tips_path),
        clock=lambda: TICK_AT,
        request=FakeRequest(api),
        limit_rate=False,
    )
    assert app.job_queue is not None
    (tick,) = app.job_queue.get_jobs_by_name(DISPATCH_JOB_NAME)
    tick.enabled = False  # run by hand below, back to back
    await app.initialize()
    await app.start()
    per_tick: list[tuple[int, float]] = []
    cpu_started = time.process_time()
    started = time.perf_counter()
    while len(api.calls_named("sendPhoto")) < members and len(per_tick) < members:
        before, tick_started = len(api.calls_named("sendPhoto")), time.perf_counter()
        await tick.run(app)
        per_tick.append((len(api.calls_named("sendPhoto")) - before, time.perf_counter() - tick_started))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    await app.stop()
    await app.shutdown()
    sent = count_rows(engine, "SELECT count(*) FROM weeklyreport WHERE status = 'sent'")
    engine.dispose()
    budget = WEEKLY_SHARE_OF_INTERVAL * settings.dispatch_interval_seconds
    full = [(count, seconds) for count, seconds in per_tick if seconds >= budget]
    return {
        "workers": workers,
        "sent": sent,
        "seconds": elapsed,
        "bot_cpu_s": cpu,
        "ticks": len(per_tick),
        "interval_s": settings.dispatch_interval_seconds,
        "full_ticks": full or per_tick,
    }


def report(members: int, cost: dict[str, Any], ticks: dict[str, Any]) -> str:
    cpu, interval, workers = cost["cpu_s"], ticks["interval_s"], ticks["workers"]
    pictures = statistics.median(count for count, _ in ticks["full_ticks"])
    tick_seconds = statistics.median(seconds for _, seconds in ticks["full_ticks"])
    measured_per_hour = pictures * 3600 / max(interval, tick_seconds)
    # With a core of its own per worker: each draws 1/cpu pictures a second while a tick draws.
    duty = WEEKLY_SHARE_OF_INTERVAL
    cores_per_hour = max(workers, 1) * 3600 / cpu * duty
    old_per_hour = OLD_REPORTS_PER_TICK * 3600 / max(interval, OLD_REPORTS_PER_TICK * cpu)
    late = max(0.0, 1 - old_per_hour * WEEKLY_REPORT_GRACE.total_seconds() / 3600 / AT_SCALE)
    drawn_by = (
        f"{workers} worker process{'es' if workers != 1 else ''}"
        if workers
        else "a thread of the bot's process"
    )

    def last_after(per_hour: float) -> str:
        return f"the last of {AT_SCALE:,} after {AT_SCALE / per_hour:.1f} hours"

    return "\n".join(
        [
            f"bench.weekly: {members:,} members' pictures due at the same moment ({machine()})",
            f"  one picture: {cpu * 1000:.0f} ms of CPU, {cost['png_bytes'] / 1024:.0f} KiB PNG;"
            f" {AT_SCALE:,} pictures = {AT_SCALE * cpu / 3600:.1f} CPU-hours",
            f"  the tick, pictures drawn by {drawn_by}: {ticks['sent']:,} sent in {ticks['ticks']} ticks"
            f" run back to back, {ticks['seconds']:.1f} s ({ticks['bot_cpu_s']:.1f} s CPU in the bot's"
            " process)",
            f"    measured: a full tick sends {pictures:.0f} pictures in {tick_seconds:.1f} s (pictures"
            f" for {WEEKLY_SHARE_OF_INTERVAL:.0%} of the interval, one tick every {interval:g} s):"
            f" {measured_per_hour:,.0f} per hour, {last_after(measured_per_hour)}",
            f"    with a free core per worker: {cores_per_hour:,.0f} per hour, {last_after(cores_per_hour)}",
            f"  before (up to {OLD_REPORTS_PER_TICK} a tick, drawn one after another in a thread):"
            f" {old_per_hour:,.0f} per hour, {last_after(old_per_hour)};"
            f" {late:.0%} would be over the {WEEKLY_REPORT_GRACE.total_seconds() / 3600:g} h grace"
            " and recorded as missed",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=400)
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="chart worker processes (default: one per core; 0: a thread)",
    )
    parser.add_argument("--pictures", type=int, default=10, help="pictures drawn in this process to time one")
    args = parser.parse_args(argv)
    workers = default_workers() if args.workers is None else args.workers
    cost = render_cost(args.pictures)
    with fresh_database(None) as url:
        engine = create_db_engine(url)
        # Members for a few weeks already (a full grid), their nudges dealt with up to now, who
        # answered this week (a silent week gets no picture).
        rows = (
            {
                **row,
                "created_at": SUNDAY_DUE - timedelta(days=21),
                "next_weekly_report_at": SUNDAY_DUE,
                "last_answer_at": SUNDAY_DUE - timedelta(days=1),
            }
            for row in default_member_rows(args.members, cursor=SUNDAY_DUE)
        )
        insert_rows(engine, rows)
        engine.dispose()
        ticks = asyncio.run(measure_ticks(url, args.members, workers))
    print(report(args.members, cost, ticks))
    return 0 if ticks["sent"] == args.members else 1


if __name__ == "__main__":
    sys.exit(main())
