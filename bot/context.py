"""The typed application and callback context: handlers reach shared services as attributes."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Engine
from sqlmodel import Session
from telegram.ext import Application, CallbackContext, ExtBot

from bot.breathing.runner import BreathingRunner
from bot.operations.health import HealthServer, TickHeartbeat, health_check
from bot.operations.metrics import BotMetrics
from bot.progress.chart_workers import ChartWorkers
from bot.rate_limit import PriorityRateLimiter
from bot.sender import TelegramSender
from bot.settings import Settings
from scheduler.clock import Clock, utc_now
from scheduler.forecast import ReleasePlanner
from storage.database import new_session
from storage.direct import DirectConnection
from tips.changes import TipEditor
from tips.library import TipLibrary
from tips.store import TipStore

if TYPE_CHECKING:
    from bot.web.server import WebServer


@dataclass
class BotServices:
    """What every handler and job shares; built once by the app builder."""

    settings: Settings
    engine: Engine
    tip_store: TipStore
    clock: Clock = utc_now
    charts: ChartWorkers = field(default_factory=lambda: ChartWorkers(0))
    metrics: BotMetrics = field(default_factory=BotMetrics)
    heartbeat: TickHeartbeat = field(default_factory=TickHeartbeat)
    # When this process's first dispatch tick ran: what fell due before it fell due while the
    # bot was down (scheduler/dispatch.py DispatchPolicy.running_since).
    dispatching_since: datetime | None = None

    @cached_property
    def release_planner(self) -> ReleasePlanner:
        """The forecast of when nudges fall due and the plan that moves water before a rush."""
        # Nudges get the bot's rate but for the share kept for answers (bot/rate_limit.py).
        settings = self.settings
        return ReleasePlanner(
            rate_per_second=settings.send_rate_per_second - settings.send_reserve_per_second
        )

    @property
    def paid_a_day(self) -> int | None:
        """Today's allowance of paid broadcasts; None: they are off (PAID_BROADCAST)."""
        settings = self.settings
        return settings.paid_broadcast_daily_limit if settings.paid_broadcast else None

    @cached_property
    def editor(self) -> TipEditor:
        """The one way tips change, for the chat and the web page alike."""
        return TipEditor(self.tip_store, self.engine, self.clock)

    @property
    def tips(self) -> TipLibrary:
        """The tips in use now; a reload or an admin's edit swaps them in one step."""
        return self.tip_store.library

    def session(self) -> Session:
        return new_session(self.engine)

    def direct_connection(self) -> DirectConnection:
        """A DB-API connection for the check-ins' statements (cheaper than a session)."""
        return DirectConnection(self.engine)


class HabitsApplication(Application[Any, "BotContext", dict[Any, Any], dict[Any, Any], dict[Any, Any], Any]):
    """PTB's Application plus the bot's services and its one sender."""

    def __init__(self, *, services: BotServices, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.services = services
        self.sender = TelegramSender(self.bot)
        self.stop_requested = False
        # The tip editor's web server while it runs (WEB_PORT set); started after start-up.
        self.web_server: WebServer | None = None
        limiter = getattr(self.bot, "rate_limiter", None)
        self.breathing = BreathingRunner(
            sender=self.sender,
            engine=services.engine,
            clock=services.clock,
            tips=lambda: services.tips,
            limiter=limiter if isinstance(limiter, PriorityRateLimiter) else None,
        )
        self.health_server: HealthServer | None = None

    async def start(self) -> None:
        """Start PTB, then /healthz and /metrics when HEALTH_PORT is set."""
        await super().start()
        port = self.services.settings.health_port
        if port is None:
            return
        services = self.services
        server = HealthServer(
            check=health_check(
                heartbeat=services.heartbeat,
                clock=services.clock,
                interval=timedelta(seconds=services.settings.dispatch_interval_seconds),
                engine=services.engine,
            ),
            scrape=services.metrics.scrape,
            listen=services.settings.health_listen,
            port=port,
        )
        await server.start()
        self.health_server = server

    async def stop(self) -> None:
        """Stop after the running tick has finished its current chunk (PTB waits for the job)."""
        self.stop_requested = True
        try:
            await super().stop()
            # Sessions cut short now are told so when the bot is back (it marks them interrupted).
            await self.breathing.close()
        finally:
            if self.health_server is not None:
                await self.health_server.stop()

    async def shutdown(self) -> None:
        """Shut down PTB, then the chart workers (if a weekly picture ever started them)."""
        try:
            await super().shutdown()
        finally:
            await asyncio.to_thread(self.services.charts.close)


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """Callback context with typed access to the services instead of string keys."""

    @property
    def services(self) -> BotServices:
        return self._habits_application.services

    @property
    def sender(self) -> TelegramSender:
        return self._habits_application.sender

    @property
    def breathing(self) -> BreathingRunner:
        """The guided breathing sessions this process runs."""
        return self._habits_application.breathing

    @property
    def stop_requested(self) -> bool:
        """The bot is shutting down: a tick should finish what it handed to Telegram and stop."""
        return self._habits_application.stop_requested

    @property
    def _habits_application(self) -> HabitsApplication:
        application = self.application
        assert isinstance(application, HabitsApplication)
        return application
