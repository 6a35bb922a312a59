"""Weekday and month names in Dutch and English: the one table every message and chart uses."""

from __future__ import annotations

WEEKDAYS = {
    "nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
SHORT_WEEKDAYS = {
    "nl": ("ma", "di", "wo", "do", "vr", "za", "zo"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
SHORT_MONTHS = {
    "nl": ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}


def _table(language: str) -> str:
    return language if language in WEEKDAYS else "nl"


def weekday_name(language: str, weekday: int) -> str:
    """Monday 0 ... Sunday 6: "maandag" / "Monday"."""
    return WEEKDAYS[_table(language)][weekday]


def short_weekday(language: str, weekday: int) -> str:
    """Monday 0 ... Sunday 6: "ma" / "Mon"."""
    return SHORT_WEEKDAYS[_table(language)][weekday]


def short_month(language: str, month: int) -> str:
    """January 1 ... December 12: "mrt" / "Mar"."""
    return SHORT_MONTHS[_table(language)][month - 1]
