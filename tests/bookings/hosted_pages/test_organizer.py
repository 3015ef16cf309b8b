"""/confirm/<token>/: the organizer confirms or declines a pending booking."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import signing
from django.test import Client

from bookings import links, services
from bookings.guest_input import Guest
from bookings.models import Booking
from pages.models import AdditionalField

CHICAGO = ZoneInfo("America/Chicago")
NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
MONDAY = dt.date(2026, 12, 7)


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


def chicago(hour: int) -> int:
    return int(dt.datetime.combine(MONDAY, dt.time(hour), tzinfo=CHICAGO).timestamp())


@pytest.fixture
def pending(make_configuration) -> Booking:
    configuration = make_configuration(
        slug="confirm", title="Consultation", booking_type="organizer-confirmation"
    )
    AdditionalField.objects.create(configuration=configuration, key="topic", label="Topic")
    AdditionalField.objects.create(
        configuration=configuration, key="campaign", label="Campaign", type="metadata"
    )
    return services.create_booking(
        configuration=configuration,
        start=chicago(10),
        end=None,
        guest=Guest(
            name="Grace <b>Guest</b>",
            email="grace@example.com",
            timezone="Europe/Berlin",
            additional_fields={"topic": "Taxes", "campaign": "winter"},
        ),
    ).booking


def link(booking) -> str:
    return f"/confirm/{links.organizer_link_token(booking)}/"


def test_the_link_shows_the_pending_booking_in_the_organizers_zone(client, pending):
    response = client.get(link(pending))
    assert response.status_code == 200
    html = response.content.decode()
    assert "A booking is waiting for your confirmation" in html
    assert "Monday, December 7, 2026, 10:00 AM – 10:30 AM" in html
    assert "America/Chicago" in html
    assert "Grace &lt;b&gt;Guest&lt;/b&gt;" in html
    assert "Taxes" in html and "winter" in html
    assert 'value="confirm"' in html and 'value="decline"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    pending.refresh_from_db()
    assert pending.status == "pending", "looking decides nothing"


def test_the_organizer_confirms_once(client, pending):
    url = link(pending)
    response = client.post(url, {"decision": "confirm"})
    assert response.status_code == 200
    assert "Booking confirmed" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == "booked"
    again = client.get(url)
    assert again.status_code == 410
    assert "already used" in again.content.decode()
    assert "This booking is confirmed" in again.content.decode()
    assert client.post(url, {"decision": "decline"}).status_code == 410
    pending.refresh_from_db()
    assert pending.status == "booked"


def test_the_organizer_declines_with_a_reason(client, pending):
    response = client.post(link(pending), {"decision": "decline", "reason": "Fully booked"})
    assert response.status_code == 200
    assert "Booking declined" in response.content.decode()
    pending.refresh_from_db()
    assert (pending.status, pending.cancellation_reason) == ("cancelled", "Fully booked")


def test_an_expired_link_gets_a_clear_page(client, pending):
    url = link(pending)
    with time_machine.travel(NOW + dt.timedelta(days=8), tick=False):
        response = client.get(url)
        assert response.status_code == 410
        assert "This link has expired" in response.content.decode()
        assert client.post(url, {"decision": "confirm"}).status_code == 410
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_a_forged_link_gets_a_clear_page(client, pending):
    forged = signing.dumps({"b": str(pending.id), "n": pending.organizer_link_nonce}, salt="x")
    for token in (forged, "garbage", links.booking_ref(pending)):
        response = client.get(f"/confirm/{token}/")
        assert response.status_code == 404
        assert "This link isn" in response.content.decode()
    assert client.post(f"/confirm/{forged}/", {"decision": "confirm"}).status_code == 404
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_a_link_with_an_old_nonce_counts_as_used(client, pending):
    stale = signing.dumps(
        {"b": str(pending.id), "n": "not-the-nonce"}, salt=links.ORGANIZER_LINK_SALT
    )
    response = client.get(f"/confirm/{stale}/")
    assert response.status_code == 410


def test_a_booking_the_guest_cancelled_says_so(client, pending):
    url = link(pending)
    services.cancel_booking(booking=pending, reason="Changed my mind")
    response = client.get(url)
    assert response.status_code == 410
    assert "declined or cancelled" in response.content.decode()


def test_confirming_when_the_host_is_no_longer_free_is_explained(client, pending, busy_event):
    start = pending.start
    busy_event(pending.organizer, start, start + dt.timedelta(minutes=30))
    response = client.post(link(pending), {"decision": "confirm"})
    assert response.status_code == 409
    assert "no longer free" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_an_unknown_decision_is_refused(client, pending):
    assert client.post(link(pending), {"decision": "maybe"}).status_code == 400


def test_the_decision_needs_the_csrf_token(pending):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(link(pending), {"decision": "confirm"}).status_code == 403
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_the_page_speaks_the_configurations_language(client, pending):
    pending.configuration.locale = "de"
    pending.configuration.save(update_fields=["locale"])
    html = client.get(link(pending)).content.decode()
    assert "Montag, 7. Dezember 2026, 10:00 – 10:30" in html
    assert "Buchung bestätigen" in html


def test_without_emails_the_page_promises_none(client, pending):
    pending.configuration.disable_emails = True
    pending.configuration.save(update_fields=["disable_emails"])
    html = client.post(link(pending), {"decision": "confirm"}).content.decode()
    assert "The booking is in your calendar." in html
    assert "will get a confirmation" not in html


def test_the_emails_decline_link_opens_on_the_decline_form(client, pending):
    html = client.get(link(pending) + "?action=decline").content.decode()
    assert html.index('class="decline-form first"') < html.index('class="confirm-form"')
    assert re.search(r'<textarea id="id_reason"[^>]* autofocus>', html)
    pending.refresh_from_db()
    assert pending.status == "pending", "the link decides nothing by itself"
    # The confirm link (or none) keeps confirming first, and focuses nothing.
    for query in ("?action=confirm", ""):
        html = client.get(link(pending) + query).content.decode()
        assert html.index('class="confirm-form"') < html.index('class="decline-form"')
        assert "autofocus" not in html


def test_declining_from_the_decline_link_works(client, pending):
    response = client.post(link(pending) + "?action=decline", {"decision": "decline"})
    assert "Booking declined" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == "cancelled"
