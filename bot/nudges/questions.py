"""The bot's two questions about the schedule itself: "do these times still fit?" about a habit
left unanswered for days, and the offer to move a slot to the time the member keeps answering it.

`scheduler/nagging.py` decides when to ask; `habits/check_questions.py` and `habits/rhythm.py`
carry out the answers. A tap edits the question to its answer, without buttons.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.callback_data import CallbackData, Range
from bot.context import BotContext
from bot.members import update_language
from bot.setup import flow as setup_flow
from bot.setup.handlers import deliver_flow_reply
from bot.setup.keyboards import Mode, Screen, ScreenRenderer, clock
from bot.texts import text
from habits.check_questions import (
    LessOften,
    QuestionAnswer,
    QuestionOutcome,
    answer_check_question,
    choices,
)
from habits.rhythm import OfferAnswer, OfferOutcome, answer_rhythm_offer
from scheduler.nagging import CheckQuestionPrompt, RhythmOfferPrompt
from scheduler.restraint import CheckChoice
from scheduler.slots import WIND_DOWN_BEFORE_BED, minutes
from storage import queries
from storage.kinds import Habit

RowId = Annotated[int, Range(1, 10**18 - 1)]
# Where "another time" takes the member: the screen with the times the habit's nudges follow.
ANOTHER_TIME_SCREENS = {
    Habit.WATER: Screen.WATER,
    Habit.WALK: Screen.MEALS,
    Habit.BREATHING: Screen.BREATHING,
    Habit.SLEEP: Screen.SLEEP,
}


class CheckQuestionButton(CallbackData, prefix="cq"):
    """An answer to the check question about a habit: cq:{question_id}:{choice}."""

    question_id: RowId
    choice: CheckChoice


class RhythmButton(CallbackData, prefix="rh"):
    """Yes or no to moving a slot: rh:{offer_id}:yes."""

    offer_id: RowId
    accept: bool


def check_question_message(language: str, question: CheckQuestionPrompt) -> tuple[str, InlineKeyboardMarkup]:
    buttons = [
        InlineKeyboardButton(
            text(language, f"button_check_{choice.value}"),
            callback_data=CheckQuestionButton(question.question_id, choice).pack(),
        )
        for choice in choices(question.habit, question.routine)
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    return text(language, f"check_question_{question.habit.value}"), InlineKeyboardMarkup(rows)


def _plus(value: time, by_minutes: int) -> time:
    total = (minutes(value) + by_minutes) % (24 * 60)
    return time(total // 60, total % 60)


def rhythm_offer_message(language: str, offer: RhythmOfferPrompt) -> tuple[str, InlineKeyboardMarkup]:
    at = clock(offer.suggested)
    if offer.slot.startswith("walk-"):
        body = text(
            language,
            "rhythm_offer_walk",
            meal=text(language, f"walk_after_{offer.slot.removeprefix('walk-')}"),
            time=at,
        )
    else:
        bedtime = _plus(offer.suggested, WIND_DOWN_BEFORE_BED.seconds // 60)
        body = text(language, f"rhythm_offer_{offer.slot}", time=at, bedtime=clock(bedtime))
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    text(language, "button_rhythm_yes", time=at),
                    callback_data=RhythmButton(offer.offer_id, True).pack(),
                ),
                InlineKeyboardButton(
                    text(language, "button_rhythm_no"),
                    callback_data=RhythmButton(offer.offer_id, False).pack(),
                ),
            ]
        ]
    )
    return body, keyboard


def _question_reply(answer: QuestionAnswer, now: datetime) -> str:
    language = answer.language
    if answer.outcome is QuestionOutcome.ALREADY_ANSWERED:
        return text(language, "check_already")
    if answer.outcome is QuestionOutcome.NOT_POSSIBLE:
        return text(language, "check_less_often_impossible")
    if answer.outcome is QuestionOutcome.UNKNOWN or answer.habit is None:
        return text(language, "answer_unknown")
    if answer.choice is CheckChoice.ANOTHER_TIME:
        return text(language, "check_another_time")
    if answer.choice is CheckChoice.LESS_OFTEN and answer.less_often is not None:
        every = ""
        if answer.less_often is LessOften.LONGER_INTERVAL and answer.member is not None:
            member = answer.member
            every = ScreenRenderer(member, Mode.SETTINGS, now).interval(member.water_interval_minutes)
        return text(language, f"check_less_often_{answer.less_often.value}", every=every)
    if answer.choice is CheckChoice.SWITCH_OFF:
        return text(language, "check_switched_off", habit=text(language, f"habit_{answer.habit.value}"))
    return text(language, "check_keep")


async def check_question_button(update: Update, context: BotContext) -> None:
    """A tap on the check question: carry it out, edit the question to the answer; "another
    time" then opens the habit's settings screen."""
    query = update.callback_query
    assert query is not None
    button = CheckQuestionButton.unpack(query.data)
    if button is None:
        await context.sender.answer_callback(
            query.id, text(update_language(update, context), "answer_unknown")
        )
        return
    services = context.services
    now = services.clock()
    screen: setup_flow.Outgoing | None = None
    with services.session() as session:
        answer = answer_check_question(
            session=session,
            telegram_id=query.from_user.id,
            question_id=button.question_id,
            choice=button.choice,
            now=now,
        )
        if (
            answer.outcome is QuestionOutcome.DONE
            and answer.choice is CheckChoice.ANOTHER_TIME
            and answer.member is not None
            and answer.habit is not None
        ):
            screen = setup_flow.settings_screen(
                session, answer.member, ANOTHER_TIME_SCREENS[answer.habit], now
            )
    reply = _question_reply(answer, now)
    await context.sender.answer_callback(
        query.id, reply if answer.outcome is not QuestionOutcome.DONE else None
    )
    message = query.message
    if message is None or answer.outcome is QuestionOutcome.UNKNOWN:
        return
    if answer.outcome is QuestionOutcome.NOT_POSSIBLE:
        return
    original = getattr(message, "text", None) or ""
    await context.sender.edit_text(message.chat.id, message.message_id, f"{original}\n\n{reply}")
    if screen is not None:
        menus = await deliver_flow_reply(context, message.chat.id, setup_flow.FlowReply(send=[screen]))
        if menus:
            _remember_menu(context, query.from_user.id, menus[0])


