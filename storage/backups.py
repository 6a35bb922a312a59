"""Backups and restores of the SQLite database, and the lock that keeps a restore away from a bot.

A backup goes through SQLite's online backup API, so it is a consistent copy of one committed state
even while the bot writes (WAL lets it go on writing meanwhile). A restore checks the backup first
and only then swaps the database file, in one rename, while nothing has it open.

The lock: every bot process holds a shared `flock` on `<database>.lock` for as long as it runs
(`hold_database_lock`); a restore takes it exclusively, without waiting, so it is refused while any
bot runs, and a bot cannot start in the middle of a restore. The kernel drops the lock when its
process ends, however it ends, so a crash never leaves a stale lock behind. The lock file itself
stays: deleting it while someone holds it would let the next process lock a different file.

PostgreSQL is backed up and restored with pg_dump and pg_restore (README, "Backups and restores").
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from storage.config import load_database_settings
from storage.database import SQLITE_BUSY_TIMEOUT_MS, migration_config

BACKUP_SUFFIX = ".sqlite3"
# Next to a database, the files SQLite keeps beside it: a write-ahead log, its index, and a rollback
# journal. Left next to a restored file, an old log would be replayed into it.
SIDE_FILES = ("-wal", "-shm", "-journal")
BEFORE_RESTORE = ".before-restore"
README_SECTION = 'README, "Backups and restores"'


class BackupError(Exception):
    """A backup or restore that did not happen; the message is one line for the operator."""


class NotSQLiteError(BackupError):
    """The database is not a SQLite file (PostgreSQL has its own tools)."""


class PostgreSQLError(NotSQLiteError):
    """The database is PostgreSQL: pg_dump and pg_restore back it up and restore it."""


class DatabaseInUseError(BackupError):
    """A bot, or another connection, is using the database."""


class UnusableBackupError(BackupError):
    """The file to restore is damaged, or not a backup of this bot's database."""


def database_url_from_environment() -> str:
    return load_database_settings().database_url


def sqlite_path(database_url: str) -> Path:
    """The SQLite file a URL names; NotSQLiteError for PostgreSQL and in-memory databases."""
    url = make_url(database_url)
    backend = url.get_backend_name()
    if backend == "postgresql":
        raise PostgreSQLError("DATABASE_URL names a PostgreSQL database")
    if backend != "sqlite":
        raise NotSQLiteError(f"DATABASE_URL names a {backend} database, not SQLite")
    if not url.database or url.database == ":memory:":
        raise NotSQLiteError("DATABASE_URL names an in-memory SQLite database, which has no file")
    return Path(url.database)


