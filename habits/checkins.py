"""Recording check-ins, from a button on a nudge, a reaction on it or typed text, and what counts as done.

Every answer becomes one CheckIn row. A nudge is answered at most once; a habit that is already done
for a slot (or, for water, whose daily goal is reached) is not nudged again.

Typed text is answered by what it means and by the latest open nudge of today (`record_text`):
a snooze word snoozes that nudge within the snooze button's limits, a skip word on a water nudge
stores nothing (water counts glasses), a word about the night asks for the hours, and a command
word, a greeting or thanks is handed back to the bot as such. A walk with no walk nudge open counts
for the latest meal of the day whose time has come, and for none before the first meal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from habits.parsing import CheckInKind, Command, ParsedCheckIn, SleepQuality
from scheduler.routines import routine_of, zone_of
from scheduler.slots import BREATHING, SLEEP_MORNING, SLEEP_WIND_DOWN, meal_slot_at, routine_day
from storage import checkin_queries
from storage.checkin_queries import MemberSnapshot, NudgeSnapshot
from storage.direct import DirectConnection
from storage.kinds import CheckInSource, CheckInStatus, Habit
from storage.models import BreathingSessionStatus, NudgeStatus

MAX_SNOOZES = 2
MAX_SLEEP_HOURS = 16.0
MAX_GLASSES_AT_ONCE = 12
# A typed "klaar" answers the latest nudge only if it was sent this recently.
OPEN_NUDGE_WINDOW = timedelta(hours=12)
# A reaction is looked up among nudges sent this recently; only today's count, in any time zone.
REACTION_WINDOW = timedelta(days=2)


# A nudge whose message the member may have on screen. SENDING and UNCONFIRMED ones were most
# likely delivered (only the bookkeeping after the send is missing), so their buttons still count.
ANSWERABLE_STATUSES = frozenset(
    {NudgeStatus.SENT, NudgeStatus.SENDING, NudgeStatus.UNCONFIRMED, NudgeStatus.SNOOZED}
)


class Action(StrEnum):
    DONE = "done"
    SKIP = "skip"
    SNOOZE = "snooze"
    GLASS = "glass"
    HOURS = "hours"


class Outcome(StrEnum):
    RECORDED = "recorded"
    SNOOZED = "snoozed"
    SNOOZE_LIMIT = "snooze_limit"
    ALREADY_DONE = "already_done"
    EXPIRED = "expired"  # a button from an earlier day
    UNKNOWN_NUDGE = "unknown_nudge"  # no such nudge, someone else's, or a button that does not fit it
    NEEDS_HOURS = "needs_hours"  # "klaar" on the morning sleep question, or "slecht geslapen"
    NOTHING_OPEN = "nothing_open"
    NOT_UNDERSTOOD = "not_understood"
    NOT_REGISTERED = "not_registered"
    WATER_COUNTS_GLASSES = "water_counts_glasses"  # a skip word on a water nudge: nothing to skip
    NOT_SNOOZABLE = "not_snoozable"  # a snooze word on a nudge that has no snooze (water, sleep)
    NO_MEAL_YET = "no_meal_yet"  # a walk before the day's first meal: it follows no meal
    ACKNOWLEDGED = "acknowledged"  # "ok" with nothing open
    COMMAND = "command"  # a command word without its slash: the bot runs the command
    GREETED = "greeted"
    THANKED = "thanked"


@dataclass(frozen=True)
class CheckInResult:
    """What happened, with what the reply and the edit of the nudge message need to say it."""

    outcome: Outcome
    habit: Habit | None = None
    slot: str | None = None
    status: CheckInStatus | None = None
    value: float | None = None
    water_today: int = 0
    water_goal: int = 0
    snooze_minutes: int = 0
    # The nudge answered, or for the other outcomes the open nudge the reply is about.
    nudge: NudgeSnapshot | None = None
    language: str = "nl"
    quality: SleepQuality | None = None  # NEEDS_HOURS: how the member said they slept
    command: Command | None = None
    day: date | None = None  # NEEDS_HOURS: the routine day whose night is asked about

    @property
    def water_goal_reached(self) -> bool:
        return self.habit is Habit.WATER and self.water_today >= self.water_goal > 0

    @property
    def water_goal_reached_now(self) -> bool:
        """This answer's glasses took the day to the goal; later glasses are a plain count."""
        before = self.water_today - (self.value or 0)
        return self.water_goal_reached and before < self.water_goal


