"""Build `tests/data/release-0.1.0.sqlite3`: a small database as release 0.1.0 stores it.

    python -m tests.data.make_release_db            # from the project root; refuses to overwrite
    python -m tests.data.make_release_db --replace  # only while 0.1.0 is still the current release

It is made with the migrations and models of the release it is named after, and then kept as it
is: `tests/test_upgrade_keeps_data.py` upgrades a copy with every later migration and checks that
each row still says the same. A later release that changes the schema commits a database of its
own (a new file, made by that release's version of this script) rather than rebuilding this one.

The rows cover what the release stores: members with different settings and onboarding states,
nudges of every status, check-ins (buttons and typed, done and skipped, glasses of water, hours
slept), open and closed pauses, weekly pictures of every status, and tip changes.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
from datetime import UTC, date, datetime, time
from pathlib import Path

from sqlmodel import SQLModel

from storage.database import create_db_engine, new_session, upgrade_schema
from storage.kinds import CheckInSource, CheckInStatus
from storage.models import (
    CheckIn,
    Member,
    Nudge,
    NudgeStatus,
    Pause,
    TipChange,
    WeeklyReport,
    WeeklyReportStatus,
)

OUTPUT = Path(__file__).resolve().parent / "release-0.1.0.sqlite3"
ROUND_A = "6f1c2a9e4b7d4e0f8a3b5c6d7e8f9a01"  # a dispatcher round's claimer id
ROUND_B = "0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a"


def utc(day: int, hour: int, minute: int = 0, second: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=UTC)


def members() -> list[Member]:
    anna = Member(
        id=1,
        telegram_id=1001,
        chat_id=1001,
        first_name="Anna",
        created_at=utc(16, 7, 2),
        schedule_cursor=utc(23, 10, 0),
        next_due_at=utc(23, 11, 30),
        next_weekly_report_at=utc(29, 18),
    )
    ben = Member(
        id=2,
        telegram_id=8_000_000_001,  # beyond 32 bits, as Telegram ids now are
        chat_id=8_000_000_001,
        first_name="Ben",
        language="en",
        timezone="America/New_York",
        wake_time=time(6, 30),
        breakfast_time=time(7, 0),
        lunch_time=time(12, 0),
        dinner_time=time(19, 15),
        bedtime=time(22, 30),
        breathing_time=time(15, 0),
        breathing_on=False,
        water_goal=10,
        water_interval_minutes=90,
        snooze_minutes=10,
        quiet_start=time(21, 0),
        quiet_end=time(7, 30),
        created_at=utc(17, 13, 45, 30),
        schedule_cursor=utc(23, 12, 0),
        next_due_at=utc(23, 13, 30),
        walk_streak_rule="all",
        weekly_report_weekday=4,
        weekly_report_time=time(18, 30),
        next_weekly_report_at=utc(27, 23, 30),
    )
    chloe = Member(
        id=3,
        telegram_id=1003,
        chat_id=1003,
        first_name="Chloé",
        timezone="Asia/Tokyo",
        water_on=False,
        sleep_on=False,
        onboarding_step="meals",
        menu_message_id=17,
        created_at=utc(22, 23, 59, 59),
        schedule_cursor=utc(22, 23, 59, 59),
        next_due_at=utc(23, 3, 15),
        next_weekly_report_at=utc(29, 10),
    )
    dirk = Member(
        id=4,
        telegram_id=1004,
        chat_id=1004,
        first_name="Dirk",
        wake_time=time(8, 30),
        bedtime=time(0, 30),
        water_goal=6,
        water_interval_minutes=180,
        snooze_minutes=30,
        active=False,  # blocked the bot
        quiet_start=time(0, 0),  # start == end: no quiet hours at all
        quiet_end=time(0, 0),
        settings_screen="timezone",
        settings_opened_at=utc(21, 9, 12, 3),
        menu_message_id=42,
        created_at=utc(18, 8, 0),
        schedule_cursor=utc(21, 9, 0),
        next_due_at=None,
        weekly_report_on=False,
        next_weekly_report_at=None,
    )
    eve = Member(
        id=5,
        telegram_id=1005,
        chat_id=1005,
        first_name="Ëve 🌱",
        language="en",
        timezone="Europe/London",
        onboarding_step="language",
        created_at=utc(23, 9, 30),
        schedule_cursor=utc(23, 9, 30),
        next_due_at=utc(23, 12, 15),
        next_weekly_report_at=utc(29, 19),
    )
    return [anna, ben, chloe, dirk, eve]


def nudges() -> list[Nudge]:
    monday = date(2026, 11, 23)
    return [
        Nudge(
            id=1,
            member_id=1,
            habit="water",
            slot="water-0700",
            local_date=monday,
            due_at=utc(23, 6),
            status=NudgeStatus.SENT,
            tip_id="water-why",
            message_id=101,
            claimed_at=utc(23, 6, 0, 5),
            claimed_by=ROUND_A,
            sent_at=utc(23, 6, 0, 6),
        ),
        Nudge(
            id=2,
            member_id=1,
            habit="walk",
            slot="walk-breakfast",
            local_date=monday,
            due_at=utc(23, 7, 15),
            status=NudgeStatus.ANSWERED,
            tip_id="walk-digestion",
            message_id=102,
            claimed_at=utc(23, 7, 15, 2),
            claimed_by=ROUND_A,
            sent_at=utc(23, 7, 15, 3),
            answered_at=utc(23, 7, 41, 10),
        ),
        Nudge(
            id=3,
            member_id=1,
            habit="sleep",
            slot="sleep-morning",
            local_date=monday,
            due_at=utc(23, 6, 15),
            status=NudgeStatus.ANSWERED,
            message_id=103,
            claimed_at=utc(23, 6, 15, 1),
            claimed_by=ROUND_A,
            sent_at=utc(23, 6, 15, 2),
            answered_at=utc(23, 6, 20),
        ),
        Nudge(
            id=4,
            member_id=1,
            habit="breathing",
            slot="breathing",
            local_date=date(2026, 11, 22),
            due_at=utc(22, 15),
            status=NudgeStatus.SNOOZED,
            tip_id="breathing-box",
            message_id=98,
            claimed_at=utc(22, 15, 0, 4),
            claimed_by=ROUND_B,
            sent_at=utc(22, 15, 0, 5),
            snooze_count=1,
            resend_at=utc(22, 15, 15, 30),
        ),
        Nudge(
            id=5,
            member_id=1,
            habit="walk",
            slot="walk-lunch",
            local_date=date(2026, 11, 22),
            due_at=utc(22, 11, 45),
            status=NudgeStatus.MISSED,
        ),
        Nudge(
            id=6,
            member_id=1,
            habit="water",
            slot="water-0900",
            local_date=monday,
            due_at=utc(23, 8),
            status=NudgeStatus.UNCONFIRMED,
            tip_id="water-bottle-in-sight",
            claimed_at=utc(23, 8, 0, 3),
            claimed_by=ROUND_B,
        ),
        Nudge(
            id=7,
            member_id=1,
            habit="water",
            slot="water-1100",
            local_date=monday,
            due_at=utc(23, 10),
            status=NudgeStatus.SENDING,
            tip_id="water-refill-break",
            claimed_at=utc(23, 10, 0, 2),
            claimed_by=ROUND_A,
        ),
        Nudge(
            id=8,
            member_id=1,
            habit="water",
            slot="water-1300",
            local_date=monday,
            due_at=utc(23, 12),
            status=NudgeStatus.CLAIMED,
            claimed_at=utc(23, 12, 0, 1),
            claimed_by=ROUND_A,
        ),
        Nudge(
            id=9,
            member_id=2,
            habit="water",
            slot="water-0830",
            local_date=monday,
            due_at=utc(23, 13, 30),
            status=NudgeStatus.SUPPRESSED,
        ),
        Nudge(
            id=10,
            member_id=2,
            habit="walk",
            slot="walk-dinner",
            local_date=date(2026, 11, 20),
            due_at=utc(21, 0, 30),
            status=NudgeStatus.PAUSED,
        ),
        Nudge(
            id=11,
            member_id=2,
            habit="sleep",
            slot="sleep-winddown",
            local_date=date(2026, 11, 22),
            due_at=utc(23, 2, 45),
            status=NudgeStatus.QUIET,
        ),
        Nudge(
            id=12,
            member_id=2,
            habit="walk",
            slot="walk-breakfast",
            local_date=date(2026, 11, 22),
            due_at=utc(22, 12, 15),
            status=NudgeStatus.SENT,
            tip_id="walk-ten-minutes",
            message_id=7,
            claimed_at=utc(22, 12, 45, 1),
            claimed_by=ROUND_B,
            sent_at=utc(22, 12, 45, 2),
            snooze_count=2,
        ),
        Nudge(
            id=13,
            member_id=4,
            habit="walk",
            slot="walk-breakfast",
            local_date=date(2026, 11, 21),
            due_at=utc(21, 7, 15),
            status=NudgeStatus.UNDELIVERED,
            tip_id="walk-indoors",
            claimed_at=utc(21, 7, 15, 6),
            claimed_by=ROUND_B,
        ),
    ]


def checkins() -> list[CheckIn]:
    monday = date(2026, 11, 23)
    done, skipped = CheckInStatus.DONE, CheckInStatus.SKIPPED
    button, typed = CheckInSource.BUTTON, CheckInSource.TEXT
    return [
        CheckIn(
            id=1,
            member_id=1,
            habit="water",
            nudge_id=1,
            local_date=monday,
            value=1.0,
            status=done,
            source=button,
            created_at=utc(23, 6, 2, 11),
        ),
        CheckIn(  # "2 glazen"
            id=2,
            member_id=1,
            habit="water",
            local_date=monday,
            value=2.0,
            status=done,
            source=typed,
            created_at=utc(23, 9, 14, 59),
        ),
        CheckIn(
            id=3,
            member_id=1,
            habit="walk",
            slot="walk-breakfast",
            nudge_id=2,
            local_date=monday,
            status=done,
            source=button,
            created_at=utc(23, 7, 41, 10),
        ),
        CheckIn(  # "7,5 uur"
            id=4,
            member_id=1,
            habit="sleep",
            slot="sleep-morning",
            nudge_id=3,
            local_date=monday,
            value=7.5,
            status=done,
            source=typed,
            created_at=utc(23, 6, 20),
        ),
        CheckIn(  # the 9+ button
            id=5,
            member_id=2,
            habit="sleep",
            slot="sleep-morning",
            local_date=monday,
            value=9.0,
            status=done,
            source=button,
            created_at=utc(23, 11, 50),
        ),
        CheckIn(  # "overslaan"
            id=6,
            member_id=2,
            habit="breathing",
            slot="breathing",
            local_date=date(2026, 11, 22),
            status=skipped,
            source=typed,
            created_at=utc(22, 20, 5),
        ),
        CheckIn(
            id=7,
            member_id=2,
            habit="walk",
            slot="walk-breakfast",
            nudge_id=12,
            local_date=date(2026, 11, 22),
            status=skipped,
            source=button,
            created_at=utc(22, 13, 1, 30),
        ),
        CheckIn(  # typed just after midnight: counts for the evening before
            id=8,
            member_id=4,
            habit="water",
            local_date=date(2026, 11, 20),
            value=1.0,
            status=done,
            source=typed,
            created_at=utc(20, 23, 20),
        ),
    ]


def pauses() -> list[Pause]:
    return [
        Pause(id=1, member_id=2, starts_at=utc(20, 6), ends_at=utc(21, 6)),  # one day
        Pause(id=2, member_id=4, starts_at=utc(22, 10, 0, 30), ends_at=None),  # until resumed
        Pause(id=3, member_id=1, starts_at=utc(17, 9), ends_at=utc(17, 9, 30)),  # resumed early
    ]


def weekly_reports() -> list[WeeklyReport]:
    return [
        WeeklyReport(
            id=1,
            member_id=1,
            week_ending=date(2026, 11, 22),
            due_at=utc(22, 18),
            status=WeeklyReportStatus.SENT,
            tip_id="general-gut-skin-link",
            claimed_at=utc(22, 18, 0, 4),
            sent_at=utc(22, 18, 0, 9),
        ),
        WeeklyReport(
            id=2,
            member_id=2,
            week_ending=date(2026, 11, 20),
            due_at=utc(20, 23, 30),
            status=WeeklyReportStatus.MISSED,
            claimed_at=utc(21, 8, 0, 1),
        ),
        WeeklyReport(
            id=3,
            member_id=3,
            week_ending=date(2026, 11, 22),
            due_at=utc(22, 10),
            status=WeeklyReportStatus.UNDELIVERED,
            tip_id="general-daylight-outside",
            claimed_at=utc(22, 10, 0, 2),
        ),
        WeeklyReport(
            id=4,
            member_id=1,
            week_ending=date(2026, 11, 29),
            due_at=utc(29, 18),
            status=WeeklyReportStatus.CLAIMED,
            claimed_at=utc(29, 18, 0, 1),
        ),
    ]


def tip_changes() -> list[TipChange]:
    return [
        TipChange(
            id=1,
            tip_id="water-why",
            changed_at=utc(18, 10, 0, 0),
            changed_by=4242,
            changed_by_name="Ada",
            field="nl",
            before="Water helpt je spijsvertering.",
            after="Water helpt je spijsvertering op gang.",
        ),
        TipChange(
            id=2,
            tip_id="walk-digestion",
            changed_at=utc(19, 14, 30),
            changed_by=None,  # the tip file edited by hand
            changed_by_name="",
            field="enabled",
            before="true",
            after="false",
        ),
        TipChange(
            id=3,
            tip_id="walk-after-rain",
            changed_at=utc(20, 8, 5),
            changed_by=4242,
            changed_by_name="Ada",
            field="tip",
            before=None,
            after="Na de regen ruikt het buiten heerlijk. | The air smells great after rain.",
        ),
    ]


def check_coverage(nudge_rows: list[Nudge], reports: list[WeeklyReport], checkin_rows: list[CheckIn]) -> None:
    """The release's every status and kind of row is in the file, so the upgrade test sees them."""
    assert {n.status for n in nudge_rows} == set(NudgeStatus), "a nudge status is missing"
    assert {r.status for r in reports} == set(WeeklyReportStatus), "a weekly picture status is missing"
    assert {(c.status, c.source) for c in checkin_rows} == {
        (status, source) for status in CheckInStatus for source in CheckInSource
    }


