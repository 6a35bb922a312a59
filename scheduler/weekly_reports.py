"""The weekly picture, sent from the same DB-driven tick as the nudges: claim, render, send, record.

Each member row holds `next_weekly_report_at` (indexed). A tick picks the members whose picture is
due, claims it as a `WeeklyReport` row (unique per member and week) and moves the member's due
time to the next week in the same transaction, and only then renders and sends. So a restart, a
second dispatcher or a slow send can never send a week twice: at most once, like the nudges. A
picture more than `WEEKLY_REPORT_GRACE` late (the bot was down) is recorded as missed, not sent.

A member whose due time is None (new, or whose day, time, time zone or on/off setting just
changed) gets it worked out by the next tick, so settings only need to clear the column.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.progress_messages import week_caption
from bot.sender import Delivery, TelegramSender
from bot.weekly_chart import render_week_png
from habits.members import deactivate_member, routine_of, zone_of
from habits.stats import WeekPicture, week_picture
from scheduler.clock import Clock
from scheduler.slots import routine_day
from scheduler.weekly import next_weekly_report_after
from storage import queries
from storage.database import new_session
from storage.models import Member, WeeklyReport, WeeklyReportStatus
from tips.library import TipLibrary, choose_tip
from tips.schema import Tip

log = logging.getLogger(__name__)

WEEKLY_TIP_GROUP = "general"
WEEKLY_REPORT_GRACE = timedelta(hours=6)
# Rendering takes a fifth of a second; this keeps one tick within its interval.
REPORTS_PER_TICK = 40


@dataclass(frozen=True)
class OutgoingReport:
    report_id: int
    member_id: int
    chat_id: int
    language: str
    week_ending: date


def next_report_time(member: Member, after: datetime) -> datetime:
    return next_weekly_report_after(after, zone_of(member), weekday=member.weekly_report_weekday,
                                    at=member.weekly_report_time)


def weekly_tip(*, session: Session, member_id: int, tips: TipLibrary) -> Tip | None:
    """The general tip this member has not seen with a weekly picture for the longest time."""
    limit = max(len(tips.enabled(WEEKLY_TIP_GROUP)), 1)
    recent = queries.recent_weekly_tip_ids(session=session, member_id=member_id, limit=limit)
    return choose_tip(tips, WEEKLY_TIP_GROUP, recent)


async def render_week(picture: WeekPicture, language: str) -> bytes:
    """Render off the event loop: drawing takes long enough to hold up other updates."""
    return await asyncio.to_thread(render_week_png, picture, language)


def claim_weekly_reports(
    *, session: Session, now: datetime, limit: int = REPORTS_PER_TICK
) -> tuple[list[OutgoingReport], Counter[str]]:
    """Give every due weekly picture its row and move each member to next week; then commit."""
    counts: Counter[str] = Counter()
    for member in queries.members_without_weekly_schedule(session=session, limit=limit):
        member.next_weekly_report_at = next_report_time(member, now)
    outgoing: list[OutgoingReport] = []
    for member in queries.lock_members_due_weekly_report(session=session, now=now, limit=limit):
        assert member.id is not None
        due = member.next_weekly_report_at
        assert due is not None
        member.next_weekly_report_at = next_report_time(member, max(due, now))
        week_ending = routine_day(routine_of(member), zone_of(member), due)
        if queries.weekly_report_for_week(session=session, member_id=member.id,
                                          week_ending=week_ending) is not None:
            continue
        late = now - due > WEEKLY_REPORT_GRACE
        status = WeeklyReportStatus.MISSED if late else WeeklyReportStatus.CLAIMED
        report = queries.add_weekly_report(session=session, report=WeeklyReport(
            member_id=member.id, week_ending=week_ending, due_at=due, status=status,
            claimed_at=now,
        ))
        counts[f"weekly-{status}"] += 1
        if not late:
            assert report.id is not None
            outgoing.append(OutgoingReport(report.id, member.id, member.chat_id, member.language,
                                           week_ending))
    session.commit()
    return outgoing, counts


async def _send_report(
    item: OutgoingReport, *, engine: Engine, sender: TelegramSender, tips: TipLibrary,
    clock: Clock,
) -> str:
    with new_session(engine) as session:
        member = queries.get_member(session=session, member_id=item.member_id)
        report = session.get(WeeklyReport, item.report_id)
        if member is None or report is None:
            return "weekly-erased"  # the member erased their data meanwhile
        picture = week_picture(session=session, member=member, now=clock(),
                               last_day=item.week_ending)
        tip = weekly_tip(session=session, member_id=item.member_id, tips=tips)
        report.tip_id = tip.id if tip else None
        session.commit()
    png = await render_week(picture, item.language)
    caption = week_caption(item.language, picture, tip.text(item.language) if tip else None)
    result = await sender.send_photo(item.chat_id, png, caption)
    with new_session(engine) as session:
        report = session.get(WeeklyReport, item.report_id)
        if report is None:
            return "weekly-erased"
        if result.delivery is Delivery.DELIVERED:
            report.status, report.sent_at = WeeklyReportStatus.SENT, clock()
        else:
            log.warning("weekly picture %d not delivered (%s): %s", item.report_id,
                        result.delivery, result.reason)
            report.status = WeeklyReportStatus.UNDELIVERED
        session.commit()
        if result.delivery is Delivery.BLOCKED:
            deactivate_member(session=session, member_id=item.member_id)
        return f"weekly-{report.status}"


async def send_due_weekly_reports(
    *, engine: Engine, sender: TelegramSender, tips: TipLibrary, now: datetime, clock: Clock
) -> Counter[str]:
    """Claim the weekly pictures due by `now` and send them, one member after another."""
    with new_session(engine) as session:
        outgoing, counts = claim_weekly_reports(session=session, now=now)
    for item in outgoing:
        try:
            counts[await _send_report(item, engine=engine, sender=sender, tips=tips,
                                      clock=clock)] += 1
        except Exception:
            # One member's picture failing must not hold up the others (or the nudges).
            log.exception("weekly picture %d failed", item.report_id)
            counts["weekly-failed"] += 1
    return counts
