"""The words of the check-in language: normalising typed text, splitting it into tokens, and a
lexicon of what each word or short phrase can mean.

A token carries every meaning its word can have (``Role`` flags): "een" is a count and an
article, "later" a snooze and a future, "op" a wake-up and a filler word. The grammar in
``habits.parsing`` and ``habits.times_of_day`` decides from the words around it which one applies.

Words are looked up as typed, then without accents ("oké" → "oke"), then with repeated letters
squeezed ("klaaaar" → "klaar", "yesss" → "yes"), and last with one typo: a habit, done, skip,
unit or command word of five or more letters matches a word one letter wrong, missing, extra or
two letters swapped away ("gedaam", "wandelign", "klar"). When several words are that close,
only what they share counts ("wandelin": wandeling and wandelen both name the walk), and
nothing if they share nothing. Real words that are one letter away (``NOT_TYPOS``: "liep" is
no "sliep") are never read as typos. Numbers never match by typo or squeezing, and neither do
negations or future words.

Pure functions, no I/O; nothing here raises.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import Enum, StrEnum, auto
from typing import Any, Final

from storage.kinds import Habit

MAX_TEXT_LENGTH = 200


class Role:
    """Bit flags of what a word can mean, combined with ``|``.

    Plain ints rather than an ``enum.Flag``: the parser tests them many times per message, and
    Flag arithmetic is far slower.
    """

    NONE: Final = 0
    # habits
    HABIT: Final = 1 << 0  # names a habit: "water", "wandelen", "slaap"
    NOUN: Final = 1 << 1  # a habit noun that on its own means it was done: "water", "ommetje"
    DONE_VERB: Final = 1 << 2  # a habit's verb in the past: "gedronken", "gewandeld", "geslapen"
    DONE: Final = 1 << 3  # done on its own: "klaar", "gedaan", "✅"
    DONE_AUX: Final = 1 << 4  # done only next to a habit word: "gehad", "gemaakt", "went"
    # skipping
    SKIP: Final = 1 << 5  # "overslaan", "skip", "niet vandaag", "nee"
    SKIP_SLA: Final = 1 << 6  # "sla" of "sla (de wandeling) over"
    SKIP_OVER: Final = 1 << 7
    SKIP_LUKT: Final = 1 << 8  # "lukt" of "lukt (vandaag) niet"
    NO_FRAME: Final = 1 << 9  # "geen"/"no" of "geen wandeling vandaag"
    TODAY: Final = 1 << 10
    # what makes a message not a check-in
    NEGATION: Final = 1 << 11
    FUTURE: Final = 1 << 12
    QUESTION: Final = 1 << 13  # a question word anywhere: "hoeveel", "why"
    QUESTION_START: Final = 1 << 14  # a question only as the first word: "wat", "heb ik", "did i"
    YESTERDAY: Final = 1 << 15
    # amounts
    NUMBER: Final = 1 << 16
    ARTICLE: Final = 1 << 17  # "een", "a": a count only right before a unit
    HALF: Final = 1 << 18
    AND_A_HALF: Final = 1 << 19
    ANOTHER: Final = 1 << 20  # "nog een", "another": one
    ESTIMATE: Final = 1 << 21
    UNIT: Final = 1 << 22
    OF: Final = 1 << 23  # "een uur of 7"
    PLUS: Final = 1 << 24
    DASH: Final = 1 << 25
    HM: Final = 1 << 26  # "7u30", "7:30"
    # clock words
    QUARTER: Final = 1 << 27
    PAST: Final = 1 << 28  # "over", "past"
    TO: Final = 1 << 29  # "voor", "to"
    OCLOCK: Final = 1 << 30
    MIDNIGHT: Final = 1 << 31
    NOON: Final = 1 << 32
    DAYPART: Final = 1 << 33
    AMPM: Final = 1 << 34
    AT: Final = 1 << 35  # "om", "at"
    RANGE_FROM: Final = 1 << 36
    RANGE_TO: Final = 1 << 37
    CONJ: Final = 1 << 38
    # sleep
    BED: Final = 1 << 39
    WAKE: Final = 1 << 40
    NIGHT: Final = 1 << 41
    SLEEP_GOOD: Final = 1 << 42
    SLEEP_BAD: Final = 1 << 43
    TIRED: Final = 1 << 44
    ABLE: Final = 1 << 45  # "kon", "could": "kon niet slapen"
    # conversation
    COMMAND: Final = 1 << 46
    GREETING: Final = 1 << 47
    THANKS: Final = 1 << 48
    OK: Final = 1 << 49
    SNOOZE: Final = 1 << 50
    SNOOZE_PREP: Final = 1 << 51  # "over", "in": "over 10 minuten"
    POLITE: Final = 1 << 52  # "alsjeblieft", "please", "graag": around a command or a snooze
    SOCIAL: Final = 1 << 53  # "bot", "allemaal", "voor de herinnering": around a greeting or thanks
    FILLER: Final = 1 << 54  # may stand in a check-in without changing it
    # token kinds without a word
    TOTAL: Final = 1 << 55  # "al 5 glazen", "tot nu toe": a running total, not what was just done
    PREPOSITION: Final = 1 << 60  # "met", "langs", "with": what follows may be words we do not know
    LAST_NIGHT: Final = 1 << 61  # "gisteravond": yesterday, which only a night's sleep may name
    SEPARATOR: Final = 1 << 56
    QUESTION_MARK: Final = 1 << 57
    UNKNOWN: Final = 1 << 58
    INVALID: Final = 1 << 59  # a malformed number or a symbol no check-in has: the whole text is refused


class Unit(Enum):
    GLASS = auto()
    CONTAINER = auto()  # a cup or mug: water only when water is named
    ML = auto()
    CL = auto()
    DL = auto()
    LITER = auto()
    DROP = auto()
    HOUR = auto()
    MINUTE = auto()
    QUARTER_HOUR = auto()
    TIMES = auto()
    KM = auto()
    STEPS = auto()


class DayPart(Enum):
    MORNING = auto()
    AFTERNOON = auto()
    EVENING = auto()
    NIGHT = auto()


class Command(StrEnum):
    """A bot command typed without its slash."""

    PAUSE = "pause"  # "stop" pauses; it never deletes anything
    RESUME = "resume"
    HELP = "help"
    SETTINGS = "settings"
    TODAY = "today"
    STATS = "stats"


class SleepQuality(StrEnum):
    GOOD = "good"
    BAD = "bad"


@dataclass(frozen=True)
class Meaning:
    roles: int  # Role bits
    habit: Habit | None = None
    value: float | None = None
    unit: Unit | None = None
    command: Command | None = None
    daypart: DayPart | None = None
    english: bool = False  # an English number word: "half seven" is 7:30, "half zeven" 6:30
    singular: bool = False  # a unit that counts one without a number: "glas", "uurtje"
    word: bool = False  # a number written as a word (never a clock time on its own)


@dataclass(frozen=True)
class Token:
    text: str
    meaning: Meaning
    hm: tuple[int, int, str] | None = None  # "7u30" → (7, 30, "u")
    glued: bool = False  # typed right after the token before it, without a space: the "2" of "-2"

    @property
    def roles(self) -> int:
        return self.meaning.roles

    def has(self, roles: int) -> bool:
        """Whether the token can mean any of `roles` (Role bits)."""
        return bool(self.meaning.roles & roles)


R = Role


def _m(roles: int, **fields: Any) -> Meaning:
    return Meaning(roles, **fields)


_HABIT_NOUN = R.HABIT | R.NOUN


def _counted(words: str, counts: Iterable[int]) -> dict[str, int]:
    return dict(zip(words.split(), counts, strict=True))


_NUMBER_WORDS_NL = _counted("een twee drie vier vijf zes zeven acht negen tien elf twaalf", range(1, 13))
_NUMBER_WORDS_NL |= {"één": 1, "eén": 1, "eentje": 1}
_NUMBER_WORDS_EN = _counted("one two three four five six seven eight nine ten eleven twelve", range(1, 13))
# Bigger number words only make sense for minutes ("over twintig minuten").
_TENS = (13, 14, 15, 20, 30, 40, 50)
_MINUTE_WORDS = _counted("dertien veertien vijftien twintig dertig veertig vijftig", _TENS) | _counted(
    "thirteen fourteen fifteen twenty thirty forty fifty", _TENS
)


def _words(roles: int, words: str, **fields: Any) -> dict[str, Meaning]:
    return {word: Meaning(roles, **fields) for word in words.split()}


def _habit(habit: Habit, roles: int, words: str) -> dict[str, Meaning]:
    return _words(roles, words, habit=habit)


LEXICON: dict[str, Meaning] = {
    # --- water
    **_habit(Habit.WATER, _HABIT_NOUN, "water watertje"),
    "💧": Meaning(R.HABIT | R.UNIT, habit=Habit.WATER, unit=Unit.DROP, singular=True),
    **_habit(Habit.WATER, R.HABIT, "drinken drink drinking drinkt"),
    **_habit(Habit.WATER, R.DONE_VERB, "gedronken drank drunk opgedronken dronk"),
    # --- walk
    **_habit(
        Habit.WALK,
        _HABIT_NOUN,
        "wandeling wandelingetje wandelingen ommetje ommetjes rondje rondjes loopje loopjes 🚶",
    ),
    # English "walk" is as often "(go and) walk" as "a walk": never a check-in on its own.
    **_habit(Habit.WALK, R.HABIT, "wandelen lopen walking wandel loop walk walks stroll"),
    # Not "liep": "het liep goed" is "it went well".
    **_habit(Habit.WALK, R.DONE_VERB, "gewandeld gelopen walked wandelde strolled"),
    # --- breathing
    **_habit(
        Habit.BREATHING,
        _HABIT_NOUN,
        "ademhaling ademhalingen ademhalingsoefening ademhalingsoefeningen ademoefening ademoefeningen 🧘 🫁",
    ),
    **_habit(Habit.BREATHING, R.HABIT, "ademen adem breathe ademhalen breathing breathwork breath"),
    **_habit(Habit.BREATHING, R.DONE_VERB, "geademd breathed ademde ademgehaald"),
    # --- sleep
    **_habit(Habit.SLEEP, R.HABIT, "slaap winddown wind-down sleeping 😴 💤 🛌"),
    **_habit(Habit.SLEEP, R.HABIT | R.NIGHT, "nachtrust"),
    **_habit(Habit.SLEEP, R.HABIT | R.BED, "slapen sleep"),
    **_habit(Habit.SLEEP, R.DONE_VERB, "geslapen slept sliep"),
    **_habit(Habit.SLEEP, R.DONE_VERB | R.SLEEP_GOOD, "uitgeslapen"),
    # --- done
    **_words(
        R.DONE,
        "klaar gedaan gelukt done yes yep yup jep jup yeah jazeker check gecheckt finished completed "
        "afgerond voltooid afgevinkt ✅ ✔ ✓ ☑ 👍 💪",
    ),
    **_words(R.DONE | R.FILLER, "ja jaja"),
    **_words(R.DONE_AUX, "gehad had gemaakt geweest wezen gegaan genomen went took been deed did terug back"),
    # --- skip
    **_words(R.SKIP, "overslaan overgeslagen skip skipped skippen skipping pass nope nah neen ⏭"),
    "nee": Meaning(R.SKIP | R.NEGATION),
    "no": Meaning(R.SKIP | R.NEGATION | R.NO_FRAME),
    "sla": Meaning(R.SKIP_SLA),
    "over": Meaning(R.SKIP_OVER | R.PAST | R.SNOOZE_PREP),
    "lukt": Meaning(R.SKIP_LUKT),
    "geen": Meaning(R.NEGATION | R.NO_FRAME),
    **_words(R.TODAY | R.COMMAND | R.FILLER, "vandaag today", command=Command.TODAY),
    # --- negation
    **_words(
        R.NEGATION,
        "niet nooit not never niks niets nothing none haven't havent hasn't hasnt didn't didnt don't dont "
        "doesn't doesnt isn't wasn't aren't weren't vergeten vergat forgot forgotten gemist missed "
        "mislukt failed ❌ ✖ ✗ ✘ 🚫",
    ),
    **_words(R.NEGATION | R.ABLE, "can't cant couldn't couldnt"),
    **_words(R.NEGATION | R.FUTURE, "won't wont"),
    **_words(R.ESTIMATE | R.NEGATION, "bijna almost nearly"),
    # --- future, intent, doubt
    **_words(
        R.FUTURE,
        "ga gaan gaat zal zullen zou zouden wordt will i'll ill we'll gonna going tomorrow soon moet "
        "moeten must need needs should gotta wil willen want wanna plan plannen planning probeer proberen "
        "try trying als if misschien maybe perhaps probably waarschijnlijk hopelijk hopefully bezig "
        "onderweg eerst overmorgen volgende",
    ),
    **_words(R.FUTURE | R.SNOOZE, "straks strax later zometeen dadelijk strakjes"),
    "morgen": Meaning(R.FUTURE | R.GREETING),
    # Another day than today: a check-in is for today.
    **_words(
        R.YESTERDAY,
        "gisteren yesterday eergisteren vorige vorig geleden ago maandag dinsdag woensdag donderdag "
        "vrijdag zaterdag zondag monday tuesday wednesday thursday friday saturday sunday",
    ),
    # --- questions
    **_words(
        R.QUESTION,
        "hoeveel waarom wanneer welke welk hoe how why what what's whats when which where who wie ❓ ❔",
    ),
    **_words(R.QUESTION_START | R.FILLER, "wat waar kan kun kunt mag can could would do does are"),
    # --- amounts
    **{
        word: Meaning(R.NUMBER | R.ARTICLE if word == "een" else R.NUMBER, value=float(n), word=True)
        for word, n in _NUMBER_WORDS_NL.items()
    },
    **{
        word: Meaning(R.NUMBER, value=float(n), word=True, english=True)
        for word, n in _NUMBER_WORDS_EN.items()
    },
    **{word: Meaning(R.NUMBER, value=float(n), word=True) for word, n in _MINUTE_WORDS.items()},
    **_words(R.ARTICLE | R.FILLER, "a an 'n", value=1.0),
    **_words(R.NUMBER, "anderhalf anderhalve", value=1.5, word=True),
    **_words(R.HALF, "half halve"),
    "another": Meaning(R.ANOTHER | R.FILLER, value=1.0),
    **_words(R.ESTIMATE, "ongeveer ong ca circa ruim zo'n zon plusminus about roughly approx ~ ±"),
    **_words(R.ESTIMATE | R.FILLER, "rond around"),
    "of": Meaning(R.OF | R.FILLER),
    "+": Meaning(R.PLUS),
    # --- units
    **_words(R.UNIT, "glas glaasje glass", unit=Unit.GLASS, singular=True),
    **_words(R.UNIT, "glazen glaasjes glasses", unit=Unit.GLASS),
    **_words(R.UNIT, "beker mok kop kopje cup mug", unit=Unit.CONTAINER, singular=True),
    **_words(R.UNIT, "bekers mokken koppen kopjes cups mugs", unit=Unit.CONTAINER),
    **_words(R.UNIT, "ml milliliter mililiter", unit=Unit.ML),
    **_words(R.UNIT, "cl centiliter", unit=Unit.CL),
    **_words(R.UNIT, "dl deciliter", unit=Unit.DL),
    **_words(R.UNIT, "l liter liters litre litres ltr", unit=Unit.LITER),
    **_words(R.UNIT, "uur u h hour hours hr hrs uren uurtjes", unit=Unit.HOUR),
    **_words(R.UNIT, "uurtje", unit=Unit.HOUR, singular=True),
    **_words(R.UNIT, "min mins minuut minuten minuutjes minute minutes m", unit=Unit.MINUTE),
    **_words(R.UNIT, "kwartier kwartiertje", unit=Unit.QUARTER_HOUR, singular=True),
    **_words(R.UNIT, "x keer times maal ×", unit=Unit.TIMES),
    **_words(R.UNIT, "km kilometer kilometers kilometre kilometres", unit=Unit.KM),
    **_words(R.UNIT, "stappen steps", unit=Unit.STEPS),
    # --- clock words
    **_words(R.QUARTER, "kwart quarter"),
    "past": Meaning(R.PAST),
    "voor": Meaning(R.TO | R.FILLER),
    "to": Meaning(R.TO | R.RANGE_TO),
    **_words(R.OCLOCK, "o'clock oclock"),
    **_words(R.MIDNIGHT, "middernacht midnight"),
    **_words(R.NOON, "noon midday"),
    "am": Meaning(R.AMPM, daypart=DayPart.MORNING),
    "pm": Meaning(R.AMPM, daypart=DayPart.EVENING),
    **_words(R.DAYPART | R.FILLER, "vanochtend vanmorgen", daypart=DayPart.MORNING),
    **_words(R.DAYPART | R.FILLER, "vanmiddag", daypart=DayPart.AFTERNOON),
    **_words(R.DAYPART | R.FILLER, "vanavond tonight", daypart=DayPart.EVENING),
    **_words(R.DAYPART | R.FILLER | R.NIGHT, "vannacht", daypart=DayPart.NIGHT),
    **_words(R.AT | R.FILLER, "om at tegen"),
    **_words(R.RANGE_FROM | R.FILLER, "van from"),
    **_words(R.RANGE_FROM, "tussen between"),
    **_words(R.RANGE_TO, "tot till until til t/m"),
    **_words(R.DASH | R.RANGE_TO, "- – —"),
    **_words(R.CONJ | R.FILLER, "en and & then daarna toen /"),
    # --- sleep
    **_words(R.BED, "bed bedtijd bedtime ingeslapen asleep"),
    **_words(R.WAKE, "opgestaan wakker woke awake wekker alarm"),
    **_words(R.WAKE | R.FILLER, "op up"),
    **_words(R.NIGHT, "nacht nachtje night"),
    **_words(
        R.SLEEP_GOOD | R.FILLER,
        "lekker heerlijk good well great fine super uitgerust rested fijn best goede fijne prettig",
    ),
    **_words(
        R.SLEEP_BAD,
        "slecht slechte beroerd beroerde rot waardeloos matig onrustig onrustige badly bad poorly terrible "
        "awful restless belabberd barely nauwelijks amper",
    ),
    **_words(R.SLEEP_BAD | R.FILLER, "kort korte weinig rough short little"),
    **_words(
        R.SLEEP_BAD | R.TIRED,
        "moe doodmoe hondsmoe kapot gesloopt uitgeput brak gebroken tired exhausted sleepy slaperig "
        "knackered 🥱",
    ),
    **_words(R.ABLE | R.FILLER, "kon kunnen konden"),
    # --- commands typed without the slash
    **_words(R.COMMAND, "stop stoppen pauze pauzeer pauzeren pause", command=Command.PAUSE),
    **_words(R.COMMAND, "hervat hervatten resume doorgaan", command=Command.RESUME),
    **_words(R.COMMAND, "help hulp helpen", command=Command.HELP),
    **_words(R.COMMAND, "instellingen instelling settings setting voorkeuren menu", command=Command.SETTINGS),
    **_words(R.COMMAND, "stats statistieken statistiek statistics voortgang progress", command=Command.STATS),
    # --- greetings and thanks
    **_words(
        R.GREETING | R.FILLER,
        "hoi hallo hey hi hello hai hee hoihoi heey yo goedemorgen goeiemorgen goedemiddag goeiemiddag "
        "goedenavond goeienavond goedenacht welterusten morning doei dag daag bye hiya moi moin "
        "hallootjes 👋",
    ),
    **_words(
        R.THANKS | R.FILLER,
        "dank dankje dankjewel dankuwel bedankt thanks thank thankyou thx tnx ty merci 🙏",
    ),
    # --- ok: a weak yes
    **_words(R.OK | R.FILLER, "ok oke oké okay okey okee oki oky okido okidoki k kk alright 👌"),
    **_words(R.OK | R.SLEEP_GOOD | R.FILLER, "prima goed"),
    # --- snooze
    **_words(R.SNOOZE, "snooze snoozen sluimer sluimeren uitstellen postpone"),
    "in": Meaning(R.SNOOZE_PREP | R.FILLER),
    **_words(R.POLITE, "alsjeblieft alstublieft aub please pls plz graag svp"),
    **_words(R.POLITE | R.FILLER, "herinner remind me mij iets beetje bit"),
    **_words(R.TOTAL | R.FILLER, "al already"),
    **_words(R.TOTAL, "totaal total teller"),
    # --- small words that may stand in a check-in without changing it
    **_words(
        R.FILLER,
        # Dutch
        "ik heb hebt heeft hebben ben bent is was waren net zojuist daarnet zonet even eventjes ff effe "
        "weer nog hoor de het 't mijn m'n mn je jij we wij die dat deze dit er ook toch gewoon wel "
        "echt heel erg mooi top nu zo dus nou maar met na aan uit buiten binnen park bos strand hond "
        "lunch ontbijt eten avondeten diner maaltijd middageten alvast allemaal klein kleine lang lange "
        "flink flinke stevig stevige snel snelle rustig rustige gezellig samen haha hihi lol jippie "
        "hoera yay oef pfff pff poeh sorry helaas gelukkig eindelijk bot hè he hé joh zeg dan trouwens "
        "door langs heen daar ging lag gingen hier nieuwe extra groot grote vol volle koud koude lauw "
        "warm warme kraan kraanwater bruisend spa xx xxx buurt wijk stuk stukje tijdens werk helemaal "
        "erbij alweer hem 'm "
        # English
        "i i'm im i've ive have has just more the my some for with after this that it its it's again only "
        "also too really so now quick long nice evening afternoon breakfast dinner meal finally "
        "outside block dog cold big full tap all totally completely proper lovely brisk",
    ),
}

# Words that open a phrase ("met mijn buurvrouw", "langs de gracht", "with my sister") in which a
# walk may name what the lexicon does not know; they keep what else they mean ("op" is waking up).
_PREPOSITIONS = [
    "met", "door", "naar", "langs", "rond", "rondom", "bij", "op", "na", "tijdens", "via", "richting",
    "achter", "over", "in", "om", "tegen", "van", "voor", "with", "through", "around", "along", "by",
    "after", "across", "into", "near", "round", "at", "from", "to", "past",
]  # fmt: skip
for _word in _PREPOSITIONS:
    _meaning = LEXICON.get(_word, Meaning(R.FILLER))
    LEXICON[_word] = replace(_meaning, roles=_meaning.roles | R.PREPOSITION)

# Phrases, longest first within each starting word; they win over their words one by one.
PHRASES: dict[tuple[str, ...], Meaning] = {
    ("blokje", "om"): Meaning(_HABIT_NOUN, habit=Habit.WALK),
    ("blokjes", "om"): Meaning(_HABIT_NOUN, habit=Habit.WALK),
    ("rondje", "om"): Meaning(_HABIT_NOUN, habit=Habit.WALK),
    ("stukje", "gelopen"): Meaning(R.DONE_VERB, habit=Habit.WALK),
    ("stukje", "gewandeld"): Meaning(R.DONE_VERB, habit=Habit.WALK),
    ("hond", "uitgelaten"): Meaning(R.DONE_VERB, habit=Habit.WALK),
    ("dog", "walk"): Meaning(_HABIT_NOUN, habit=Habit.WALK),
    ("breathing", "exercise"): Meaning(_HABIT_NOUN, habit=Habit.BREATHING),
    ("breathing", "exercises"): Meaning(_HABIT_NOUN, habit=Habit.BREATHING),
    ("adem", "oefening"): Meaning(_HABIT_NOUN, habit=Habit.BREATHING),
    ("adem", "gehaald"): Meaning(R.DONE_VERB, habit=Habit.BREATHING),
    ("diep", "ademgehaald"): Meaning(R.DONE_VERB, habit=Habit.BREATHING),
    ("wind", "down"): Meaning(R.HABIT, habit=Habit.SLEEP),
    ("wound", "down"): Meaning(R.DONE_VERB, habit=Habit.SLEEP),
    ("i", "did"): _m(R.DONE),
    ("did", "it"): _m(R.DONE),
    ("done", "it"): _m(R.DONE),
    ("heb", "ik", "gedaan"): _m(R.DONE),
    ("is", "gebeurd"): _m(R.DONE),
    ("one", "more"): _m(R.ANOTHER, value=1.0),
    ("another", "one"): _m(R.ANOTHER, value=1.0),
    ("nog", "een"): _m(R.ANOTHER, value=1.0),
    ("nog", "één"): _m(R.ANOTHER, value=1.0),
    ("nog", "eentje"): _m(R.ANOTHER, value=1.0),
    ("weer", "een"): _m(R.ANOTHER, value=1.0),
    ("en", "een", "half"): _m(R.AND_A_HALF),
    ("en", "een", "halve"): _m(R.AND_A_HALF),
    ("and", "a", "half"): _m(R.AND_A_HALF),
    ("half", "an", "hour"): _m(R.UNIT, unit=Unit.HOUR, value=0.5, singular=True),
    ("half", "uur"): _m(R.UNIT, unit=Unit.HOUR, value=0.5, singular=True),
    ("halfuur",): _m(R.UNIT, unit=Unit.HOUR, value=0.5, singular=True),
    ("half", "uurtje"): _m(R.UNIT, unit=Unit.HOUR, value=0.5, singular=True),
    ("halfuurtje",): _m(R.UNIT, unit=Unit.HOUR, value=0.5, singular=True),
    ("is", "goed", "gelopen"): _m(R.UNKNOWN),  # "it went well"
    ("a", "couple"): _m(R.UNKNOWN),  # too vague to count
    ("een", "paar"): _m(R.UNKNOWN),
    ("een", "stuk", "of"): _m(R.ESTIMATE),
    ("rond", "de"): _m(R.ESTIMATE),
    ("zo", "'n"): _m(R.ESTIMATE),
    ("nog", "niet"): _m(R.NEGATION),
    ("nog", "geen"): _m(R.NEGATION),
    ("not", "yet"): _m(R.NEGATION),
    ("niet", "echt"): _m(R.NEGATION),
    ("not", "really"): _m(R.NEGATION),
    ("niet", "vandaag"): _m(R.SKIP),
    ("vandaag", "niet"): _m(R.SKIP),
    ("vandaag", "even", "niet"): _m(R.SKIP),
    ("vandaag", "maar", "niet"): _m(R.SKIP),
    ("not", "today"): _m(R.SKIP),
    ("laat", "maar"): _m(R.SKIP),
    ("laat", "maar", "zitten"): _m(R.SKIP),
    ("geen", "tijd"): _m(R.SKIP),
    ("geen", "zin"): _m(R.SKIP),
    ("no", "time"): _m(R.SKIP),
    ("deze", "keer"): _m(R.FILLER),
    ("deze", "keer", "niet"): _m(R.SKIP),
    ("kan", "vandaag", "niet"): _m(R.SKIP),
    ("can't", "today"): _m(R.SKIP),
    ("cant", "today"): _m(R.SKIP),
    ("tot", "nu", "toe"): _m(R.TOTAL),
    ("so", "far"): _m(R.TOTAL),
    ("in", "totaal"): _m(R.TOTAL),
    ("in", "total"): _m(R.TOTAL),
    ("this", "time"): _m(R.FILLER),
    ("niet", "nu"): _m(R.SNOOZE),
    ("nu", "niet"): _m(R.SNOOZE),
    ("not", "now"): _m(R.SNOOZE),
    ("ff", "niet"): _m(R.SNOOZE),
    ("even", "niet"): _m(R.SNOOZE),
    ("zo", "meteen"): _m(R.FUTURE | R.SNOOZE),
    ("zo", "direct"): _m(R.FUTURE | R.SNOOZE),
    ("in", "a", "bit"): _m(R.FUTURE | R.SNOOZE),
    ("in", "a", "while"): _m(R.FUTURE | R.SNOOZE),
    ("in", "een", "tijdje"): _m(R.FUTURE | R.SNOOZE),
    ("going", "to"): _m(R.FUTURE),
    ("i", "will"): _m(R.FUTURE),
    ("have", "to"): _m(R.FUTURE),
    ("has", "to"): _m(R.FUTURE),
    ("about", "to"): _m(R.FUTURE),
    ("on", "my", "way"): _m(R.FUTURE),
    ("op", "weg"): _m(R.FUTURE),
    ("aan", "het"): _m(R.FUTURE),  # "ben aan het wandelen": still under way
    ("van", "plan"): _m(R.FUTURE),
    ("let's",): _m(R.FUTURE),
    ("lets",): _m(R.FUTURE),
    ("laten", "we"): _m(R.FUTURE),
    ("heb", "ik"): _m(R.QUESTION_START | R.FILLER),
    ("ben", "ik"): _m(R.QUESTION_START | R.FILLER),
    ("moet", "ik"): _m(R.QUESTION | R.FUTURE),
    ("kan", "ik"): _m(R.QUESTION),
    ("mag", "ik"): _m(R.QUESTION),
    ("zal", "ik"): _m(R.QUESTION),
    ("did", "i"): _m(R.QUESTION_START | R.DONE),
    ("have", "i"): _m(R.QUESTION_START | R.FILLER),
    ("do", "i"): _m(R.QUESTION),
    ("should", "i"): _m(R.QUESTION),
    ("can", "i"): _m(R.QUESTION),
    ("am", "i"): _m(R.QUESTION),
    ("is", "het"): _m(R.QUESTION_START | R.FILLER),
    ("is", "it"): _m(R.QUESTION_START | R.FILLER),
    ("hoe", "laat"): _m(R.QUESTION),
    ("is", "goed"): _m(R.OK | R.FILLER),
    ("oki", "doki"): _m(R.OK | R.FILLER),
    ("all", "right"): _m(R.OK | R.FILLER),
    ("sounds", "good"): _m(R.OK | R.FILLER),
    ("naar", "bed"): _m(R.BED),
    ("in", "bed"): _m(R.BED),
    ("to", "bed"): _m(R.BED),
    ("in", "slaap"): _m(R.BED),
    ("in", "slaap", "gevallen"): _m(R.BED),
    ("fell", "asleep"): _m(R.BED),
    ("went", "to", "bed"): _m(R.BED),
    ("went", "to", "sleep"): _m(R.BED),
    ("lights", "out"): _m(R.BED),
    ("uit", "bed"): _m(R.WAKE),
    ("out", "of", "bed"): _m(R.WAKE),
    ("woke", "up"): _m(R.WAKE),
    ("got", "up"): _m(R.WAKE),
    ("wakker", "geworden"): _m(R.WAKE),
    ("wakker", "worden"): _m(R.WAKE),
    ("als", "een", "roos"): _m(R.SLEEP_GOOD),
    ("als", "een", "blok"): _m(R.SLEEP_GOOD),
    ("als", "een", "baby"): _m(R.SLEEP_GOOD),
    ("like", "a", "baby"): _m(R.SLEEP_GOOD),
    ("like", "a", "log"): _m(R.SLEEP_GOOD),
    ("like", "a", "rock"): _m(R.SLEEP_GOOD),
    ("slaap", "lekker"): _m(R.GREETING),
    ("sleep", "well"): _m(R.GREETING),
    ("good", "morning"): _m(R.GREETING),
    ("good", "evening"): _m(R.GREETING),
    ("good", "afternoon"): _m(R.GREETING),
    ("good", "night"): _m(R.GREETING),
    ("goede", "morgen"): _m(R.GREETING),
    ("goeie", "morgen"): _m(R.GREETING),
    ("tot", "morgen"): _m(R.GREETING),
    ("tot", "straks"): _m(R.GREETING),
    ("tot", "later"): _m(R.GREETING),
    ("see", "you"): _m(R.GREETING),
    ("dank", "je"): _m(R.THANKS),
    ("dank", "je", "wel"): _m(R.THANKS),
    ("dank", "u"): _m(R.THANKS),
    ("dank", "u", "wel"): _m(R.THANKS),
    ("thank", "you"): _m(R.THANKS),
    ("hou", "op"): _m(R.COMMAND, command=Command.PAUSE),
    ("houd", "op"): _m(R.COMMAND, command=Command.PAUSE),
    ("ga", "door"): _m(R.COMMAND, command=Command.RESUME),
    ("ga", "maar", "door"): _m(R.COMMAND, command=Command.RESUME),
    ("'s", "ochtends"): _m(R.DAYPART, daypart=DayPart.MORNING),
    ("'s", "morgens"): _m(R.DAYPART, daypart=DayPart.MORNING),
    ("'s", "middags"): _m(R.DAYPART, daypart=DayPart.AFTERNOON),
    ("'s", "avonds"): _m(R.DAYPART, daypart=DayPart.EVENING),
    ("'s", "nachts"): _m(R.DAYPART | R.NIGHT, daypart=DayPart.NIGHT),
    ("s", "ochtends"): _m(R.DAYPART, daypart=DayPart.MORNING),
    ("s", "avonds"): _m(R.DAYPART, daypart=DayPart.EVENING),
    ("s", "nachts"): _m(R.DAYPART | R.NIGHT, daypart=DayPart.NIGHT),
    ("in", "de", "ochtend"): _m(R.DAYPART, daypart=DayPart.MORNING),
    ("in", "de", "middag"): _m(R.DAYPART, daypart=DayPart.AFTERNOON),
    ("in", "de", "avond"): _m(R.DAYPART, daypart=DayPart.EVENING),
    ("in", "de", "nacht"): _m(R.DAYPART | R.NIGHT, daypart=DayPart.NIGHT),
    ("in", "the", "morning"): _m(R.DAYPART, daypart=DayPart.MORNING),
    ("in", "the", "afternoon"): _m(R.DAYPART, daypart=DayPart.AFTERNOON),
    ("in", "the", "evening"): _m(R.DAYPART, daypart=DayPart.EVENING),
    ("at", "night"): _m(R.DAYPART | R.NIGHT, daypart=DayPart.NIGHT),
    ("last", "night"): _m(R.NIGHT | R.FILLER | R.LAST_NIGHT),
    ("this", "morning"): _m(R.DAYPART | R.FILLER, daypart=DayPart.MORNING),
    ("gisteravond",): _m(R.NIGHT | R.FILLER | R.LAST_NIGHT),
    ("last", "week"): _m(R.YESTERDAY),
}
_LONGEST_PHRASE = max(len(key) for key in PHRASES)

# Real words one typo away from a word of the lexicon: never read as that typo.
NOT_TYPOS = frozenset(
    {
        "kopen", "hopen", "open", "gelogen", "gekocht", "talked", "talking", "walker", "waker", "swept",
        "frank", "prank", "crank", "blazen", "glazed", "class", "grass", "geplukt", "gebukt", "cheek",
        "chuck", "chick", "state", "vandaan", "slaan", "later", "laten", "water", "wafer", "hater",
        "sweeping", "gedacht", "gezien", "gelezen", "geleden", "gemaild", "klaas", "klaag", "stops",
        "walls", "wales", "sleepy", "breast", "bread", "dronken", "drinks", "glans", "graag", "yours",
        "ours", "baker", "sitting", "talks", "scroll", "eater", "wader", "shipped", "liep", "slip", "time",
        "paus", "rink", "troll", "step", "slap", "heck",
    }
)  # fmt: skip
_TYPO_ROLES = R.HABIT | R.NOUN | R.DONE_VERB | R.DONE | R.DONE_AUX | R.SKIP | R.UNIT | R.COMMAND
_MIN_TYPO_LENGTH = 5


# --- normalisation -------------------------------------------------------------------------------

_SKIN_TONES = range(0x1F3FB, 0x1F400)
# Invisible characters phones add around emoji; none of them changes the meaning.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\ufe0e\ufe0f"
_DROP: dict[int, None] = dict.fromkeys([*map(ord, _INVISIBLE), *_SKIN_TONES])
_APOSTROPHES = str.maketrans(dict.fromkeys("’‘ʼ`´", "'"))
_TRAILING_PUNCTUATION = " !.,;:"


def normalize(text: str) -> str | None:
    """Lower-cased, NFKC, invisible characters and skin tones dropped, whitespace collapsed and
    trailing ``! . , ; :`` removed; None for text too long or with digits NFKC would change."""
    if len(text) > MAX_TEXT_LENGTH:
        return None
    # NFKC would turn "1²" into "12" and "⒈" into "1.", silently changing the amount.
    if any(ch.isnumeric() and not ch.isdecimal() for ch in text):
        return None
    text = unicodedata.normalize("NFKC", text.translate(_APOSTROPHES)).translate(_DROP).casefold()
    text = " ".join(text.split()).rstrip(_TRAILING_PUNCTUATION)
    return text or None


# --- tokens --------------------------------------------------------------------------------------

_SCAN = re.compile(
    r"(?P<hm>[0-9]{1,2}[:uh][0-9]{2})(?![0-9])"
    r"|(?P<number>[0-9]+(?:[.,][0-9]+)*)"
    r"|(?P<word>'[stn](?![^\W\d_])|[^\W\d_]+(?:['/-][^\W\d_]+)*)"
    r"|(?P<space>\s+)"
    r"|(?P<char>.)",
    re.DOTALL,
)
_DECIMAL = re.compile(r"[0-9]{1,6}(?:[.,][0-9]{1,2})?")
_UNLOOKED = Meaning(R.UNKNOWN)  # a word token until phrases are merged
_UNKNOWN = Meaning(R.UNKNOWN)
_INVALID = Meaning(R.INVALID)
_SEPARATOR = Meaning(R.SEPARATOR)
_DECORATION = Meaning(R.NONE)


def tokenize(text: str) -> list[Token] | None:
    """The tokens of normalised text, phrases merged and words looked up; None if it holds a
    character no message of ours needs (control characters, other scripts' digits, ...)."""
    raw: list[Token] = []
    glued = False
    for match in _SCAN.finditer(text):
        kind, piece = match.lastgroup, match.group()
        if kind == "space":
            glued = False
            continue
        if kind == "hm":
            hm = (int(piece[:-3]), int(piece[-2:]), piece[-3])
            raw.append(Token(piece, _HM, hm=hm, glued=glued))
        elif kind == "number":
            raw.append(Token(piece, _number_meaning(piece), glued=glued))
        elif kind == "word":
            raw.append(Token(piece, _UNLOOKED, glued=glued))
        else:
            meaning = _char_meaning(piece)
            if meaning is None:
                return None
            if meaning is not _DECORATION:
                raw.append(Token(piece, meaning, glued=glued))
        glued = True
    return _merge_phrases(raw)


_HM = Meaning(R.HM)
_QUESTION_MARK = Meaning(R.QUESTION_MARK)


def _number_meaning(digits: str) -> Meaning:
    if not _DECIMAL.fullmatch(digits):
        return _INVALID
    return Meaning(R.NUMBER, value=round(float(digits.replace(",", ".")), 2))


def _char_meaning(char: str) -> Meaning | None:
    if char in "?❓❔⁉":
        return _QUESTION_MARK
    if char in LEXICON:
        return LEXICON[char]
    if char in "%‰":  # "20%" is no amount of anything
        return _INVALID
    category = unicodedata.category(char)
    if category.startswith("P"):
        return _SEPARATOR
    if category in ("So", "Sk"):
        return _DECORATION
    if category in ("Sm", "Sc"):
        return _INVALID
    return None


_PHRASE_STARTS = frozenset(key[0] for key in PHRASES)


def _merge_phrases(raw: list[Token]) -> list[Token]:
    # Accent-free forms of the word tokens; "" for numbers and symbols, which no phrase holds.
    plain = [_plain(token.text) if token.meaning is _UNLOOKED else "" for token in raw]
    tokens: list[Token] = []
    index = 0
    while index < len(raw):
        length, phrase = _phrase_at(plain, index)
        if phrase is not None:
            text = " ".join(token.text for token in raw[index : index + length])
            tokens.append(Token(text, phrase, glued=raw[index].glued))
        else:
            token = raw[index]
            tokens.append(replace(token, meaning=lookup(token.text)) if plain[index] else token)
        index += length
    return tokens


def _phrase_at(plain: list[str], index: int) -> tuple[int, Meaning | None]:
    """The longest phrase starting at `index` and how many words it takes (1 and None if none)."""
    if plain[index] in _PHRASE_STARTS:
        for length in range(min(_LONGEST_PHRASE, len(plain) - index), 0, -1):
            words = plain[index : index + length]
            if all(words) and (phrase := PHRASES.get(tuple(words))) is not None:
                return length, phrase
    return 1, None


# --- looking words up ----------------------------------------------------------------------------


def _plain(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_PLAIN_LEXICON: dict[str, Meaning] = {}
for _word, _meaning in LEXICON.items():
    _PLAIN_LEXICON.setdefault(_plain(_word), _meaning)
_SQUEEZE_TO_TWO = re.compile(r"(.)\1{2,}")
_SQUEEZE_TO_ONE = re.compile(r"(.)\1+")


@functools.lru_cache(maxsize=4096)
def lookup(word: str) -> Meaning:
    """What a single word can mean; ``Role.UNKNOWN`` if nothing."""
    for candidate in (word, _plain(word)):
        if candidate in LEXICON:
            return LEXICON[candidate]
        if candidate in _PLAIN_LEXICON:
            return _PLAIN_LEXICON[candidate]
    plain = _plain(word)
    if _SQUEEZE_TO_TWO.search(plain):
        # "klaaaar", "yesss", "klaarrr", "jaaa": letters held down on a phone
        squeezed = (
            _SQUEEZE_TO_TWO.sub(r"\1\1", plain),
            _SQUEEZE_TO_TWO.sub(r"\1", plain),
            _SQUEEZE_TO_ONE.sub(r"\1", plain),
        )
        for candidate in squeezed:
            meaning = _PLAIN_LEXICON.get(candidate) if len(candidate) > 1 else None  # "lll" is no "l"
            if meaning is not None and not meaning.roles & R.NUMBER:  # numbers are typed as meant
                return meaning
    return _typo_of(plain) or _UNKNOWN


_DOUBT_ROLES = R.NEGATION | R.FUTURE | R.QUESTION | R.YESTERDAY
_DOUBT_WORDS = tuple(
    word for word, meaning in _PLAIN_LEXICON.items() if meaning.roles & _DOUBT_ROLES and len(word) > 1
)


@functools.lru_cache(maxsize=4096)
def may_be_doubt(word: str) -> bool:
    """Whether a word the lexicon does not know may be a negation, future or question word typed
    wrong ("neit", "havnt"), or is too short to tell ("nt"): never ignore such a word."""
    plain = _plain(word)
    return len(plain) <= 2 or _near_doubt(plain)


def _near_doubt(plain: str) -> bool:
    return any(abs(len(plain) - len(known)) <= 1 and _one_edit_apart(plain, known) for known in _DOUBT_WORDS)


def _typo_targets() -> dict[int, list[tuple[str, Meaning]]]:
    by_length: dict[int, list[tuple[str, Meaning]]] = {}
    for word, meaning in _PLAIN_LEXICON.items():
        typo_prone = meaning.roles & _TYPO_ROLES and not meaning.roles & (R.NUMBER | R.NEGATION | R.FUTURE)
        if len(word) >= _MIN_TYPO_LENGTH and word.isalpha() and typo_prone:
            by_length.setdefault(len(word), []).append((word, meaning))
    return by_length


_TYPO_TARGETS = _typo_targets()


def _typo_of(word: str) -> Meaning | None:
    if len(word) < _MIN_TYPO_LENGTH - 1 or not word.isalpha() or word in NOT_TYPOS:
        return None
    if _near_doubt(word):
        return None  # "fater" is as close to "later" as to "water": guess neither
    found: Meaning | None = None
    for length in (len(word) - 1, len(word), len(word) + 1):
        for target, meaning in _TYPO_TARGETS.get(length, ()):
            if _one_edit_apart(word, target):
                found = meaning if found is None else _common(found, meaning)
                if found is None:
                    return None  # two different words are that close: guess neither
    return found


def _common(one: Meaning, other: Meaning) -> Meaning | None:
    """What two words have in common ("wandelin": "wandeling" and "wandelen" both name the walk)."""
    if one == other:
        return one
    if (one.habit, one.unit, one.command) != (other.habit, other.unit, other.command):
        return None
    roles = one.roles & other.roles
    return replace(one, roles=roles) if roles else None


def _one_edit_apart(typed: str, target: str) -> bool:
    """One substitution, insertion, deletion or swap of two neighbouring letters (Damerau)."""
    if typed == target:
        return False
    if len(typed) == len(target):
        differ = [i for i, (a, b) in enumerate(zip(typed, target, strict=True)) if a != b]
        if len(differ) == 1:
            return True
        first = differ[0]
        return (
            len(differ) == 2
            and differ[1] == first + 1
            and typed[first] == target[first + 1]
            and typed[first + 1] == target[first]
        )
    shorter, longer = (typed, target) if len(typed) < len(target) else (target, typed)
    if len(longer) - len(shorter) != 1:
        return False
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))
