"""The words of the check-ins export in Dutch and English: its headers and the stored words it shows.

Not sentences, so not in bot/texts.py: one table per language that habits/privacy.py reads
through `ExportWords`.
"""

from __future__ import annotations

from functools import partial

from bot.texts import format_number
from habits.privacy import ExportWords

HEADERS = {
    "nl": {
        "day": "datum",
        "time": "tijd",
        "habit": "gewoonte",
        "moment": "moment",
        "status": "status",
        "value": "waarde",
        "source": "bron",
    },
    "en": {
        "day": "date",
        "time": "time",
        "habit": "habit",
        "moment": "moment",
        "status": "status",
        "value": "value",
        "source": "source",
    },
}
WORDS = {
    "nl": {
        "habit": {"water": "water", "walk": "wandelen", "breathing": "ademen", "sleep": "slaap"},
        # Breathing has one moment a day: the habit says it all.
        "moment": {
            "walk-breakfast": "na het ontbijt",
            "walk-lunch": "na de lunch",
            "walk-dinner": "na het avondeten",
            "breathing": "",
            "sleep-winddown": "afbouwen",
            "sleep-morning": "ochtend",
        },
        "status": {"done": "gedaan", "skipped": "overgeslagen"},
        "source": {"button": "knop", "text": "tekst"},
    },
    "en": {
        "habit": {"water": "water", "walk": "walk", "breathing": "breathing", "sleep": "sleep"},
        "moment": {
            "walk-breakfast": "after breakfast",
            "walk-lunch": "after lunch",
            "walk-dinner": "after dinner",
            "breathing": "",
            "sleep-winddown": "wind-down",
            "sleep-morning": "morning",
        },
        "status": {"done": "done", "skipped": "skipped"},
        "source": {"button": "button", "text": "text"},
    },
}


def export_words(language: str) -> ExportWords:
    """The export's words in `language` (Dutch when the language is unknown)."""
    if language not in HEADERS:
        language = "nl"
    return ExportWords(
        headers=HEADERS[language], words=WORDS[language], number=partial(format_number, language)
    )
