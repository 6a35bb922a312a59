"""The offline console: `python -m bot` without a token, scripted through stdin."""

from __future__ import annotations

import csv
import io
import json
import os
import select
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot import main as entry_point
from bot.breathing.animation import animation_key
from bot.breathing.runner import LEAD_IN_SECONDS
from bot.console import fast_forward_target, run_console_session
from habits.breathing import BreathingPattern
from tests.harness import make_settings

ROOT = Path(__file__).resolve().parents[1]
AMS = ZoneInfo("Europe/Amsterdam")
# Monday 23 November 2026, 07:05 in Amsterdam: just after the default wake-up.
MONDAY_MORNING = datetime(2026, 11, 23, 6, 5, tzinfo=UTC)
SCRIPT = """\
/start
#3
#1
:ff 1d
#1
:time
:quit
"""
# Onboard with the defaults; the walk after breakfast (08:15) is done with a press; the typed
# "2" answers the 09:00 water nudge; then the week's picture and the export.
FILES_SCRIPT = """\
/start
#3
#1
:ff 08:20
#7
#1
:ff 09:05
2
/week
/export
:quit
"""


def _env(tmp_path: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "BOT_TOKEN"}
    env.update({"PYTHONPATH": str(ROOT), "DATABASE_URL": f"sqlite:///{tmp_path / 'real.sqlite3'}"})
    return env


def run_bot(tmp_path: Path, args: list[str], stdin: str | None) -> subprocess.CompletedProcess[str]:
    # cwd is a folder without a .env, so no token can sneak in; the tips come from the checkout.
    env = _env(tmp_path) | {"TIPS_PATH": str(ROOT / "content" / "tips.yaml")}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
        stdin=None if stdin is not None else subprocess.DEVNULL,
    )


async def chat(folder: Path, script: str, language: str = "nl") -> str:
    """A console session in-process on `folder`, starting on Monday morning; the transcript."""
    out = io.StringIO()
    settings = make_settings("sqlite://", default_language=language)
    code = await run_console_session(
        settings, stdin=io.StringIO(script), out=out, folder=folder, echo=True, start=MONDAY_MORNING
    )
    assert code == 0
    return out.getvalue()


@pytest.mark.slow
def test_scripted_console_session_onboards_fast_forwards_and_sees_a_nudge(tmp_path: Path) -> None:
    done = run_bot(tmp_path, ["--console"], SCRIPT)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "you > /start" in out
    assert "bot > Hoi Sanne!" in out
    assert "[#1] ✓ 🇳🇱 Nederlands" in out
    assert "🚀 Je bent begonnen!" in out
    # The day that follows: nudges with their buttons, numbered, and a press that answers one.
    assert "bot > 💧 Tijd voor een glas water" in out
    assert "[#1] 💧 +1 glas" in out
    assert "bot > 🚶 Even wandelen" in out
    assert "[#2] ⏰ Over 15 min" in out
    assert "(i) " in out  # the tap's answer
    assert "(clock: " in out
    assert not (tmp_path / "real.sqlite3").exists()  # the real database is never touched
    assert "TEST-TOKEN" not in out + done.stderr


async def test_pictures_and_files_are_saved_and_a_bare_number_is_a_message(tmp_path: Path) -> None:
    out = await chat(tmp_path, FILES_SCRIPT)
    files = tmp_path / "files"
    assert f"Pictures and files the bot sends are saved in {files}" in out
    # "#7" is no button of the walk nudge; "#1" pressed its Done.
    assert "you > #7\n  (no button #7; the last buttons shown are #1-#3)" in out
    assert "you > #1\n  (i) ✅ Gedaan." in out
    # A bare "2" went to the bot as text and answered the water nudge.
    assert "you > 2\n" in out
    assert "💧 Genoteerd: 2/8 glazen vandaag." in out
    picture = files / "week.png"
    assert f"bot > [picture] {picture}\n      📊 " in out
    assert picture.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert f"bot > [file] {files / 'checkins.csv'}\n      2 check-ins" in out
    assert f"bot > [file] {files / 'settings.json'}\n" in out
    rows = list(csv.DictReader(io.StringIO((files / "checkins.csv").read_text(encoding="utf-8-sig"))))
    assert sorted((row["gewoonte"], row["waarde"]) for row in rows) == [("wandelen", ""), ("water", "2")]
    assert json.loads((files / "settings.json").read_text(encoding="utf-8"))


