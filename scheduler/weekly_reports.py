"""When a weekly picture is due, and its claim and outcome; `bot/jobs.py` draws and sends it.

Each member row holds `next_weekly_report_at` (indexed). A tick picks the members whose picture is
due, claims it as a `WeeklyReport` row (unique per member and week) and moves the member's due
time to the next week in the same transaction, and only then renders and sends. So a restart, a
second dispatcher or a slow send can never send a week twice: at most once, like the nudges. A
picture more than `WEEKLY_REPORT_GRACE` late (the bot was down) is recorded as missed, not sent,
and one of a week paused throughout or without any answer as paused or silent (scheduler/nagging.py).

A member whose due time is None (new, or whose day, time, time zone or on/off setting just
changed) gets it worked out by the next tick, so settings only need to clear the column.

Pictures are drawn by the bot's chart workers (bot/progress/chart_workers.py), several at
once, and claimed only a few at a time (two per worker): a crash loses at most that many
(recorded as claimed, never sent twice). A tick draws pictures only for the time its caller gives
it (the rest of the tick's interval, see bot/jobs.py), so the next tick and its nudges start on
time; the rest
follow in the next ticks.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session

from scheduler.delivery import Delivery, SendResult
from scheduler.nagging import weekly_picture_skip
from scheduler.routines import routine_of, zone_of
from scheduler.slots import routine_day
from scheduler.weekly import next_weekly_report_after
from storage import queries
from storage.models import Member, WeeklyReport, WeeklyReportStatus
from tips.library import TipLibrary, choose_tip
from tips.schema import SlotKind, Tip

log = logging.getLogger(__name__)

WEEKLY_REPORT_GRACE = timedelta(hours=6)
ERASED = "weekly-erased"
# Working out when a member's next picture is due is cheap: many members per claim.
SCHEDULES_PER_CLAIM = 500


@dataclass(frozen=True)
class OutgoingReport:
    report_id: int
    member_id: int
    chat_id: int
    language: str
    week_ending: date


def next_report_time(member: Member, after: datetime) -> datetime:
    return next_weekly_report_after(
        after, zone_of(member), weekday=member.weekly_report_weekday, at=member.weekly_report_time
    )


def weekly_tip(*, session: Session, member_id: int, tips: TipLibrary) -> Tip | None:
    """The general tip that fits the weekly picture this member has not seen there for the longest time."""
    limit = max(len(tips.fitting(SlotKind.WEEKLY)), 1)
    recent = queries.recent_weekly_tip_ids(session=session, member_id=member_id, limit=limit)
    return choose_tip(tips, SlotKind.WEEKLY, recent)


def claim_weekly_reports(
    *, session: Session, now: datetime, limit: int, schedule_limit: int = SCHEDULES_PER_CLAIM
) -> tuple[list[OutgoingReport], Counter[str]]:
    """Give up to `limit` due weekly pictures their row and move each member to next week; commit.

    Up to `schedule_limit` members without a due time get theirs worked out on the way.
    """
    counts: Counter[str] = Counter()
    for member in queries.members_without_weekly_schedule(session=session, limit=schedule_limit):
        member.next_weekly_report_at = next_report_time(member, now)
    outgoing: list[OutgoingReport] = []
    for member in queries.lock_members_due_weekly_report(session=session, now=now, limit=limit):
        assert member.id is not None
        due = member.next_weekly_report_at
        assert due is not None
        member.next_weekly_report_at = next_report_time(member, max(due, now))
        week_ending = routine_day(routine_of(member), zone_of(member), due)
        if (
            queries.weekly_report_for_week(session=session, member_id=member.id, week_ending=week_ending)
            is not None
        ):
            continue
        late = now - due > WEEKLY_REPORT_GRACE
        status = WeeklyReportStatus.MISSED if late else WeeklyReportStatus.CLAIMED
        if not late:
            # A week paused throughout, or without any answer, would only show crosses.
            status = (
                weekly_picture_skip(session=session, member=member, week_ending=week_ending, due=due)
                or status
            )
        report = queries.add_weekly_report(
            session=session,
            report=WeeklyReport(
                member_id=member.id,
                week_ending=week_ending,
                due_at=due,
                status=status,
                claimed_at=now,
            ),
        )
        counts[f"weekly-{status}"] += 1
        if status is WeeklyReportStatus.CLAIMED:
            assert report.id is not None
            outgoing.append(
                OutgoingReport(report.id, member.id, member.chat_id, member.language, week_ending)
            )
    session.commit()
    return outgoing, counts


def record_weekly_outcome(*, session: Session, report_id: int, result: SendResult, now: datetime) -> str:
    """Record what became of a picture (the caller has sent it); a member who blocked the bot
    becomes inactive. Returns the count key."""
    report = session.get(WeeklyReport, report_id)
    if report is None:
        return ERASED  # the member erased their data meanwhile
    if result.delivery is Delivery.DELIVERED:
        report.status, report.sent_at = WeeklyReportStatus.SENT, now
    else:
        log.warning("weekly picture %d not delivered (%s): %s", report_id, result.delivery, result.reason)
        report.status = WeeklyReportStatus.UNDELIVERED
    session.commit()
    if result.delivery is Delivery.BLOCKED:
        queries.deactivate_member(session=session, member_id=report.member_id)
    return f"weekly-{report.status}"
