"""The language and the zone a hosted page speaks: which one, and how its dates and
times are written.

A page speaks the configuration's ``locale`` unless the guest chose otherwise (``?lang=``
or the email language of their booking). Dates and times are formatted with Django's
own localized month and weekday names, in a handful of patterns per language, in the
zone the reader is in: the guest's for guests, the organizer's for organizers.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import lru_cache
from importlib import resources

from django.utils import dateformat, formats, translation
from django.utils.dates import WEEKDAYS_ABBR

from pages.validators import known_timezones

LANGUAGES = ("en", "de")
LANGUAGE_NAMES = {"en": "English", "de": "Deutsch"}

# Django dateformat patterns. English writes "Monday, December 7" and "4:30 PM";
# German "Montag, 7. Dezember" and "16:30".
PATTERNS = {
    "en": {
        "day": "l, F j",
        "day_year": "l, F j, Y",
        "time": "g:i A",
        "month": "F Y",
        "short_day": "M j",
    },
    "de": {
        "day": "l, j. F",
        "day_year": "l, j. F Y",
        "time": "H:i",
        "month": "F Y",
        "short_day": "j. M",
    },
}


def supported_language(value: object) -> str | None:
    """``value`` as one of LANGUAGES ("de-AT" → "de"), or None."""
    if not isinstance(value, str) or not value:
        return None
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else None


def choose_language(*candidates: object) -> str:
    """The first supported language among ``candidates`` (most specific first)."""
    for candidate in candidates:
        code = supported_language(candidate)
        if code:
            return code
    return LANGUAGES[0]


def valid_zone(value: object) -> str | None:
    if isinstance(value, str) and value and value in known_timezones():
        return value
    return None


def _city_key(text: str) -> str:
    """ "New_York", "new york" and " NEW  YORK " all read "new york"."""
    return " ".join(text.replace("_", " ").split()).casefold()


@lru_cache(maxsize=1)
def _zones_by_city() -> dict[str, str]:
    """Each zone by its whole name and by its last part, both as _city_key writes them.
    The list's zones (zone_names) win a shared key: "Kolkata" is Asia/Kolkata, and an
    alias answers only for its own name ("Calcutta" is Asia/Calcutta)."""
    found: dict[str, str] = {}
    listed = zone_names()
    for zone in (*listed, *sorted(known_timezones() - set(listed))):
        for key in (_city_key(zone), _city_key(zone.rsplit("/", 1)[-1])):
            found.setdefault(key, zone)
    return found


def resolve_zone(value: object) -> str | None:
    """The IANA zone a guest means by ``value``, or None: a zone name zoneinfo knows
    (aliases too, such as Asia/Calcutta, which Chromium reports), in any case; a city
    typed by hand ("Berlin", "new york"); or a label of the zone list, "New York
    (America/New_York), UTC-05:00", should a browser send the text it shows."""
    if not isinstance(value, str) or not 0 < len(value) <= 200:
        return None
    text = value.strip()
    if zone := valid_zone(text):
        return zone
    opening, closing = text.find("("), text.find(")")
    if 0 <= opening < closing and (zone := valid_zone(text[opening + 1 : closing].strip())):
        return zone
    return _zones_by_city().get(_city_key(text))


@lru_cache(maxsize=512)
def zone_info(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def local(instant: dt.datetime | int, zone: str) -> dt.datetime:
    if isinstance(instant, int):
        return dt.datetime.fromtimestamp(instant, zone_info(zone))
    return instant.astimezone(zone_info(zone))


def clock(moment: dt.datetime, language: str) -> str:
    """The wall-clock time of ``moment``: "4:30 PM" in English, "16:30" in German. What
    PATTERNS' "time" says, written directly: a day's list formats dozens of these."""
    if language == "en":
        return f"{moment.hour % 12 or 12}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"
    return f"{moment.hour:02d}:{moment.minute:02d}"


def format_instant(instant: dt.datetime | int, zone: str, pattern: str, language: str) -> str:
    """``instant`` in ``zone``, written with PATTERNS[language][pattern]."""
    if pattern == "time":
        return clock(local(instant, zone), language)
    with translation.override(language):
        return dateformat.format(local(instant, zone), PATTERNS[language][pattern])


def format_date(day: dt.date, pattern: str, language: str) -> str:
    with translation.override(language):
        return dateformat.format(day, PATTERNS[language][pattern])


def format_span(start: dt.datetime | int, end: dt.datetime | int, zone: str, language: str) -> str:
    """ "Monday, December 7, 2026, 4:30 PM – 5:00 PM" in the reader's zone."""
    day = format_instant(start, zone, "day_year", language)
    first = format_instant(start, zone, "time", language)
    last = format_instant(end, zone, "time", language)
    if local(start, zone).date() != local(end, zone).date():
        last = f"{format_instant(end, zone, 'short_day', language)} {last}"
    return f"{day}, {first} – {last}"


def utc_offset_label(zone: str, at: dt.datetime) -> str:
    """ "UTC+01:00" for the zone's offset at ``at``."""
    offset = local(at, zone).utcoffset() or dt.timedelta()
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def zone_label(zone: str, at: dt.datetime) -> str:
    return f"{zone.replace('_', ' ')} ({utc_offset_label(zone, at)})"


def zone_choice_label(zone: str, at: dt.datetime) -> str:
    """How the zone list names a zone: "New York (America/New_York), UTC-05:00". The city
    comes first so that typing it finds the zone; the offset is the one at ``at``."""
    city = zone.rsplit("/", 1)[-1].replace("_", " ")
    if city == zone:
        return f"{zone} ({utc_offset_label(zone, at)})"
    return f"{city} ({zone}), {utc_offset_label(zone, at)}"


def first_weekday(language: str) -> int:
    """0 = Monday ... 6 = Sunday (Python's numbering) for this language's calendars."""
    # Django's FIRST_DAY_OF_WEEK counts 0 = Sunday.
    sunday_based = int(formats.get_format("FIRST_DAY_OF_WEEK", lang=language))
    return (sunday_based - 1) % 7


def weekday_headers(language: str) -> list[tuple[str, str]]:
    """(abbreviation, full name) of the week's days in this language's order."""
    from django.utils.dates import WEEKDAYS

    start = first_weekday(language)
    with translation.override(language):
        return [
            (str(WEEKDAYS_ABBR[(start + i) % 7]), str(WEEKDAYS[(start + i) % 7])) for i in range(7)
        ]


@lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    """The zones the guest's list suggests: one per country region (tzdata's zone.tab,
    about 400, so "Amsterdam" is there though it shares Brussels' rules), and UTC. Any
    other IANA name (an alias a browser reports, say) is still accepted when typed."""
    try:
        table = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text()
        names = {
            line.split("\t")[2]
            for line in table.splitlines()
            if line and not line.startswith("#") and len(line.split("\t")) > 2
        }
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        names = {z for z in known_timezones() if "/" in z and not z.startswith("Etc/")}
    return tuple(sorted((names & known_timezones()) | {"UTC"}))
