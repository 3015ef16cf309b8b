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

from bookings.languages import LANGUAGES, date_and_time, supported_language
from pages.validators import known_timezones

# Django dateformat patterns, after CLDR's: English writes "Monday, December 7",
# German "Montag, 7. Dezember", French "lundi 7 décembre", Japanese "12月7日 月曜日".
# Times are written by clock(), not by a pattern.
PATTERNS = {
    "en": {"day": "l, F j", "day_year": "l, F j, Y", "month": "F Y", "short_day": "M j"},
    "fr": {"day": "l j F", "day_year": "l j F Y", "month": "F Y", "short_day": "j N"},
    "de": {"day": "l, j. F", "day_year": "l, j. F Y", "month": "F Y", "short_day": "j. M"},
    "es": {
        "day": r"l, j \d\e F",
        "day_year": r"l, j \d\e F \d\e Y",
        "month": r"F \d\e Y",
        "short_day": "j N",
    },
    "nl": {"day": "l j F", "day_year": "l j F Y", "month": "F Y", "short_day": "j N"},
    "sv": {"day": "l j F", "day_year": "l j F Y", "month": "F Y", "short_day": "j N"},
    "ja": {"day": "n月j日 l", "day_year": "Y年n月j日 l", "month": "Y年n月", "short_day": "n月j日"},
    "zh-hans": {
        "day": "n月j日 l",
        "day_year": "Y年n月j日 l",
        "month": "Y年n月",
        "short_day": "n月j日",
    },
    "ko": {
        "day": "n월 j일 l",
        "day_year": "Y년 n월 j일 l",
        "month": "Y년 n월",
        "short_day": "n월 j일",
    },
}

# A 12-hour clock's morning and afternoon words (CLDR's abbreviated day periods) and
# how they stand beside the time: "4:30 PM", "4:30 p. m.", "午後4:30", "오후 4:30".
DAY_PERIODS = {
    "en": ("AM", "PM", "{time} {period}"),
    "fr": ("AM", "PM", "{time} {period}"),
    "de": ("AM", "PM", "{time} {period}"),
    "es": ("a.\u00a0m.", "p.\u00a0m.", "{time} {period}"),
    "nl": ("a.m.", "p.m.", "{time} {period}"),
    "sv": ("fm", "em", "{time} {period}"),
    "ja": ("午前", "午後", "{period}{time}"),
    "zh-hans": ("上午", "下午", "{period}{time}"),
    "ko": ("오전", "오후", "{period} {time}"),
}


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


@lru_cache(maxsize=512)
def zone_info(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def local(instant: dt.datetime | int, zone: str) -> dt.datetime:
    if isinstance(instant, int):
        return dt.datetime.fromtimestamp(instant, zone_info(zone))
    return instant.astimezone(zone_info(zone))


# Where a language's readers use a 12-hour clock, after CLDR's short time formats:
# English in the US (its default) and these regions, Korean everywhere ("오후 4:30"),
# Chinese in Taiwan, Hong Kong and Macau (the Simplified default, China, reads 24 hours).
# Everyone else (en-GB, French, German, Spanish, Dutch, Swedish, Japanese) reads 24.
TWELVE_HOUR_REGIONS = frozenset({"US", "CA", "AU", "NZ", "IN", "PH", "PK", "BD", "EG", "MY"})
TWELVE_HOUR_REGIONS_BY_LANGUAGE = {
    "en": TWELVE_HOUR_REGIONS,
    "zh-hans": frozenset({"TW", "HK", "MO"}),
}
TWELVE_HOUR_LANGUAGES = frozenset({"en", "ko"})


def default_hours(language: str) -> int:
    """12 for English (American by default) and Korean, 24 otherwise."""
    return 12 if language in TWELVE_HOUR_LANGUAGES else 24


def preferred_hours(explicit: object, accept_language: str, language: str) -> int:
    """The clock a reader gets: ``explicit`` ("12" or "24", from the page's toggle) wins;
    else the region of the first Accept-Language tag in the page's language ("en-GB" and
    "de" read 24 hours, "en-US" and "zh-TW" 12); else the language's default."""
    if explicit in ("12", "24"):
        return int(explicit)
    for part in accept_language.split(","):
        tag = part.split(";", 1)[0].strip().replace("_", "-")
        if supported_language(tag) != language:
            continue
        regions = TWELVE_HOUR_REGIONS_BY_LANGUAGE.get(language)
        region = next((s for s in tag.split("-")[1:] if len(s) == 2 and s.isalpha()), "")
        if regions is None or not region:
            return default_hours(language)
        return 12 if region.upper() in regions else 24
    return default_hours(language)


def clock(moment: dt.datetime, language: str, hours: int | None = None) -> str:
    """The wall-clock time of ``moment``: "4:30 PM" (or "午後4:30", "오후 4:30") on a
    12-hour clock, "16:30" on a 24-hour one (the language's own by default). Written
    directly rather than with a pattern: a day's list formats dozens of these."""
    if (hours or default_hours(language)) == 12:
        morning, afternoon, layout = DAY_PERIODS.get(language, DAY_PERIODS["en"])
        period = afternoon if moment.hour >= 12 else morning
        return layout.format(time=f"{moment.hour % 12 or 12}:{moment.minute:02d}", period=period)
    return f"{moment.hour:02d}:{moment.minute:02d}"


def format_instant(
    instant: dt.datetime | int, zone: str, pattern: str, language: str, hours: int | None = None
) -> str:
    """``instant`` in ``zone``, written with PATTERNS[language][pattern]."""
    if pattern == "time":
        return clock(local(instant, zone), language, hours)
    with translation.override(language):
        return dateformat.format(local(instant, zone), PATTERNS[language][pattern])


def format_date(day: dt.date, pattern: str, language: str) -> str:
    with translation.override(language):
        return dateformat.format(day, PATTERNS[language][pattern])


def format_span(
    start: dt.datetime | int,
    end: dt.datetime | int,
    zone: str,
    language: str,
    hours: int | None = None,
) -> str:
    """ "Monday, December 7, 2026, 4:30 PM – 5:00 PM" in the reader's zone."""
    day = format_instant(start, zone, "day_year", language)
    first = format_instant(start, zone, "time", language, hours)
    last = format_instant(end, zone, "time", language, hours)
    if local(start, zone).date() != local(end, zone).date():
        last = f"{format_instant(end, zone, 'short_day', language)} {last}"
    return date_and_time(day, f"{first} – {last}", language)


def utc_offset_label(zone: str, at: dt.datetime) -> str:
    """ "UTC+01:00" for the zone's offset at ``at``."""
    offset = local(at, zone).utcoffset() or dt.timedelta()
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def zone_label(zone: str, at: dt.datetime) -> str:
    return f"{zone.replace('_', ' ')} ({utc_offset_label(zone, at)})"


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
