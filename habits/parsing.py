"""Parse what members type back to the bot: check-ins, and the other short replies people send.

Pure functions, no I/O, and they never raise: anything not understood gives ``None``.

The check-in language is built from parts rather than a list of fixed phrases: words
(``habits.words``: habit words, done and skip words, negations, future and question words,
small filler words, amounts, units), clock times (``habits.times_of_day``), and the grammar below
that combines them. So "ik heb net lekker een rondje gelopen" is read as walk + done and
"ongeveer anderhalve liter water gedronken" as 1.5 l of water = 6 glasses.

Before reading, text is NFKC-normalised (fullwidth digits become ASCII, non-breaking spaces
become spaces), lower-cased, runs of whitespace collapse to one space, emoji variation selectors
and skin tones are dropped, and trailing ``! . , ; :`` are ignored. Other emoji are decoration,
except those that mean something (✅ ✔️ ✓ ☑️ 👍 💪 done, ⏭️ skip, 💧 a glass of water, 🚶 walk,
🧘 breathing, 😴 sleep, 👌 ok, 🙏 thanks, 👋 hi, ❌ not). Only ASCII digits count (after NFKC);
other scripts' digits and superscript, circled or fraction characters ("1²", "①", "½") are
refused, and so is text longer than 200 characters or with control characters.
Words match with one typo when they are habit, done, skip, unit or command words of five or
more letters ("gedaam", "wandelign", "klar"), and with letters held down ("klaaaar", "yesss");
numbers never do.

``parse_checkin(text) -> ParsedCheckIn | None``

Kinds that may store a check-in (``ParsedCheckIn.may_store``):

DONE (``habit`` None: "the most recent open nudge")
    klaar, gedaan, gelukt, done, ja, yes, yep, check, finished, "I did", "did it",
    ✅ ✔️ ✓ ☑️ 👍 💪, and combinations ("ja gedaan", "klaar 👍"), with small words around them
    ("ik ben klaar", "ok gedaan", "ja hoor").
DONE with a habit
    a habit word and a done word: "wandeling gedaan", "walk done", "klaar met ademen",
    "ademhaling klaar ✅", "water gedaan", "wind-down gedaan", "slaap gedaan";
    a habit's verb in the past: gewandeld, gelopen, walked, "went for a walk", "ommetje
    gemaakt", "de hond uitgelaten", geademd, breathed;
    a walk or breathing noun on its own or with a few small words ("lekker ommetje", "de
    wandeling", "ommetje met de hond"): wandeling, ommetje, "blokje om", rondje, loopje,
    ademoefening, ademhaling, breathing exercise, 🚶, 🧘; not with a clock time ("wandeling om
    12 uur" may be the plan), and not English "walk" or "breathing" alone ("walk the dog");
    with a duration, a count or a distance next to a done word or a noun: "20 min gewandeld",
    "half uur gelopen", "2x geademd", "5 km gelopen", "5 min ademhaling", "10000 stappen"
    (but "50 min lopen" may be the plan);
    and with small words: "ik heb net even lekker gewandeld", "I've just walked",
    "nog een ommetje gedaan". A walk or breathing message with a done word may carry up to
    three words the lexicon does not know after a preposition ("rondje gelopen met mijn
    buurvrouw langs de gracht"), but none before one ("mijn man heeft gewandeld", "she walked"
    are someone else's walk) and none that may be a negation, future or question word typed
    wrong ("neit gewandeld").
SKIP (``habit`` None)
    overslaan, sla over, overgeslagen, skip, skipped, skippen, pass, niet vandaag, vandaag niet,
    not today, laat maar, geen tijd, geen zin, no time, "lukt vandaag niet", nee, no, nope, ⏭️.
SKIP with a habit
    "<habit> overslaan", "wandeling skipped", "ademhaling niet vandaag", "skip walk",
    "skip the walk", "sla de wandeling over", "geen wandeling vandaag", "no walk today".
    "nee"/"no" count as skip only alone, with another skip word, or in "no walk today".
WATER (``value`` = whole glasses, 1..12)
    a water word alone or with a done verb: "water", "glas water gedronken", "water gehad",
    "gedronken" (one glass);
    counts: "+1", "+ 2", "2x water", "2 keer water", "water +1", "water 2", "3 glazen",
    "twee glaasjes", "three glasses of water", "nog een glas", "another glass", "💧💧";
    volumes: ml, cl, dl, l / liter / litre: a glass counts as 250 ml ("500 ml" is 2,
    "anderhalve liter" 6, "33 cl" 1); counts and volumes are rounded to whole glasses, half up,
    at least one ("1,5 glas" is 2, "half glas" 1);
    a cup or mug (beker, mok, kopje, cup) counts as a glass only when water is named;
    amounts in digits, number words up to twelve (een/één .. twaalf, a/an/one .. twelve), half,
    anderhalf, "en een half", "and a half", with words of estimation (ongeveer, ruim, bijna,
    zo'n, about, around, almost, ~) and the idiom "een glas of 3".
    A running total is not a new amount: with al, vandaag, tot nu toe, in totaal, already, today
    or so far, an amount of water is never stored ("al 5 glazen", "8 glazen vandaag"), as the
    bot may have counted those glasses already.
SLEEP (``value`` = hours, 0 < h <= 16, at most 2 decimals)
    "7,5 uur", "7.5 uur", "7,5u", "8 uur", "8u", "6.5 hours", "7 hrs", "7u30", "7h30",
    "7:30 uur", "7 uur en 30 minuten", "zeven en een half uur", "anderhalf uur",
    "7 uurtjes", "een uurtje of 6", "ruim 7 uur", "about 8 hours", with or without a sleep word
    ("slept 7.5h", "slept 7", "7 uur geslapen", "8 uur slaap", "maar 5 uur geslapen");
    a bed time and a wake-up time, across midnight: "van 0:15 tot 7:45", "23:00-7:00",
    "bed 23u, op 6u30", "11:30pm - 7am", "om half 12 naar bed en om 7 uur op" (without a word
    for sleep, bed or waking up the bed time must lie between 18:00 and 05:00).
    A bare "7:30" is a clock time, not hours.
NUMBER (``value`` = the number, 0 < n <= 24, at most 2 decimals)
    "7", "7,5", "8.0", "zeven", "ongeveer 7". The caller decides from context (open sleep
    question → hours, open water nudge → glasses).
WEAK_DONE
    "ok", "oké", "okay", "oke", "prima", "goed", "is goed", "alright", 👌 on their own.
    Decision: they answer the latest open nudge as done ONLY when a nudge is open; with none
    open they store nothing. "ok" often means "ok, I'll do it", so the parser does not call it
    DONE and leaves the choice to the caller, who knows what is open. "ok gedaan" is DONE.

Kinds that never store a check-in:

SLEEP_QUALITY (``habit`` SLEEP, ``quality`` GOOD, BAD or None): the caller asks for the hours
    "slecht geslapen", "slept badly", "niet goed geslapen", "kon niet slapen", "korte nacht",
    "moe", "doodmoe", "tired", "goed geslapen", "lekker geslapen", "slept well", "uitgeslapen",
    "geslapen".
SNOOZE (``value`` = minutes, 1..180, or None for the member's own snooze length; the caller
    applies the snooze button's limits, such as how often a nudge may be snoozed)
    "straks", "later", "zo meteen", "snooze", "niet nu", "not now", "over 10 minuten",
    "in 20 min", "over een kwartier", "over een half uur", "10 min later", "herinner me later".
COMMAND (``command``): a command typed without its slash, alone or with "even", "alsjeblieft",
    "please", "ik wil" ("stop" and "pauze" mean PAUSE, never delete): stop, pauze, pause,
    "stop met sturen", "ik wil stoppen", hervat, resume, help, hulp, instellingen, settings,
    vandaag, today, stats, statistieken. "help?" counts.
GREETING: hoi, hallo, hey, hi, hello, goedemorgen, goedenavond, good morning, welterusten,
    slaap lekker, doei, bye, 👋.
THANKS: dank je, dankjewel, bedankt, thanks, thank you, thx, merci, 🙏, "bedankt voor de
    herinnering".

Never a check-in (``None``), whatever else the text holds:
    negations: niet, geen, nooit, nog niet, not, not yet, never, haven't, didn't, vergeten,
    forgot, gemist, bijna (almost, without an amount), ❌ ("niet gedaan", "geen water gehad");
    future and intent: ga, gaan, zal, straks / later (with other words), morgen, moet, wil,
    als, misschien, I'll, will, going to, gonna, need to, maybe, "ben aan het wandelen";
    questions: a "?" anywhere, a question word (hoeveel, waarom, wanneer, hoe, what, how,
    why, ...) or a question start ("heb ik", "did I", "wat", "kan");
    another day: gisteren, yesterday, vorige week, 2 dagen geleden, a weekday's name, and
    gisteravond / last night except for sleep (a check-in is for today); a running total of
    water (see WATER);
    a clock time on its own ("7:30", "half acht", "om 7 uur");
    numbers that belong to no habit ("ik heb 2 katten", "tussen 6 en 7 uur", "6-7 uur");
    two habits or two amounts at once ("7 uur 2 glazen", "gewandeld en geademd");
    negative, zero or out-of-range amounts, "1e9", "nan", "7,5,5 uur";
    anything with words the lexicon does not know, except as allowed for walks and breathing.

``parse_time_of_day(text) -> datetime.time | None``: see ``habits.times_of_day``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from habits.times_of_day import CLOCK_START, MAX_CLOCK_TOKENS, clock_at, parse_time_of_day, sleep_span
from habits.words import (
    Command,
    Role,
    SleepQuality,
    Token,
    Unit,
    may_be_doubt,
    normalize,
    tokenize,
)
from storage.kinds import Habit

__all__ = [
    "MAX_GLASSES",
    "MAX_NUMBER",
    "MAX_SLEEP_HOURS",
    "MAX_SNOOZE_MINUTES",
    "MIN_GLASSES",
    "CheckInKind",
    "Command",
    "ParsedCheckIn",
    "SleepQuality",
    "parse_checkin",
    "parse_time_of_day",
]

R = Role
MIN_GLASSES = 1
MAX_GLASSES = 12
MAX_SLEEP_HOURS = 16.0
MAX_NUMBER = 24.0
MAX_SNOOZE_MINUTES = 180
ML_PER_GLASS = 250
MAX_UNKNOWN_WORDS = 3


class CheckInKind(StrEnum):
    DONE = "done"
    SKIP = "skip"
    WATER = "water"
    SLEEP = "sleep"
    NUMBER = "number"
    WEAK_DONE = "weak_done"
    SLEEP_QUALITY = "sleep_quality"
    SNOOZE = "snooze"
    COMMAND = "command"
    GREETING = "greeting"
    THANKS = "thanks"


STORING_KINDS = frozenset(
    {
        CheckInKind.DONE,
        CheckInKind.SKIP,
        CheckInKind.WATER,
        CheckInKind.SLEEP,
        CheckInKind.NUMBER,
        CheckInKind.WEAK_DONE,
    }
)


@dataclass(frozen=True)
class ParsedCheckIn:
    kind: CheckInKind
    habit: Habit | None = None
    value: float | None = None
    command: Command | None = None
    quality: SleepQuality | None = None

    @property
    def may_store(self) -> bool:
        """Whether the caller may turn this into a check-in (NUMBER and WEAK_DONE: by what is open)."""
        return self.kind in STORING_KINDS


def parse_checkin(text: str) -> ParsedCheckIn | None:
    """What a member's free-text reply means; None if it is not understood."""
    clean = normalize(text)
    tokens = tokenize(clean) if clean is not None else None
    if not tokens or any(token.has(R.INVALID) for token in tokens):
        return None
    asked = any(token.has(R.QUESTION_MARK) for token in tokens)
    tokens = [token for token in tokens if not token.has(R.QUESTION_MARK)]
    words = [token for token in tokens if not token.has(R.SEPARATOR)]
    if not words:
        return None
    said = _command(words) or _social(words)
    if said is not None or asked:
        return said
    return _snooze(words) or _weak_done(words) or _skip(words) or _checkin(tokens)


