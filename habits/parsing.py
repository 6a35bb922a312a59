"""Parse what members type back to the bot: check-ins and times of day.

Pure functions, no I/O, and they never raise: anything not understood gives ``None``.

Before matching, text is NFKC-normalised (fullwidth digits become ASCII, non-breaking
spaces become spaces), lower-cased, runs of whitespace collapse to one space, emoji
variation selectors and skin tones are dropped, and trailing ``! . , ; :`` are ignored.
A trailing ``?`` is *not* ignored: "gedaan?" is a question, not a check-in.
Only ASCII digits count (after NFKC); other scripts' digits (e.g. Arabic-Indic) and
superscript, circled or fraction characters ("1²", "①", "½") are rejected.
Text longer than 200 characters is rejected.

``parse_checkin(text) -> ParsedCheckIn | None``

DONE (``habit`` is None: "the most recent open nudge")
    klaar, gedaan, gelukt, done, ja, yes, yep, check, ✅ ✔️ ✓ ☑️ 👍 💪,
    and any combination of these ("ja gedaan", "klaar 👍");
    optionally after ok/oké/okay ("ok gedaan"). "ok" on its own is *not* a check-in:
    it often means "ok, I'll do it".
DONE with a habit
    <habit> + done word(s): "wandeling gedaan", "walk done", "ademhaling klaar",
    "breathing done ✅", "water gedaan", "wind-down gedaan";
    one-word forms: gewandeld, walked (walk), geademd, breathed (breathing).
SKIP (``habit`` is None)
    overslaan, sla over, overgeslagen, skip, skipped, skippen, niet vandaag,
    vandaag niet, not today, nee, no, ⏭️
SKIP with a habit
    "<habit> overslaan", "wandeling skipped", "ademhaling niet vandaag",
    "skip walk", "skip the walk", "sla de wandeling over",
    "geen wandeling vandaag", "no walk today".
Habit words (optionally after de/het/mijn/the/my)
    water: water
    walk: wandeling, wandelingetje, wandelen, loopje, walk
    breathing: ademhaling, ademhalingsoefening, ademoefening, ademen, adem,
        breathing, breathing exercise, breath, breathwork
    sleep: winddown, wind-down, wind down, slaap, slapen, sleep
WATER (``value`` = whole glasses, 1..12)
    "+1", "+ 2", "+2 glazen", "+1 water", "water +1", "2x water", "2 x water",
    "1 glas", "2 glazen", "3 glaasjes", "1 glass", "3 glasses",
    "twee glazen water", "3 glasses of water", "2 glazen gedronken";
    counts may be words: een/één/eén, twee .. twaalf; a/an, one .. twelve;
    "💧", "💧💧", "💧 💧 💧" (one glass per drop).
SLEEP (``value`` = hours, 0 < h <= 16, at most 2 decimals)
    "7,5 uur", "7.5 uur", "7,5u", "8 uur", "8u", "6.5 hours", "6.5h", "7 hrs",
    "7u30", "7h30", "7h30m", "7:30 uur" (minutes 00..59, so these are 7.5),
    with an optional verb: "slept 7.5h", "slept 7", "sleep 8", "slaap 7 uur",
    "7 uur geslapen", "7 uur slaap", "7 hours of sleep".
    A bare "7:30" is rejected: it reads as a clock time.
NUMBER (``value`` = the number, 0 < n <= 24, at most 2 decimals)
    "7", "7,5", "8.0". The caller decides from context (open sleep question → hours,
    open water nudge → glasses).
Everything else is None, including mixed messages ("7 uur 2 glazen"), negative,
zero or out-of-range amounts, "1e9", "nan", "inf", "7,5,5 uur".

``parse_time_of_day(text) -> datetime.time | None``: see ``habits.times_of_day``, which also
reads Dutch and English clock words ("half acht", "kwart over zeven", "quarter to eight").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from habits.kinds import Habit
from habits.times_of_day import parse_time_of_day

__all__ = ["parse_checkin", "parse_time_of_day"]

MAX_TEXT_LENGTH = 200
MIN_GLASSES = 1
MAX_GLASSES = 12
MAX_SLEEP_HOURS = 16.0
MAX_NUMBER = 24.0


class CheckInKind(StrEnum):
    DONE = "done"
    SKIP = "skip"
    WATER = "water"
    SLEEP = "sleep"
    NUMBER = "number"


@dataclass(frozen=True)
class ParsedCheckIn:
    kind: CheckInKind
    habit: Habit | None = None
    value: float | None = None


# --- normalisation -----------------------------------------------------------------

_SKIN_TONES = range(0x1F3FB, 0x1F400)
# Invisible characters phones add around emoji; none of them changes the meaning.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\ufe0e\ufe0f"
_DROP: dict[int, None] = dict.fromkeys([*map(ord, _INVISIBLE), *_SKIN_TONES])
_TRAILING_PUNCTUATION = " !.,;:"


def _normalize(text: str) -> str | None:
    if len(text) > MAX_TEXT_LENGTH:
        return None
    # NFKC would turn "1²" into "12" and "⒈" into "1.", silently changing the amount.
    if any(ch.isnumeric() and not ch.isdecimal() for ch in text):
        return None
    text = unicodedata.normalize("NFKC", text).translate(_DROP).casefold()
    text = " ".join(text.split()).rstrip(_TRAILING_PUNCTUATION)
    return text or None


# Plain ASCII digits only: float() would also accept "٣", "1_0", "nan" and "1e9".
_DECIMAL = r"[0-9]{1,2}(?:[.,][0-9]{1,2})?"


def _to_float(digits: str) -> float:
    return round(float(digits.replace(",", ".")), 2)


def _hours_and_minutes(hours: str, minutes: str) -> float | None:
    if int(minutes) > 59:
        return None
    return round(int(hours) + int(minutes) / 60, 2)


# --- check-ins ---------------------------------------------------------------------


def parse_checkin(text: str) -> ParsedCheckIn | None:
    """What a member's free-text reply means; None if it is not a check-in."""
    clean = _normalize(text)
    if clean is None:
        return None
    return _parse_sleep(clean) or _parse_water(clean) or _parse_number(clean) or _parse_done_or_skip(clean)


