"""Clock times as members type them, in digits or in Dutch and English clock words, and the length
of a night from a bed time and a wake-up time.

A time of day is one of:

- digits: "7", "07", "23", "7u", "7h", "7 uur", "7:30", "07.30", "7u30", "7h30", "7:30 uur",
  four digits "0730", "7pm", "11:30 pm" (hours 1..12 with am/pm; 12am is midnight);
- Dutch clock words, hours in digits or words: "acht uur", "half acht" (07:30), "half 8",
  "kwart over zeven" (07:15), "kwart voor acht" (07:45), "tien over zeven" (07:10),
  "tien over half zeven" (06:40), "vijf voor half acht" (07:25), "middernacht";
- English clock words: "half past seven", "quarter past seven", "quarter to eight",
  "ten past seven", "seven o'clock", "half seven" (07:30, as in British English), "midnight", "noon";

optionally after "om"/"at"/"rond"/"tegen" and before a part of the day ("'s ochtends",
"'s middags", "'s avonds", "'s nachts", "in the evening", "vanavond", "am"/"pm"), which moves
1..11 o'clock into the afternoon or evening ("half elf 's avonds" is 22:30).
Without one, "half acht" is 07:30: the part of the day is never guessed.

Refused: 24:00 and later, minutes over 59, one-digit minutes ("7:5"), three digits ("730"),
negatives, number words alone ("acht": "acht uur" is a time), a part of the day that does not fit
("19:00 's ochtends").

Pure functions, no I/O; nothing here raises.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import product

from habits.words import DayPart, Role, Token, normalize, tokenize

R = Role
MAX_CLOCK_TOKENS = 8
MAX_TYPED_TIMES = 3
_HOUR_WORDS = frozenset({"uur", "u", "h"})
_DOTTED = re.compile(r"([0-9]{1,2})\.([0-9]{2})")
_FOUR_DIGITS = re.compile(r"([0-9]{2})([0-9]{2})")
_SEPARATORS = R.SEPARATOR | R.CONJ | R.RANGE_TO | R.RANGE_FROM | R.DASH
# What a clock time can begin with: most words cannot, so most places need no reading at all.
CLOCK_START = R.HM | R.NUMBER | R.HALF | R.QUARTER | R.AT | R.ESTIMATE | R.MIDNIGHT | R.NOON | R.ARTICLE
MINUTES_PER_DAY = 24 * 60


@dataclass(frozen=True)
class Clock:
    hour: int
    minute: int
    fixed: bool  # the half of the day is certain: "23:00", "07:00", "7pm", "half acht 's avonds"
    certain: bool  # certainly a clock time, not an amount of hours: not "7 uur" or "7u30"

    @property
    def time(self) -> datetime.time:
        return datetime.time(self.hour, self.minute)

    def choices(self) -> list[int]:
        """Minutes after midnight it may mean: "7:00" is 07:00 or 19:00, "23:00" only 23:00."""
        at = self.hour * 60 + self.minute
        if self.fixed or self.hour > 12:
            return [at]
        return [at, (at + 12 * 60) % MINUTES_PER_DAY]


def parse_time_of_day(text: str) -> datetime.time | None:
    """A clock time such as "22:30", "7u30", "7" or "half acht"; None if not understood."""
    clean = normalize(text)
    tokens = tokenize(clean) if clean is not None else None
    if not tokens:
        return None
    clock = clock_at(tokens, bare=True)
    return clock.time if clock is not None else None


def typed_times(text: str) -> list[datetime.time] | None:
    """One to three clock times in a row ("7:00 0:30", "22:30-07:00", "half acht en 23u",
    "van half elf 's avonds tot zeven uur"); None if anything else is typed."""
    clean = normalize(text)
    tokens = tokenize(clean) if clean is not None else None
    if not tokens:
        return None
    # best[i]: the fewest clock times that read tokens[i:], separators skipped; None if they cannot.
    best: list[list[Clock] | None] = [None] * len(tokens) + [[]]
    for start in reversed(range(len(tokens))):
        options: list[list[Clock]] = []
        rest = best[start + 1]
        if tokens[start].has(_SEPARATORS) and rest is not None:
            options.append(rest)
        if not tokens[start].has(CLOCK_START):
            best[start] = min(options, key=len) if options else None
            continue
        for end in range(start + 1, min(len(tokens), start + MAX_CLOCK_TOKENS) + 1):
            rest = best[end]
            if rest is None:
                continue
            clock = clock_at(tokens[start:end], bare=True)
            if clock is not None:
                options.append([clock, *rest])
        best[start] = min(options, key=len) if options else None
    found = best[0]
    if not found or len(found) > MAX_TYPED_TIMES:
        return None
    return [clock.time for clock in found]


def clock_at(tokens: Sequence[Token], *, bare: bool) -> Clock | None:
    """The clock time that all of `tokens` spell; `bare` accepts a lone number ("7") as one."""
    tokens = list(tokens)
    while len(tokens) > 1 and tokens[0].has(R.AT | R.ESTIMATE) and not tokens[0].has(R.NUMBER):
        tokens = tokens[1:]
        bare = True
    daypart: DayPart | None = None
    ampm: DayPart | None = None
    if len(tokens) > 1 and tokens[-1].has(R.DAYPART):
        daypart = tokens[-1].meaning.daypart
        tokens = tokens[:-1]
    if len(tokens) > 1 and tokens[-1].has(R.AMPM):
        ampm = tokens[-1].meaning.daypart
        tokens = tokens[:-1]
    core = _core_clock(tokens, bare=bare or ampm is not None or daypart is not None)
    if core is None:
        return None
    hour, minute, fixed, certain, spoken = core
    if ampm is not None:
        # "0am" and "13pm" are refused; "half een pm" (0:30 on a 12-hour clock) is 12:30.
        if not (1 <= hour <= 12 or (hour == 0 and spoken)):
            return None
        hour = hour % 12 + (12 if ampm is DayPart.EVENING else 0)
        fixed = certain = True
    if daypart is not None:
        moved = _in_part_of_day(hour, daypart)
        if moved is None:
            return None
        hour, fixed, certain = moved, True, True
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return Clock(hour, minute, fixed=fixed, certain=certain)


def _in_part_of_day(hour: int, daypart: DayPart) -> int | None:
    if hour >= 13:
        return hour if daypart in (DayPart.AFTERNOON, DayPart.EVENING, DayPart.NIGHT) else None
    if daypart is DayPart.MORNING:
        return hour % 12
    if daypart is DayPart.AFTERNOON:
        return hour % 12 + 12
    if daypart is DayPart.EVENING:
        return (hour % 12 + 12) % 24 if hour % 12 else 0
    # 's nachts: 12 is midnight, 1..5 stay, 6..11 are late evening ("11 uur 's nachts")
    hour %= 12
    return hour + 12 if hour >= 6 else hour


_Core = tuple[int, int, bool, bool, bool]  # hour, minute, fixed, certain, spoken in clock words


def _core_clock(tokens: list[Token], *, bare: bool) -> _Core | None:
    count = len(tokens)
    if count == 0:
        return None
    first = tokens[0]
    if count == 1:
        return _single_token_clock(first, bare=bare)
    if count == 2:
        second = tokens[1]
        if second.has(R.UNIT) and second.text in _HOUR_WORDS:
            # "7 uur" and "7:30 uur" may be amounts of hours: only certain with "om", am/pm, ...
            if first.hm is not None:
                return _hm_clock(first, certain=False)
            hour = _clock_hour(first, digits_up_to=24)
            if hour is not None and (second.text == "uur" or not first.meaning.word):
                return hour, 0, _fixed_hour(first, hour), False, False
            return None
        if second.has(R.OCLOCK):
            hour = _clock_hour(first, digits_up_to=12)
            return (hour, 0, False, True, True) if hour is not None else None
        if first.has(R.HALF):
            return _half_past(second, english_past=False)
    if count == 3 and first.has(R.HALF) and tokens[1].has(R.PAST) and tokens[1].text == "past":
        return _half_past(tokens[2], english_past=True)
    if first.has(R.ARTICLE) and count >= 4 and tokens[1].has(R.QUARTER):
        tokens, count, first = tokens[1:], count - 1, tokens[1]  # "a quarter past seven"
    if count == 3 and tokens[1].has(R.PAST | R.TO):
        return _minutes_from_hour(first, tokens[1], None, tokens[2])
    if count == 4 and tokens[1].has(R.PAST | R.TO) and tokens[2].has(R.HALF):
        return _minutes_from_hour(first, tokens[1], tokens[2], tokens[3])
    return None


def _single_token_clock(token: Token, *, bare: bool) -> _Core | None:
    if token.hm is not None:
        return _hm_clock(token, certain=token.hm[2] == ":")
    if token.has(R.MIDNIGHT):
        return 0, 0, True, True, True
    if token.has(R.NOON):
        return 12, 0, True, True, True
    if not token.has(R.NUMBER) or token.meaning.word or not bare:
        return None
    dotted = _DOTTED.fullmatch(token.text)
    if dotted is not None:
        hour, minute = int(dotted[1]), int(dotted[2])
        return hour, minute, _fixed_digits(dotted[1], hour), True, False
    four = _FOUR_DIGITS.fullmatch(token.text)
    if four is not None:
        return int(four[1]), int(four[2]), True, True, False
    plain = _clock_hour(token, digits_up_to=24)
    return (plain, 0, _fixed_hour(token, plain), False, False) if plain is not None else None


def _hm_clock(token: Token, *, certain: bool) -> _Core | None:
    assert token.hm is not None
    hour, minute, separator = token.hm
    return hour, minute, _fixed_digits(token.text.split(separator)[0], hour), certain, False


def _fixed_digits(hour_digits: str, hour: int) -> bool:
    return (len(hour_digits) == 2 and hour_digits.startswith("0")) or hour == 0 or hour > 12


def _fixed_hour(token: Token, hour: int) -> bool:
    return not token.meaning.word and _fixed_digits(token.text, hour)


def _clock_hour(token: Token, *, digits_up_to: int) -> int | None:
    """The hour a number token names: digits 0..digits_up_to (at most two), words one..twelve."""
    value = token.meaning.value
    if not token.has(R.NUMBER) or value is None or not value.is_integer():
        return None
    if token.meaning.word:
        return int(value) if 1 <= value <= 12 else None
    if len(token.text) > 2 or not 0 <= value <= digits_up_to:
        return None
    return int(value)


def _half_past(hour_token: Token, *, english_past: bool) -> _Core | None:
    """ "half acht" is 07:30 (half way to eight); "half seven" and "half past seven" are 07:30."""
    hour = _clock_hour(hour_token, digits_up_to=24)
    if hour is None or hour == 0:
        return None
    if english_past or hour_token.meaning.english:
        return hour % 24, 30, hour > 12, True, True
    return (hour - 1) % 24, 30, hour > 13, True, True


def _minutes_from_hour(count: Token, direction: Token, half: Token | None, hour_token: Token) -> _Core | None:
    """ "kwart over zeven", "tien voor acht", "vijf over half zeven", "ten past seven"."""
    hour = _clock_hour(hour_token, digits_up_to=24)
    if hour is None:
        return None
    if count.has(R.QUARTER):
        minutes = 15
    else:
        value = count.meaning.value
        if not count.has(R.NUMBER) or value is None or not value.is_integer() or count.has(R.ARTICLE):
            return None
        if direction.text in ("to", "past") and not count.meaning.word:
            return None  # "7 to 8" is a range, not 07:53
        minutes = int(value)
        if not 1 <= minutes <= (14 if half is not None else 20):
            return None
    if half is not None:
        if count.has(R.QUARTER) or direction.text in ("to", "past") or hour == 0:
            return None
        base = (hour - 1) * 60 + 30
    else:
        base = hour * 60
    at = base + minutes if direction.has(R.PAST) else base - minutes
    at %= MINUTES_PER_DAY
    return at // 60, at % 60, hour > 12, True, True


# --- a night from a bed time and a wake-up time ----------------------------------------------------


@dataclass(frozen=True)
class SleepSpan:
    hours: float
    used: frozenset[int]  # indices of the tokens that said it


_BED_WINDOW = (18 * 60, 5 * 60)  # a bed time without the word "bed" lies between 18:00 and 05:00
_WAKE_WINDOW = (3 * 60, 14 * 60)
MAX_NIGHT_MINUTES = 16 * 60


def sleep_span(tokens: Sequence[Token], *, says_sleep: bool) -> SleepSpan | None:
    """The hours between a bed time and a wake-up time: "van 0:15 tot 7:45", "bed 23u, op 6u30",
    "11:30pm - 7am", "om 23u naar bed en om 7u op". Across midnight; None unless exactly two
    clock times are typed and either a range ("van .. tot", "-") or bed and wake-up words say
    which is which. `says_sleep`: the text names sleep; without it a bed time must lie between
    18:00 and 05:00 and a wake-up time between 03:00 and 14:00."""
    spans = _clock_spans(tokens)
    if len(spans) != 2:
        return None
    (start1, end1, first), (start2, end2, second) = spans
    used = set(range(start1, end1)) | set(range(start2, end2))
    between = range(end1, start2)
    boundary = next((i for i in between if tokens[i].has(_SEPARATORS)), None)
    ranged = boundary is not None and tokens[boundary].has(R.RANGE_TO | R.DASH)
    # "van 11 tot 7" is a night; "tussen 6 en 7 uur" is an amount of hours
    said_from = start1 > 0 and tokens[start1 - 1].text in ("van", "from")
    if said_from:
        ranged = True
        used.add(start1 - 1)
    if ranged and boundary is not None:
        used.add(boundary)
    roles: list[set[int]] = [set(), set()]
    markers = [i for i, token in enumerate(tokens) if token.has(R.BED | R.WAKE) and i not in used]
    prefix_style = any(i < start1 for i in markers)
    for i in markers:
        if i < start1:
            owner = 0
        elif i >= end2:
            owner = 1
        elif boundary is not None:
            owner = 0 if i < boundary else 1
        else:
            owner = 1 if prefix_style else 0
        roles[owner].add(R.BED if tokens[i].has(R.BED) else R.WAKE)
        used.add(i)
    if not ranged and not (roles[0] or roles[1]):
        return None
    if not (roles[0] or roles[1] or said_from or first.certain or second.certain):
        return None  # "6-7 uur": hours, not from 6 to 7
    if len(roles[0]) > 1 or len(roles[1]) > 1 or (roles[0] and roles[0] == roles[1]):
        return None
    bed, wake = (second, first) if R.WAKE in roles[0] or R.BED in roles[1] else (first, second)
    hours = _night_hours(bed, wake, says_sleep=says_sleep or bool(roles[0] or roles[1]))
    return SleepSpan(hours, frozenset(used)) if hours is not None else None


def _clock_spans(tokens: Sequence[Token]) -> list[tuple[int, int, Clock]]:
    spans: list[tuple[int, int, Clock]] = []
    index = 0
    while index < len(tokens):
        ends = (
            range(min(len(tokens), index + MAX_CLOCK_TOKENS), index, -1)
            if tokens[index].has(CLOCK_START)
            else ()
        )
        for end in ends:
            clock = clock_at(tokens[index:end], bare=True)
            if clock is not None:
                spans.append((index, end, clock))
                index = end
                break
        else:
            index += 1
    return spans


def _night_hours(bed: Clock, wake: Clock, *, says_sleep: bool) -> float | None:
    readings = [(b, w, (w - b) % MINUTES_PER_DAY) for b, w in product(bed.choices(), wake.choices())]
    readings = [(b, w, length) for b, w, length in readings if 0 < length <= MAX_NIGHT_MINUTES]
    plausible = [r for r in readings if _within(r[0], _BED_WINDOW) and _within(r[1], _WAKE_WINDOW)]
    if plausible or not says_sleep:
        readings = plausible
    lengths = {length for _, _, length in readings}
    if len(lengths) != 1:
        return None
    return round(lengths.pop() / 60, 2)


def _within(at: int, window: tuple[int, int]) -> bool:
    start, end = window
    return start <= at <= end if start <= end else at >= start or at <= end
