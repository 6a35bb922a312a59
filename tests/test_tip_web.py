"""The tip editor in a real browser: Debian's headless Chromium, driven by Playwright.

`python3 tasks.py test` installs chromium when it is missing (as root); elsewhere these tests skip
with the reason, and with CI=true they fail, so CI never passes without them.
"""

from __future__ import annotations

import os
import re
import socket
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from fakegram import FakeBotApi
from scheduler.clock import SteppedClock
from tests.harness import ADMIN, BotHarness, sqlite_engine
from tests.tip_fixtures import coach_bot, write_coach_tips
from tips.library import load_tip_library

CHROMIUM = Path("/usr/bin/chromium")
SECOND_ADMIN = 4343
MEMBER = 1001

try:
    from playwright.async_api import Browser, Page, async_playwright, expect
except ImportError:  # pragma: no cover - in requirements-dev.lock
    async_playwright = None  # type: ignore[assignment]


def _require_chromium() -> None:
    reason = ""
    if async_playwright is None:
        reason = "playwright is not installed (it is in requirements-dev.lock)"
    elif not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: `python3 tasks.py test` installs Debian's chromium when run as root"
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests cannot run in CI: {reason}")
        pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def coach_tips(tmp_path: Path) -> Path:
    return write_coach_tips(tmp_path)


@pytest.fixture
async def web(
    api: FakeBotApi, clock: SteppedClock, database_path: Path, coach_tips: Path
) -> AsyncIterator[BotHarness]:
    _require_chromium()
    # SQLite only: the page's queries are the chat's, tested on both back ends; a browser costs time.
    engine = sqlite_engine(database_path)
    async with coach_bot(
        api=api,
        clock=clock,
        engine=engine,
        database_path=database_path,
        tips_path=coach_tips,
        admin_ids=f"{ADMIN},{SECOND_ADMIN}",
        web_port=free_port(),
        web_secret=SecretStr("a-test-secret-that-is-long-enough-0123456789"),
    ) as harness:
        yield harness
    engine.dispose()


@pytest.fixture
async def browser(web: BotHarness) -> AsyncIterator[Browser]:
    assert async_playwright is not None
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield launched
        finally:
            await launched.close()


async def sign_in_link(bot: BotHarness, admin_id: int, **user: Any) -> str:
    admin = bot.api.user(admin_id, **user)
    await bot.say(admin, "/tip web")
    found = re.search(r"http://\S+", str(bot.api.last_message(admin_id)["text"]))
    assert found is not None
    return found[0]


async def signed_in_page(bot: BotHarness, browser: Browser, admin_id: int, **options: Any) -> Page:
    link = await sign_in_link(bot, admin_id, first_name="Anna" if admin_id == ADMIN else "Bram")
    page = await (await browser.new_context(**options)).new_page()
    await page.goto(link)
    await page.get_by_role("button", name="Inloggen").click()
    await expect(page.get_by_role("heading", name="Tips beheren")).to_be_visible()
    return page


async def test_a_coach_edits_a_dutch_text_sees_the_preview_saves_and_the_next_nudge_has_it(
    web: BotHarness, browser: Browser, coach_tips: Path, api: FakeBotApi, tmp_path: Path
) -> None:
    # A phone's screen: the page has to work there too.
    page = await signed_in_page(web, browser, ADMIN, viewport={"width": 390, "height": 844})
    row = page.locator("#tip-water-first-glass")
    dutch = row.get_by_role("textbox", name="🇳🇱 Nederlands")
    new_text = "Begin de dag met een groot glas water 💧, nog voor de koffie."
    await dutch.fill(new_text)
    await expect(row.locator(".count").first).to_have_text(f"{len(new_text) + 1}/200")  # 💧 counts 2
    preview = row.locator('.phone[data-language="nl"] .bubble')
    await expect(preview).to_have_text(f"💧 Tijd voor een glas water (3/8)\n\n{new_text}")
    await expect(row.locator('.phone[data-language="nl"] .key')).to_have_text(["💧 +1 glas"])
    assert (await dutch.bounding_box() or {"width": 999})["width"] <= 390
    await page.screenshot(path=str(tmp_path / "phone.png"), full_page=True)

    await row.get_by_role("button", name="Opslaan").click()
    await expect(page.locator("#tip-water-first-glass .notice")).to_have_text("✅ Opgeslagen en live.")
    assert load_tip_library(coach_tips).get("water-first-glass").nl == new_text  # type: ignore[union-attr]
    assert "# Tips for the tests: a comment at the top," in _read(coach_tips)
    assert web.app.services.tips.get("water-first-glass").nl == new_text  # type: ignore[union-attr]

    # The next nudge: a new member's first water nudge carries the first tip of the file.
    member = api.user(MEMBER)
    await web.onboard(member)
    await web.run_until(web.clock() + timedelta(hours=3))
    water = [m for m in api.sent_messages(MEMBER) if str(m["text"]).startswith("💧 Tijd voor een glas water")]
    assert water
    assert water[0]["text"].endswith(f"\n\n{new_text}")


