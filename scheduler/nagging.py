"""The rules against nagging (`scheduler/restraint.py`) applied to a dispatch claim and a weekly
picture: what is held back, what goes out as a question or a checklist, what gets closed.

A claim (`scheduler/dispatch.py`) asks `Restraint.fate` about each new slot whose fate is otherwise
to go out, in due order, and records the answer like any other fate (statuses in
`storage.models.BACKED_OFF_STATUSES`). In order, the quietest wins:

1. quiet mode: nothing answered for 7 days (pauses count as an answer: their days asked nothing).
   The day goes quiet as a whole when its morning checklist moment (wake-up + 15 minutes) is in
   quiet mode; the first slot from that moment goes out as the checklist of today's habits
   (`PromptKind.CHECKLIST`), every other one is QUIET_MODE. Any answer ends it from the next slot;
2. the habit's check question of today still waits for its answer: QUESTION_OPEN, so the bot asks
   instead of repeating;
3. water: 3 unanswered in a row today, then every other one: HELD_BACK;
4. the daily cap of unanswered nudges (`DispatchPolicy.unanswered_a_day`): CAPPED;
5. the habit's first nudge of the day, after 3 silent days of it (at most every 14 days), goes
   out as the check question (`PromptKind.CHECK_QUESTION`);
6. a once-a-day slot the member keeps answering at another time goes out with a rhythm offer.

Slots taken over by a later claim (snoozed ones coming back, claims that outlived their lease)
were decided when first claimed and are left as they are.

Every nudge that goes out closes the member's earlier prompts of its habit that are still open
(and an open checklist, which covers every habit; a checklist closes all of them): they are
recorded as closed in the claim and handed to the bot with the nudge (`Courtesy.close`), which
edits them to a short line without buttons before it sends the new one. So the chat holds at most
one open prompt per habit. What is still open when its routine day ends is closed by the tick
(`claim_ended_prompts`). Closing is recorded before the edit is made, so a prompt is closed once;
if the process dies in between, the old message keeps its buttons, whose taps still work (or, on
a later day, are answered kindly as expired).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlmodel import Session

from scheduler.restraint import (
    ASK_AT_MOST_EVERY,
    QUIET_MODE_AFTER,
    RHYTHM_DAYS,
    RHYTHM_NO_REMEMBERED,
    RHYTHM_OFFER_AT_MOST_EVERY,
    RHYTHM_SHIFT_MINUTES,
    SILENT_DAYS_BEFORE_ASKING,
    Backoff,
    DayAnswer,
    SlotAnswer,
    SlotOutcome,
    daily_unanswered_cap_reached,
    habit_needs_check_question,
    quiet_mode,
    rhythm_offer,
    water_backoff,
    weekly_picture_goes,
)
from scheduler.routines import routine_of, zone_of
from scheduler.slots import (
    BREATHING,
    MEALS,
    SLEEP_WIND_DOWN,
    DailyRoutine,
    local_to_utc,
    minutes,
    routine_day,
    routine_day_start,
)
from storage import queries, restraint_queries
from storage.kinds import CheckInStatus, Habit
from storage.models import (
    CheckQuestion,
    Member,
    Nudge,
    NudgeStatus,
    Pause,
    PromptKind,
    RhythmOffer,
    WeeklyReportStatus,
)
from storage.restraint_queries import AnswerFact, NudgeFact

# Quiet mode's one message a day goes this long after wake-up (with the morning question).
CHECKLIST_AFTER_WAKE = timedelta(minutes=15)
# A prompt still open was sent today or, until the tick has closed it, the day before.
OPEN_PROMPTS_SENT_WITHIN = timedelta(hours=48)
# Prompts closed per batch at the end of routine days.
ENDED_PROMPTS_PER_BATCH = 200
# A prompt still being sent when its day ends is looked at again this much later.
IN_FLIGHT_RETRY = timedelta(minutes=5)
# The slots a rhythm offer may move: once a day, at a time of the member's routine. The morning
# question is left out: when it is answered says when the phone is picked up, not when the
# member wakes, and moving wake-up would move the whole day's water.
MOVABLE_SLOTS = frozenset({*(f"walk-{meal}" for meal in MEALS), BREATHING, SLEEP_WIND_DOWN})
# Statuses of a nudge that reached the member (or most likely did).
REACHED = frozenset(
    {
        NudgeStatus.SENT,
        NudgeStatus.SENDING,
        NudgeStatus.UNCONFIRMED,
        NudgeStatus.SNOOZED,
        NudgeStatus.ANSWERED,
    }
)
_LOOKBACK_DAYS = max(SILENT_DAYS_BEFORE_ASKING, RHYTHM_DAYS)
_K = TypeVar("_K")


@dataclass(frozen=True)
class OpenPrompt:
    """A sent nudge whose buttons are to go: the bot edits it to a short line."""

    nudge_id: int
    chat_id: int
    message_id: int
    language: str
    slot: str
    shown_as: str | None
    # The local time it was due, which the short line names.
    due_local: time


@dataclass(frozen=True)
class CheckQuestionPrompt:
    """The nudge goes out as the question "do these times still fit?" about its habit."""

    question_id: int
    habit: Habit
    routine: DailyRoutine


@dataclass(frozen=True)
class ChecklistPrompt:
    """The nudge goes out as quiet mode's checklist of today's habits."""

    habits: tuple[Habit, ...]


@dataclass(frozen=True)
class RhythmOfferPrompt:
    """After the nudge, the offer to move its slot to the time the member keeps answering it at."""

    offer_id: int
    slot: str
    suggested: time


@dataclass(frozen=True)
class Courtesy:
    """What the rules against nagging add to an outgoing nudge."""

    close: tuple[OpenPrompt, ...] = ()
    question: CheckQuestionPrompt | None = None
    checklist: ChecklistPrompt | None = None
    offer: RhythmOfferPrompt | None = None


NO_COURTESY = Courtesy()


def slot_outcome(status: str, snooze_count: int) -> SlotOutcome:
    """A stored nudge as the back-off and the daily cap count it."""
    if status == NudgeStatus.ANSWERED or status == NudgeStatus.SNOOZED or snooze_count > 0:
        return SlotOutcome.ANSWERED
    if status in (NudgeStatus.SENT, NudgeStatus.SENDING, NudgeStatus.UNCONFIRMED):
        return SlotOutcome.UNANSWERED
    if status in (NudgeStatus.HELD_BACK, NudgeStatus.CAPPED):
        return SlotOutcome.HELD_BACK
    return SlotOutcome.NOT_SENT


@dataclass
class _Day:
    """One member's routine day as far as the claim has decided it."""

    outcomes: list[tuple[str, SlotOutcome]] = field(default_factory=list)
    reached: set[str] = field(default_factory=set)  # habits with a nudge that went out
    questions: set[str] = field(default_factory=set)  # habits whose question today is unanswered
    checklist: bool = False

    def load(self, fact: NudgeFact) -> None:
        self.add(fact.habit, fact.status, fact.snooze_count, fact.shown_as)

    def add(self, habit: str, status: str, snooze_count: int, shown_as: str | None) -> None:
        outcome = slot_outcome(status, snooze_count)
        self.outcomes.append((habit, outcome))
        if status in REACHED:
            self.reached.add(habit)
        if shown_as == PromptKind.CHECK_QUESTION and outcome is SlotOutcome.UNANSWERED:
            self.questions.add(habit)
        if shown_as == PromptKind.CHECKLIST and status in REACHED:
            self.checklist = True

    def of(self, habit: str | None = None) -> list[SlotOutcome]:
        return [outcome for of_habit, outcome in self.outcomes if habit is None or of_habit == habit]


