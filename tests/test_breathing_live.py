"""Guided breathing end to end: the real bot against fakegram, the clock moved by hand.

Every pattern and length edits its message at the planned moments with the planned texts (never
more than 20 edits a minute); stop half-way stores nothing; from the nudge, the check-in is stored
once and the nudge shows it; a pause does not stand in the way; a restart says the session was
interrupted; the animation is uploaded once and sent again by its file_id; a session tapped while
the nudges go out waits for them (a minute and a half at most) and still ends on time; refused
edits are survived on time.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bench.common import FIRST_TELEGRAM_ID, default_member_rows, insert_rows
from bot.breathing.animation import animation_gif, animation_key
from bot.breathing.keyboards import BreathingAction, BreathingButton
from bot.breathing.runner import LEAD_IN_SECONDS, START_WAIT_SECONDS
from bot.breathing.views import (
    already_running_text,
    animation_intro_text,
    closing_text,
    edit_text,
    interrupted_text,
    intro_text,
    session_over_text,
    starting_text,
    stopped_text,
)
from bot.rate_limit import PriorityRateLimiter
from bot.texts import text
from fakegram import ApiCall, FakeBotApi, FakeUser, UploadedFile
from habits.breathing import (
    MAX_EDITS_PER_MINUTE,
    BreathingPattern,
    GuidanceMode,
    SessionLength,
    plan_session,
    thinned,
)
from scheduler.clock import SteppedClock
from storage.database import new_session
from storage.kinds import CheckInSource, CheckInStatus
from storage.models import AnimationFile, BreathingSession, BreathingSessionStatus, NudgeStatus
from tests.harness import BotHarness, buttons, make_settings, running_bot

# Monday 23 November 2026, 16:00 in Amsterdam: everyone's breathing nudge.
BREATHING_NUDGE_TIME = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
SESSION_METHODS = ("sendMessage", "sendAnimation", "editMessageText", "editMessageCaption")
ALICE, BOB = 3001, 3002
# PTB warns on every 429 it builds that `retry_after` will become a timedelta; the bot reads both.
pytestmark = pytest.mark.filterwarnings("ignore:.*`retry_after` will be of type:DeprecationWarning")


def shown(call: ApiCall) -> str:
    """What a message shows after this call: its text or caption."""
    return str(call.params.get("text", call.params.get("caption", "")))


def session_calls(api: FakeBotApi, chat_id: int, message_id: int) -> list[ApiCall]:
    """The successful calls that sent or edited one message, oldest first."""
    return [
        call
        for call in api.calls
        if call.method in SESSION_METHODS
        and call.ok
        and call.params.get("chat_id") == chat_id
        and call.result["message_id"] == message_id
    ]


def busiest_minute(calls: list[ApiCall]) -> int:
    """The most calls within any 60 s of the bot's clock."""
    moments = [call.at for call in calls]
    return max(
        (sum(1 for later in moments if start <= later < start + timedelta(seconds=60)) for start in moments),
        default=0,
    )


def session_row(bot: BotHarness, session_id: int) -> BreathingSession:
    with new_session(bot.engine) as session:
        row = session.get(BreathingSession, session_id)
        assert row is not None
        return row


def session_message(api: FakeBotApi, chat_id: int) -> dict[str, Any]:
    """The bot's latest message with a stop button."""
    for message in reversed(api.sent_messages(chat_id)):
        if any(data.startswith("b:stop:") for _, data in buttons(message)):
            return message
    raise AssertionError(f"no running session's message in chat {chat_id}")


def session_id_of(message: dict[str, Any]) -> int:
    (data,) = [data for _, data in buttons(message) if data.startswith("b:stop:")]
    button = BreathingButton.unpack(data)
    assert button is not None
    assert button.session_id is not None
    return button.session_id


async def breathing_nudge(bot: BotHarness, user: FakeUser) -> dict[str, Any]:
    """An onboarded member's 16:00 breathing nudge."""
    await bot.onboard(user)
    await bot.run_until(BREATHING_NUDGE_TIME)
    nudge = bot.api.last_message(user.id)
    assert nudge["text"].startswith(text("nl", "nudge_breathing"))
    return nudge


