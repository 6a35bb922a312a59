"""`python -m bot` as an operator meets it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_bot(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if key != "BOT_TOKEN"}
    clean.update(PYTHONPATH=str(ROOT), **env)
    return subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env=clean,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_without_a_token_it_exits_2_with_one_line_about_botfather_and_the_offline_chat(
    tmp_path: Path,
) -> None:
    result = run_bot(tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "@BotFather" in lines[0]
    assert "BOT_TOKEN" in lines[0]
    assert "`python3 tasks.py run --console` in a terminal to try it offline" in lines[0]


def test_an_invalid_tip_file_stops_start_up_naming_file_line_and_field(tmp_path: Path) -> None:
    tips = tmp_path / "tips.yaml"
    tips.write_text('water:\n  - id: water-one\n    nl: ""\n    en: "Drink"\n', encoding="utf-8")
    result = run_bot(
        tmp_path,
        BOT_TOKEN="123:abc",
        TIPS_PATH=str(tips),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    assert result.returncode == 1
    assert "tips.yaml, line 3, field water[0].nl" in result.stderr
    assert "123:abc" not in result.stderr
