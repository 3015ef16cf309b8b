"""What the connected-calendar tests share: iCalendar times, a moment in Kolkata (a
half-hour zone), and a page hosted by a grant."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from pages.models import Configuration, Grant, OpenHours, Participant

UTC = dt.UTC
KOLKATA = "Asia/Kolkata"


def ical_time(moment: dt.datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def slot(days: int, hour: int, minute: int = 0) -> dt.datetime:
    """``hour:minute`` in Kolkata (UTC+05:30), ``days`` from today."""
    local = dt.datetime.now(ZoneInfo(KOLKATA)) + dt.timedelta(days=days)
    return local.replace(hour=hour, minute=minute, second=0, microsecond=0).astimezone(UTC)


def page_for(grant: Grant) -> Configuration:
    """Open every day all day in Kolkata, 30-minute meetings, no notice."""
    configuration = Configuration.objects.create(
        grant=grant, slug=f"p-{grant.pk.hex[:8]}", duration_minutes=30, min_booking_notice=0
    )
    participant = Participant.objects.create(
        configuration=configuration,
        grant=grant,
        email=grant.email,
        name="Host",
        is_organizer=True,
        timezone=KOLKATA,
        booking_calendar=grant.calendars.get(is_primary=True),
        position=0,
    )
    OpenHours.objects.create(
        configuration=configuration,
        participant=participant,
        days=[0, 1, 2, 3, 4, 5, 6],
        start_minute=0,
        end_minute=24 * 60,
        timezone=KOLKATA,
    )
    return configuration
