"""Settings from environment variables (or a `.env` file), built by `load_settings()`, never at import."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///data/habits.sqlite3"


class Settings(BaseSettings):
    """Everything an operator can set; the README lists each with its default."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = None
    database_url: str = DEFAULT_DATABASE_URL
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    default_timezone: str = "Europe/Amsterdam"
    default_language: str = "nl"
    tips_path: Path = Path("content/tips.yaml")
    telegram_api_url: str = "https://api.telegram.org/bot"
    dispatch_interval_seconds: float = Field(default=15.0, gt=0, le=30)
    grace_minutes: int = Field(default=30, ge=0, le=24 * 60)
    log_level: str = "INFO"
    # "all": poll Telegram and dispatch; "dispatcher": dispatch only (extra workers on PostgreSQL).
    role: Literal["all", "dispatcher"] = "all"

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(int(part) for part in value.replace(";", ",").split(",") if part.strip())
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("default_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown IANA time zone {value!r}") from error
        return value

    @field_validator("default_language")
    @classmethod
    def _supported_language(cls, value: str) -> str:
        if value not in {"nl", "en"}:
            raise ValueError("DEFAULT_LANGUAGE must be nl or en")
        return value


def load_settings(**overrides: object) -> Settings:
    """Read the settings from the environment; keyword overrides win (tests use them)."""
    return Settings(**overrides)  # type: ignore[arg-type]
