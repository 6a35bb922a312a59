"""The weekly pictures the scheduler has claimed: worked out, drawn by the chart workers, sent.

`scheduler.weekly_reports` decides which pictures are due and records what became of them; here
each one's figures come from `habits.stats`, are drawn in a worker process and go out with a
caption and a tip. A tick gives this only the time it has left (see bot/jobs.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.engine import Engine

from bot.progress.chart_workers import ChartWorkers
from bot.progress.messages import week_caption
from bot.rate_limit import Lane
from bot.sender import TelegramSender
from habits.stats import week_picture
from scheduler.clock import Clock
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
# Chart workers that have drawn nothing for this long are stopped (they start again on demand).
WORKERS_IDLE_STOP_SECONDS = 600.0


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
    result = await sender.send_photo(item.chat_id, png, caption, lane=Lane.NUDGE)
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