# --- replies that are not check-ins ----------------------------------------------------------------

_COMMAND_COMPANIONS = frozenset(
    {
        "even", "nu", "now", "maar", "ff", "eventjes", "hoor", "dan", "ajb", "ik", "wil", "i", "want", "to",
        "met", "sturen", "de", "berichten", "herinneringen", "sending", "the", "messages", "reminders",
    }
)  # fmt: skip
_SOCIAL_COMPANIONS = frozenset(
    {
        "bot", "allemaal", "iedereen", "voor", "de", "het", "je", "jij", "u", "wel", "heel", "erg",
        "veel", "hartelijk", "super", "much", "very", "so", "you", "for", "the", "reminder",
        "reminders", "herinnering", "herinneringen", "bericht", "berichtje", "message", "tip",
        "tips", "nog", "weer", "hoor", "daar", "there", "all", "lieve", "beste", "dear", "top",
        "fijn", "mooi", "nice", "great", "hoi", "hey", "again", "xx", "xxx", "ook", "too", "also",
        "lekker", "a", "lot", "een", "fijne", "dag", "avond", "day", "have",
    }
)  # fmt: skip
_SNOOZE_COMPANIONS = frozenset(
    {
        "ja", "even", "eventjes", "ff", "effe", "nog", "dan", "maar", "hoor", "wat", "iets", "een",
        "beetje", "bit", "sorry", "graag", "me", "mij", "herinner", "remind", "vandaag", "today",
        "please", "pls", "plz", "alsjeblieft", "aub", "ik", "nu", "now", "again", "opnieuw", "weer",
        "yes", "bericht", "pas", "only",
    }
)  # fmt: skip
_WEAK_COMPANIONS = frozenset({"hoor", "dan", "maar", "wel", "hoi", "hey", "top", "super", "is"})


