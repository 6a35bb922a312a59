"""Where the database is: `DATABASE_URL` (or `.env`), read by `load_database_settings()`, never at import.

Storage and its migrations read it here, so they need nothing from the bot; the bot's own settings
read the same variable with the same default.
"""

from __future__ import annotations

from typing import Any

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///data/habits.sqlite3"


class DatabaseSettings(BaseSettings):
    """The database's settings alone (the README lists DATABASE_URL)."""

    # hide_input_in_errors: a URL may hold a password, and errors end up in logs.
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", hide_input_in_errors=True
    )

    database_url: str = DEFAULT_DATABASE_URL


def load_database_settings(**overrides: Any) -> DatabaseSettings:
    """Read the environment (and `.env`) now; `overrides` win, as in tests."""
    return DatabaseSettings(**overrides)
