"""The admins' statistics queries, on factory data, on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine

from storage.database import new_session
from storage.models import CheckIn, Member, Nudge, NudgeStatus, Pause
from storage.stats_queries import MemberCounts, TipSendCounts, member_counts, tip_send_counts
from tests.harness import sqlite_engine

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture
def sqlite(tmp_path: Path) -> Iterator[Engine]:
    engine = sqlite_engine(tmp_path / "stats.sqlite3")
    yield engine
    engine.dispose()


@pytest.fixture
def postgres() -> Iterator[Engine]:
    """A private schema in the test database; runs in CI, skipped elsewhere without a server."""
    url = os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    schema = f"stats_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as error:
        admin.dispose()
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"PostgreSQL not reachable at {url} ({type(error).__name__}); runs in CI")
    engine = create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    SQLModel.metadata.create_all(engine)
    yield engine
    engine.dispose()
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def add_member(session: Session, telegram_id: int, *, active: bool = True) -> Member:
    member = Member(
        telegram_id=telegram_id,
        chat_id=telegram_id,
        active=active,
        created_at=NOW - timedelta(days=60),
        schedule_cursor=NOW,
    )
    session.add(member)
    session.flush()
    return member


def add_sent(
    session: Session,
    member: Member,
    habit: str,
    tip_id: str | None,
    *,
    days_ago: float,
    done_after: timedelta | None = None,
    skipped: bool = False,
) -> Nudge:
    assert member.id is not None
    sent_at = NOW - timedelta(days=days_ago)
    nudge = Nudge(
        member_id=member.id,
        habit=habit,
        slot=f"{habit}-{uuid.uuid4().hex[:6]}",
        local_date=sent_at.date(),
        due_at=sent_at,
        status=NudgeStatus.SENT,
        tip_id=tip_id,
        sent_at=sent_at,
    )
    session.add(nudge)
    session.flush()
    if done_after is not None:
        session.add(
            CheckIn(
                member_id=member.id,
                habit=habit,
                nudge_id=nudge.id,
                local_date=sent_at.date(),
                status="skipped" if skipped else "done",
                source="button",
                created_at=sent_at + done_after,
            )
        )
        nudge.status = NudgeStatus.ANSWERED
    return nudge


def build_factory_data(engine: Engine) -> None:
    with new_session(engine) as session:
        alice, bob = add_member(session, 1), add_member(session, 2)
        paused = add_member(session, 3)
        add_member(session, 4, active=False)
        ended_pause = add_member(session, 5)
        session.add(Pause(member_id=paused.id, starts_at=NOW - timedelta(days=1)))  # type: ignore[arg-type]
        session.add(
            Pause(
                member_id=ended_pause.id,
                starts_at=NOW - timedelta(days=3),  # type: ignore[arg-type]
                ends_at=NOW - timedelta(days=2),
            )
        )
        # water-a: two this week (one done in time, one done too late), one 20 days ago done.
        add_sent(session, alice, "water", "water-a", days_ago=1, done_after=timedelta(minutes=5))
        add_sent(session, bob, "water", "water-a", days_ago=2, done_after=timedelta(hours=2, seconds=1))
        add_sent(session, alice, "water", "water-a", days_ago=20, done_after=timedelta(hours=2))
        # walk-b: skipped this week (not done), and one 31 days ago (outside both windows).
        add_sent(session, bob, "walk", "walk-b", days_ago=3, done_after=timedelta(minutes=1), skipped=True)
        add_sent(session, bob, "walk", "walk-b", days_ago=31, done_after=timedelta(minutes=1))
        # Sent without a tip, exactly at the 7-day edge: in the week.
        add_sent(session, alice, "sleep", None, days_ago=7, done_after=timedelta(minutes=30))
        # Claimed but never sent: not counted.
        session.add(
            Nudge(
                member_id=alice.id,
                habit="water",
                slot="water-x",  # type: ignore[arg-type]
                local_date=NOW.date(),
                due_at=NOW,
                status=NudgeStatus.CLAIMED,
                tip_id="water-a",
            )
        )
        session.commit()


EXPECTED_COUNTS = [
    TipSendCounts("sleep", None, 1, 1, 1, 1),
    TipSendCounts("walk", "walk-b", 1, 0, 1, 0),
    TipSendCounts("water", "water-a", 2, 1, 3, 2),
]


def check(engine: Engine) -> None:
    build_factory_data(engine)
    with new_session(engine) as session:
        assert tip_send_counts(session=session, now=NOW) == EXPECTED_COUNTS
        assert member_counts(session=session, now=NOW) == MemberCounts(active=3, paused=1, inactive=1)
        assert tip_send_counts(session=session, now=NOW - timedelta(days=40)) == []


def test_statistics_on_sqlite(sqlite: Engine) -> None:
    check(sqlite)


@pytest.mark.postgres
def test_statistics_on_postgresql(postgres: Engine) -> None:
    check(postgres)


def test_no_members_counts_zero(sqlite: Engine) -> None:
    with new_session(sqlite) as session:
        assert member_counts(session=session, now=NOW) == MemberCounts(0, 0, 0)