def _command(words: list[Token]) -> ParsedCheckIn | None:
    core = [w for w in words if not (w.has(R.POLITE | R.OK | R.GREETING) or w.text in _COMMAND_COMPANIONS)]
    if len(core) == 1 and core[0].has(R.COMMAND) and core[0].meaning.command is not None:
        return ParsedCheckIn(CheckInKind.COMMAND, command=core[0].meaning.command)
    return None


def _social(words: list[Token]) -> ParsedCheckIn | None:
    if len(words) > 1 and any(w.has(R.FUTURE) for w in words):
        return None  # "morgen weer" is "again tomorrow", not "good morning"
    if not all(w.has(R.GREETING | R.THANKS | R.OK | R.POLITE) or w.text in _SOCIAL_COMPANIONS for w in words):
        return None
    if any(w.has(R.THANKS) for w in words):
        return ParsedCheckIn(CheckInKind.THANKS)
    if any(w.has(R.GREETING) for w in words):
        return ParsedCheckIn(CheckInKind.GREETING)
    return None


def _snooze(words: list[Token]) -> ParsedCheckIn | None:
    said_snooze = any(w.has(R.SNOOZE) for w in words)
    found = _quantities(words, range(len(words)))
    if found is None:
        return None
    quantities, used = found
    minutes: float | None = None
    if quantities:
        if len(quantities) > 1:
            return None
        quantity = quantities[0]
        minutes = quantity.minutes()
        preposition = quantity.start > 0 and words[quantity.start - 1].has(R.SNOOZE_PREP)
        if minutes is None or not (preposition or said_snooze):
            return None
        if preposition:
            used |= {quantity.start - 1}
        if not 1 <= round(minutes) <= MAX_SNOOZE_MINUTES:
            return None
    elif not said_snooze:
        return None
    for index, word in enumerate(words):
        if index in used or word.has(R.SNOOZE | R.OK | R.POLITE) or word.text in _SNOOZE_COMPANIONS:
            continue
        return None
    return ParsedCheckIn(CheckInKind.SNOOZE, value=float(round(minutes)) if minutes is not None else None)