def start_button_of(nudge: dict[str, Any]) -> str:
    (data,) = [data for _, data in buttons(nudge) if data.startswith("b:start:")]
    return data


def stop_data(message: dict[str, Any]) -> str:
    return BreathingButton(BreathingAction.STOP, session_id_of(message)).pack()


async def test_every_pattern_and_length_edits_on_time_with_the_planned_texts(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock
) -> None:
    combinations = list(itertools.product(BreathingPattern, SessionLength))
    users = {}
    for number, (pattern, length) in enumerate(combinations):
        user = api.user(ALICE + number, language_code="en" if number % 2 else "nl")
        await bot.say(user, "/start")
        bot.set_routine(user.id, breathing_pattern=pattern.value, breathing_minutes=length.value)
        users[user.id] = (user, pattern, length)
    started = clock()
    for user, _, _ in users.values():
        await bot.say(user, "/adem" if user.language_code == "nl" else "/breathe")
    await bot.run_until(started + timedelta(minutes=6))

    for user, pattern, length in users.values():
        language = "en" if user.language_code == "en" else "nl"
        plan = plan_session(pattern, length)
        message = api.last_message(user.id)
        calls = session_calls(api, user.id, message["message_id"])
        first_breath = started + timedelta(seconds=LEAD_IN_SECONDS)
        assert [(call.at, shown(call)) for call in calls] == [
            (started, intro_text(language, pattern, length)),
            *[
                (first_breath + timedelta(seconds=edit.offset), edit_text(language, edit))
                for edit in plan.edits
            ],
        ], (pattern, length)
        assert busiest_minute(calls) <= MAX_EDITS_PER_MINUTE
        assert all(first != second for first, second in itertools.pairwise(map(shown, calls)))
        # Every phase carries the stop button; the closing line stands alone.
        assert all(stop_data(call.result) for call in calls[:-1])
        assert shown(calls[-1]) == closing_text(language)
        assert "reply_markup" not in message
        (checkin,) = bot.checkins(user.id)
        assert (checkin.habit, checkin.slot, checkin.status, checkin.source) == (
            "breathing",
            "breathing",
            CheckInStatus.DONE,
            CheckInSource.GUIDED,
        )
        assert checkin.nudge_id is None
        assert checkin.created_at == first_breath + timedelta(seconds=plan.end_offset)
    with new_session(bot.engine) as session:
        rows = session.exec(select(BreathingSession)).all()
    assert {row.status for row in rows} == {BreathingSessionStatus.FINISHED}
    assert all(row.ended_at == row.planned_end_at for row in rows)


async def test_stopped_half_way_nothing_is_stored_until_done_is_tapped(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock
) -> None:
    alice = api.user(ALICE)
    nudge = await breathing_nudge(bot, alice)
    await bot.press(alice, nudge, start_button_of(nudge))
    message = session_message(api, ALICE)
    session_id = session_id_of(message)
    await bot.run_until(clock() + timedelta(seconds=55))
    running = api.message(ALICE, message["message_id"])
    assert running["text"] == edit_text(
        "nl", plan_session(BreathingPattern.CALM, SessionLength.TWO).edits[10]
    )
    await bot.press(alice, running, stop_data(running))
    stopped = api.message(ALICE, message["message_id"])
    assert stopped["text"] == stopped_text("nl")
    row = session_row(bot, session_id)
    assert row.nudge_id is not None
    assert [data for _, data in buttons(stopped)] == [f"b:start:{row.nudge_id}"]
    assert row.status == BreathingSessionStatus.STOPPED
    assert bot.checkins(ALICE) == []
    edits = len(api.calls_named("editMessageText"))
    await bot.run_until(clock() + timedelta(minutes=3))  # the planned end passes: nothing happens
    assert len(api.calls_named("editMessageText")) == edits
    assert bot.checkins(ALICE) == []
    # A second stop on the same message, from a slow finger: the session is over.
    alice.press(running, stop_data(running), check_button=False)
    await bot.settle()
    assert list(api.callback_answers.values())[-1]["text"] == session_over_text("nl")
    # The nudge kept its buttons, so done can still be tapped.
    current_nudge = api.message(ALICE, nudge["message_id"])
    done = next(data for _, data in buttons(current_nudge) if data.endswith(":done"))
    await bot.press(alice, current_nudge, done)
    (checkin,) = bot.checkins(ALICE)
    assert (checkin.status, checkin.source) == (CheckInStatus.DONE, CheckInSource.BUTTON)


