"""Input that looks like a number but is not one Python's int() reads, and JSON nested past
what a parser's stack allows. Each was a 500 before: str.isdigit() is true of "²" and of a
5,000-digit string, which int() then refused, and the fallback JSON parser ran out of
stack. Each is now a 400 naming the field, in the route's dialect."""

from __future__ import annotations

import copy
import json

import pytest
from rest_framework.test import APIClient

from tests.bookings.test_api_availability_stateless import SEED_EXAMPLE

pytestmark = pytest.mark.django_db

NOT_ASCII_DIGITS = ["²", "١٢", "1" * 5000]


@pytest.fixture
def page(make_configuration):
    return make_configuration(slug="odd-page")


def with_key(api_key) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key}")
    return client


@pytest.mark.parametrize("value", NOT_ASCII_DIGITS)
def test_a_v3_time_that_is_not_ascii_digits_is_a_400(page, value):
    response = APIClient().get(
        "/v3/scheduling/availability",
        {"configuration_id": str(page.pk), "start_time": value, "end_time": "1605826800"},
    )
    assert response.status_code == 400, response.content
    assert response.json()["error"]["message"].startswith("start_time:")


@pytest.mark.parametrize("value", NOT_ASCII_DIGITS)
def test_an_explain_start_that_is_not_ascii_digits_is_a_400(page, api_key, value):
    response = with_key(api_key).get(
        f"/v3/grants/{page.grant_id}/scheduling/configurations/{page.pk}/explain",
        {"start_time": value},
    )
    assert response.status_code == 400, response.content
    assert response.json()["error"]["message"].startswith("start_time:")


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("duration_minutes",), "³", "duration_minutes"),
        (("duration_minutes",), "-" + "1" * 5000, "duration_minutes"),
        (("start_time",), "²", "start_time"),
        (("open_hours", 0, "start"), "¹:00", "open_hours[0].start"),
        (("open_hours", 0, "end"), "14:⁰⁰", "open_hours[0].end"),
        (("open_hours", 0, "days"), ["²"], "open_hours[0].days[0]"),
        (("free_busy", 0, "time_slots", 0, "start_time"), "²", "free_busy[0].time_slots[0]"),
    ],
)
def test_a_v2_number_that_is_not_ascii_digits_is_a_400_naming_it(api_key, path, value, field):
    body = copy.deepcopy(SEED_EXAMPLE)
    holder = body
    for key in path[:-1]:
        holder = holder[key]
    holder[path[-1]] = value
    response = with_key(api_key).post("/calendars/availability", body, format="json")
    assert response.status_code == 400, response.content
    error = response.json()
    assert set(error) == {"type", "message"}
    assert error["message"].startswith(field), error["message"]


def test_v2_free_busy_with_a_start_that_is_not_ascii_digits_is_a_400(api_key):
    response = with_key(api_key).post(
        "/calendars/free-busy",
        {"start_time": "²", "end_time": 1605826800, "emails": ["a@example.com"]},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert response.json()["message"].startswith("start_time:")


def test_days_given_as_one_comma_string_are_read_as_those_days(api_key):
    """API.md: a "1, 2, 3" string is read as three days, in a list or on its own."""
    listed = with_key(api_key).post("/calendars/availability", SEED_EXAMPLE, format="json")
    body = copy.deepcopy(SEED_EXAMPLE)
    body["open_hours"][0]["days"] = "1, 2, 3, 4, 5"
    alone = with_key(api_key).post("/calendars/availability", body, format="json")
    assert alone.status_code == 200, alone.content
    assert alone.json()["time_slots"] == listed.json()["time_slots"] != []
    body["open_hours"][0]["days"] = "1, x"
    refused = with_key(api_key).post("/calendars/availability", body, format="json")
    assert refused.status_code == 400
    assert refused.json()["message"].startswith("open_hours[0].days: 'x' is not a day")


@pytest.mark.parametrize("depth", [1100, 5000])
def test_json_nested_past_the_parsers_limits_is_a_400(api_key, depth):
    raw = "[" * depth + "]" * depth
    response = with_key(api_key).post(
        "/calendars/availability", raw, content_type="application/json"
    )
    assert response.status_code == 400, response.content[:300]
    assert "not valid JSON" in response.json()["message"]


def test_a_nul_deep_inside_a_deeply_nested_body_is_found_without_recursion(api_key):
    """950 levels: orjson reads it; the walk that looks for NUL characters must not
    overflow the stack on its way down."""
    depth = 950
    raw = '{"duration_minutes": 30, "x": ' + "[" * depth + '"\\u0000"' + "]" * depth + "}"
    response = with_key(api_key).post(
        "/calendars/availability", raw, content_type="application/json"
    )
    assert response.status_code == 400, response.content[:300]
    message = response.json()["message"]
    assert message.startswith("x" + "[0]" * depth + ": must not contain the NUL"), message[:80]


@pytest.mark.parametrize("value", ["²", "1" * 5000])
def test_the_booking_page_ignores_a_start_that_is_not_ascii_digits(client, page, value):
    response = client.get(f"/book/{page.slug}/", {"start": value})
    assert response.status_code in (200, 302, 400), response.status_code
    assert response.status_code != 500


def test_a_body_nesting_json_is_still_json(api_key):
    """Ordinary bodies are untouched by the depth handling."""
    response = with_key(api_key).post(
        "/calendars/availability", json.dumps(SEED_EXAMPLE), content_type="application/json"
    )
    assert response.status_code == 200
