"""The bot's Prometheus metrics, in a registry of its own per application (tests build several).

Events are counted where they happen: nudges and their lateness and the tick's duration by the
dispatch job (`bot/jobs.py`, from what `dispatch_due` decided), Telegram's error answers by the
requests under the sender (`bot/sender.py`), check-ins by the handlers that record them. Members
by state and the backlog are read from the database when Prometheus scrapes, by a collector that
runs a few indexed counts. No label names a member, a chat or a message: only statuses, habits,
sources and kinds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.engine import Engine

from scheduler.clock import Clock
from storage import queries
from storage.database import new_session
from storage.kinds import CheckInSource, Habit
from storage.models import NudgeStatus

# What `TelegramErrors` counts; "network": no answer at all (the connection failed).
TELEGRAM_ERROR_KINDS = ("429", "5xx", "timeout", "403", "network")
MEMBER_STATES = ("active", "paused", "inactive")
# Lateness of a nudge after its slot: one tick (15 s) is normal, the grace (30 min) is the end.
LATENESS_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0)
TICK_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0, 30.0, 60.0, 300.0)
# What the tick makes of a nudge (claimed and sending are steps on the way; answered and snoozed
# are the member's doing, counted as check-ins).
NUDGE_FATES = (
    NudgeStatus.SENT,
    NudgeStatus.UNDELIVERED,
    NudgeStatus.MISSED,
    NudgeStatus.PAUSED,
    NudgeStatus.QUIET,
    NudgeStatus.SUPPRESSED,
    NudgeStatus.UNCONFIRMED,
)


class DatabaseCollector(Collector):
    """Members by state and the nudge backlog, counted in the database at each scrape."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine, self._clock = engine, clock

    def describe(self) -> Iterable[Metric]:
        return self._families()

    def collect(self) -> Iterable[Metric]:
        now = self._clock()
        with new_session(self._engine) as session:
            states = queries.member_state_counts(session=session, now=now)
            backlog = queries.nudge_backlog(session=session, now=now)
        members, waiting = self._families()
        for state in MEMBER_STATES:
            members.add_metric([state], states[state])
        waiting.add_metric([], backlog)
        return [members, waiting]

    @staticmethod
    def _families() -> tuple[GaugeMetricFamily, GaugeMetricFamily]:
        members = GaugeMetricFamily(
            "habits_members",
            "Members by state: active (getting nudges), paused (a pause covers now), inactive "
            "(blocked the bot until they send /start again).",
            labels=["state"],
        )
        waiting = GaugeMetricFamily(
            "habits_nudge_backlog",
            "Nudges due by now and not yet handed to Telegram: claimed, snoozed ones due back, "
            "and one per member whose next slot is due but not yet claimed.",
        )
        return members, waiting


class BotMetrics:
    """The event counters and histograms, and the registry they live in."""

    def __init__(self) -> None:
        # The *_created series would double the scrape and say nothing an operator needs.
        disable_created_metrics()  # type: ignore[no-untyped-call]
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        self.nudges = Counter(
            "habits_nudges",
            "Nudges by what the tick made of them (sent, undelivered, missed, paused, quiet, "
            "suppressed, unconfirmed) and habit; a snoozed nudge that comes back counts again.",
            ["status", "habit"],
            registry=self.registry,
        )
        self.send_lateness = Histogram(
            "habits_nudge_send_lateness_seconds",
            "How long after its slot a nudge was accepted by Telegram (first sends; a snoozed "
            "nudge comes back late on purpose).",
            ["habit"],
            buckets=LATENESS_BUCKETS,
            registry=self.registry,
        )
        self.telegram_errors = Counter(
            "habits_telegram_errors",
            "Error answers from the Bot API by kind: 429 (flood control), 5xx, timeout, 403 "
            "(blocked by the member), network (no answer); every attempt, retried or not.",
            ["kind"],
            registry=self.registry,
        )
        self.tick_duration = Histogram(
            "habits_dispatch_tick_duration_seconds",
            "How long one dispatch tick took (nudges, weekly pictures and the reminder log's clean-up).",
            buckets=TICK_BUCKETS,
            registry=self.registry,
        )
        self.checkins = Counter(
            "habits_checkins",
            "Check-ins recorded, by source: button, text, reaction (an emoji reaction to a nudge).",
            ["source"],
            registry=self.registry,
        )
        # Series that exist from the start, at 0, so that rate() and alerts see them at once.
        for habit in Habit:
            self.send_lateness.labels(habit.value)
            for status in NUDGE_FATES:
                self.nudges.labels(status.value, habit.value)
        for kind in TELEGRAM_ERROR_KINDS:
            self.telegram_errors.labels(kind)
        for source in CheckInSource:
            self.checkins.labels(source.value)

    def watch_database(self, engine: Engine, clock: Clock) -> None:
        """Read members by state and the backlog from this database at each scrape."""
        self.registry.register(DatabaseCollector(engine, clock))

    def count_nudges(self, fates: Iterable[tuple[tuple[str, str], int]]) -> None:
        for (status, habit), count in fates:
            if count:
                self.nudges.labels(status, habit).inc(count)

    def observe_lateness(self, lateness: Iterable[tuple[str, float]]) -> None:
        for habit, seconds in lateness:
            self.send_lateness.labels(habit).observe(max(seconds, 0.0))

    def count_telegram_error(self, kind: str) -> None:
        self.telegram_errors.labels(kind).inc()

    def count_checkin(self, source: str) -> None:
        self.checkins.labels(source).inc()

    def exposition(self) -> bytes:
        """The scrape in Prometheus' text format (reads the database: call it from a thread)."""
        return generate_latest(self.registry)

    async def scrape(self) -> bytes:
        """`exposition` in a thread, so the event loop goes on handling updates meanwhile."""
        return await asyncio.to_thread(self.exposition)
