"""Dispatch at scale: start-up, memory and nudges per second, against the naive design.

    python -m bench.dispatch --members 100000 [--database-url postgresql+psycopg://...]

Creates N members with the default routine in a fresh database, then measures in separate
processes (so their memory figures do not mix):

- this bot: start-up until the first tick is ready (the Application built, initialized and its
  JobQueue running), peak RSS, and how fast one tick claims, renders, sends and records
  everyone's 08:15 walk nudge;
- the naive design: one PTB JobQueue job per member and slot, added at start-up, and each job
  doing its own member's work when it fires.

Both talk to the in-process fake Bot API (no latency) with the rate limiter off.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from datetime import date, timedelta
from typing import Any

from sqlalchemy import text, update
from sqlmodel import col, select
from telegram.ext import Application, ApplicationBuilder, CallbackContext, ContextTypes

from bench.common import (
    AMSTERDAM,
    BEFORE_WALK,
    TOKEN,
    WALK_DUE,
    bench_settings,
    count_rows,
    current_rss_mb,
    default_member_rows,
    fresh_database,
    insert_rows,
    machine,
    peak_rss_mb,
)
from bot.app import DISPATCH_JOB_NAME, build_application
from bot.nudges.keyboards import nudge_keyboard
from bot.nudges.messages import nudge_text
from bot.sender import TelegramSender
from fakegram import FakeBotApi, FakeRequest
from scheduler.delivery import Delivery
from scheduler.dispatch import is_slot_done
from scheduler.routines import routine_of, zone_of
from scheduler.slot_kinds import kind_of_slot
from scheduler.slots import slots_for_day
from storage import queries
from storage.database import create_db_engine, new_session, upgrade_schema
from storage.models import Member, Nudge, NudgeStatus
from tips.library import choose_tip, load_tip_library

TICK_AT = WALK_DUE + timedelta(seconds=30)
NAIVE_MEMBERS_BY_DEFAULT = 10_000


def _run_child(role: str, database_url: str, members: int) -> dict[str, Any]:
    command = [
        sys.executable,
        "-m",
        "bench.dispatch",
        "--role",
        role,
        "--database-url",
        database_url,
        "--members",
        str(members),
        "--launched-at",
        repr(time.time()),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{role} run failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _reset_walks(database_url: str, members: int) -> None:
    """Forget the sent walk nudges so that the next design starts from the same state; only the
    first `members` members stay active."""

    engine = create_db_engine(database_url)
    with engine.begin() as connection:
        connection.execute(Nudge.__table__.delete())  # type: ignore[attr-defined]
        connection.execute(update(Member).values(schedule_cursor=BEFORE_WALK, next_due_at=WALK_DUE))
        connection.execute(
            update(Member).where(col(Member.id) > members).values(active=False, next_due_at=None)
        )
    engine.dispose()


# ------------------------------------------------------------------------------------------
# This bot: one repeating tick over the schedule stored in the database.


async def _measure_design(database_url: str, launched_at: float, _members: int) -> dict[str, Any]:

    imported = time.time() - launched_at
    settings = bench_settings(database_url)
    engine = create_db_engine(database_url)
    upgrade_schema(engine)
    tips = load_tip_library(settings.tips_path)
    api = FakeBotApi(token=TOKEN, clock=lambda: TICK_AT)
    app = build_application(
        settings=settings,
        engine=engine,
        tips=tips,
        clock=lambda: TICK_AT,
        request=FakeRequest(api),
        limit_rate=False,
    )
    assert app.job_queue is not None
    (tick,) = app.job_queue.get_jobs_by_name(DISPATCH_JOB_NAME)
    tick.enabled = False  # the measured tick below is this job, run once by hand
    await app.initialize()
    await app.start()
    ready = time.time() - launched_at
    rss_ready = peak_rss_mb()

    started, cpu_started = time.perf_counter(), time.process_time()
    await tick.run(app)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    sent = count_rows(engine, "SELECT count(*) FROM nudge WHERE status = 'sent'")
    await app.stop()
    await app.shutdown()
    engine.dispose()
    return {
        "startup_s": ready,
        "imports_s": imported,
        "rss_ready_mb": rss_ready,
        "peak_rss_mb": peak_rss_mb(),
        "rss_now_mb": current_rss_mb(),
        "sent": sent,
        "dispatch_s": elapsed,
        "dispatch_cpu_s": cpu,
        "fake_api_sends": len(api.calls_named("sendMessage")),
    }


# ------------------------------------------------------------------------------------------
# The naive design: a JobQueue job per member and slot, each doing its member's work.


async def _naive_nudge(context: CallbackContext[Any, Any, Any, Any]) -> None:
    """One member's one slot: look them up, skip if done, pick a tip, store, send, record."""

    assert context.job is not None
    data: tuple[int, str, str, date] = context.job.data  # type: ignore[assignment]
    member_id, habit, slot_key, local_date = data
    state = context.bot_data
    with new_session(state["engine"]) as session:
        member = queries.get_member(session=session, member_id=member_id)
        assert member is not None
        checkins = queries.checkins_on(session=session, member_id=member_id, day=local_date)
        if is_slot_done(checkins, habit=habit, slot=slot_key, water_goal=member.water_goal):
            return
        tips = state["tips"]
        recent = queries.recent_tip_ids(
            session=session, member_id=member_id, habit=habit, limit=max(len(tips.enabled(habit)), 1)
        )
        tip = choose_tip(tips, kind_of_slot(routine_of(member), slot_key), recent)
        nudge = queries.add_nudge(
            session=session,
            nudge=Nudge(
                member_id=member_id,
                habit=habit,
                slot=slot_key,
                local_date=local_date,
                due_at=TICK_AT,
                status=NudgeStatus.SENDING,
                tip_id=tip.id if tip else None,
            ),
        )
        session.commit()
        assert nudge.id is not None
        language, chat_id = member.language, member.chat_id
        message = nudge_text(
            language=language,
            slot=slot_key,
            tip=tip.text(language) if tip else None,
            glasses=0,
            goal=member.water_goal,
        )
        keyboard = nudge_keyboard(
            nudge_id=nudge.id,
            slot=slot_key,
            language=language,
            snooze_count=0,
            snooze_minutes=member.snooze_minutes,
        )
        result = await state["sender"].send_text(chat_id, message, keyboard)
        nudge.status = NudgeStatus.SENT if result.delivery is Delivery.DELIVERED else NudgeStatus.UNDELIVERED
        nudge.message_id, nudge.sent_at = result.message_id, TICK_AT
        session.commit()