ACTIONS_BY_SLOT_KIND: dict[str, frozenset[Action]] = {
    "water": frozenset({Action.GLASS, Action.DONE}),
    "walk": frozenset({Action.DONE, Action.SKIP, Action.SNOOZE}),
    BREATHING: frozenset({Action.DONE, Action.SKIP, Action.SNOOZE}),
    SLEEP_WIND_DOWN: frozenset({Action.DONE, Action.SKIP}),
    SLEEP_MORNING: frozenset({Action.HOURS, Action.SKIP}),
}


def slot_kind(slot: str) -> str:
    """ "water-3" -> "water", "walk-lunch" -> "walk"; the sleep and breathing slots are their own kind."""
    if slot.startswith("water-"):
        return "water"
    if slot.startswith("walk-"):
        return "walk"
    return slot


def _water_today(connection: DirectConnection, member: MemberSnapshot, day: date) -> int:
    return checkin_queries.water_glasses_on(connection=connection, member_id=member.id, day=day)


def _store(
    connection: DirectConnection,
    member: MemberSnapshot,
    *,
    habit: Habit,
    slot: str | None,
    day: date,
    status: CheckInStatus,
    value: float | None,
    source: CheckInSource,
    now: datetime,
    nudge: NudgeSnapshot | None,
) -> CheckInResult:
    checkin_queries.add_checkin(
        connection=connection,
        member_id=member.id,
        habit=habit,
        slot=slot,
        nudge_id=nudge.id if nudge else None,
        local_date=day,
        value=value,
        status=status,
        source=source,
        created_at=now,
    )
    if nudge is not None:
        nudge = checkin_queries.mark_nudge_answered(connection=connection, nudge=nudge, at=now)
    water_today = _water_today(connection, member, day) if habit is Habit.WATER else 0
    connection.commit()
    return CheckInResult(
        Outcome.RECORDED,
        habit=habit,
        slot=slot,
        status=status,
        value=value,
        water_today=water_today,
        water_goal=member.water_goal,
        nudge=nudge,
        language=member.language,
    )


def _answer_nudge(
    connection: DirectConnection,
    member: MemberSnapshot,
    nudge: NudgeSnapshot,
    action: Action,
    value: float | None,
    source: CheckInSource,
    now: datetime,
    *,
    snooze_minutes: int | None = None,
) -> CheckInResult:
    """`snooze_minutes`: how long a snooze lasts when the member said so ("over 10 minuten")."""
    habit = Habit(nudge.habit)
    if action is Action.SNOOZE:
        if nudge.snooze_count >= MAX_SNOOZES:
            return CheckInResult(Outcome.SNOOZE_LIMIT, habit=habit, nudge=nudge, language=member.language)
        minutes = snooze_minutes or member.snooze_minutes
        nudge = checkin_queries.snooze_nudge(
            connection=connection,
            nudge=nudge,
            resend_at=now + timedelta(minutes=minutes),
            at=now,
        )
        connection.commit()
        return CheckInResult(
            Outcome.SNOOZED,
            habit=habit,
            slot=nudge.slot,
            nudge=nudge,
            snooze_minutes=minutes,
            language=member.language,
        )
    status = CheckInStatus.SKIPPED if action is Action.SKIP else CheckInStatus.DONE
    if habit is Habit.WATER:
        glasses = value if action is Action.GLASS and value else 1.0
        return _store(
            connection,
            member,
            habit=habit,
            slot=None,
            day=nudge.local_date,
            status=CheckInStatus.DONE,
            value=glasses,
            source=source,
            now=now,
            nudge=nudge,
        )
    return _store(
        connection,
        member,
        habit=habit,
        slot=nudge.slot,
        day=nudge.local_date,
        status=status,
        value=value if action is Action.HOURS else None,
        source=source,
        now=now,
        nudge=nudge,
    )


def answer_button(
    *,
    connection: DirectConnection,
    telegram_id: int,
    nudge_id: int,
    action: Action,
    value: float | None,
    now: datetime,
) -> CheckInResult:
    """A tap on a nudge's button. Buttons of other members' or earlier days' nudges change nothing."""
    member, nudge = checkin_queries.member_and_nudge(
        connection=connection, telegram_id=telegram_id, nudge_id=nudge_id
    )
    if member is None or nudge is None:
        return CheckInResult(Outcome.UNKNOWN_NUDGE, language=member.language if member else "nl")
    if action not in ACTIONS_BY_SLOT_KIND.get(slot_kind(nudge.slot), frozenset()):
        return CheckInResult(Outcome.UNKNOWN_NUDGE, nudge=nudge, language=member.language)
    if action is Action.HOURS and (value is None or not 0 < value <= MAX_SLEEP_HOURS):
        return CheckInResult(Outcome.UNKNOWN_NUDGE, nudge=nudge, language=member.language)
    return _answer_shown_nudge(connection, member, nudge, action, value, CheckInSource.BUTTON, now)


