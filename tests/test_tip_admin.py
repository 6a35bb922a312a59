"""End to end: admins manage tips from Telegram and by hand; everyone else sees nothing of it."""

from __future__ import annotations

import difflib
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.texts import text
from fakegram import FakeBotApi
from scheduler.clock import SteppedClock
from storage.database import new_session
from storage.models import CheckIn, Nudge, TipChange
from tests.harness import ADMIN, BotHarness, buttons, latest_with_buttons, make_settings, running_bot
from tips.library import TIP_REPEAT_GAP, load_tip_library

MEMBER = 1001
NEW_TIP = (
    "/tip nieuw water Drink een glas water na het tandenpoetsen. | "
    "Have a glass of water after brushing your teeth."
)
NEW_ID = "water-have-a-glass-of-water-after"
UNKNOWN = text("nl", "unknown_command")


def on_disk(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def raw(path: Path) -> bytes:
    return path.read_bytes()


def last_text(api: FakeBotApi, chat_id: int) -> str:
    return str(api.last_message(chat_id)["text"])


def changes_of(engine: Engine, tip_id: str) -> list[TipChange]:
    with new_session(engine) as session:
        statement = select(TipChange).where(TipChange.tip_id == tip_id).order_by(TipChange.id)  # type: ignore[arg-type]
        return list(session.exec(statement).all())


def added_and_removed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    diff = list(difflib.ndiff(before.splitlines(), after.splitlines()))
    added = [line[2:] for line in diff if line.startswith("+ ")]
    removed = [line[2:] for line in diff if line.startswith("- ")]
    return added, removed


async def test_admin_adds_edits_disables_and_previews_a_tip(
    admin_bot: BotHarness, api: FakeBotApi, tips_file: Path, engine: Engine
) -> None:
    original = on_disk(tips_file)
    admin = api.user(ADMIN, first_name="Anna")
    await admin_bot.say(admin, "/start")

    await admin_bot.say(admin, NEW_TIP)
    shown = api.last_message(ADMIN)
    assert shown["text"].startswith("👀 Zo krijgen leden de nieuwe tip bij 💧 Water.")
    assert "💧 Tijd voor een glas water (3/8)\n\nDrink een glas water na het tandenpoetsen." in shown["text"]
    assert admin_bot.app.services.tips.get(NEW_ID) is None  # not live before ✅
    await admin_bot.press_label(admin, "✅ Live zetten")
    reply = api.message(ADMIN, shown["message_id"])
    assert reply["text"].startswith(f"✅ Staat live: {NEW_ID}.")
    assert f"💡 {NEW_ID} · 💧 Water · ✅ aan" in reply["text"]
    assert "💧 Tijd voor een glas water (3/8)\n\nDrink een glas water na het tandenpoetsen." in reply["text"]
    assert (
        "💧 Time for a glass of water (3/8)\n\nHave a glass of water after brushing your teeth."
        in reply["text"]
    )
    tip = admin_bot.app.services.tips.get(NEW_ID)
    assert tip is not None
    assert tip.enabled

    await admin_bot.say(admin, f"/tip wijzig {NEW_ID} en Have a glass of water after brushing.")
    assert last_text(api, ADMIN).startswith(f"👀 Zo krijgen leden {NEW_ID} (en) straks.")
    await admin_bot.press_label(admin, "✅ Live zetten")
    tip = admin_bot.app.services.tips.get(NEW_ID)
    assert tip is not None
    assert tip.en == "Have a glass of water after brushing."

    preview = latest_with_buttons(api, ADMIN)
    assert preview["text"].startswith(f"✅ Staat live: {NEW_ID} (en).")
    assert ("⏸️ Uitzetten", f"t:off:s:{NEW_ID}") in buttons(preview)
    await admin_bot.press(admin, preview, f"t:off:s:{NEW_ID}")
    edited = api.message(ADMIN, preview["message_id"])
    assert f"💡 {NEW_ID} · 💧 Water · ⏸️ uit" in edited["text"]
    assert ("▶️ Aanzetten", f"t:on:s:{NEW_ID}") in buttons(edited)
    tip = admin_bot.app.services.tips.get(NEW_ID)
    assert tip is not None
    assert not tip.enabled
    assert tip not in admin_bot.app.services.tips.enabled("water")

    # On disk: exactly the new tip, nothing else touched (comments, order and quotes intact).
    after = on_disk(tips_file)
    added, removed = added_and_removed_lines(original, after)
    assert removed == []
    assert added == [
        f"  - id: {NEW_ID}",
        '    nl: "Drink een glas water na het tandenpoetsen."',
        '    en: "Have a glass of water after brushing."',
        "    enabled: false",
    ]
    assert after.startswith(original[: original.index("water:")])
    assert load_tip_library(tips_file).get(NEW_ID) == tip
    assert not [p for p in tips_file.parent.iterdir() if p.name != "tips.yaml"]  # no temp files

    await admin_bot.say(admin, f"/tip geschiedenis {NEW_ID}")
    history = last_text(api, ADMIN)
    assert history.startswith(f"🕘 Geschiedenis van {NEW_ID}")
    assert "aan/uit: aan → uit" in history
    assert "🇬🇧 tekst: Have a glass of water after brushing [−your teeth]." in history
    assert "toegevoegd: “Drink een glas water na het tandenpoetsen.”" in history
    assert "Anna (4242)" in history
    logged = changes_of(engine, NEW_ID)
    assert [(c.field, c.changed_by) for c in logged] == [("tip", ADMIN), ("en", ADMIN), ("enabled", ADMIN)]


async def test_admin_gets_a_tip_as_a_real_nudge_whose_buttons_store_nothing(
    admin_bot: BotHarness, api: FakeBotApi
) -> None:
    admin = api.user(ADMIN, language_code="en")
    await admin_bot.say(admin, "/start")
    await admin_bot.say(admin, "/tip show walk-ten-minutes")
    shown = api.last_message(ADMIN)
    assert "🚶 A short walk after lunch?" in shown["text"]
    await admin_bot.press(admin, shown, "t:send:walk-ten-minutes")
    nudge = api.last_message(ADMIN)
    assert nudge["text"].startswith("🚶 A short walk after lunch?\n\n")
    assert [label for label, _ in buttons(nudge)] == ["✅ Done", "⏰ In 15 min", "⏭️ Skip"]
    await admin_bot.press(admin, nudge, "t:pv")
    answer = api.calls_named("answerCallbackQuery")[-1]
    assert answer.params["text"] == "👀 Preview: nothing was stored."
    assert admin_bot.checkins(ADMIN) == []

    await admin_bot.say(admin, "/tip stuur water-why nl")
    assert last_text(api, ADMIN).startswith("💧 Tijd voor een glas water (3/8)\n\nJe lijf heeft")


async def test_list_per_habit_with_buttons_to_preview_and_switch(
    admin_bot: BotHarness, api: FakeBotApi, tips_file: Path
) -> None:
    admin = api.user(ADMIN)
    await admin_bot.say(admin, "/tip")
    overview = api.last_message(ADMIN)
    assert [data for _, data in buttons(overview)] == [
        "t:l:water",
        "t:l:walk",
        "t:l:breathing",
        "t:l:sleep",
        "t:l:general",
        "t:stats",
        "t:reload",
    ]
    await admin_bot.press(admin, overview, "t:l:water")
    listed = api.message(ADMIN, overview["message_id"])
    assert listed["text"].startswith("💧 Water: ")
    assert ("👁️ 2. why", "t:s:water-why") in buttons(listed)
    assert ("✏️", "t:e:water-why") in buttons(listed)
    await admin_bot.press(admin, listed, "t:off:l:water-why")
    relisted = api.message(ADMIN, overview["message_id"])
    assert "2. ⏸️ water-why" in relisted["text"]
    assert ("▶️ Aan", "t:on:l:water-why") in buttons(relisted)
    assert "enabled: false" in on_disk(tips_file)
    await admin_bot.press(admin, relisted, "t:s:water-why")
    assert api.message(ADMIN, overview["message_id"])["text"].startswith("💡 water-why")


@pytest.mark.parametrize(
    ("command", "answer"),
    [
        (
            f"/tip wijzig water-why nl {'x' * 201}",
            "De Nederlandse tekst is 201 tekens zoals Telegram telt, 1 te veel",
        ),
        ("/tip wijzig water-why fr Hoi", "Zo wijzig je een tekst:"),
        ("/tip uit water-nope", "Geen tip met id 'water-nope'."),
        ("/tip nieuw koffie Drink | Drink", "Zo voeg je een tip toe:"),
        ("/tip nieuw water A | B | C", "Er staat meer dan één | in je bericht"),
        ("/tip nieuw water A\nB\nC", "Je bericht heeft meer dan twee regels"),
        ("/tip stuur", "Zo stuur je een tip naar jezelf: /tip stuur ID"),
        ("/tip uit", "Zet het id van de tip erachter, bijvoorbeeld /tip uit water-why."),
        ("/tip geschiedenis Water_Why", "bijvoorbeeld /tip geschiedenis water-why."),
        ("/tip onzin", "Opdrachten voor tips:"),
    ],
)
async def test_bad_admin_input_is_explained_and_changes_nothing(
    admin_bot: BotHarness, api: FakeBotApi, tips_file: Path, command: str, answer: str
) -> None:
    before = raw(tips_file)
    live = admin_bot.app.services.tips
    await admin_bot.say(api.user(ADMIN), command)
    assert answer in last_text(api, ADMIN)
    assert raw(tips_file) == before
    assert admin_bot.app.services.tips is live


NON_ADMIN_COMMANDS = [
    "/tip",
    "/tips",
    NEW_TIP,
    "/tip uit water-why",
    "/tip wijzig water-why nl Hoi",
    "/tip herlaad",
    "/tip stats",
    "/tip stuur water-why",
    "/tip geschiedenis water-why",
    "/tip toon water-why",
]


async def test_non_admin_gets_the_unknown_command_answer_and_nothing_changes(
    admin_bot: BotHarness, api: FakeBotApi, tips_file: Path, engine: Engine
) -> None:
    before = raw(tips_file)
    stranger = api.user(MEMBER)
    await admin_bot.say(stranger, "/start")
    await admin_bot.say(stranger, "/doesnotexist")
    unknown = last_text(api, MEMBER)
    assert unknown == UNKNOWN
    for command in NON_ADMIN_COMMANDS:
        await admin_bot.say(stranger, command)
        assert api.last_message(MEMBER)["text"] == unknown, command
        assert "reply_markup" not in api.last_message(MEMBER)
    # A command an admin wrote, forwarded by someone else, is not the admin's.
    await forward_command(admin_bot, MEMBER, "/tip uit water-why", from_user_id=ADMIN)
    assert last_text(api, MEMBER) == unknown
    # Admin buttons pressed by someone else answer like a stale button.
    stranger.press(api.last_message(MEMBER), "t:off:s:water-why", check_button=False)
    await admin_bot.settle()
    answer = api.calls_named("answerCallbackQuery")[-1]
    assert answer.params["text"] == text("nl", "answer_unknown")
    assert raw(tips_file) == before
    with new_session(engine) as session:
        assert session.exec(select(TipChange)).all() == []


async def test_admin_forwarding_a_tip_command_does_not_run_it(
    admin_bot: BotHarness, api: FakeBotApi, tips_file: Path
) -> None:
    before = raw(tips_file)
    api.user(ADMIN)
    await forward_command(admin_bot, ADMIN, "/tip uit water-why", from_user_id=MEMBER)
    assert last_text(api, ADMIN) == UNKNOWN
    assert raw(tips_file) == before


async def forward_command(harness: BotHarness, user_id: int, command: str, *, from_user_id: int) -> None:
    """A forwarded command, with the bot_command entity Telegram keeps on forwards."""
    forwarded = harness.api.user(user_id).forward_text(command, from_user_id=from_user_id)["message"]
    assert forwarded["entities"][0]["type"] == "bot_command"
    await harness.settle()


def hand_edit(path: Path, old: str, new: str) -> None:
    content = path.read_text(encoding="utf-8")
    assert old in content
    path.write_text(content.replace(old, new, 1), encoding="utf-8")


async def test_hand_edit_of_the_file_is_picked_up_and_logged(
    admin_bot: BotHarness, api: FakeBotApi, tips_file: Path, engine: Engine
) -> None:
    await admin_bot.say(api.user(ADMIN), "/start")
    old = admin_bot.app.services.tips.get("water-why")
    assert old is not None
    await admin_bot.watch_tips()
    assert admin_bot.app.services.tips.get("water-why") is old  # nothing changed yet

    hand_edit(tips_file, old.nl, "Water houdt je fris. Tijd voor een glas!")
    await admin_bot.watch_tips()
    assert admin_bot.app.services.tips.get("water-why").nl == "Water houdt je fris. Tijd voor een glas!"  # type: ignore[union-attr]
    assert last_text(api, ADMIN) == (
        "🔄 tips.yaml is met de hand aangepast en opnieuw geladen: 1 wijziging(en)."
    )
    (change,) = changes_of(engine, "water-why")
    assert (change.field, change.before, change.changed_by) == ("nl", old.nl, None)

    messages = len(api.sent_messages(ADMIN))
    await admin_bot.watch_tips()
    assert len(api.sent_messages(ADMIN)) == messages


async def test_broken_hand_edit_keeps_the_last_valid_tips_and_tells_the_admins_once(
    admin_bot: BotHarness, api: FakeBotApi, tips_file: Path
) -> None:
    await admin_bot.say(api.user(ADMIN), "/start")
    live = admin_bot.app.services.tips
    hand_edit(tips_file, "  - id: water-why\n", "  - id: water-why\n    tekst: oeps\n")
    await admin_bot.watch_tips()
    assert admin_bot.app.services.tips is live
    warning = last_text(api, ADMIN)
    assert warning.startswith(
        "⚠️ Er zit een fout in tips.yaml. Tot die is opgelost, krijgen de leden de laatste goede versie"
    )
    line = on_disk(tips_file).splitlines().index("    tekst: oeps") + 1
    assert f"Wat: 'tekst' is geen veld van een tip.\nWaar: regel {line}, tip water-why." in warning
    assert "Oplossen: Een tip heeft id, nl, en, source en enabled" in warning
    messages = len(api.sent_messages(ADMIN))
    await admin_bot.watch_tips()
    assert len(api.sent_messages(ADMIN)) == messages

    # A text edit from Telegram is refused while the file on disk is broken.
    await admin_bot.say(api.user(ADMIN), "/tip wijzig water-first-glass nl Nieuw.")
    await admin_bot.press_label(api.user(ADMIN), "✅ Live zetten")
    assert last_text(api, ADMIN).startswith(
        "Ik kan nu geen teksten wijzigen, want het tipbestand heeft een fout."
    )
    await admin_bot.say(api.user(ADMIN), "/tip herlaad")
    assert last_text(api, ADMIN).startswith("⚠️ Er zit een fout in tips.yaml.")

    hand_edit(tips_file, "    tekst: oeps\n", "")
    await admin_bot.watch_tips()
    assert admin_bot.app.services.tips == live
    assert last_text(api, ADMIN).endswith("opnieuw geladen: 0 wijziging(en).")


async def test_reload_command_reports_changes(
    admin_bot: BotHarness, api: FakeBotApi, tips_file: Path
) -> None:
    admin = api.user(ADMIN, language_code="en")
    tip = admin_bot.app.services.tips.get("water-why")
    assert tip is not None
    english = f'    en: "{tip.en}"\n'
    hand_edit(tips_file, f"{english}    enabled: true", f"{english}    enabled: false")
    assert admin_bot.app.services.tips.get("water-why").enabled  # type: ignore[union-attr]
    await admin_bot.say(admin, "/tip reload")
    assert last_text(api, ADMIN) == "🔄 Tips reloaded: 1 change(s)."
    await admin_bot.say(admin, "/tip reload")
    assert last_text(api, ADMIN) == "🔄 Tips reloaded: nothing had changed."


async def test_statistics_per_habit_and_tip(
    admin_bot: BotHarness, api: FakeBotApi, clock: SteppedClock
) -> None:
    member = api.user(MEMBER)
    await admin_bot.say(member, "/start")
    clock.advance(hours=1, minutes=20)  # 08:25 in Amsterdam: the walk after breakfast is due
    await admin_bot.tick()
    walk = next(m for m in api.sent_messages(MEMBER) if m["text"].startswith("🚶"))
    await admin_bot.press(member, walk, next(d for _, d in buttons(walk) if d.endswith(":done")))
    admin = api.user(ADMIN)
    await admin_bot.say(admin, "/tip stats")
    stats = api.last_message(ADMIN)
    assert stats["text"].startswith(
        "📊 Tips: binnen 2 uur gedaan, laatste 30 dagen\nLeden: 1 actief · 0 gepauzeerd · 0 inactief"
    )
    assert "🚶 Wandelen: 100% van 1 (100% deze week)" in stats["text"]
    walk_tip = next(n.tip_id for n in admin_bot.nudges(MEMBER) if n.habit == "walk")
    await admin_bot.press_label(admin, "📋 Volledige lijst")
    full = "\n\n".join(m["text"] for m in api.sent_messages(ADMIN)[1:])
    assert f"\n· {walk_tip} (1/1 · 1/1)\n" in full + "\n"
    assert all(len(m["text"]) <= 4096 for m in api.sent_messages(ADMIN))


async def test_rotation_end_to_end_never_repeats_a_tip_before_the_cycle_nor_within_a_week(
    api: FakeBotApi, clock: SteppedClock, engine: Engine, database_path: Path, tmp_path: Path
) -> None:
    tips_path = tmp_path / "few.yaml"
    tips_path.write_text(
        "breathing:\n"
        + "".join(f'  - id: breathing-{n}\n    nl: "Adem {n}"\n    en: "Breathe {n}"\n' for n in range(3))
        + "walk:\n"
        + "".join(f'  - id: walk-{n}\n    nl: "Loop {n}"\n    en: "Walk {n}"\n' for n in range(12)),
        encoding="utf-8",
    )
    settings = make_settings(f"sqlite:///{database_path}", tips_path=tips_path)
    async with running_bot(api=api, clock=clock, engine=engine, settings=settings) as harness:
        await harness.say(api.user(MEMBER), "/start")
        # A member who answers every nudge gets every one (one who answers nothing gets fewer).
        await harness.answer_until(clock() + timedelta(days=10))
        sent = sorted((n for n in harness.nudges(MEMBER) if n.sent_at), key=lambda n: n.sent_at)  # type: ignore[arg-type, return-value]

    walks = [n.tip_id for n in sent if n.habit == "walk"]
    assert len(walks) == 30
    assert all(walks), "a group of 12 tips always has one to show"
    for start in range(0, len(walks) - 11):
        window = [tip for tip in walks[start : start + 12] if tip]
        assert len(window) == len(set(window))
    breathing = [(n.sent_at, n.tip_id) for n in sent if n.habit == "breathing"]
    assert [tip for _, tip in breathing[:3]] == ["breathing-0", "breathing-1", "breathing-2"]
    assert [tip for _, tip in breathing[3:7]] == [None] * 4
    assert [tip for _, tip in breathing[7:10]] == ["breathing-0", "breathing-1", "breathing-2"]
    last_shown: dict[str, Any] = {}
    for sent_at, tip_id in breathing:
        if tip_id is None:
            continue
        if tip_id in last_shown:
            assert sent_at - last_shown[tip_id] >= TIP_REPEAT_GAP
        last_shown[tip_id] = sent_at
    with new_session(engine) as session:
        assert session.exec(select(CheckIn)).all()
        assert session.exec(select(Nudge)).all()