def _weak_done(words: list[Token]) -> ParsedCheckIn | None:
    if not any(w.has(R.OK) for w in words):
        return None
    if all(w.has(R.OK) or w.text in _WEAK_COMPANIONS for w in words):
        return ParsedCheckIn(CheckInKind.WEAK_DONE)
    return None


_NOT_SKIP = R.DONE_VERB | R.DONE | R.DONE_AUX | R.NUMBER | R.UNIT | R.FUTURE | R.QUESTION | R.HM


def _skip(words: list[Token]) -> ParsedCheckIn | None:
    habits: set[Habit] = set()
    strong = weak = sla = over = lukt = today = False
    geen = no = negations = niet = 0
    for word in words:
        if word.has(_NOT_SKIP) and not word.has(R.FILLER):
            return None
        if word.has(R.SKIP):
            # "nee", "no": a skip alone or beside another skip word, but "nee, wandeling" is not
            weak |= word.has(R.NEGATION)
            strong |= not word.has(R.NEGATION)
            no += word.has(R.NO_FRAME)
        elif word.has(R.SKIP_SLA):
            sla = True
        elif word.has(R.SKIP_OVER):
            over = over or sla
        elif word.has(R.SKIP_LUKT):
            lukt = True
        elif word.has(R.NO_FRAME):
            geen += 1
        elif word.has(R.NEGATION):
            negations += 1
            niet += word.text == "niet"
        elif word.has(R.TODAY):
            today = True
        elif word.has(R.HABIT) and word.meaning.habit is not None:
            habits.add(word.meaning.habit)
        elif not word.has(R.FILLER | R.OK | R.POLITE):
            return None
    strong |= sla and over
    if lukt:  # "lukt (me) niet", "lukt vandaag niet" (one "niet", or the one of "vandaag niet")
        if negations == niet == 1 and not strong:
            strong, negations = True, 0
        elif not strong:
            return None
    if geen + no == 1 and today and len(habits) == 1:  # "geen wandeling vandaag", "no walk today"
        strong = True
    elif geen:  # "geen wandeling" may as well mean "not yet"
        return None
    if negations or len(habits) > 1 or not (strong or (weak and not habits)):
        return None
    return ParsedCheckIn(CheckInKind.SKIP, habit=next(iter(habits), None))


# --- amounts -------------------------------------------------------------------------------------

_WATER_UNITS = frozenset({Unit.GLASS, Unit.CONTAINER, Unit.ML, Unit.CL, Unit.DL, Unit.LITER, Unit.DROP})
_DURATION_UNITS = frozenset({Unit.HOUR, Unit.MINUTE, Unit.QUARTER_HOUR})
_ML = {Unit.ML: 1.0, Unit.CL: 10.0, Unit.DL: 100.0, Unit.LITER: 1000.0}


@dataclass(frozen=True)
class Quantity:
    start: int
    end: int
    value: float
    unit: Unit | None
    plus: bool = False  # "+2"
    spelled: bool = False  # a number in digits or a number word, not "nog een" or "a"
    hours: float = 0.0  # an hours part before minutes: "7 uur en 30 minuten"

    def minutes(self) -> float | None:
        if self.unit is Unit.MINUTE:
            return self.hours * 60 + self.value
        if self.unit is Unit.HOUR:
            return self.value * 60
        if self.unit is Unit.QUARTER_HOUR:
            return self.value * 15
        return None

    def glasses(self) -> int | None:
        if self.unit in _ML:
            amount = self.value * _ML[self.unit] / ML_PER_GLASS
        elif self.unit in _WATER_UNITS or self.plus:
            amount = self.value
        else:
            return None
        if amount <= 0:
            return None
        glasses = max(1, math.floor(amount + 0.5))
        return glasses if MIN_GLASSES <= glasses <= MAX_GLASSES else None


def _quantities(words: Sequence[Token], indices: Sequence[int]) -> tuple[list[Quantity], set[int]] | None:
    """Amounts among words[indices] (positions in `words`); None if one is malformed ("-2", "6-7")."""
    items = list(indices)
    found: list[Quantity] = []
    used: set[int] = set()
    at = 0
    while at < len(items):
        result = _quantity_at(words, items, at)
        if result is _MALFORMED:
            return None
        if isinstance(result, tuple):
            quantity, next_at = result
            found.append(quantity)
            used.update(items[at:next_at])
            at = next_at
        else:
            at += 1
    return _merge_hours_and_minutes(found), used


