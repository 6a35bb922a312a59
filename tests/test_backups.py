"""Backups and restores of the SQLite database: consistent copies while the bot writes, daily
rotation, and restores that are refused while a bot runs or when the backup is not one."""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import insert, text
from sqlalchemy.engine import Engine

from storage.backups import (
    DatabaseInUseError,
    UnusableBackupError,
    backup_sqlite,
    exclusive_database_lock,
    hold_database_lock,
    restore_sqlite,
    take_daily_backup,
)
from storage.database import create_db_engine, migration_config, upgrade_schema
from storage.models import CheckIn, Member

ROOT = Path(__file__).resolve().parents[1]


def newest_revision() -> str:
    """The schema revision this release migrates to, which its backups hold."""
    head = ScriptDirectory.from_config(migration_config()).get_current_head()
    assert head is not None
    return head


CREATED = datetime(2026, 11, 23, 6, 5, tzinfo=UTC)
WRITE_BATCH = 10  # check-ins per committed transaction of the writer
BASE_ROWS = 20_000
# The newest migration: what a backup of this release's database is at.
HEAD = ScriptDirectory.from_config(migration_config()).get_current_head()


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def make_database(path: Path, *, checkins: int = 3) -> str:
    """A migrated database with one member and `checkins` check-ins; its engine is closed again."""
    url = sqlite_url(path)
    engine = create_db_engine(url)
    try:
        upgrade_schema(engine)
        with engine.begin() as connection:
            connection.execute(
                insert(Member).values(telegram_id=1, chat_id=1, created_at=CREATED, schedule_cursor=CREATED)
            )
        add_checkins(engine, checkins)
    finally:
        engine.dispose()
    return url


def add_checkins(engine: Engine, count: int) -> None:
    rows = [checkin_row(index) for index in range(count)]
    if rows:
        with engine.begin() as connection:
            connection.execute(insert(CheckIn), rows)


def checkin_row(index: int) -> dict[str, object]:
    return {
        "member_id": 1,
        "habit": "water",
        "local_date": date(2026, 11, 23),
        "value": 1.0,
        "status": "done",
        "source": "text",
        "created_at": CREATED + timedelta(seconds=index),
    }


def read_only(path: Path) -> sqlite3.Connection:
    """A connection that cannot change the file (nor leave a log beside it)."""
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def checkin_ids(path: Path) -> list[int]:
    connection = read_only(path)
    try:
        return [row[0] for row in connection.execute("SELECT id FROM checkin ORDER BY id")]
    finally:
        connection.close()


def integrity(path: Path) -> list[str]:
    connection = read_only(path)
    try:
        return [row[0] for row in connection.execute("PRAGMA integrity_check")]
    finally:
        connection.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def folder_state(folder: Path) -> dict[str, str]:
    """Every file in a folder with its content's digest; the (empty) lock file is no data."""
    return {
        path.name: digest(path)
        for path in sorted(folder.iterdir())
        if path.is_file() and not path.name.endswith(".lock")
    }


def run_module(
    module: str, *args: str, cwd: Path, database_url: str | None
) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env["PYTHONPATH"] = str(ROOT)
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def one_line(output: str) -> str:
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    return lines[0]


@pytest.fixture
def live(tmp_path: Path) -> Path:
    """A migrated database with a member and three check-ins, not open anywhere."""
    path = tmp_path / "data" / "habits.sqlite3"
    make_database(path)
    return path