async def test_from_the_nudge_the_checkin_is_stored_once_and_the_nudge_shows_it(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock
) -> None:
    alice = api.user(ALICE)
    nudge = await breathing_nudge(bot, alice)
    assert [label for label, _ in buttons(nudge)] == [
        text("nl", "button_done"),
        "▶️ Samen ademen (2 min)",
        text("nl", "button_snooze", minutes=15),
        text("nl", "button_skip"),
    ]
    await bot.press(alice, nudge, start_button_of(nudge))
    message = session_message(api, ALICE)
    # A second tap on the nudge's button while it runs starts nothing.
    await bot.press(alice, nudge, start_button_of(nudge))
    assert list(api.callback_answers.values())[-1]["text"] == already_running_text("nl")
    assert len(api.calls_named("sendMessage")) == len(api.sent_messages(ALICE))
    await bot.run_until(clock() + timedelta(minutes=3))
    assert api.message(ALICE, message["message_id"])["text"] == closing_text("nl")
    (checkin,) = bot.checkins(ALICE)
    (breathing,) = [n for n in bot.nudges(ALICE) if n.slot == "breathing"]
    assert (checkin.source, checkin.nudge_id) == (CheckInSource.GUIDED, breathing.id)
    assert breathing.status == NudgeStatus.ANSWERED
    answered = api.message(ALICE, nudge["message_id"])
    assert answered["text"] == f"{nudge['text']}\n\n{text('nl', 'answer_done')}"
    assert "reply_markup" not in answered

    # Tapped done on the nudge during a second session: still one check-in for the day.
    await bot.say(alice, "/adem")
    await bot.run_until(clock() + timedelta(minutes=3))
    assert api.last_message(ALICE)["text"] == closing_text("nl")
    assert len(bot.checkins(ALICE)) == 1


async def test_done_tapped_on_the_nudge_during_the_session_is_not_stored_twice(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock
) -> None:
    alice = api.user(ALICE)
    nudge = await breathing_nudge(bot, alice)
    await bot.press(alice, nudge, start_button_of(nudge))
    await bot.run_until(clock() + timedelta(seconds=30))
    done = next(data for _, data in buttons(nudge) if data.endswith(":done"))
    await bot.press(alice, nudge, done)
    await bot.run_until(clock() + timedelta(minutes=3))
    assert api.last_message(ALICE)["text"] == closing_text("nl")
    (checkin,) = bot.checkins(ALICE)
    assert checkin.source == CheckInSource.BUTTON


async def test_a_session_during_a_pause_is_the_members_own_choice(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock
) -> None:
    bob = api.user(BOB, language_code="en")
    await bot.onboard(bob)
    await bot.say(bob, "/pause")
    await bot.press_label(bob, text("en", "pause_1d"))
    await bot.say(bob, "/breathe")
    assert api.last_message(BOB)["text"] == intro_text("en", BreathingPattern.CALM, SessionLength.TWO)
    await bot.say(bob, "/adem")  # the Dutch word works in English too, and one session is enough
    assert api.last_message(BOB)["text"] == already_running_text("en")
    await bot.run_until(clock() + timedelta(minutes=3))
    assert session_message_text(api, BOB) == closing_text("en")
    (checkin,) = bot.checkins(BOB)
    assert checkin.source == CheckInSource.GUIDED


def session_message_text(api: FakeBotApi, chat_id: int) -> str:
    """The text of the latest session message (intro sent with a stop button)."""
    for call in reversed(api.calls_named("sendMessage")):
        if (
            call.ok
            and call.params["chat_id"] == chat_id
            and "b:stop:" in str(call.params.get("reply_markup"))
        ):
            return str(api.message(chat_id, call.result["message_id"])["text"])
    raise AssertionError("no session message")


