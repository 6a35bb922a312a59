"""Shared fixtures; each closes what it opens.

Tests that take `engine` (and so `bot`) run twice: on SQLite and on PostgreSQL (marker `postgres`).
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from fakegram import FakeBotApi
from scheduler.clock import SteppedClock
from storage.database import create_db_engine, upgrade_schema
from tests.backends import empty_tables, fresh_redis_prefix, fresh_schema, redis_server_url, server_url
from tests.harness import (
    ADMIN,
    ROOT,
    TOKEN,
    BotHarness,
    make_settings,
    running_bot,
    sqlite_engine,
)

# Monday 23 November 2026, 07:05 in Amsterdam (UTC+1): just after the default wake-up.
MONDAY_MORNING = datetime(2026, 11, 23, 6, 5, tzinfo=UTC)


@pytest.fixture
def clock() -> SteppedClock:
    return SteppedClock(MONDAY_MORNING)


@pytest.fixture
def api(clock: SteppedClock) -> FakeBotApi:
    return FakeBotApi(token=TOKEN, clock=clock)


@pytest.fixture
def database_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "habits.sqlite3"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A migrated schema of its own on the test PostgreSQL server, for this test session."""
    with fresh_schema(server_url()) as url:
        engine = create_db_engine(url)
        try:
            upgrade_schema(engine)
        finally:
            engine.dispose()
        yield url


@pytest.fixture
def redis_url() -> str:
    """The test Redis server (the test fails under CI, else is skipped, when it is unreachable)."""
    return redis_server_url()


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix of this test's own on the test Redis server."""
    with fresh_redis_prefix(redis_url) as prefix:
        yield prefix


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def engine(backend: str, database_path: Path, request: pytest.FixtureRequest) -> Iterator[Engine]:
    if backend == "sqlite":
        engine = sqlite_engine(database_path)
        yield engine
        engine.dispose()
        return
    engine = create_db_engine(request.getfixturevalue("postgres_url"))
    try:
        yield engine
    finally:
        empty_tables(engine)
        engine.dispose()


@pytest.fixture
async def bot(
    api: FakeBotApi, clock: SteppedClock, engine: Engine, database_path: Path
) -> AsyncIterator[BotHarness]:
    settings = make_settings(f"sqlite:///{database_path}")
    async with running_bot(api=api, clock=clock, engine=engine, settings=settings) as harness:
        yield harness


@pytest.fixture
def tips_file(tmp_path: Path) -> Path:
    """A copy of the shipped tips that a test may edit."""
    path = tmp_path / "content" / "tips.yaml"
    path.parent.mkdir()
    shutil.copy(ROOT / "content" / "tips.yaml", path)
    return path


@pytest.fixture
async def admin_bot(
    api: FakeBotApi, clock: SteppedClock, engine: Engine, database_path: Path, tips_file: Path
) -> AsyncIterator[BotHarness]:
    """The bot with ADMIN as its one admin and `tips_file` as its tips."""
    settings = make_settings(f"sqlite:///{database_path}", admin_ids=str(ADMIN), tips_path=tips_file)
    async with running_bot(api=api, clock=clock, engine=engine, settings=settings) as harness:
        yield harness