async def test_a_second_export_does_not_overwrite_the_first(tmp_path: Path) -> None:
    out = await chat(tmp_path, "/start\n#3\n#1\n/export\n/export\n:quit\n")
    assert f"[file] {tmp_path / 'files' / 'checkins-2.csv'}" in out
    assert (tmp_path / "files" / "checkins.csv").exists()


async def test_the_member_has_a_natural_name_in_the_console_language(tmp_path: Path) -> None:
    assert "bot > Hoi Sanne!" in await chat(tmp_path / "nl", "/start\n")
    assert "bot > Hi Sam!" in await chat(tmp_path / "en", "/start\n", language="en")


async def test_a_breathing_session_shows_each_phase_as_it_is_edited_when_fast_forwarded(
    tmp_path: Path,
) -> None:
    out = await chat(tmp_path, "/start\n#3\n#1\n/adem\n:ff 3m\n/settings\n#7\n#14\n/adem\n:ff 3m\n:quit\n")
    session = out[out.index("you > /adem") : out.index("you > /settings")]
    assert "bot > 🌬️ Samen ademen · Rustig 4-6 · 2 min" in session
    assert "[#1] ⏹️ Stop" in session
    # Twelve rounds of in and out, each an edit of the same message, then the closing line.
    assert session.count("bot (edited) > 🌬️ Adem in") == 12
    assert session.count("bot (edited) > 😮‍💨 Adem uit") == 12
    assert "Ronde 12 van 12" in session
    assert session.index("Ronde 1 van 12") < session.index("Ronde 2 van 12")
    assert "bot (edited) > Klaar. Mooi gedaan 🌿 Ik heb je ademoefening genoteerd." in session
    # As the animation: saved like a picture, its caption edited at the end.
    gif = tmp_path / "files" / f"{animation_key(BreathingPattern.CALM)}.gif"
    assert f"bot > [animation] {gif}\n      🌬️ Samen ademen" in out
    assert gif.read_bytes().startswith(b"GIF89a")
    assert out.rstrip().endswith("you > :quit")
    assert out.count("Klaar. Mooi gedaan 🌿") == 2


class SlowLines(io.StringIO):
    """Typed lines, the last one only after `pause` real seconds (a member watching the chat)."""

    def __init__(self, lines: list[str], pause: float) -> None:
        super().__init__("".join(lines))
        self.pause = pause

    def readline(self, size: int | None = -1) -> str:
        line = super().readline()
        if line.startswith(":quit"):
            time.sleep(self.pause)
        return line


async def test_during_a_breathing_session_the_console_clock_follows_real_time(tmp_path: Path) -> None:
    out = io.StringIO()
    settings = make_settings("sqlite://")
    stdin = SlowLines(["/start\n", "/adem\n", ":quit\n"], pause=LEAD_IN_SECONDS + 1.5)
    await run_console_session(
        settings, stdin=stdin, out=out, folder=tmp_path, echo=True, start=MONDAY_MORNING
    )
    transcript = out.getvalue()
    # Without any :ff, the first breath came in after the intro, in real time.
    assert "bot (edited) > 🌬️ Adem in" in transcript
    assert transcript.index("🌬️ Adem in") < transcript.index("you > :quit")


def _read_until(process: subprocess.Popen[bytes], marker: bytes, timeout: float) -> bytes:
    """What the process printed until `marker`, waiting at most `timeout` seconds."""
    assert process.stdout is not None
    seen, deadline = b"", time.monotonic() + timeout
    while marker not in seen:
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"no {marker!r} in {seen!r}"
        if select.select([process.stdout], [], [], remaining)[0]:
            chunk = os.read(process.stdout.fileno(), 65536)
            assert chunk, f"the console ended early: {seen!r}"
            seen += chunk
    return seen


