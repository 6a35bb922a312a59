"""Progress: the weekly chart as a PNG, /stats and /week, and the Sunday picture from the tick."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from matplotlib.figure import Figure
from PIL import Image
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.progress.messages import week_caption
from bot.progress.weekly_chart import STYLE, legend, render_week_png, week_figure
from fakegram import FakeBotApi, UploadedFile
from habits.stats import WeekPicture, member_stats, week_picture
from habits.streaks import DayOutcome
from scheduler.clock import SteppedClock
from storage import queries
from storage.database import new_session
from storage.kinds import CheckInSource, CheckInStatus, Habit
from storage.models import CheckIn, Member, Pause, WeeklyReport, WeeklyReportStatus
from tests.harness import BotHarness, load_shipped_tips, make_settings, running_bot

ALICE = 1001
# Sunday 29 November 2026, 20:00 in Amsterdam; the week shown is Monday 23 to Sunday 29.
SUNDAY_EVENING = datetime(2026, 11, 29, 19, 0, tzinfo=UTC)
WEEK = [date(2026, 11, 23) + timedelta(days=offset) for offset in range(7)]
DONE, SKIPPED = CheckInStatus.DONE, CheckInStatus.SKIPPED


def make_member(engine: Engine, *, telegram_id: int = ALICE, created_at: datetime, **fields: Any) -> Member:
    member = Member(
        telegram_id=telegram_id,
        chat_id=telegram_id,
        first_name="Alice",
        created_at=created_at,
        schedule_cursor=created_at,
        **fields,
    )
    with new_session(engine) as session:
        queries.create_member(session=session, member=member)
        session.commit()
    return member


def add_checkins(
    engine: Engine, member_id: int, rows: Sequence[tuple[date, str, str | None, CheckInStatus, float | None]]
) -> None:
    with new_session(engine) as session:
        for day, habit, slot, status, value in rows:
            queries.create_checkin(
                session=session,
                checkin=CheckIn(
                    member_id=member_id,
                    habit=habit,
                    slot=slot,
                    local_date=day,
                    value=value,
                    status=status,
                    source=CheckInSource.BUTTON,
                    created_at=datetime.combine(day, time(12), UTC),
                ),
            )
        session.commit()


def mixed_week(engine: Engine, member_id: int) -> None:
    """Seven days of everything: goals met and not, walks done and skipped, a pause on Friday."""
    rows: list[tuple[date, str, str | None, CheckInStatus, float | None]] = []
    water = [8, 5, 9, 0, 0, 8, 3]
    sleep = [7.5, 6.0, None, 8.0, None, 9.0, 7.0]
    for day, glasses, hours in zip(WEEK, water, sleep, strict=True):
        if glasses:
            rows.append((day, "water", None, DONE, float(glasses)))
        if hours is not None:
            rows.append((day, "sleep", "sleep-morning", DONE, hours))
    rows += [
        (WEEK[0], "walk", "walk-lunch", DONE, None),
        (WEEK[1], "walk", "walk-dinner", SKIPPED, None),
        (WEEK[2], "walk", "walk-breakfast", DONE, None),
        (WEEK[5], "walk", "walk-dinner", DONE, None),
        (WEEK[6], "walk", "walk-lunch", DONE, None),
        (WEEK[0], "breathing", "breathing", DONE, None),
        (WEEK[1], "breathing", "breathing", SKIPPED, None),
        (WEEK[3], "breathing", "breathing", DONE, None),
        (WEEK[5], "breathing", "breathing", DONE, None),
        (WEEK[2], "sleep", "sleep-winddown", DONE, None),
    ]
    add_checkins(engine, member_id, rows)
    with new_session(engine) as session:
        # Friday 27 November, 10:00 to 20:00 in Amsterdam.
        queries.add_pause(
            session=session,
            pause=Pause(
                member_id=member_id,
                starts_at=datetime(2026, 11, 27, 9, 0, tzinfo=UTC),
                ends_at=datetime(2026, 11, 27, 19, 0, tzinfo=UTC),
            ),
        )
        session.commit()


def colour_pixels(png: bytes, hex_colour: str) -> int:
    wanted = tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    image = Image.open(io.BytesIO(png)).convert("RGB")
    counts = image.getcolors(maxcolors=image.width * image.height) or []
    return sum(count for count, colour in counts if colour == wanted)


def assert_sensible_png(png: bytes) -> Image.Image:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    Image.open(io.BytesIO(png)).verify()
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.width == 1080  # Telegram's photo width: no downscaling of the text
    assert 1000 <= image.height <= 2400
    assert 10_000 < len(png) < 1_000_000
    return image


def test_chart_of_a_week_with_mixed_data(engine: Engine) -> None:
    member = make_member(engine, created_at=datetime(2026, 11, 10, 8, 0, tzinfo=UTC))
    assert member.id is not None
    mixed_week(engine, member.id)
    with new_session(engine) as session:
        picture = week_picture(session=session, member=member, now=SUNDAY_EVENING)
    assert picture.days == WEEK
    assert picture.water_glasses == [8, 5, 9, 0, 0, 8, 3]
    assert picture.sleep_hours == [7.5, 6.0, None, 8.0, None, 9.0, 7.0]
    water, walk, breathing, sleep = picture.outcomes.values()
    d, s, m, p, o = (
        DayOutcome.DONE,
        DayOutcome.SKIPPED,
        DayOutcome.MISSED,
        DayOutcome.PAUSED,
        DayOutcome.OPEN,
    )
    assert water == [d, m, d, m, p, d, o]
    assert walk == [d, s, d, m, p, d, d]
    assert breathing == [d, s, m, d, p, d, o]
    assert sleep == [d, d, d, d, p, d, d]
    assert picture.paused == [False, False, False, False, True, False, False]
    assert not picture.paused_throughout
    assert [outcome for outcome, _ in legend(picture, "nl")] == [d, s, m, p, o]
    for language in ("nl", "en"):
        png = render_week_png(picture, language)
        assert_sensible_png(png)
        assert colour_pixels(png, STYLE[DayOutcome.DONE][0]) > 10_000
        assert colour_pixels(png, STYLE[DayOutcome.MISSED][0]) > 1_000


def test_chart_of_a_brand_new_member(engine: Engine) -> None:
    member = make_member(engine, created_at=SUNDAY_EVENING)
    with new_session(engine) as session:
        picture = week_picture(session=session, member=member, now=SUNDAY_EVENING)
    assert picture.done_days == picture.counted_days == 0
    for row in picture.outcomes.values():
        assert row == [DayOutcome.BEFORE_JOINING] * 6 + [DayOutcome.OPEN]
    assert legend(picture, "nl") == [
        (DayOutcome.OPEN, "nog open"),
        (DayOutcome.BEFORE_JOINING, "vóór je begon"),
    ]
    figure = week_figure(picture, "nl")
    assert legend_texts(figure) == ["nog open", "vóór je begon"]
    assert bar_texts(figure, "Water (glazen)") == ["", "", "", "", "", "", "0"]
    png = render_week_png(picture, "nl")
    assert_sensible_png(png)
    assert colour_pixels(png, STYLE[DayOutcome.DONE][0]) == 0  # nothing done, and no swatch for it


def legend_texts(figure: Figure) -> list[str]:
    """The words in the legend panel as drawn (the panel right under the grid; the swatches'
    symbols are centred, the words are left-aligned)."""
    return [t.get_text() for t in figure.axes[1].texts if t.get_horizontalalignment() == "left"]


def bar_texts(figure: Figure, title: str) -> list[str]:
    """What each bar of a panel says, as drawn (centred over the bar; the goal's figure is not)."""
    (panel,) = [ax for ax in figure.axes if ax.get_title(loc="left") == title]
    return [t.get_text() for t in panel.texts if t.get_horizontalalignment() == "center"]


def test_chart_of_a_partly_paused_week_of_someone_who_joined_midweek(engine: Engine) -> None:
    # Joined on Wednesday 25 November at 20:00 in Amsterdam; paused on Friday and Saturday.
    member = make_member(engine, created_at=datetime(2026, 11, 25, 19, 0, tzinfo=UTC))
    assert member.id is not None
    add_checkins(
        engine,
        member.id,
        [
            (WEEK[2], "water", None, DONE, 8.0),
            (WEEK[3], "walk", "walk-lunch", DONE, None),
            (WEEK[6], "sleep", "sleep-morning", DONE, 7.0),
        ],
    )
    with new_session(engine) as session:
        queries.add_pause(
            session=session,
            pause=Pause(
                member_id=member.id,
                starts_at=datetime(2026, 11, 27, 8, 0, tzinfo=UTC),
                ends_at=datetime(2026, 11, 28, 20, 0, tzinfo=UTC),
            ),
        )
        session.commit()
        picture = week_picture(session=session, member=member, now=SUNDAY_EVENING)
    b, n, d, m, p, o = (
        DayOutcome.BEFORE_JOINING,
        DayOutcome.NOT_TRACKED,
        DayOutcome.DONE,
        DayOutcome.MISSED,
        DayOutcome.PAUSED,
        DayOutcome.OPEN,
    )
    assert picture.outcomes == {
        "water": [b, b, d, m, p, p, o],
        "walk": [b, b, n, d, p, p, o],
        "breathing": [b, b, n, m, p, p, o],
        "sleep": [b, b, n, m, p, p, d],
    }
    assert picture.paused == [False, False, False, False, True, True, False]
    assert picture.first_day == WEEK[2]
    assert not picture.paused_throughout
    assert [outcome for outcome, _ in legend(picture, "en")] == [d, m, p, o, n, b]
    figure = week_figure(picture, "nl")
    assert legend_texts(figure) == ["gedaan", "gemist", "pauze", "nog open", "eerste dag", "vóór je begon"]
    assert bar_texts(figure, "Water (glazen)") == ["", "", "8", "0", "‖", "‖", "0"]
    assert bar_texts(figure, "Slaap (uren)") == ["", "", "–", "–", "‖", "‖", "7"]
    english = week_figure(picture, "en")
    assert legend_texts(english) == [
        "done",
        "missed",
        "paused",
        "still open",
        "first day",
        "before you joined",
    ]
    for language in ("nl", "en"):
        assert_sensible_png(render_week_png(picture, language))


def test_a_week_paused_throughout_since_joining() -> None:
    b, p, d = DayOutcome.BEFORE_JOINING, DayOutcome.PAUSED, DayOutcome.DONE
    picture = WeekPicture(
        days=WEEK,
        outcomes={Habit.WATER: [b, b, p, p, p, p, p], Habit.SLEEP: [b, b, p, d, p, p, p]},
        water_glasses=[0] * 7,
        water_goal=8,
        sleep_hours=[None, None, None, 8.0, None, None, None],
        paused=[False, False, True, True, True, True, True],
        first_day=WEEK[2],
    )
    assert picture.paused_throughout
    assert week_caption("nl", picture, None) == (
        "⏸️ Deze week was je gepauzeerd: niets gemist, je reeksen blijven staan."
    )
    assert week_caption("en", picture, "Drink.") == (
        "⏸️ You were paused this week: nothing missed, your streaks stay as they were."
        "\n\n💡 Tip for the coming week: Drink."
    )
    assert legend(picture, "en") == [(d, "done"), (p, "paused"), (b, "before you joined")]
    partly = replace(picture, paused=[False, False, False, True, True, True, True])
    assert not partly.paused_throughout


def test_chart_with_every_habit_switched_off(engine: Engine) -> None:
    member = make_member(
        engine, created_at=SUNDAY_EVENING, water_on=False, walk_on=False, breathing_on=False, sleep_on=False
    )
    with new_session(engine) as session:
        picture = week_picture(session=session, member=member, now=SUNDAY_EVENING)
    assert picture.outcomes == {}
    image = Image.open(io.BytesIO(render_week_png(picture, "en")))
    assert image.width == 1080


def test_stats_figures(engine: Engine) -> None:
    member = make_member(engine, created_at=datetime(2026, 11, 22, 8, 0, tzinfo=UTC), walk_streak_rule="one")
    assert member.id is not None
    mixed_week(engine, member.id)
    with new_session(engine) as session:
        stats = member_stats(session=session, member=member, now=SUNDAY_EVENING)
    by_habit = {h.habit: (h.current, h.best, h.week_done) for h in stats.habits}
    assert by_habit == {
        "water": (1, 1, 3),  # Thursday missed; Saturday done; Sunday still open
        "walk": (2, 2, 4),  # Thursday missed
        "breathing": (2, 2, 3),  # Wednesday missed
        "sleep": (6, 6, 6),  # every day but the paused Friday
    }
    assert stats.water_glasses_week == 33
    assert stats.sleep_hours_average == pytest.approx(37.5 / 5)
    assert stats.sleep_nights == 5


def photos(api: FakeBotApi, chat_id: int) -> list[dict[str, Any]]:
    return [message for message in api.sent_messages(chat_id) if "photo" in message]


def uploaded_png(api: FakeBotApi) -> bytes:
    upload = api.calls_named("sendPhoto")[-1].params["photo"]
    assert isinstance(upload, UploadedFile)
    return upload.data


async def registered(bot: BotHarness, clock: SteppedClock, at: datetime) -> Member:
    clock.set(at)
    await bot.say(bot.api.user(ALICE, first_name="Alice", language_code="nl"), "/start")
    member = bot.member(ALICE)
    assert member is not None
    return member


async def answers_that_week(bot: BotHarness, clock: SteppedClock, at: datetime) -> None:
    """A typed glass of water: a week without any answer gets no picture."""
    clock.set(at)
    await bot.say(bot.api.user(ALICE), "2 glazen")


async def test_stats_command_shows_streaks_and_this_week(
    bot: BotHarness, clock: SteppedClock, engine: Engine
) -> None:
    member = await registered(bot, clock, datetime(2026, 11, 22, 8, 0, tzinfo=UTC))
    assert member.id is not None
    mixed_week(engine, member.id)
    clock.set(SUNDAY_EVENING)
    await bot.say(bot.api.user(ALICE), "/stats")
    reply = bot.api.last_message(ALICE)["text"]
    assert reply.splitlines()[0] == "📊 Je voortgang"
    assert "💧 Water: reeks 1 dag · beste 1 dag · deze week 3/7" in reply
    assert "🚶 Wandelen: reeks 2 dagen · beste 2 dagen · deze week 4/7" in reply
    assert "🌬️ Ademen: reeks 2 dagen · beste 2 dagen · deze week 3/7" in reply
    assert "🌙 Slaap: reeks 6 dagen · beste 6 dagen · deze week 6/7" in reply
    assert "💧 Deze week 33 glazen water" in reply
    assert "😴 Deze week gemiddeld 7,5 uur slaap (5 nachten)" in reply


async def test_stats_for_someone_not_registered(bot: BotHarness) -> None:
    await bot.say(bot.api.user(5, language_code="en"), "/stats")
    assert bot.api.last_message(5)["text"] == "Send /start first and I'll set up your reminders."


async def test_week_command_sends_the_picture_with_caption_and_tip(
    bot: BotHarness, clock: SteppedClock, engine: Engine
) -> None:
    member = await registered(bot, clock, datetime(2026, 11, 22, 8, 0, tzinfo=UTC))
    assert member.id is not None
    mixed_week(engine, member.id)
    clock.set(SUNDAY_EVENING)
    await bot.say(bot.api.user(ALICE), "/week")
    (photo,) = photos(bot.api, ALICE)
    line, tip = photo["caption"].split("\n\n")
    assert line == "📊 Je week: 16 van de 22 gewoontedagen gehaald. Goed bezig! 💪"
    assert tip.startswith("💡 Tip voor de komende week: ")
    general = [t.text("nl") for t in load_shipped_tips().enabled("general")]
    assert tip.removeprefix("💡 Tip voor de komende week: ") in general
    assert_sensible_png(uploaded_png(bot.api))


async def test_week_command_for_a_week_paused_throughout(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock
) -> None:
    await registered(bot, clock, datetime(2026, 11, 22, 8, 0, tzinfo=UTC))
    alice = api.user(ALICE)
    await bot.say(alice, "/pause")
    await bot.press_label(alice, "Tot ik verder ga")
    clock.set(SUNDAY_EVENING)
    await bot.say(alice, "/week")
    (photo,) = photos(api, ALICE)
    line, tip = photo["caption"].split("\n\n")
    assert line == "⏸️ Deze week was je gepauzeerd: niets gemist, je reeksen blijven staan."
    assert tip.startswith("💡 Tip voor de komende week: ")
    assert_sensible_png(uploaded_png(api))
    member = bot.member(ALICE)
    assert member is not None
    with new_session(bot.engine) as session:
        picture = week_picture(session=session, member=member, now=SUNDAY_EVENING)
    assert picture.paused == [True] * 7
    assert {outcome for row in picture.outcomes.values() for outcome in row} == {DayOutcome.PAUSED}
    assert legend(picture, "nl") == [(DayOutcome.PAUSED, "pauze")]


async def test_week_command_for_a_brand_new_member(bot: BotHarness, clock: SteppedClock) -> None:
    await registered(bot, clock, SUNDAY_EVENING)
    await bot.say(bot.api.user(ALICE), "/week")
    (photo,) = photos(bot.api, ALICE)
    assert photo["caption"].startswith("📊 Je week in beeld.")
    assert_sensible_png(uploaded_png(bot.api))


async def test_the_sunday_picture_comes_once_even_across_a_restart(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock, engine: Engine, database_path: Path
) -> None:
    member = await registered(bot, clock, datetime(2026, 11, 23, 6, 5, tzinfo=UTC))
    await answers_that_week(bot, clock, datetime(2026, 11, 23, 6, 5, tzinfo=UTC))
    await bot.tick()
    member = bot.member(ALICE)  # type: ignore[assignment]
    # Sunday 29 November 19:00 in Amsterdam (CET, UTC+1).
    assert member.next_weekly_report_at == datetime(2026, 11, 29, 18, 0, tzinfo=UTC)
    clock.set(datetime(2026, 11, 29, 17, 59, 50, tzinfo=UTC))
    await bot.tick()
    assert photos(api, ALICE) == []
    clock.set(datetime(2026, 11, 29, 18, 0, 10, tzinfo=UTC))
    await bot.tick()
    (photo,) = photos(api, ALICE)
    assert photo["caption"].startswith("📊 Je week")
    assert "💡" in photo["caption"]
    first_tip = photo["caption"].split("\n\n")[1]
    for _ in range(3):
        clock.advance(seconds=30)
        await bot.tick()
    assert len(photos(api, ALICE)) == 1

    # A restart on the same database, and even a member row forced back to "due": still once.
    await bot.app.updater.stop()  # type: ignore[union-attr]
    await bot.app.stop()
    await bot.app.shutdown()
    with new_session(engine) as session:
        row = queries.get_member_by_telegram_id(session=session, telegram_id=ALICE)
        assert row is not None
        row.next_weekly_report_at = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)
        session.commit()
    settings = make_settings(f"sqlite:///{database_path}")
    async with running_bot(api=api, clock=clock, engine=engine, settings=settings) as restarted:
        await restarted.tick()
        assert len(photos(api, ALICE)) == 1
        # The next Sunday brings the next picture, with another tip.
        await answers_that_week(restarted, clock, datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
        clock.set(datetime(2026, 12, 6, 18, 0, 5, tzinfo=UTC))
        await restarted.tick()
        assert len(photos(api, ALICE)) == 2
        assert photos(api, ALICE)[-1]["caption"].split("\n\n")[1] != first_tip
    with new_session(engine) as session:
        assert member.id is not None
        reports = queries.weekly_reports_of_member(session=session, member_id=member.id)
    assert [(r.week_ending, r.status) for r in reports] == [
        (date(2026, 11, 29), WeeklyReportStatus.SENT),
        (date(2026, 12, 6), WeeklyReportStatus.SENT),
    ]
    bot.app.updater.stop = _noop  # type: ignore[method-assign, union-attr]
    bot.app.stop = _noop  # type: ignore[method-assign]
    bot.app.shutdown = _noop  # type: ignore[method-assign]


async def _noop() -> None:
    return None


async def test_no_picture_when_switched_off_and_the_chosen_day_and_time_when_changed(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock, engine: Engine
) -> None:
    await registered(bot, clock, datetime(2026, 11, 23, 6, 5, tzinfo=UTC))
    with new_session(engine) as session:
        member = queries.get_member_by_telegram_id(session=session, telegram_id=ALICE)
        assert member is not None
        member.weekly_report_on = False
        member.next_weekly_report_at = None
        session.commit()
    clock.set(datetime(2026, 11, 29, 18, 0, 10, tzinfo=UTC))
    await bot.tick()
    assert photos(api, ALICE) == []
    # Back on, on Saturday at 09:30: settings clear the due time and the tick works it out.
    with new_session(engine) as session:
        member = queries.get_member_by_telegram_id(session=session, telegram_id=ALICE)
        assert member is not None
        member.weekly_report_on = True
        member.weekly_report_weekday, member.weekly_report_time = 5, time(9, 30)
        member.next_weekly_report_at = None
        session.commit()
    await bot.tick()
    assert bot.member(ALICE).next_weekly_report_at == datetime(  # type: ignore[union-attr]
        2026, 12, 5, 8, 30, tzinfo=UTC
    )
    await answers_that_week(bot, clock, datetime(2026, 12, 5, 8, 0, tzinfo=UTC))
    clock.set(datetime(2026, 12, 5, 8, 30, 5, tzinfo=UTC))
    await bot.tick()
    assert len(photos(api, ALICE)) == 1


async def test_running_until_a_moment_sends_the_picture_at_its_own_time(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock, engine: Engine
) -> None:
    # 19:10 on Sunday, between the 19:00 and 21:00 water nudges: it is due on its own.
    await registered(bot, clock, datetime(2026, 11, 23, 6, 5, tzinfo=UTC))
    await answers_that_week(bot, clock, datetime(2026, 11, 23, 6, 5, tzinfo=UTC))
    with new_session(engine) as session:
        member = queries.get_member_by_telegram_id(session=session, telegram_id=ALICE)
        assert member is not None
        member.weekly_report_time = time(19, 10)
        member.next_weekly_report_at = None
        session.commit()
    await bot.run_until(datetime(2026, 11, 29, 22, 0, tzinfo=UTC))
    (sent,) = [call for call in api.calls_named("sendPhoto") if call.ok]
    assert sent.at == datetime(2026, 11, 29, 18, 10, tzinfo=UTC)


async def test_a_picture_far_overdue_after_downtime_is_recorded_not_sent(
    bot: BotHarness, api: FakeBotApi, clock: SteppedClock, engine: Engine
) -> None:
    member = await registered(bot, clock, datetime(2026, 11, 23, 6, 5, tzinfo=UTC))
    await bot.tick()
    clock.set(datetime(2026, 11, 30, 7, 0, tzinfo=UTC))  # Monday morning: down all night
    await bot.tick()
    assert photos(api, ALICE) == []
    with new_session(engine) as session:
        assert member.id is not None
        (report,) = queries.weekly_reports_of_member(session=session, member_id=member.id)
    assert report.status == WeeklyReportStatus.MISSED
    assert bot.member(ALICE).next_weekly_report_at == datetime(  # type: ignore[union-attr]
        2026, 12, 6, 18, 0, tzinfo=UTC
    )


def test_weekly_report_rows_are_unique_per_member_and_week(engine: Engine) -> None:
    member = make_member(engine, created_at=SUNDAY_EVENING)
    assert member.id is not None
    with new_session(engine) as session:
        for _ in range(2):
            session.add(
                WeeklyReport(
                    member_id=member.id,
                    week_ending=WEEK[-1],
                    due_at=SUNDAY_EVENING,
                    claimed_at=SUNDAY_EVENING,
                )
            )
        with pytest.raises(IntegrityError, match=r"(?i)unique"):
            session.commit()
