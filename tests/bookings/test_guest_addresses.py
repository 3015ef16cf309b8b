"""A guest's email (and each additional guest's) is one address, checked with
email-validator (syntax only, no DNS): ``victim@x.test>,<attacker`` and other strings
that would make two recipients or a header are refused with a 400 naming the field in
the v3 API and the v2 timeslots route, and beside the field on the hosted page."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rest_framework.test import APIClient

from bookings.guest_input import clean_email
from bookings.models import Booking
from bookings.problems import InvalidBooking

CHICAGO = ZoneInfo("America/Chicago")
NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
MONDAY_10 = int(dt.datetime(2026, 12, 7, 10, tzinfo=CHICAGO).timestamp())
NOT_ONE_ADDRESS = [
    "victim@x.test>,<attacker",
    "victim@example.com>,<attacker@example.com",
    "victim@example.com, attacker@example.com",
    "Victim <victim@example.com>",
    "victim@example.com\r\nBcc: attacker@example.com",
    "victim@example.com\nattacker@example.com",
    "victim@example.com;attacker@example.com",
    "victim@@example.com",
    "@example.com",
    "victim@",
    "victim@localhost",
    "victim@example",
    "vic tim@example.com",
    '"victim"@example.com',
    "jörg@example.com",
]


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def page(make_configuration):
    return make_configuration(duration_minutes=30, slug="intro", timezone="America/Chicago")


def book(configuration, **guest):
    return APIClient().post(
        f"/v3/scheduling/bookings?configuration_id={configuration.pk}",
        {
            "start_time": MONDAY_10,
            "end_time": MONDAY_10 + 1800,
            "guest": {"name": "Vic", "email": "victim@example.com", **guest},
        },
        format="json",
    )


@pytest.mark.parametrize("address", NOT_ONE_ADDRESS)
def test_what_is_not_one_address_is_refused(address):
    with pytest.raises(InvalidBooking):
        clean_email(address, "guest.email")


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("o'hara+meet/ing=1@example.com", "o'hara+meet/ing=1@example.com"),
        ("  Grace.Guest@Example.COM ", "Grace.Guest@example.com"),
        ("jorg@münchen.example", "jorg@münchen.example"),
    ],
)
def test_a_legal_address_is_kept_normalized(given, kept):
    assert clean_email(given, "guest.email") == kept


def test_the_v3_api_refuses_two_addresses_in_guest_email(page):
    response = book(page, email="victim@x.test>,<attacker")
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == {"request_id", "error"}
    assert body["error"]["type"] == "invalid_request_error"
    assert body["error"]["message"].startswith("guest.email: ")
    assert not Booking.objects.exists()


def test_the_v3_api_refuses_two_addresses_in_an_additional_guest(page):
    response = APIClient().post(
        f"/v3/scheduling/bookings?configuration_id={page.pk}",
        {
            "start_time": MONDAY_10,
            "end_time": MONDAY_10 + 1800,
            "guest": {"name": "Vic", "email": "victim@example.com"},
            "additional_guests": [{"name": "A", "email": "a@example.com>,<attacker@example.com"}],
        },
        format="json",
    )
    assert response.status_code == 400, response.content
    assert response.json()["error"]["message"].startswith("additional_guests[0].email: ")


def test_the_v2_timeslots_route_refuses_two_addresses(page):
    response = APIClient().post(
        "/schedule/intro/timeslots",
        {
            "slot": {"start": MONDAY_10, "end": MONDAY_10 + 1800},
            "email": "victim@x.test>,<attacker",
            "name": "Vic",
        },
        format="json",
    )
    assert response.status_code == 400, response.content
    assert set(response.json()) == {"type", "message"}
    assert response.json()["message"].startswith("email: ")
    assert not Booking.objects.exists()


def test_the_hosted_page_shows_the_refusal_beside_the_email_field(client, page):
    data = {
        "slot": str(MONDAY_10),
        "tz": "Europe/Berlin",
        "lang": "en",
        "name": "Vic",
        "email": "victim@x.test>,<attacker",
    }
    response = client.post("/book/intro/", data)
    assert response.status_code == 422
    html = response.content.decode()
    assert re.search(r'id="id_email"[^>]*aria-invalid="true"', html)
    assert 'id="id_email_error">Please enter an email address' in html
    assert not Booking.objects.exists()


def test_a_legal_odd_address_books(page):
    response = book(page, email="o'hara+meet/ing=1@example.com")
    assert response.status_code == 200, response.content
    assert Booking.objects.get().guest_email == "o'hara+meet/ing=1@example.com"
