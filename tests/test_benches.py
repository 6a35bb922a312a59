"""Each benchmark script runs end to end with a tiny load and prints its figures (no timing asserted)."""

from __future__ import annotations

import pytest

from bench import breathing, dispatch, lateness, peak, soak, updates, weekly

pytestmark = pytest.mark.slow


def test_bench_dispatch_measures_this_bot_and_the_naive_design(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert dispatch.main(["--members", "200", "--naive-members", "50"]) == 0
    printed = capsys.readouterr().out
    assert "200 sent" in printed
    assert "50 sent" in printed
    assert "ratios (naive / this bot)" in printed


@pytest.mark.postgres
def test_bench_dispatch_on_postgresql(capsys: pytest.CaptureFixture[str], postgres_url: str) -> None:
    server = postgres_url.split("?", 1)[0]  # the bench makes a fresh schema of its own
    assert dispatch.main(["--members", "100", "--naive-members", "0", "--database-url", server]) == 0
    printed = capsys.readouterr().out
    assert "on postgresql" in printed
    assert "100 sent" in printed


def test_bench_lateness_sends_everything_at_the_limit(capsys: pytest.CaptureFixture[str]) -> None:
    assert lateness.main(["--count", "40"]) == 0
    printed = capsys.readouterr().out
    # The number of 429s depends on timing on a busy machine: a figure the bench reports, not a
    # property of this smoke test (the bot staying under the limit is tests/test_telegram_faults.py).
    assert "sent 40; answered 429 by the fake Telegram:" in printed
    assert "p99" in printed


def test_bench_updates_compares_with_the_echo_bot(capsys: pytest.CaptureFixture[str]) -> None:
    assert updates.main(["--members", "20", "--users-at-once", "4", "--rounds", "1"]) == 0
    printed = capsys.readouterr().out
    assert printed.count("60 updates") == 3  # the habits bot and both echo bots
    assert "60 check-ins stored" in printed
    assert "of the echo throughput" in printed
    assert "echo + edit (the same Bot API calls)" in printed


def test_bench_weekly_times_a_picture_and_the_sunday_tick(capsys: pytest.CaptureFixture[str]) -> None:
    assert weekly.main(["--members", "6", "--workers", "0", "--pictures", "1"]) == 0
    printed = capsys.readouterr().out
    assert "6 sent" in printed
    assert "CPU-hours" in printed
    assert "pictures drawn by a thread of the bot's process" in printed


def test_bench_breathing_runs_sessions_beside_the_nudges(capsys: pytest.CaptureFixture[str]) -> None:
    # The bot's clock at 20 times real time: two 2-minute sessions and a 1-minute one in seconds.
    assert breathing.main(["--members", "40", "--sessions", "3", "--speed", "20"]) == 0
    printed = capsys.readouterr().out
    assert "40 of 40 nudges sent" in printed
    assert "nudges alone" in printed
    assert "nudges + sessions" in printed
    assert "most in one chat in any 60 s" in printed
    assert "sessions: 3 ran; every phase" in printed
    assert "closing line after the planned end" in printed
    assert "after the tap: answered" in printed


def test_bench_soak_prints_each_day_and_the_growth(capsys: pytest.CaptureFixture[str]) -> None:
    assert soak.main(["--members", "20", "--days", "2", "--picture-share", "0"]) == 0
    printed = capsys.readouterr().out
    assert "day 1: RSS" in printed
    assert "day 2: RSS" in printed
    assert "tick p99" in printed
    assert "nudge 560" in printed  # 14 nudges a day each with the default routine, for two days
    assert "MB per member per year" in printed


def test_bench_peak_runs_the_dispatcher_against_the_best_schedule(capsys: pytest.CaptureFixture[str]) -> None:
    arguments = ["--members", "300", "--rate", "0.2", "--start", "08:00", "--hours", "1.5"]
    assert peak.main(arguments) == 0
    assert peak.main([*arguments, "--paid", "--mix", "spread"]) == 0
    out = capsys.readouterr().out
    assert out.count("best schedule possible") == 2
    assert out.count("sent outside their window: 0; recorded missed: 0") == 2
    assert "paid broadcasts:" in out
