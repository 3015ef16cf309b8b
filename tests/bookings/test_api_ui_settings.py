"""GET /v3/scheduling/ui-settings: what the Scheduling web component reads about a
configuration (and the booking it reschedules), and nothing a guest should not see."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine

from pages.models import AdditionalField

MONDAY = dt.datetime(2026, 12, 7, tzinfo=ZoneInfo("America/Chicago"))
NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def page(make_configuration):
    configuration = make_configuration(
        duration_minutes=45,
        slug="intro",
        name="Intro call",
        title="Intro with Olive",
        location="https://meet.example.com/olive",
        available_days_in_future=14,
        min_booking_notice=120,
        min_cancellation_notice=60,
        cancellation_policy="Cancel a day ahead, please.",
        hide_additional_guests=True,
        appearance={"color": "#0055aa", "company_name": "Olive & Co"},
        email_template={"booking_confirmed": {"title": "Private template"}},
    )
    AdditionalField.objects.create(
        configuration=configuration, key="company", label="Company", type="text", required=True
    )
    return configuration


def test_a_public_configuration_answers_what_the_component_reads(api, page):
    response = api.get(f"/v3/scheduling/ui-settings?configuration_id={page.pk}")
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert data["configuration_id"] == str(page.pk)
    assert (data["name"], data["slug"], data["booking_type"]) == ("Intro call", "intro", "booking")
    assert data["organizer"] == {"name": "host", "email": "host@example.com"}
    scheduler = data["scheduler"]
    assert scheduler["available_days_in_future"] == 14
    assert scheduler["min_booking_notice"] == 120
    assert scheduler["min_cancellation_notice"] == 60
    assert scheduler["cancellation_policy"] == "Cancel a day ahead, please."
    assert scheduler["hide_additional_guests"] is True
    assert scheduler["additional_fields"]["company"]["label"] == "Company"
    assert scheduler["additional_fields"]["company"]["required"] is True
    assert data["appearance"] == {"color": "#0055aa", "company_name": "Olive & Co"}
    assert data["event_booking"]["title"] == "Intro with Olive"
    assert data["availability"] == {"duration_minutes": 45}
    assert "booking" not in data


def test_the_slug_works_as_well_as_the_id_and_client_id_is_ignored(api, page):
    response = api.get("/v3/scheduling/ui-settings?slug=intro&client_id=whatever")
    assert response.status_code == 200
    assert response.json()["data"]["configuration_id"] == str(page.pk)


def test_it_gives_no_secrets_nor_the_organizers_private_settings(api, api_key, page):
    from bookings.models import Booking

    api.post(
        f"/v3/scheduling/bookings?configuration_id={page.pk}",
        {
            "start_time": int(MONDAY.replace(hour=10, minute=30).timestamp()),
            "guest": {"name": "Grace", "email": "grace@example.com"},
            "additional_fields": {"company": "Acme"},
        },
        format="json",
    )
    booking = Booking.objects.get()
    response = api.get(
        f"/v3/scheduling/ui-settings?configuration_id={page.pk}&booking_id={booking.pk}"
    )
    assert response.status_code == 200
    text = json.dumps(response.json())
    for secret in (api_key, page.hosts[0].token, booking.salt_digest, "Private template"):
        assert secret not in text
    for key in ("participants", "booking_ref", "salt", "email_template", "reminders"):
        assert f'"{key}"' not in text
    assert "calendar_ids" not in text


def test_a_booking_id_adds_the_booking_being_rescheduled(api, page):
    from bookings.models import Booking

    start = int(MONDAY.replace(hour=10, minute=30).timestamp())
    made = api.post(
        f"/v3/scheduling/bookings?configuration_id={page.pk}",
        {
            "start_time": start,
            "guest": {"name": "Grace", "email": "grace@example.com"},
            "timezone": "Australia/Adelaide",
            "additional_fields": {"company": "Acme"},
        },
        format="json",
    )
    assert made.status_code == 200, made.content
    booking = Booking.objects.get()
    response = api.get(
        f"/v3/scheduling/ui-settings?configuration_id={page.pk}&booking_id={booking.pk}"
    )
    assert response.status_code == 200
    got = response.json()["data"]["booking"]
    assert got["guest"] == {"name": "Grace", "email": "grace@example.com"}
    assert got["additional_fields"] == {"company": "Acme"}
    assert got["timezone"] == "Australia/Adelaide"
    assert got["event_data"]["when"]["start_time"] == start
    assert got["event_data"]["when"]["start_timezone"] == "Australia/Adelaide"
    assert got["event_organizer"]["email"] == "host@example.com"


def test_another_configurations_booking_id_is_a_404(api, page, make_configuration):
    from bookings.models import Booking

    other = make_configuration(("other@example.com",), slug="other")
    api.post(
        f"/v3/scheduling/bookings?configuration_id={other.pk}",
        {
            "start_time": int(MONDAY.replace(hour=10, minute=30).timestamp()),
            "guest": {"name": "G", "email": "g@example.com"},
        },
        format="json",
    )
    booking = Booking.objects.get()
    response = api.get(
        f"/v3/scheduling/ui-settings?configuration_id={page.pk}&booking_id={booking.pk}"
    )
    assert response.status_code == 404
    bad = api.get(f"/v3/scheduling/ui-settings?configuration_id={page.pk}&booking_id=nope")
    assert bad.status_code == 400
    assert "booking_id" in bad.json()["error"]["message"]


def test_a_private_configuration_needs_its_session(api, api_key, make_configuration):
    private = make_configuration(slug="private", requires_session_auth=True)
    url = f"/v3/scheduling/ui-settings?configuration_id={private.pk}"
    assert api.get(url).status_code == 401
    session = api.post(
        "/v3/scheduling/sessions",
        {"configuration_id": str(private.pk)},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {api_key}",
    ).json()["data"]["session_id"]
    # The component sends the session alone, without configuration_id.
    with_session = api.get("/v3/scheduling/ui-settings", HTTP_AUTHORIZATION=f"Bearer {session}")
    assert with_session.status_code == 200
    assert with_session.json()["data"]["configuration_id"] == str(private.pk)


def test_an_unknown_configuration_is_a_404_and_none_at_all_a_400(api, db):
    missing = api.get("/v3/scheduling/ui-settings?slug=nobody")
    assert missing.status_code == 404
    assert missing.json()["error"]["type"] == "not_found_error"
    none = api.get("/v3/scheduling/ui-settings")
    assert none.status_code == 400
    assert "configuration_id" in none.json()["error"]["message"]
