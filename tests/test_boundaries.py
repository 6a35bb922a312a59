"""Which modules may import what: the fake Bot API stays out of the bot's own code."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The offline runner, and the console built on it; everything else in bot/ talks to a Bot API.
FAKEGRAM_USERS = {"offline.py", "console.py"}


def _imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_only_the_offline_runner_and_the_console_import_fakegram_in_bot() -> None:
    users = {path.name for path in (ROOT / "bot").glob("*.py") if "fakegram" in _imported_packages(path)}
    assert users == FAKEGRAM_USERS
