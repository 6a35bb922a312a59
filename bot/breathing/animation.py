"""The looping breathing animation: a soft circle that grows on the in-breath, stays while holding
and shrinks on the out-breath, one round of the pattern long, looping forever.

No words in it, so one file per pattern serves every language. The bytes are deterministic for a
pattern (a fixed palette, no timestamps), so once Telegram has the file, its `file_id` can be
stored under `animation_key(pattern)`: a new drawing, or a Pillow that encodes differently, gives a
new key and so one fresh upload instead of a stale file.
"""

from __future__ import annotations

import hashlib
import io
import math
from functools import cache

from PIL import Image, ImageDraw

from habits.breathing import BreathingPattern, PhaseKind, Timing, timing

SIZE = 240
FRAMES_PER_SECOND = 10
FRAME_MS = 1000 // FRAMES_PER_SECOND
# The circle's radius when the lungs are empty and when they are full; room left for the halo.
SMALLEST, LARGEST = 38, 96
HALO = 14
# Well under Telegram's limits, and quick to load on a phone.
MAX_BYTES = 1_000_000

BACKGROUND = (239, 246, 242)
GUIDE = (211, 229, 221)  # a faint ring where the full breath ends
CORE = (63, 150, 131)
CENTRE = (103, 179, 160)
HALO_BANDS = 10
CENTRE_BANDS = 12


def _mix(start: tuple[int, int, int], end: tuple[int, int, int], share: float) -> tuple[int, int, int]:
    red, green, blue = (round(a + (b - a) * share) for a, b in zip(start, end, strict=True))
    return red, green, blue


# Palette index: 0 background, 1 guide ring, then the halo from faint to strong, then the core
# from its edge to a lighter centre. A fixed palette keeps the bytes the same on every run.
PALETTE_COLOURS = [
    BACKGROUND,
    GUIDE,
    *(_mix(BACKGROUND, CORE, (band + 1) / (HALO_BANDS + 1)) for band in range(HALO_BANDS)),
    *(_mix(CORE, CENTRE, band / (CENTRE_BANDS - 1)) for band in range(CENTRE_BANDS)),
]
FIRST_HALO = 2
FIRST_CORE = FIRST_HALO + HALO_BANDS


def _ease(share: float) -> float:
    """Slow at the turns of the breath, quicker in the middle, as a breath feels."""
    return (1 - math.cos(math.pi * share)) / 2


def fullness(breath: Timing, at: float) -> float:
    """How full the lungs are (0 to 1) `at` seconds into a round."""
    at %= breath.cycle_seconds
    for phase in breath.phases:
        if at < phase.seconds:
            share = at / phase.seconds
            return {
                PhaseKind.INHALE: _ease(share),
                PhaseKind.HOLD_FULL: 1.0,
                PhaseKind.EXHALE: 1 - _ease(share),
                PhaseKind.HOLD_EMPTY: 0.0,
            }[phase.kind]
        at -= phase.seconds
    return 0.0  # only reached through rounding at the very end of a round, which is empty


def frame_count(breath: Timing) -> int:
    return max(1, round(breath.cycle_seconds * FRAMES_PER_SECOND))


def radii(breath: Timing) -> list[int]:
    """The circle's radius in each frame, sampled in the middle of the frame's time."""
    return [
        round(SMALLEST + (LARGEST - SMALLEST) * fullness(breath, (frame + 0.5) / FRAMES_PER_SECOND))
        for frame in range(frame_count(breath))
    ]


def _disc(draw: ImageDraw.ImageDraw, radius: float, colour: int) -> None:
    centre = SIZE / 2
    draw.ellipse((centre - radius, centre - radius, centre + radius, centre + radius), fill=colour)


def _frame(radius: int, palette: Image.Image) -> Image.Image:
    image = Image.new("P", (SIZE, SIZE), 0)
    image.putpalette(palette.getpalette() or [])
    draw = ImageDraw.Draw(image)
    centre = SIZE / 2
    guide = LARGEST + HALO / 2
    draw.ellipse((centre - guide, centre - guide, centre + guide, centre + guide), outline=1, width=2)
    for band in range(HALO_BANDS):
        _disc(draw, radius + HALO * (HALO_BANDS - band) / HALO_BANDS, FIRST_HALO + band)
    for band in range(CENTRE_BANDS):
        _disc(draw, radius * (1 - 0.6 * band / CENTRE_BANDS), FIRST_CORE + band)
    return image


def gif_for_timing(breath: Timing) -> bytes:
    palette = Image.new("P", (1, 1))
    palette.putpalette([channel for colour in PALETTE_COLOURS for channel in colour])
    frames = [_frame(radius, palette) for radius in radii(breath)]
    out = io.BytesIO()
    # Pillow folds identical frames (the holds) into one longer frame, which keeps the file small.
    frames[0].save(
        out,
        format="GIF",
        save_all=True,
        append_images=frames[1:],
        duration=FRAME_MS,
        loop=0,
        optimize=False,
        disposal=1,
    )
    return out.getvalue()


@cache
def animation_gif(pattern: BreathingPattern) -> bytes:
    """The looping GIF of one round of `pattern` (cached: drawing it takes a moment)."""
    return gif_for_timing(timing(pattern))


@cache
def animation_key(pattern: BreathingPattern) -> str:
    """Names this pattern's file by its content, to store the `file_id` Telegram gives it under."""
    digest = hashlib.sha256(animation_gif(pattern)).hexdigest()[:16]
    return f"breathing-{pattern.value}-{digest}"