async def _measure_naive(database_url: str, launched_at: float, members: int) -> dict[str, Any]:

    settings = bench_settings(database_url)
    engine = create_db_engine(database_url)
    tips = load_tip_library(settings.tips_path)
    api = FakeBotApi(token=TOKEN, clock=lambda: TICK_AT)
    app: Application[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(settings.telegram_api_url)
        .request(FakeRequest(api))
        .context_types(ContextTypes())
        .build()
    )
    app.bot_data.update(engine=engine, tips=tips, sender=TelegramSender(app.bot))
    job_queue = app.job_queue
    assert job_queue is not None
    adding = time.perf_counter()
    walks = []
    today = TICK_AT.astimezone(AMSTERDAM).date()
    with new_session(engine) as session:
        active = session.exec(
            select(Member).where(Member.active == True).limit(members)  # noqa: E712
        ).all()
        for member in active:
            zone = zone_of(member)
            for slot in slots_for_day(routine_of(member), zone, today):
                local = slot.due_at.astimezone(zone)
                job = job_queue.run_daily(
                    _naive_nudge,
                    local.timetz(),
                    name=f"{member.id}:{slot.key}",
                    data=(member.id, slot.habit, slot.key, slot.local_date),
                )
                if slot.key == "walk-breakfast":
                    walks.append(job)
        del active
    await app.initialize()
    await app.start()
    jobs = len(job_queue.jobs())
    add_seconds = time.perf_counter() - adding
    ready = time.time() - launched_at
    rss_ready = peak_rss_mb()
    for job in walks:  # they fire below, by hand, all at once as at 08:15
        job.enabled = False

    started, cpu_started = time.perf_counter(), time.process_time()
    await asyncio.gather(*(job.run(app) for job in walks))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    sent = count_rows(engine, "SELECT count(*) FROM nudge WHERE status = 'sent'")
    await app.stop()
    await app.shutdown()
    engine.dispose()
    return {
        "startup_s": ready,
        "add_jobs_s": add_seconds,
        "jobs": jobs,
        "rss_ready_mb": rss_ready,
        "peak_rss_mb": peak_rss_mb(),
        "sent": sent,
        "dispatch_s": elapsed,
        "dispatch_cpu_s": cpu,
    }


def _child(role: str, database_url: str, launched_at: float, members: int) -> None:
    measure = _measure_design if role == "design" else _measure_naive
    print(json.dumps(asyncio.run(measure(database_url, launched_at, members))))


# ------------------------------------------------------------------------------------------


def _baseline_rss() -> dict[str, Any]:
    """A process that imports everything and builds nothing: what Python and the libraries cost."""
    code = "import bot.app, fakegram, scheduler.dispatch, bench.common as c; print(c.peak_rss_mb())"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return {"rss_mb": float(done.stdout.strip())}


