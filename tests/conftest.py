"""Shared fixtures; each closes what it opens."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from fakegram import FakeBotApi
from tests.harness import TOKEN, BotHarness, FakeClock, make_settings, running_bot, sqlite_engine

# Monday 23 November 2026, 07:05 in Amsterdam (UTC+1): just after the default wake-up.
MONDAY_MORNING = datetime(2026, 11, 23, 6, 5, tzinfo=UTC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(MONDAY_MORNING)


@pytest.fixture
def api(clock: FakeClock) -> FakeBotApi:
    return FakeBotApi(token=TOKEN, clock=clock)


@pytest.fixture
def database_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "habits.sqlite3"


@pytest.fixture
def engine(database_path: Path) -> Iterator[Engine]:
    engine = sqlite_engine(database_path)
    yield engine
    engine.dispose()


@pytest.fixture
async def bot(
    api: FakeBotApi, clock: FakeClock, engine: Engine, database_path: Path
) -> AsyncIterator[BotHarness]:
    settings = make_settings(f"sqlite:///{database_path}")
    async with running_bot(api=api, clock=clock, engine=engine, settings=settings) as harness:
        yield harness
