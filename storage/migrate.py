"""`python -m storage.migrate`: upgrade the database named by DATABASE_URL to the newest schema.

The bot does the same at start-up; this is for upgrading before starting several workers, or to
check a database by hand.
"""

from __future__ import annotations

from storage.config import load_database_settings
from storage.database import create_db_engine, upgrade_schema


def main() -> None:
    engine = create_db_engine(load_database_settings().database_url)
    try:
        upgrade_schema(engine)
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