# A reaction means "done": on a water nudge one glass. The morning question wants hours, so a
# reaction on it changes nothing; its hour buttons are right under it.
REACTION_ACTIONS: dict[str, Action] = {
    "water": Action.GLASS,
    "walk": Action.DONE,
    BREATHING: Action.DONE,
    SLEEP_WIND_DOWN: Action.DONE,
}


def answer_reaction(
    *, connection: DirectConnection, telegram_id: int, message_id: int, now: datetime
) -> CheckInResult:
    """A "done" reaction (👍) by the member on message `message_id` of their chat: like the nudge's
    done button if that message is one of their nudges still open today; else nothing changes."""
    member, nudge = checkin_queries.member_and_nudge_by_message(
        connection=connection, telegram_id=telegram_id, message_id=message_id, since=now - REACTION_WINDOW
    )
    if member is None or nudge is None:
        return CheckInResult(Outcome.UNKNOWN_NUDGE, language=member.language if member else "nl")
    action = REACTION_ACTIONS.get(slot_kind(nudge.slot))
    if action is None:
        return CheckInResult(Outcome.UNKNOWN_NUDGE, nudge=nudge, language=member.language)
    value = 1.0 if action is Action.GLASS else None
    return _answer_shown_nudge(connection, member, nudge, action, value, CheckInSource.REACTION, now)


def _answer_shown_nudge(
    connection: DirectConnection,
    member: MemberSnapshot,
    nudge: NudgeSnapshot,
    action: Action,
    value: float | None,
    source: CheckInSource,
    now: datetime,
) -> CheckInResult:
    """An answer given on the nudge's own message (a button, a reaction): it counts if still open today."""
    today = routine_day(routine_of(member), zone_of(member), now)
    if nudge.status in (NudgeStatus.ANSWERED, NudgeStatus.SUPPRESSED):
        return CheckInResult(
            Outcome.ALREADY_DONE, habit=Habit(nudge.habit), nudge=nudge, language=member.language
        )
    if nudge.status not in ANSWERABLE_STATUSES:
        # Never shown to the member (missed, paused, undelivered, still claimed): a forged button.
        return CheckInResult(Outcome.UNKNOWN_NUDGE, language=member.language)
    if nudge.local_date != today:
        return CheckInResult(Outcome.EXPIRED, habit=Habit(nudge.habit), nudge=nudge, language=member.language)
    return _answer_nudge(connection, member, nudge, action, value, source, now)


def answer_sleep_hours(
    *, connection: DirectConnection, telegram_id: int, day: date, hours: float, now: datetime
) -> CheckInResult:
    """An hour button under the bot's question how long the member slept (after "slecht geslapen"):
    the night before routine day `day`, as typed hours would be; it answers the open morning
    question too. A button from an earlier day changes nothing."""
    member, latest = checkin_queries.member_and_open_nudge(
        connection=connection, telegram_id=telegram_id, since=now - OPEN_NUDGE_WINDOW, habit=Habit.SLEEP
    )
    if member is None or not 0 < hours <= MAX_SLEEP_HOURS:
        return CheckInResult(Outcome.UNKNOWN_NUDGE, language=member.language if member else "nl")
    if day != routine_day(routine_of(member), zone_of(member), now):
        return CheckInResult(Outcome.EXPIRED, habit=Habit.SLEEP, language=member.language)
    nudge = _answerable_today(member, latest, now)
    return _record_sleep_hours(connection, member, hours, now, nudge, CheckInSource.BUTTON)


def _answerable_today(
    member: MemberSnapshot, nudge: NudgeSnapshot | None, now: datetime
) -> NudgeSnapshot | None:
    """The latest open nudge counts for a typed answer only if it is from today's routine day."""
    if nudge is None:
        return None
    return nudge if nudge.local_date == routine_day(routine_of(member), zone_of(member), now) else None


