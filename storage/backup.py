"""`python -m storage.backup PATH`: a consistent copy of the SQLite database named by DATABASE_URL.

Safe while the bot runs. Exit codes: 0 written, 1 failed, 2 not a SQLite database (PostgreSQL:
use pg_dump, README "Backups and restores").
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

from storage.backups import (
    README_SECTION,
    BackupError,
    NotSQLiteError,
    PostgreSQLError,
    backup_sqlite,
    database_url_from_environment,
    sqlite_path,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m storage.backup",
        description="Write a consistent copy of the SQLite database named by DATABASE_URL to PATH.",
    )
    parser.add_argument(
        "path", type=Path, metavar="PATH", help="the backup file to write (replaced if it exists)"
    )
    arguments = parser.parse_args(argv)
    database_url = database_url_from_environment()
    try:
        database = sqlite_path(database_url)
    except PostgreSQLError as error:
        print(f"{error}; back it up with pg_dump instead ({README_SECTION}).", file=sys.stderr)
        return 2
    except NotSQLiteError as error:
        print(f"{error}.", file=sys.stderr)
        return 2
    try:
        target = backup_sqlite(database_url, arguments.path)
    except (BackupError, OSError, sqlite3.Error) as error:
        print(f"Backup failed: {error}.", file=sys.stderr)
        return 1
    print(f"Backed up {database} to {target} ({target.stat().st_size / 1_000_000:.1f} MB).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
