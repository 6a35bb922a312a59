"""Three dispatcher processes share one send limit: against one fake Bot API over HTTP, which
counts what arrives, no second holds more than the limit (and one), each nudge goes out once,
and a 429 that one worker receives pauses all three. Once with the budget in PostgreSQL, once
in Redis (REDIS_URL). The limit is 10 a second here, so that a few hundred nudges take seconds.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bench.common import WALK_DUE, default_member_rows, insert_rows
from fakegram import ApiCall, FakeBotApi, FakeBotApiServer, serve_http
from storage.database import create_db_engine
from tests.backends import empty_tables
from tests.harness import ROOT, TOKEN

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

TICK = WALK_DUE.replace(second=30)  # everyone's 08:15 walk is due
RATE = 10
NUDGES = 160
WORKERS = ("a", "b", "c")
# The 429 comes once this many nudges have gone out, and asks for this many seconds.
REFUSED_AFTER = 50
RETRY_AFTER = 2
# A request granted just before the 429 may still be on its way when it is answered.
IN_FLIGHT = 0.15
WORKER_TIMEOUT = 90.0


@dataclass
class Run:
    api: FakeBotApi
    workers: dict[str, list[list[Any]]]  # each worker's requests: method, start, end, status

    def nudges(self) -> list[ApiCall]:
        return [call for call in self.api.calls_named("sendMessage") if call.ok]

    def refused(self) -> ApiCall:
        (refusal,) = [call for call in self.api.calls if call.status == 429]
        return refusal


@pytest.fixture
def pg_engine(postgres_url: str) -> Iterator[Engine]:
    engine = create_db_engine(postgres_url)
    yield engine
    empty_tables(engine)
    engine.dispose()


@pytest.fixture
async def shared_api() -> AsyncIterator[tuple[FakeBotApi, FakeBotApiServer]]:
    api = FakeBotApi(token=TOKEN)
    refused = False

    def refuse_once(call: ApiCall) -> None:
        nonlocal refused
        sent = sum(1 for c in api.calls if c.ok and c.method == "sendMessage")
        if not refused and sent >= REFUSED_AFTER:
            refused = True
            api.fail_next(
                "sendMessage",
                status=429,
                description=f"Too Many Requests: retry after {RETRY_AFTER}",
                retry_after=RETRY_AFTER,
            )

    api.add_listener(refuse_once)
    async with await serve_http(api) as server:
        yield api, server


def worker_command(url: str, api_url: str, out: Path, ready: Path, go: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "tests.dispatch_worker",
        "--database-url",
        url,
        "--now",
        TICK.isoformat(),
        "--api-url",
        api_url,
        "--send-rate",
        str(RATE),
        "--reserve",
        "0",
        "--members-per-claim",
        "10",
        "--out",
        str(out),
        "--ready",
        str(ready),
        "--go",
        str(go),
        *extra,
    ]


async def run_workers(url: str, server: FakeBotApiServer, tmp_path: Path, extra: Sequence[str]) -> Run:
    """Start the workers, let them begin at once, serve them until they end; what they did."""
    go = tmp_path / "go"
    paths = {name: (tmp_path / f"{name}.json", tmp_path / f"{name}.ready") for name in WORKERS}
    processes = [
        await asyncio.create_subprocess_exec(
            *worker_command(url, server.base_url, out, ready, go, *extra), cwd=ROOT
        )
        for out, ready in paths.values()
    ]
    try:
        async with asyncio.timeout(WORKER_TIMEOUT):
            while not all(ready.exists() for _, ready in paths.values()):
                assert all(p.returncode is None for p in processes), "a worker died while starting"
                await asyncio.sleep(0.05)
            go.touch()
            codes = [await process.wait() for process in processes]
    finally:
        for process in processes:
            if process.returncode is None:
                process.kill()
                await process.wait()
    assert codes == [0, 0, 0]
    workers = {name: json.loads(out.read_text())["calls"] for name, (out, _) in paths.items()}
    return Run(server.api, workers)


def nudge_id(call: ApiCall) -> int:
    first_button = call.params["reply_markup"]["inline_keyboard"][0][0]
    return int(first_button["callback_data"].split(":")[1])


def assert_one_limit_for_all(run: Run, engine: Engine) -> None:
    nudges = run.nudges()
    sends = Counter(nudge_id(call) for call in nudges)
    assert len(sends) == NUDGES
    assert set(sends.values()) == {1}, "each nudge went out exactly once"
    with engine.connect() as connection:
        statuses = dict(connection.execute(text("SELECT status, count(*) FROM nudge GROUP BY status")).all())
    assert statuses == {"sent": NUDGES}
    # Counted where they arrive: in no second more than the limit and one, three workers or not.
    assert run.api.peak_send_rate(1.0) <= RATE + 1
    # And at the limit, not far below it: the whole took about NUDGES / RATE, plus the pause.
    took = nudges[-1].monotonic - nudges[0].monotonic
    assert took <= NUDGES / RATE + RETRY_AFTER + 4
    for name, calls in run.workers.items():
        assert any(method == "sendMessage" and status == 200 for method, _, _, status in calls), name


def assert_the_429_paused_everyone(run: Run) -> None:
    refusal = run.refused()
    paused = (refusal.monotonic + IN_FLIGHT, refusal.monotonic + RETRY_AFTER)
    arrived = [call.monotonic for call in run.api.calls if call.method == "sendMessage"]
    assert not [moment for moment in arrived if paused[0] < moment < paused[1]]
    refused_at = [name for name, calls in run.workers.items() if any(c[3] == 429 for c in calls)]
    assert len(refused_at) == 1, "Telegram's 429 reached one worker"
    for name, calls in run.workers.items():
        starts = [start for method, start, _, _ in calls if method == "sendMessage"]
        # Every worker had nudges left, waited the pause out without asking, and sent again.
        assert not [start for start in starts if paused[0] < start < paused[1] - 0.05], name
        assert any(start >= paused[1] for start in starts), name


async def test_three_dispatchers_share_one_limit_through_postgresql(
    pg_engine: Engine,
    postgres_url: str,
    shared_api: tuple[FakeBotApi, FakeBotApiServer],
    tmp_path: Path,
) -> None:
    insert_rows(pg_engine, default_member_rows(NUDGES))
    run = await run_workers(postgres_url, shared_api[1], tmp_path, [])
    assert_one_limit_for_all(run, pg_engine)
    assert_the_429_paused_everyone(run)
    with pg_engine.connect() as connection:
        budgets = connection.execute(text("SELECT name FROM sendbudget ORDER BY name")).scalars().all()
    assert budgets == ["messages", "paid"]


@pytest.mark.redis
async def test_three_dispatchers_share_one_limit_through_redis(
    pg_engine: Engine,
    postgres_url: str,
    redis_url: str,
    redis_prefix: str,
    shared_api: tuple[FakeBotApi, FakeBotApiServer],
    tmp_path: Path,
) -> None:
    insert_rows(pg_engine, default_member_rows(NUDGES))
    extra = ["--redis-url", redis_url, "--redis-prefix", redis_prefix]
    run = await run_workers(postgres_url, shared_api[1], tmp_path, extra)
    assert_one_limit_for_all(run, pg_engine)
    assert_the_429_paused_everyone(run)
    with pg_engine.connect() as connection:
        rows = connection.execute(text("SELECT count(*) FROM sendbudget")).scalar_one()
    assert rows == 0, "with REDIS_URL the database holds no budget"
