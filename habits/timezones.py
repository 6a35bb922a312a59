"""Finding a member's IANA time zone from a shared location, a typed zone name or a city, offline."""

from __future__ import annotations

import unicodedata
from functools import cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

if TYPE_CHECKING:
    from timezonefinder import TimezoneFinder


# The zones offered as buttons: where most members live, then a few far-away ones.
COMMON_ZONES = (
    "Europe/Amsterdam",
    "Europe/Brussels",
    "Europe/London",
    "Europe/Lisbon",
    "Europe/Helsinki",
    "America/New_York",
    "Asia/Dubai",
    "Asia/Tokyo",
)

# Cities members are likely to type (Dutch and English spellings), lower case without accents.
CITY_ZONES: dict[str, str] = {
    **dict.fromkeys(
        [
            "amsterdam",
            "rotterdam",
            "den haag",
            "the hague",
            "'s-gravenhage",
            "utrecht",
            "eindhoven",
            "groningen",
            "tilburg",
            "almere",
            "breda",
            "nijmegen",
            "arnhem",
            "haarlem",
            "enschede",
            "maastricht",
            "leiden",
            "zwolle",
            "leeuwarden",
            "delft",
            "nederland",
            "the netherlands",
            "netherlands",
            "holland",
        ],
        "Europe/Amsterdam",
    ),
    **dict.fromkeys(
        [
            "brussel",
            "brussels",
            "bruxelles",
            "antwerpen",
            "antwerp",
            "gent",
            "ghent",
            "brugge",
            "bruges",
            "leuven",
            "mechelen",
            "hasselt",
            "luik",
            "liege",
            "namen",
            "namur",
            "charleroi",
            "belgie",
            "belgium",
        ],
        "Europe/Brussels",
    ),
    "luxemburg": "Europe/Luxembourg",
    "luxembourg": "Europe/Luxembourg",
    "londen": "Europe/London",
    "london": "Europe/London",
    "manchester": "Europe/London",
    "edinburgh": "Europe/London",
    "dublin": "Europe/Dublin",
    "parijs": "Europe/Paris",
    "paris": "Europe/Paris",
    "nice": "Europe/Paris",
    "lyon": "Europe/Paris",
    "berlijn": "Europe/Berlin",
    "berlin": "Europe/Berlin",
    "keulen": "Europe/Berlin",
    "cologne": "Europe/Berlin",
    "koln": "Europe/Berlin",
    "munchen": "Europe/Berlin",
    "munich": "Europe/Berlin",
    "hamburg": "Europe/Berlin",
    "dusseldorf": "Europe/Berlin",
    "zurich": "Europe/Zurich",
    "genève": "Europe/Zurich",
    "geneve": "Europe/Zurich",
    "geneva": "Europe/Zurich",
    "wenen": "Europe/Vienna",
    "vienna": "Europe/Vienna",
    "kopenhagen": "Europe/Copenhagen",
    "copenhagen": "Europe/Copenhagen",
    "stockholm": "Europe/Stockholm",
    "oslo": "Europe/Oslo",
    "helsinki": "Europe/Helsinki",
    "madrid": "Europe/Madrid",
    "barcelona": "Europe/Madrid",
    "malaga": "Europe/Madrid",
    "valencia": "Europe/Madrid",
    "lissabon": "Europe/Lisbon",
    "lisbon": "Europe/Lisbon",
    "porto": "Europe/Lisbon",
    "rome": "Europe/Rome",
    "milaan": "Europe/Rome",
    "milan": "Europe/Rome",
    "praag": "Europe/Prague",
    "prague": "Europe/Prague",
    "warschau": "Europe/Warsaw",
    "warsaw": "Europe/Warsaw",
    "boedapest": "Europe/Budapest",
    "budapest": "Europe/Budapest",
    "athene": "Europe/Athens",
    "athens": "Europe/Athens",
    "istanbul": "Europe/Istanbul",
    "curacao": "America/Curacao",
    "willemstad": "America/Curacao",
    "aruba": "America/Aruba",
    "bonaire": "America/Kralendijk",
    "paramaribo": "America/Paramaribo",
    "suriname": "America/Paramaribo",
    "new york": "America/New_York",
    "boston": "America/New_York",
    "toronto": "America/Toronto",
    "chicago": "America/Chicago",
    "denver": "America/Denver",
    "los angeles": "America/Los_Angeles",
    "san francisco": "America/Los_Angeles",
    "vancouver": "America/Vancouver",
    "mexico city": "America/Mexico_City",
    "sao paulo": "America/Sao_Paulo",
    "buenos aires": "America/Argentina/Buenos_Aires",
    "kaapstad": "Africa/Johannesburg",
    "cape town": "Africa/Johannesburg",
    "johannesburg": "Africa/Johannesburg",
    "marrakech": "Africa/Casablanca",
    "casablanca": "Africa/Casablanca",
    "cairo": "Africa/Cairo",
    "caïro": "Africa/Cairo",
    "nairobi": "Africa/Nairobi",
    "dubai": "Asia/Dubai",
    "tel aviv": "Asia/Jerusalem",
    "mumbai": "Asia/Kolkata",
    "delhi": "Asia/Kolkata",
    "new delhi": "Asia/Kolkata",
    "bangalore": "Asia/Kolkata",
    "bangkok": "Asia/Bangkok",
    "bali": "Asia/Makassar",
    "jakarta": "Asia/Jakarta",
    "singapore": "Asia/Singapore",
    "singapur": "Asia/Singapore",
    "hong kong": "Asia/Hong_Kong",
    "shanghai": "Asia/Shanghai",
    "beijing": "Asia/Shanghai",
    "peking": "Asia/Shanghai",
    "seoul": "Asia/Seoul",
    "tokyo": "Asia/Tokyo",
    "tokio": "Asia/Tokyo",
    "osaka": "Asia/Tokyo",
    "sydney": "Australia/Sydney",
    "melbourne": "Australia/Melbourne",
    "perth": "Australia/Perth",
    "auckland": "Pacific/Auckland",
}


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


@cache
def _zones_by_lower_name() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


def is_valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def zone_from_text(text: str) -> str | None:
    """An IANA zone from a typed zone name ("asia/tokyo", "Europe/Amsterdam") or a known city."""
    plain = _plain(text)
    if not plain or len(plain) > 64:
        return None
    if plain in CITY_ZONES:
        return CITY_ZONES[plain]
    zone = _zones_by_lower_name().get(plain.replace(" ", "_"))
    if zone is not None and "/" in zone:
        return zone
    # A zone's own city, e.g. "kathmandu" for Asia/Kathmandu.
    for name in sorted(_zones_by_lower_name().values()):
        if "/" in name and name.rsplit("/", 1)[1].lower() == plain.replace(" ", "_"):
            return name
    return None


@cache
def _finder() -> TimezoneFinder:
    # Imported and loaded once, on the first shared location: it brings numpy along, which the
    # bot would otherwise carry from start-up without needing it.
    from timezonefinder import TimezoneFinder

    return TimezoneFinder()


def zone_from_location(latitude: float, longitude: float) -> str | None:
    """The IANA zone at a shared location, looked up in the data shipped with timezonefinder."""
    if not (-90.0 <= latitude <= 90.0 and -180.0 <= longitude <= 180.0):
        return None
    zone = _finder().timezone_at(lng=longitude, lat=latitude)
    return zone if zone is not None and is_valid_zone(zone) else None