_NUMBER_RE = re.compile(_DECIMAL)


def _parse_number(text: str) -> ParsedCheckIn | None:
    if not _NUMBER_RE.fullmatch(text):
        return None
    value = _to_float(text)
    if not 0 < value <= MAX_NUMBER:
        return None
    return ParsedCheckIn(CheckInKind.NUMBER, value=value)


_SLEEP_RE = re.compile(
    r"(?:(?P<verb_before>slept|sleep|slaap) )?"
    r"(?:(?P<h>[0-9]{1,2})(?P<sep>[:uh])(?P<m>[0-9]{2})(?: ?(?:m|min))?|(?P<hours>" + _DECIMAL + r"))"
    r"(?: ?(?P<unit>uur|u|hours|hour|hrs|hr|h))?"
    r"(?: (?P<verb_after>geslapen|slaap|slept|sleep|of sleep))?"
)


def _parse_sleep(text: str) -> ParsedCheckIn | None:
    match = _SLEEP_RE.fullmatch(text)
    if match is None:
        return None
    said_sleep = bool(match["verb_before"] or match["verb_after"] or match["unit"])
    if match["hours"] is not None:
        if not said_sleep:
            return None  # a bare number is NUMBER
        hours: float | None = _to_float(match["hours"])
    else:
        if match["sep"] == ":" and not said_sleep:
            return None  # "7:30" alone reads as a clock time
        hours = _hours_and_minutes(match["h"], match["m"])
    if hours is None or not 0 < hours <= MAX_SLEEP_HOURS:
        return None
    return ParsedCheckIn(CheckInKind.SLEEP, value=hours)


