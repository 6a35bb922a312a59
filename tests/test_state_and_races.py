"""State that lives in the database survives a restart of the bot; what a member does while their
nudge is on its way (Telegram has accepted it, the bot has not recorded that yet) is never
overwritten: an answer or a snooze stands, and an erased member leaves nothing behind."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from fakegram import ApiCall, FakeBotApi
from habits import checkins
from habits.checkins import Action, Outcome
from scheduler.clock import SteppedClock
from storage import queries
from storage.database import new_session
from storage.direct import DirectConnection
from storage.models import CheckIn, Member, Nudge, NudgeStatus
from tests.harness import make_settings, running_bot

ALICE, BOB = 1001, 1002
WALK_TIME = datetime(2026, 11, 23, 7, 15, tzinfo=UTC)  # 08:15 in Amsterdam


async def test_an_onboarding_step_and_an_open_settings_screen_survive_a_restart(
    api: FakeBotApi, clock: SteppedClock, engine: Engine, database_path: Path
) -> None:
    settings = make_settings(f"sqlite:///{database_path}")
    alice = api.user(ALICE, first_name="Alice")
    bob = api.user(BOB, first_name="Bob", language_code="en")
    async with running_bot(api=api, clock=clock, engine=engine, settings=settings) as bot:
        await bot.say(alice, "/start")
        await bot.press_label(alice, "Verder")  # on the time-zone step, which takes a typed city
        await bot.onboard(bob)
        await bot.say(bob, "/settings")
        await bot.press_label(bob, "Quiet hours")  # waits for typed hours
        menu_id = api.last_message(BOB)["message_id"]

    clock.advance(minutes=2)
    async with running_bot(api=api, clock=clock, engine=engine, settings=settings) as restarted:
        await restarted.say(alice, "Tokyo")
        await restarted.say(bob, "22:00-06:30")
        alice_now, bob_now = restarted.member(ALICE), restarted.member(BOB)
    assert alice_now is not None
    assert bob_now is not None
    assert (alice_now.timezone, alice_now.onboarding_step) == ("Asia/Tokyo", "habits")
    assert (bob_now.quiet_start, bob_now.quiet_end) == (time(22, 0), time(6, 30))
    # The settings message from before the restart is the one updated in place.
    assert "22:00" in api.message(BOB, menu_id)["text"]


async def test_a_member_erased_while_their_nudge_is_being_sent_leaves_nothing_behind(
    api: FakeBotApi,
    clock: SteppedClock,
    engine: Engine,
    database_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = make_settings(f"sqlite:///{database_path}")
    alice, bob = api.user(ALICE, first_name="Alice"), api.user(BOB, first_name="Bob")
    erased: list[int] = []

    def erase_alice_once_her_nudge_is_accepted(call: ApiCall) -> None:
        # Between Telegram accepting the nudge and the bot recording it: /delete confirmed.
        if call.method == "sendMessage" and call.ok and call.params["chat_id"] == ALICE:
            api.remove_listener(erase_alice_once_her_nudge_is_accepted)
            with new_session(engine) as session:
                member = queries.get_member_by_telegram_id(session=session, telegram_id=ALICE)
                assert member is not None
                assert member.id is not None
                queries.erase_member(session=session, member_id=member.id)
                session.commit()
            erased.append(call.params["chat_id"])

    async with running_bot(api=api, clock=clock, engine=engine, settings=settings) as bot:
        await bot.onboard(alice)
        await bot.onboard(bob)
        clock.set(WALK_TIME)
        api.add_listener(erase_alice_once_her_nudge_is_accepted)
        with caplog.at_level(logging.WARNING):
            await bot.tick()
            clock.advance(minutes=5)
            await bot.tick()
        assert erased == [ALICE]
        assert bot.member(ALICE) is None
        assert [n.slot for n in bot.nudges(BOB) if n.status == NudgeStatus.SENT] == ["walk-breakfast"]
        # Alice's old button now finds nothing, and says so.
        nudge = api.last_message(ALICE)
        update = alice.press(nudge, nudge["reply_markup"]["inline_keyboard"][0][0]["callback_data"])
        await bot.settle()
        assert api.callback_answers[update["callback_query"]["id"]]["text"]
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    with new_session(engine) as session:
        assert [m.telegram_id for m in session.exec(select(Member)).all()] == [BOB]
        bob_id = {m.id for m in session.exec(select(Member)).all()}
        assert {n.member_id for n in session.exec(select(Nudge)).all()} == bob_id
        assert session.exec(select(CheckIn)).all() == []


def _nudge_id(call: ApiCall) -> int:
    data = call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    return int(data.split(":")[1])


@pytest.mark.parametrize("action", [Action.DONE, Action.SKIP, Action.SNOOZE])
async def test_an_answer_given_while_the_nudge_is_being_recorded_stands(
    api: FakeBotApi, clock: SteppedClock, engine: Engine, database_path: Path, action: Action
) -> None:
    settings = make_settings(f"sqlite:///{database_path}")
    alice = api.user(ALICE, first_name="Alice")
    answers: list[Outcome] = []

    def answer_at_once(call: ApiCall) -> None:
        # The member taps as soon as the nudge arrives, before the bot has recorded the send
        # (other sends of the same chunk may still be under way).
        if call.method == "sendMessage" and call.ok and "n:" in str(call.params.get("reply_markup")):
            api.remove_listener(answer_at_once)
            with DirectConnection(engine) as connection:
                result = checkins.answer_button(
                    connection=connection,
                    telegram_id=ALICE,
                    nudge_id=_nudge_id(call),
                    action=action,
                    value=None,
                    now=clock(),
                )
            answers.append(result.outcome)

    async with running_bot(api=api, clock=clock, engine=engine, settings=settings) as bot:
        await bot.onboard(alice)
        clock.set(WALK_TIME)
        api.add_listener(answer_at_once)
        await bot.tick()
        (walk,) = [n for n in bot.nudges(ALICE) if n.slot == "walk-breakfast"]
        assert answers == [Outcome.SNOOZED if action is Action.SNOOZE else Outcome.RECORDED]
        assert walk.message_id == api.last_message(ALICE)["message_id"]
        assert walk.sent_at == WALK_TIME
        if action is Action.SNOOZE:
            assert walk.status == NudgeStatus.SNOOZED
            clock.advance(minutes=15)
            await bot.tick()  # the snooze is kept: the nudge comes back
            (walk,) = [n for n in bot.nudges(ALICE) if n.slot == "walk-breakfast"]
            assert (walk.status, walk.snooze_count) == (NudgeStatus.SENT, 1)
            assert api.last_message(ALICE)["message_id"] == walk.message_id
            return
        assert walk.status == NudgeStatus.ANSWERED
        # A typed "klaar" now finds no open walk nudge to answer a second time.
        await bot.say(alice, "klaar")
        stored = [c for c in bot.checkins(ALICE) if c.nudge_id == walk.id]
        assert len(stored) == 1
