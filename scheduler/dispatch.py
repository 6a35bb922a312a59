"""The tick's core: claim the nudges that are due, hand each to the bot's `send`, record the outcome.

This module decides what is sent and when; `bot/` renders a nudge and talks to Telegram (it passes
the `send` function in), so nothing here knows about messages or buttons.

Delivery is at most once. A tick first claims slots in one transaction (a Nudge row per slot, unique
per member, habit, routine day and slot), then marks a small chunk (at most `concurrent_sends`) as
SENDING (committed) just before handing it to Telegram and records its outcomes right after. A
process that dies mid-send leaves at most one chunk of SENDING rows, which are later marked
UNCONFIRMED and never sent again; claimed rows it never reached stay CLAIMED and another tick takes
them over once their lease has run out. A tick asked to stop (SIGTERM) finishes the chunk it has
handed to Telegram, records it, and lets go of the rest of its claims, which the next tick (after a
restart) takes over at once.

A claim works on a whole batch of members: slots come from pure functions, and what decides their
fate (existing nudges, check-ins, pauses, recent tips) is read with one query each per batch.
The rules against nagging (`scheduler/nagging.py`) have the last word on each new slot's fate,
and what they add (earlier prompts to close, a question or checklist instead) goes to the bot
with the nudge (`OutgoingNudge.courtesy`).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from scheduler.clock import Clock
from scheduler.delivery import Delivery, SendResult
from scheduler.nagging import NO_COURTESY, Courtesy, Restraint
from scheduler.quiet import is_quiet_at
from scheduler.release_plan import ON_TIME, ReleasePlan
from scheduler.restraint import DEFAULT_UNANSWERED_A_DAY
from scheduler.routines import quiet_hours_of, routine_of, zone_of
from scheduler.slot_kinds import kind_of_slot, slots_a_day
from scheduler.slots import SLEEP_MORNING, Slot, slots_due_between
from scheduler.windows import MOST_EARLY, deadline_of, next_opening, outside_quiet_hours
from storage import capacity_queries, queries
from storage.database import new_session
from storage.kinds import Habit
from storage.models import CheckIn, Member, Nudge, NudgeStatus, Pause
from tips.library import SMALL_GROUP, TIP_REPEAT_GAP, TipLibrary, choose_tip
from tips.schema import SlotKind

log = logging.getLogger(__name__)
# The morning question is a question: one tap to answer, no evening advice under it.
SLOTS_WITHOUT_TIP = frozenset({SLEEP_MORNING})
StopRequested = Callable[[], bool]
RELEASED = "released"
# A member's open slots whose windows close within this of the first are claimed together.
TAKEN_TOGETHER = timedelta(minutes=1)
PAID = "paid"


def _never() -> bool:
    return False


class DispatchTotals(Counter[str]):
    """Counts by status, as a plain Counter; also each nudge's fate by (status, habit), and how
    late each first send left after its slot, per habit (what the bot's metrics show)."""

    def __init__(self) -> None:
        super().__init__()
        self.fates: Counter[tuple[str, str]] = Counter()
        self.lateness: list[tuple[str, float]] = []
        # Members a claim looked at, though it may have found nothing to send yet (a window that
        # the plan no longer opens early): the tick goes on while there are such members.
        self.members_looked = 0

    def fate(self, status: str, habit: str, count: int = 1) -> None:
        self[status] += count
        self.fates[(status, habit)] += count

    def add(self, other: Counter[str]) -> None:
        """`update`, keeping the fates and lateness of another DispatchTotals too."""
        self.update(other)
        if isinstance(other, DispatchTotals):
            self.fates.update(other.fates)
            self.lateness += other.lateness
            self.members_looked += other.members_looked


@dataclass(frozen=True)
class DispatchPolicy:
    grace: timedelta = timedelta(minutes=30)
    claim_lease: timedelta = timedelta(minutes=2)
    members_per_claim: int = 500
    # Enough to reach Telegram's 30 messages per second at up to ~300 ms per request; also the
    # most nudges a crash can leave UNCONFIRMED.
    concurrent_sends: int = 10
    most_rounds_per_tick: int = 1000
    # A member gets at most this many unanswered nudges a day (scheduler/nagging.py).
    unanswered_a_day: int = DEFAULT_UNANSWERED_A_DAY
    # Telegram's rate for the whole bot (all dispatchers together), which the plan works with.
    rate_per_second: float = 30.0
    # When flexible nudges may be claimed before they are due (scheduler/release_plan.py).
    release: ReleasePlan = ON_TIME
    # Since when dispatching has run without a break. A slot that fell due before it and is past
    # its window fell due while no dispatcher ran: MISSED; one that fell due since: LATE (the
    # rate was taken). None: unknown, taken as a break.
    running_since: datetime | None = None
    # Paid broadcasts (PAID_BROADCAST): only for nudges that would otherwise miss their window,
    # at most `paid_a_day` a day (UTC days), in chunks of `concurrent_paid_sends`.
    paid_broadcast: bool = False
    paid_a_day: int = 0
    paid_rate_per_second: float = 1000.0
    concurrent_paid_sends: int = 50
    # A claim takes no more members than the rate sends in this many seconds, so that what falls
    # due meanwhile (a walk nudge, whose window is short) waits for one short round at most.
    round_seconds: float = 17.0


@dataclass(frozen=True)
class OutgoingNudge:
    nudge_id: int
    member_id: int
    chat_id: int
    language: str
    habit: Habit
    slot: str
    due_at: datetime
    tip_text: str | None
    glasses: int
    water_goal: int
    snooze_count: int
    snooze_minutes: int
    # Earlier prompts to close first, and whether it goes out as a question, a checklist or with
    # an offer (scheduler/nagging.py).
    courtesy: Courtesy = NO_COURTESY
    # The end of its window (scheduler/windows.py); None: a snoozed nudge, which the member
    # asked to come back and which goes whenever it can.
    deadline: datetime | None = None
    # Goes as a paid broadcast: it would miss its window at the free rate.
    paid: bool = False


def _glasses(checkins: Sequence[CheckIn]) -> int:
    return int(sum(c.value or 0 for c in checkins if c.habit == Habit.WATER))


def _covered(pauses: Sequence[Pause], instant: datetime) -> bool:
    return any(p.starts_at <= instant and (p.ends_at is None or p.ends_at > instant) for p in pauses)


def is_slot_done(checkins: Sequence[CheckIn], *, habit: str, slot: str, water_goal: int) -> bool:
    """Whether a nudge for this slot would nag about something already answered today."""
    if habit == Habit.WATER:
        return sum(c.value or 0 for c in checkins if c.habit == Habit.WATER) >= water_goal
    return any(c.habit == habit and c.slot == slot for c in checkins)


def _most_urgent(opened: Sequence[Slot]) -> tuple[list[Slot], list[Slot]]:
    """A member's open slots whose window closes first, and the rest.

    A member's later slots wait for their own turn: claimed together, the water nudge after
    lunch would take the rate from other members' walk nudges, whose windows close sooner.
    """
    if not opened:
        return [], []
    first = min(deadline_of(slot.key, slot.due_at) for slot in opened)
    urgent = [slot for slot in opened if deadline_of(slot.key, slot.due_at) <= first + TAKEN_TOGETHER]
    return urgent, [slot for slot in opened if slot not in urgent]


class _Claim:
    """One claim transaction: decides every due slot's fate and collects what must be sent.

    It works on a whole batch of members at once: the slots come from pure functions, and what
    decides their fate (existing nudges, check-ins, pauses, recent tips) is read with one query
    each for the batch, not one per member or nudge.
    """

    def __init__(
        self,
        session: Session,
        now: datetime,
        policy: DispatchPolicy,
        tips: TipLibrary,
        claimer: str,
    ) -> None:
        self.session, self.now, self.policy, self.tips = session, now, policy, tips
        self.claimer = claimer
        self.outgoing: list[OutgoingNudge] = []
        self.counts = DispatchTotals()
        # (member, nudge) pairs whose fate is decided together by `decide`.
        self._pending: list[tuple[Member, Nudge]] = []
        self._new: list[Nudge] = []

    def claim_members(self, members: Sequence[Member]) -> None:
        """Queue every slot that fell due for these members since their cursor; move the cursor."""
        due: list[tuple[Member, Slot]] = []
        for member in members:
            routine, zone = routine_of(member), zone_of(member)
            opens_at = outside_quiet_hours(self.policy.release.opens_at, zone, quiet_hours_of(member))
            # Slots due a little later whose window the plan has opened go now, before a rush.
            opened = [
                slot
                for slot in slots_due_between(routine, zone, member.schedule_cursor, self.now + MOST_EARLY)
                if slot.due_at <= self.now or opens_at(slot) <= self.now
            ]
            taken_now, left = _most_urgent(opened)
            due += [(member, slot) for slot in taken_now]
            if left:
                # The member comes back, in deadline order among the others, for what is left.
                first_left = min(left)
                member.schedule_cursor = min(self.now, first_left.due_at - timedelta(microseconds=1))
                member.next_due_at = self.now
                member.next_deadline_at = min(deadline_of(slot.key, slot.due_at) for slot in left)
                continue
            member.schedule_cursor = self.now
            member.next_due_at, member.next_deadline_at = next_opening(
                routine, zone, self.now, opens_at, claimed_at_after=True
            ) or (None, None)
        taken = queries.nudge_keys_of_members(
            session=self.session,
            member_ids={member.id for member, _ in due if member.id},
            days={slot.local_date for _, slot in due},
        )
        for member, slot in due:
            assert member.id is not None
            if (member.id, slot.habit, slot.local_date, slot.key) in taken:
                continue
            nudge = Nudge(
                member_id=member.id,
                habit=slot.habit,
                slot=slot.key,
                local_date=slot.local_date,
                due_at=slot.due_at,
                status=NudgeStatus.CLAIMED,
                claimed_at=self.now,
                claimed_by=self.claimer,
            )
            self._new.append(nudge)
            self._pending.append((member, nudge))

    def retake(self, nudges: Sequence[Nudge]) -> None:
        """Queue reclaimed or snoozed nudges; those of members who left become undelivered."""
        members = queries.members_by_ids(
            session=self.session, member_ids={nudge.member_id for nudge in nudges}
        )
        for nudge in nudges:
            member = members.get(nudge.member_id)
            if member is None or not member.active:
                nudge.status = NudgeStatus.UNDELIVERED
                self.counts.fate(NudgeStatus.UNDELIVERED, nudge.habit)
                continue
            self._pending.append((member, nudge))

    def decide(self) -> None:
        """Give every queued nudge its fate, store the new ones, and collect what must be sent."""
        if not self._pending:
            return
        member_ids = {nudge.member_id for _, nudge in self._pending}
        checkins = queries.checkins_of_members_on(
            session=self.session, member_ids=member_ids, days={nudge.local_date for _, nudge in self._pending}
        )
        pauses = queries.pauses_of_members_between(
            session=self.session,
            member_ids=member_ids,
            start=min(nudge.due_at for _, nudge in self._pending),
            end=max(self.now, max(nudge.due_at for _, nudge in self._pending)),
        )
        going: list[tuple[Member, Nudge, list[CheckIn]]] = []
        restraint = Restraint(self.session, self.now, self.policy.unanswered_a_day, self._pending)
        for member, nudge in self._pending:
            day_checkins = checkins.get((nudge.member_id, nudge.local_date), [])
            status = self._fate(member, nudge, pauses.get(nudge.member_id, []), day_checkins)
            status = restraint.fate(member, nudge, status)
            nudge.status, nudge.claimed_at, nudge.resend_at = status, self.now, None
            nudge.claimed_by = self.claimer
            if status is NudgeStatus.CLAIMED:
                # Its fate is counted when the send's outcome is recorded.
                self.counts[status] += 1
                going.append((member, nudge, day_checkins))
            else:
                self.counts.fate(status, nudge.habit)
        self._choose_tips(
            [
                (member, nudge)
                for member, nudge, _ in going
                if nudge.tip_id is None and nudge.slot not in SLOTS_WITHOUT_TIP and nudge.shown_as is None
            ]
        )
        queries.add_nudges(session=self.session, nudges=self._new)
        restraint.store()
        for member, nudge, day_checkins in going:
            assert member.id is not None
            assert nudge.id is not None
            tip = self.tips.get(nudge.tip_id) if nudge.tip_id else None
            self.outgoing.append(
                OutgoingNudge(
                    nudge_id=nudge.id,
                    member_id=member.id,
                    chat_id=member.chat_id,
                    language=member.language,
                    habit=Habit(nudge.habit),
                    slot=nudge.slot,
                    due_at=nudge.due_at,
                    tip_text=tip.text(member.language) if tip else None,
                    glasses=_glasses(day_checkins),
                    water_goal=member.water_goal,
                    snooze_count=nudge.snooze_count,
                    snooze_minutes=member.snooze_minutes,
                    courtesy=restraint.courtesy_for(nudge),
                    deadline=None if nudge.snooze_count else deadline_of(nudge.slot, nudge.due_at),
                )
            )
        self._pending, self._new = [], []

    def _fate(
        self, member: Member, nudge: Nudge, pauses: Sequence[Pause], checkins: Sequence[CheckIn]
    ) -> NudgeStatus:
        if nudge.snooze_count == 0:
            running_since = self.policy.running_since
            fell_due_while_down = running_since is None or nudge.due_at < running_since
            if self.now > deadline_of(nudge.slot, nudge.due_at):
                return NudgeStatus.MISSED if fell_due_while_down else NudgeStatus.LATE
            if fell_due_while_down and self.now - nudge.due_at > self.policy.grace:
                return NudgeStatus.MISSED
        # Paused when it fell due or now: a snoozed nudge does not come back during a pause either.
        if _covered(pauses, nudge.due_at) or _covered(pauses, self.now):
            return NudgeStatus.PAUSED
        if is_quiet_at(self.now, zone_of(member), quiet_hours_of(member)):
            return NudgeStatus.QUIET
        done = is_slot_done(checkins, habit=nudge.habit, slot=nudge.slot, water_goal=member.water_goal)
        return NudgeStatus.SUPPRESSED if done else NudgeStatus.CLAIMED

    def _choose_tips(self, going: Sequence[tuple[Member, Nudge]]) -> None:
        """Rotate tips per member and habit over the tips that fit each slot's kind, counting the
        ones chosen earlier in this claim."""
        if not going:
            return
        kinds: list[tuple[Nudge, SlotKind]] = []
        per_day: dict[str, int] = {}
        for member, nudge in going:
            routine = routine_of(member)
            kinds.append((nudge, kind_of_slot(routine, nudge.slot)))
            per_day[nudge.habit] = max(per_day.get(nudge.habit, 1), slots_a_day(routine, Habit(nudge.habit)))
        # A kind that comes round once a day needs as many days of the habit's sends as it has
        # tips, so that the last send of each of them is in the history (see choose_tip).
        history_length = {
            habit: max(len(self.tips.enabled(habit)), 1) * count for habit, count in per_day.items()
        }
        fitting = {kind: len(self.tips.fitting(kind)) for kind in {kind for _, kind in kinds}}
        pairs = {(nudge.member_id, nudge.habit) for nudge, _ in kinds}
        recent = queries.recent_tip_ids_of_members(
            session=self.session, pairs=pairs, limit=max(history_length.values())
        )
        # Only kinds with few tips keep a tip from coming back within the week (see choose_tip).
        this_week = queries.tip_ids_sent_since(
            session=self.session,
            since=self.now - TIP_REPEAT_GAP,
            pairs={(nudge.member_id, nudge.habit) for nudge, kind in kinds if fitting[kind] < SMALL_GROUP},
        )
        for nudge, kind in sorted(kinds, key=lambda pair: pair[0].due_at):
            key = (nudge.member_id, nudge.habit)
            seen = recent.setdefault(key, [])
            shown = this_week.setdefault(key, set())
            tip = choose_tip(
                self.tips, kind, seen[: history_length[nudge.habit]], shown_within_repeat_gap=shown
            )
            nudge.tip_id = tip.id if tip else None
            if tip is not None:
                seen.insert(0, tip.id)
                shown.add(tip.id)


def _members_per_claim(policy: DispatchPolicy) -> int:
    by_rate = int(policy.rate_per_second * policy.round_seconds)
    return max(policy.concurrent_sends, min(policy.members_per_claim, by_rate))


def claim_due_nudges(
    *, session: Session, now: datetime, policy: DispatchPolicy, tips: TipLibrary, claimer: str
) -> tuple[list[OutgoingNudge], DispatchTotals]:
    """Decide the fate of everything due by `now` and commit it; return what must be sent."""
    claim = _Claim(session, now, policy, tips, claimer)
    lease_ended = now - policy.claim_lease
    with session.no_autoflush:
        unconfirmed = queries.mark_stale_claims_unconfirmed(session=session, claimed_before=lease_ended)
        for habit, count in unconfirmed.items():
            claim.counts.fate(NudgeStatus.UNCONFIRMED, habit, count)
        claim.retake(
            queries.lock_abandoned_claims(
                session=session, claimed_before=lease_ended, limit=policy.members_per_claim
            )
        )
        claim.retake(
            queries.lock_snoozed_nudges_due(session=session, now=now, limit=policy.members_per_claim)
        )
        members = queries.lock_due_members(session=session, now=now, limit=_members_per_claim(policy))
        claim.counts.members_looked = len(members)
        claim.claim_members(members)
        claim.decide()
    session.commit()
    claim.outgoing.sort(key=_send_order)
    return claim.outgoing, claim.counts


def _send_order(outgoing: OutgoingNudge) -> tuple[datetime, datetime]:
    """Earliest deadline first; a snoozed nudge (no deadline) by its own due time."""
    return (outgoing.deadline or outgoing.due_at, outgoing.due_at)


def assign_paid(
    outgoing: Sequence[OutgoingNudge],
    *,
    now: datetime,
    rate_per_second: float,
    paid_left: int,
    waiting_until: Callable[[datetime], int],
) -> list[OutgoingNudge]:
    """Mark as paid the nudges of a claim that the free rate cannot get out inside their windows.

    Taken in send order, a nudge goes free while the free rate has room before its deadline for
    it, for the free ones before it in this claim, and for the members still waiting whose window
    closes by then (`waiting_until(deadline)`, claimed by later rounds); else it goes paid, at
    most `paid_left` of them. The count is what matters, not which ones: so it is worked out
    again every round, and whatever turns out to be more than the free rate can take is paid for
    as soon as it is known, not in a crush at the deadline.
    """
    assigned: list[OutgoingNudge] = []
    free = 0
    waiting: dict[datetime, int] = {}
    for item in outgoing:
        if item.deadline is None or paid_left <= 0:
            assigned.append(item)
            free += 1
            continue
        if item.deadline not in waiting:
            waiting[item.deadline] = waiting_until(item.deadline)
        room = (item.deadline - now).total_seconds() * rate_per_second
        if free + 1 + waiting[item.deadline] > room:
            assigned.append(replace(item, paid=True))
            paid_left -= 1
        else:
            assigned.append(item)
            free += 1
    return assigned


def _chunks(items: Sequence[OutgoingNudge], size: int) -> Iterator[Sequence[OutgoingNudge]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# None: not sent, its window closed before its turn came (LATE).
SendOutcome = tuple[OutgoingNudge, Delivery | None, int | None]
# The bot renders a nudge and hands it to Telegram; the dispatcher only records what became of it.
SendNudge = Callable[[OutgoingNudge], Awaitable[SendResult]]


async def _send_one(send: SendNudge, outgoing: OutgoingNudge, clock: Clock, rate: float) -> SendOutcome:
    # It leaves at the rate's next turn, up to one message's time from now.
    if outgoing.deadline is not None and clock() + timedelta(seconds=1 / rate) > outgoing.deadline:
        # Its turn came after its window closed (the chunk before it was slow): not sent.
        return outgoing, None, None
    result = await send(outgoing)
    if result.delivery is not Delivery.DELIVERED:
        log.warning("nudge %d not delivered (%s): %s", outgoing.nudge_id, result.delivery, result.reason)
    return outgoing, result.delivery, result.message_id


def _record_outcomes(session: Session, results: Sequence[SendOutcome], clock: Clock) -> DispatchTotals:
    """Record a chunk's outcomes in the session (the caller commits); members who blocked the bot
    become inactive."""
    counts = DispatchTotals()
    outcomes: list[dict[str, object]] = []
    blocked: set[int] = set()
    for item, delivery, message_id in results:
        if delivery is None:
            outcomes.append({"id": item.nudge_id, "status": NudgeStatus.LATE.value})
            counts.fate(NudgeStatus.LATE, item.habit)
        elif delivery is Delivery.DELIVERED:
            sent_at = clock()
            outcomes.append(
                {
                    "id": item.nudge_id,
                    "status": NudgeStatus.SENT.value,
                    "message_id": message_id,
                    "sent_at": sent_at,
                    "paid": item.paid,
                }
            )
            counts.fate(NudgeStatus.SENT, item.habit)
            if item.paid:
                counts[PAID] += 1
            if item.snooze_count == 0:  # a snoozed one comes back late on purpose
                counts.lateness.append((item.habit, (sent_at - item.due_at).total_seconds()))
        else:
            outcomes.append({"id": item.nudge_id, "status": NudgeStatus.UNDELIVERED.value})
            counts.fate(NudgeStatus.UNDELIVERED, item.habit)
            if delivery is Delivery.BLOCKED:
                blocked.add(item.member_id)
    queries.record_send_outcomes(session=session, outcomes=outcomes)
    for member_id in blocked:
        queries.deactivate_member(session=session, member_id=member_id)
    return counts


async def send_claimed(
    outgoing: Sequence[OutgoingNudge],
    *,
    engine: Engine,
    send: SendNudge,
    policy: DispatchPolicy,
    clock: Clock,
    claimer: str,
    stop_requested: StopRequested = _never,
) -> DispatchTotals:
    """Send claimed nudges a chunk at a time: marked SENDING just before, recorded right after.

    A chunk is at most `concurrent_sends` nudges. One transaction records a chunk's outcomes and
    marks the next chunk SENDING, so at any moment at most one chunk is SENDING and a crash leaves
    at most `concurrent_sends` UNCONFIRMED. Paid broadcasts go beside the free ones, in chunks of
    their own (`concurrent_paid_sends`), at their own rate: the free rate never waits for them, and
    with them on a crash may leave one chunk of each. Once a stop is requested no new chunk starts;
    the claims not yet handed over are released for the next tick.
    """
    counts = DispatchTotals()
    lanes = [
        ([item for item in outgoing if item.paid], policy.concurrent_paid_sends, policy.paid_rate_per_second),
        ([item for item in outgoing if not item.paid], policy.concurrent_sends, policy.rate_per_second),
    ]
    for lane_counts in await asyncio.gather(
        *(
            _send_lane(items, size, rate, engine, send, clock, claimer, stop_requested)
            for items, size, rate in lanes
            if items
        )
    ):
        counts.add(lane_counts)
    if stop_requested():
        with new_session(engine) as session:
            released = queries.release_claims(
                session=session, nudge_ids=[item.nudge_id for item in outgoing], claimer=claimer
            )
        if released:
            counts[RELEASED] += released
    return counts


async def _send_lane(
    items: Sequence[OutgoingNudge],
    size: int,
    rate: float,
    engine: Engine,
    send: SendNudge,
    clock: Clock,
    claimer: str,
    stop_requested: StopRequested,
) -> DispatchTotals:
    """One lane of `send_claimed`: its chunks one after another, each recorded as the next starts."""
    counts = DispatchTotals()
    sent: Sequence[SendOutcome] = []
    for chunk in _chunks(items, size):
        if stop_requested():
            break
        now = clock()
        # A chunk goes at the rate: the nth of it leaves about n / rate seconds from now.
        late = [
            item
            for position, item in enumerate(chunk)
            if item.deadline is not None and now + timedelta(seconds=position / rate) > item.deadline
        ]
        with new_session(engine) as session:
            counts.add(_record_outcomes(session, sent, clock))
            if late:
                queries.mark_late(session=session, nudge_ids=[i.nudge_id for i in late], claimer=claimer)
            held = queries.start_sending(
                session=session,
                nudge_ids=[i.nudge_id for i in chunk if i not in late],
                claimer=claimer,
                now=now,
            )
            session.commit()
        for item in late:
            counts.fate(NudgeStatus.LATE, item.habit)
        # Claims another dispatcher took over after their lease are no longer ours to send.
        mine = [item for item in chunk if item.nudge_id in held]
        sent = await asyncio.gather(*(_send_one(send, item, clock, rate) for item in mine))
    if sent:
        with new_session(engine) as session:
            counts.add(_record_outcomes(session, sent, clock))
            session.commit()
    return counts


def _with_paid(
    session: Session, outgoing: list[OutgoingNudge], now: datetime, policy: DispatchPolicy
) -> list[OutgoingNudge]:
    """The claim's nudges, those that need it marked paid, within today's paid allowance."""
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    used = capacity_queries.paid_broadcasts_since(session=session, since=day_start)
    return assign_paid(
        outgoing,
        now=now,
        rate_per_second=policy.rate_per_second,
        paid_left=max(0, policy.paid_a_day - used),
        waiting_until=lambda deadline: capacity_queries.members_due_by_deadline(
            session=session, now=now, deadline=deadline
        ),
    )


async def dispatch_due(
    *,
    engine: Engine,
    send: SendNudge,
    tips: TipLibrary,
    now: datetime,
    policy: DispatchPolicy,
    clock: Clock,
    stop_requested: StopRequested = _never,
) -> DispatchTotals:
    """Claim and send in rounds until nothing more is due (or a stop is requested).

    Each round works at its own moment, `now` moved on by the clock: a long tick at Telegram's
    pace keeps opening windows and closing others as it goes.
    """
    totals = DispatchTotals()
    started = clock()
    for _ in range(policy.most_rounds_per_tick):
        if stop_requested():
            break
        claimer = uuid.uuid4().hex
        round_now = now + (clock() - started)
        with new_session(engine) as session:
            outgoing, counts = claim_due_nudges(
                session=session, now=round_now, policy=policy, tips=tips, claimer=claimer
            )
            if policy.paid_broadcast and outgoing:
                outgoing = _with_paid(session, outgoing, round_now, policy)
        totals.add(counts)
        if not outgoing and counts.total() == 0 and counts.members_looked == 0:
            break
        totals.add(
            await send_claimed(
                outgoing,
                engine=engine,
                send=send,
                policy=policy,
                clock=clock,
                claimer=claimer,
                stop_requested=stop_requested,
            )
        )
    return totals
