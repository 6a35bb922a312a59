"""The one repeating dispatch job: due nudges first, then closing the prompts of routine days that
have ended, then weekly pictures in the time left, then a batch of the reminder log that is past
its retention.

The scheduler decides what is due and records what became of it; `bot.nudges.sending` renders a
nudge and `bot.progress.weekly_pictures` draws and sends a picture.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.context import BotContext, BotServices
from bot.nudges.closing import close_ended_days
from bot.nudges.sending import breathing_lengths, nudge_sender
from bot.progress.weekly_pictures import send_due_weekly_reports
from scheduler.delivery import SendResult
from scheduler.dispatch import DispatchPolicy, OutgoingNudge, dispatch_due
from scheduler.forecast import tomorrow_busiest
from scheduler.retention import prune_reminder_log

log = logging.getLogger(__name__)
# Weekly pictures fill the tick's interval up to this share, after the nudges: the tick ends
# before the next one is due, so the next nudges are not held up.
WEEKLY_SHARE_OF_INTERVAL = 0.8
# Closing the prompts of routine days that have ended (edits, no hurry) takes at most this share.
CLOSING_SHARE_OF_INTERVAL = 0.2


def log_capacity(services: BotServices) -> None:
    """Tell the operator, at start-up, what tomorrow's routines ask of Telegram's rate."""
    rate = services.release_planner.rate_per_second
    busiest = tomorrow_busiest(engine=services.engine, now=services.clock(), rate=rate)
    zone = ZoneInfo(services.settings.default_timezone)
    for minute in busiest:
        log.info(
            "capacity: tomorrow %s, %d nudges due, %.0f s of sending at %g/s, %d would be late",
            f"{minute.minute.astimezone(zone):%H:%M}",
            minute.due,
            minute.seconds,
            rate,
            minute.late,
        )
    if any(minute.late for minute in busiest):
        log.warning(
            "capacity: some nudges would be late tomorrow; spread the members' times, switch on "
            "paid broadcasts (PAID_BROADCAST=on) or send fewer water nudges"
        )


async def dispatch_tick(context: BotContext) -> None:
    """Claim the nudges and weekly pictures that are due and send them (the one repeating job)."""
    if context.stop_requested:
        return
    services = context.services
    settings = services.settings
    now, started = services.clock(), time.monotonic()
    if services.dispatching_since is None:
        services.dispatching_since = now
        log_capacity(services)
    planner = services.release_planner
    policy = DispatchPolicy(
        grace=timedelta(minutes=settings.grace_minutes),
        claim_lease=timedelta(seconds=settings.claim_lease_seconds),
        unanswered_a_day=settings.unanswered_a_day,
        rate_per_second=planner.rate_per_second,
        release=planner.plan_at(engine=services.engine, now=now),
        running_since=services.dispatching_since,
        paid_broadcast=settings.paid_broadcast,
        paid_a_day=settings.paid_broadcast_daily_limit,
        paid_rate_per_second=settings.paid_rate_per_second,
    )
    send = nudge_sender(context.sender, breathing_length=breathing_lengths(services.engine))

    async def send_and_beat(outgoing: OutgoingNudge) -> SendResult:
        # A long tick (a big backlog at Telegram's pace) is alive as long as its sends come back.
        result = await send(outgoing)
        services.heartbeat.beat(services.clock())
        return result

    totals = await dispatch_due(
        engine=services.engine,
        send=send_and_beat,
        tips=services.tips,
        now=now,
        policy=policy,
        clock=services.clock,
        stop_requested=lambda: context.stop_requested,
    )
    if not context.stop_requested:
        totals.update(
            await close_ended_days(
                engine=services.engine,
                sender=context.sender,
                now=now,
                seconds=CLOSING_SHARE_OF_INTERVAL * settings.dispatch_interval_seconds,
                stop_requested=lambda: context.stop_requested,
            )
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
    services.metrics.count_nudges(totals.fates.items())
    services.metrics.observe_lateness(totals.lateness)
    if not context.stop_requested:
        pruned = prune_reminder_log(engine=services.engine, now=now, days=settings.reminder_log_days)
        if pruned.nudges:
            totals["log-pruned"] += pruned.nudges
        if pruned.weekly_reports:
            totals["weekly-pruned"] += pruned.weekly_reports
    services.metrics.tick_duration.observe(time.monotonic() - started)
    services.heartbeat.beat(services.clock())
    if totals:
        log.info("dispatch tick: %s", dict(sorted(totals.items())))