def _remember_menu(context: BotContext, telegram_id: int, message_id: int) -> None:
    """Typed times update the screen just sent, as they update a settings menu."""
    with context.services.session() as session:
        member = queries.get_member_by_telegram_id(session=session, telegram_id=telegram_id)
        if member is not None:
            member.menu_message_id = message_id
            session.commit()


def _offer_reply(answer: OfferAnswer) -> str:
    language = answer.language
    at = clock(answer.slot_time) if answer.slot_time else ""
    if answer.outcome is OfferOutcome.ALREADY_ANSWERED:
        return text(language, "rhythm_already")
    if answer.outcome is OfferOutcome.EXPIRED:
        return text(language, "rhythm_expired")
    if answer.outcome is OfferOutcome.DECLINED:
        return text(language, "rhythm_declined", time=at)
    if answer.outcome is OfferOutcome.MOVED and answer.setting_time is not None:
        kind = "walk" if answer.slot.startswith("walk-") else answer.slot
        meal = text(language, f"meal_{answer.slot.removeprefix('walk-')}") if kind == "walk" else ""
        return text(
            language, f"rhythm_moved_{kind}", time=at, meal=meal, setting_time=clock(answer.setting_time)
        )
    return text(language, "answer_unknown")


async def rhythm_button(update: Update, context: BotContext) -> None:
    """Yes or no to a rhythm offer: move the slot or remember the no; edit the offer to the answer."""
    query = update.callback_query
    assert query is not None
    button = RhythmButton.unpack(query.data)
    if button is None:
        await context.sender.answer_callback(
            query.id, text(update_language(update, context), "answer_unknown")
        )
        return
    services = context.services
    with services.session() as session:
        answer = answer_rhythm_offer(
            session=session,
            telegram_id=query.from_user.id,
            offer_id=button.offer_id,
            accept=button.accept,
            now=services.clock(),
        )
    reply = _offer_reply(answer)
    done = answer.outcome in (OfferOutcome.MOVED, OfferOutcome.DECLINED)
    await context.sender.answer_callback(query.id, None if done else reply)
    message = query.message
    if message is None or answer.outcome is OfferOutcome.UNKNOWN:
        return
    original = getattr(message, "text", None) or ""
    await context.sender.edit_text(message.chat.id, message.message_id, f"{original}\n\n{reply}")