def build(output: Path) -> None:
    """Write the database to a temporary file beside `output`, then rename it into place."""
    descriptor, name = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".tmp")
    os.close(descriptor)
    temporary = Path(name)
    try:
        engine = create_db_engine(f"sqlite:///{temporary}")
        try:
            upgrade_schema(engine)
            nudge_rows, reports, checkin_rows = nudges(), weekly_reports(), checkins()
            check_coverage(nudge_rows, reports, checkin_rows)
            with new_session(engine) as session:
                groups: list[list[SQLModel]] = [
                    list(members()),
                    list(nudge_rows),
                    list(checkin_rows),
                    list(pauses()),
                    list(reports),
                    list(tip_changes()),
                ]
                for group in groups:
                    session.add_all(group)
                    session.flush()
                session.commit()
        finally:
            engine.dispose()
        connection = sqlite3.connect(temporary, isolation_level=None)
        try:
            connection.execute("PRAGMA journal_mode=DELETE")  # one file, nothing beside it
            connection.execute("VACUUM")
        finally:
            connection.close()
        temporary.chmod(0o644)
        os.replace(temporary, output)
    finally:
        temporary.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.data.make_release_db", description=__doc__)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--replace", action="store_true", help="overwrite an existing file")
    arguments = parser.parse_args(argv)
    if arguments.output.exists() and not arguments.replace:
        print(
            f"{arguments.output} exists; it is the record of its release (--replace to rebuild it)",
            file=sys.stderr,
        )
        return 1
    build(arguments.output)
    print(f"wrote {arguments.output} ({arguments.output.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
