"""The guest's time zone on the hosted pages: the list they search, and what the server
makes of what they typed (a zone, an alias, a city), or says when it cannot."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bookings import links, services
from bookings.guest_input import Guest
from bookings.models import Booking
from bookings.views.zone_list import resolve_zone

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
MONDAY = dt.date(2026, 12, 7)
CHICAGO = ZoneInfo("America/Chicago")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def page(make_configuration):
    return make_configuration(slug="intro", title="Intro call", timezone="America/Chicago")


def picker(client, query: str) -> str:
    return client.get(f"/book/intro/?{query}", **HTMX, HTTP_HX_TARGET="picker").content.decode()


def test_the_zone_list_reads_like_people_name_zones_with_the_time_there_now(client, page):
    # NOW is 12:00 UTC: 7:00 AM in New York, 17:30 in Kolkata.
    html = client.get("/book/intro/", HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    assert (
        "<option value=America/New_York>Eastern Time - New York, United States (EST, 7:00 AM)"
        in html
    )
    assert "<option value=Asia/Kolkata>India Time - Kolkata, India (IST, 5:30 PM)" in html
    assert "<option value=Asia/Kathmandu>Nepal Time - Kathmandu, Nepal (5:45 PM)" in html
    assert "<option value=UTC>UTC (12:00 PM)" in html
    with time_machine.travel(dt.datetime(2027, 7, 1, 12, 1, tzinfo=dt.UTC), tick=False):
        html = client.get("/book/intro/", HTTP_ACCEPT_LANGUAGE="en-GB").content.decode()
    assert "Eastern Time - New York, United States (EDT, 08:01)" in html, "summer, 24 hours"


def test_the_zone_list_speaks_the_pages_language(client, page):
    html = client.get("/book/intro/?lang=de").content.decode()
    assert "<option value=Asia/Kolkata>Kalkutta, Indien (IST, 17:30)" in html
    assert "Mitteleuropäische Zeit - Berlin, Deutschland (CET, 13:00)" in html


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Berlin", "Europe/Berlin"),
        ("new york", "America/New_York"),
        ("NEW_YORK", "America/New_York"),
        ("  Kolkata ", "Asia/Kolkata"),
        ("buenos aires", "America/Argentina/Buenos_Aires"),
        ("europe/berlin", "Europe/Berlin"),
        ("Asia/Calcutta", "Asia/Calcutta"),
        ("calcutta", "Asia/Calcutta"),
        ("New York (America/New_York), UTC-05:00", "America/New_York"),
        ("Eastern Time - New York, United States (EST, 7:00 AM)", "America/New_York"),
        ("utc", "UTC"),
        ("CST", "America/Chicago"),
        ("ist", "Asia/Kolkata"),
        ("JST", "Asia/Tokyo"),
        ("India", "Asia/Kolkata"),
        ("Nepal", "Asia/Kathmandu"),
        ("Deutschland", "Europe/Berlin"),
        ("Kalkutta", "Asia/Kolkata"),
        ("central time", "America/Chicago"),
    ],
)
def test_a_zone_is_found_by_name_alias_city_country_or_abbreviation(typed, zone):
    assert resolve_zone(typed) == zone


@pytest.mark.parametrize("typed", ["", "   ", "Berlinn", "Mars/Olympus", "x" * 500, None, 3])
def test_what_names_no_zone_is_none(typed):
    assert resolve_zone(typed) is None


def test_a_city_typed_and_sent_shows_the_times_in_its_zone(client, page):
    html = picker(client, "tz=new+york")
    assert 'data-zone="America/New_York"' in html
    assert "Times are shown in America/New York (UTC-05:00)." in html
    assert "tz=America%2FNew_York" in html, "the picker's links carry the zone found"
    assert "know the time zone" not in html


def test_without_javascript_the_zone_field_then_shows_the_zone_found(client, page):
    html = client.get("/book/intro/?tz=Berlin&lang=en").content.decode()
    assert 'name="tz" list="zone-list" value="Europe/Berlin"' in html
    assert "Times are shown in Europe/Berlin (UTC+01:00)." in html


def test_the_alias_chromium_reports_for_india_is_accepted(client, page):
    html = picker(client, "tz=Asia/Calcutta")
    assert "Times are shown in Asia/Calcutta (UTC+05:30)." in html
    assert "know the time zone" not in html


def test_an_unknown_zone_is_said_instead_of_switched_silently(client, page):
    html = picker(client, "tz=Berlinn")
    assert (
        "We don't know the time zone “Berlinn”; showing times in America/Chicago (UTC-06:00)."
        in (html)
    )
    assert 'data-zone="America/Chicago"' in html, "the zone field is set to the one shown"
    html = client.get("/book/intro/?tz=%3Cb%3EBerlinn&lang=de").content.decode()
    assert "Wir kennen die Zeitzone „&lt;b&gt;Berlinn“ nicht" in html
    assert 'value="America/Chicago"' in html


def test_a_booking_sent_with_a_city_is_in_its_zone(client, page):
    start = int(dt.datetime.combine(MONDAY, dt.time(10), tzinfo=CHICAGO).timestamp())
    data = {"slot": str(start), "tz": "kolkata", "name": "Ravi", "email": "ravi@example.com"}
    response = client.post("/book/intro/", data)
    assert response.status_code == 303
    assert "tz=Asia%2FKolkata" in response["Location"]
    assert Booking.objects.get().guest_timezone == "Asia/Kolkata"


def test_the_reschedule_page_finds_a_typed_city_too_and_says_when_it_cannot(client, page):
    start = int(dt.datetime.combine(MONDAY, dt.time(10), tzinfo=CHICAGO).timestamp())
    booking = services.create_booking(
        configuration=page,
        start=start,
        end=None,
        guest=Guest(name="Grace", email="grace@example.com", timezone="Asia/Tokyo"),
    ).booking
    path = f"/booking/{links.booking_ref(booking)}/reschedule/"
    html = client.get(f"{path}?tz=berlin").content.decode()
    assert "Times are shown in Europe/Berlin (UTC+01:00)." in html
    html = client.get(f"{path}?tz=Atlantis").content.decode()
    assert "We don't know the time zone “Atlantis”; showing times in Asia/Tokyo" in html


def test_the_show_times_button_is_only_there_without_javascript(client, page):
    html = client.get("/book/intro/").content.decode()
    button = re.search(r"<noscript><button type=\"submit\" class=\"button\">Show times", html)
    assert button, "with JavaScript a change of zone loads the times by itself"
    assert html.count("Show times") == 1
