"""Plain query functions: each takes a session and keyword arguments and does one thing."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, MetaData, String, Table, bindparam, delete, func, or_, update
from sqlmodel import Session, SQLModel, col, select

from storage.models import CheckIn, Member, Nudge, NudgeStatus, Pause, TipChange, WeeklyReport


def get_member(*, session: Session, member_id: int) -> Member | None:
    return session.get(Member, member_id)


def get_member_by_telegram_id(*, session: Session, telegram_id: int) -> Member | None:
    return session.exec(select(Member).where(Member.telegram_id == telegram_id)).first()


def create_member(*, session: Session, member: Member) -> Member:
    session.add(member)
    session.flush()
    return member


def lock_due_members(*, session: Session, now: datetime, limit: int) -> Sequence[Member]:
    """Active members with a slot open by `now`, earliest deadline first, locked for this transaction.

    On PostgreSQL, SKIP LOCKED lets several dispatchers share the work without waiting on each other;
    SQLite ignores the clause (it has a single writer).
    """
    statement = (
        select(Member)
        .where(col(Member.active).is_(True), col(Member.next_due_at) <= now)
        # Earliest deadline first: what would be late soonest is taken first (scheduler/windows.py).
        .order_by(col(Member.next_deadline_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return session.exec(statement).all()


def checkins_on(*, session: Session, member_id: int, day: date) -> Sequence[CheckIn]:
    statement = (
        select(CheckIn)
        .where(CheckIn.member_id == member_id, CheckIn.local_date == day)
        .order_by(col(CheckIn.id))
    )
    return session.exec(statement).all()


def recent_tip_ids(*, session: Session, member_id: int, habit: str, limit: int) -> list[str]:
    """Tips this member was sent for a habit, newest first."""
    statement = (
        select(Nudge.tip_id)
        .where(
            Nudge.member_id == member_id,
            Nudge.habit == habit,
            col(Nudge.tip_id).is_not(None),
            col(Nudge.sent_at).is_not(None),
        )
        .order_by(col(Nudge.sent_at).desc(), col(Nudge.id).desc())
        .limit(limit)
    )
    return [tip_id for tip_id in session.exec(statement).all() if tip_id is not None]


def tip_ids_sent_since(
    *, session: Session, pairs: Collection[tuple[int, str]], since: datetime
) -> dict[tuple[int, str], set[str]]:
    """Per (member_id, habit), the tips that member was sent for that habit after `since`."""
    found: dict[tuple[int, str], set[str]] = {}
    wanted = set(pairs)
    if not wanted:
        return found
    statement = select(col(Nudge.member_id), col(Nudge.habit), col(Nudge.tip_id)).where(
        col(Nudge.member_id).in_({member_id for member_id, _ in wanted}),
        col(Nudge.habit).in_({habit for _, habit in wanted}),
        col(Nudge.tip_id).is_not(None),
        col(Nudge.sent_at) > since,
    )
    for member_id, habit, tip_id in session.exec(statement).all():
        if (member_id, habit) in wanted and tip_id is not None:
            found.setdefault((member_id, habit), set()).add(tip_id)
    return found


def add_nudge(*, session: Session, nudge: Nudge) -> Nudge:
    session.add(nudge)
    session.flush()
    return nudge


def lock_snoozed_nudges_due(*, session: Session, now: datetime, limit: int) -> Sequence[Nudge]:
    statement = (
        select(Nudge)
        .where(Nudge.status == NudgeStatus.SNOOZED, col(Nudge.resend_at) <= now)
        .order_by(col(Nudge.resend_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return session.exec(statement).all()


def lock_abandoned_claims(*, session: Session, claimed_before: datetime, limit: int) -> Sequence[Nudge]:
    """Claims a dispatcher took but never handed to Telegram (it died or let go): safe to take over."""
    statement = (
        select(Nudge)
        .where(
            Nudge.status == NudgeStatus.CLAIMED,
            or_(col(Nudge.claimed_at) < claimed_before, col(Nudge.claimed_by).is_(None)),
        )
        .order_by(col(Nudge.due_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return session.exec(statement).all()


def mark_stale_claims_unconfirmed(*, session: Session, claimed_before: datetime) -> dict[str, int]:
    """Sends whose outcome was never recorded (the sender died): never sent again (at most once).

    Returns how many per habit."""
    nudge = _nudge_table()
    habits = (
        session.connection()
        .execute(
            update(nudge)
            .where(nudge.c.status == NudgeStatus.SENDING.value, nudge.c.claimed_at < claimed_before)
            .values(status=NudgeStatus.UNCONFIRMED.value)
            .returning(nudge.c.habit)
        )
        .scalars()
        .all()
    )
    counts: dict[str, int] = {}
    for habit in habits:
        counts[habit] = counts.get(habit, 0) + 1
    return counts


def create_checkin(*, session: Session, checkin: CheckIn) -> CheckIn:
    session.add(checkin)
    session.flush()
    return checkin


def checkins_of_member(*, session: Session, member_id: int) -> Sequence[CheckIn]:
    statement = select(CheckIn).where(CheckIn.member_id == member_id).order_by(col(CheckIn.id))
    return session.exec(statement).all()


def nudges_of_member(*, session: Session, member_id: int) -> Sequence[Nudge]:
    statement = select(Nudge).where(Nudge.member_id == member_id).order_by(col(Nudge.id))
    return session.exec(statement).all()


def start_sending(*, session: Session, nudge_ids: Sequence[int], claimer: str, now: datetime) -> set[int]:
    """Mark the nudges this claimer still holds as SENDING; return those ids (only these may go).

    One UPDATE ... RETURNING; the caller commits before handing them to Telegram.
    """
    nudge = _nudge_table()
    held = (
        session.connection()
        .execute(
            update(nudge)
            .where(
                nudge.c.id.in_(list(nudge_ids)),
                nudge.c.status == NudgeStatus.CLAIMED.value,
                nudge.c.claimed_by == claimer,
            )
            .values(status=NudgeStatus.SENDING.value, claimed_at=now)
            .returning(nudge.c.id)
        )
        .scalars()
        .all()
    )
    return set(held)


def mark_late(*, session: Session, nudge_ids: Sequence[int], claimer: str) -> int:
    """Claims this claimer holds that can no longer go out inside their window: LATE, not sent."""
    if not nudge_ids:
        return 0
    nudge = _nudge_table()
    result = session.connection().execute(
        update(nudge)
        .where(
            nudge.c.id.in_(list(nudge_ids)),
            nudge.c.status == NudgeStatus.CLAIMED.value,
            nudge.c.claimed_by == claimer,
        )
        .values(status=NudgeStatus.LATE.value)
    )
    return int(result.rowcount)


def _nudge_table() -> Table:
    return SQLModel.metadata.tables["nudge"]


def release_claims(*, session: Session, nudge_ids: Sequence[int], claimer: str) -> int:
    """Let go of claims that were never handed to Telegram, so the next tick may send them at once."""
    result = session.exec(
        update(Nudge)
        .where(
            col(Nudge.id).in_(list(nudge_ids)),
            col(Nudge.status) == NudgeStatus.CLAIMED,
            col(Nudge.claimed_by) == claimer,
        )
        .values(claimed_by=None)
    )
    session.commit()
    return int(result.rowcount)


def pause_covering(*, session: Session, member_id: int, instant: datetime) -> Pause | None:
    """The member's pause in force at `instant`, if any."""
    statement = select(Pause).where(
        Pause.member_id == member_id,
        col(Pause.starts_at) <= instant,
        or_(col(Pause.ends_at).is_(None), col(Pause.ends_at) > instant),
    )
    return session.exec(statement.order_by(col(Pause.starts_at).desc())).first()


