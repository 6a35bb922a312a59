"""The tick: claim the nudges that are due, send them through the one sender, record the outcome.

Delivery is at most once. A tick first claims slots in one transaction (a Nudge row per slot, unique
per member, habit, routine day and slot), then marks each nudge SENDING (committed) just before
handing it to Telegram and records its outcome right after. A process that dies mid-send leaves
SENDING rows (at most `concurrent_sends` of them),
which are later marked UNCONFIRMED and never sent again; claimed rows it never reached stay CLAIMED
and another tick takes them over once their lease has run out. A tick asked to stop (SIGTERM)
finishes the sends it has handed to Telegram, records them, and lets go of the rest of its claims,
which the next tick (after a restart) takes over at once.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.context import BotContext
from bot.keyboards import nudge_keyboard
from bot.nudge_messages import nudge_text
from bot.sender import Delivery, TelegramSender
from habits.checkins import is_slot_done
from habits.kinds import Habit
from habits.members import deactivate_member, quiet_hours_of, routine_of, zone_of
from scheduler.clock import Clock
from scheduler.quiet import is_quiet_at
from scheduler.slots import Slot, next_due_after, slots_due_between
from scheduler.weekly_reports import send_due_weekly_reports
from storage import queries
from storage.database import new_session
from storage.models import CheckIn, Member, Nudge, NudgeStatus
from tips.library import TIP_REPEAT_GAP, TipLibrary, choose_tip

log = logging.getLogger(__name__)

StopRequested = Callable[[], bool]
RELEASED = "released"


def _never() -> bool:
    return False


@dataclass(frozen=True)
class DispatchPolicy:
    grace: timedelta = timedelta(minutes=30)
    claim_lease: timedelta = timedelta(minutes=2)
    members_per_claim: int = 500
    chunk_size: int = 100
    # Enough to reach Telegram's 30 messages per second at up to ~300 ms per request; also the
    # most nudges a crash can leave UNCONFIRMED.
    concurrent_sends: int = 10
    most_rounds_per_tick: int = 1000


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


def _glasses(checkins: Sequence[CheckIn]) -> int:
    return int(sum(c.value or 0 for c in checkins if c.habit == Habit.WATER))


class _Claim:
    """One claim transaction: decides every due slot's fate and collects what must be sent."""

    def __init__(
        self, session: Session, now: datetime, policy: DispatchPolicy, tips: TipLibrary,
        claimer: str,
    ) -> None:
        self.session, self.now, self.policy, self.tips = session, now, policy, tips
        self.claimer = claimer
        self.outgoing: list[OutgoingNudge] = []
        self.counts: Counter[str] = Counter()
        self._checkins: dict[tuple[int, date], Sequence[CheckIn]] = {}

    def checkins(self, member_id: int, day: date) -> Sequence[CheckIn]:
        key = (member_id, day)
        if key not in self._checkins:
            self._checkins[key] = queries.checkins_on(
                session=self.session, member_id=member_id, day=day
            )
        return self._checkins[key]

    def fate(self, member: Member, nudge: Nudge) -> NudgeStatus:
        assert member.id is not None
        if self.now - nudge.due_at > self.policy.grace and nudge.snooze_count == 0:
            return NudgeStatus.MISSED
        # Paused when it fell due or now: a snoozed nudge does not come back during a pause either.
        if any(queries.pause_covering(session=self.session, member_id=member.id, instant=instant)
               for instant in (nudge.due_at, self.now)):
            return NudgeStatus.PAUSED
        if is_quiet_at(self.now, zone_of(member), quiet_hours_of(member)):
            return NudgeStatus.QUIET
        done = is_slot_done(self.checkins(member.id, nudge.local_date), habit=nudge.habit,
                            slot=nudge.slot, water_goal=member.water_goal)
        return NudgeStatus.SUPPRESSED if done else NudgeStatus.CLAIMED

    def take(self, member: Member, nudge: Nudge) -> None:
        """Give a fresh, reclaimed or snoozed nudge its fate; queue it for sending if it goes."""
        assert member.id is not None
        assert nudge.id is not None
        status = self.fate(member, nudge)
        nudge.status, nudge.claimed_at, nudge.resend_at = status, self.now, None
        nudge.claimed_by = self.claimer
        self.counts[status] += 1
        if status is not NudgeStatus.CLAIMED:
            return
        if nudge.tip_id is None:
            enabled = self.tips.enabled(nudge.habit)
            recent = queries.recent_tip_ids(session=self.session, member_id=member.id,
                                            habit=nudge.habit, limit=max(len(enabled), 1))
            this_week = queries.tip_ids_sent_since(session=self.session, member_id=member.id,
                                                   habit=nudge.habit,
                                                   since=self.now - TIP_REPEAT_GAP)
            tip = choose_tip(self.tips, nudge.habit, recent, shown_within_repeat_gap=this_week)
            nudge.tip_id = tip.id if tip else None
        tip = self.tips.get(nudge.tip_id) if nudge.tip_id else None
        self.outgoing.append(OutgoingNudge(
            nudge_id=nudge.id, member_id=member.id, chat_id=member.chat_id,
            language=member.language, habit=Habit(nudge.habit), slot=nudge.slot,
            due_at=nudge.due_at, tip_text=tip.text(member.language) if tip else None,
            glasses=_glasses(self.checkins(member.id, nudge.local_date)),
            water_goal=member.water_goal, snooze_count=nudge.snooze_count,
            snooze_minutes=member.snooze_minutes,
        ))

    def claim_member_slots(self, member: Member) -> None:
        assert member.id is not None
        routine, zone = routine_of(member), zone_of(member)
        slots = slots_due_between(routine, zone, member.schedule_cursor, self.now)
        if slots:
            taken = queries.nudge_keys_on(session=self.session, member_id=member.id,
                                          days={slot.local_date for slot in slots})
            for slot in slots:
                if (slot.habit, slot.local_date, slot.key) not in taken:
                    self.take(member, self._new_nudge(member.id, slot))
        member.schedule_cursor = self.now
        member.next_due_at = next_due_after(routine, zone, self.now)

    def _new_nudge(self, member_id: int, slot: Slot) -> Nudge:
        return queries.add_nudge(session=self.session, nudge=Nudge(
            member_id=member_id, habit=slot.habit, slot=slot.key, local_date=slot.local_date,
            due_at=slot.due_at, status=NudgeStatus.CLAIMED, claimed_at=self.now,
            claimed_by=self.claimer,
        ))

    def retake(self, nudges: Sequence[Nudge]) -> None:
        for nudge in nudges:
            member = queries.get_member(session=self.session, member_id=nudge.member_id)
            if member is None or not member.active:
                nudge.status = NudgeStatus.UNDELIVERED
                self.counts[NudgeStatus.UNDELIVERED] += 1
                continue
            self.take(member, nudge)