def run(members: int, database_url: str | None, *, naive_members: int) -> dict[str, Any]:
    with fresh_database(database_url) as url:
        from storage.database import create_db_engine

        engine = create_db_engine(url)
        started = time.perf_counter()
        insert_rows(engine, default_member_rows(members))
        setup = time.perf_counter() - started
        if engine.dialect.name == "postgresql":
            with engine.begin() as connection:
                connection.execute(text("ANALYZE"))
        engine.dispose()
        design = _run_child("design", url, members)
        results: dict[str, Any] = {
            "members": members,
            "setup_s": setup,
            "design": design,
            "baseline": _baseline_rss(),
            "backend": url.split(":", 1)[0],
        }
        if naive_members:
            _reset_walks(url, naive_members)
            results["naive"] = _run_child("naive", url, naive_members)
            results["naive"]["members"] = naive_members
    return results


def _per_second(figures: dict[str, Any], key: str) -> float:
    return float(figures["sent"] / figures[key])


def report(results: dict[str, Any]) -> str:
    design, naive, base = results["design"], results.get("naive"), results["baseline"]
    members = results["members"]
    lines = [
        f"bench.dispatch: {members:,} members on {results['backend']} ({machine()})",
        f"  setup (bulk insert, not measured below): {results['setup_s']:.1f} s",
        f"  python + imports, nothing built:  {base['rss_mb']:.0f} MB RSS",
        "  this bot (one repeating tick over the schedule stored in the database):",
        f"    start-up until first tick ready: {design['startup_s']:.2f} s"
        f" (of which starting Python and importing: {design['imports_s']:.2f} s)",
        f"    peak RSS at first tick ready:    {design['rss_ready_mb']:.0f} MB",
        f"    dispatch everyone's 08:15 walk:  {design['sent']:,} sent in {design['dispatch_s']:.1f} s"
        f" wall = {_per_second(design, 'dispatch_s'):,.0f} nudges/s;"
        f" {design['dispatch_cpu_s']:.1f} s CPU = {_per_second(design, 'dispatch_cpu_s'):,.0f}"
        " nudges per CPU-second",
        f"    peak RSS after (the fake API keeps every message): {design['peak_rss_mb']:.0f} MB",
    ]
    if naive is None:
        return "\n".join(lines)
    scale = members / naive["members"]
    lines += [
        f"  naive (one JobQueue job per member and slot), {naive['members']:,} members:",
        f"    jobs added at start-up:          {naive['jobs']:,} in {naive['add_jobs_s']:.1f} s",
        f"    start-up until first tick ready: {naive['startup_s']:.2f} s",
        f"    peak RSS at first tick ready:    {naive['rss_ready_mb']:.0f} MB",
        f"    dispatch everyone's 08:15 walk:  {naive['sent']:,} sent in {naive['dispatch_s']:.1f} s"
        f" wall = {_per_second(naive, 'dispatch_s'):,.0f} nudges/s;"
        f" {_per_second(naive, 'dispatch_cpu_s'):,.0f} nudges per CPU-second",
    ]
    startup, extra_rss = naive["startup_s"], naive["rss_ready_mb"] - base["rss_mb"]
    cpu_ratio = _per_second(design, "dispatch_cpu_s") / _per_second(naive, "dispatch_cpu_s")
    if scale != 1:
        startup += naive["add_jobs_s"] * (scale - 1)
        extra_rss *= scale
        lines.append(
            f"    scaled linearly to {members:,} members (adding jobs grows faster than "
            f"linearly, so these are lower bounds): start-up {startup:.0f} s, "
            f"+{extra_rss:,.0f} MB"
        )
    lines += [
        "  ratios (naive / this bot):",
        f"    start-up {startup / design['startup_s']:.0f}x; memory for the schedule "
        f"+{extra_rss:,.0f} MB vs +{design['rss_ready_mb'] - base['rss_mb']:.0f} MB; "
        f"dispatch CPU per nudge {cpu_ratio:.1f}x",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument(
        "--database-url",
        default=None,
        help="PostgreSQL URL (a fresh schema is made in it); default a temporary SQLite file",
    )
    parser.add_argument(
        "--naive-members",
        type=int,
        default=None,
        help="members for the naive design (default: --members, at most 10,000; "
        "its start-up takes minutes beyond that); 0 skips it",
    )
    parser.add_argument("--role", choices=["design", "naive"], help=argparse.SUPPRESS)
    parser.add_argument("--launched-at", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.role:
        _child(args.role, args.database_url, args.launched_at, args.members)
        return 0
    naive_members = (
        min(args.members, NAIVE_MEMBERS_BY_DEFAULT)
        if args.naive_members is None
        else min(args.naive_members, args.members)
    )
    results = run(args.members, args.database_url, naive_members=naive_members)
    print(report(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
