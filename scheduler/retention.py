"""How long the reminder log is kept, and its removal in small batches by the tick.

The reminder log is what the bot stores about a member's nudges (a `nudge` row per slot: when it
was due, what became of it, the tip it carried) and weekly pictures (a `weeklyreport` row per
week). Both are kept for `REMINDER_LOG_DAYS` after they fell due, then deleted, oldest first, at
most a batch per tick so that a tick never holds the database for long. Check-ins are not part of
it: they stay until the member deletes them (`/delete`); a check-in whose nudge is deleted keeps
everything it says, only its link to the nudge becomes empty.

A nudge whose send is still in progress (claimed, being sent, or snoozed to come back) is never
deleted, however old: the dispatcher still owns it. A weekly picture's claim is never taken over
(a crash leaves it claimed for good, so the week is never sent twice), so its rows go by age alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from storage import queries
from storage.database import new_session
from storage.models import NudgeStatus

# Small enough that one tick's deletes take milliseconds; at one tick every 15 s it still removes
# 2.9 million rows a day, twice what 100,000 members add.
BATCH = 500
IN_PROGRESS = frozenset({NudgeStatus.CLAIMED, NudgeStatus.SENDING, NudgeStatus.SNOOZED})
FINAL = frozenset(NudgeStatus) - IN_PROGRESS


def reminder_log_cutoff(now: datetime, days: int) -> datetime:
    """Rows of the reminder log due before this instant have been kept long enough."""
    if days < 1:
        raise ValueError("the reminder log is kept at least a day")
    return now - timedelta(days=days)


@dataclass(frozen=True)
class Pruned:
    nudges: int
    weekly_reports: int


def prune_reminder_log(*, engine: Engine, now: datetime, days: int, batch: int = BATCH) -> Pruned:
    """Delete at most `batch` nudges and `batch` weekly picture rows older than the retention, in
    one transaction; the next tick takes the next batch."""
    cutoff = reminder_log_cutoff(now, days)
    with new_session(engine) as session:
        nudges = queries.delete_nudges_due_before(
            session=session,
            before=cutoff,
            keep_statuses={status.value for status in IN_PROGRESS},
            limit=batch,
        )
        reports = queries.delete_weekly_reports_due_before(session=session, before=cutoff, limit=batch)
        session.commit()
    return Pruned(nudges, reports)