_MALFORMED = object()
_MORE = frozenset({"more", "extra", "meer"})


def _quantity_at(words: Sequence[Token], items: list[int], at: int) -> tuple[Quantity, int] | object | None:
    def token(offset: int) -> Token | None:
        return words[items[offset]] if offset < len(items) else None

    start = at
    while (t := token(at)) is not None and t.has(R.ESTIMATE) and (n := token(at + 1)) is not None:
        if not n.has(R.NUMBER | R.ARTICLE | R.UNIT | R.HALF | R.ANOTHER | R.PLUS | R.HM | R.ESTIMATE):
            break
        at += 1
    first = token(at)
    if first is None:
        return None
    plus = False
    if first.has(R.PLUS):
        following = token(at + 1)
        if following is None or not following.has(R.NUMBER) or following.meaning.word:
            return _MALFORMED
        plus, at, first = True, at + 1, following
    if first.has(R.DASH):
        following = token(at + 1)
        if following is not None and following.has(R.NUMBER) and following.glued:
            previous = token(at - 1) if at > 0 else None
            if previous is None or not first.glued:
                return _MALFORMED  # a negative amount: "-2 glazen"
            if previous.has(R.NUMBER):
                return _MALFORMED  # a range: "6-7 uur"
        return None
    if first.has(R.UNIT) and first.meaning.unit is Unit.TIMES:  # "water x2"
        following = token(at + 1)
        if following is not None and following.has(R.NUMBER) and following.meaning.value is not None:
            return Quantity(items[start], items[at + 1] + 1, following.meaning.value, Unit.TIMES), at + 2
    value: float | None = None
    spelled = False
    if first.hm is not None:
        hours, minutes, separator = first.hm
        unit = token(at + 1)
        hour_unit = unit is not None and unit.meaning.unit is Unit.HOUR
        if separator == ":" and not hour_unit:
            return None  # "7:30" is a clock time
        if minutes > 59:
            return _MALFORMED
        at += 1
        if hour_unit or (unit is not None and unit.meaning.unit is Unit.MINUTE):
            at += 1
        return Quantity(items[start], items[at - 1] + 1, round(hours + minutes / 60, 2), Unit.HOUR), at
    if first.has(R.NUMBER) and not (first.has(R.ARTICLE) and not _unit_follows(token(at + 1))):
        value, spelled = first.meaning.value, not first.has(R.ARTICLE)
        at += 1
        if (t := token(at)) is not None and t.has(R.AND_A_HALF) and value is not None:
            value, at = value + 0.5, at + 1
        if (t := token(at)) is not None and t.text in _MORE and _unit_follows(token(at + 1)):
            at += 1  # "2 more glasses", "2 extra glazen"
    elif first.has(R.ANOTHER | R.ARTICLE) and _unit_follows(token(at + 1)):
        value, at = 1.0, at + 1
    elif first.has(R.ANOTHER):
        return Quantity(items[start], items[at] + 1, 1.0, None), at + 1
    if (t := token(at)) is not None and t.has(R.HALF) and (value is None or first.has(R.ARTICLE)):
        # "half glas", "een halve liter", "half a liter"
        article = (a := token(at + 1)) is not None and a.has(R.ARTICLE) and not a.has(R.NUMBER)
        if _unit_follows(token(at + 2 if article else at + 1)):
            value, at = 0.5, at + (2 if article else 1)
    unit_token = token(at)
    if value is None:
        if unit_token is None or not unit_token.has(R.UNIT) or not unit_token.meaning.singular:
            return None
        if unit_token.meaning.unit is Unit.DROP:
            drops = at
            while (t := token(drops)) is not None and t.meaning.unit is Unit.DROP:
                drops += 1
            return Quantity(items[start], items[drops - 1] + 1, float(drops - at), Unit.DROP), drops
        value = unit_token.meaning.value or 1.0
        return _with_unit(words, items, start, at, value, unit_token, plus=plus, spelled=False)
    if unit_token is not None and unit_token.has(R.UNIT) and unit_token.meaning.unit is not None:
        if unit_token.meaning.value is not None:  # "(een) half uur": the unit says how much
            if spelled:
                return _MALFORMED
            value = unit_token.meaning.value
        return _with_unit(words, items, start, at, value, unit_token, plus=plus, spelled=spelled)
    return Quantity(items[start], items[at - 1] + 1, value, None, plus=plus, spelled=spelled), at


def _with_unit(
    words: Sequence[Token],
    items: list[int],
    start: int,
    at: int,
    value: float,
    unit_token: Token,
    **flags: bool,
) -> tuple[Quantity, int]:
    unit = unit_token.meaning.unit
    at += 1
    # "een uur of 7", "een glas of 3": about seven hours, three glasses
    if at + 1 < len(items) and words[items[at]].has(R.OF) and words[items[at + 1]].has(R.NUMBER):
        counted = words[items[at + 1]].meaning.value
        if counted is not None and value == 1.0:
            value, at = counted, at + 2
    if at < len(items) and words[items[at]].has(R.AND_A_HALF):  # "zeven uur en een half"
        value, at = value + 0.5, at + 1
    return Quantity(items[start], items[at - 1] + 1, value, unit, **flags), at


