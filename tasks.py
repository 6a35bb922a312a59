"""Set up and run the project with nothing but python3 and pip.

    python3 tasks.py run     # create .venv from requirements.lock, then start the bot
    python3 tasks.py test    # create .venv from requirements-dev.lock, then ruff, mypy and pytest

Extra arguments after `test` go to pytest (e.g. `python3 tasks.py test -k dispatch`). `test` also
installs Debian's headless Chromium for the browser tests when it is missing and this runs as root.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BOT_ENTRY_POINT = ["-m", "bot"]
RUNTIME_LOCK = ROOT / "requirements.lock"
DEV_LOCK = ROOT / "requirements-dev.lock"
# The browser tests drive Debian's Chromium (Playwright never downloads a browser of its own).
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
BROWSER_PACKAGES = ("chromium", "chromium-driver")


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


def ensure_browser() -> None:
    """Install Debian's chromium (and its driver) when missing, if this runs as root with apt-get.

    Otherwise the browser tests skip, saying why; with CI=true they fail instead.
    """
    if CHROMIUM.exists() and CHROMEDRIVER.exists():
        return
    apt = shutil.which("apt-get")
    if apt is None or not hasattr(os, "geteuid") or os.geteuid() != 0:
        print(
            f"tasks.py: {CHROMIUM} is missing and installing it needs root and apt-get: "
            f"`apt-get install {' '.join(BROWSER_PACKAGES)}`; until then the browser tests are skipped",
            flush=True,
        )
        return
    print(f"tasks.py: installing {', '.join(BROWSER_PACKAGES)} for the browser tests", flush=True)
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        subprocess.run([apt, "update", "-q"], check=True, env=environment)
        subprocess.run([apt, "install", "-y", "-q", *BROWSER_PACKAGES], check=True, env=environment)
    except subprocess.CalledProcessError as error:
        # The browser tests then say what is missing (and fail with CI=true).
        print(f"tasks.py: installing the browser failed ({error})", flush=True)


def run_tests(args: list[str]) -> int:
    python = str(ensure_venv(DEV_LOCK))
    ensure_browser()
    steps = [
        [python, "-m", "ruff", "check", "."],
        [python, "-m", "ruff", "format", "--check", "."],
        [python, "-m", "mypy"],
        [str(Path(python).parent / "lint-imports")],
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
