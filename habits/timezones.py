"""Reading a time zone a person typed: an IANA name in any letter case, or a city that names one.

Never raises: anything that is not a known zone gives None, so hostile text cannot reach `ZoneInfo`
(which would read files named by it).
"""

from __future__ import annotations

import functools
import unicodedata
import zoneinfo

MAX_ZONE_TEXT_LENGTH = 64


@functools.cache
def _zones_by_lower_name() -> dict[str, str]:
    names = {name.lower(): name for name in zoneinfo.available_timezones()}
    cities: dict[str, list[str]] = {}
    for name in names.values():
        if "/" in name and not name.startswith(("Etc/", "SystemV/")):
            cities.setdefault(name.rsplit("/", 1)[1].lower(), []).append(name)
    # A city counts only when it names exactly one zone ("Amsterdam", "new york").
    for city, zones in cities.items():
        if len(zones) == 1:
            names.setdefault(city, zones[0])
    return names


def parse_time_zone(text: str) -> str | None:
    """The canonical IANA name for "Europe/Amsterdam", "europe/amsterdam", "Amsterdam", "New York"."""
    cleaned = unicodedata.normalize("NFKC", text).strip()
    if not cleaned or len(cleaned) > MAX_ZONE_TEXT_LENGTH:
        return None
    key = "_".join(cleaned.split()).lower()
    return _zones_by_lower_name().get(key)
