"""Every table the bot stores. Times are UTC instants; `local_date` is the member's routine day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, Index, Integer, UniqueConstraint, false
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and always returns them aware, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utc_column(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


def member_reference() -> Any:
    return Field(sa_column=Column(Integer, ForeignKey("member.id", ondelete="CASCADE"), nullable=False))


class NudgeStatus(StrEnum):
    CLAIMED = "claimed"  # taken by a tick, not yet handed to Telegram
    SENDING = "sending"  # handed to Telegram; the outcome is not recorded yet
    SENT = "sent"
    SNOOZED = "snoozed"
    ANSWERED = "answered"
    MISSED = "missed"  # due while the bot was down, older than the grace window: not sent
    SUPPRESSED = "suppressed"  # already done (or goal reached) when it fell due: not sent
    PAUSED = "paused"  # fell due while the member had paused the bot: not sent
    QUIET = "quiet"  # would have gone out inside the member's quiet hours: not sent
    UNDELIVERED = "undelivered"  # Telegram refused it or kept failing
    UNCONFIRMED = "unconfirmed"  # the process died between claiming and recording the send
    # Held back so that the bot does not nag (scheduler/nagging.py): not sent.
    HELD_BACK = "held_back"  # water: 3 went unanswered in a row today, so only every other one goes
    CAPPED = "capped"  # the member already has the day's most unanswered nudges (UNANSWERED_A_DAY)
    QUIET_MODE = "quiet_mode"  # nothing answered for 7 days: only the day's checklist goes
    QUESTION_OPEN = "question_open"  # today's question about this habit still waits for its answer
    # Could not go out inside its window (scheduler/windows.py) because Telegram's rate was taken
    # by other nudges: not sent. A late water nudge is folded into the next one.
    LATE = "late"


# The statuses of nudges held back so that the bot does not nag.
BACKED_OFF_STATUSES = (
    NudgeStatus.HELD_BACK,
    NudgeStatus.CAPPED,
    NudgeStatus.QUIET_MODE,
    NudgeStatus.QUESTION_OPEN,
)


class PromptKind(StrEnum):
    """What a sent nudge's message was, when it was not the plain nudge of its slot."""

    CHECK_QUESTION = "check-question"  # "do these times still fit?", about the slot's habit
    CHECKLIST = "checklist"  # quiet mode's one message of the day: today's habits to tick off


# The routine a new member starts with (the onboarding's defaults and every fallback use these).
DEFAULT_WAKE_TIME = time(7, 0)
DEFAULT_BREAKFAST_TIME = time(8, 0)
DEFAULT_LUNCH_TIME = time(12, 30)
DEFAULT_DINNER_TIME = time(18, 30)
DEFAULT_BEDTIME = time(23, 0)
DEFAULT_BREATHING_TIME = time(16, 0)
DEFAULT_WATER_INTERVAL_MINUTES = 120


