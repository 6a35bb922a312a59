"""The bot's side of typed answers, for any text: with each kind of nudge open, or none, what the bot
does with a typed text never raises, never stores a check-in outside its habit's range, and every
reply it would send is a real message. And what the bot suggests typing is understood."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.nudges.handlers import _reply_keyboard
from bot.nudges.messages import answer_line, answer_mark
from bot.nudges.typed_text import answer_typed_text
from bot.texts import text
from habits import members
from habits.checkins import CheckInResult, Outcome
from habits.words import LEXICON, PHRASES
from storage.database import new_session
from storage.kinds import CheckInSource, CheckInStatus, Habit
from storage.models import CheckIn, Member, Nudge, NudgeStatus
from tests.harness import sqlite_engine
from tests.hostile import TELEGRAM_TEXT_LIMIT, assert_checkin_is_sound

TELEGRAM_ID = 5151
# Monday 23 November 2026, 16:10 in Amsterdam: after lunch, every nudge of the day plausible.
NOW = datetime(2026, 11, 23, 15, 10, tzinfo=UTC)
SLOTS = {
    "water-1500": Habit.WATER,
    "walk-lunch": Habit.WALK,
    "breathing": Habit.BREATHING,
    "sleep-winddown": Habit.SLEEP,
    "sleep-morning": Habit.SLEEP,
}


@dataclass
class World:
    """One member, one nudge of each kind; `open_only(slot)` leaves just that one waiting."""

    engine: Engine
    nudge_ids: dict[str, int]

    def open_only(self, slot: str | None) -> None:
        with self.engine.begin() as connection:
            connection.execute(update(Nudge).values(status=NudgeStatus.ANSWERED, snooze_count=0))
            if slot is not None:
                connection.execute(
                    update(Nudge).where(Nudge.id == self.nudge_ids[slot]).values(status=NudgeStatus.SENT)
                )

    def forget_checkins(self) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(CheckIn))

    def checkins(self) -> list[CheckIn]:
        with new_session(self.engine) as session:
            return list(session.exec(select(CheckIn)).all())


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    engine = sqlite_engine(tmp_path / "habits.sqlite3")
    with new_session(engine) as session:
        member = members.register_member(
            session=session,
            telegram_id=TELEGRAM_ID,
            chat_id=TELEGRAM_ID,
            first_name="Fuzz",
            language_code="nl",
            default_language="nl",
            default_timezone="Europe/Amsterdam",
            now=NOW - timedelta(days=1),
        ).member
        assert member.id is not None
        ids = {}
        for index, (slot, habit) in enumerate(SLOTS.items()):
            sent = NOW - timedelta(minutes=50 - index)
            nudge = Nudge(
                member_id=member.id,
                habit=habit,
                slot=slot,
                local_date=NOW.date(),
                due_at=sent,
                status=NudgeStatus.SENT,
                sent_at=sent,
                message_id=100 + index,
            )
            session.add(nudge)
            session.commit()
            assert nudge.id is not None
            ids[slot] = nudge.id
        session.get_one(Member, member.id)
    yield World(engine, ids)
    engine.dispose()


def assert_checkin_in_range(checkin: CheckIn) -> None:
    assert_checkin_is_sound(checkin)
    assert checkin.status in set(CheckInStatus)
    assert checkin.source in set(CheckInSource)
    if checkin.habit in (Habit.WALK, Habit.BREATHING):
        assert checkin.value is None
        assert checkin.slot is not None
    if checkin.habit == Habit.SLEEP:
        assert checkin.slot in ("sleep-winddown", "sleep-morning")
        assert (checkin.value is not None) == (checkin.slot == "sleep-morning" and checkin.status == "done")


def assert_reply_is_sound(result: CheckInResult) -> None:
    line = answer_line(result)
    assert line.strip()
    assert len(line) <= TELEGRAM_TEXT_LIMIT
    if result.outcome in (Outcome.RECORDED, Outcome.SNOOZED):
        assert answer_mark(result).strip()
    keyboard = _reply_keyboard(result)
    for row in keyboard.inline_keyboard if keyboard else ():
        for button in row:
            assert button.callback_data
            assert len(str(button.callback_data).encode()) <= 64


PIECES = st.sampled_from(sorted({*LEXICON, *(" ".join(phrase) for phrase in PHRASES)})) | st.sampled_from(
    ["0", "1", "2", "7", "7,5", "12", "13", "16", "16,5", "24", "25", "180", "181", "250", "9999",
     "7:30", "23:00", "-", "+", "?", "½", "٣", "1e9", "nan", "👍", "❤️", "over", "in", "min", "minuten"]
)  # fmt: skip
# Near misses of real answers: amounts at and beyond the edges, with units, snoozes and totals.
NEAR = st.builds(
    "{}{}{}{}".format,
    st.sampled_from(["", "over ", "in ", "+", "ongeveer ", "al ", "nog ", "ik heb ", "slept "]),
    st.integers(-5, 400).map(str)
    | st.floats(-1, 30, allow_nan=False).map(lambda value: f"{value:.2f}".replace(".", ","))
    | st.sampled_from(["een", "twee", "twaalf", "dertien", "anderhalve", "half", "zeven en een half"]),
    st.sampled_from(
        ["", " glazen", " glas", " uur", "u", " ml", " liter", " min", " minuten", " keer", " km"]
    ),
    st.sampled_from(["", " gedronken", " gewandeld", " geslapen", " water", " later", "!", " 👍"]),
)
AMOUNT = st.integers(-2, 30).map(str) | st.floats(0, 20, allow_nan=False).map(
    lambda value: f"{value:.1f}".replace(".", ",")
)
ANSWERS = st.builds(
    str.format,
    st.sampled_from(
        ["{}", "{} glazen", "+{}", "{} uur", "{} uur geslapen", "slept {}h", "over {} minuten", "in {} min",
         "{} ml", "{} liter", "{} keer water", "{} min gewandeld", "{} minuten geslapen", "{}x geademd",
         "al {} glazen"]
    ),
    AMOUNT,
)  # fmt: skip
TEXT = ANSWERS | NEAR | st.lists(PIECES, min_size=1, max_size=4).map(" ".join) | st.text(max_size=80)


def test_random_text_never_raises_and_never_stores_a_checkin_out_of_range(world: World) -> None:
    @settings(max_examples=400, deadline=None)
    @given(typed=TEXT, slot=st.sampled_from([None, *SLOTS]))
    @example(typed="0,2 minuten geslapen", slot=None)  # once stored as 0 hours of sleep
    @example(typed="0,2 minuten geslapen", slot="sleep-morning")
    def check(typed: str, slot: str | None) -> None:
        world.forget_checkins()
        world.open_only(slot)
        answer = answer_typed_text(engine=world.engine, telegram_id=TELEGRAM_ID, typed=typed, now=NOW)
        assert isinstance(answer, CheckInResult)
        assert_reply_is_sound(answer)
        stored = world.checkins()
        for checkin in stored:
            assert_checkin_in_range(checkin)
        if answer.outcome is not Outcome.RECORDED:
            assert stored == []

    check()


def _forms(language: str, kind: str) -> list[str]:
    return re.findall(r"'([^']+)'", text(language, f"forms_{kind}"))


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("slot", [None, *SLOTS])
def test_every_form_the_bot_suggests_is_understood_for_that_nudge(
    world: World, slot: str | None, language: str
) -> None:
    kind = "none" if slot is None else slot.split("-")[0] if slot.startswith(("water", "walk")) else slot
    suggested = _forms(language, kind)
    assert 2 <= len(suggested) <= 3
    for typed in suggested:
        world.forget_checkins()
        world.open_only(slot)
        answer = answer_typed_text(engine=world.engine, telegram_id=TELEGRAM_ID, typed=typed, now=NOW)
        assert isinstance(answer, CheckInResult)
        assert answer.outcome in (Outcome.RECORDED, Outcome.SNOOZED), (typed, answer.outcome)
        if answer.outcome is Outcome.RECORDED and slot is not None:
            assert answer.nudge is not None
            assert answer.nudge.id == world.nudge_ids[slot], typed
