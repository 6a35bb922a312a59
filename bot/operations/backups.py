"""The daily backup job: with BACKUP_DIR set, a SQLite backup a day, the newest BACKUP_KEEP kept.

`storage.backups.take_daily_backup` does the work (one file per UTC day, nothing more that day)
in a thread, since copying blocks. The job runs hourly, so the day's backup is taken within the
first hour of the day, or a minute after start-up. PostgreSQL has no such job: pg_dump backs it up (README).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from sqlalchemy.engine import Engine

from bot.context import BotContext
from storage.backups import BackupError, take_daily_backup

log = logging.getLogger(__name__)

BACKUP_JOB_NAME = "daily-backup"
BACKUP_CHECK_INTERVAL = timedelta(hours=1)
# Not during start-up itself, which has the schema upgrade and the first tick to do.
BACKUP_FIRST_CHECK = timedelta(minutes=1)


def backs_up(engine: Engine) -> bool:
    """Whether the bot can back this database up itself (a SQLite file)."""
    url = engine.url
    return url.get_backend_name() == "sqlite" and bool(url.database) and url.database != ":memory:"


async def daily_backup(context: BotContext) -> None:
    """Take today's backup unless it exists; a failure is logged and tried again next hour."""
    services = context.services
    directory = services.settings.backup_dir
    if directory is None or not backs_up(services.engine):
        return
    url = services.engine.url.render_as_string(hide_password=False)
    try:
        made = await asyncio.to_thread(
            take_daily_backup, url, directory, services.settings.backup_keep, services.clock()
        )
    except (BackupError, OSError) as error:
        log.error("daily backup to %s failed: %s", directory, error)
        return
    if made is not None:
        log.info("daily backup written: %s", made)