_COUNT_WORDS: dict[str, int] = {
    "een": 1, "één": 1, "eén": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6,
    "zeven": 7, "acht": 8, "negen": 9, "tien": 10, "elf": 11, "twaalf": 12,
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
_GLASS_WORDS = "glas|glazen|glaasje|glaasjes|glass|glasses"
_COUNT = r"(?P<n>[0-9]{1,2}|" + "|".join(_COUNT_WORDS) + ")"
_WATER_RES = [
    re.compile(r"\+ ?(?P<n>[0-9]{1,2})(?: ?(?:" + _GLASS_WORDS + r"))?(?: water)?"),
    re.compile(r"water ?\+ ?(?P<n>[0-9]{1,2})"),
    re.compile(r"(?P<n>[0-9]{1,2}) ?x ?water"),
    re.compile(_COUNT + r" ?(?:" + _GLASS_WORDS + r")(?: (?:of )?water)?(?: (?:gedronken|drunk))?"),
]
_DROPS_RE = re.compile(r"(?:💧 ?)+")


def _parse_water(text: str) -> ParsedCheckIn | None:
    glasses = _count_glasses(text)
    if glasses is None or not MIN_GLASSES <= glasses <= MAX_GLASSES:
        return None
    return ParsedCheckIn(CheckInKind.WATER, value=float(glasses))


def _count_glasses(text: str) -> int | None:
    if _DROPS_RE.fullmatch(text):
        return text.count("💧")
    for pattern in _WATER_RES:
        match = pattern.fullmatch(text)
        if match is not None:
            count = match["n"]
            return _COUNT_WORDS[count] if count in _COUNT_WORDS else int(count)
    return None


_DONE_WORDS = frozenset(
    {"klaar", "gedaan", "gelukt", "done", "ja", "yes", "yep", "check"} | {"✅", "✔", "✓", "☑", "👍", "💪"}
)
_DONE_EMOJI = ("✅", "✔", "✓", "☑", "👍", "💪", "⏭")
# Words that may open a reply without changing it: "ok gedaan", "ja, wandeling gedaan".
_FILLERS = frozenset({"ok", "oke", "oké", "okay", "ja", "yes"})
_SKIP_PHRASES = frozenset(
    {"overslaan", "sla over", "overgeslagen", "skip", "skipped", "skippen"}
    | {"niet vandaag", "vandaag niet", "not today", "nee", "no", "⏭"}
)
# (first word, last word) around a habit: "sla de wandeling over", "no walk today".
_SKIP_FRAMES = (("sla", "over"), ("geen", "vandaag"), ("no", "today"), ("skip", None))
_ARTICLES = frozenset({"de", "het", "mijn", "the", "my"})
_HABIT_WORDS: dict[str, Habit] = {
    "water": Habit.WATER,
    **dict.fromkeys(
        ["wandeling", "wandelingetje", "wandelen", "loopje", "walk"], Habit.WALK
    ),
    **dict.fromkeys(
        [
            "ademhaling", "ademhalingsoefening", "ademoefening", "ademen", "adem",
            "breathing", "breathing exercise", "breath", "breathwork",
        ],
        Habit.BREATHING,
    ),
    **dict.fromkeys(
        ["winddown", "wind-down", "wind down", "slaap", "slapen", "sleep"], Habit.SLEEP
    ),
}  # fmt: skip
_DONE_VERBS: dict[str, Habit] = {
    "gewandeld": Habit.WALK,
    "walked": Habit.WALK,
    "geademd": Habit.BREATHING,
    "breathed": Habit.BREATHING,
}


def _parse_done_or_skip(text: str) -> ParsedCheckIn | None:
    words = _words(text)
    if not words:
        return None
    kind = _status_of(words)
    if kind is not None:
        return ParsedCheckIn(kind)
    rest_is_done = len(words) == 1 or _status_of(words[1:]) is CheckInKind.DONE
    if words[0] in _DONE_VERBS and rest_is_done:
        return ParsedCheckIn(CheckInKind.DONE, habit=_DONE_VERBS[words[0]])
    for split in range(1, len(words)):
        habit, kind = _habit_of(words[:split]), _status_of(words[split:])
        if habit is not None and kind is not None:
            return ParsedCheckIn(kind, habit=habit)
    for first, last in _SKIP_FRAMES:
        habit = _habit_in_frame(words, first, last)
        if habit is not None:
            return ParsedCheckIn(CheckInKind.SKIP, habit=habit)
    return None


def _words(text: str) -> list[str]:
    """Split into words, emoji as words of their own, minus opening filler words."""
    for emoji in _DONE_EMOJI:
        text = text.replace(emoji, f" {emoji} ")
    words = re.sub(r"[!.,;:]", " ", text).split()
    # Keep the last word even if it is a filler: "ja" alone still means done.
    while len(words) > 1 and words[0] in _FILLERS:
        words.pop(0)
    return words


def _status_of(words: list[str]) -> CheckInKind | None:
    if " ".join(words) in _SKIP_PHRASES:
        return CheckInKind.SKIP
    if words and all(word in _DONE_WORDS for word in words):
        return CheckInKind.DONE
    return None


def _habit_of(words: list[str]) -> Habit | None:
    if len(words) > 1 and words[0] in _ARTICLES:
        words = words[1:]
    return _HABIT_WORDS.get(" ".join(words))


def _habit_in_frame(words: list[str], first: str, last: str | None) -> Habit | None:
    if len(words) < 2 or words[0] != first:
        return None
    if last is None:
        return _habit_of(words[1:])
    if len(words) < 3 or words[-1] != last:
        return None
    return _habit_of(words[1:-1])
