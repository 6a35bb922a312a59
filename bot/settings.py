"""Settings from environment variables (or a `.env` file), built by `load_settings()`, never at import."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from storage.config import DEFAULT_DATABASE_URL

# What Telegram accepts as a webhook's secret_token.
_WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
MIN_WEB_SECRET_LENGTH = 32


class Settings(BaseSettings):
    """Everything an operator can set; the README lists each with its default."""

    # hide_input_in_errors: a rejected value may be a secret, and errors end up in logs.
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", hide_input_in_errors=True
    )

    bot_token: SecretStr | None = None
    database_url: str = DEFAULT_DATABASE_URL
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    default_timezone: str = "Europe/Amsterdam"
    default_language: str = "nl"
    tips_path: Path = Path("content/tips.yaml")
    telegram_api_url: str = "https://api.telegram.org/bot"
    dispatch_interval_seconds: float = Field(default=15.0, gt=0, le=30)
    grace_minutes: int = Field(default=30, ge=0, le=24 * 60)
    # A member gets at most this many unanswered nudges a day (scheduler/nagging.py).
    unanswered_a_day: int = Field(default=8, ge=1, le=100)
    log_level: str = "INFO"
    # How long a claimed nudge stays with the tick that claimed it before another may take it over.
    claim_lease_seconds: float = Field(default=120.0, gt=0, le=3600)
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    # "all": poll Telegram and dispatch; "dispatcher": dispatch only (extra workers on PostgreSQL).
    role: Literal["all", "dispatcher"] = "all"
    # Processes that draw weekly pictures; None: one per core; 0: a thread of the bot's process.
    render_workers: int | None = Field(default=None, ge=0, le=64)
    # The admins' tip editor in a browser: served only when WEB_PORT is set.
    web_port: int | None = Field(default=None, ge=1, le=65535)
    web_listen: str = "127.0.0.1"
    # What the admins' browsers reach it by (the link /tip web sends); default http://127.0.0.1:PORT.
    web_base_url: str | None = None
    # Signs the one-time links and the session cookies; never logged.
    web_secret: SecretStr | None = None
    # /healthz and /metrics; None: no server; 0: any free port (tests read the bound one).
    health_port: int | None = Field(default=None, ge=0, le=65535)
    health_listen: str = "0.0.0.0"
    # A daily SQLite backup in this folder, the newest `backup_keep` kept; None: no backups.
    backup_dir: Path | None = None
    backup_keep: int = Field(default=7, ge=1, le=3650)
    # How long the reminder log (the nudges sent or not, and weekly pictures) is kept.
    reminder_log_days: int = Field(default=400, ge=1, le=36500)
    # The send budget all the bot's processes draw from (bot/budgets.py): messages a second,
    # the part of each second kept for answers to members, and paid broadcasts a second.
    send_rate_per_second: int = Field(default=30, ge=1, le=30)
    send_reserve_per_second: int = Field(default=3, ge=0, le=29)
    paid_rate_per_second: int = Field(default=1000, ge=1, le=1000)
    # Redis for the send budget when several processes send (else the database, or memory); the
    # URL may hold a password, so it is never logged.
    redis_url: SecretStr | None = None
    # Keys in Redis start with this: one prefix for every process of one bot.
    redis_key_prefix: str = Field(default="habits-bot", min_length=1, max_length=100)
    # Nudges that would miss their window may go out as paid broadcasts (Telegram Stars), at most
    # this many a day (the dispatcher decides which).
    paid_broadcast: bool = False
    paid_broadcast_daily_limit: int = Field(default=10_000, ge=0, le=10_000_000)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(int(part) for part in value.replace(";", ",").split(",") if part.strip())
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator(
        "webhook_url",
        "webhook_secret",
        "web_port",
        "web_base_url",
        "web_secret",
        "health_port",
        "backup_dir",
        "redis_url",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("webhook_secret")
    @classmethod
    def _acceptable_webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _WEBHOOK_SECRET.fullmatch(value.get_secret_value()):
            raise ValueError("WEBHOOK_SECRET must be 1-256 characters from A-Z, a-z, 0-9, _ and -")
        return value

    @model_validator(mode="after")
    def _webhook_needs_a_secret(self) -> Self:
        if self.webhook_url and self.webhook_secret is None:
            raise ValueError(
                "WEBHOOK_URL is set but WEBHOOK_SECRET is not: webhook mode needs a "
                "secret so that only Telegram can post updates"
            )
        return self

    @model_validator(mode="after")
    def _web_needs_a_secret(self) -> Self:
        if self.web_port is not None:
            secret = self.web_secret.get_secret_value() if self.web_secret else ""
            if len(secret) < MIN_WEB_SECRET_LENGTH:
                raise ValueError(
                    f"WEB_PORT is set, so WEB_SECRET must be at least {MIN_WEB_SECRET_LENGTH} characters "
                    "(it signs the sign-in links and session cookies); make one with "
                    "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
                )
        if self.web_base_url is not None and not self.web_base_url.startswith(("http://", "https://")):
            raise ValueError("WEB_BASE_URL must start with http:// or https://")
        return self

    @model_validator(mode="after")
    def _reserve_below_the_rate(self) -> Self:
        if self.send_reserve_per_second >= self.send_rate_per_second:
            raise ValueError(
                "SEND_RESERVE_PER_SECOND must be below SEND_RATE_PER_SECOND: nudges need a share of it"
            )
        return self

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(("redis://", "rediss://")):
            raise ValueError("REDIS_URL must start with redis:// or rediss://")
        return value

    @property
    def web_url(self) -> str:
        """Where the admins' browsers reach the tip editor (no trailing slash)."""
        if self.web_base_url:
            return self.web_base_url.rstrip("/")
        return f"http://127.0.0.1:{self.web_port}"

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