@pytest.mark.slow
def test_closing_the_terminal_removes_the_temporary_folder(tmp_path: Path) -> None:
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = _env(tmp_path) | {"TIPS_PATH": str(ROOT / "content" / "tips.yaml"), "TMPDIR": str(temporary)}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "--console"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        env=env,
    )
    try:
        _read_until(process, b"saved in", timeout=60)
        assert process.stdin is not None
        process.stdin.write(b"/start\n")
        process.stdin.flush()
        _read_until(process, b"Hoi Sanne!", timeout=30)
        (folder,) = temporary.iterdir()
        assert (folder / "console.sqlite3").exists()
        process.send_signal(signal.SIGHUP)  # what a closing terminal sends; stdin stays open
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert list(temporary.iterdir()) == []


def test_without_token_and_without_terminal_it_exits_2_with_one_line(tmp_path: Path) -> None:
    done = run_bot(tmp_path, [], None)
    assert done.returncode == 2
    assert done.stderr.strip() == entry_point.NO_TOKEN_MESSAGE
    assert done.stdout == ""


def test_without_token_in_a_terminal_it_opens_the_console(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TIPS_PATH", str(ROOT / "content" / "tips.yaml"))
    monkeypatch.setattr(sys, "stdin", io.StringIO("/help\n"))
    assert entry_point.main([], stdin_is_terminal=lambda: True) == 0
    assert "Ik help je met vier dagelijkse gewoontes" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argument", "expected"),
    [
        ("2h", datetime(2026, 11, 23, 12, 0, tzinfo=UTC)),
        ("45m", datetime(2026, 11, 23, 10, 45, tzinfo=UTC)),
        ("1h30m", datetime(2026, 11, 23, 11, 30, tzinfo=UTC)),
        ("1d", datetime(2026, 11, 24, 10, 0, tzinfo=UTC)),
        ("12:30", datetime(2026, 11, 23, 11, 30, tzinfo=UTC)),  # later today, local time
        ("08:15", datetime(2026, 11, 24, 7, 15, tzinfo=UTC)),  # already past: tomorrow
        ("soon", None),
        ("0m", None),
        ("", None),
    ],
)
def test_fast_forward_target(argument: str, expected: datetime | None) -> None:
    now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # 11:00 in Amsterdam
    assert fast_forward_target(argument, now, AMS) == expected


def test_a_coach_in_the_console_edits_a_copy_of_the_tips(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tips = tmp_path / "tips.yaml"
    tips.write_text((ROOT / "content" / "tips.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    before = tips.read_bytes()
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TIPS_PATH", str(tips))
    monkeypatch.setenv("ADMIN_IDS", "1")
    monkeypatch.setattr(sys, "stdin", io.StringIO("/tip nieuw water\nSoep telt.\nSoup counts.\n#1\n"))
    assert entry_point.main([], stdin_is_terminal=lambda: True) == 0
    out = capsys.readouterr().out
    assert "✅ Staat live: water-soup-counts." in out
    assert tips.read_bytes() == before


async def test_a_reaction_answers_the_nudge_whose_buttons_were_shown_last(tmp_path: Path) -> None:
    out = await chat(tmp_path, "/start\n#3\n#1\n:react 👍\n:ff 09:05\n:react 👍\n:react\n:quit\n")
    assert "you > :react 👍\n  (reacted 👍 to the last message with buttons)\n" in out
    # The water nudge at 09:00 was the last with buttons: it counts a glass and is edited.
    assert "bot (edited) > 💧 Tijd voor een glas water (0/8)" in out
    assert "      💧 Genoteerd: 1/8 glazen vandaag." in out
    assert "you > :react\n  (no message with buttons to react to)" in out
