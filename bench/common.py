"""What the benchmarks share: a fresh database full of members, the fake Bot API, figures."""

from __future__ import annotations

import os
import platform
import resource
import statistics
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import SecretStr
from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import Engine, make_url

from bot.settings import Settings, load_settings
from scheduler.routines import routine_of
from scheduler.slots import next_due_after
from scheduler.windows import next_opening
from storage.database import create_db_engine, upgrade_schema
from storage.models import Member

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456:BENCH-TOKEN"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# Monday 23 November 2026: everyone's walk after breakfast is due at 08:15 in Amsterdam (07:15 UTC).
WALK_DUE = datetime(2026, 11, 23, 7, 15, tzinfo=UTC)
BEFORE_WALK = datetime(2026, 11, 23, 7, 14, tzinfo=UTC)
FIRST_TELEGRAM_ID = 10_000_000
INSERT_BATCH = 5_000


def machine() -> str:
    cores = len(os.sched_getaffinity(0))
    python = f"{platform.python_implementation()} {platform.python_version()}"
    return f"{platform.machine()}, {cores} cores, {python}"


def peak_rss_mb() -> float:
    """This process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=1000, method="inclusive")[round(share * 1000) - 1]


def bench_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "bot_token": SecretStr(TOKEN),
        "database_url": database_url,
        "tips_path": ROOT / "content" / "tips.yaml",
        "telegram_api_url": "http://fake.invalid/bot",
        "_env_file": None,
    }
    values.update(overrides)
    return load_settings(**values)


@contextmanager
def fresh_database(database_url: str | None) -> Iterator[str]:
    """A new, migrated, empty database; yields its URL and removes it afterwards.

    Without a URL: a SQLite file in a temporary folder. With a PostgreSQL URL: a new schema in that
    database (every connection's search_path points at it), dropped at the end.
    """
    if database_url is None or make_url(database_url).get_backend_name() == "sqlite":
        with tempfile.TemporaryDirectory(prefix="habits-bench-") as folder:
            url = database_url or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
            _migrate(url)
            yield url
        return
    schema = f"habits_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(database_url)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        rendered = (
            make_url(database_url)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
        _migrate(rendered)
        try:
            yield rendered
        finally:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


def _migrate(url: str) -> None:
    engine = create_db_engine(url)
    try:
        upgrade_schema(engine)
    finally:
        engine.dispose()


def default_member_rows(
    count: int, *, cursor: datetime = BEFORE_WALK, breakfast: time = time(8, 0)
) -> Iterator[dict[str, Any]]:
    """Members with the default routine whose schedule has been dealt with up to `cursor`."""
    template = Member(
        telegram_id=0, chat_id=0, created_at=cursor, schedule_cursor=cursor, breakfast_time=breakfast
    )
    template.next_due_at = next_due_after(routine_of(template), AMSTERDAM, cursor)
    found = next_opening(routine_of(template), AMSTERDAM, cursor)
    template.next_deadline_at = found[1] if found else None
    row = template.model_dump(exclude={"id"})
    for index in range(count):
        telegram_id = FIRST_TELEGRAM_ID + index
        yield {**row, "telegram_id": telegram_id, "chat_id": telegram_id}


def insert_rows(engine: Engine, rows: Iterator[dict[str, Any]]) -> int:
    """Bulk-insert member rows in batches; returns how many."""
    total = 0
    batch: list[dict[str, Any]] = []
    with engine.begin() as connection:
        for row in rows:
            batch.append(row)
            if len(batch) == INSERT_BATCH:
                connection.execute(insert(Member.__table__), batch)  # type: ignore[attr-defined]
                total, batch = total + len(batch), []
        if batch:
            connection.execute(insert(Member.__table__), batch)  # type: ignore[attr-defined]
            total += len(batch)
    return total


def count_rows(engine: Engine, sql: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(sql)).scalar_one())