@pytest.fixture
def lock_holder(live: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process that holds the database's lock, as a running bot does."""
    script = (
        "import sys\n"
        "from storage.backups import hold_database_lock\n"
        f"with hold_database_lock({sqlite_url(live)!r}):\n"
        "    print('holding', flush=True)\n"
        "    sys.stdin.readline()\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "holding"
        yield holder
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)


# The backup command


def test_backup_command_writes_an_owner_only_single_file_copy(live: Path, tmp_path: Path) -> None:
    target = tmp_path / "backups" / "today.sqlite3"
    result = run_module("storage.backup", str(target), cwd=tmp_path, database_url=sqlite_url(live))
    assert result.returncode == 0, result.stderr
    line = one_line(result.stdout)
    assert str(live) in line
    assert str(target) in line
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [path.name for path in target.parent.iterdir()] == ["today.sqlite3"]  # no temporary left
    assert integrity(target) == ["ok"]
    assert checkin_ids(target) == [1, 2, 3]
    assert target.read_bytes()[18:20] == b"\x01\x01"  # rollback-journal mode: nothing beside it


def test_backup_command_reads_database_url_from_a_dotenv_file(live: Path, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"DATABASE_URL={sqlite_url(live)}\n", encoding="utf-8")
    result = run_module("storage.backup", "copy.sqlite3", cwd=tmp_path, database_url=None)
    assert result.returncode == 0, result.stderr
    assert checkin_ids(tmp_path / "copy.sqlite3") == [1, 2, 3]


def test_backup_command_without_a_database_exits_1_and_creates_none(tmp_path: Path) -> None:
    missing = tmp_path / "data" / "habits.sqlite3"
    result = run_module("storage.backup", "copy.sqlite3", cwd=tmp_path, database_url=sqlite_url(missing))
    assert result.returncode == 1
    assert f"no SQLite database at {missing}" in one_line(result.stderr)
    assert not missing.exists()
    assert not (tmp_path / "copy.sqlite3").exists()


@pytest.mark.parametrize(
    ("module", "tool"), [("storage.backup", "pg_dump"), ("storage.restore", "pg_restore")]
)
def test_for_postgresql_both_commands_exit_2_pointing_to_its_tools(
    tmp_path: Path, module: str, tool: str
) -> None:
    result = run_module(
        module, "x.dump", cwd=tmp_path, database_url="postgresql+psycopg://habits@db.invalid/habits"
    )
    assert result.returncode == 2
    line = one_line(result.stderr)
    assert tool in line
    assert "Backups and restores" in line
    assert not (tmp_path / "x.dump").exists()


def test_the_commands_import_nothing_from_the_bot() -> None:
    script = (
        "import sys, storage.backup, storage.restore\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'bot', 'habits', 'scheduler', 'tips', 'fakegram', 'telegram'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]"


# Consistency while the bot writes


def test_a_backup_taken_while_another_connection_writes_is_one_committed_state(tmp_path: Path) -> None:
    path = tmp_path / "data" / "habits.sqlite3"
    url = make_database(path, checkins=0)
    engine = create_db_engine(url)  # WAL and the busy timeout, as the bot has them
    add_checkins(engine, BASE_ROWS)  # a few MB, so that each copy takes a while
    stop = threading.Event()
    commits: list[int] = []
    failures: list[BaseException] = []

    def write() -> None:
        try:
            while not stop.is_set():
                add_checkins(engine, WRITE_BATCH)
                commits.append(len(commits) + 1)
        except BaseException as error:
            failures.append(error)

    writer = threading.Thread(target=write)
    writer.start()
    overlapped = 0
    try:
        while len(commits) < 5:
            time.sleep(0.01)
        for index in range(8):
            commits_before = len(commits)
            backup = backup_sqlite(url, tmp_path / f"backup-{index}.sqlite3")
            commits_after = len(commits)
            assert integrity(backup) == ["ok"]
            ids = checkin_ids(backup)
            # Every batch entirely or not at all, with no id missing in between.
            assert ids == list(range(1, len(ids) + 1))
            assert (len(ids) - BASE_ROWS) % WRITE_BATCH == 0
            written = (len(ids) - BASE_ROWS) // WRITE_BATCH
            assert commits_before <= written <= commits_after + 1
            overlapped += commits_after > commits_before
            while len(commits) == commits_after:  # a new state for the next copy
                time.sleep(0.001)
    finally:
        stop.set()
        writer.join(timeout=30)
        engine.dispose()
    assert failures == []
    assert overlapped > 0  # the writer committed while a copy was being taken, and did not wait


# Daily backups


def test_daily_backups_one_per_day_keeping_the_newest(live: Path, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    not_ours = ["notes.txt", "habits-manual.sqlite3", "other-2026-11-01.sqlite3", "habits-2026-11-30.dump"]
    for name in not_ours:
        (folder / name).write_text("keep me", encoding="utf-8")
    url = sqlite_url(live)
    made = [
        take_daily_backup(url, folder, keep=3, now=datetime(2026, 12, day, 3, 0, tzinfo=UTC))
        for day in range(1, 6)
    ]
    assert made == [folder / f"habits-2026-12-0{day}.sqlite3" for day in range(1, 6)]
    ours = sorted(path.name for path in folder.iterdir() if path.name not in not_ours)
    assert ours == ["habits-2026-12-03.sqlite3", "habits-2026-12-04.sqlite3", "habits-2026-12-05.sqlite3"]
    assert all((folder / name).read_text(encoding="utf-8") == "keep me" for name in not_ours)
    newest = folder / "habits-2026-12-05.sqlite3"
    assert checkin_ids(newest) == [1, 2, 3]
    assert stat.S_IMODE(newest.stat().st_mode) == 0o600


def test_a_second_daily_backup_on_the_same_day_does_nothing(live: Path, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    url = sqlite_url(live)
    first = take_daily_backup(url, folder, keep=2, now=datetime(2026, 12, 1, 3, 0, tzinfo=UTC))
    assert first is not None
    before = (first.stat().st_ino, first.stat().st_mtime_ns, digest(first))
    engine = create_db_engine(url)
    add_checkins(engine, 5)
    engine.dispose()
    assert take_daily_backup(url, folder, keep=2, now=datetime(2026, 12, 1, 23, 59, tzinfo=UTC)) is None
    assert (first.stat().st_ino, first.stat().st_mtime_ns, digest(first)) == before
    assert checkin_ids(first) == [1, 2, 3]


def test_daily_backups_after_a_gap_still_keep_the_newest_by_date(live: Path, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    url = sqlite_url(live)
    for day in (date(2026, 11, 28), date(2026, 12, 30), date(2027, 1, 2)):
        take_daily_backup(url, folder, keep=2, now=datetime.combine(day, datetime.min.time(), tzinfo=UTC))
    assert sorted(path.name for path in folder.iterdir()) == [
        "habits-2026-12-30.sqlite3",
        "habits-2027-01-02.sqlite3",
    ]


def test_a_daily_backup_clears_what_a_dead_process_left_half_written_on_earlier_days(
    live: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    earlier = folder / ".habits-2026-11-30.sqlite3.backup-k2j4.tmp"
    today = folder / ".habits-2026-12-01.sqlite3.backup-x7q1.tmp"  # perhaps still being written
    for path in (earlier, today):
        path.write_bytes(b"SQLite format 3\x00")
    take_daily_backup(sqlite_url(live), folder, keep=2, now=datetime(2026, 12, 1, 3, 0, tzinfo=UTC))
    assert sorted(path.name for path in folder.iterdir()) == [today.name, "habits-2026-12-01.sqlite3"]


def test_keeping_no_daily_backup_is_refused(live: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="keep"):
        take_daily_backup(sqlite_url(live), tmp_path, keep=0, now=datetime(2026, 12, 1, tzinfo=UTC))
    assert list(tmp_path.glob("habits-*")) == []


# The lock


def test_restore_is_refused_while_a_bot_process_holds_the_lock(
    live: Path, tmp_path: Path, lock_holder: subprocess.Popen[str]
) -> None:
    backup = backup_sqlite(sqlite_url(live), tmp_path / "backup.sqlite3")
    before = folder_state(live.parent)
    result = run_module("storage.restore", str(backup), cwd=tmp_path, database_url=sqlite_url(live))
    assert result.returncode == 1
    line = one_line(result.stderr)
    assert f"a bot is running on {live}" in line
    assert "stop it" in line
    assert folder_state(live.parent) == before

    assert lock_holder.stdin is not None
    lock_holder.stdin.close()
    lock_holder.wait(timeout=30)
    result = run_module("storage.restore", str(backup), cwd=tmp_path, database_url=sqlite_url(live))
    assert result.returncode == 0, result.stderr
    assert f"Restored {live} from {backup}" in one_line(result.stdout)


def test_several_bot_processes_may_hold_the_lock_but_not_during_a_restore(live: Path) -> None:
    url = sqlite_url(live)
    with (
        hold_database_lock(url),  # a poller
        hold_database_lock(url),  # and a dispatcher
        pytest.raises(DatabaseInUseError, match="a bot is running"),
        exclusive_database_lock(url),
    ):
        pass
    with exclusive_database_lock(url):
        started = time.monotonic()
        with (
            pytest.raises(DatabaseInUseError, match=r"restore .* in progress"),
            hold_database_lock(url, wait=0.3),
        ):
            pass
        assert time.monotonic() - started >= 0.3
    with hold_database_lock(url):
        pass
    assert stat.S_IMODE((live.parent / "habits.sqlite3.lock").stat().st_mode) == 0o600


def test_there_is_no_lock_to_hold_for_postgresql_or_memory(tmp_path: Path) -> None:
    for url in ("postgresql+psycopg://habits@db.invalid/habits", "sqlite://"):
        with hold_database_lock(url):
            pass
    assert list(tmp_path.iterdir()) == []


def test_restore_is_refused_while_another_connection_has_the_database_open(
    live: Path, tmp_path: Path
) -> None:
    url = sqlite_url(live)
    backup = backup_sqlite(url, tmp_path / "backup.sqlite3")
    engine = create_db_engine(url)  # a pooled connection stays open, as in a bot without the lock
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    try:
        with pytest.raises(DatabaseInUseError, match="open in another process"):
            restore_sqlite(backup, url)
    finally:
        engine.dispose()
    assert checkin_ids(live) == [1, 2, 3]
    assert [path.name for path in live.parent.iterdir() if ".tmp" in path.name] == []


def test_restore_is_refused_while_another_process_is_writing(live: Path, tmp_path: Path) -> None:
    url = sqlite_url(live)
    backup = backup_sqlite(url, tmp_path / "backup.sqlite3")
    engine = create_db_engine(url)
    add_checkins(engine, 2)
    engine.dispose()
    script = (
        "import sqlite3, sys\n"
        f"connection = sqlite3.connect({str(live)!r}, isolation_level=None)\n"
        "connection.execute('PRAGMA journal_mode=DELETE')\n"  # no WAL: only the write lock shows
        "connection.execute('BEGIN IMMEDIATE')\n"
        "connection.execute('DELETE FROM checkin')\n"
        "print('writing', flush=True)\n"
        "sys.stdin.readline()\n"
        "connection.execute('ROLLBACK')\n"
    )
    writer = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "writing"
        result = run_module("storage.restore", str(backup), cwd=tmp_path, database_url=url)
        assert result.returncode == 1
        assert "open in another process" in one_line(result.stderr)
    finally:
        assert writer.stdin is not None
        writer.stdin.close()
        writer.wait(timeout=30)
    assert checkin_ids(live) == [1, 2, 3, 4, 5]


# Restores


def test_restore_brings_back_the_backup_and_keeps_the_replaced_database(live: Path, tmp_path: Path) -> None:
    url = sqlite_url(live)
    backup = backup_sqlite(url, tmp_path / "backup.sqlite3")
    engine = create_db_engine(url)
    add_checkins(engine, 4)  # after the backup: lost by the restore, kept in the replaced file
    engine.dispose()
    (live.parent / "habits.sqlite3-shm").write_bytes(b"stale")
    backup_before = digest(backup)

    result = run_module("storage.restore", str(backup), cwd=tmp_path, database_url=url)

    assert result.returncode == 0, result.stderr
    line = one_line(result.stdout)
    assert f"schema revision {newest_revision()}" in line
    assert f"kept as {live}.before-restore" in line
    assert checkin_ids(live) == [1, 2, 3]
    assert integrity(live) == ["ok"]
    assert sorted(path.name for path in live.parent.iterdir()) == [
        "habits.sqlite3",
        "habits.sqlite3.before-restore",
        "habits.sqlite3.lock",
    ]
    assert checkin_ids(live.parent / "habits.sqlite3.before-restore") == [1, 2, 3, 4, 5, 6, 7]
    assert stat.S_IMODE(live.stat().st_mode) == 0o600
    assert digest(backup) == backup_before  # the backup itself is only read


def test_restore_into_a_new_place_creates_it(live: Path, tmp_path: Path) -> None:
    backup = backup_sqlite(sqlite_url(live), tmp_path / "backup.sqlite3")
    fresh = tmp_path / "elsewhere" / "data" / "habits.sqlite3"
    revision, kept = restore_sqlite(backup, sqlite_url(fresh))
    assert (revision, kept) == (newest_revision(), None)
    assert checkin_ids(fresh) == [1, 2, 3]
    assert stat.S_IMODE(fresh.parent.stat().st_mode) == 0o700


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_a_restore_run_as_root_leaves_the_database_and_its_lock_to_their_owner(
    live: Path, tmp_path: Path
) -> None:
    bot_user = 10001
    backup = backup_sqlite(sqlite_url(live), tmp_path / "backup.sqlite3")
    for path in (live.parent, live):
        os.chown(path, bot_user, bot_user)
    restore_sqlite(backup, sqlite_url(live))
    for path in (live, live.parent / "habits.sqlite3.lock"):
        assert (path.stat().st_uid, path.stat().st_gid) == (bot_user, bot_user), path.name


def _corrupt(path: Path) -> None:
    """Overwrite the middle of the file, where the tables' pages are, with garbage."""
    data = bytearray(path.read_bytes())
    page = 4096
    for start in range(page, len(data) - page, 3 * page):
        data[start + 100 : start + 1500] = os.urandom(1400)
    path.write_bytes(bytes(data))


def _foreign_database(path: Path) -> None:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)")
    connection.commit()
    connection.close()


def _unknown_revision(path: Path) -> None:
    connection = sqlite3.connect(path)
    connection.execute("UPDATE alembic_version SET version_num = '9999'")
    connection.commit()
    connection.close()


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        pytest.param(_corrupt, "integrity check|malformed", id="corrupt"),
        pytest.param(lambda path: path.write_text("id,habit\n1,water\n"), "not a readable SQLite", id="text"),
        pytest.param(lambda path: path.write_bytes(b""), "no alembic_version table", id="empty"),
        pytest.param(_foreign_database, "no alembic_version table", id="other-database"),
        pytest.param(_unknown_revision, "revision 9999 is not one of this release's", id="newer-release"),
    ],
)
def test_a_damaged_or_foreign_backup_is_refused_and_the_database_untouched(
    live: Path, tmp_path: Path, spoil: Callable[[Path], object], reason: str
) -> None:
    url = sqlite_url(live)
    backup = tmp_path / "backup.sqlite3"
    if spoil in (_corrupt, _unknown_revision):
        engine = create_db_engine(url)
        add_checkins(engine, 2_000)  # enough pages for the garbage to land in the tables
        engine.dispose()
        backup_sqlite(url, backup)
    spoil(backup)
    before = folder_state(live.parent)

    result = run_module("storage.restore", str(backup), cwd=tmp_path, database_url=url)

    assert result.returncode == 1
    line = one_line(result.stderr)
    assert line.startswith(f"Restore refused, {live} is unchanged: {backup} is not a usable backup: ")
    assert re.search(reason, line), line
    assert folder_state(live.parent) == before


def test_a_missing_backup_file_is_refused(live: Path, tmp_path: Path) -> None:
    with pytest.raises(UnusableBackupError, match="no file at"):
        restore_sqlite(tmp_path / "nothing.sqlite3", sqlite_url(live))
    assert checkin_ids(live) == [1, 2, 3]
