"""Guided breathing sessions while they run: one repeating job makes every edit that is due.

A session is one message. It goes out with a short intro and a stop button; `LEAD_IN_SECONDS`
later the first "breathe in" replaces the intro, and from then on the message is edited at each
planned edit of `habits.breathing.plan_session`, paced by `bot.breathing.pacing.next_edit` (late
edits skipped, 429s waited out by skipping, thinned to one edit per round after three misses). At
the planned end the breathing check-in is stored and the closing line shown.

Why one job (`breathing-edits`, every half second) rather than a task per session: there is no
timer per member anywhere in the bot, the job reads the bot's clock, so tests and the offline
console drive it with the stepped clock (`bot.offline`), and a restart loses nothing the database
needs (sessions that were running are marked interrupted at start-up). The job itself never
waits for Telegram: each due edit runs as a task of its own, so one slow edit holds up no other.

A session started while the rate limiter is busy (nudges fill the shared limit) does not put its
message in front of them: the member's tap is answered at once ("begins in a moment"), and the
message waits for a quiet moment, `START_WAIT_SECONDS` at most; its plan starts when the message
is out, so it still ends on time. How a session runs is decided just before its message goes
(`choose`): as the member chose, unless the limiter is busy or the running sessions' edits already
fill their budget, and then as the looping animation, which needs no edits until the end. Phase
edits go in the rate limiter's best-effort lane, so they give way to nudges and replies; the
closing edit goes like a reply, and the answered nudge's edit waits for a quiet moment.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session
from telegram import InlineKeyboardMarkup

from bot.breathing import animation
from bot.breathing.keyboards import again_keyboard, stop_keyboard
from bot.breathing.pacing import NextEdit, next_edit
from bot.breathing.views import (
    animation_intro_text,
    closing_text,
    edit_text,
    interrupted_text,
    intro_text,
    stopped_text,
)
from bot.nudges.messages import answer_line, answered_nudge_text, nudge_text
from bot.rate_limit import Lane, PriorityRateLimiter
from bot.sender import Edited, EditOutcome, TelegramSender
from habits import breathing_sessions, checkins
from habits.breathing import (
    MIN_EDIT_SECONDS,
    BreathingPattern,
    GuidanceMode,
    SessionPlan,
    plan_session,
    thinned,
)
from habits.breathing_sessions import BreathingChoice
from habits.checkins import CheckInResult, Outcome
from scheduler.clock import Clock
from scheduler.delivery import Delivery
from storage import breathing_queries, checkin_queries
from storage.database import new_session
from storage.direct import DirectConnection
from storage.models import BreathingSessionStatus, Member
from tips.library import TipLibrary

log = logging.getLogger(__name__)

BREATHING_JOB_NAME = "breathing-edits"
# Half a second: an edit is made at most this late, well within pacing's LATE_SECONDS.
TICK = timedelta(seconds=0.5)
# The intro stays this long before the first breath, which also keeps the first edit a full edit
# gap after the message itself.
LEAD_IN_SECONDS = MIN_EDIT_SECONDS
# A closing or stop edit that timed out is tried again this much later.
RETRY_SECONDS = 2.0
# Recent sessions' outcomes, for benchmarks and logs.
OUTCOMES_KEPT = 10_000
# A session started at a busy moment waits for the nudges at most this long: the member was told
# it begins in a moment, and a minute and a half is about as long as that can stretch. So only a
# burst of more than 2,700 nudges (90 s at 30 a second) ever sees a session go before its end.
START_WAIT_SECONDS = 90.0


def edit_rate(plan: SessionPlan) -> float:
    """The phase edits a plan makes per second, on average."""
    return (len(plan.edits) - 1) / plan.end_offset


@dataclass
class LiveSession:
    """A running session as this process paces it (the database only knows that it runs)."""

    session_id: int
    telegram_id: int
    chat_id: int
    message_id: int
    language: str
    pattern: BreathingPattern
    preferred: GuidanceMode  # as the member chose it
    guidance: GuidanceMode  # as it runs
    plan: SessionPlan  # the plan it follows now: thinned once it had to be
    breath_starts_at: datetime  # offset 0 of the plan
    nudge_id: int | None
    # Pacing state: the offset of the last edit tried, the edits skipped in a row, and the offset
    # before which Telegram asked for no edit.
    after: float | None = None
    skipped: int = 0
    not_before: float = 0.0
    # Stored as finished (and the check-in with it); only the closing line may still be due.
    finished: bool = False
    result: CheckInResult | None = None
    shown: int = 0
    missed: int = 0
    ever_thinned: bool = False
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def planned_end(self) -> datetime:
        return self.breath_starts_at + timedelta(seconds=self.plan.end_offset)

    def offset(self, now: datetime) -> float:
        return (now - self.breath_starts_at).total_seconds()

    def step(self, now: datetime) -> NextEdit | None:
        """The edit to make next, and when (an animation has only its closing line)."""
        offset = self.offset(now)
        if self.guidance is GuidanceMode.ANIMATION:
            closing = self.plan.closing
            if self.after is not None and not self.skipped:
                return None
            return NextEdit(self.plan, closing, max(closing.offset, self.not_before), self.skipped)
        wait = max(0.0, self.not_before - offset)
        return next_edit(self.plan, offset, self.skipped, after=self.after, retry_after=wait)


@dataclass(frozen=True)
class SessionOutcome:
    """How one session went: what it followed, how many edits missed, when its closing line showed."""

    session_id: int
    preferred: GuidanceMode
    guidance: GuidanceMode
    thinned: bool
    shown: int
    missed: int
    planned_end: datetime
    closed_at: datetime | None
    status: BreathingSessionStatus

    @property
    def every_phase(self) -> bool:
        return self.guidance is GuidanceMode.TEXT and not self.thinned and not self.missed


@dataclass(frozen=True)
class OpenedSession:
    """A session stored as running, whose message is still to be sent."""

    session_id: int
    telegram_id: int
    chat_id: int
    language: str
    choice: BreathingChoice
    nudge_id: int | None
    opened_at: datetime
    # Opened at a busy moment: the message waits for the nudges (`BreathingRunner.begin`).
    waits: bool = False


@dataclass(frozen=True)
class AlreadyRunning:
    language: str
    # The running session's message is still waiting for a quiet moment, so there is none to see.
    starting: bool = False


@dataclass(frozen=True)
class StoppedSession:
    """A session just stored as stopped, whose message is still to say so."""

    chat_id: int
    message_id: int
    language: str
    nudge_id: int | None
    animation: bool
    live: LiveSession | None


class BreathingRunner:
    """This process's running sessions, how a new one runs, and the job that edits them."""

    def __init__(
        self,
        *,
        sender: TelegramSender,
        engine: Engine,
        clock: Clock,
        tips: Callable[[], TipLibrary],
        limiter: PriorityRateLimiter | None,
    ) -> None:
        self._sender, self._engine, self._clock, self._tips = sender, engine, clock, tips
        self._limiter = limiter
        self.sessions: dict[int, LiveSession] = {}
        self.outcomes: deque[SessionOutcome] = deque(maxlen=OUTCOMES_KEPT)
        self._tasks: set[asyncio.Task[None]] = set()
        # Sessions opened at a busy moment whose message waits for a quiet one.
        self._waiting: dict[int, OpenedSession] = {}
        # How the sessions whose message is on its way run: their edits count before they are live.
        self._sending: dict[int, tuple[GuidanceMode, SessionPlan]] = {}

    # -- starting ------------------------------------------------------------------------------

    def budget(self) -> float:
        """Phase edits per second all sessions together may plan on."""
        return self._limiter.best_effort_per_second if self._limiter is not None else float("inf")

    def edit_load(self) -> float:
        """Phase edits per second the running text sessions plan to make."""
        running = sum(
            edit_rate(live.plan)
            for live in self.sessions.values()
            if live.guidance is GuidanceMode.TEXT and not live.finished
        )
        sending = sum(
            edit_rate(plan) for guidance, plan in self._sending.values() if guidance is GuidanceMode.TEXT
        )
        return running + sending

    def choose(self, preferred: GuidanceMode, plan: SessionPlan) -> tuple[GuidanceMode, SessionPlan]:
        """How a new session runs: as chosen, thinned, or as the animation at a busy moment."""
        if preferred is GuidanceMode.ANIMATION:
            return GuidanceMode.ANIMATION, plan
        if self._limiter is not None and self._limiter.busy():
            return GuidanceMode.ANIMATION, plan
        load, budget = self.edit_load(), self.budget()
        if load + edit_rate(plan) <= budget:
            return GuidanceMode.TEXT, plan
        lighter = thinned(plan)
        if load + edit_rate(lighter) <= budget:
            return GuidanceMode.TEXT, lighter
        return GuidanceMode.ANIMATION, plan

    def open(
        self, session: Session, member: Member, *, nudge_id: int | None
    ) -> OpenedSession | AlreadyRunning:
        """Store a new running session for the member, or say that one already runs."""
        # No awaits in here: one uninterrupted transaction, so two quick taps cannot both start one.
        now = self._clock()
        running = breathing_sessions.running_session(session=session, member=member, now=now)
        if running is not None:
            return AlreadyRunning(member.language, starting=running.message_id is None)
        choice = breathing_sessions.choice_of(member)
        # Behind the ones already waiting, too, so that none is overtaken.
        waits = bool(self._waiting) or (self._limiter is not None and self._limiter.busy())
        latest_start = now + timedelta(seconds=START_WAIT_SECONDS if waits else 0.0)
        plan = plan_session(choice.pattern, choice.length)
        row = breathing_sessions.open_session(
            session=session,
            member=member,
            pattern=choice.pattern,
            length=choice.length,
            guidance=choice.guidance,
            nudge_id=nudge_id,
            now=now,
            planned_end_at=latest_start + timedelta(seconds=LEAD_IN_SECONDS + plan.end_offset),
        )
        assert row.id is not None
        return OpenedSession(
            session_id=row.id,
            telegram_id=member.telegram_id,
            chat_id=member.chat_id,
            language=member.language,
            choice=choice,
            nudge_id=row.nudge_id,
            opened_at=now,
            waits=waits,
        )

    async def begin(self, opened: OpenedSession) -> None:
        """Send the session's message and start pacing it; at a busy moment the job sends it later."""
        if opened.waits:
            self._waiting[opened.session_id] = opened
        else:
            await self._start(opened)

    async def _start_waited(self, opened: OpenedSession) -> None:
        if self._still_running(opened.session_id):  # not erased meanwhile
            await self._start(opened)

    async def _start(self, opened: OpenedSession) -> None:
        pattern, length = opened.choice.pattern, opened.choice.length
        guidance, plan = self.choose(opened.choice.guidance, plan_session(pattern, length))
        keyboard = stop_keyboard(opened.language, opened.session_id)
        self._sending[opened.session_id] = guidance, plan
        try:
            if guidance is GuidanceMode.ANIMATION:
                caption = animation_intro_text(opened.language, pattern, length)
                message_id = await self._send_animation(opened.chat_id, pattern, caption, keyboard)
            else:
                sent = await self._sender.send_text(
                    opened.chat_id, intro_text(opened.language, pattern, length), keyboard
                )
                message_id = sent.message_id if sent.delivery is Delivery.DELIVERED else None
        finally:
            self._sending.pop(opened.session_id, None)
        now = self._clock()
        if message_id is None:
            with new_session(self._engine) as session:
                breathing_sessions.end_session(
                    session=session,
                    session_id=opened.session_id,
                    status=BreathingSessionStatus.INTERRUPTED,
                    now=now,
                )
            return
        live = LiveSession(
            session_id=opened.session_id,
            telegram_id=opened.telegram_id,
            chat_id=opened.chat_id,
            message_id=message_id,
            language=opened.language,
            pattern=pattern,
            preferred=opened.choice.guidance,
            guidance=guidance,
            plan=plan,
            breath_starts_at=now + timedelta(seconds=LEAD_IN_SECONDS),
            nudge_id=opened.nudge_id,
            ever_thinned=plan.thinned,
        )
        with new_session(self._engine) as session:
            breathing_sessions.session_sent(
                session=session,
                session_id=opened.session_id,
                message_id=message_id,
                guidance=guidance,
                started_at=now,
                planned_end_at=live.planned_end,
            )
        self.sessions[live.session_id] = live

    async def _send_animation(
        self, chat_id: int, pattern: BreathingPattern, caption: str, keyboard: InlineKeyboardMarkup
    ) -> int | None:
        """The looping animation, uploaded once and then sent by the file_id Telegram gave it."""
        key = animation.animation_key(pattern)
        with new_session(self._engine) as session:
            file_id = breathing_queries.animation_file_id(session=session, key=key)
        filename = f"{key}.gif"
        if file_id is not None:
            sent = await self._sender.send_animation(
                chat_id, file_id, filename=filename, caption=caption, reply_markup=keyboard
            )
            if sent.result.delivery is Delivery.DELIVERED:
                return sent.result.message_id
            if "file identifier" not in sent.result.reason.lower():
                return None
            with new_session(self._engine) as session:  # Telegram lost it: upload it again
                breathing_queries.forget_animation_file(session=session, key=key)
        gif = await asyncio.to_thread(animation.animation_gif, pattern)
        sent = await self._sender.send_animation(
            chat_id, gif, filename=filename, caption=caption, reply_markup=keyboard
        )
        if sent.file_id is not None:
            with new_session(self._engine) as session:
                breathing_queries.remember_animation_file(
                    session=session, key=key, file_id=sent.file_id, now=self._clock()
                )
        return sent.result.message_id if sent.result.delivery is Delivery.DELIVERED else None

    # -- the job -------------------------------------------------------------------------------

    def next_due(self) -> datetime | None:
        """When the next edit of any running session is due, or a waiting session's message can go
        (the offline runner steps to it)."""
        now = self._clock()
        moments = []
        for live in self.sessions.values():
            step = live.step(now)
            if step is not None:
                moments.append(live.breath_starts_at + timedelta(seconds=step.at))
        if self._waiting and self._limiter is not None:
            # A millisecond on, so that the clock set to it finds the share quiet, whatever the rounding.
            quiet_in = math.ceil(self._limiter.quiet_in() * 1000 + 1) / 1000
            quiet_at = now + timedelta(seconds=quiet_in)
            moments += [
                min(quiet_at, opened.opened_at + timedelta(seconds=START_WAIT_SECONDS))
                for opened in self._waiting.values()
            ]
        return min(moments, default=None)

    async def run_due(self) -> None:
        """Send the waiting sessions' messages that may go, and start every edit that is due now;
        each runs as a task of its own."""
        now = self._clock()
        # The waiting messages first, so that they take the room before the phase edits do: a
        # member who has waited for their session matters more than a skipped phase. Oldest
        # first, as many as leave the reserve free for nudges, as the background lane would, but
        # counted here so that none of them waits again (a stepped clock would never end that
        # wait). One that has waited its longest goes regardless.
        room = self._limiter.room() if self._limiter is not None else math.inf
        for opened in list(self._waiting.values()):
            overdue = now - opened.opened_at >= timedelta(seconds=START_WAIT_SECONDS)
            if room < 1 and not overdue:
                continue
            room -= 1
            del self._waiting[opened.session_id]
            self._spawn(self._start_waited(opened))
        for live in list(self.sessions.values()):
            if live.lock.locked():
                continue
            step = live.step(now)
            if step is not None and step.at <= live.offset(now):
                self._spawn(self._make(live, step))

    async def settle(self) -> None:
        """Wait until every edit started so far is done (tests and the offline runner)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks))

    async def close(self) -> None:
        """Let go of the edits still on their way (the bot is stopping)."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self.sessions.clear()
        self._waiting.clear()

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _make(self, live: LiveSession, step: NextEdit) -> None:
        async with live.lock:
            if self.sessions.get(live.session_id) is not live:
                return  # stopped while this edit waited for its turn
            if not live.finished and not self._still_running(live.session_id):
                self.sessions.pop(live.session_id, None)  # the member's data was erased meanwhile
                return
            live.plan = step.plan
            live.ever_thinned = live.ever_thinned or step.plan.thinned
            live.missed += step.skipped - live.skipped  # the edits pacing passed over just now
            if step.edit.closing:
                await self._close(live, step)
                return
            outcome = await self._sender.edit_once(
                live.chat_id,
                live.message_id,
                edit_text(live.language, step.edit),
                stop_keyboard(live.language, live.session_id),
                lane=Lane.BEST_EFFORT,
            )
            if outcome.edited is Edited.GONE:
                self._end(live, BreathingSessionStatus.STOPPED)
                return
            self._paced(live, step, outcome)

    def _still_running(self, session_id: int) -> bool:
        with DirectConnection(self._engine) as connection:
            state = checkin_queries.breathing_session_status(connection=connection, session_id=session_id)
        return state is not None and state[0] == BreathingSessionStatus.RUNNING

    def _paced(self, live: LiveSession, step: NextEdit, outcome: EditOutcome) -> None:
        live.after = step.edit.offset
        if outcome.edited is Edited.MADE:
            live.skipped, live.not_before = 0, 0.0
            live.shown += 1
            return
        if not step.edit.closing:
            live.missed += 1
        live.skipped = step.skipped + 1
        wait = outcome.retry_after or (RETRY_SECONDS if step.edit.closing else 0.0)
        live.not_before = live.offset(self._clock()) + wait

    async def _close(self, live: LiveSession, step: NextEdit) -> None:
        """The planned end: store the session's check-in (once), then show the closing line."""
        if not live.finished:
            with DirectConnection(self._engine) as connection:
                live.result = checkins.record_guided(
                    connection=connection,
                    telegram_id=live.telegram_id,
                    session_id=live.session_id,
                    nudge_id=live.nudge_id,
                    now=self._clock(),
                )
            live.finished = True
            if live.result.outcome in (Outcome.NOTHING_OPEN, Outcome.NOT_REGISTERED):  # stopped, erased
                self.sessions.pop(live.session_id, None)
                return
        outcome = await self._sender.edit_once(
            live.chat_id,
            live.message_id,
            closing_text(live.language),
            caption=live.guidance is GuidanceMode.ANIMATION,
        )
        if outcome.edited in (Edited.REFUSED, Edited.FAILED):
            self._paced(live, step, outcome)
            return
        self.sessions.pop(live.session_id, None)
        self._record(live, BreathingSessionStatus.FINISHED, self._clock())
        if live.result is not None and live.result.outcome is Outcome.RECORDED:
            self._spawn(self._close_nudge(live.chat_id, live.result))

    async def _close_nudge(self, chat_id: int, result: CheckInResult) -> None:
        """The nudge the session answered loses its buttons and shows the answer, when it is quiet."""
        nudge = result.nudge
        if nudge is None or nudge.message_id is None:
            return
        tip = self._tips().get(nudge.tip_id) if nudge.tip_id else None
        original = nudge_text(
            language=result.language,
            slot=nudge.slot,
            tip=tip.text(result.language) if tip else None,
            glasses=0,
            goal=0,
        )
        await self._sender.edit_text(
            chat_id,
            nudge.message_id,
            answered_nudge_text(original, answer_line(result)),
            lane=Lane.BACKGROUND,
        )

    def _end(self, live: LiveSession, status: BreathingSessionStatus) -> None:
        """A session whose message went away (deleted, or the bot blocked): ended, nothing stored."""
        self.sessions.pop(live.session_id, None)
        with new_session(self._engine) as session:
            breathing_sessions.end_session(
                session=session, session_id=live.session_id, status=status, now=self._clock()
            )
        self._record(live, status, None)

    def _record(self, live: LiveSession, status: BreathingSessionStatus, closed_at: datetime | None) -> None:
        self.outcomes.append(
            SessionOutcome(
                session_id=live.session_id,
                preferred=live.preferred,
                guidance=live.guidance,
                thinned=live.ever_thinned,
                shown=live.shown,
                missed=live.missed,
                planned_end=live.planned_end,
                closed_at=closed_at,
                status=status,
            )
        )

    # -- stopping and restarting ---------------------------------------------------------------

    def stop(self, session: Session, member: Member, session_id: int) -> StoppedSession | None:
        """The member's stop button: stored as stopped, no more edits (`show_stopped` says so)."""
        row = breathing_sessions.stop_session(
            session=session, member=member, session_id=session_id, now=self._clock()
        )
        if row is None or row.message_id is None:
            return None
        return StoppedSession(
            chat_id=row.chat_id,
            message_id=row.message_id,
            language=member.language,
            nudge_id=row.nudge_id,
            animation=row.guidance == GuidanceMode.ANIMATION,
            live=self.sessions.pop(session_id, None),
        )

    async def show_stopped(self, stopped: StoppedSession) -> None:
        live = stopped.live
        if live is not None:
            async with live.lock:  # an edit on its way lands first, so the stop is the last word
                self._record(live, BreathingSessionStatus.STOPPED, None)
        await self._sender.edit_once(
            stopped.chat_id,
            stopped.message_id,
            stopped_text(stopped.language),
            again_keyboard(stopped.language, stopped.nudge_id),
            caption=stopped.animation,
        )

    async def interrupt_left_running(self) -> int:
        """At start-up: sessions that were running when the bot stopped say so, with a restart button."""
        with new_session(self._engine) as session:
            rows = breathing_sessions.interrupt_running_sessions(session=session, now=self._clock())
            languages = {
                row.member_id: member.language
                for row in rows
                if (member := session.get(Member, row.member_id)) is not None
            }
        for row in rows:
            language = languages.get(row.member_id)
            if row.message_id is None or language is None:
                continue
            await self._sender.edit_once(
                row.chat_id,
                row.message_id,
                interrupted_text(language),
                again_keyboard(language, row.nudge_id),
                caption=row.guidance == GuidanceMode.ANIMATION,
            )
        return len(rows)
