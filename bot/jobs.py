"""The repeating dispatch job: the scheduler decides what is due, this module renders and sends it.

Nudges: `scheduler.dispatch` claims them and records their outcomes; `send_nudge` turns one into a
message with its buttons. Weekly pictures: `scheduler.weekly_reports` claims them; here they are
worked out (`habits.stats`), drawn by the chart workers and sent, and the outcome handed back.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from bot.chart_workers import ChartWorkers
from bot.context import BotContext
from bot.keyboards import nudge_keyboard
from bot.nudge_messages import nudge_text
from bot.progress_messages import week_caption
from bot.sender import TelegramSender
from habits.stats import week_picture
from scheduler.clock import Clock
from scheduler.delivery import SendResult
from scheduler.dispatch import DispatchPolicy, OutgoingNudge, SendNudge, dispatch_due
from scheduler.weekly_reports import (
    ERASED,
    OutgoingReport,
    claim_weekly_reports,
    record_weekly_outcome,
    weekly_tip,
)
from storage import queries
from storage.database import new_session
from storage.models import WeeklyReport
from tips.library import TipLibrary

log = logging.getLogger(__name__)
# Weekly pictures fill the tick's interval up to this share, after the nudges: the tick ends
# before the next one is due, so the next nudges are not held up.
WEEKLY_SHARE_OF_INTERVAL = 0.8
# Chart workers that have drawn nothing for this long are stopped (they start again on demand).
WORKERS_IDLE_STOP_SECONDS = 600.0


def nudge_sender(sender: TelegramSender) -> SendNudge:
    """The dispatcher's `send`: a nudge as the member sees it, with its buttons."""

    async def send_nudge(outgoing: OutgoingNudge) -> SendResult:
        message = nudge_text(
            language=outgoing.language,
            slot=outgoing.slot,
            tip=outgoing.tip_text,
            glasses=outgoing.glasses,
            goal=outgoing.water_goal,
        )
        keyboard = nudge_keyboard(
            nudge_id=outgoing.nudge_id,
            slot=outgoing.slot,
            language=outgoing.language,
            snooze_count=outgoing.snooze_count,
            snooze_minutes=outgoing.snooze_minutes,
        )
        return await sender.send_text(outgoing.chat_id, message, keyboard)

    return send_nudge


async def _send_report(
    item: OutgoingReport,
    *,
    engine: Engine,
    sender: TelegramSender,
    tips: TipLibrary,
    clock: Clock,
    charts: ChartWorkers,
) -> str:
    with new_session(engine) as session:
        member = queries.get_member(session=session, member_id=item.member_id)
        report = session.get(WeeklyReport, item.report_id)
        if member is None or report is None:
            return ERASED  # the member erased their data meanwhile
        picture = week_picture(session=session, member=member, now=clock(), last_day=item.week_ending)
        tip = weekly_tip(session=session, member_id=item.member_id, tips=tips)
        report.tip_id = tip.id if tip else None
        session.commit()
    png = await charts.render(picture, item.language)
    caption = week_caption(item.language, picture, tip.text(item.language) if tip else None)
    result = await sender.send_photo(item.chat_id, png, caption)
    with new_session(engine) as session:
        return record_weekly_outcome(session=session, report_id=item.report_id, result=result, now=clock())


async def _send_or_fail(
    item: OutgoingReport,
    *,
    engine: Engine,
    sender: TelegramSender,
    tips: TipLibrary,
    clock: Clock,
    charts: ChartWorkers,
) -> str:
    try:
        return await _send_report(item, engine=engine, sender=sender, tips=tips, clock=clock, charts=charts)
    except Exception:
        # One member's picture failing must not hold up the others (or the nudges).
        log.exception("weekly picture %d failed", item.report_id)
        return "weekly-failed"


def _never() -> bool:
    return False


async def send_due_weekly_reports(
    *,
    engine: Engine,
    sender: TelegramSender,
    tips: TipLibrary,
    now: datetime,
    clock: Clock,
    charts: ChartWorkers,
    seconds: float,
    stop_requested: Callable[[], bool] = _never,
) -> Counter[str]:
    """Claim and send the weekly pictures due by `now`, as many at once as the workers draw.

    Stops when none are left, once `seconds` have passed (after the batch in hand; drawing one
    takes about a fifth of a second of CPU), or when a stop is requested.
    """
    counts: Counter[str] = Counter()
    until = time.monotonic() + seconds
    while not stop_requested():
        with new_session(engine) as session:
            outgoing, claimed = claim_weekly_reports(session=session, now=now, limit=charts.parallel)
        if not claimed:
            await charts.stop_if_idle(WORKERS_IDLE_STOP_SECONDS)
            break
        counts.update(claimed)
        counts.update(
            await asyncio.gather(
                *(
                    _send_or_fail(item, engine=engine, sender=sender, tips=tips, clock=clock, charts=charts)
                    for item in outgoing
                )
            )
        )
        if time.monotonic() >= until:
            break
    return counts


async def dispatch_tick(context: BotContext) -> None:
    """Claim the nudges and weekly pictures that are due and send them (the one repeating job)."""
    if context.stop_requested:
        return
    services = context.services
    settings = services.settings
    policy = DispatchPolicy(
        grace=timedelta(minutes=settings.grace_minutes),
        claim_lease=timedelta(seconds=settings.claim_lease_seconds),
    )
    now, started = services.clock(), time.monotonic()
    totals = await dispatch_due(
        engine=services.engine,
        send=nudge_sender(context.sender),
        tips=services.tips,
        now=now,
        policy=policy,
        clock=services.clock,
        stop_requested=lambda: context.stop_requested,
    )
    picture_time = WEEKLY_SHARE_OF_INTERVAL * settings.dispatch_interval_seconds - (
        time.monotonic() - started
    )
    if not context.stop_requested and picture_time > 0:
        totals.update(
            await send_due_weekly_reports(
                engine=services.engine,
                sender=context.sender,
                tips=services.tips,
                now=now,
                clock=services.clock,
                charts=services.charts,
                seconds=picture_time,
                stop_requested=lambda: context.stop_requested,
            )
        )
    if totals:
        log.info("dispatch tick: %s", dict(sorted(totals.items())))
