"""What a guided breathing session says, in Dutch first and English second.

Each planned edit shows the phase in a few big words, a row of dots for the breath (growing on the
in-breath, full while holding in, shrinking on the out-breath, small while holding empty; one dot
per second, so it can be counted along) and the round. Telegram refuses an edit that leaves the
text as it was, so every text of a plan differs from every other: within a round the edits show
different phases (a round has each kind of phase at most once), and edits of different rounds show
different round numbers. The closing text has no round at all.
"""

from __future__ import annotations

from habits.breathing import (
    DEFAULT_LENGTH,
    BreathingPattern,
    GuidanceMode,
    Phase,
    PhaseKind,
    PlannedEdit,
    SessionLength,
    SessionPlan,
)

LANGUAGES = ("nl", "en")

TEXTS: dict[str, dict[str, str]] = {
    "nl": {
        "phase_inhale": "🌬️ Adem in",
        "phase_hold_full": "⏸️ Vasthouden",
        "phase_exhale": "😮‍💨 Adem uit",
        "phase_hold_empty": "⏸️ Vasthouden",
        "round": "Ronde {number} van {rounds}",
        "intro": (
            "🌬️ Samen ademen · {pattern} · {length}\n"
            "Ga er lekker bij zitten en volg de woorden. Stoppen kan altijd."
        ),
        "intro_animation": (
            "🌬️ Samen ademen · {pattern} · {length}\n"
            "Adem mee met de cirkel: in als hij groeit, uit als hij krimpt. Stoppen kan altijd."
        ),
        "closing": "Klaar. Mooi gedaan 🌿 Ik heb je ademoefening genoteerd.",
        "already_running": ("Je bent al aan het ademen 🌬️ Maak die sessie rustig af, of tik daar op ⏹️ Stop."),
        "starting": "Even geduld, je ademsessie begint zo 🌬️",
        "session_over": "Deze ademsessie is al afgelopen.",
        "stopped": "⏹️ Gestopt. Fijn dat je er even tijd voor nam 🌿",
        "interrupted": "Deze ademsessie werd onderbroken.",
        "button_start": "▶️ Samen ademen ({length})",
        "button_stop": "⏹️ Stop",
        "button_restart": "🔁 Opnieuw",
        "pattern_calm": "Rustig 4-6",
        "pattern_box": "Vierkant 4-4-4-4",
        "pattern_478": "4-7-8",
        "length": "{minutes} min",
        "mode_text": "💬 Tekst",
        "mode_animation": "🎞️ Animatie",
    },
    "en": {
        "phase_inhale": "🌬️ Breathe in",
        "phase_hold_full": "⏸️ Hold",
        "phase_exhale": "😮‍💨 Breathe out",
        "phase_hold_empty": "⏸️ Hold",
        "round": "Round {number} of {rounds}",
        "intro": (
            "🌬️ Breathing together · {pattern} · {length}\n"
            "Sit comfortably and follow the words. You can stop any time."
        ),
        "intro_animation": (
            "🌬️ Breathing together · {pattern} · {length}\n"
            "Breathe along with the circle: in as it grows, out as it shrinks. You can stop any time."
        ),
        "closing": "Done. Nicely done 🌿 I've logged your breathing exercise.",
        "already_running": (
            "You're already breathing 🌬️ Finish that session at your own pace, or tap ⏹️ Stop there."
        ),
        "starting": "One moment, your breathing session is about to start 🌬️",
        "session_over": "This breathing session has already ended.",
        "stopped": "⏹️ Stopped. Glad you took a moment for it 🌿",
        "interrupted": "This breathing session was interrupted.",
        "button_start": "▶️ Breathe with me ({length})",
        "button_stop": "⏹️ Stop",
        "button_restart": "🔁 Start again",
        "pattern_calm": "Calm 4-6",
        "pattern_box": "Box 4-4-4-4",
        "pattern_478": "4-7-8",
        "length": "{minutes} min",
        "mode_text": "💬 Text",
        "mode_animation": "🎞️ Animation",
    },
}

# From a small dot to a big one: the size of the breath.
DOT_SIZES = ("·", "•", "●", "⬤")
# A long phase would make a row that wraps on a phone.
MAX_DOTS = 12


def say(language: str, key: str, **values: object) -> str:
    """The text `key` in `language` (Dutch when the language is unknown), filled in."""
    return TEXTS.get(language, TEXTS["nl"])[key].format(**values)


def breath_dots(kind: PhaseKind, seconds: float) -> str:
    """One dot per second of the phase, sized by how full the lungs are."""
    count = max(1, min(MAX_DOTS, round(seconds)))
    largest = len(DOT_SIZES) - 1
    if kind is PhaseKind.HOLD_FULL:
        sizes = [largest] * count
    elif kind is PhaseKind.HOLD_EMPTY:
        sizes = [0] * count
    else:
        growing = [round(step * largest / (count - 1)) if count > 1 else largest for step in range(count)]
        sizes = growing if kind is PhaseKind.INHALE else growing[::-1]
    return " ".join(DOT_SIZES[size] for size in sizes)


def phase_words(language: str, kind: PhaseKind) -> str:
    return say(language, f"phase_{kind.value}")


def phase_block(language: str, phase: Phase) -> str:
    return f"{phase_words(language, phase.kind)}\n{breath_dots(phase.kind, phase.seconds)}"


def round_line(language: str, number: int, rounds: int) -> str:
    return say(language, "round", number=number, rounds=rounds)


def edit_text(language: str, edit: PlannedEdit) -> str:
    """The whole text of the session message from this edit on."""
    if edit.closing:
        return closing_text(language)
    blocks = "\n".join(phase_block(language, phase) for phase in edit.phases)
    return f"{blocks}\n\n{round_line(language, edit.round, edit.rounds)}"


def session_texts(language: str, plan: SessionPlan) -> list[str]:
    return [edit_text(language, edit) for edit in plan.edits]


def pattern_label(language: str, pattern: BreathingPattern) -> str:
    return say(language, f"pattern_{pattern.value}")


def length_label(language: str, length: SessionLength) -> str:
    return say(language, "length", minutes=length.value)


def mode_label(language: str, mode: GuidanceMode) -> str:
    return say(language, f"mode_{mode.value}")


def intro_text(language: str, pattern: BreathingPattern, length: SessionLength) -> str:
    return say(
        language, "intro", pattern=pattern_label(language, pattern), length=length_label(language, length)
    )


def animation_intro_text(language: str, pattern: BreathingPattern, length: SessionLength) -> str:
    """The caption under the looping animation (it has no words of its own)."""
    return say(
        language,
        "intro_animation",
        pattern=pattern_label(language, pattern),
        length=length_label(language, length),
    )


def already_running_text(language: str) -> str:
    return say(language, "already_running")


def starting_text(language: str) -> str:
    """The answer to a tap whose session waits a moment for its message (the nudges go first)."""
    return say(language, "starting")


def session_over_text(language: str) -> str:
    return say(language, "session_over")


def closing_text(language: str) -> str:
    return say(language, "closing")


def stopped_text(language: str) -> str:
    return say(language, "stopped")


def interrupted_text(language: str) -> str:
    """For a session message left behind by a restart of the bot; goes with `restart_button`."""
    return say(language, "interrupted")


def start_button(language: str, length: SessionLength = DEFAULT_LENGTH) -> str:
    return say(language, "button_start", length=length_label(language, length))


def stop_button(language: str) -> str:
    return say(language, "button_stop")


def restart_button(language: str) -> str:
    return say(language, "button_restart")