def _without_nudge(
    connection: DirectConnection, member: MemberSnapshot, habit: Habit, status: CheckInStatus, now: datetime
) -> CheckInResult:
    """ "wandeling gedaan" with no walk nudge open: attribute it to the slot it plainly means.

    A walk belongs to the latest meal of the day whose time has come (`meal_slot_at`); before the
    day's first meal it follows no meal, so nothing is stored rather than guessing breakfast.
    """
    routine, zone = routine_of(member), zone_of(member)
    day = routine_day(routine, zone, now)
    if habit is Habit.WATER:
        return _store(
            connection,
            member,
            habit=habit,
            slot=None,
            day=day,
            status=CheckInStatus.DONE,
            value=1.0,
            source=CheckInSource.TEXT,
            now=now,
            nudge=None,
        )
    slot = {
        Habit.WALK: meal_slot_at(routine, zone, now),
        Habit.BREATHING: BREATHING,
        Habit.SLEEP: SLEEP_WIND_DOWN,
    }[habit]
    if slot is None:
        return CheckInResult(Outcome.NO_MEAL_YET, habit=habit, status=status, language=member.language)
    if (
        checkin_queries.checkin_for_slot(
            connection=connection, member_id=member.id, day=day, habit=habit, slot=slot
        )
        is not None
    ):
        return CheckInResult(Outcome.ALREADY_DONE, habit=habit, slot=slot, language=member.language)
    return _store(
        connection,
        member,
        habit=habit,
        slot=slot,
        day=day,
        status=status,
        value=None,
        source=CheckInSource.TEXT,
        now=now,
        nudge=None,
    )


def _record_sleep_hours(
    connection: DirectConnection,
    member: MemberSnapshot,
    hours: float,
    now: datetime,
    nudge: NudgeSnapshot | None,
    source: CheckInSource = CheckInSource.TEXT,
) -> CheckInResult:
    """`nudge`: the member's open sleep nudge of today, if any."""
    routine, zone = routine_of(member), zone_of(member)
    day = routine_day(routine, zone, now)
    earlier = checkin_queries.checkin_for_slot(
        connection=connection, member_id=member.id, day=day, habit=Habit.SLEEP, slot=SLEEP_MORNING
    )
    if earlier is not None:
        # A second answer the same morning corrects the first rather than adding a night.
        checkin_queries.correct_checkin(
            connection=connection,
            checkin_id=earlier,
            value=hours,
            status=CheckInStatus.DONE,
            source=source,
            created_at=now,
        )
        connection.commit()
        return CheckInResult(
            Outcome.RECORDED,
            habit=Habit.SLEEP,
            slot=SLEEP_MORNING,
            status=CheckInStatus.DONE,
            value=hours,
            language=member.language,
        )
    if nudge is not None and nudge.slot != SLEEP_MORNING:
        nudge = None
    return _store(
        connection,
        member,
        habit=Habit.SLEEP,
        slot=SLEEP_MORNING,
        day=day,
        status=CheckInStatus.DONE,
        value=hours,
        source=source,
        now=now,
        nudge=nudge,
    )


def _record_glasses(
    connection: DirectConnection,
    member: MemberSnapshot,
    glasses: float,
    now: datetime,
    nudge: NudgeSnapshot | None,
) -> CheckInResult:
    """`nudge`: the member's open water nudge of today, if any."""
    day = nudge.local_date if nudge else routine_day(routine_of(member), zone_of(member), now)
    return _store(
        connection,
        member,
        habit=Habit.WATER,
        slot=None,
        day=day,
        status=CheckInStatus.DONE,
        value=glasses,
        source=CheckInSource.TEXT,
        now=now,
        nudge=nudge,
    )


def _record_done_or_skip(
    connection: DirectConnection,
    member: MemberSnapshot,
    parsed: ParsedCheckIn,
    now: datetime,
    nudge: NudgeSnapshot | None,
) -> CheckInResult:
    """`nudge`: the member's open nudge of today (of the habit named, if one is), if any."""
    action = Action.SKIP if parsed.kind is CheckInKind.SKIP else Action.DONE
    status = CheckInStatus.SKIPPED if action is Action.SKIP else CheckInStatus.DONE
    skips_water = action is Action.SKIP and (
        parsed.habit is Habit.WATER or (nudge is not None and nudge.habit == Habit.WATER)
    )
    if skips_water:
        # Water counts glasses through the day: there is no glass to skip, so nothing is stored.
        return CheckInResult(
            Outcome.WATER_COUNTS_GLASSES, habit=Habit.WATER, nudge=nudge, language=member.language
        )
    if nudge is None:
        if parsed.habit is None:
            return CheckInResult(Outcome.NOTHING_OPEN, language=member.language)
        return _without_nudge(connection, member, parsed.habit, status, now)
    if nudge.slot == SLEEP_MORNING and action is Action.DONE:
        return _ask_hours(member, nudge, None, now)
    if nudge.habit == Habit.WATER:
        action = Action.GLASS
    if action not in ACTIONS_BY_SLOT_KIND.get(slot_kind(nudge.slot), frozenset()):
        return CheckInResult(Outcome.NOT_UNDERSTOOD, nudge=nudge, language=member.language)
    return _answer_nudge(
        connection, member, nudge, action, 1.0 if action is Action.GLASS else None, CheckInSource.TEXT, now
    )


