"""The time zones a guest picks from, named the way people read them.

An entry reads "Central Time - Chicago, United States (CST, 10:32 AM)": the zone's
generic name, its city and country (CLDR's names, through Babel, in the page's
language), its abbreviation where the zone has a lettered one, and the time there now,
on the guest's clock. The browser's list filters on that text, so a guest finds a zone
by city, country, abbreviation or generic name; what a guest types by hand is resolved
the same ways (see :func:`zone_by_name`).

The names never change, so each is worked out once per process and language (about a
tenth of a second for the whole list); the times are written once a minute.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from babel import Locale
from babel.dates import get_timezone, get_timezone_location, get_timezone_name
from django.utils.html import format_html_join

from bookings.views.language import LANGUAGES, clock, local, valid_zone, zone_names
from pages.validators import known_timezones

# Where a lettered abbreviation names several zones, the one people mean by it.
PREFERRED_BY_ABBREVIATION = {
    "CST": "America/Chicago",
    "CDT": "America/Chicago",
    "EST": "America/New_York",
    "EDT": "America/New_York",
    "MST": "America/Denver",
    "MDT": "America/Denver",
    "PST": "America/Los_Angeles",
    "PDT": "America/Los_Angeles",
    "IST": "Asia/Kolkata",
    "GMT": "Europe/London",
    "BST": "Europe/London",
    "CET": "Europe/Berlin",
    "CEST": "Europe/Berlin",
    "EET": "Europe/Athens",
    "EEST": "Europe/Athens",
    "AEST": "Australia/Sydney",
    "AEDT": "Australia/Sydney",
}


# Babel's names for the languages whose Django code it does not read as is.
BABEL_LOCALES = {"en": "en_US", "zh-hans": "zh_Hans"}


@dataclass(frozen=True)
class ZoneName:
    generic: str  # "Central Time"
    city: str  # "Chicago"
    country: str  # "United States"; "" for UTC and zones of no country


def _locale(language: str) -> Locale:
    return Locale.parse(BABEL_LOCALES.get(language, language))


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    """Zone → ISO country code, from tzdata's zone.tab."""
    try:
        table = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text()
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return {}
    found = {}
    for line in table.splitlines():
        parts = line.split("\t")
        if line and not line.startswith("#") and len(parts) > 2:
            found[parts[2]] = parts[0]
    return found


@lru_cache(maxsize=8_192)
def zone_name(zone: str, language: str) -> ZoneName:
    if zone == "UTC":
        return ZoneName("UTC", "", "")
    locale = _locale(language)
    tz = get_timezone(zone)
    city = get_timezone_location(tz, locale=locale, return_city=True)
    code = _countries().get(zone, "")
    country = locale.territories.get(code, "") if code else ""
    generic = get_timezone_name(tz, "long", zone_variant="generic", locale=locale)
    return ZoneName(generic, city, country)


def abbreviation(zone: str, at: dt.datetime) -> str:
    """ "CST", "IST", "CEST"; "" where tzdata has only numbers ("+0545")."""
    name = local(at, zone).tzname() or ""
    return name if name.isalpha() and name != "UTC" else ""


def zone_choice_label(zone: str, at: dt.datetime, language: str, hours: int) -> str:
    """ "Central Time - Chicago, United States (CST, 10:32 AM)" at ``at``."""
    name = zone_name(zone, language)
    now = clock(local(at, zone), language, hours)
    if zone == "UTC":
        return f"UTC ({now})"
    place = ", ".join(part for part in (name.city, name.country) if part)
    short = abbreviation(zone, at)
    # CLDR falls back to "Indien (Ortszeit)" or "United States (Phoenix) Time" where a
    # zone has no name of its own: the place says that better.
    head = name.generic if name.generic and "(" not in name.generic else ""
    text = f"{head} - {place}" if head else place
    return f"{text} ({short + ', ' if short else ''}{now})"


