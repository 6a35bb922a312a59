"""SQLite under concurrent check-ins (none lost, never "database is locked") and owner-only files."""

from __future__ import annotations

import logging
import os
import stat
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text as sql
from sqlalchemy.engine import Engine
from sqlmodel import select
from telegram.ext import AIORateLimiter

from fakegram import FakeBotApi
from habits import checkins, members
from habits.parsing import parse_checkin
from scheduler.clock import SteppedClock
from storage.database import SQLITE_BUSY_TIMEOUT_MS, create_db_engine, create_schema, new_session
from storage.direct import DirectConnection
from storage.models import CheckIn, Member
from tests.harness import BotHarness, make_settings, running_bot

MEMBERS = 50
MESSAGES = ("+1", "2 glazen", "💧", "+1")  # 5 glasses per member, 4 check-ins
NOON = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
async def unthrottled_bot(
    api: FakeBotApi, clock: SteppedClock, engine: Engine, database_path: Path
) -> AsyncIterator[BotHarness]:
    """The bot without the 30/s send limit, so 250 replies do not take 8 s to leave."""
    settings = make_settings(f"sqlite:///{database_path}")
    async with running_bot(
        api=api,
        clock=clock,
        engine=engine,
        settings=settings,
        rate_limiter=AIORateLimiter(overall_max_rate=0),
    ) as harness:
        yield harness


async def test_200_simultaneous_checkins_from_50_members_lose_none(
    unthrottled_bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    bot = unthrottled_bot
    users = [bot.api.user(5000 + index, first_name=f"M{index}") for index in range(MEMBERS)]
    for user in users:
        user.send_text("/start")
    await bot.settle()
    bot.clock.set(NOON)
    with caplog.at_level(logging.WARNING):
        # All 200 arrive in one burst and are handled concurrently, while a tick runs too.
        for message in MESSAGES:
            for user in users:
                user.send_text(message)
        await bot.tick()
        await bot.settle()
    with new_session(bot.engine) as session:
        stored = session.exec(select(CheckIn)).all()
        member_of = {m.id: m.telegram_id for m in session.exec(select(Member)).all()}
    assert len(stored) == MEMBERS * len(MESSAGES)
    glasses: Counter[int] = Counter()
    for checkin in stored:
        glasses[member_of[checkin.member_id]] += int(checkin.value or 0)
    assert glasses == {user.id: 5 for user in users}
    for user in users:
        # Handled concurrently, so in any order; each is acknowledged and the last total is 5.
        replies = [m["text"] for m in bot.api.sent_messages(user.id)][1:]  # after the welcome
        assert len(replies) == len(MESSAGES)
        assert all(reply.startswith("💧 Genoteerd: ") for reply in replies), replies
        assert "💧 Genoteerd: 5/8 glazen vandaag." in replies
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "database is locked" not in caplog.text


@pytest.fixture
def two_engines(tmp_path: Path) -> Iterator[tuple[Engine, Engine]]:
    """Two engines on one file: as two processes would be, each with its own connections."""
    url = f"sqlite:///{tmp_path / 'data' / 'habits.sqlite3'}"
    first, second = create_db_engine(url), create_db_engine(url)
    create_schema(first)
    yield first, second
    first.dispose()
    second.dispose()


def test_concurrent_writers_on_separate_connections_wait_instead_of_failing(
    two_engines: tuple[Engine, Engine],
) -> None:
    """50 threads on two engines write 200 check-ins at once: SQLite serialises them (WAL and the
    busy timeout), none fails with "database is locked" and none is lost."""
    first, second = two_engines
    with first.connect() as connection:
        assert connection.execute(sql("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(sql("PRAGMA busy_timeout")).scalar() == SQLITE_BUSY_TIMEOUT_MS
    with new_session(first) as session:
        for index in range(MEMBERS):
            members.register_member(
                session=session,
                telegram_id=7000 + index,
                chat_id=7000 + index,
                first_name="M",
                language_code="nl",
                default_language="nl",
                default_timezone="Europe/Amsterdam",
                now=NOON,
            )

    def member_checks_in(index: int) -> list[str]:
        engine = first if index % 2 else second
        outcomes = []
        for message in MESSAGES:
            parsed = parse_checkin(message)
            assert parsed is not None
            with DirectConnection(engine) as connection:
                member, latest = checkins.member_and_open_nudge(
                    connection=connection, telegram_id=7000 + index, parsed=parsed, now=NOON
                )
                assert member is not None
                result = checkins.record_text(
                    connection=connection, member=member, latest=latest, parsed=parsed, now=NOON
                )
            outcomes.append(result.outcome.value)
        return outcomes

    with ThreadPoolExecutor(max_workers=MEMBERS) as pool:
        results = list(pool.map(member_checks_in, range(MEMBERS)))
    assert all(outcomes == ["recorded"] * len(MESSAGES) for outcomes in results)
    with new_session(first) as session:
        stored = session.exec(select(CheckIn)).all()
    assert len(stored) == MEMBERS * len(MESSAGES)
    assert sum(c.value or 0 for c in stored) == MEMBERS * 5


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The usual umask (group and others may read), so owner-only modes come from the code."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


@pytest.mark.usefixtures("open_umask")
def test_database_file_and_folder_are_created_for_the_owner_only(tmp_path: Path) -> None:
    database = tmp_path / "fresh" / "data" / "habits.sqlite3"
    engine = create_db_engine(f"sqlite:///{database}")
    try:
        create_schema(engine)
        with new_session(engine) as session:
            members.register_member(
                session=session,
                telegram_id=1,
                chat_id=1,
                first_name="A",
                language_code="nl",
                default_language="nl",
                default_timezone="Europe/Amsterdam",
                now=NOON,
            )
            # While a connection is open, the -wal and -shm files exist.
            wal = database.with_name(database.name + "-wal")
            shm = database.with_name(database.name + "-shm")
            assert wal.exists()
            assert shm.exists()
            assert (_mode(database.parent), _mode(database), _mode(wal), _mode(shm)) == (
                0o700,
                0o600,
                0o600,
                0o600,
            )
    finally:
        engine.dispose()


@pytest.mark.usefixtures("open_umask")
def test_an_existing_readable_database_file_is_made_owner_only(tmp_path: Path) -> None:
    database = tmp_path / "habits.sqlite3"
    database.touch(mode=0o644)
    assert _mode(database) == 0o644
    create_db_engine(f"sqlite:///{database}").dispose()
    assert _mode(database) == 0o600