async def test_a_restart_mid_session_says_it_was_interrupted_and_offers_to_start_again(
    api: FakeBotApi, clock: SteppedClock, engine: Engine, database_path: Path
) -> None:
    settings = make_settings(f"sqlite:///{database_path}")
    alice = api.user(ALICE)
    async with running_bot(api=api, clock=clock, engine=engine, settings=settings) as bot:
        nudge = await breathing_nudge(bot, alice)
        await bot.press(alice, nudge, start_button_of(nudge))
        message = session_message(api, ALICE)
        session_id = session_id_of(message)
        await bot.run_until(clock() + timedelta(seconds=30))
    clock.advance(seconds=20)
    async with running_bot(api=api, clock=clock, engine=engine, settings=settings) as bot:
        interrupted = api.message(ALICE, message["message_id"])
        assert interrupted["text"] == interrupted_text("nl")
        row = session_row(bot, session_id)
        assert (row.status, row.ended_at) == (BreathingSessionStatus.INTERRUPTED, clock())
        assert bot.checkins(ALICE) == []
        # Start again: a new session, still answering the nudge it came from.
        (again,) = [data for _, data in buttons(interrupted)]
        assert again == f"b:start:{row.nudge_id}"
        await bot.press(alice, interrupted, again)
        restarted = session_message(api, ALICE)
        assert restarted["message_id"] != message["message_id"]
        await bot.run_until(clock() + timedelta(minutes=3))
        (checkin,) = bot.checkins(ALICE)
        assert checkin.nudge_id == row.nudge_id
        assert api.message(ALICE, nudge["message_id"])["text"].endswith(text("nl", "answer_done"))
    # A clean restart with nothing running edits nothing.
    edits = len(api.calls_named("editMessageText"))
    async with running_bot(api=api, clock=clock, engine=engine, settings=settings):
        pass
    assert len(api.calls_named("editMessageText")) == edits


async def test_the_animation_is_generated_sent_once_and_then_reused_by_file_id(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock
) -> None:
    alice, bob = api.user(ALICE), api.user(BOB, language_code="en")
    for user in (alice, bob):
        await bot.say(user, "/start")
        bot.set_routine(user.id, breathing_guidance=GuidanceMode.ANIMATION.value, breathing_pattern="box")
    await bot.say(alice, "/adem")
    (upload,) = api.calls_named("sendAnimation")
    sent = upload.params["animation"]
    assert isinstance(sent, UploadedFile)
    assert sent.data == animation_gif(BreathingPattern.BOX)
    assert sent.filename == f"{animation_key(BreathingPattern.BOX)}.gif"
    assert upload.params["caption"] == animation_intro_text("nl", BreathingPattern.BOX, SessionLength.TWO)
    file_id = upload.result["animation"]["file_id"]
    with new_session(bot.engine) as session:
        stored = session.get(AnimationFile, animation_key(BreathingPattern.BOX))
    assert stored is not None
    assert stored.file_id == file_id

    await bot.say(bob, "/breathe")
    resent = api.calls_named("sendAnimation")[-1]
    assert resent.params["animation"] == file_id  # no upload
    assert resent.result["animation"]["file_unique_id"] == upload.result["animation"]["file_unique_id"]
    assert len(api.files) == 1

    # No edits until the end, then the caption says it is done.
    start = clock()
    await bot.run_until(start + timedelta(minutes=3))
    plan = plan_session(BreathingPattern.BOX, SessionLength.TWO)
    for user, language in ((alice, "nl"), (bob, "en")):
        message_id = api.last_message(user.id)["message_id"]
        calls = session_calls(api, user.id, message_id)
        assert [call.method for call in calls] == ["sendAnimation", "editMessageCaption"]
        assert calls[-1].at == start + timedelta(seconds=LEAD_IN_SECONDS + plan.end_offset)
        assert api.message(user.id, message_id)["caption"] == closing_text(language)
        (checkin,) = bot.checkins(user.id)
        assert checkin.source == CheckInSource.GUIDED

    # Stopped, an animation's caption says so too.
    await bot.say(alice, "/adem")
    message = session_message(api, ALICE)
    await bot.press(alice, message, stop_data(message))
    assert api.message(ALICE, message["message_id"])["caption"] == stopped_text("nl")
    assert len(api.files) == 1


