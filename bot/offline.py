"""The real bot against fakegram, the in-project fake Bot API, on a stepped clock.

One runner for everything that runs the bot without Telegram: the tests' harness, the offline
console, the token-redaction test over real HTTP and bench.updates. It builds the Application with
`build_application` (every handler, the JobQueue, the rate limiter), starts it polling the fake
API as `python -m bot` polls Telegram, and stops and shuts it down on the way out.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from telegram.ext import AIORateLimiter

from bot.app import ALLOWED_UPDATES, DISPATCH_JOB_NAME, TIP_WATCH_JOB_NAME, build_application
from bot.breathing.runner import BREATHING_JOB_NAME
from bot.context import HabitsApplication
from bot.operations.backups import BACKUP_JOB_NAME
from bot.rate_limit import PriorityRateLimiter
from bot.settings import Settings
from fakegram import FakeBotApi, FakeRequest, serve_http
from scheduler.clock import SteppedClock
from storage import queries
from storage.database import create_db_engine, new_session, upgrade_schema
from tips.library import load_tip_library

REPEATING_JOBS = (DISPATCH_JOB_NAME, TIP_WATCH_JOB_NAME, BREATHING_JOB_NAME, BACKUP_JOB_NAME)


@dataclass
class OfflineBot:
    """A running bot, the fake Bot API it talks to, its clock and its database."""

    api: FakeBotApi
    app: HabitsApplication
    clock: SteppedClock
    engine: Engine

    async def run_job(self, name: str) -> None:
        """Run a repeating job once, as the JobQueue would, at the clock's time."""
        assert self.app.job_queue is not None
        (job,) = self.app.job_queue.get_jobs_by_name(name)
        await job.run(self.app)

    async def tick(self) -> None:
        """Run the dispatch job once: send what is due at the clock's time."""
        await self.run_job(DISPATCH_JOB_NAME)

    async def breathe(self) -> None:
        """Run the breathing job once at the clock's time and wait for the edits it started."""
        await self.run_job(BREATHING_JOB_NAME)
        await self.app.breathing.settle()

    async def settle(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109 - fakegram reports the wait
        """Wait until every update sent so far has been fetched and fully handled."""
        await self.api.wait_until(
            lambda: self.api.pending_updates() == 0, what="updates fetched", timeout=timeout
        )
        await self.app.update_queue.join()

    async def run_until(self, moment: datetime) -> None:
        """Move the clock to `moment`, ticking at every instant something falls due on the way,
        as the running bot would (its tick runs every few seconds); breathing edits likewise."""
        while True:
            with new_session(self.engine) as session:
                due = queries.earliest_due_at(session=session)
            breath = self.app.breathing.next_due()
            soonest = min((at for at in (due, breath) if at is not None and at <= moment), default=None)
            if soonest is None:
                break
            self.clock.set(max(soonest, self.clock()))
            if due is not None and due <= self.clock():
                await self.tick()
            if breath is not None and breath <= self.clock():
                await self.breathe()
        self.clock.set(moment)
        await self.tick()
        await self.breathe()


@asynccontextmanager
async def offline_bot(
    settings: Settings,
    *,
    clock: SteppedClock,
    api: FakeBotApi | None = None,
    engine: Engine | None = None,
    http: bool = False,
    real_ticks: bool = False,
    read_timeout: float = 5.0,
    rate_limiter: AIORateLimiter | None = None,
    limit_rate: bool = True,
) -> AsyncIterator[OfflineBot]:
    """Start the bot against fakegram and yield it; stop it and close what was opened on exit.

    - `api`: the fake Bot API (default: a fresh one for the settings' token, on `clock`).
    - `engine`: the database (default: `settings.database_url`, migrated, disposed on exit).
    - `http`: serve the fake API over loopback HTTP and let PTB's own httpx client talk to it,
      instead of plugging it in-process; `read_timeout` bounds each in-process call.
    - `real_ticks`: leave the repeating jobs (dispatch, tip-file watch, backup) to the JobQueue; by
      default they are paused, and `tick`/`run_job`/`run_until` run them by hand.
    - `rate_limiter`, `limit_rate`: as `build_application`; by default the bot's own limiter
      counting on `clock` rather than waiting in real time, so that a fast-forwarded breathing
      session meets the limits it would meet in real time, without the wait.
    """
    assert settings.bot_token is not None
    api = api or FakeBotApi(token=settings.bot_token.get_secret_value(), clock=clock)
    async with AsyncExitStack() as stack:
        if engine is None:
            engine = create_db_engine(settings.database_url)
            stack.callback(engine.dispose)
            upgrade_schema(engine)
        if http:
            server = await stack.enter_async_context(await serve_http(api))
            settings = settings.model_copy(update={"telegram_api_url": server.base_url})
        app = build_application(
            settings=settings,
            engine=engine,
            tips=load_tip_library(settings.tips_path),
            clock=clock,
            request=None if http else FakeRequest(api, read_timeout=read_timeout),
            updates_request=None if http else FakeRequest(api),
            rate_limiter=rate_limiter
            or PriorityRateLimiter(max_retries=2, clock=lambda: clock().timestamp(), real_time=False),
            limit_rate=limit_rate,
        )
        assert app.job_queue is not None
        if not real_ticks:
            for name in REPEATING_JOBS:
                for job in app.job_queue.get_jobs_by_name(name):
                    job.enabled = False
        await app.initialize()
        if app.post_shutdown is not None:  # as run_polling does, after the shutdown
            stack.push_async_callback(app.post_shutdown, app)
        stack.push_async_callback(app.shutdown)
        if app.post_init is not None:  # run_polling would run it; start-up does the same here
            await app.post_init(app)
        updater = app.updater
        assert updater is not None

        async def stop() -> None:
            # The order of run_polling: no more updates fetched, then the handlers and jobs end.
            if updater.running:
                await updater.stop()
            if app.running:
                await app.stop()

        await updater.start_polling(poll_interval=0, timeout=1, allowed_updates=ALLOWED_UPDATES)
        stack.push_async_callback(stop)
        await app.start()
        yield OfflineBot(api=api, app=app, clock=clock, engine=engine)