def member_and_open_nudge(
    *, connection: DirectConnection, telegram_id: int, parsed: ParsedCheckIn | None, now: datetime
) -> tuple[MemberSnapshot | None, NudgeSnapshot | None]:
    """The member and the latest open nudge a typed text may answer (of its habit, if it names one).

    One query, which also says whether a setup screen is open (`MemberSnapshot.has_screen_open`).
    """
    return checkin_queries.member_and_open_nudge(
        connection=connection,
        telegram_id=telegram_id,
        since=now - OPEN_NUDGE_WINDOW,
        habit=None if parsed is None else _habit_answered(parsed),
    )


def _ask_hours(
    member: MemberSnapshot, nudge: NudgeSnapshot | None, quality: SleepQuality | None, now: datetime
) -> CheckInResult:
    """Ask how long the night was; `nudge`: the open morning question, if it is the latest open one."""
    return CheckInResult(
        Outcome.NEEDS_HOURS,
        habit=Habit.SLEEP,
        nudge=nudge if nudge is not None and nudge.slot == SLEEP_MORNING else None,
        language=member.language,
        quality=quality,
        day=routine_day(routine_of(member), zone_of(member), now),
    )


def _snooze(
    connection: DirectConnection,
    member: MemberSnapshot,
    parsed: ParsedCheckIn,
    now: datetime,
    nudge: NudgeSnapshot | None,
) -> CheckInResult:
    """ "straks", "over 10 minuten": the snooze button of the latest open nudge, with its limits."""
    if nudge is None:
        return CheckInResult(Outcome.NOTHING_OPEN, language=member.language)
    if Action.SNOOZE not in ACTIONS_BY_SLOT_KIND.get(slot_kind(nudge.slot), frozenset()):
        return CheckInResult(
            Outcome.NOT_SNOOZABLE, habit=Habit(nudge.habit), nudge=nudge, language=member.language
        )
    minutes = None if parsed.value is None else int(parsed.value)
    return _answer_nudge(
        connection, member, nudge, Action.SNOOZE, None, CheckInSource.TEXT, now, snooze_minutes=minutes
    )


# Replies that are no check-in at all, answered with what the member may type for the open nudge.
_SOCIAL_OUTCOMES = {
    CheckInKind.GREETING: Outcome.GREETED,
    CheckInKind.THANKS: Outcome.THANKED,
    CheckInKind.COMMAND: Outcome.COMMAND,
}


