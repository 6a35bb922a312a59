"""`/healthz` and `/metrics` on HEALTH_PORT: a tornado server on the bot's own event loop.

Tornado is already there (PTB's webhook mode is built on it) and runs on asyncio, so the server
shares the loop with the handlers and the JobQueue; the database reads of a check or a scrape run
in a thread. `/healthz` answers 200 while the dispatch tick has shown signs of life within the
last 3 intervals and the database answers, else 503 with the reason. The tick's signs of life are
taken on the bot's clock (the stepped one offline), like the tick itself: a tick that starts, ends
or hands a nudge to Telegram beats.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application, RequestHandler

from scheduler.clock import Clock
from storage import queries
from storage.database import new_session

log = logging.getLogger(__name__)

STALE_AFTER_INTERVALS = 3
DATABASE_TIMEOUT_SECONDS = 5.0
Check = Callable[[], Awaitable[str | None]]
Scrape = Callable[[], Awaitable[bytes]]


@dataclass
class TickHeartbeat:
    """When the dispatch tick last showed it is alive (None: not yet since start-up)."""

    last: datetime | None = None

    def beat(self, now: datetime) -> None:
        self.last = now


def tick_problem(now: datetime, last: datetime | None, interval: timedelta) -> str | None:
    """Why the tick looks stuck, or None while it beat within the last 3 intervals."""
    if last is None:
        return "the dispatch tick has not run yet"
    since = now - last
    if since > STALE_AFTER_INTERVALS * interval:
        return (
            f"the dispatch tick last ran {since.total_seconds():.0f} s ago, more than "
            f"{STALE_AFTER_INTERVALS} intervals of {interval.total_seconds():g} s"
        )
    return None


def database_problem(engine: Engine) -> str | None:
    """Why the database does not answer, or None. Blocks: call it from a thread.

    A SQLite file deleted under the bot still answers through the open connections (they keep
    the deleted file), so the file must also be where the URL says.
    """
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        path = Path(url.database)
        if not path.is_file():
            return f"the database file {path} is gone"
    try:
        with new_session(engine) as session:
            revision = queries.schema_revision(session=session)
    except SQLAlchemyError as error:
        cause: BaseException = error.orig if isinstance(error, DBAPIError) and error.orig else error
        first_line = (str(cause).strip().splitlines() or [""])[0][:200]
        return f"the database does not answer: {type(cause).__name__}: {first_line}"
    if revision is None:
        return "the database has no schema revision"
    return None


def health_check(*, heartbeat: TickHeartbeat, clock: Clock, interval: timedelta, engine: Engine) -> Check:
    """The check `/healthz` runs: the tick's heartbeat first (free), then the database."""

    async def check() -> str | None:
        problem = tick_problem(clock(), heartbeat.last, interval)
        if problem is not None:
            return problem
        try:
            return await asyncio.wait_for(
                asyncio.to_thread(database_problem, engine), DATABASE_TIMEOUT_SECONDS
            )
        except TimeoutError:
            return f"the database did not answer within {DATABASE_TIMEOUT_SECONDS:g} s"

    return check


class _Healthz(RequestHandler):
    def initialize(self, check: Check) -> None:
        self._check = check

    async def get(self) -> None:
        problem = await self._check()
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        if problem is None:
            self.finish("ok\n")
            return
        self.set_status(503)
        self.finish(f"unhealthy: {problem}\n")


class _Metrics(RequestHandler):
    def initialize(self, scrape: Scrape) -> None:
        self._scrape = scrape

    async def get(self) -> None:
        body = await self._scrape()
        self.set_header("Content-Type", CONTENT_TYPE_LATEST)
        self.finish(body)


class HealthServer:
    """Serves `/healthz` and `/metrics` on the running event loop until `stop`."""

    def __init__(self, *, check: Check, scrape: Scrape, listen: str, port: int) -> None:
        self._application = Application(
            [(r"/healthz", _Healthz, {"check": check}), (r"/metrics", _Metrics, {"scrape": scrape})]
        )
        self._listen, self._requested_port = listen, port
        self._server: HTTPServer | None = None
        self.port: int | None = None

    async def start(self) -> None:
        """Listen (port 0: any free one, then `port` says which)."""
        sockets = bind_sockets(self._requested_port, address=self._listen)
        self._server = HTTPServer(self._application)
        self._server.add_sockets(sockets)
        self.port = int(sockets[0].getsockname()[1])
        log.info("health and metrics on http://%s:%d/healthz and /metrics", self._listen, self.port)

    async def stop(self) -> None:
        if self._server is None:
            return
        server, self._server = self._server, None
        server.stop()
        await server.close_all_connections()
