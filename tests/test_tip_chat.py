"""End to end against the fake Bot API: a coach adds, edits, undoes, deletes and switches tips from
the chat, on a tip file of the tests' own; the history, a broken file and the statistics."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.admin.messages import member_view
from fakegram import FakeBotApi
from scheduler.clock import SteppedClock
from storage.database import new_session
from storage.models import CheckIn, Member, Nudge, NudgeStatus, TipChange
from tests.harness import ADMIN, BotHarness, buttons, latest_with_buttons
from tests.tip_fixtures import coach_bot, write_coach_tips
from tips.library import load_tip_library
from tips.schema import Tip, TipGroup

FAMILY = "👨‍👩‍👧‍👦"  # 7 code points, 11 UTF-16 units


@pytest.fixture
def coach_tips(tmp_path: Path) -> Path:
    return write_coach_tips(tmp_path)


@pytest.fixture
async def bot(
    api: FakeBotApi, clock: SteppedClock, engine: Engine, database_path: Path, coach_tips: Path
) -> AsyncIterator[BotHarness]:
    async with coach_bot(
        api=api, clock=clock, engine=engine, database_path=database_path, tips_path=coach_tips
    ) as harness:
        yield harness


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def raw(path: Path) -> bytes:
    return path.read_bytes()


def write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def last_text(api: FakeBotApi) -> str:
    return str(api.last_message(ADMIN)["text"])


def tip(bot: BotHarness, tip_id: str) -> Tip:
    found = bot.app.services.tips.get(tip_id)
    assert found is not None, tip_id
    return found


def history_rows(engine: Engine, tip_id: str) -> list[tuple[str, str | None, str | None, int | None]]:
    with new_session(engine) as session:
        rows = session.exec(
            select(TipChange).where(TipChange.tip_id == tip_id).order_by(TipChange.id)  # type: ignore[arg-type]
        ).all()
    return [(row.field, row.before, row.after, row.changed_by) for row in rows]


def copied(message: dict[str, Any]) -> list[str]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [button["copy_text"]["text"] for row in rows for button in row if "copy_text" in button]


async def test_a_second_pipe_is_refused_and_a_tip_comes_in_two_messages(
    bot: BotHarness, api: FakeBotApi, coach_tips: Path
) -> None:
    admin = api.user(ADMIN)
    before = raw(coach_tips)
    await bot.say(
        admin,
        "/tip nieuw wandelen Kies je route: links | rechts, het maakt niet uit. | Pick your route: left",
    )
    assert last_text(api).startswith(
        "Er staat meer dan één | in je bericht, dus ik weet niet waar de Engelse"
    )
    assert "Stuur /tip nieuw wandelen, en daarna de Nederlandse en de Engelse tekst" in last_text(api)
    assert raw(coach_tips) == before

    await bot.say(admin, "/tip nieuw wandelen")
    assert last_text(api).startswith("➕ Nieuwe tip bij 🚶 Wandelen. Stuur de Nederlandse tekst.")
    nl = "Kies je route: links of rechts | het maakt niet uit."
    await bot.say(admin, nl)
    assert last_text(api) == f"🇳🇱 Genoteerd:\n{nl}\n\nStuur nu de Engelse tekst."
    en = "Pick your route: left or right, it doesn't matter."
    await bot.say(admin, en)
    shown = api.last_message(ADMIN)
    new_tip = Tip(id="new-tip", group=TipGroup.WALK, nl=nl, en=en)
    assert shown["text"].startswith("👀 Zo krijgen leden de nieuwe tip bij 🚶 Wandelen. Klopt het?")
    assert member_view(new_tip, "nl") in shown["text"]
    assert member_view(new_tip, "en") in shown["text"]
    assert [label for label, _ in buttons(shown)] == ["✅ Live zetten", "✖️ Annuleren"]
    assert raw(coach_tips) == before  # nothing live before ✅

    await bot.press_label(admin, "✅ Live zetten")
    added = tip(bot, "walk-pick-your-route-left-or-right-it")
    assert (added.nl, added.en, added.enabled) == (nl, en, True)
    assert load_tip_library(coach_tips).get(added.id) == added
    assert "# Walking\nwalk:\n" in read(coach_tips)  # comments kept
    assert api.message(ADMIN, shown["message_id"])["text"].startswith(f"✅ Staat live: {added.id}.")

    # Both texts in one message, on two lines; afterwards typed text is a check-in again.
    await bot.say(admin, "/tip nieuw water")
    await bot.say(admin, "Thee telt ook mee.\nTea counts too.")
    assert last_text(api).startswith("👀 Zo krijgen leden de nieuwe tip bij 💧 Water.")
    await bot.press_label(admin, "✅ Live zetten")
    assert tip(bot, "water-tea-counts-too").nl == "Thee telt ook mee."
    await bot.say(admin, "Thee telt ook mee.")
    assert not last_text(api).startswith(("🇳🇱", "👀"))


async def test_edit_shows_the_text_to_copy_then_cancel_confirm_and_undo(
    bot: BotHarness, api: FakeBotApi, coach_tips: Path, engine: Engine
) -> None:
    admin = api.user(ADMIN)
    original = tip(bot, "water-why")
    before = raw(coach_tips)
    await bot.say(admin, "/tip water")
    listed = api.last_message(ADMIN)
    await bot.press(admin, listed, "t:e:water-why")
    asked = api.last_message(ADMIN)
    assert asked["text"] == (
        "✏️ water-why · 🇳🇱 Nederlands\nStuur de nieuwe tekst; je volgende bericht vervangt deze:\n\n"
        f"{original.nl}"
    )
    assert copied(asked) == [original.nl]
    fixed = original.nl.replace("soepel", "soepel en stralend")
    await bot.say(admin, fixed)
    shown = api.last_message(ADMIN)
    assert shown["text"].startswith("👀 Zo krijgen leden water-why (nl) straks.")
    assert member_view(original.model_copy(update={"nl": fixed}), "nl") in shown["text"]
    assert "Gewijzigd: Water houdt je darmen in beweging en je huid soepel [+en stralend]." in shown["text"]
    assert tip(bot, "water-why") == original

    await bot.press_label(admin, "✖️ Annuleren")
    assert api.message(ADMIN, shown["message_id"])["text"] == "✖️ Geannuleerd, er is niets veranderd."
    assert raw(coach_tips) == before
    assert tip(bot, "water-why") == original

    # Again, the English text this time, and live.
    await bot.press(admin, listed, "t:e:water-why")
    await bot.press_label(admin, "🇬🇧 Liever de Engelse tekst")
    asked = latest_with_buttons(api, ADMIN)
    assert asked["text"].startswith("✏️ water-why · 🇬🇧 Engels\n")
    assert copied(asked) == [original.en]
    await bot.say(admin, "Water keeps your gut moving and your skin glowing.")
    await bot.press_label(admin, "✅ Live zetten")
    assert tip(bot, "water-why").en == "Water keeps your gut moving and your skin glowing."
    assert load_tip_library(coach_tips).get("water-why") == tip(bot, "water-why")
    live = latest_with_buttons(api, ADMIN)
    assert live["text"].startswith("✅ Staat live: water-why (en).")
    assert "Ongedaan maken kan tot " in live["text"]
    assert "# the one the tests edit" in read(coach_tips)

    await bot.press_label(admin, "↩️ Ongedaan maken")
    assert tip(bot, "water-why") == original
    assert load_tip_library(coach_tips).get("water-why") == original
    assert api.message(ADMIN, live["message_id"])["text"].startswith("↩️ Ongedaan gemaakt: water-why is weer")
    assert history_rows(engine, "water-why") == [
        ("en", original.en, "Water keeps your gut moving and your skin glowing.", ADMIN),
        ("en", "Water keeps your gut moving and your skin glowing.", original.en, ADMIN),
    ]
    await bot.say(admin, "/tip geschiedenis water-why")
    assert "🇬🇧 tekst: Water keeps your gut moving and your skin [supple → glowing]." in last_text(api)

    # Undo works once, and for ten minutes only.
    await bot.say(admin, "/tip ongedaan")
    assert last_text(api).startswith("Er is niets dat je nog ongedaan kunt maken")
    await bot.say(admin, "/tip wijzig water-bottle nl Zet een fles water in je zicht.")
    await bot.press_label(admin, "✅ Live zetten")
    bot.clock.advance(minutes=11)
    await bot.say(admin, "/tip ongedaan")
    assert last_text(api).startswith("Er is niets dat je nog ongedaan kunt maken")
    assert tip(bot, "water-bottle").nl == "Zet een fles water in je zicht."


async def test_a_draft_survives_a_restart_and_expires_cleanly(
    api: FakeBotApi, clock: SteppedClock, engine: Engine, database_path: Path, coach_tips: Path
) -> None:
    admin = api.user(ADMIN)
    options: dict[str, Any] = {
        "api": api,
        "clock": clock,
        "engine": engine,
        "database_path": database_path,
        "tips_path": coach_tips,
    }
    async with coach_bot(**options) as first:
        await first.say(admin, "/tip wijzig water-bottle")
        assert last_text(api).startswith("✏️ water-bottle · 🇳🇱 Nederlands")
    async with coach_bot(**options) as second:
        await second.say(admin, "Zet een fles water op je bureau.")
        assert last_text(api).startswith("👀 Zo krijgen leden water-bottle (nl) straks.")
        preview = api.last_message(ADMIN)
        clock.advance(minutes=16)
        await second.press_label(admin, "✅ Live zetten")
        answer = api.calls_named("answerCallbackQuery")[-1]
        assert answer.params["text"] == "Dit concept is al afgehandeld of verlopen. Begin opnieuw met /tip."
        assert api.message(ADMIN, preview["message_id"])["text"] == preview["text"]
        assert tip(second, "water-bottle").nl == "Zet een fles water in het zicht."
        # Expired: typed text is an ordinary message again.
        await second.say(admin, "Zet een fles water op je bureau.")
        assert not last_text(api).startswith("👀")


async def test_a_refused_length_names_the_language_the_excess_and_keeps_the_text(
    bot: BotHarness, api: FakeBotApi
) -> None:
    admin = api.user(ADMIN)
    await bot.say(admin, "/tip nieuw water")
    start = "Drink samen water aan tafel "
    text = start + "x" * (201 - len(start) - 11) + FAMILY  # 201 units for Telegram, 197 for len()
    assert len(text) == 197
    await bot.say(admin, text)
    refusal = api.last_message(ADMIN)
    assert refusal["text"].startswith(
        "De Nederlandse tekst is 201 tekens zoals Telegram telt, 1 te veel: het maximum is 200."
    )
    assert refusal["text"].endswith(f"maak hem korter en stuur hem opnieuw:\n\n{text}")
    assert copied(refusal) == [text]
    shorter = text.replace("x", "", 1)
    await bot.say(admin, shorter)
    assert last_text(api) == f"🇳🇱 Genoteerd:\n{shorter}\n\nStuur nu de Engelse tekst."
    await bot.say(admin, "Drink water together at the table " + "y" * 156 + FAMILY)
    assert last_text(api).startswith("De Engelse tekst is 201 tekens zoals Telegram telt, 1 te veel")


async def test_delete_keeps_the_history_and_the_statistics(
    bot: BotHarness, api: FakeBotApi, coach_tips: Path, engine: Engine
) -> None:
    admin = api.user(ADMIN)
    await add_sends(engine, bot, {"walk-together": (12, 3)})
    gone = tip(bot, "walk-together")
    await bot.say(admin, "/tip toon walk-together")
    await bot.press_label(admin, "🗑️ Verwijderen")
    asked = latest_with_buttons(api, ADMIN)
    assert asked["text"].startswith("🗑️ walk-together verwijderen? Leden krijgen hem dan niet meer.")
    await bot.press_label(admin, "🗑️ Ja, verwijderen")
    assert api.message(ADMIN, asked["message_id"])["text"].startswith(
        "🗑️ walk-together is verwijderd. De geschiedenis en de statistieken blijven bewaard."
    )
    assert bot.app.services.tips.get("walk-together") is None
    assert "walk-together" not in read(coach_tips)
    assert load_tip_library(coach_tips) == bot.app.services.tips

    await bot.say(admin, "/tip geschiedenis walk-together")
    history = last_text(api)
    assert "🗑️ walk-together is verwijderd; de geschiedenis blijft." in history
    assert f"verwijderd (was: “{gone.nl}”)" in history
    await bot.say(admin, "/tip stats")
    await bot.press_label(admin, "📋 Volledige lijst")
    assert f"🗑️ walk-together (verwijderd: “{gone.nl[:38]}" in last_text(api)
    # The id stays taken, so a new tip never inherits the deleted one's numbers.
    await bot.say(admin, "/tip nieuw walk Samen lopen.\nTogether")
    await bot.press_label(admin, "✅ Live zetten")
    assert bot.app.services.tips.get("walk-together-2") is not None


async def test_a_hand_edit_just_before_a_switch_from_telegram_is_in_the_history(
    bot: BotHarness, api: FakeBotApi, coach_tips: Path, engine: Engine
) -> None:
    admin = api.user(ADMIN)
    old = tip(bot, "water-why").nl
    text = read(coach_tips)
    write(coach_tips, text.replace(old, "Water houdt je darmen soepel."))
    # Within the watch's 30 seconds: the switch finds the hand edit first.
    await bot.say(admin, "/tip uit water-first-glass")
    assert tip(bot, "water-why").nl == "Water houdt je darmen soepel."
    assert history_rows(engine, "water-why") == [("nl", old, "Water houdt je darmen soepel.", None)]
    await bot.say(admin, "/tip geschiedenis water-why")
    assert "het bestand (met de hand)" in last_text(api)
    assert "🇳🇱 tekst: Water houdt je darmen [−in beweging en je huid] soepel." in last_text(api)
    await bot.watch_tips()  # nothing left for the watch to report
    assert history_rows(engine, "water-why") == [("nl", old, "Water houdt je darmen soepel.", None)]

    # Two tips changed by hand, picked up in one reload: both logged, and said so.
    bot.clock.advance(minutes=2)
    text = read(coach_tips)
    text = text.replace("Zet een fles water in het zicht.", "Zet een fles in het zicht.")
    write(coach_tips, text.replace("Tien minuten lopen", "Tien minuten wandelen"))
    await bot.say(admin, "/tip herlaad")
    assert last_text(api) == "🔄 Tips opnieuw geladen: 2 wijziging(en)."
    await bot.say(admin, "/tip geschiedenis water-bottle")
    assert "het bestand (met de hand), samen met 1 andere wijziging(en) in één keer geladen" in last_text(api)
    assert history_rows(engine, "walk-ten-minutes")[0][0] == "nl"


async def test_a_switch_off_while_the_file_is_broken_is_live_and_written_once_it_is_fixed(
    bot: BotHarness, api: FakeBotApi, coach_tips: Path
) -> None:
    admin = api.user(ADMIN)
    good = read(coach_tips)
    broken = good.replace("  - id: water-bottle\n", "  - id: water-bottle\n    tekst: oeps\n")
    write(coach_tips, broken)
    await bot.watch_tips()
    line = broken.splitlines().index("    tekst: oeps") + 1
    assert last_text(api) == (
        "⚠️ Er zit een fout in tips.yaml. Tot die is opgelost, krijgen de leden de laatste goede versie van "
        "de tips.\nWat: 'tekst' is geen veld van een tip.\n"
        f"Waar: regel {line}, tip water-bottle.\n"
        "Oplossen: Een tip heeft id, nl, en, source en enabled; haal de regel weg of verbeter de naam.\n\n"
        "Aan- en uitzetten kan intussen gewoon; dat zet ik in het bestand zodra de fout is opgelost. "
        "Teksten wijzigen kan pas daarna."
    )
    await bot.say(admin, "/tip uit water-why")
    assert last_text(api).startswith(
        f"⏸️ water-why staat uit voor de leden. Het tipbestand heeft nog een fout (regel {line}); "
        "ik zet de wijziging erin zodra die is opgelost."
    )
    assert not tip(bot, "water-why").enabled
    assert tip(bot, "water-why") not in bot.app.services.tips.enabled("water")
    assert read(coach_tips) == broken

    write(coach_tips, broken.replace("    tekst: oeps\n", ""))
    await bot.watch_tips()
    assert last_text(api) == (
        "🔄 tips.yaml is met de hand aangepast en opnieuw geladen: 0 wijziging(en).\n"
        "Wat je intussen aan- of uitzette, staat nu ook in het bestand: water-why."
    )
    on_disk = load_tip_library(coach_tips)
    assert on_disk.get("water-why").enabled is False  # type: ignore[union-attr]
    assert on_disk == bot.app.services.tips
    assert "# the one the tests edit" in read(coach_tips)


async def test_statistics_rank_the_tips_flag_the_weak_ones_and_fit_one_screen(
    bot: BotHarness, api: FakeBotApi, engine: Engine
) -> None:
    await add_sends(
        engine,
        bot,
        {
            "water-first-glass": (20, 16),
            "water-why": (20, 12),
            "water-bottle": (20, 4),
            "walk-ten-minutes": (10, 5),
            "walk-together": (3, 3),
        },
    )
    admin = api.user(ADMIN)
    await bot.say(admin, "/tip stats")
    stats = api.last_message(ADMIN)
    lines = stats["text"].splitlines()
    assert len(lines) <= 20
    assert "💧 Water: 53% van 60 (53% deze week)" in lines
    assert "  👍 first-glass 80% · why 60%" in lines
    assert "  ⚠️ zwak: bottle 20%" in lines
    assert "🚶 Wandelen: 62% van 13 (62% deze week)" in lines
    assert "  nog te weinig verstuurd: 1 tip(s)" in lines
    assert [label for label, _ in buttons(stats)] == ["📋 Volledige lijst"]
    await bot.press_label(admin, "📋 Volledige lijst")
    full = last_text(api)
    assert (
        full.index("1. water-first-glass 80%")
        < full.index("2. water-why 60%")
        < full.index("3. water-bottle")
    )
    assert "3. water-bottle 20% ⚠️ (4/20 · 4/20)" in full
    assert "· walk-together (3/3 · 3/3)" in full


async def add_sends(engine: Engine, bot: BotHarness, sends: dict[str, tuple[int, int]]) -> None:
    """Nudges sent in the last days with these tips: (sent, of which done within the hour)."""
    now = bot.clock()
    with new_session(engine) as session:
        member = Member(telegram_id=5005, chat_id=5005, created_at=now, schedule_cursor=now)
        session.add(member)
        session.flush()
        assert member.id is not None
        for tip_id, (sent, done) in sends.items():
            habit = tip_id.split("-")[0]
            for number in range(sent):
                sent_at = now - timedelta(days=1, minutes=number)
                nudge = Nudge(
                    member_id=member.id,
                    habit=habit,
                    slot=f"{habit}-{uuid.uuid4().hex[:8]}",
                    local_date=sent_at.date(),
                    due_at=sent_at,
                    status=NudgeStatus.ANSWERED if number < done else NudgeStatus.SENT,
                    tip_id=tip_id,
                    sent_at=sent_at,
                )
                session.add(nudge)
                session.flush()
                if number < done:
                    session.add(
                        CheckIn(
                            member_id=member.id,
                            habit=habit,
                            nudge_id=nudge.id,
                            local_date=sent_at.date(),
                            status="done",
                            source="button",
                            created_at=sent_at + timedelta(minutes=10),
                        )
                    )
        session.commit()