def checklist_moment(routine: DailyRoutine, zone: ZoneInfo, day: date) -> datetime:
    return local_to_utc(day, minutes(routine.wake) + CHECKLIST_AFTER_WAKE.seconds // 60, zone)


def effective_last_answer(member: Member, pauses: Sequence[Pause], now: datetime) -> datetime:
    """The member's latest answer for quiet mode: a pause (starting or ending one) counts, since
    its days asked nothing; before any answer, joining."""
    moments = [member.created_at]
    if member.last_answer_at is not None:
        moments.append(member.last_answer_at)
    for pause in pauses:
        moments.append(min(pause.ends_at or now, now))
    return max(moments)


class Restraint:
    """The rules against nagging for one claim: reads what they need for the whole batch at once
    (one query each), then decides slot by slot, counting what the claim has decided so far."""

    def __init__(self, session: Session, now: datetime, cap: int, pending: Sequence[tuple[Member, Nudge]]):
        self.session, self.now, self.cap = session, now, cap
        self._asked: list[tuple[Member, Nudge]] = []
        self._offers: list[tuple[Member, Nudge, time]] = []
        self._going: list[tuple[Member, Nudge]] = []
        self._courtesy: dict[int, Courtesy] = {}
        self._routines: dict[int, tuple[DailyRoutine, ZoneInfo]] = {}
        new = [(member, nudge) for member, nudge in pending if nudge.id is None]
        member_ids = {_id(member) for member, _ in new}
        self._days: dict[tuple[int, date], _Day] = {
            (_id(member), nudge.local_date): _Day() for member, nudge in new
        }
        for fact in restraint_queries.nudge_facts(
            session=session, member_ids=member_ids, days={day for _, day in self._days}
        ):
            day_state = self._days.get((fact.member_id, fact.local_date))
            if day_state is not None:
                day_state.load(fact)
        self._pauses = queries.pauses_of_members_between(
            session=session, member_ids=member_ids, start=now - QUIET_MODE_AFTER - timedelta(days=1), end=now
        )
        self._last_asked = restraint_queries.last_questions(session=session, member_ids=member_ids)
        self._load_history(new)

    def _load_history(self, new: Sequence[tuple[Member, Nudge]]) -> None:
        """The days before each slot's day, read only where a question or an offer may come."""
        oldest = min((nudge.local_date for _, nudge in new), default=self.now.date())
        self._last_offer: dict[int, date] = {}
        self._last_declined: dict[tuple[int, str], date] = {}
        for offer in restraint_queries.rhythm_offers_since(
            session=self.session,
            member_ids={_id(member) for member, nudge in new if nudge.slot in MOVABLE_SLOTS},
            since=oldest - RHYTHM_NO_REMEMBERED,
        ):
            _keep_latest(self._last_offer, offer.member_id, offer.offered_on)
            # An offer left unanswered counts as a "no": asking again would be nagging too.
            if offer.accepted is not True:
                _keep_latest(self._last_declined, (offer.member_id, offer.slot), offer.offered_on)
        wanted: set[tuple[int, str]] = set()
        days: set[date] = set()
        for member, nudge in new:
            member_id, day = _id(member), nudge.local_date
            first_today = nudge.habit not in self._days[(member_id, day)].reached
            if (first_today and self._may_ask(member_id, nudge.habit, day)) or self._may_offer(
                member_id, nudge.slot, day
            ):
                wanted.add((member_id, nudge.habit))
                days.update(day - timedelta(days=back) for back in range(1, _LOOKBACK_DAYS + 1))
        member_ids = {member_id for member_id, _ in wanted}
        self._history: dict[tuple[int, str], list[NudgeFact]] = {}
        for fact in restraint_queries.nudge_facts(
            session=self.session, member_ids=member_ids, days=days, habits={habit for _, habit in wanted}
        ):
            if (fact.member_id, fact.habit) in wanted:
                self._history.setdefault((fact.member_id, fact.habit), []).append(fact)
        self._answers: dict[tuple[int, str], list[AnswerFact]] = {}
        for answer in restraint_queries.answer_facts(session=self.session, member_ids=member_ids, days=days):
            self._answers.setdefault((answer.member_id, answer.habit), []).append(answer)

    def _may_ask(self, member_id: int, habit: str, day: date) -> bool:
        asked = self._last_asked.get((member_id, habit))
        return asked is None or day - asked >= ASK_AT_MOST_EVERY

    def _may_offer(self, member_id: int, slot: str, day: date) -> bool:
        if slot not in MOVABLE_SLOTS:
            return False
        offered = self._last_offer.get(member_id)
        declined = self._last_declined.get((member_id, slot))
        return (offered is None or day - offered >= RHYTHM_OFFER_AT_MOST_EVERY) and (
            declined is None or day - declined >= RHYTHM_NO_REMEMBERED
        )

    # -- deciding, slot by slot -----------------------------------------------------------------

    def fate(self, member: Member, nudge: Nudge, status: NudgeStatus) -> NudgeStatus:
        """The fate of a slot once the rules against nagging have had their say: `status` is its
        fate so far (CLAIMED: it would go out). Call in due order per member."""
        if nudge.id is None:  # else taken over from an earlier claim, which decided it
            day = self._days[(_id(member), nudge.local_date)]
            if status is NudgeStatus.CLAIMED:
                status = self._restrain(member, nudge, day)
            going = NudgeStatus.SENT if status is NudgeStatus.CLAIMED else status
            day.add(nudge.habit, going, 0, nudge.shown_as)
        if status is NudgeStatus.CLAIMED:
            routine, zone = self._routine(member)
            # Set before the insert, so that it costs no UPDATE.
            nudge.open_until = routine_day_start(routine, zone, nudge.local_date + timedelta(days=1))
            self._going.append((member, nudge))
        return status

    def _routine(self, member: Member) -> tuple[DailyRoutine, ZoneInfo]:
        member_id = _id(member)
        found = self._routines.get(member_id)
        if found is None:
            found = self._routines[member_id] = (routine_of(member), zone_of(member))
        return found

    def _restrain(self, member: Member, nudge: Nudge, day: _Day) -> NudgeStatus:
        habit = nudge.habit
        routine, zone = self._routine(member)
        moment = checklist_moment(routine, zone, nudge.local_date)
        since = effective_last_answer(member, self._pauses.get(_id(member), []), self.now)
        if quiet_mode(since, max(self.now, moment), zone, joined_at=member.created_at):
            if not day.checklist and nudge.due_at >= moment:
                nudge.shown_as = PromptKind.CHECKLIST
                return NudgeStatus.CLAIMED
            return NudgeStatus.QUIET_MODE
        if habit in day.questions:
            return NudgeStatus.QUESTION_OPEN
        if habit == Habit.WATER and water_backoff(day.of(Habit.WATER)) is Backoff.HOLD_BACK:
            return NudgeStatus.HELD_BACK
        if daily_unanswered_cap_reached(day.of(), cap=self.cap):
            return NudgeStatus.CAPPED
        if habit not in day.reached and self._needs_question(member, habit, nudge.local_date):
            nudge.shown_as = PromptKind.CHECK_QUESTION
            self._asked.append((member, nudge))
            return NudgeStatus.CLAIMED
        suggested = self._rhythm(member, nudge, zone)
        if suggested is not None:
            self._offers.append((member, nudge, suggested))
        return NudgeStatus.CLAIMED

    def _needs_question(self, member: Member, habit: str, today: date) -> bool:
        member_id = _id(member)
        if not self._may_ask(member_id, habit, today):
            return False
        history = self._history.get((member_id, habit), [])
        nudged = {fact.local_date for fact in history if fact.status in REACHED}
        answered = {
            fact.local_date
            for fact in history
            if slot_outcome(fact.status, fact.snooze_count) is SlotOutcome.ANSWERED
        }
        answered |= {answer.local_date for answer in self._answers.get((member_id, habit), [])}
        days = [DayAnswer(day, day in nudged, day in answered) for day in nudged | answered]
        return habit_needs_check_question(days, self._last_asked.get((member_id, habit)), today)

    def _rhythm(self, member: Member, nudge: Nudge, zone: ZoneInfo) -> time | None:
        """The time to offer moving this slot to, judged on the days before today."""
        member_id = _id(member)
        if not self._may_offer(member_id, nudge.slot, nudge.local_date):
            return None
        due = {
            fact.local_date: fact.due_at
            for fact in self._history.get((member_id, nudge.habit), [])
            if fact.slot == nudge.slot
        }
        answered: dict[date, datetime] = {}
        for answer in self._answers.get((member_id, nudge.habit), []):
            if answer.slot == nudge.slot and answer.status == CheckInStatus.DONE:
                answered.setdefault(answer.local_date, answer.created_at)
        answers = [
            SlotAnswer.from_instants(day, due[day], at, zone) for day, at in answered.items() if day in due
        ]
        suggested = rhythm_offer(
            answers,
            self._last_offer.get(member_id),
            self._last_declined.get((member_id, nudge.slot)),
            nudge.local_date,
        )
        if suggested is None:
            return None
        # The slot may have moved meanwhile (in /settings): no offer of what is (nearly) so already.
        today = SlotAnswer.from_instants(
            nudge.local_date, nudge.due_at, _on(nudge.due_at, suggested, zone), zone
        )
        return suggested if abs(today.shift_minutes) >= RHYTHM_SHIFT_MINUTES else None

    # -- after the new nudges are stored ----------------------------------------------------------

    def store(self) -> None:
        """Record the questions asked and offers made, and close the earlier prompts of what goes
        out; call once the claim's nudges have their ids."""
        rows: list[CheckQuestion | RhythmOffer] = []
        questions: dict[int, CheckQuestion] = {}
        for member, nudge in self._asked:
            question = CheckQuestion(
                member_id=_id(member), habit=nudge.habit, asked_on=nudge.local_date, nudge_id=nudge.id
            )
            questions[_nudge_id(nudge)] = question
            rows.append(question)
        offers: dict[int, RhythmOffer] = {}
        for member, nudge, suggested in self._offers:
            offer = RhythmOffer(
                member_id=_id(member),
                slot=nudge.slot,
                offered_on=nudge.local_date,
                slot_time=nudge.due_at.astimezone(self._routine(member)[1])
                .time()
                .replace(second=0, microsecond=0),
                suggested=suggested,
                nudge_id=nudge.id,
            )
            offers[_nudge_id(nudge)] = offer
            rows.append(offer)
        restraint_queries.add_rows(session=self.session, rows=rows)
        retaken_questions = restraint_queries.questions_of_nudges(
            session=self.session,
            nudge_ids={
                _nudge_id(nudge)
                for _, nudge in self._going
                if nudge.shown_as == PromptKind.CHECK_QUESTION and _nudge_id(nudge) not in questions
            },
        )
        open_prompts: dict[int, list[Nudge]] = {}
        for prompt in restraint_queries.open_prompts_of_members(
            session=self.session,
            member_ids={_id(member) for member, _ in self._going},
            sent_since=self.now - OPEN_PROMPTS_SENT_WITHIN,
        ):
            open_prompts.setdefault(prompt.member_id, []).append(prompt)
        for member, nudge in self._going:
            routine, _ = self._routine(member)
            nudge_id = _nudge_id(nudge)
            closing = [
                prompt
                for prompt in open_prompts.get(_id(member), [])
                if prompt.id != nudge_id
                and prompt.closed_at is None
                and (
                    nudge.shown_as == PromptKind.CHECKLIST
                    or prompt.habit == nudge.habit
                    or prompt.shown_as == PromptKind.CHECKLIST
                )
            ]
            for prompt in closing:
                prompt.closed_at, prompt.open_until = self.now, None
            question_id = questions[nudge_id].id if nudge_id in questions else retaken_questions.get(nudge_id)
            made = offers.get(nudge_id)
            self._courtesy[nudge_id] = Courtesy(
                close=tuple(open_prompt(prompt, member) for prompt in closing),
                question=CheckQuestionPrompt(_row_id(question_id), Habit(nudge.habit), routine)
                if nudge.shown_as == PromptKind.CHECK_QUESTION and question_id is not None
                else None,
                checklist=ChecklistPrompt(tuple(habit for habit in Habit if habit in routine.habits))
                if nudge.shown_as == PromptKind.CHECKLIST
                else None,
                offer=RhythmOfferPrompt(_row_id(made.id), made.slot, made.suggested) if made else None,
            )

    def courtesy_for(self, nudge: Nudge) -> Courtesy:
        return self._courtesy.get(_nudge_id(nudge), NO_COURTESY)


def open_prompt(nudge: Nudge, member: Member) -> OpenPrompt:
    assert nudge.message_id is not None
    return OpenPrompt(
        nudge_id=_nudge_id(nudge),
        chat_id=member.chat_id,
        message_id=nudge.message_id,
        language=member.language,
        slot=nudge.slot,
        shown_as=nudge.shown_as,
        due_local=nudge.due_at.astimezone(zone_of(member)).time().replace(second=0, microsecond=0),
    )


def _is_open(nudge: Nudge) -> bool:
    return nudge.status == NudgeStatus.SENT and nudge.message_id is not None and nudge.closed_at is None


def claim_ended_prompts(
    *, session: Session, now: datetime, limit: int = ENDED_PROMPTS_PER_BATCH
) -> tuple[list[OpenPrompt], int]:
    """Close the prompts whose routine day has ended unanswered, recorded before the bot edits
    them, and commit. Returns those to edit, and how many were looked at (the batch is full when
    that is `limit`)."""
    rows = restraint_queries.lock_prompts_open_until(session=session, now=now, limit=limit)
    closing: list[OpenPrompt] = []
    for nudge, member in rows:
        if nudge.status in (NudgeStatus.CLAIMED, NudgeStatus.SENDING):
            nudge.open_until = now + IN_FLIGHT_RETRY
            continue
        nudge.open_until = None
        if _is_open(nudge):
            nudge.closed_at = now
            closing.append(open_prompt(nudge, member))
    session.commit()
    return closing, len(rows)


def weekly_picture_skip(
    *, session: Session, member: Member, week_ending: date, due: datetime
) -> WeeklyReportStatus | None:
    """Why the week's picture is not sent (PAUSED: paused all week; SILENT: nothing answered),
    or None when it goes."""
    assert member.id is not None
    routine, zone = routine_of(member), zone_of(member)
    first = week_ending - timedelta(days=6)
    start = routine_day_start(routine, zone, first)
    if covered_throughout(queries.pauses_of_member(session=session, member_id=member.id), start, due):
        return WeeklyReportStatus.PAUSED
    days = restraint_queries.answer_days_between(
        session=session, member_id=member.id, first=first, last=week_ending
    )
    if member.last_answer_at is not None:
        days.add(routine_day(routine, zone, member.last_answer_at))
    return None if weekly_picture_goes(days, week_ending) else WeeklyReportStatus.SILENT


def covered_throughout(pauses: Collection[Pause], start: datetime, end: datetime) -> bool:
    """Whether the pauses together cover every moment from `start` to `end`."""
    reached = start
    for pause in sorted(pauses, key=lambda p: p.starts_at):
        if pause.starts_at > reached:
            break
        if pause.ends_at is None:
            return True
        reached = max(reached, pause.ends_at)
        if reached >= end:
            return True
    return reached >= end


def _keep_latest(latest: dict[_K, date], key: _K, day: date) -> None:
    latest[key] = max(day, latest.get(key, day))


def _on(instant: datetime, wall: time, zone: ZoneInfo) -> datetime:
    """The instant at wall-clock time `wall` on the local day of `instant`."""
    return datetime.combine(instant.astimezone(zone).date(), wall, tzinfo=zone)


def _id(member: Member) -> int:
    assert member.id is not None
    return member.id


def _nudge_id(nudge: Nudge) -> int:
    assert nudge.id is not None
    return nudge.id


def _row_id(row_id: int | None) -> int:
    assert row_id is not None
    return row_id
