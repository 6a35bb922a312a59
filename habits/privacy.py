"""A member's own data: everything stored about them as files, and erasing all of it."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from scheduler.routines import zone_of
from storage import breathing_queries, queries, restraint_queries
from storage.models import CheckIn, Member

# A /delete confirmation button older than this asks again rather than erasing.
DELETE_CONFIRMATION_VALID = timedelta(minutes=15)
# The check-ins file's columns: the routine day, when it was recorded (the member's local time, with
# its UTC offset), the habit, which of its moments (the walk after which meal, the wind-down or the
# morning question), done or skipped, glasses or hours, and whether a button or typed text.
CHECKIN_COLUMNS = ("day", "time", "habit", "moment", "status", "value", "source")
# The columns whose stored words the member reads in their language.
WORD_COLUMNS = ("habit", "moment", "status", "source")
CHECKINS_FILENAME = "checkins.csv"
SETTINGS_FILENAME = "settings.json"


@dataclass(frozen=True)
class ExportWords:
    """How the check-ins file reads in the member's language (the bot knows the words).

    Dates and times stay ISO 8601 in every language. A stored word without a translation is
    written as stored.
    """

    # Column -> its header.
    headers: Mapping[str, str]
    # Column (one of WORD_COLUMNS) -> stored word -> the word the member reads.
    words: Mapping[str, Mapping[str, str]]
    # A number as the member writes it: 7.5 -> "7,5" in Dutch.
    number: Callable[[float], str]


@dataclass(frozen=True)
class Export:
    checkins_csv: bytes
    checkin_count: int
    settings_json: bytes


def _checkin_row(checkin: CheckIn, zone: ZoneInfo, words: ExportWords) -> list[str]:
    stored = {
        "habit": checkin.habit,
        "moment": checkin.slot or "",
        "status": checkin.status,
        "source": checkin.source,
    }
    row = {
        "day": checkin.local_date.isoformat(),
        "time": checkin.created_at.astimezone(zone).isoformat(timespec="seconds"),
        "value": "" if checkin.value is None else words.number(checkin.value),
    }
    row |= {column: words.words.get(column, {}).get(word, word) for column, word in stored.items()}
    return [row[column] for column in CHECKIN_COLUMNS]


def checkins_csv(checkins: Sequence[CheckIn], *, zone: ZoneInfo, words: ExportWords) -> bytes:
    """One row per check-in; UTF-8 with a byte order mark so spreadsheets read it right away."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([words.headers[column] for column in CHECKIN_COLUMNS])
    writer.writerows(_checkin_row(checkin, zone, words) for checkin in checkins)
    return buffer.getvalue().encode("utf-8-sig")


def _plain(row: Any, *, leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    dumped: dict[str, Any] = row.model_dump(mode="json")
    return {key: value for key, value in dumped.items() if key not in leave_out}


def export_member_data(*, session: Session, member: Member, now: datetime, words: ExportWords) -> Export:
    """The member's check-ins as CSV in their language, and their settings with pauses, reminders,
    reports and the questions about their habits and times as JSON.

    The JSON keeps the stored names and values (ISO dates, UTC times): it is the file a program
    reads back, and its keys are the settings' names in the database and in the README.
    """
    assert member.id is not None
    checkins = queries.checkins_of_member(session=session, member_id=member.id)
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
        "check_questions": [
            _plain(q, leave_out=("id", "member_id"))
            for q in restraint_queries.check_questions_of_member(session=session, member_id=member.id)
        ],
        "rhythm_offers": [
            _plain(o, leave_out=("id", "member_id"))
            for o in restraint_queries.rhythm_offers_of_member(session=session, member_id=member.id)
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
        checkins_csv=checkins_csv(checkins, zone=zone_of(member), words=words),
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