async def test_an_animation_file_telegram_lost_is_uploaded_again(bot: BotHarness, api: FakeBotApi) -> None:
    alice = api.user(ALICE)
    await bot.say(alice, "/start")
    bot.set_routine(ALICE, breathing_guidance=GuidanceMode.ANIMATION.value)
    key = animation_key(BreathingPattern.CALM)
    with new_session(bot.engine) as session:
        session.add(AnimationFile(key=key, file_id="gone-since-the-token-changed", created_at=bot.clock()))
        session.commit()
    await bot.say(alice, "/adem")
    refused, uploaded = api.calls_named("sendAnimation")
    assert not refused.ok
    assert isinstance(uploaded.params["animation"], UploadedFile)
    with new_session(bot.engine) as session:
        stored = session.get(AnimationFile, key)
    assert stored is not None
    assert stored.file_id == uploaded.result["animation"]["file_id"]
    assert session_message(api, ALICE)["caption"].startswith("🌬️ Samen ademen")


async def test_refused_edits_are_skipped_then_thinned_and_the_session_ends_on_time(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock
) -> None:
    alice = api.user(ALICE)
    await bot.say(alice, "/start")
    await bot.say(alice, "/adem")
    start = clock()
    # Telegram refuses the first three phase edits, each with a 5 s wait.
    api.fail_next(
        "editMessageText", status=429, description="Too Many Requests: retry after 5", retry_after=5, times=3
    )
    await bot.run_until(start + timedelta(minutes=3))
    message_id = api.last_message(ALICE)["message_id"]
    tried = [call for call in api.calls_named("editMessageText") if call.params["message_id"] == message_id]
    first_breath = start + timedelta(seconds=LEAD_IN_SECONDS)
    full = plan_session(BreathingPattern.CALM, SessionLength.TWO)
    # Each refused edit was tried once, never retried; after three the plan is one edit a round.
    assert [(call.at - first_breath).total_seconds() for call in tried if not call.ok] == [0, 5, 10]
    made = [call for call in tried if call.ok]
    lighter = thinned(full)
    assert [(call.at - first_breath).total_seconds() for call in made] == [
        edit.offset for edit in lighter.edits if edit.offset >= 20
    ]
    assert [shown(call) for call in made] == [edit_text("nl", e) for e in lighter.edits if e.offset >= 20]
    assert made[-1].at == first_breath + timedelta(seconds=full.end_offset)
    (checkin,) = bot.checkins(ALICE)
    assert checkin.source == CheckInSource.GUIDED
    (outcome,) = bot.app.breathing.outcomes
    assert (outcome.thinned, outcome.missed, outcome.every_phase) == (True, 3, False)


async def test_a_deleted_session_message_ends_the_session_quietly(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock
) -> None:
    alice = api.user(ALICE)
    await bot.say(alice, "/start")
    await bot.say(alice, "/adem")
    session_id = session_id_of(session_message(api, ALICE))
    api.fail_next("editMessageText", status=400, description="Bad Request: message to edit not found")
    await bot.run_until(clock() + timedelta(minutes=3))
    assert session_row(bot, session_id).status == BreathingSessionStatus.STOPPED
    assert bot.checkins(ALICE) == []
    assert len(api.calls_named("editMessageText")) == 1


@pytest.fixture
async def small_budget_bot(api: FakeBotApi, clock: SteppedClock, engine: Engine, database_path: Path) -> Any:
    """The bot with room for half a phase edit per second, all sessions together."""
    limiter = PriorityRateLimiter(best_effort_per_second=0.5, clock=lambda: clock().timestamp())
    settings = make_settings(f"sqlite:///{database_path}")
    async with running_bot(
        api=api, clock=clock, engine=engine, settings=settings, rate_limiter=limiter
    ) as harness:
        yield harness


