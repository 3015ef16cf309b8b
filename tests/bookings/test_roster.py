"""bookings.roster: who is on a page, read in one statement (or with the page itself), on
SQLite and PostgreSQL alike: order, grants, the calendars that make each person busy, the
open hours that apply to them and the zone those are read in."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings.availability import OpenHours as Hours
from bookings.roster import hosts_of, roster_of
from pages.models import Configuration, Grant, OpenHours, Participant
from pages.sql import configuration_by

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(make_host):
    chicago = make_host("chi@example.com", "America/Chicago", name="Chi")
    berlin = make_host("ber@example.com", "Europe/Berlin", name="Ber")
    travel = berlin.calendars.create(name="Travel")
    configuration = Configuration.objects.create(grant=chicago, slug="roster", timezone="")
    OpenHours.objects.create(
        configuration=configuration, days=[1, 2], start_minute=540, end_minute=1020
    )
    berlin_part = Participant.objects.create(
        configuration=configuration, grant=berlin, email=berlin.email, position=1
    )
    berlin_part.availability_calendars.add(travel)
    OpenHours.objects.create(
        configuration=configuration,
        participant=berlin_part,
        days=[3],
        start_minute=600,
        end_minute=660,
        timezone="Asia/Tokyo",
        exdates=["2027-01-06"],
    )
    Participant.objects.create(
        configuration=configuration,
        grant=chicago,
        email=chicago.email,
        name="Organizer",
        is_organizer=True,
        position=0,
        booking_calendar=chicago.calendars.get(is_primary=True),
    )
    Participant.objects.create(
        configuration=configuration,
        email="watcher@example.com",
        has_availability=False,
        timezone="Asia/Kolkata",
        position=1,  # same position as Berlin: email breaks the tie
    )
    configuration.chicago, configuration.berlin, configuration.travel = chicago, berlin, travel
    return configuration


def test_the_roster_in_order_with_calendars_hours_and_zones(page):
    with CaptureQueriesContext(connection) as queries:
        members = roster_of(page)
    assert len(queries) == 1
    assert [m.email for m in members] == [
        "chi@example.com",
        "ber@example.com",
        "watcher@example.com",
    ]
    chi, ber, watcher = members

    assert (chi.name, chi.is_organizer, chi.has_availability) == ("Organizer", True, True)
    assert (chi.grant.pk, chi.grant.email, chi.grant.timezone) == (
        page.chicago.pk,
        "chi@example.com",
        "America/Chicago",
    )
    primary = page.chicago.calendars.get(is_primary=True)
    assert chi.calendar_ids == (primary.pk,), "no calendar chosen: the primary"
    assert chi.booking_calendar_id == primary.pk
    # The page's default hours, read in the person's zone (their grant's).
    assert chi.open_hours == (Hours(frozenset({1, 2}), 540, 1020, "America/Chicago"),)

    assert ber.calendar_ids == (page.travel.pk,), "chosen calendars replace the primary"
    assert ber.open_hours == (
        Hours(frozenset({3}), 600, 660, "Asia/Tokyo", frozenset({dt.date(2027, 1, 6)})),
    )
    assert ber.zone == "Europe/Berlin" and ber.booking_calendar_id is None

    assert watcher.grant is None and watcher.grant_id is None
    assert watcher.has_availability is False and watcher.calendar_ids == ()
    assert watcher.zone == "Asia/Kolkata"
    assert [m.email for m in hosts_of(members)] == ["chi@example.com", "ber@example.com"]


def test_read_with_the_page_it_costs_no_query_and_is_the_same(page):
    hot = configuration_by(slug="roster")
    with CaptureQueriesContext(connection) as queries:
        members = roster_of(hot)
    assert len(queries) == 0
    assert members == roster_of(Configuration.objects.get(pk=page.pk))


def test_a_page_without_participants_or_hours(make_host):
    grant = make_host("alone@example.com")
    empty = Configuration.objects.create(grant=grant, slug="empty")
    assert roster_of(empty) == []
    assert roster_of(configuration_by(slug="empty")) == []


def test_it_says_whose_calendars_are_on_caldav_servers_as_fresh_and_writes_find_them(
    make_host,
):
    """caldav_calendars: the fresh check would find calendars to ask (a valid grant with a
    CalDAV calendar; not feeds, not an invalid grant); booking_calendar_caldav: the
    write-back would write the booking calendar (CalDAV, not read-only). Read with the
    page and read alone alike."""
    from pages.sync import fresh, providers, writes
    from pages.sync import services as sync_services

    def connected(email, provider, *found, status=Grant.Status.VALID):
        grant, _token = sync_services.connect_grant(
            provider=provider,
            values={"url": "https://dav.example.com/", "username": "u", "password": "p"},
            found=list(found),
            email=email,
        )
        Grant.objects.filter(pk=grant.pk).update(grant_status=status)
        return grant

    def remote(name, read_only=False):
        source = f"https://dav.example.com/{email}/{name}/"
        return providers.RemoteCalendar(source=source, name=name, read_only=read_only)

    local = make_host("local@example.com")
    page = Configuration.objects.create(grant=local, slug="connected")
    people = {}
    for position, (email, grant, booking_calendar) in enumerate(
        [
            ("local@example.com", local, "primary"),
            ("dav@example.com", "caldav", "primary"),
            ("shared@example.com", "caldav-read-only", "read-only"),
            ("expired@example.com", "caldav-invalid", "primary"),
            ("cloud@example.com", "icloud", None),
            ("feed@example.com", "ics", "primary"),
            ("guest@example.com", None, None),
        ]
    ):
        if grant == "caldav":
            grant = connected(email, "caldav", remote("work"))
        elif grant == "caldav-read-only":
            grant = connected(email, "caldav", remote("work"), remote("shared", read_only=True))
        elif grant == "caldav-invalid":
            grant = connected(email, "caldav", remote("work"), status=Grant.Status.INVALID)
        elif grant == "icloud":
            grant = connected(email, "icloud", remote("home"))
        elif grant == "ics":
            url = "https://calendar.example.com/secret.ics"
            grant = connected(
                email,
                "ics",
                providers.RemoteCalendar(providers.feed_source(url), "Feed", read_only=True),
            )
        calendar = None
        if booking_calendar == "primary":
            calendar = grant.calendars.get(is_primary=True)
        elif booking_calendar == "read-only":
            calendar = grant.calendars.get(read_only=True)
        people[email] = Participant.objects.create(
            configuration=page,
            grant=grant,
            email=email,
            booking_calendar=calendar,
            position=position,
        )

    flags = {
        "local@example.com": (False, False),
        "dav@example.com": (True, True),
        "shared@example.com": (True, False),
        "expired@example.com": (False, True),
        "cloud@example.com": (True, False),
        "feed@example.com": (False, False),
        "guest@example.com": (False, False),
    }
    for read in (roster_of(configuration_by(slug="connected")), roster_of(page)):
        assert {m.email: (m.caldav_calendars, m.booking_calendar_caldav) for m in read} == flags
    # The same answers as the code that acts on them, each asked on its own.
    for email, person in people.items():
        alone = Configuration.objects.create(grant=local, slug=f"alone-{person.position}")
        Participant.objects.create(configuration=alone, grant=person.grant, email=email)
        assert bool(fresh.calendars_of(alone)) is flags[email][0], email
        writable = person.booking_calendar_id and writes._writable(person.booking_calendar_id)
        assert bool(writable) is flags[email][1], email
