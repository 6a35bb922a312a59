"""The admins' `/tip` command, read in Dutch or English: `/tip toon water-why`, `/tip show water-why`.

/tip                         overview with a button per habit
/tip water | lijst water     the tips of a habit (list water)
/tip water-why               one tip in both languages, as members see it (toon / show)
/tip nieuw water             add a tip (add): the Dutch text, then the English one, as two
                             messages or two lines (or NL | EN, with one | only)
/tip wijzig ID [nl|en] [TEKST]  change the Dutch or English text (edit); without a text the
                             current one is shown and the next message replaces it
/tip aan ID, /tip uit ID     enable or disable a tip (on / off)
/tip verwijder ID            delete a tip; its history and statistics stay (delete)
/tip ongedaan                undo your last change, within 10 minutes (undo)
/tip web                     a one-time link to edit the tips in a browser
/tip stuur ID [nl|en]        send it to yourself as a real nudge (send)
/tip geschiedenis ID         who changed it, when, before and after (history)
/tip herlaad                 load content/tips.yaml again (reload)
/tip stats                   sent and answered per habit and tip, and the members (statistieken)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from tips.editing import Language
from tips.schema import TIP_ID_PATTERN, TipGroup


class TipAction(StrEnum):
    MENU = "menu"
    LIST = "list"
    SHOW = "show"
    ADD = "add"
    EDIT = "edit"
    ENABLE = "on"
    DISABLE = "off"
    SEND = "send"
    HISTORY = "history"
    RELOAD = "reload"
    STATS = "stats"
    HELP = "help"
    DELETE = "delete"
    UNDO = "undo"
    WEB = "web"


ACTION_WORDS: dict[str, TipAction] = {
    "list": TipAction.LIST, "lijst": TipAction.LIST,
    "show": TipAction.SHOW, "toon": TipAction.SHOW, "bekijk": TipAction.SHOW,
    "preview": TipAction.SHOW,
    "add": TipAction.ADD, "new": TipAction.ADD, "nieuw": TipAction.ADD,
    "toevoegen": TipAction.ADD,
    "edit": TipAction.EDIT, "wijzig": TipAction.EDIT, "bewerk": TipAction.EDIT,
    "on": TipAction.ENABLE, "enable": TipAction.ENABLE, "aan": TipAction.ENABLE,
    "off": TipAction.DISABLE, "disable": TipAction.DISABLE, "uit": TipAction.DISABLE,
    "send": TipAction.SEND, "stuur": TipAction.SEND, "test": TipAction.SEND,
    "history": TipAction.HISTORY, "geschiedenis": TipAction.HISTORY,
    "reload": TipAction.RELOAD, "herlaad": TipAction.RELOAD, "herladen": TipAction.RELOAD,
    "stats": TipAction.STATS, "statistics": TipAction.STATS, "statistieken": TipAction.STATS,
    "help": TipAction.HELP, "hulp": TipAction.HELP,
    "delete": TipAction.DELETE, "remove": TipAction.DELETE, "verwijder": TipAction.DELETE,
    "verwijderen": TipAction.DELETE, "wis": TipAction.DELETE,
    "undo": TipAction.UNDO, "ongedaan": TipAction.UNDO, "terug": TipAction.UNDO,
    "web": TipAction.WEB, "browser": TipAction.WEB, "site": TipAction.WEB,
}  # fmt: skip

GROUP_WORDS: dict[str, TipGroup] = {
    "water": TipGroup.WATER, "drinken": TipGroup.WATER,
    "walk": TipGroup.WALK, "wandelen": TipGroup.WALK, "wandeling": TipGroup.WALK,
    "breathing": TipGroup.BREATHING, "breathe": TipGroup.BREATHING, "ademen": TipGroup.BREATHING,
    "adem": TipGroup.BREATHING,
    "sleep": TipGroup.SLEEP, "slaap": TipGroup.SLEEP, "slapen": TipGroup.SLEEP,
    "general": TipGroup.GENERAL, "algemeen": TipGroup.GENERAL,
}  # fmt: skip

LANGUAGE_WORDS: dict[str, Language] = {
    "nl": "nl", "nederlands": "nl", "dutch": "nl",
    "en": "en", "engels": "en", "english": "en",
}  # fmt: skip

_TIP_ID = re.compile(TIP_ID_PATTERN)
_COMMAND_WORD = re.compile(r"^/\w+(@\w+)?")


@dataclass(frozen=True)
class TipCommand:
    action: TipAction
    group: TipGroup | None = None
    tip_id: str | None = None
    language: Language | None = None
    text: str = ""
    nl: str = ""
    en: str = ""


class UsageProblem(StrEnum):
    """Why an add was not understood, beyond a missing word."""

    PIPES = "pipes"  # more than one |: where the English starts is anyone's guess
    LINES = "lines"  # more than two lines: which is Dutch and which English?


@dataclass(frozen=True)
class TipUsage:
    """The command was not complete: explain how `action` is written (None: all of them)."""

    action: TipAction | None
    problem: UsageProblem | None = None
    group: TipGroup | None = None


def command_arguments(message_text: str) -> str:
    """What follows `/tip` (or `/tip@bot`), with the line breaks inside kept."""
    return _COMMAND_WORD.sub("", message_text.strip(), count=1).strip()


def parse_tip_command(arguments: str) -> TipCommand | TipUsage:
    """Read the words after `/tip`."""
    word, rest = _first_word(arguments)
    if not word:
        return TipCommand(TipAction.MENU)
    key = word.lower()
    if key in GROUP_WORDS:
        return TipCommand(TipAction.LIST, group=GROUP_WORDS[key])
    action = ACTION_WORDS.get(key)
    if action is None:
        # `/tip water-why` shows that tip; ids have a hyphen, which no other word here has.
        is_tip_id = "-" in key and _TIP_ID.fullmatch(key)
        return TipCommand(TipAction.SHOW, tip_id=key) if is_tip_id else TipUsage(None)
    if action in (TipAction.RELOAD, TipAction.STATS, TipAction.HELP, TipAction.UNDO, TipAction.WEB):
        return TipCommand(action)
    if action is TipAction.LIST:
        group = GROUP_WORDS.get(_first_word(rest)[0].lower())
        return TipCommand(TipAction.LIST, group=group) if group else TipCommand(TipAction.MENU)
    if action is TipAction.ADD:
        return _add(rest)
    tip_word, rest = _first_word(rest)
    tip_id = tip_word.lower()
    if not _TIP_ID.fullmatch(tip_id):
        return TipUsage(action)
    if action is TipAction.EDIT:
        # Without a text the bot shows the current one, and the next message replaces it.
        language_word, text = _first_word(rest)
        if not language_word:
            return TipCommand(action, tip_id=tip_id)
        language = LANGUAGE_WORDS.get(language_word.lower())
        if language is None:
            return TipUsage(action)
        return TipCommand(action, tip_id=tip_id, language=language, text=text)
    if action is TipAction.SEND:
        language_word = _first_word(rest)[0].lower()
        if language_word and language_word not in LANGUAGE_WORDS:
            return TipUsage(action)
        return TipCommand(action, tip_id=tip_id, language=LANGUAGE_WORDS.get(language_word))
    return TipCommand(action, tip_id=tip_id)


def _add(rest: str) -> TipCommand | TipUsage:
    """`nieuw water`, then the texts: none yet, the Dutch one, both on two lines, or `NL | EN`."""
    group_word, texts = _first_word(rest)
    group = GROUP_WORDS.get(group_word.lower())
    if group is None:
        return TipUsage(TipAction.ADD)
    if texts.count("|") > 1:
        return TipUsage(TipAction.ADD, UsageProblem.PIPES, group)
    if "|" in texts:
        nl, _, en = texts.partition("|")
        if not nl.strip() or not en.strip():
            return TipUsage(TipAction.ADD)
        return TipCommand(TipAction.ADD, group=group, nl=nl.strip(), en=en.strip())
    lines = [line.strip() for line in texts.splitlines() if line.strip()]
    if len(lines) > 2:
        return TipUsage(TipAction.ADD, UsageProblem.LINES, group)
    nl, en = [*lines, "", ""][:2]
    return TipCommand(TipAction.ADD, group=group, nl=nl, en=en)


def _first_word(text: str) -> tuple[str, str]:
    """The first word and the rest (line breaks in the rest are kept)."""
    parts = text.strip().split(maxsplit=1)
    if not parts:
        return "", ""
    return parts[0], parts[1].strip() if len(parts) > 1 else ""