async def test_when_the_edits_budget_is_full_sessions_thin_and_then_run_as_the_animation(
    small_budget_bot: BotHarness, api: FakeBotApi
) -> None:
    bot = small_budget_bot
    users = [api.user(ALICE + number) for number in range(4)]
    for user in users:
        await bot.say(user, "/start")
    for user in users:
        await bot.say(user, "/adem")
    # Calm makes 0.2 edits a second, thinned 0.1: two full sessions, one thinned, then the animation.
    runs = [
        (live.guidance, live.plan.thinned)
        for live in sorted(bot.app.breathing.sessions.values(), key=lambda live: live.session_id)
    ]
    assert runs == [
        (GuidanceMode.TEXT, False),
        (GuidanceMode.TEXT, False),
        (GuidanceMode.TEXT, True),
        (GuidanceMode.ANIMATION, False),
    ]
    await bot.run_until(bot.clock() + timedelta(minutes=3))
    assert all(len(bot.checkins(user.id)) == 1 for user in users)
    assert all(outcome.closed_at == outcome.planned_end for outcome in bot.app.breathing.outcomes)


def nudge_calls(api: FakeBotApi) -> list[ApiCall]:
    """The nudges that went out (their first button answers a nudge), oldest first."""
    return [
        call
        for call in api.calls_named("sendMessage")
        if call.ok and str(call.params.get("reply_markup", "")).count("'n:")
    ]


def session_starts(api: FakeBotApi, chat_id: int) -> list[ApiCall]:
    """The session messages sent to a chat (text or animation, with a stop button), oldest first."""
    return [
        call
        for call in api.calls
        if call.method in ("sendMessage", "sendAnimation")
        and call.ok
        and call.params.get("chat_id") == chat_id
        and "b:stop:" in str(call.params.get("reply_markup"))
    ]


async def test_a_session_tapped_while_the_nudges_go_out_comes_after_them_and_runs_its_course(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock, engine: Engine
) -> None:
    # Everyone's 16:00 breathing nudge: 25 members in one dispatch round, 10 more in the next.
    due_rows = list(default_member_rows(35, cursor=BREATHING_NUDGE_TIME - timedelta(minutes=1)))
    insert_rows(engine, iter(due_rows[:25]))
    alice = api.user(FIRST_TELEGRAM_ID)
    clock.set(BREATHING_NUDGE_TIME)
    await bot.tick()
    limiter = bot.app.bot.rate_limiter
    assert isinstance(limiter, PriorityRateLimiter)
    assert limiter.busy()  # 25 nudges this second leave less than the reserve free
    nudge = api.last_message(alice.id)
    await bot.press(alice, nudge, start_button_of(nudge))
    # The tap is answered at once; the session's message waits.
    assert list(api.callback_answers.values())[-1]["text"] == starting_text("nl")
    assert session_starts(api, alice.id) == []
    # A second tap says the same; /adem starts no second session and sends nothing in the way.
    await bot.press(alice, nudge, start_button_of(nudge))
    assert list(api.callback_answers.values())[-1]["text"] == starting_text("nl")
    await bot.say(alice, "/adem")
    assert [message["message_id"] for message in api.sent_messages(alice.id)] == [nudge["message_id"]]
    insert_rows(engine, iter(due_rows[25:]))
    await bot.tick()
    assert session_starts(api, alice.id) == []

    await bot.run_until(clock() + timedelta(minutes=3))
    nudges = nudge_calls(api)
    assert len(nudges) == 35
    (intro,) = session_starts(api, alice.id)
    assert api.calls.index(intro) > max(api.calls.index(call) for call in nudges)
    # It went once the reserve was free again, within the second, and as the member chose.
    assert BREATHING_NUDGE_TIME < intro.at < BREATHING_NUDGE_TIME + timedelta(seconds=1)
    plan = plan_session(BreathingPattern.CALM, SessionLength.TWO)
    first_breath = intro.at + timedelta(seconds=LEAD_IN_SECONDS)
    assert [(call.at, shown(call)) for call in session_calls(api, alice.id, intro.result["message_id"])] == [
        (intro.at, intro_text("nl", BreathingPattern.CALM, SessionLength.TWO)),
        *[(first_breath + timedelta(seconds=edit.offset), edit_text("nl", edit)) for edit in plan.edits],
    ]
    (outcome,) = bot.app.breathing.outcomes
    assert (outcome.guidance, outcome.every_phase) == (GuidanceMode.TEXT, True)
    assert outcome.closed_at == outcome.planned_end == first_breath + timedelta(seconds=plan.end_offset)
    row = session_row(bot, outcome.session_id)
    assert (row.status, row.guidance, row.started_at) == (BreathingSessionStatus.FINISHED, "text", intro.at)
    assert row.ended_at == row.planned_end_at == outcome.planned_end
    (checkin,) = bot.checkins(alice.id)
    (breathing,) = [n for n in bot.nudges(alice.id) if n.slot == "breathing"]
    assert (checkin.source, checkin.nudge_id) == (CheckInSource.GUIDED, breathing.id)
    assert api.message(alice.id, nudge["message_id"])["text"].endswith(text("nl", "answer_done"))


