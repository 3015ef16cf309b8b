""" "Add to Google Calendar" and "Add to Outlook" links: the booking as a prefilled new
event in the guest's (or host's) web calendar, for people who do not open .ics files.

Times are UTC instants (Google's ``dates`` with a Z, Outlook's ``startdt`` with a Z), so
the link means the same instant whatever zone the reader's calendar is set to. The
title is the configuration's, as in the .ics SUMMARY.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from pages import conferencing

GOOGLE = "https://calendar.google.com/calendar/render"
OUTLOOK = "https://outlook.live.com/calendar/0/action/compose"
# Both services cut long query strings; a description past this is shortened.
MAX_DETAILS = 1500


@dataclass(frozen=True)
class CalendarLinks:
    google: str
    outlook: str


def _details(description: str, link: str) -> str:
    text = (description or "").strip()
    if len(text) > MAX_DETAILS:
        text = text[: MAX_DETAILS - 1].rstrip() + "…"
    return f"{text}\n\n{link}".strip() if link else text


def _utc(instant: dt.datetime) -> dt.datetime:
    return instant.astimezone(dt.UTC)


def google_url(
    *, title: str, start: dt.datetime, end: dt.datetime, location: str = "", details: str = ""
) -> str:
    dates = f"{_utc(start):%Y%m%dT%H%M%SZ}/{_utc(end):%Y%m%dT%H%M%SZ}"
    query = {"action": "TEMPLATE", "text": title, "dates": dates}
    if details:
        query["details"] = details
    if location:
        query["location"] = location
    return f"{GOOGLE}?{urlencode(query)}"


def outlook_url(
    *, title: str, start: dt.datetime, end: dt.datetime, location: str = "", details: str = ""
) -> str:
    query = {
        "rru": "addevent",
        "subject": title,
        "startdt": f"{_utc(start):%Y-%m-%dT%H:%M:%SZ}",
        "enddt": f"{_utc(end):%Y-%m-%dT%H:%M:%SZ}",
    }
    if details:
        query["body"] = details
    if location:
        query["location"] = location
    return f"{OUTLOOK}?{urlencode(query)}"


def for_booking(
    booking, *, start: dt.datetime | None = None, end: dt.datetime | None = None, link: str = ""
) -> CalendarLinks:
    """Both links for ``booking`` (at ``start``-``end`` when given: an email shows the
    times its row recorded), with ``link`` (the reader's page for it) in the details."""
    configuration = booking.configuration
    fields = {
        "title": configuration.title,
        "start": start or booking.start,
        "end": end or booking.end,
        "location": conferencing.booking_location(configuration.location, booking.conferencing),
        "details": _details(configuration.description, link),
    }
    return CalendarLinks(google=google_url(**fields), outlook=outlook_url(**fields))
