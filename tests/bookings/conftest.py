from __future__ import annotations

import datetime as dt

import pytest

from bookings.models import Booking, BookingHost
from pages import tokens
from pages.models import Configuration, Event, OpenHours, Participant
from pages.services import create_grant

UTC = dt.UTC


@pytest.fixture
def make_host(db):
    """make_host("a@x.com", zone) → a grant with a primary calendar; the same email again
    gives the same grant (so several configurations can share hosts)."""
    made = {}

    def make(email: str, zone: str = "America/Chicago", name: str = ""):
        if email not in made:
            name = name or email.split("@")[0]
            grant, token = create_grant(email=email, name=name, timezone=zone)
            grant.token = token
            made[email] = grant
        return made[email]

    return make


@pytest.fixture
def make_configuration(db, make_host):
    """A configuration whose hosts work Monday-Friday 09:00-17:00 in their zone."""

    def make(
        hosts=("host@example.com",),
        *,
        zones=None,
        slug: str | None = "page",
        days=(1, 2, 3, 4, 5),
        hours=(9 * 60, 17 * 60),
        **fields,
    ) -> Configuration:
        zones = zones or ["America/Chicago"] * len(hosts)
        grants = [make_host(email, zone) for email, zone in zip(hosts, zones, strict=True)]
        fields.setdefault("min_booking_notice", 0)
        configuration = Configuration.objects.create(grant=grants[0], slug=slug, **fields)
        for position, grant in enumerate(grants):
            participant = Participant.objects.create(
                configuration=configuration,
                grant=grant,
                email=grant.email,
                name=grant.name,
                is_organizer=position == 0,
                timezone=grant.timezone,
                booking_calendar=grant.calendars.get(is_primary=True),
                position=position,
            )
            if days:
                OpenHours.objects.create(
                    configuration=configuration,
                    participant=participant,
                    days=list(days),
                    start_minute=hours[0],
                    end_minute=hours[1],
                )
        configuration.hosts = grants
        return configuration

    return make


@pytest.fixture
def busy_event(db):
    def make(grant, start: dt.datetime, end: dt.datetime, **fields) -> Event:
        return Event.objects.create(
            calendar=grant.calendars.get(is_primary=True), start=start, end=end, **fields
        )

    return make


@pytest.fixture
def booking_for(db):
    return make_booking


def make_booking(configuration, hosts, start, end, status="booked", **fields) -> Booking:
    """A booking row as the booking services will write it (for availability tests)."""
    booking = Booking.objects.create(
        configuration=configuration,
        start=start,
        end=end,
        status=status,
        guest_name="Guest",
        guest_email="guest@example.com",
        salt_digest=tokens.digest(tokens.new_secret()),
        **fields,
    )
    configuration.refresh_from_db()
    for grant in hosts:
        BookingHost.objects.create(
            booking=booking,
            grant=grant,
            blocked_start=start - dt.timedelta(minutes=configuration.buffer_before),
            blocked_end=end + dt.timedelta(minutes=configuration.buffer_after),
            active=status != "cancelled",
            exclusive=configuration.capacity == 1,
        )
    return booking


@pytest.fixture
def receivers():
    """make(**behaviour) → a webhook Receiver on loopback (tests/bookings/webhook_receiver.py),
    stopped after the test."""
    from tests.bookings.webhook_receiver import Receiver

    made: list = []

    def make(**behaviour):
        made.append(Receiver(**behaviour))
        return made[-1]

    yield make
    for receiver in made:
        receiver.stop()