async def test_a_session_waits_for_the_nudges_a_minute_and_a_half_at_most(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock
) -> None:
    alice, bob = api.user(ALICE), api.user(BOB)
    await bot.say(alice, "/start")

    async def nudges_go_out() -> None:
        """A long run of nudges, as many more members' would be: the share full at this moment."""
        for number in range(25):
            await bot.app.bot.send_message(bob.id, f"nudge {number}")

    await nudges_go_out()
    await bot.say(alice, "/adem")
    asked = clock()
    for _ in range(9):  # the breathing job runs while the nudges keep the share full
        clock.advance(seconds=10)
        await nudges_go_out()
        await bot.breathe()
        if session_starts(api, ALICE):
            break
    # After 90 s it went regardless, as the animation, which needs no edits in their way.
    (sent,) = session_starts(api, ALICE)
    assert (sent.method, sent.at) == ("sendAnimation", asked + timedelta(seconds=START_WAIT_SECONDS))
    await bot.run_until(clock() + timedelta(minutes=3))
    (outcome,) = bot.app.breathing.outcomes
    assert (outcome.preferred, outcome.guidance) == (GuidanceMode.TEXT, GuidanceMode.ANIMATION)
    plan = plan_session(BreathingPattern.CALM, SessionLength.TWO)
    assert outcome.planned_end == sent.at + timedelta(seconds=LEAD_IN_SECONDS + plan.end_offset)
    assert outcome.closed_at == outcome.planned_end
    assert session_row(bot, outcome.session_id).guidance == "animation"
    (checkin,) = bot.checkins(ALICE)
    assert checkin.source == CheckInSource.GUIDED


async def test_the_settings_screen_chooses_how_a_session_goes(bot: BotHarness, api: FakeBotApi) -> None:
    bob = api.user(BOB, language_code="en")
    await bot.onboard(bob)
    await bot.say(bob, "/settings")
    await bot.press_label(bob, text("en", "menu_breathing"))
    screen = api.last_message(BOB)
    assert "Breathe with me (/breathe): Calm 4-6 · 2 min · 💬 Text." in screen["text"]
    assert [label for label, _ in buttons(screen)][6:14] == [
        "✓ Calm 4-6",
        "Box 4-4-4-4",
        "4-7-8",
        "⏱️ 1 min",
        "✓ ⏱️ 2 min",
        "⏱️ 5 min",
        "✓ 💬 Text",
        "🎞️ Animation",
    ]
    await bot.press_label(bob, "4-7-8")
    await bot.press_label(bob, "5 min")
    assert "4-7-8 · 5 min · 💬 Text" in api.last_message(BOB)["text"]
    member = bot.member(BOB)
    assert member is not None
    assert (member.breathing_pattern, member.breathing_minutes, member.breathing_guidance) == (
        "478",
        5,
        "text",
    )
    # The breathing nudge offers the member's own length, and /breathe follows the choices.
    await bot.run_until(BREATHING_NUDGE_TIME)
    nudge = api.last_message(BOB)
    assert "▶️ Breathe with me (5 min)" in [label for label, _ in buttons(nudge)]
    await bot.say(bob, "/breathe")
    assert api.last_message(BOB)["text"] == intro_text(
        "en", BreathingPattern.FOUR_SEVEN_EIGHT, SessionLength.FIVE
    )
    # Choices the screens never offer are refused.
    bob.press(screen, "s:breathing:length:3", check_button=False)
    await bot.settle()
    bob.press(screen, "s:breathing:pattern:fast", check_button=False)
    await bot.settle()
    member = bot.member(BOB)
    assert member is not None
    assert (member.breathing_pattern, member.breathing_minutes) == ("478", 5)
