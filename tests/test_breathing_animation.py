"""The looping breathing animation: one round long, looping, small, and the same bytes every time."""

from __future__ import annotations

import io
import itertools
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from bot.breathing.animation import (
    BACKGROUND,
    FRAME_MS,
    GUIDE,
    LARGEST,
    MAX_BYTES,
    SIZE,
    SMALLEST,
    animation_gif,
    animation_key,
    fullness,
    gif_for_timing,
    radii,
)
from habits.breathing import BreathingPattern, PhaseKind, Timing, timing

ROOT = Path(__file__).resolve().parent.parent


def frames(gif: bytes) -> list[tuple[int, Image.Image]]:
    """(duration in ms, picture) of each stored frame."""
    image = Image.open(io.BytesIO(gif))
    found = []
    for index in range(frame_total(image)):
        image.seek(index)
        found.append((int(image.info["duration"]), image.convert("RGB")))
    return found


def frame_total(image: Image.Image) -> int:
    count: int = getattr(image, "n_frames", 1)
    return count


def drawn_radius(picture: Image.Image) -> int:
    """Half the width of what is drawn across the middle row, the guide ring not counted."""
    row = [picture.getpixel((x, SIZE // 2)) for x in range(SIZE)]
    drawn = [x for x, colour in enumerate(row) if colour not in (BACKGROUND, GUIDE)]
    return (drawn[-1] - drawn[0] + 1) // 2


def shown_at(gif: bytes, at_ms: float) -> Image.Image:
    elapsed = 0
    for duration, picture in frames(gif):
        elapsed += duration
        if at_ms < elapsed:
            return picture
    raise AssertionError(f"the animation is shorter than {at_ms} ms")


@pytest.mark.parametrize("pattern", list(BreathingPattern))
def test_one_round_long_and_looping(pattern: BreathingPattern) -> None:
    gif = animation_gif(pattern)
    image = Image.open(io.BytesIO(gif))
    assert image.format == "GIF"
    assert image.size == (SIZE, SIZE)
    assert image.info["loop"] == 0  # forever
    total = sum(duration for duration, _ in frames(gif))
    assert abs(total - timing(pattern).cycle_seconds * 1000) <= FRAME_MS
    # The holds are folded into longer frames rather than repeated.
    assert frame_total(image) < timing(pattern).cycle_seconds * 1000 / FRAME_MS


@pytest.mark.parametrize("pattern", list(BreathingPattern))
def test_small(pattern: BreathingPattern) -> None:
    assert len(animation_gif(pattern)) < MAX_BYTES


@pytest.mark.parametrize("pattern", list(BreathingPattern))
def test_the_circle_follows_the_breath(pattern: BreathingPattern) -> None:
    gif, breath = animation_gif(pattern), timing(pattern)
    start, sizes = 0.0, {}
    for phase in breath.phases:
        begin = drawn_radius(shown_at(gif, start * 1000 + FRAME_MS / 2))
        end = drawn_radius(shown_at(gif, (start + phase.seconds) * 1000 - FRAME_MS / 2))
        sizes[phase.kind] = (begin, end)
        start += phase.seconds
    small, large = sizes[PhaseKind.INHALE]
    assert large - small > (LARGEST - SMALLEST) * 0.9
    out_begin, out_end = sizes[PhaseKind.EXHALE]
    assert abs(out_begin - large) <= 1
    assert abs(out_end - small) <= 1
    if PhaseKind.HOLD_FULL in sizes:
        assert sizes[PhaseKind.HOLD_FULL] == (large, large)
    if PhaseKind.HOLD_EMPTY in sizes:
        assert sizes[PhaseKind.HOLD_EMPTY] == (small, small)


@pytest.mark.parametrize("pattern", list(BreathingPattern))
def test_radius_grows_holds_and_shrinks(pattern: BreathingPattern) -> None:
    breath = timing(pattern)
    per_frame = radii(breath)
    start = 0
    for phase in breath.phases:
        count = round(phase.seconds * 1000 / FRAME_MS)
        part = per_frame[start : start + count]
        start += count
        if phase.kind is PhaseKind.INHALE:
            assert part == sorted(part)
        elif phase.kind is PhaseKind.EXHALE:
            assert part == sorted(part, reverse=True)
        else:
            assert len(set(part)) == 1
    assert start == len(per_frame)
    # The loop is seamless: the last frame (end of the out-breath or the empty hold) is small again.
    assert per_frame[-1] - SMALLEST <= 1
    assert per_frame[0] - SMALLEST <= 1


@pytest.mark.parametrize(
    ("at", "expected"),
    [(0, 0), (2, 0.5), (4, 1), (5, (1 + math.cos(math.pi / 6)) / 2), (7, 0.5), (10, 0), (12, 0.5)],
)
def test_fullness(at: float, expected: float) -> None:
    assert fullness(Timing(inhale=4, exhale=6), at) == pytest.approx(expected, abs=1e-9)


def test_deterministic() -> None:
    for pattern in BreathingPattern:
        assert gif_for_timing(timing(pattern)) == gif_for_timing(timing(pattern)) == animation_gif(pattern)


def test_same_bytes_in_another_process() -> None:
    script = (
        "from bot.breathing.animation import animation_key\n"
        "from habits.breathing import BreathingPattern\n"
        "print(' '.join(animation_key(pattern) for pattern in BreathingPattern))"
    )
    other = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
    )
    assert other.stdout.split() == [animation_key(pattern) for pattern in BreathingPattern]


def test_keys_name_pattern_and_content() -> None:
    keys = [animation_key(pattern) for pattern in BreathingPattern]
    assert len(set(keys)) == len(keys)
    for pattern, key in zip(BreathingPattern, keys, strict=True):
        assert key.startswith(f"breathing-{pattern.value}-")
    assert all(
        animation_gif(first) != animation_gif(second)
        for first, second in itertools.combinations(BreathingPattern, 2)
    )


def test_any_timing_one_round_long() -> None:
    breath = Timing(inhale=3.5, hold_full=1.5, exhale=5, hold_empty=2)
    total = sum(duration for duration, _ in frames(gif_for_timing(breath)))
    assert abs(total - breath.cycle_seconds * 1000) <= FRAME_MS