class Member(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    telegram_id: int = Field(sa_column=Column(BigInteger, unique=True, nullable=False))
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    first_name: str = ""
    language: str = "nl"
    timezone: str = "Europe/Amsterdam"
    wake_time: time = DEFAULT_WAKE_TIME
    breakfast_time: time = DEFAULT_BREAKFAST_TIME
    lunch_time: time = DEFAULT_LUNCH_TIME
    dinner_time: time = DEFAULT_DINNER_TIME
    bedtime: time = DEFAULT_BEDTIME
    breathing_time: time = DEFAULT_BREATHING_TIME
    water_on: bool = True
    walk_on: bool = True
    breathing_on: bool = True
    sleep_on: bool = True
    water_goal: int = 8
    water_interval_minutes: int = DEFAULT_WATER_INTERVAL_MINUTES
    snooze_minutes: int = 15
    active: bool = True
    # Quiet hours (no nudges from start until end, local time); both None: derived from the
    # bedtime and wake-up time (scheduler/quiet.py); start == end: no quiet hours at all.
    quiet_start: time | None = None
    quiet_end: time | None = None
    # The onboarding step the member is on; None once onboarding is done (or was never needed).
    onboarding_step: str | None = None
    # The settings screen waiting for typed input (e.g. "timezone"), since when, and the menu
    # message to edit once it arrives; kept here so a restart loses nothing.
    settings_screen: str | None = None
    settings_opened_at: datetime | None = utc_column(nullable=True)
    menu_message_id: int | None = None
    created_at: datetime = utc_column()
    # Every slot due at or before the cursor has been dealt with (sent, missed or suppressed).
    schedule_cursor: datetime = utc_column()
    # When the member's next slot may go out (its window opens, scheduler/windows.py), and when
    # that slot's window closes: members are taken earliest deadline first.
    next_due_at: datetime | None = utc_column(nullable=True, index=True)
    next_deadline_at: datetime | None = utc_column(nullable=True, index=True)
    # A walk day counts when at least "one" meal walk is done, or "all" of them.
    walk_streak_rule: str = "one"
    # The weekly picture: on/off, local weekday (Monday 0 ... Sunday 6) and time.
    weekly_report_on: bool = True
    weekly_report_weekday: int = 6
    weekly_report_time: time = time(19, 0)
    # When the next weekly picture is due; None: to be worked out by the next tick (after a change).
    next_weekly_report_at: datetime | None = utc_column(nullable=True, index=True)
    # The member's latest answer of any kind (a tap, a typed check-in, a snooze); None: none yet.
    # Quiet mode counts from it.
    last_answer_at: datetime | None = utc_column(nullable=True)
    # Slots the member asked to be nudged for less often ("walk-breakfast,sleep-winddown"):
    # their habit stays on, these slots are left out of the routine.
    muted_slots: str = Field(default="", sa_column_kwargs={"server_default": ""})
    # Guided breathing (/adem): the pattern, the length in minutes and whether a text is edited or
    # an animation loops; the values of habits.breathing's BreathingPattern, SessionLength and
    # GuidanceMode (storage sits below habits, so the defaults are spelled out here).
    breathing_pattern: str = "calm"
    breathing_minutes: int = 2
    breathing_guidance: str = "text"


class Nudge(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("member_id", "habit", "local_date", "slot", name="uq_nudge_slot"),
        Index("ix_nudge_status_resend_at", "status", "resend_at"),
        Index("ix_nudge_member_sent_at", "member_id", "sent_at"),
        # The reminder log's retention deletes the oldest rows first (storage.queries).
        Index("ix_nudge_due_at", "due_at"),
        # The paid broadcasts of a day are counted against PAID_BROADCAST_DAILY_LIMIT.
        Index("ix_nudge_paid_sent_at", "paid", "sent_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = member_reference()
    habit: str
    slot: str
    local_date: date
    due_at: datetime = utc_column()
    status: str = NudgeStatus.CLAIMED
    tip_id: str | None = None
    message_id: int | None = None
    claimed_at: datetime | None = utc_column(nullable=True)
    # Which dispatcher round holds the claim, so a claim taken over by another is not sent twice.
    claimed_by: str | None = None
    sent_at: datetime | None = utc_column(nullable=True)
    answered_at: datetime | None = utc_column(nullable=True)
    snooze_count: int = 0
    resend_at: datetime | None = utc_column(nullable=True)
    # None: the slot's own nudge; else the question or checklist it went out as (PromptKind).
    shown_as: str | None = None
    # While its buttons are live: when its routine day ends, and with it the time to close it
    # (edit it to a short line without buttons) if still unanswered; None once that is dealt with.
    open_until: datetime | None = utc_column(nullable=True, index=True)
    # When it was closed unanswered: edited to a short line without buttons.
    closed_at: datetime | None = utc_column(nullable=True)
    # Sent as a paid broadcast (PAID_BROADCAST), beyond the free rate, to make its window.
    paid: bool = Field(default=False, sa_column_kwargs={"server_default": false()})


class CheckIn(SQLModel, table=True):
    __table_args__ = (
        Index("ix_checkin_member_day", "member_id", "local_date", "habit"),
        # Deleting a nudge sets its check-ins' nudge_id to NULL: without it, a scan per nudge.
        Index("ix_checkin_nudge_id", "nudge_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = member_reference()
    habit: str
    # Which slot it answers (e.g. "walk-lunch"); None for water, which counts glasses per day.
    slot: str | None = None
    nudge_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("nudge.id", ondelete="SET NULL"), nullable=True),
    )
    local_date: date
    value: float | None = None
    status: str
    source: str
    created_at: datetime = utc_column()


class Pause(SQLModel, table=True):
    """A period without nudges; paused days neither add to nor break a streak."""

    __table_args__ = (Index("ix_pause_member_starts_at", "member_id", "starts_at"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = member_reference()
    starts_at: datetime = utc_column()
    # None: until the member resumes.
    ends_at: datetime | None = utc_column(nullable=True)


class WeeklyReportStatus(StrEnum):
    CLAIMED = "claimed"  # taken by a tick; never sent twice, even if the process dies now
    SENT = "sent"
    MISSED = "missed"  # due while the bot was down for too long: not sent late
    UNDELIVERED = "undelivered"
    SILENT = "silent"  # not sent: the member answered nothing that week, it would only show crosses
    PAUSED = "paused"  # not sent: the member was paused the whole week


class WeeklyReport(SQLModel, table=True):
    """One weekly picture per member and week, unique so that a restart never sends it twice."""

    __table_args__ = (
        UniqueConstraint("member_id", "week_ending", name="uq_weekly_report_week"),
        Index("ix_weeklyreport_due_at", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = member_reference()
    # The last routine day the picture covers.
    week_ending: date
    due_at: datetime = utc_column()
    status: str = WeeklyReportStatus.CLAIMED
    tip_id: str | None = None
    claimed_at: datetime = utc_column()
    sent_at: datetime | None = utc_column(nullable=True)


class TipChange(SQLModel, table=True):
    """One change to a tip, made by an admin in Telegram or by hand in the tip file."""

    __table_args__ = (Index("ix_tipchange_tip_id_changed_at", "tip_id", "changed_at"),)

    id: int | None = Field(default=None, primary_key=True)
    tip_id: str
    changed_at: datetime = utc_column()
    # The admin's Telegram user id; None when the tip file was edited by hand.
    changed_by: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    changed_by_name: str = ""
    # "nl", "en", "enabled", "source", "group", or "tip" when the whole tip was added/removed.
    field: str
    before: str | None = None
    after: str | None = None


class TipDraftKind(StrEnum):
    ADD = "add"  # a new tip, its texts arriving one message at a time, then confirmed
    EDIT = "edit"  # a new text for a tip (the next message replaces it), then confirmed
    UNDO = "undo"  # how to undo a change that went live, for a short while
    SWITCH = "switch"  # a tip switched on or off while the tip file was invalid, not yet in it


class TipDraft(SQLModel, table=True):
    """An admin's change in the making, kept here so a restart loses nothing (each expires)."""

    __table_args__ = (Index("ix_tipdraft_admin_kind", "admin_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    # The admin's Telegram user id.
    admin_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    kind: str
    tip_id: str | None = None
    # The kind's own fields as JSON (see bot/admin/drafts.py and tips/changes.py).
    payload: str = "{}"
    # The chat message that shows the draft, edited as it moves on.
    message_id: int | None = None
    created_at: datetime = utc_column()
    # None: until done (pending switches wait for the file to be valid again).
    expires_at: datetime | None = utc_column(nullable=True)


class WebLink(SQLModel, table=True):
    """A one-time sign-in link for the tip editor in the browser; only a digest of it is kept."""

    id: int | None = Field(default=None, primary_key=True)
    digest: str = Field(unique=True)
    admin_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    # The admin's name in Telegram when they asked for the link: the history names them by it.
    admin_name: str = ""
    created_at: datetime = utc_column()
    expires_at: datetime = utc_column()
    used_at: datetime | None = utc_column(nullable=True)


class CheckQuestion(SQLModel, table=True):
    """A question asked about a habit whose nudges went unanswered for days, and the answer."""

    __table_args__ = (Index("ix_checkquestion_member_habit", "member_id", "habit", "asked_on"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = member_reference()
    habit: str
    # The routine day it was asked; the question about a habit comes at most every 14 days.
    asked_on: date
    # The nudge it went out as.
    nudge_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("nudge.id", ondelete="SET NULL"), nullable=True),
    )
    # scheduler.restraint.CheckChoice; None while unanswered.
    choice: str | None = None
    answered_at: datetime | None = utc_column(nullable=True)


class RhythmOffer(SQLModel, table=True):
    """An offer to move a slot to the time the member keeps answering it at, and the answer."""

    __table_args__ = (Index("ix_rhythmoffer_member_offered_on", "member_id", "offered_on"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = member_reference()
    slot: str
    # The routine day it was offered.
    offered_on: date
    # The slot's local time when offered, and the time offered instead.
    slot_time: time
    suggested: time
    # The nudge it went out with.
    nudge_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("nudge.id", ondelete="SET NULL"), nullable=True),
    )
    # True: moved; False: declined; None: not answered (which counts as declined).
    accepted: bool | None = None
    answered_at: datetime | None = utc_column(nullable=True)


class BreathingSessionStatus(StrEnum):
    RUNNING = "running"
    FINISHED = "finished"  # ran to its planned end; the breathing check-in is stored
    STOPPED = "stopped"  # the member tapped stop (or the message went away): nothing stored
    INTERRUPTED = "interrupted"  # the bot restarted while it ran


class BreathingSession(SQLModel, table=True):
    """One guided breathing session: the one message it edits, what it follows and how it ended.

    Kept in the database so that a restart finds the sessions that were running; the edits
    themselves are paced in memory by the process that started it.
    """

    __table_args__ = (Index("ix_breathingsession_member_status", "member_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = member_reference()
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    # None until Telegram has accepted the message.
    message_id: int | None = None
    pattern: str
    minutes: int
    # "text" or "animation", as it ran: a busy moment runs a text session as the animation.
    guidance: str
    started_at: datetime = utc_column()
    planned_end_at: datetime = utc_column()
    ended_at: datetime | None = utc_column(nullable=True)
    status: str = Field(default=BreathingSessionStatus.RUNNING, index=True)
    # The breathing nudge it was started from; its check-in is stored with that nudge.
    nudge_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("nudge.id", ondelete="SET NULL"), nullable=True),
    )


class AnimationFile(SQLModel, table=True):
    """A file Telegram keeps for the bot, under a key named by its content: uploaded once, then
    sent again by its `file_id`."""

    key: str = Field(primary_key=True)
    file_id: str
    created_at: datetime = utc_column()


class SendBudget(SQLModel, table=True):
    """A send budget that every process draws from on PostgreSQL (storage/send_budget.py).

    Two token buckets refilled from the time elapsed since `refilled_at`: the whole budget, and
    the nudges' share of it (the rest is kept for answers). Both hold at most one message, so
    no second sees a burst.
    """

    # "messages" (Telegram's free limit) or "paid" (paid broadcasts).
    name: str = Field(primary_key=True)
    tokens: float
    share_tokens: float
    refilled_at: datetime = utc_column()
    # Telegram answered 429: nobody sends before this.
    paused_until: datetime = utc_column()
