"""Who a booking's messages go to, in which language and time zone, and which of them a
configuration has switched off."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass

from bookings.languages import supported_language
from pages.validators import known_timezones


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    timezone: str
    audience: str  # "guest" | "host"


def language_of(booking) -> str:
    """The booking's language, else the configuration's locale, else English: one that
    the site speaks ("de-DE" counts as "de", "zh" as "zh-hans")."""
    for candidate in (booking.language, booking.configuration.locale):
        code = supported_language(candidate)
        if code:
            return code
    return "en"


def zone_or_utc(*candidates: str) -> str:
    for name in candidates:
        if name and name in known_timezones():
            return name
    return "UTC"


def zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(zone_or_utc(name))


def guests(booking) -> list[Person]:
    """The guest who booked, then the additional guests, each address once."""
    tz = zone_or_utc(booking.guest_timezone, booking.configuration.timezone)
    people = [Person(booking.guest_email, booking.guest_name, tz, "guest")]
    for extra in booking.additional_guests or []:
        if isinstance(extra, dict) and isinstance(extra.get("email"), str) and extra["email"]:
            people.append(Person(extra["email"], str(extra.get("name") or ""), tz, "guest"))
    return _unique(people)


def hosts(booking, grants=None) -> list[Person]:
    """The hosts the booking occupies (each in their own zone); the organizer when the
    booking has no host rows. ``grants``: those hosts, when the caller holds them."""
    if grants is None:
        grants = [row.grant for row in booking.host_rows.select_related("grant").order_by("id")]
    if not grants and booking.organizer is not None:
        grants = [booking.organizer]
    return _unique(
        [Person(g.email, g.name, zone_or_utc(g.timezone), "host") for g in grants if g.email]
    )


def organizer(booking) -> Person | None:
    """Who confirms a pending booking: its organizer, else its first host."""
    grant = booking.organizer
    if grant is None:
        row = booking.host_rows.select_related("grant").order_by("id").first()
        grant = row.grant if row else None
    if grant is None or not grant.email:
        return None
    return Person(grant.email, grant.name, zone_or_utc(grant.timezone), "host")


def _unique(people: list[Person]) -> list[Person]:
    seen: set[str] = set()
    unique = []
    for person in people:
        key = person.email.strip().lower()
        if key and key not in seen:
            seen.add(key)
            unique.append(person)
    return unique


@dataclass(frozen=True)
class EmailSwitches:
    """What a configuration lets us send. ``disable_emails`` silences every email; the
    v2 flags (kept in ``configuration.extra``, default true) silence one kind each."""

    any: bool
    to_guests: bool
    to_hosts: bool
    invite: bool


def _v2_flag(extra: dict, name: str) -> bool:
    # The v2 page stores these at the top of ``extra`` or inside its "booking" object.
    for source in (extra, extra.get("booking")):
        if isinstance(source, dict) and name in source:
            value = source[name]
            return value if isinstance(value, bool) else str(value).lower() != "false"
    return True


def switches(configuration) -> EmailSwitches:
    extra = configuration.extra if isinstance(configuration.extra, dict) else {}
    enabled = not configuration.disable_emails
    return EmailSwitches(
        any=enabled,
        to_guests=enabled and _v2_flag(extra, "confirmation_emails_to_guests"),
        to_hosts=enabled and _v2_flag(extra, "confirmation_emails_to_host"),
        invite=_v2_flag(extra, "calendar_invite_to_guests"),
    )