def _unit_follows(token: Token | None) -> bool:
    return token is not None and token.has(R.UNIT | R.HALF)


def _merge_hours_and_minutes(found: list[Quantity]) -> list[Quantity]:
    """ "7 uur en 30 minuten", "7u 30m": one amount of hours."""
    merged: list[Quantity] = []
    for quantity in found:
        if merged and quantity.unit is Unit.MINUTE and merged[-1].unit is Unit.HOUR and not merged[-1].hours:
            hours = merged.pop()
            if quantity.start - hours.end <= 1 and hours.value.is_integer() and quantity.value < 60:
                quantity = Quantity(hours.start, quantity.end, quantity.value, Unit.MINUTE, hours=hours.value)
            else:
                merged.append(hours)
        merged.append(quantity)
    return merged


# --- check-ins -----------------------------------------------------------------------------------

_BLOCKERS = R.FUTURE | R.YESTERDAY | R.QUESTION | R.SKIP | R.SKIP_SLA | R.SKIP_LUKT | R.COMMAND | R.SNOOZE
# Words that say something in a check-in; with fillers, everything else counts as unknown.
_KNOWN = R.HABIT | R.NOUN | R.DONE_VERB | R.DONE | R.DONE_AUX | R.ARTICLE | R.NIGHT | R.ABLE
_KNOWN |= R.SLEEP_GOOD | R.SLEEP_BAD


# A habit noun alone means it was done ("ommetje", "water"), with only these words around it:
# "water is lekker" and "wandeling om 12 uur" are not check-ins.
_BARE_NOUN_COMPANIONS = frozenset(
    {
        "ja", "net", "zojuist", "even", "weer", "nog", "hoor", "de", "het", "een", "mijn", "m'n", "'n",
        "lekker", "fijn", "fijne", "mooi", "mooie", "heerlijk", "heerlijke", "korte", "kort", "lange",
        "flinke", "stevige", "rustige", "snelle", "klein", "kleine", "ook", "al", "gewoon", "the", "my",
        "a", "nice", "quick", "short", "long", "lovely", "just", "also", "already", "met", "hond", "in",
        "door", "park", "bos", "strand", "buiten", "with", "dog", "outside",
    }
)  # fmt: skip


@dataclass
class _Reading:
    """What the words of a check-in said, once amounts and clock times are taken out."""

    clocks: int
    habits: set[Habit] = field(default_factory=set)
    nouns: set[Habit] = field(default_factory=set)
    verbs: set[Habit] = field(default_factory=set)  # infinitives and present tense: "wandelen", "drink"
    done_verbs: set[Habit] = field(default_factory=set)
    done: bool = False  # a done word: "klaar", "✅"
    done_aux: bool = False  # "gehad", "gemaakt"
    good: bool = False
    bad: bool = False
    tired: bool = False
    night: bool = False
    able: bool = False
    negations: int = 0
    unknown: int = 0
    stray: int = 0  # unknown words outside a phrase such as "met mijn buurvrouw": "mijn man heeft"
    total: bool = False  # "al 5 glazen": how many so far, not how many just now
    plain: bool = True  # no word beyond the few that may open a bare "ommetje" or "water"


def _checkin(tokens: list[Token]) -> ParsedCheckIn | None:
    words = [token for token in tokens if not token.has(R.SEPARATOR)]
    first = words[0]
    if first.has(R.QUESTION_START) and not _some(first, words[1:2]):
        return None
    if any(w.has(_BLOCKERS) and not w.has(R.FILLER) for w in words):
        return None
    says_sleep = any(w.meaning.habit is Habit.SLEEP or w.has(R.NIGHT) for w in words)
    span = sleep_span(tokens, says_sleep=says_sleep)
    if span is not None:
        return _night(tokens, span.hours, span.used)
    free = list(range(len(words)))
    clocks, free = _take_clocks(words, free)
    found = _quantities(words, free)
    if found is None:
        return None
    quantities, used = found
    reading = _read(words, [i for i in free if i not in used], clocks)
    result = _decide(reading, quantities, words)
    if result is not None and result.kind not in _NIGHT_KINDS and _last_night(words):
        return None  # "gisteravond gewandeld" was yesterday; only the night may be named so
    return result


_NIGHT_KINDS = frozenset({CheckInKind.SLEEP, CheckInKind.SLEEP_QUALITY})


def _last_night(words: list[Token]) -> bool:
    return any(word.has(R.LAST_NIGHT) for word in words)


def _some(first: Token, following: list[Token]) -> bool:
    """ "wat water gedronken": "wat" is "some", not "what"."""
    some = R.HABIT | R.NUMBER | R.UNIT | R.DONE_VERB
    return first.text == "wat" and bool(following) and following[0].has(some)