def record_text(
    *,
    connection: DirectConnection,
    member: MemberSnapshot,
    latest: NudgeSnapshot | None,
    parsed: ParsedCheckIn | None,
    now: datetime,
) -> CheckInResult:
    """What typed text does, already parsed (None: not understood), by what is open now.

    A bare number means hours or glasses by what is open; "ok" answers the open nudge as done, and
    with none open only gets a nod. `member` and `latest` are what `member_and_open_nudge` read
    for this text. Only DONE, SKIP, WATER, SLEEP, NUMBER and WEAK_DONE ever store a check-in.
    """
    nudge = _answerable_today(member, latest, now)
    if parsed is None:
        return CheckInResult(Outcome.NOT_UNDERSTOOD, nudge=nudge, language=member.language)
    social = _SOCIAL_OUTCOMES.get(parsed.kind)
    if social is not None:
        return CheckInResult(social, nudge=nudge, language=member.language, command=parsed.command)
    if parsed.kind is CheckInKind.SNOOZE:
        return _snooze(connection, member, parsed, now, nudge)
    if parsed.kind is CheckInKind.SLEEP_QUALITY:
        return _ask_hours(member, nudge, parsed.quality, now)
    if parsed.kind is CheckInKind.WEAK_DONE:
        if nudge is None:
            return CheckInResult(Outcome.ACKNOWLEDGED, language=member.language)
        return _record_done_or_skip(connection, member, ParsedCheckIn(CheckInKind.DONE), now, nudge)
    if parsed.kind in (CheckInKind.DONE, CheckInKind.SKIP):
        return _record_done_or_skip(connection, member, parsed, now, nudge)
    # The parser keeps amounts in range; checked again here, where they are stored.
    if parsed.kind is CheckInKind.WATER and parsed.value is not None and _glasses_at_once(parsed.value):
        return _record_glasses(connection, member, parsed.value, now, nudge)
    if parsed.kind is CheckInKind.SLEEP and parsed.value is not None and 0 < parsed.value <= MAX_SLEEP_HOURS:
        return _record_sleep_hours(connection, member, parsed.value, now, nudge)
    if parsed.kind is CheckInKind.NUMBER and parsed.value is not None:
        # The latest open nudge of any habit; if it is the sleep question (or a water nudge), it
        # is also the latest open one of that habit, which the functions below expect.
        if nudge is not None and nudge.slot == SLEEP_MORNING and 0 < parsed.value <= MAX_SLEEP_HOURS:
            return _record_sleep_hours(connection, member, parsed.value, now, nudge)
        if nudge is not None and nudge.habit == Habit.WATER and _glasses_at_once(parsed.value):
            return _record_glasses(connection, member, parsed.value, now, nudge)
    return CheckInResult(Outcome.NOT_UNDERSTOOD, nudge=nudge, language=member.language)


def _glasses_at_once(value: float) -> bool:
    return value.is_integer() and 1 <= value <= MAX_GLASSES_AT_ONCE


def record_guided(
    *, connection: DirectConnection, telegram_id: int, session_id: int, nudge_id: int | None, now: datetime
) -> CheckInResult:
    """A guided breathing session that ran to its end: marked finished, and breathing done, once."""
    # The check-in goes with the session's nudge (started with /adem: today's latest open
    # breathing nudge) while that is still open, which answers it. Breathing already checked off
    # today (done tapped during the session) adds nothing: ALREADY_DONE. A session no longer
    # running (stopped meanwhile) stores nothing at all: NOTHING_OPEN.
    if nudge_id is None:
        member, nudge = checkin_queries.member_and_open_nudge(
            connection=connection,
            telegram_id=telegram_id,
            since=now - OPEN_NUDGE_WINDOW,
            habit=Habit.BREATHING,
        )
    else:
        member, nudge = checkin_queries.member_and_nudge(
            connection=connection, telegram_id=telegram_id, nudge_id=nudge_id
        )
    if member is None:
        return CheckInResult(Outcome.NOT_REGISTERED)
    state = checkin_queries.breathing_session_status(connection=connection, session_id=session_id)
    if state != (BreathingSessionStatus.RUNNING, member.id):
        return CheckInResult(Outcome.NOTHING_OPEN, language=member.language)
    checkin_queries.finish_breathing_session(connection=connection, session_id=session_id, at=now)
    day = routine_day(routine_of(member), zone_of(member), now)
    if nudge is not None and not (
        nudge.habit == Habit.BREATHING and nudge.local_date == day and nudge.status in ANSWERABLE_STATUSES
    ):
        nudge = None
    if (
        checkin_queries.checkin_for_slot(
            connection=connection, member_id=member.id, day=day, habit=Habit.BREATHING, slot=BREATHING
        )
        is not None
    ):
        connection.commit()
        return CheckInResult(
            Outcome.ALREADY_DONE, habit=Habit.BREATHING, slot=BREATHING, language=member.language
        )
    return _store(
        connection,
        member,
        habit=Habit.BREATHING,
        slot=BREATHING,
        day=day,
        status=CheckInStatus.DONE,
        value=None,
        source=CheckInSource.GUIDED,
        now=now,
        nudge=nudge,
    )


def _habit_answered(parsed: ParsedCheckIn) -> Habit | None:
    """Whose open nudge a typed check-in answers: its habit's, or (None) the latest of any."""
    if parsed.kind is CheckInKind.WATER:
        return Habit.WATER
    if parsed.kind is CheckInKind.SLEEP:
        return Habit.SLEEP
    if parsed.kind in (CheckInKind.DONE, CheckInKind.SKIP):
        return parsed.habit
    if parsed.kind is CheckInKind.SLEEP_QUALITY:
        return Habit.SLEEP
    return None
