"""The Dockerfile, README and CI script agree on how the bot is installed, run and tested."""

from __future__ import annotations

from pathlib import Path

import dockerfile
import pytest

import tasks

ROOT = Path(__file__).resolve().parents[1]
RUN_COMMAND = "python3 tasks.py run"
TEST_COMMAND = "python3 tasks.py test"


@pytest.fixture(scope="module")
def instructions() -> list[dockerfile.Command]:
    return list(dockerfile.parse_file(str(ROOT / "Dockerfile")))


def _index(instructions: list[dockerfile.Command], cmd: str, predicate: object = None) -> int:
    for index, instruction in enumerate(instructions):
        if instruction.cmd == cmd and (predicate is None or predicate(instruction)):  # type: ignore[operator]
            return index
    raise AssertionError(f"no {cmd} instruction found")


def test_base_image_is_slim_python(instructions: list[dockerfile.Command]) -> None:
    base = instructions[_index(instructions, "FROM")].value[0]
    assert base.startswith("python:3.1")
    assert "slim" in base


def test_dependencies_installed_from_the_lockfile_before_the_code(
    instructions: list[dockerfile.Command],
) -> None:
    lock_copy = _index(instructions, "COPY", lambda i: "requirements.lock" in i.value)
    install = _index(instructions, "RUN", lambda i: "-r requirements.lock" in i.value[0])
    first_code_copy = _index(instructions, "COPY", lambda i: "requirements.lock" not in i.value)
    assert lock_copy < install < first_code_copy


def test_every_python_package_of_the_project_is_copied(instructions: list[dockerfile.Command]) -> None:
    copied = {Path(i.value[0]).name for i in instructions if i.cmd == "COPY"}
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "bench"}
    assert packages <= copied
    assert "content" in copied


def test_runs_as_a_non_root_user(instructions: list[dockerfile.Command]) -> None:
    users = [i.value[0] for i in instructions if i.cmd == "USER"]
    assert users
    assert users[-1] not in {"root", "0"}
    assert _index(instructions, "USER") < _index(instructions, "CMD")


def test_sqlite_lives_in_the_data_volume(instructions: list[dockerfile.Command]) -> None:
    volumes = [value for i in instructions if i.cmd == "VOLUME" for value in i.value]
    assert "/data" in volumes
    env = " ".join(value for i in instructions if i.cmd == "ENV" for value in i.value)
    assert "sqlite:////data/" in env


def test_healthcheck_asks_healthz_with_python(instructions: list[dockerfile.Command]) -> None:
    check = instructions[_index(instructions, "HEALTHCHECK")]
    assert check.json, "exec form: no shell in the slim image's way"
    assert list(check.value) == ["CMD", "python", "-m", "bot.operations.healthcheck"]
    assert (ROOT / "bot" / "operations" / "healthcheck.py").is_file()
    assert {"--interval=30s", "--timeout=5s", "--retries=3"} <= set(check.flags)
    env = " ".join(value for i in instructions if i.cmd == "ENV" for value in i.value)
    assert "HEALTH_PORT 8080" in env
    exposed = [value for i in instructions if i.cmd == "EXPOSE" for value in i.value]
    assert "8080" in exposed


def test_command_starts_the_same_entry_point_as_the_readme(
    instructions: list[dockerfile.Command],
) -> None:
    command = instructions[_index(instructions, "CMD")]
    assert command.json, "exec form, so signals reach the bot"
    assert list(command.value) == ["python", *tasks.BOT_ENTRY_POINT]


def test_readme_opens_with_the_two_commands() -> None:
    top = (ROOT / "README.md").read_text(encoding="utf-8")[:1500]
    assert RUN_COMMAND in top
    assert TEST_COMMAND in top


def test_ci_runs_the_readme_test_command() -> None:
    assert TEST_COMMAND in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
