"""The bot's own operations: its daily backup job keeps the newest BACKUP_KEEP, and as a process it
holds the database lock (a restore refuses), answers the container's HEALTHCHECK, and does not
start during a restore."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import dockerfile
import httpx
import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine

from bot.app import build_application
from bot.operations.backups import BACKUP_JOB_NAME
from fakegram import FakeBotApi, serve_http
from scheduler.clock import SteppedClock
from storage.backups import DatabaseInUseError, backup_sqlite, exclusive_database_lock, restore_sqlite
from tests.harness import ROOT, TOKEN, load_shipped_tips, make_settings, running_bot, sqlite_engine
from tests.processes import bot_environment, start_bot
from tests.test_process_lifecycle import free_port


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_the_daily_backup_job_writes_one_a_day_and_keeps_the_newest(
    api: FakeBotApi, clock: SteppedClock, engine: Engine, database_path: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / "notes.txt").write_text("not a backup")
    settings = make_settings(f"sqlite:///{database_path}", backup_dir=str(folder), backup_keep=2)
    async with running_bot(api=api, clock=clock, engine=engine, settings=settings) as bot:
        await bot.onboard(api.user(1001, first_name="Alice"))
        for _ in range(2):  # hourly: the second run the same day changes nothing
            await bot.run_job(BACKUP_JOB_NAME)
        assert sorted(path.name for path in folder.iterdir()) == ["habits-2026-11-23.sqlite3", "notes.txt"]
        for _ in range(3):
            clock.advance(days=1)
            await bot.run_job(BACKUP_JOB_NAME)
    assert sorted(path.name for path in folder.iterdir()) == [
        "habits-2026-11-25.sqlite3",
        "habits-2026-11-26.sqlite3",
        "notes.txt",
    ]
    restored = tmp_path / "restored.sqlite3"
    restore_sqlite(folder / "habits-2026-11-26.sqlite3", f"sqlite:///{restored}")
    copy = sqlite_engine(restored)
    try:
        with copy.connect() as connection:
            assert connection.exec_driver_sql("SELECT telegram_id FROM member").scalars().all() == [1001]
    finally:
        copy.dispose()


def test_on_postgresql_the_bot_leaves_backups_to_pg_dump(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = make_settings("sqlite://", backup_dir=str(tmp_path))
    engine = create_engine("postgresql+psycopg://habits@db.invalid/habits")  # never connected
    app = build_application(settings=settings, engine=engine, tips=load_shipped_tips())
    assert app.job_queue is not None
    assert app.job_queue.get_jobs_by_name(BACKUP_JOB_NAME) == ()
    assert "use pg_dump" in caplog.text


def healthcheck_command() -> list[str]:
    """The Dockerfile's HEALTHCHECK command (exec form), with this interpreter for `python`."""
    (check,) = [i for i in dockerfile.parse_file(str(ROOT / "Dockerfile")) if i.cmd == "HEALTHCHECK"]
    assert check.json, "exec form: no shell in the way"
    assert check.value[0] == "CMD"
    assert check.value[1] == "python", "the slim image has no curl"
    return [sys.executable, *check.value[2:]]


def run_healthcheck(port: int) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HEALTH_PORT": str(port)}
    return subprocess.run(
        healthcheck_command(), capture_output=True, text=True, env=env, timeout=30, check=False
    )


@pytest.mark.slow
async def test_the_running_bot_holds_the_lock_and_answers_the_healthcheck(tmp_path: Path) -> None:
    api = FakeBotApi(token=TOKEN)
    database_path = tmp_path / "data" / "habits.sqlite3"
    sqlite_engine(database_path).dispose()
    backup = backup_sqlite(f"sqlite:///{database_path}", tmp_path / "backup.sqlite3")
    port = free_port()
    async with await serve_http(api) as server:
        env = bot_environment(
            database_path, server.base_url, HEALTH_PORT=str(port), HEALTH_LISTEN="127.0.0.1"
        )
        bot = await start_bot(env, tmp_path, tmp_path / "bot.log")
        try:
            async with httpx.AsyncClient(timeout=5) as client:
                for _ in range(200):
                    try:
                        if (await client.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    await asyncio.sleep(0.1)
                else:
                    raise AssertionError(bot.log()[-3000:])
                metrics = await client.get(f"http://127.0.0.1:{port}/metrics")
            assert "habits_dispatch_tick_duration_seconds_count" in metrics.text
            done = await asyncio.to_thread(run_healthcheck, port)
            assert (done.returncode, done.stdout) == (0, "ok\n")
            with pytest.raises(DatabaseInUseError, match="a bot is running"):
                restore_sqlite(backup, f"sqlite:///{database_path}")
        finally:
            bot.process.send_signal(signal.SIGTERM)
            assert await bot.wait(timeout=15) == 0, bot.log()[-3000:]
    stopped = await asyncio.to_thread(run_healthcheck, port)
    assert stopped.returncode == 1
    assert "does not answer" in stopped.stdout


async def test_the_bot_does_not_start_during_a_restore(tmp_path: Path) -> None:
    database_path = tmp_path / "data" / "habits.sqlite3"
    sqlite_engine(database_path).dispose()
    env = bot_environment(database_path, "http://127.0.0.1:9/bot")
    with exclusive_database_lock(f"sqlite:///{database_path}"):
        bot = await start_bot(env, tmp_path, tmp_path / "bot.log")
        assert await bot.wait(timeout=30) == 1
    assert "Cannot start: a restore of" in bot.log()


def test_the_healthcheck_fails_when_nothing_answers() -> None:
    done = run_healthcheck(free_port())
    assert done.returncode == 1
    assert done.stdout.startswith("http://127.0.0.1:")


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_the_healthcheck_fails_with_the_reason_of_a_503(
    api: FakeBotApi, clock: SteppedClock, engine: Engine, database_path: Path
) -> None:
    settings = make_settings(f"sqlite:///{database_path}", health_port=0, health_listen="127.0.0.1")
    async with running_bot(api=api, clock=clock, engine=engine, settings=settings) as bot:
        assert bot.app.health_server is not None
        assert bot.app.health_server.port is not None
        done = await asyncio.to_thread(run_healthcheck, bot.app.health_server.port)
    assert (done.returncode, done.stdout) == (1, "unhealthy: the dispatch tick has not run yet\n")