def zone_options(at: dt.datetime, language: str, hours: int) -> str:
    """The <option>s of the zone list, written once a minute per language and clock."""
    minute = at.replace(second=0, microsecond=0)
    return _zone_options(minute, language, hours)


# A minute's lists for every language and clock (9 x 2) and the minute before.
@lru_cache(maxsize=40)
def _zone_options(minute: dt.datetime, language: str, hours: int) -> str:
    # Zone names need no quotes (letters, digits, / _ - +) and options no end tags: the
    # page shell carries the list, so it is kept small.
    return format_html_join(
        "",
        "<option value={}>{}",
        ((zone, zone_choice_label(zone, minute, language, hours)) for zone in zone_names()),
    )


def _key(text: str) -> str:
    """ "New_York", "new york" and " NEW  YORK " all read "new york"."""
    return " ".join(text.replace("_", " ").split()).casefold()


@lru_cache(maxsize=1)
def _zones_by_words() -> dict[str, str]:
    """Each zone by the words a guest may type for it, as _key writes them: its whole
    IANA name and its last part (the list's zones win a shared key: "Kolkata" is
    Asia/Kolkata, and an alias answers only for its own name, "Calcutta"); then, for the
    listed zones, the city, the country and the generic name in every language the pages
    speak ("Kalkutta", "India", "Central Time"), the first zone tzdata lists for a
    country winning it (its most populous)."""
    found: dict[str, str] = {}
    listed = zone_names()
    for zone in (*listed, *sorted(known_timezones() - set(listed))):
        for key in (_key(zone), _key(zone.rsplit("/", 1)[-1])):
            found.setdefault(key, zone)
    order = {zone: position for position, zone in enumerate(_countries())}
    preferred = set(PREFERRED_BY_ABBREVIATION.values())
    for zone in sorted(listed, key=lambda z: (z not in preferred, order.get(z, len(order)))):
        for language in LANGUAGES:
            name = zone_name(zone, language)
            for words in (name.city, name.country, name.generic):
                if words:
                    found.setdefault(_key(words), zone)
    return found


def _by_abbreviation(text: str, at: dt.datetime) -> str | None:
    upper = text.upper()
    if not (upper.isalpha() and 2 < len(upper) < 6):
        return None
    if upper in PREFERRED_BY_ABBREVIATION:
        return PREFERRED_BY_ABBREVIATION[upper]
    return next((zone for zone in zone_names() if abbreviation(zone, at) == upper), None)


def _by_label(text: str) -> str | None:
    """A whole entry of the list, should a browser send the text it shows: "Central Time
    - Chicago, United States (CST, 10:32 AM)", or an older "New York (America/New_York),
    UTC-05:00"."""
    opening, closing = text.find("("), text.find(")")
    if 0 <= opening < closing and (zone := valid_zone(text[opening + 1 : closing].strip())):
        return zone
    head = text.split("(", 1)[0]
    place = head.split(" - ", 1)[-1]
    for part in (place.split(",")[0], head.split(" - ", 1)[0]):
        if zone := _zones_by_words().get(_key(part)):
            return zone
    return None


def resolve_zone(value: object, at: dt.datetime | None = None) -> str | None:
    """The IANA zone a guest means by ``value``, or None: a zone name zoneinfo knows
    (aliases too, such as Asia/Calcutta, which Chromium reports), in any case; a city
    ("Berlin", "new york", "Kalkutta"), a country ("India"), a generic name ("Central
    Time") or an abbreviation ("CST", "IST") typed by hand; or an entry of the list."""
    if not isinstance(value, str) or not 0 < len(value) <= 200:
        return None
    text = value.strip()
    if zone := valid_zone(text):
        return zone
    if zone := _zones_by_words().get(_key(text)):
        return zone
    at = at or dt.datetime.now(dt.UTC)
    return _by_abbreviation(text, at) or _by_label(text)