def _night(tokens: list[Token], hours: float, used: frozenset[int]) -> ParsedCheckIn | None:
    for index, token in enumerate(tokens):
        if index in used or token.has(R.SEPARATOR | R.FILLER | R.SLEEP_GOOD | R.SLEEP_BAD | R.NIGHT):
            continue
        if token.meaning.habit is Habit.SLEEP and token.has(R.HABIT | R.DONE_VERB):
            continue
        if token.has(R.DONE_AUX | R.DAYPART | R.BED | R.WAKE):
            continue
        return None
    if not 0 < hours <= MAX_SLEEP_HOURS:
        return None
    return ParsedCheckIn(CheckInKind.SLEEP, value=hours)


def _take_clocks(words: list[Token], free: list[int]) -> tuple[int, list[int]]:
    """Take out what is certainly a clock time ("om 7 uur", "7:30", "half acht", "7pm")."""
    clocks = 0
    index = 0
    while index < len(words):
        if not words[index].has(CLOCK_START):
            index += 1
            continue
        # The longest reading decides: "7:30 uur" is hours, though "7:30" alone is a clock time.
        longest = next(
            (
                (end, clock)
                for end in range(min(len(words), index + MAX_CLOCK_TOKENS), index, -1)
                if (clock := clock_at(words[index:end], bare=False)) is not None
            ),
            None,
        )
        if longest is not None and (longest[1].certain or words[index].has(R.AT)):
            clocks += 1
            free = [i for i in free if not index <= i < longest[0]]
            index = longest[0]
        else:
            index += 1
    return clocks, free


def _read(words: list[Token], rest: list[int], clocks: int) -> _Reading:
    reading = _Reading(clocks=clocks)
    phrase = False  # after a preposition
    for index in rest:
        word = words[index]
        habit = word.meaning.habit
        if habit is not None:
            reading.habits.add(habit)
            if word.has(R.DONE_VERB):
                reading.done_verbs.add(habit)
            elif word.has(R.NOUN):
                reading.nouns.add(habit)
            else:
                reading.verbs.add(habit)
        reading.done |= word.has(R.DONE)
        reading.done_aux |= word.has(R.DONE_AUX)
        reading.good |= word.has(R.SLEEP_GOOD)
        reading.bad |= word.has(R.SLEEP_BAD)
        reading.tired |= word.has(R.TIRED)
        reading.night |= word.has(R.NIGHT)
        reading.able |= word.has(R.ABLE)
        reading.total |= word.has(R.TOTAL | R.TODAY)
        phrase |= word.has(R.PREPOSITION)
        if word.has(R.NEGATION) or (word.has(R.UNKNOWN) and may_be_doubt(word.text)):
            reading.negations += 1  # "neit gewandeld" is "niet gewandeld" typed wrong
        elif not word.has(_KNOWN | R.FILLER | R.OK | R.GREETING | R.THANKS | R.TODAY):
            reading.unknown += 1
            reading.stray += not phrase
        if habit is None and not word.has(R.OK | R.GREETING | R.THANKS | R.TODAY | R.DONE):
            reading.plain &= word.text in _BARE_NOUN_COMPANIONS
    return reading


def _decide(reading: _Reading, quantities: list[Quantity], words: list[Token]) -> ParsedCheckIn | None:
    habits = reading.habits | {h for q in quantities if (h := _habit_of_unit(q.unit)) is not None}
    if len(quantities) > 1:  # "+1 💧": the drop only decorates the amount
        quantities = [q for q in quantities if q.unit is not Unit.DROP] or quantities
    if reading.negations:
        return _negated_sleep(reading, habits, quantities)
    if len(habits) > 1 or len(quantities) > 1:
        return None
    habit = next(iter(habits), None)
    if quantities:
        if reading.unknown:
            return None
        return _with_amount(quantities[0], habit, reading, words)
    if reading.tired and habit in (None, Habit.SLEEP) and not (reading.done or reading.done_aux):
        return _sleep_quality(reading) if not reading.unknown else None
    if habit is Habit.SLEEP or (habit is None and reading.night):
        return _sleep_without_hours(reading)
    if reading.tired:
        return None
    bare_noun = bool(reading.nouns) and not reading.verbs and reading.plain and not reading.clocks
    if habit is Habit.WATER:
        if reading.unknown:
            return None
        if reading.done and not reading.done_verbs:
            return ParsedCheckIn(CheckInKind.DONE, habit=Habit.WATER)
        if reading.done_verbs or reading.done_aux or bare_noun:
            return ParsedCheckIn(CheckInKind.WATER, value=1.0)
        return None
    if habit is not None:
        if _says_done(reading, habit):
            known_enough = reading.unknown <= MAX_UNKNOWN_WORDS and not reading.stray
            return ParsedCheckIn(CheckInKind.DONE, habit=habit) if known_enough else None
        if bare_noun and not reading.unknown:
            return ParsedCheckIn(CheckInKind.DONE, habit=habit)
        return None
    if reading.done and not reading.unknown and not reading.clocks:
        return ParsedCheckIn(CheckInKind.DONE)
    return None


