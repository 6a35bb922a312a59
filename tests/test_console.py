"""The offline console: `python -m bot` without a token, scripted through stdin."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot import main as entry_point
from bot.console import fast_forward_target

ROOT = Path(__file__).resolve().parents[1]
AMS = ZoneInfo("Europe/Amsterdam")
SCRIPT = """\
/start
3
1
:ff 1d
1
:time
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


@pytest.mark.slow
def test_scripted_console_session_onboards_fast_forwards_and_sees_a_nudge(tmp_path: Path) -> None:
    done = run_bot(tmp_path, ["--console"], SCRIPT)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "you > /start" in out
    assert "bot > Hoi You!" in out
    assert "[1] ✓ 🇳🇱 Nederlands" in out
    assert "🚀 Je bent begonnen!" in out
    # The day that follows: nudges with their buttons, numbered, and a press that answers one.
    assert "bot > 💧 Tijd voor een glas water" in out
    assert "[1] 💧 +1 glas" in out
    assert "bot > 🚶 Even wandelen" in out
    assert "[2] ⏰ Over 15 min" in out
    assert "(i) " in out  # the tap's answer
    assert "(clock: " in out
    assert not (tmp_path / "real.sqlite3").exists()  # the real database is never touched
    assert "TEST-TOKEN" not in out + done.stderr


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