async def test_no_session_no_page_and_an_expired_or_used_link_opens_nothing(
    web: BotHarness, browser: Browser
) -> None:
    settings = web.app.services.settings
    page = await (await browser.new_context()).new_page()
    response = await page.goto(f"{settings.web_url}/tips/water")
    assert response is not None
    assert response.status == 401
    assert (
        await page.locator("body").inner_text()
        == "Geen toegang. Vraag in de chat met de bot een link met /tip web."
    )
    assert await page.locator("textarea").count() == 0

    link = await sign_in_link(web, ADMIN)
    web.clock.advance(minutes=16)
    await page.goto(link)
    await page.get_by_role("button", name="Inloggen").click()
    assert await page.locator("body").inner_text() == (
        "Deze link is verlopen of al gebruikt. Vraag in de chat een nieuwe met /tip web."
    )
    response = await page.goto(f"{settings.web_url}/tips/water")
    assert response is not None
    assert response.status == 401

    link = await sign_in_link(web, ADMIN)
    await page.goto(link)
    await page.get_by_role("button", name="Inloggen").click()
    await expect(page.get_by_role("heading", name="Tips beheren")).to_be_visible()
    other = await (await browser.new_context()).new_page()
    await other.goto(link)
    await other.get_by_role("button", name="Inloggen").click()
    assert "verlopen of al gebruikt" in await other.locator("body").inner_text()


async def test_two_coaches_saving_the_same_tip_get_a_conflict_not_an_overwrite(
    web: BotHarness, browser: Browser, coach_tips: Path
) -> None:
    anna = await signed_in_page(web, browser, ADMIN)
    bram = await signed_in_page(web, browser, SECOND_ADMIN)
    for page, text in ((anna, "Anna's tekst over water."), (bram, "Brams tekst over water.")):
        await page.locator("#tip-water-why").get_by_role("textbox", name="🇳🇱 Nederlands").fill(text)
    await anna.locator("#tip-water-why").get_by_role("button", name="Opslaan").click()
    await expect(anna.locator("#tip-water-why .notice")).to_have_text("✅ Opgeslagen en live.")

    await bram.locator("#tip-water-why").get_by_role("button", name="Opslaan").click()
    alert = bram.locator("#tip-water-why [role=alert]")
    await expect(alert).to_contain_text("⚠️ Iemand anders heeft deze tip intussen gewijzigd (Anna (web), ")
    await expect(alert).to_contain_text("🇳🇱 Anna's tekst over water.")
    dutch = bram.locator("#tip-water-why").get_by_role("textbox", name="🇳🇱 Nederlands")
    await expect(dutch).to_have_value("Brams tekst over water.")
    assert load_tip_library(coach_tips).get("water-why").nl == "Anna's tekst over water."  # type: ignore[union-attr]

    # Saving again, having seen Anna's text, is a choice: it goes through.
    await bram.locator("#tip-water-why").get_by_role("button", name="Opslaan").click()
    await expect(bram.locator("#tip-water-why .notice")).to_have_text("✅ Opgeslagen en live.")
    assert load_tip_library(coach_tips).get("water-why").nl == "Brams tekst over water."  # type: ignore[union-attr]


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")
