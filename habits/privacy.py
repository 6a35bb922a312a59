"""A member's own data: everything stored about them as files, and erasing all of it."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlmodel import Session

from storage import breathing_queries, queries
from storage.models import CheckIn, Member

# A /delete confirmation button older than this asks again rather than erasing.
DELETE_CONFIRMATION_VALID = timedelta(minutes=15)
CHECKIN_COLUMNS = ("id", "day", "habit", "slot", "status", "value", "source", "recorded_at_utc")
CHECKINS_FILENAME = "checkins.csv"
SETTINGS_FILENAME = "settings.json"


@dataclass(frozen=True)
class Export:
    checkins_csv: bytes
    checkin_count: int
    settings_json: bytes


def _checkin_row(checkin: CheckIn) -> tuple[object, ...]:
    return (
        checkin.id,
        checkin.local_date.isoformat(),
        checkin.habit,
        checkin.slot or "",
        checkin.status,
        "" if checkin.value is None else f"{checkin.value:g}",
        checkin.source,
        checkin.created_at.isoformat(),
    )


def checkins_csv(checkins: list[CheckIn]) -> bytes:
    """One row per check-in; UTF-8 with a byte order mark so spreadsheets read it right away."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CHECKIN_COLUMNS)
    writer.writerows(_checkin_row(checkin) for checkin in checkins)
    return buffer.getvalue().encode("utf-8-sig")


def _plain(row: Any, *, leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    dumped: dict[str, Any] = row.model_dump(mode="json")
    return {key: value for key, value in dumped.items() if key not in leave_out}


def export_member_data(*, session: Session, member: Member, now: datetime) -> Export:
    """The member's check-ins as CSV, and their settings with pauses, reminders and reports as JSON."""
    assert member.id is not None
    checkins = list(queries.checkins_of_member(session=session, member_id=member.id))
    document = {
        "exported_at": now.isoformat(),
        "settings": _plain(member, leave_out=("id",)),
        "pauses": [
            _plain(p, leave_out=("id", "member_id"))
            for p in queries.pauses_of_member(session=session, member_id=member.id)
        ],
        "weekly_reports": [
            _plain(r, leave_out=("id", "member_id"))
            for r in queries.weekly_reports_of_member(session=session, member_id=member.id)
        ],
        "breathing_sessions": [
            _plain(b, leave_out=("id", "member_id", "chat_id", "message_id", "nudge_id"))
            for b in breathing_queries.breathing_sessions_of_member(session=session, member_id=member.id)
        ],
        "reminders": [
            {
                "day": n.local_date.isoformat(),
                "slot": n.slot,
                "due_at": n.due_at.isoformat(),
                "status": n.status,
            }
            for n in queries.nudges_of_member(session=session, member_id=member.id)
        ],
    }
    return Export(
        checkins_csv=checkins_csv(checkins),
        checkin_count=len(checkins),
        settings_json=json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8"),
    )


def erase_member_data(*, session: Session, telegram_id: int) -> dict[str, int] | None:
    """Erase the member and every row linked to them; None when there is no such member."""
    member = queries.get_member_by_telegram_id(session=session, telegram_id=telegram_id)
    if member is None or member.id is None:
        return None
    deleted = queries.erase_member(session=session, member_id=member.id)
    session.commit()
    return deleted


class DeleteAnswer(StrEnum):
    ERASED = "erased"
    CANCELLED = "cancelled"
    EXPIRED = "expired"  # a "yes" from a question asked too long ago: ask again
    NOTHING_STORED = "nothing_stored"


def answer_delete_question(
    *, session: Session, telegram_id: int, confirmed: bool, asked_at: int | None, now: datetime
) -> DeleteAnswer:
    """Act on the member's answer to "erase everything?" (`asked_at` in Unix seconds)."""
    if not confirmed:
        return DeleteAnswer.CANCELLED
    # Compared in seconds: forged button data may hold a moment no datetime can represent.
    age = now.timestamp() - asked_at if asked_at is not None else -1.0
    if not 0 <= age <= DELETE_CONFIRMATION_VALID.total_seconds():
        return DeleteAnswer.EXPIRED
    erased = erase_member_data(session=session, telegram_id=telegram_id)
    return DeleteAnswer.NOTHING_STORED if erased is None else DeleteAnswer.ERASED