def pauses_of_member(*, session: Session, member_id: int) -> Sequence[Pause]:
    statement = select(Pause).where(Pause.member_id == member_id).order_by(col(Pause.starts_at))
    return session.exec(statement).all()


def add_pause(*, session: Session, pause: Pause) -> Pause:
    session.add(pause)
    session.flush()
    return pause


def members_without_weekly_schedule(*, session: Session, limit: int) -> Sequence[Member]:
    """Active members who want the weekly picture but have no due time for it yet."""
    statement = (
        select(Member)
        .where(
            col(Member.active).is_(True),
            col(Member.weekly_report_on).is_(True),
            col(Member.next_weekly_report_at).is_(None),
        )
        .order_by(col(Member.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return session.exec(statement).all()


def lock_members_due_weekly_report(*, session: Session, now: datetime, limit: int) -> Sequence[Member]:
    """Active members whose weekly picture is due by `now`, earliest first, locked."""
    statement = (
        select(Member)
        .where(
            col(Member.active).is_(True),
            col(Member.weekly_report_on).is_(True),
            col(Member.next_weekly_report_at) <= now,
        )
        .order_by(col(Member.next_weekly_report_at))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return session.exec(statement).all()


def weekly_report_for_week(*, session: Session, member_id: int, week_ending: date) -> WeeklyReport | None:
    statement = select(WeeklyReport).where(
        WeeklyReport.member_id == member_id, WeeklyReport.week_ending == week_ending
    )
    return session.exec(statement).first()


def add_weekly_report(*, session: Session, report: WeeklyReport) -> WeeklyReport:
    session.add(report)
    session.flush()
    return report


def weekly_reports_of_member(*, session: Session, member_id: int) -> Sequence[WeeklyReport]:
    statement = (
        select(WeeklyReport)
        .where(WeeklyReport.member_id == member_id)
        .order_by(col(WeeklyReport.week_ending))
    )
    return session.exec(statement).all()


def recent_weekly_tip_ids(*, session: Session, member_id: int, limit: int) -> list[str]:
    """Tips sent with this member's weekly pictures, newest first."""
    statement = (
        select(WeeklyReport.tip_id)
        .where(WeeklyReport.member_id == member_id, col(WeeklyReport.tip_id).is_not(None))
        .order_by(col(WeeklyReport.week_ending).desc())
        .limit(limit)
    )
    return [tip_id for tip_id in session.exec(statement).all() if tip_id is not None]


def member_references() -> list[tuple[Table, Column[object]]]:
    """Every (table, column) that points at a member: a `member_id` column or a foreign key.

    Dependent tables come first (reverse dependency order), so deleting in this order never trips
    a foreign key. Tables added later are found without changing this function.
    """
    member_table = SQLModel.metadata.tables["member"]
    references: list[tuple[Table, Column[object]]] = []
    for table in reversed(SQLModel.metadata.sorted_tables):
        if table is member_table:
            continue
        for column in table.columns:
            points_at_member = any(fk.column.table is member_table for fk in column.foreign_keys)
            if column.name == "member_id" or points_at_member:
                references.append((table, column))
    return references


def erase_member(*, session: Session, member_id: int) -> dict[str, int]:
    """Delete every row that references the member, then the member; return rows deleted per table.

    Explicit deletes rather than ON DELETE CASCADE alone: SQLite enforces foreign keys only on
    connections that switched them on.
    """
    deleted: dict[str, int] = {}
    for table, column in member_references():
        result = session.exec(delete(table).where(column == member_id))
        deleted[table.name] = deleted.get(table.name, 0) + int(result.rowcount)
    member_table = SQLModel.metadata.tables["member"]
    result = session.exec(delete(member_table).where(member_table.c.id == member_id))
    deleted[member_table.name] = int(result.rowcount)
    return deleted


def add_tip_changes(*, session: Session, changes: Iterable[TipChange]) -> list[TipChange]:
    """Store changes to tips and commit."""
    stored = list(changes)
    session.add_all(stored)
    session.commit()
    return stored


def tip_changes(*, session: Session, tip_id: str, limit: int) -> Sequence[TipChange]:
    """The latest changes to one tip, newest first."""
    statement = (
        select(TipChange)
        .where(TipChange.tip_id == tip_id)
        .order_by(col(TipChange.changed_at).desc(), col(TipChange.id).desc())
        .limit(limit)
    )
    return session.exec(statement).all()


def earliest_due_at(*, session: Session) -> datetime | None:
    """The earliest instant anything is due: a member's next slot, a snoozed nudge's return, a
    weekly picture (one not worked out yet is worked out by the next tick) or the end of a routine
    day with prompts to close."""
    slot = session.exec(select(func.min(Member.next_due_at)).where(col(Member.active).is_(True))).one()
    snoozed = session.exec(select(func.min(Nudge.resend_at)).where(Nudge.status == NudgeStatus.SNOOZED)).one()
    weekly = session.exec(
        select(func.min(Member.next_weekly_report_at)).where(
            col(Member.active).is_(True), col(Member.weekly_report_on).is_(True)
        )
    ).one()
    closing = session.exec(select(func.min(Nudge.open_until))).one()
    found = [moment for moment in (slot, snoozed, weekly, closing) if moment is not None]
    return min(found) if found else None


# Batched forms of the look-ups above, for a dispatch claim that handles hundreds of members at once.


def members_by_ids(*, session: Session, member_ids: Collection[int]) -> dict[int, Member]:
    if not member_ids:
        return {}
    statement = select(Member).where(col(Member.id).in_(list(member_ids)))
    return {member.id: member for member in session.exec(statement).all() if member.id is not None}


def nudge_keys_of_members(
    *, session: Session, member_ids: Collection[int], days: Collection[date]
) -> set[tuple[int, str, date, str]]:
    """(member_id, habit, local_date, slot) of the nudges these members already have on these days."""
    if not member_ids or not days:
        return set()
    statement = select(col(Nudge.member_id), col(Nudge.habit), col(Nudge.local_date), col(Nudge.slot)).where(
        col(Nudge.member_id).in_(list(member_ids)), col(Nudge.local_date).in_(list(days))
    )
    return {(member_id, habit, day, slot) for member_id, habit, day, slot in session.exec(statement).all()}


def checkins_of_members_on(
    *, session: Session, member_ids: Collection[int], days: Collection[date]
) -> dict[tuple[int, date], list[CheckIn]]:
    """Check-ins per (member, routine day), oldest first."""
    found: dict[tuple[int, date], list[CheckIn]] = {}
    if not member_ids or not days:
        return found
    statement = (
        select(CheckIn)
        .where(col(CheckIn.member_id).in_(list(member_ids)), col(CheckIn.local_date).in_(list(days)))
        .order_by(col(CheckIn.id))
    )
    for checkin in session.exec(statement).all():
        found.setdefault((checkin.member_id, checkin.local_date), []).append(checkin)
    return found


def pauses_of_members_between(
    *, session: Session, member_ids: Collection[int], start: datetime, end: datetime
) -> dict[int, list[Pause]]:
    """Per member, the pauses in force at some moment of [start, end], latest start first."""
    found: dict[int, list[Pause]] = {}
    if not member_ids:
        return found
    statement = (
        select(Pause)
        .where(
            col(Pause.member_id).in_(list(member_ids)),
            col(Pause.starts_at) <= end,
            or_(col(Pause.ends_at).is_(None), col(Pause.ends_at) > start),
        )
        .order_by(col(Pause.starts_at).desc())
    )
    for pause in session.exec(statement).all():
        found.setdefault(pause.member_id, []).append(pause)
    return found


def recent_tip_ids_of_members(
    *, session: Session, pairs: Collection[tuple[int, str]], limit: int
) -> dict[tuple[int, str], list[str]]:
    """recent_tip_ids for many (member_id, habit) pairs in one query: at most `limit` each."""
    found: dict[tuple[int, str], list[str]] = {}
    wanted = set(pairs)
    if not wanted:
        return found
    rank = func.row_number().over(
        partition_by=(col(Nudge.member_id), col(Nudge.habit)),
        order_by=(col(Nudge.sent_at).desc(), col(Nudge.id).desc()),
    )
    ranked = (
        select(col(Nudge.member_id), col(Nudge.habit), col(Nudge.tip_id), rank.label("rank"))
        .where(
            col(Nudge.member_id).in_({member_id for member_id, _ in wanted}),
            col(Nudge.habit).in_({habit for _, habit in wanted}),
            col(Nudge.tip_id).is_not(None),
            col(Nudge.sent_at).is_not(None),
        )
        .subquery()
    )
    statement = (
        select(ranked.c.member_id, ranked.c.habit, ranked.c.tip_id)
        .where(ranked.c.rank <= limit)
        .order_by(ranked.c.member_id, ranked.c.habit, ranked.c.rank)
    )
    for member_id, habit, tip_id in session.exec(statement).all():
        if (member_id, habit) in wanted:
            found.setdefault((member_id, habit), []).append(tip_id)
    return found


def add_nudges(*, session: Session, nudges: Sequence[Nudge]) -> None:
    """Insert many nudges in one flush (batched INSERT ... RETURNING); each gets its id."""
    session.add_all(nudges)
    session.flush()


def record_send_outcomes(*, session: Session, outcomes: Sequence[dict[str, Any]]) -> None:
    """Record sends by primary key in the session (the caller commits): {"id", "status"} each,
    plus "message_id", "sent_at" and "paid" (a paid broadcast) for the delivered ones.

    A member can answer or snooze a nudge between Telegram accepting it and this commit; that
    answer stands, so the status is written only over SENDING (or UNCONFIRMED: a slow send that
    outlived its lease). The message id and send time are recorded either way. A nudge erased with
    its member in the meantime is simply not there to update.
    """
    nudge = _nudge_table()
    connection = session.connection()
    delivered = [
        {
            "nudge_id": o["id"],
            "new_message_id": o["message_id"],
            "new_sent_at": o["sent_at"],
            "new_paid": bool(o.get("paid", False)),
        }
        for o in outcomes
        if "message_id" in o
    ]
    if delivered:
        connection.execute(
            update(nudge)
            .where(nudge.c.id == bindparam("nudge_id"))
            .values(
                message_id=bindparam("new_message_id"),
                sent_at=bindparam("new_sent_at"),
                paid=bindparam("new_paid"),
            ),
            delivered,
        )
    if outcomes:
        connection.execute(
            update(nudge)
            .where(
                nudge.c.id == bindparam("nudge_id"),
                # Not IN (...): an expanding parameter cannot go into an executemany.
                or_(
                    nudge.c.status == NudgeStatus.SENDING.value,
                    nudge.c.status == NudgeStatus.UNCONFIRMED.value,
                ),
            )
            .values(status=bindparam("new_status")),
            [{"nudge_id": o["id"], "new_status": str(o["status"])} for o in outcomes],
        )


def deactivate_member(*, session: Session, member_id: int) -> None:
    """The member blocked the bot: no more nudges until they send /start again."""
    member = get_member(session=session, member_id=member_id)
    if member is not None and member.active:
        member.active = False
        member.next_due_at = None
        session.commit()


# The reminder log's retention, and what the operators' metrics read at scrape time.


def delete_nudges_due_before(
    *, session: Session, before: datetime, keep_statuses: Collection[str], limit: int
) -> int:
    """Delete at most `limit` of the oldest nudges due before `before`, except those whose status
    is one of `keep_statuses` (the caller commits); returns how many.

    NOT IN rather than IN the other statuses: an IN would lead SQLite down the status index and
    sort every old row; this way it walks ix_nudge_due_at from the oldest and stops at `limit`.
    """
    nudge = _nudge_table()
    oldest = (
        select(nudge.c.id)
        .where(nudge.c.due_at < before, nudge.c.status.not_in(list(keep_statuses)))
        .order_by(nudge.c.due_at)
        .limit(limit)
    )
    ids = list(session.connection().execute(oldest).scalars())
    if not ids:
        return 0
    result = session.connection().execute(delete(nudge).where(nudge.c.id.in_(ids)))
    return int(result.rowcount)


def delete_weekly_reports_due_before(*, session: Session, before: datetime, limit: int) -> int:
    """Delete at most `limit` of the oldest weekly picture rows due before `before` (the caller
    commits); returns how many."""
    report = SQLModel.metadata.tables["weeklyreport"]
    oldest = select(report.c.id).where(report.c.due_at < before).order_by(report.c.due_at).limit(limit)
    ids = list(session.connection().execute(oldest).scalars())
    if not ids:
        return 0
    result = session.connection().execute(delete(report).where(report.c.id.in_(ids)))
    return int(result.rowcount)


def member_state_counts(*, session: Session, now: datetime) -> dict[str, int]:
    """Members per state: "active" (getting nudges), "paused" (active, a pause covers `now`),
    "inactive" (blocked the bot). Two counts over the member table and one over the pauses."""
    connection = session.connection()
    everyone = connection.execute(select(func.count()).select_from(Member)).scalar_one()
    active = connection.execute(
        select(func.count()).select_from(Member).where(col(Member.active).is_(True))
    ).scalar_one()
    paused = connection.execute(
        select(func.count(func.distinct(Pause.member_id)))
        .join(Member, col(Member.id) == col(Pause.member_id))
        .where(
            col(Member.active).is_(True),
            col(Pause.starts_at) <= now,
            or_(col(Pause.ends_at).is_(None), col(Pause.ends_at) > now),
        )
    ).scalar_one()
    return {
        "active": int(active) - int(paused),
        "paused": int(paused),
        "inactive": int(everyone) - int(active),
    }


def nudge_backlog(*, session: Session, now: datetime) -> int:
    """Nudges due by `now` and not yet handed to Telegram: claimed ones, snoozed ones whose time
    has come, and one for each active member whose next slot is due but not yet claimed."""
    connection = session.connection()
    claimed = connection.execute(
        select(func.count()).select_from(Nudge).where(col(Nudge.status) == NudgeStatus.CLAIMED)
    ).scalar_one()
    snoozed = connection.execute(
        select(func.count())
        .select_from(Nudge)
        .where(col(Nudge.status) == NudgeStatus.SNOOZED, col(Nudge.resend_at) <= now)
    ).scalar_one()
    members = connection.execute(
        select(func.count())
        .select_from(Member)
        .where(col(Member.next_due_at) <= now, col(Member.active).is_(True))
    ).scalar_one()
    return int(claimed) + int(snoozed) + int(members)


def schema_revision(*, session: Session) -> str | None:
    """The database's schema revision: a read that reaches the database file or server."""
    table = Table("alembic_version", MetaData(), Column("version_num", String))
    return session.connection().execute(select(table.c.version_num)).scalars().first()
