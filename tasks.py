"""Set up and run the project with nothing but python3 and pip.

    python3 tasks.py run     # create .venv from requirements.lock, then start the bot
    python3 tasks.py test    # create .venv from requirements-dev.lock, then ruff (lint and format),
                             # mypy and pytest

Extra arguments after `test` go to pytest (e.g. `python3 tasks.py test -k dispatch`).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BOT_ENTRY_POINT = ["-m", "bot"]
RUNTIME_LOCK = ROOT / "requirements.lock"
DEV_LOCK = ROOT / "requirements-dev.lock"


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def lock_digest(lock: Path) -> str:
    digest = hashlib.sha256()
    for path in (RUNTIME_LOCK, lock):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def ensure_venv(lock: Path) -> Path:
    """Create .venv and install the pinned packages of `lock` unless that is already done."""
    stamp = VENV / ".installed-lock"
    wanted = f"{lock.name}:{lock_digest(lock)}"
    if not venv_python().exists():
        print(f"tasks.py: creating {VENV.name}/", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    if stamp.exists() and stamp.read_text() in {wanted, f"{DEV_LOCK.name}:{lock_digest(DEV_LOCK)}"}:
        return venv_python()
    print(f"tasks.py: installing {lock.name} into {VENV.name}/", flush=True)
    pip = [str(venv_python()), "-m", "pip", "--disable-pip-version-check", "--quiet"]
    subprocess.run([*pip, "install", "-r", str(lock)], check=True, cwd=ROOT)
    stamp.write_text(wanted)
    return venv_python()


def run_bot(args: list[str]) -> int:
    python = ensure_venv(RUNTIME_LOCK)
    os.chdir(ROOT)
    os.execv(python, [str(python), *BOT_ENTRY_POINT, *args])
    return 0  # pragma: no cover - execv does not return


def run_tests(args: list[str]) -> int:
    python = str(ensure_venv(DEV_LOCK))
    steps = [
        [python, "-m", "ruff", "check", "."],
        [python, "-m", "ruff", "format", "--check", "."],
        [python, "-m", "mypy"],
        [python, "-m", "pytest", *(args or ["-q"])],
    ]
    for step in steps:
        print(
            "tasks.py: $",
            " ".join(Path(step[0]).name if i == 0 else part for i, part in enumerate(step)),
            flush=True,
        )
        code = subprocess.run(step, cwd=ROOT).returncode
        if code != 0:
            return code
    return 0


def main(argv: list[str]) -> int:
    commands = {"run": run_bot, "test": run_tests}
    if not argv or argv[0] not in commands:
        print(__doc__)
        return 2
    return commands[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
