"""Several dispatcher processes against one PostgreSQL: every nudge goes out exactly once.

Each worker is a real process with its own engine and event loop; they share only the database.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bench.common import WALK_DUE, default_member_rows, insert_rows
from scheduler.dispatch import DispatchPolicy
from storage.database import create_db_engine
from tests.backends import empty_tables
from tests.dispatch_worker import CRASH_EXIT_CODE
from tests.harness import ROOT

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

TICK = WALK_DUE + timedelta(seconds=30)  # everyone's 08:15 walk is due
WORKER_TIMEOUT = 50


@pytest.fixture
def pg_engine(postgres_url: str) -> Iterator[Engine]:
    engine = create_db_engine(postgres_url)
    yield engine
    empty_tables(engine)
    engine.dispose()


def worker_command(url: str, now: datetime, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "tests.dispatch_worker",
        "--database-url",
        url,
        "--now",
        now.isoformat(),
        *extra,
    ]


def run_workers(commands: Sequence[list[str]], go: Path, ready: Sequence[Path]) -> list[int]:
    """Start the workers, let them all begin at once, and wait for them; their exit codes."""
    processes = [subprocess.Popen(command, cwd=ROOT) for command in commands]
    try:
        deadline = time.monotonic() + WORKER_TIMEOUT
        while not all(path.exists() for path in ready):
            assert time.monotonic() < deadline, "workers did not get ready"
            assert all(p.poll() is None for p in processes), "a worker died while starting"
            time.sleep(0.02)
        go.touch()
        return [process.wait(timeout=WORKER_TIMEOUT) for process in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()


def run_one(url: str, now: datetime, tmp_path: Path, name: str, *extra: str) -> dict[str, Any]:
    out = tmp_path / f"{name}.json"
    done = subprocess.run(
        worker_command(url, now, "--out", str(out), *extra), cwd=ROOT, timeout=WORKER_TIMEOUT, check=False
    )
    assert done.returncode == 0
    result: dict[str, Any] = json.loads(out.read_text())
    return result


def statuses(engine: Engine) -> Counter[str]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT status, count(*) FROM nudge GROUP BY status"))
        return Counter({status: count for status, count in rows})


def test_three_workers_send_each_of_5000_nudges_exactly_once(
    pg_engine: Engine, postgres_url: str, tmp_path: Path
) -> None:
    insert_rows(pg_engine, default_member_rows(5000))
    go = tmp_path / "go"
    names = ["a", "b", "c"]
    commands = [
        worker_command(
            postgres_url,
            TICK,
            "--out",
            str(tmp_path / f"{n}.json"),
            "--ready",
            str(tmp_path / f"{n}.ready"),
            "--go",
            str(go),
        )
        for n in names
    ]
    codes = run_workers(commands, go, [tmp_path / f"{n}.ready" for n in names])

    assert codes == [0, 0, 0]
    results = [json.loads((tmp_path / f"{n}.json").read_text()) for n in names]
    sends = Counter(nudge_id for result in results for nudge_id in result["sent"])
    assert len(sends) == 5000
    assert set(sends.values()) == {1}
    assert all(result["sent"] for result in results), "every worker took a share of the work"
    assert statuses(pg_engine) == {"sent": 5000}
    with pg_engine.connect() as connection:
        assert (
            connection.execute(
                text("SELECT count(*) FROM member WHERE schedule_cursor = :tick"), {"tick": TICK}
            ).scalar_one()
            == 5000
        )


def test_a_crashed_workers_claims_are_sent_once_by_another_after_the_lease(
    pg_engine: Engine, postgres_url: str, tmp_path: Path
) -> None:
    insert_rows(pg_engine, default_member_rows(200))
    crashed = subprocess.run(
        worker_command(postgres_url, TICK, "--crash-after-claim", "--members-per-claim", "500"),
        cwd=ROOT,
        timeout=WORKER_TIMEOUT,
        check=False,
    )
    assert crashed.returncode == CRASH_EXIT_CODE
    assert statuses(pg_engine) == {"claimed": 200}

    lease = DispatchPolicy().claim_lease
    within_lease = run_one(postgres_url, TICK + lease - timedelta(seconds=1), tmp_path, "early")
    assert within_lease["sent"] == []
    assert statuses(pg_engine) == {"claimed": 200}

    after_lease = run_one(postgres_url, TICK + lease + timedelta(seconds=1), tmp_path, "late")
    assert sorted(Counter(after_lease["sent"]).values()) == [1] * 200
    assert statuses(pg_engine) == {"sent": 200}

    again = run_one(postgres_url, TICK + lease + timedelta(seconds=20), tmp_path, "again")
    assert again["sent"] == []