def _says_done(reading: _Reading, habit: Habit) -> bool:
    return reading.done or reading.done_aux or habit in reading.done_verbs


def _habit_of_unit(unit: Unit | None) -> Habit | None:
    if unit in _WATER_UNITS:
        return Habit.WATER
    if unit in (Unit.KM, Unit.STEPS):
        return Habit.WALK
    return None


def _negated_sleep(reading: _Reading, habits: set[Habit], quantities: list[Quantity]) -> ParsedCheckIn | None:
    """ "niet goed geslapen", "kon niet slapen": a bad night, hours still to ask; else nothing."""
    slept = habits == {Habit.SLEEP} or (not habits and reading.night)
    bad_night = reading.negations == 1 and (reading.good or reading.able)
    if slept and bad_night and not quantities and not reading.unknown and not reading.done:
        return ParsedCheckIn(CheckInKind.SLEEP_QUALITY, habit=Habit.SLEEP, quality=SleepQuality.BAD)
    return None


def _sleep_quality(reading: _Reading) -> ParsedCheckIn:
    quality = (
        SleepQuality.BAD if reading.bad or reading.tired else SleepQuality.GOOD if reading.good else None
    )
    return ParsedCheckIn(CheckInKind.SLEEP_QUALITY, habit=Habit.SLEEP, quality=quality)


def _sleep_without_hours(reading: _Reading) -> ParsedCheckIn | None:
    if reading.unknown:
        return None
    if Habit.SLEEP in reading.done_verbs or (reading.night and (reading.good or reading.bad)):
        return _sleep_quality(reading)
    if reading.done or reading.done_aux:
        return ParsedCheckIn(CheckInKind.DONE, habit=Habit.SLEEP)
    return None


def _with_amount(
    quantity: Quantity, habit: Habit | None, reading: _Reading, words: list[Token]
) -> ParsedCheckIn | None:
    unit = quantity.unit
    if reading.total and habit in (None, Habit.WATER):
        return None  # "al 5 glazen", "8 glazen vandaag": a total so far would count twice
    if unit in _WATER_UNITS or quantity.plus:
        if habit not in (None, Habit.WATER):
            return None
        if unit is Unit.CONTAINER and Habit.WATER not in reading.habits:
            return None
        glasses = quantity.glasses()
        return ParsedCheckIn(CheckInKind.WATER, value=float(glasses)) if glasses is not None else None
    # "20 min gewandeld", "5 min ademhaling", but not "50 min lopen": that may be the plan.
    reported = habit is not None and (_says_done(reading, habit) or habit in reading.nouns)
    if unit is Unit.TIMES:
        if not quantity.value.is_integer() or not 1 <= quantity.value <= MAX_GLASSES:
            return None
        if habit is Habit.WATER:
            return ParsedCheckIn(CheckInKind.WATER, value=quantity.value)
        if habit in (Habit.WALK, Habit.BREATHING) and reported:
            return ParsedCheckIn(CheckInKind.DONE, habit=habit)
        return None
    if unit in _DURATION_UNITS:
        minutes = quantity.minutes()
        if minutes is None or not 0 < minutes <= MAX_SLEEP_HOURS * 60:
            return None
        if habit in (Habit.WALK, Habit.BREATHING):
            return ParsedCheckIn(CheckInKind.DONE, habit=habit) if reported else None
        if habit is Habit.WATER:
            return None
        if unit is not Unit.HOUR and not quantity.hours and habit is not Habit.SLEEP:
            return None  # "30 minuten" alone: a walk? a nap?
        hours = round(minutes / 60, 2)
        # "0,2 minuten geslapen" would round to no sleep at all
        return ParsedCheckIn(CheckInKind.SLEEP, value=hours) if hours > 0 else None
    if unit in (Unit.KM, Unit.STEPS):
        walked = quantity.value > 0 and (reported or not reading.verbs)
        return ParsedCheckIn(CheckInKind.DONE, habit=Habit.WALK) if walked else None
    return _bare_number(quantity, habit, reading, words)


def _bare_number(
    quantity: Quantity, habit: Habit | None, reading: _Reading, words: list[Token]
) -> ParsedCheckIn | None:
    value = quantity.value
    if habit is Habit.WATER:
        if value.is_integer() and MIN_GLASSES <= value <= MAX_GLASSES:
            return ParsedCheckIn(CheckInKind.WATER, value=value)
        return None
    if habit is Habit.SLEEP:
        if 0 < value <= MAX_SLEEP_HOURS and quantity.spelled:
            return ParsedCheckIn(CheckInKind.SLEEP, value=value)
        return None
    if habit is not None:
        done = reading.done or reading.done_aux or habit in reading.done_verbs
        return ParsedCheckIn(CheckInKind.DONE, habit=habit) if done and value > 0 else None
    alone = all(quantity.start <= i < quantity.end or w.has(R.ESTIMATE) for i, w in enumerate(words))
    if alone and quantity.spelled and not quantity.plus and 0 < value <= MAX_NUMBER:
        return ParsedCheckIn(CheckInKind.NUMBER, value=value)
    return None