def _side_file(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _lock_path(database: Path) -> Path:
    return _side_file(database, ".lock")


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _remove_with_side_files(path: Path) -> None:
    for name in (path, *(_side_file(path, suffix) for suffix in SIDE_FILES)):
        name.unlink(missing_ok=True)


def _temporary_file_beside(target: Path, purpose: str) -> Path:
    """An empty owner-only file in `target`'s folder, so that renaming it over `target` is atomic."""
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.{purpose}-", suffix=".tmp")
    os.close(descriptor)
    return Path(name)


def _owned_like(path: Path, model: Path) -> None:
    """Give `path` the owner of `model` when run as root (`sudo python -m storage.restore`), so
    that the bot's user can still open what root wrote for it."""
    if os.geteuid() != 0:
        return
    owner = model.stat()
    os.chown(path, owner.st_uid, owner.st_gid)


def _connect_existing(path: Path) -> sqlite3.Connection:
    """A connection to a database file that must already exist (plain connect would create it)."""
    if not path.is_file():
        raise BackupError(f"no SQLite database at {path}")
    connection = sqlite3.connect(f"file:{path}?mode=rw", uri=True, isolation_level=None)
    connection.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    return connection


# Backups


def backup_sqlite(database_url: str, target: Path) -> Path:
    """Write a consistent copy of the SQLite database to `target` (owner-only), replacing any file there.

    The copy is written next to `target` and renamed over it once complete, so `target` is either
    the old file or the whole new backup. The backup is in rollback-journal mode: one file, with
    nothing beside it.
    """
    source_path = sqlite_path(database_url)
    target = Path(target)
    if target.exists() and target.resolve() == source_path.resolve():
        raise BackupError(f"{target} is the database itself")
    if target.is_dir():
        raise BackupError(f"{target} is a folder; name the backup file")
    source = _connect_existing(source_path)
    try:
        temporary = _temporary_file_beside(target, "backup")
        try:
            destination = sqlite3.connect(temporary, isolation_level=None)
            try:
                # All pages in one step: one read transaction, hence one committed state. Copying
                # in several steps would start again whenever the bot commits in between.
                source.backup(destination, pages=-1)
                destination.execute("PRAGMA journal_mode=DELETE")
            finally:
                destination.close()
            _fsync(temporary)
            os.replace(temporary, target)
        except BaseException:
            _remove_with_side_files(temporary)
            raise
    finally:
        source.close()
    _fsync(target.parent)
    return target


def daily_backup_name(database: Path, day: date) -> str:
    return f"{database.stem}-{day.isoformat()}{BACKUP_SUFFIX}"


def _daily_backups(directory: Path, database: Path) -> list[tuple[date, Path]]:
    """The daily backups of this database in `directory`, oldest first; other files are not ours."""
    pattern = re.compile(rf"{re.escape(database.stem)}-(\d{{4}}-\d{{2}}-\d{{2}}){re.escape(BACKUP_SUFFIX)}")
    found: list[tuple[date, Path]] = []
    for path in directory.iterdir():
        match = pattern.fullmatch(path.name)
        if match is None or not path.is_file():
            continue
        try:
            found.append((date.fromisoformat(match.group(1)), path))
        except ValueError:
            continue
    return sorted(found)


def _remove_unfinished_earlier_days(directory: Path, database: Path, today: date) -> None:
    """Half-written copies of earlier days' backups, left by a process that died while writing one."""
    pattern = re.compile(
        rf"\.{re.escape(database.stem)}-(\d{{4}}-\d{{2}}-\d{{2}}){re.escape(BACKUP_SUFFIX)}\.backup-.*\.tmp"
    )
    for path in directory.iterdir():
        match = pattern.fullmatch(path.name)
        if match is not None and match.group(1) < today.isoformat():
            path.unlink(missing_ok=True)


def take_daily_backup(database_url: str, directory: Path, keep: int, now: datetime) -> Path | None:
    """Today's backup in `directory` (`habits-2026-12-01.sqlite3`, by the date of `now`), unless it
    exists already (then None, and nothing changes); afterwards only the newest `keep` daily
    backups of this database stay, older ones are deleted. Other files in `directory` are left alone.

    It blocks while it copies (a second or so per 100 MB): call it from a thread, not the event loop.
    """
    if keep < 1:
        raise ValueError("keep must be at least 1")
    database = sqlite_path(database_url)
    directory = Path(directory)
    today = directory / daily_backup_name(database, now.date())
    if today.exists():
        return None
    backup_sqlite(database_url, today)
    _remove_unfinished_earlier_days(directory, database, now.date())
    backups = _daily_backups(directory, database)
    for _, old in backups[: max(0, len(backups) - keep)]:
        old.unlink(missing_ok=True)
    return today


# The lock


def _open_lock_file(database: Path) -> int:
    database.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = _lock_path(database)
    existed = path.exists()
    # flock needs no write access; read-only, a bot can also lock a file another user created.
    descriptor = os.open(path, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o600)
    if not existed:
        _owned_like(path, database.parent)
    return descriptor


def _try_lock(descriptor: int, operation: int, wait: float) -> bool:
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(descriptor, operation | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)


@contextlib.contextmanager
def hold_database_lock(database_url: str, *, wait: float = 0.0) -> Iterator[None]:
    """Held by a bot process for as long as it runs, so that no restore replaces its database.

    Any number of bot processes may hold it at once. It fails with DatabaseInUseError when a
    restore holds the lock and has not finished within `wait` seconds. Nothing to hold for
    PostgreSQL or an in-memory database.
    """
    try:
        database = sqlite_path(database_url)
    except NotSQLiteError:
        yield
        return
    descriptor = _open_lock_file(database)
    try:
        if not _try_lock(descriptor, fcntl.LOCK_SH, wait):
            raise DatabaseInUseError(f"a restore of {database} is in progress; start the bot when it is done")
        yield
    finally:
        os.close(descriptor)  # also releases the lock


@contextlib.contextmanager
def exclusive_database_lock(database_url: str) -> Iterator[Path]:
    """The database's lock, taken only when no bot holds it (else DatabaseInUseError); yields the file."""
    database = sqlite_path(database_url)
    descriptor = _open_lock_file(database)
    try:
        if not _try_lock(descriptor, fcntl.LOCK_EX, 0.0):
            raise DatabaseInUseError(
                f"a bot is running on {database} (it holds {_lock_path(database)}); stop it, then restore"
            )
        yield database
    finally:
        os.close(descriptor)


def ensure_not_open_elsewhere(database: Path) -> None:
    """DatabaseInUseError when another connection has the database open (in WAL mode, as the bot
    keeps it) or holds a lock on it (any mode). Replacing the file under an open connection would
    leave it writing to the replaced file, and whatever it wrote would be lost."""
    if not database.exists():
        return
    probe = sqlite3.connect(f"file:{database}?mode=rw", uri=True, isolation_level=None, timeout=0)
    try:
        # Exclusive locking mode on a WAL database takes the lock that every open connection
        # shares, so it fails even for idle ones; in rollback mode it fails for any transaction.
        probe.execute("PRAGMA locking_mode=EXCLUSIVE")
        probe.execute("BEGIN EXCLUSIVE")
        probe.execute("SELECT count(*) FROM sqlite_master").fetchone()
        probe.execute("ROLLBACK")
    except sqlite3.DatabaseError as error:
        if getattr(error, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            raise DatabaseInUseError(
                f"{database} is open in another process (another connection holds a lock on it); "
                "close it, then restore"
            ) from error
        # Not readable as a database (perhaps why it is being restored): nothing can be using it.
    finally:
        probe.close()


# Restores


def known_revisions() -> tuple[set[str], str | None]:
    """Every schema revision this release's migrations know, and the newest."""
    script = ScriptDirectory.from_config(migration_config())
    return {revision.revision for revision in script.walk_revisions()}, script.get_current_head()


def check_backup(path: Path) -> str:
    """The schema revision of a backup that passes SQLite's integrity check and belongs to this
    bot, at a revision this release's migrations know; else UnusableBackupError. Run it on a copy:
    opening a database can change it (it may be in WAL mode, with a log beside it)."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=rw", uri=True, isolation_level=None)
    except sqlite3.Error as error:
        raise UnusableBackupError(f"it cannot be opened ({error})") from error
    try:
        connection.execute("PRAGMA journal_mode=DELETE")
        found = [str(row[0]) for row in connection.execute("PRAGMA integrity_check(3)")]
        if found != ["ok"]:
            # A problem may span lines, under a "*** in database main ***" heading.
            problems = [line.strip() for row in found for line in row.splitlines()]
            summary = "; ".join(line for line in problems if line and not line.startswith("***"))
            raise UnusableBackupError(f"it fails SQLite's integrity check ({summary})")
        has_versions = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchone()
        if has_versions is None:
            raise UnusableBackupError("it is not this bot's database (it has no alembic_version table)")
        versions = sorted(
            str(row[0]) for row in connection.execute("SELECT version_num FROM alembic_version")
        )
    except sqlite3.DatabaseError as error:
        raise UnusableBackupError(f"it is not a readable SQLite database ({error})") from error
    finally:
        connection.close()
    if not versions:
        raise UnusableBackupError("it is not this bot's database (its alembic_version table is empty)")
    known, newest = known_revisions()
    if len(versions) > 1 or versions[0] not in known:
        raise UnusableBackupError(
            f"its schema revision {', '.join(versions)} is not one of this release's migrations "
            f"(the newest is {newest}); was it made by a newer release?"
        )
    return versions[0]


def _keep_replaced(database: Path) -> Path:
    """Keep the database about to be replaced (with its log) as `<database>.before-restore`."""
    kept = _side_file(database, BEFORE_RESTORE)
    _remove_with_side_files(kept)
    linked = _side_file(kept, ".tmp")
    linked.unlink(missing_ok=True)
    try:
        os.link(database, linked)
    except OSError:  # a file system without hard links
        shutil.copyfile(database, linked)
    os.replace(linked, kept)
    log = _side_file(database, "-wal")
    if log.exists():
        # Named after the kept file, SQLite reads the log with it when it is opened.
        os.replace(log, _side_file(kept, "-wal"))
    return kept


def restore_sqlite(backup: Path, database_url: str) -> tuple[str, Path | None]:
    """Replace the SQLite database with `backup`; returns the backup's schema revision and where
    the replaced database is kept (None when there was none).

    Refused (DatabaseInUseError) while a bot holds the lock or another connection has the database
    open, and (UnusableBackupError) unless the backup passes `check_backup`; a refused restore
    leaves the database as it was. The bot upgrades an older schema when it starts.
    """
    backup = Path(backup)
    if not backup.is_file():
        raise UnusableBackupError(f"there is no file at {backup}")
    with exclusive_database_lock(database_url) as database:
        if backup.resolve() == database.resolve():
            raise UnusableBackupError(f"{backup} is the database itself")
        staged = _temporary_file_beside(database, "restore")
        try:
            shutil.copyfile(backup, staged)
            backup_log = _side_file(backup, "-wal")
            if backup_log.exists():
                # A database copied with its log: the log holds committed pages of it.
                shutil.copyfile(backup_log, _side_file(staged, "-wal"))
            try:
                revision = check_backup(staged)
            except UnusableBackupError as error:
                raise UnusableBackupError(f"{backup} is not a usable backup: {error}") from error
            staged.chmod(0o600)
            _owned_like(staged, database if database.exists() else database.parent)
            _fsync(staged)
            ensure_not_open_elsewhere(database)
            kept = _keep_replaced(database) if database.exists() else None
            for suffix in SIDE_FILES:
                _side_file(database, suffix).unlink(missing_ok=True)
            os.replace(staged, database)
        except BaseException:
            _remove_with_side_files(staged)
            raise
        _fsync(database.parent)
    return revision, kept
