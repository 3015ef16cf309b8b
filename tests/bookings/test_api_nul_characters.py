"""A NUL character anywhere in an API request (body, query string, URL), or a lone UTF-16
surrogate in a JSON body, is a 400 that names where it was, in the route's dialect, and
nothing is written. PostgreSQL's text and jsonb cannot hold either, so before this such a
value was a database error: a 500. Bodies the fast parser refuses but JSON allows still
parse."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from rest_framework.test import APIClient

from bookings.models import Booking, WebhookEndpoint
from pages.models import Configuration

pytestmark = pytest.mark.django_db

NUL = "\x00"


def start_of_next_monday_10am() -> int:
    today = dt.datetime.now(dt.UTC).date()
    monday = today + dt.timedelta(days=7 - today.weekday())
    return int(dt.datetime.combine(monday, dt.time(16), tzinfo=dt.UTC).timestamp())


@pytest.fixture
def page(make_configuration):
    return make_configuration(slug="nul-page")


def booking_body(**guest) -> dict:
    start = start_of_next_monday_10am()
    return {
        "start_time": start,
        "end_time": start + 1800,
        "guest": {"name": "Gus", "email": "gus@example.com", **guest},
    }


def test_a_nul_in_a_booking_body_names_its_path(page):
    response = APIClient().post(
        f"/v3/scheduling/bookings?configuration_id={page.pk}",
        booking_body(name=f"Gus{NUL}"),
        format="json",
    )
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["message"].startswith("guest.name: must not contain the NUL character")
    assert not Booking.objects.exists()


def test_a_nul_deep_in_a_list_names_the_item(page):
    body = booking_body()
    body["additional_guests"] = [{"email": "a@example.com"}, {"email": f"b{NUL}@example.com"}]
    response = APIClient().post(
        f"/v3/scheduling/bookings?configuration_id={page.pk}", body, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("additional_guests[1].email:")


def test_a_nul_in_the_query_string_names_the_parameter(page):
    response = APIClient().get("/v3/scheduling/availability", {"slug": f"nul{NUL}"})
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("slug: must not contain")


def test_a_nul_in_an_organizer_body(make_host, api_key):
    grant = make_host("organizer@example.com")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key}")
    response = client.post(
        f"/v3/grants/{grant.pk}/scheduling/configurations",
        {
            "name": f"Intro{NUL}",
            "participants": [
                {"email": grant.email, "is_organizer": True, "booking": {"calendar_id": "primary"}}
            ],
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("name: must not contain")
    assert not Configuration.objects.filter(grant=grant).exists()


def test_a_nul_in_a_webhook_body(api_key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key}")
    response = client.post(
        "/v3/webhooks",
        {
            "trigger_types": ["booking.created"],
            "webhook_url": "https://example.com/hook",
            "description": f"hook{NUL}",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("description: must not contain")
    assert not WebhookEndpoint.objects.exists()


def test_the_v2_dialect_answers_in_its_own_envelope(make_host):
    grant = make_host("v2@example.com")
    response = APIClient().post(
        "/manage/pages",
        {"name": f"Coffee{NUL}", "slug": "coffee", "config": {}},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {grant.token}",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "invalid_request_error"
    assert body["message"].startswith("name: must not contain")


def test_an_escaped_backslash_u0000_is_ordinary_text(page):
    """The literal six characters \\u0000 are not a NUL: only the bytes search matches
    them, and the walk finds nothing to refuse."""
    response = APIClient().post(
        f"/v3/scheduling/bookings?configuration_id={page.pk}",
        booking_body(name="Gus \\u0000"),
        format="json",
    )
    assert response.status_code == 200, response.content
    assert Booking.objects.get().guest_name == "Gus \\u0000"


def raw_post(page, text: str):
    return APIClient().post(
        f"/v3/scheduling/bookings?configuration_id={page.pk}",
        text,
        content_type="application/json",
    )


def test_a_lone_surrogate_names_its_path(page):
    body = json.dumps(booking_body(name="Gus"))  # ASCII: the escape stays an escape
    response = raw_post(page, body.replace('"Gus"', '"Gus \\ud800"'))
    assert response.status_code == 400, response.content
    assert response.json()["error"]["message"].startswith("guest.name: is not valid Unicode text")
    assert not Booking.objects.exists()


def test_a_surrogate_pair_is_ordinary_text(page):
    body = json.dumps(booking_body(name="Gus \U0001f600"))  # escaped as a pair
    assert "\\ud83d\\ude00" in body
    response = raw_post(page, body)
    assert response.status_code == 200, response.content
    assert Booking.objects.get().guest_name == "Gus \U0001f600"


def test_json_the_fast_parser_refuses_still_parses(page):
    """An integer beyond 64 bits is JSON; it reaches the field's own check."""
    body = json.dumps(booking_body()).replace(
        '"start_time": ', '"start_time": 123456789012345678901234567890, "x": '
    )
    response = raw_post(page, body)
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("start_time: is out of range")


def test_malformed_json_is_still_a_400(page):
    response = raw_post(page, '{"start_time": NaN}')
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["error"]["message"]
