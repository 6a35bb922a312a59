"""`python -m storage.restore PATH`: replace the SQLite database named by DATABASE_URL with a backup.

Stop the bot first: the restore is refused while a bot holds the database's lock or another
connection has it open. The backup must pass SQLite's integrity check and carry a schema revision
this release knows; the database it replaces is kept as `<database>.before-restore`. Exit codes:
0 restored, 1 refused (nothing changed), 2 not a SQLite database (PostgreSQL: use pg_restore,
README "Backups and restores").
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
    database_url_from_environment,
    restore_sqlite,
    sqlite_path,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m storage.restore",
        description="Replace the SQLite database named by DATABASE_URL with the backup at PATH "
        "(stop the bot first).",
    )
    parser.add_argument("path", type=Path, metavar="PATH", help="the backup file to restore")
    arguments = parser.parse_args(argv)
    database_url = database_url_from_environment()
    try:
        database = sqlite_path(database_url)
    except PostgreSQLError as error:
        print(f"{error}; restore it with pg_restore instead ({README_SECTION}).", file=sys.stderr)
        return 2
    except NotSQLiteError as error:
        print(f"{error}.", file=sys.stderr)
        return 2
    try:
        revision, kept = restore_sqlite(arguments.path, database_url)
    except BackupError as error:
        print(f"Restore refused, {database} is unchanged: {error}.", file=sys.stderr)
        return 1
    except (OSError, sqlite3.Error) as error:
        print(f"Restore failed: {error}.", file=sys.stderr)
        return 1
    replaced = f"; the database it replaced is kept as {kept}" if kept else ""
    print(f"Restored {database} from {arguments.path} (schema revision {revision}){replaced}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