def claim_due_nudges(
    *, session: Session, now: datetime, policy: DispatchPolicy, tips: TipLibrary, claimer: str
) -> tuple[list[OutgoingNudge], Counter[str]]:
    """Decide the fate of everything due by `now` and commit it; return what must be sent."""
    claim = _Claim(session, now, policy, tips, claimer)
    lease_ended = now - policy.claim_lease
    unconfirmed = queries.mark_stale_claims_unconfirmed(session=session, claimed_before=lease_ended)
    if unconfirmed:
        claim.counts[NudgeStatus.UNCONFIRMED] += unconfirmed
    claim.retake(queries.lock_abandoned_claims(session=session, claimed_before=lease_ended,
                                               limit=policy.members_per_claim))
    claim.retake(queries.lock_snoozed_nudges_due(session=session, now=now,
                                                 limit=policy.members_per_claim))
    for member in queries.lock_due_members(session=session, now=now,
                                           limit=policy.members_per_claim):
        claim.claim_member_slots(member)
    session.commit()
    claim.outgoing.sort(key=lambda outgoing: outgoing.due_at)
    return claim.outgoing, claim.counts


def _chunks(items: Sequence[OutgoingNudge], size: int) -> Iterator[Sequence[OutgoingNudge]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


async def _send_one(sender: TelegramSender, outgoing: OutgoingNudge) -> tuple[Delivery, int | None]:
    message = nudge_text(language=outgoing.language, slot=outgoing.slot, tip=outgoing.tip_text,
                         glasses=outgoing.glasses, goal=outgoing.water_goal)
    keyboard = nudge_keyboard(nudge_id=outgoing.nudge_id, slot=outgoing.slot,
                              language=outgoing.language, snooze_count=outgoing.snooze_count,
                              snooze_minutes=outgoing.snooze_minutes)
    result = await sender.send_text(outgoing.chat_id, message, keyboard)
    if result.delivery is not Delivery.DELIVERED:
        log.warning("nudge %d not delivered (%s): %s", outgoing.nudge_id, result.delivery,
                    result.reason)
    return result.delivery, result.message_id


def _record_outcome(
    engine: Engine, item: OutgoingNudge, delivery: Delivery, message_id: int | None, clock: Clock
) -> NudgeStatus:
    with new_session(engine) as session:
        nudge = session.get(Nudge, item.nudge_id)
        if nudge is None:
            return NudgeStatus.UNDELIVERED  # the member erased their data while it was being sent
        if delivery is Delivery.DELIVERED:
            nudge.status, nudge.message_id, nudge.sent_at = NudgeStatus.SENT, message_id, clock()
        else:
            nudge.status = NudgeStatus.UNDELIVERED
        session.commit()
        if delivery is Delivery.BLOCKED:
            deactivate_member(session=session, member_id=item.member_id)
        return NudgeStatus(nudge.status)


async def send_claimed(
    outgoing: Sequence[OutgoingNudge],
    *,
    engine: Engine,
    sender: TelegramSender,
    policy: DispatchPolicy,
    clock: Clock,
    claimer: str,
    stop_requested: StopRequested = _never,
) -> Counter[str]:
    """Send claimed nudges, each marked SENDING just before it goes and recorded right after.

    At most `concurrent_sends` nudges are in flight, so a crash leaves at most that many
    UNCONFIRMED. Once a stop is requested nothing new starts; the claims not yet handed over
    are released for the next tick.
    """
    counts: Counter[str] = Counter()
    gate = asyncio.Semaphore(policy.concurrent_sends)

    async def send_and_record(item: OutgoingNudge) -> None:
        async with gate:
            if stop_requested():
                return
            with new_session(engine) as session:
                held = queries.start_sending(session=session, nudge_ids=[item.nudge_id],
                                             claimer=claimer, now=clock())
            if not held:
                return  # another dispatcher took the claim over
            delivery, message_id = await _send_one(sender, item)
            counts[_record_outcome(engine, item, delivery, message_id, clock)] += 1

    for chunk in _chunks(outgoing, policy.chunk_size):
        if stop_requested():
            break
        await asyncio.gather(*(send_and_record(item) for item in chunk))
    if stop_requested():
        with new_session(engine) as session:
            released = queries.release_claims(
                session=session, nudge_ids=[item.nudge_id for item in outgoing], claimer=claimer)
        if released:
            counts[RELEASED] += released
    return counts


async def dispatch_due(
    *,
    engine: Engine,
    sender: TelegramSender,
    tips: TipLibrary,
    now: datetime,
    policy: DispatchPolicy,
    clock: Clock,
    stop_requested: StopRequested = _never,
) -> Counter[str]:
    """Claim and send in rounds until nothing more is due by `now` (or a stop is requested)."""
    totals: Counter[str] = Counter()
    for _ in range(policy.most_rounds_per_tick):
        if stop_requested():
            break
        claimer = uuid.uuid4().hex
        with new_session(engine) as session:
            outgoing, counts = claim_due_nudges(session=session, now=now, policy=policy, tips=tips,
                                                claimer=claimer)
        totals.update(counts)
        if not outgoing and counts.total() == 0:
            break
        totals.update(await send_claimed(outgoing, engine=engine, sender=sender, policy=policy,
                                         clock=clock, claimer=claimer,
                                         stop_requested=stop_requested))
    return totals


async def dispatch_tick(context: BotContext) -> None:
    """Claim the nudges and weekly pictures that are due and send them (the one repeating job)."""
    if context.stop_requested:
        return
    services = context.services
    settings = services.settings
    policy = DispatchPolicy(grace=timedelta(minutes=settings.grace_minutes),
                            claim_lease=timedelta(seconds=settings.claim_lease_seconds))
    now = services.clock()
    totals = await dispatch_due(engine=services.engine, sender=context.sender, tips=services.tips,
                                now=now, policy=policy, clock=services.clock,
                                stop_requested=lambda: context.stop_requested)
    if not context.stop_requested:
        totals.update(await send_due_weekly_reports(engine=services.engine, sender=context.sender,
                                                    tips=services.tips, now=now,
                                                    clock=services.clock))
    if totals:
        log.info("dispatch tick: %s", dict(sorted(totals.items())))
