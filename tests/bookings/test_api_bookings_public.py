"""Seed 001's "Manage existing bookings": on a public configuration, GET, PATCH and
DELETE of a booking by its id with the configuration's id or slug in the query need no
header; the id must be that configuration's; a private one still needs its session or the
key; PUT (the organizer's decision) keeps its rules."""

from __future__ import annotations

import datetime as dt

import pytest

from bookings.models import Booking
from tests.bookings.test_api_bookings import at, frozen_now  # noqa: F401


@pytest.fixture
def page(make_configuration):
    return make_configuration(duration_minutes=30, slug="intro")


@pytest.fixture
def other_page(make_configuration):
    return make_configuration(("other@example.com",), duration_minutes=30, slug="other")


def book(api, configuration, start, *, zone="Asia/Kolkata", headers=None) -> dict:
    response = api.post(
        f"/v3/scheduling/bookings?configuration_id={configuration.pk}",
        {
            "start_time": start,
            "end_time": start + configuration.duration_minutes * 60,
            "guest": {"name": "Grace Guest", "email": "grace@example.com"},
            "timezone": zone,
        },
        format="json",
        **(headers or {}),
    )
    assert response.status_code == 200, response.content
    return response.json()["data"]


def query(configuration, by: str) -> str:
    return f"configuration_id={configuration.pk}" if by == "id" else f"slug={configuration.slug}"


@pytest.mark.parametrize("by", ["id", "slug"])
def test_a_public_bookings_guest_reads_it_by_id_with_no_header(api, page, by):
    made = book(api, page, at(10), zone="Asia/Kathmandu")
    got = api.get(f"/v3/scheduling/bookings/{made['booking_id']}?{query(page, by)}")
    assert got.status_code == 200, got.content
    data = got.json()["data"]
    assert data["booking_id"] == made["booking_id"]
    assert data["start_time"] == at(10)
    assert data["timezone"] == "Asia/Kathmandu"


@pytest.mark.parametrize("by", ["id", "slug"])
def test_a_public_booking_is_rescheduled_by_id_with_no_header(api, page, by):
    made = book(api, page, at(10))
    moved = api.patch(
        f"/v3/scheduling/bookings/{made['booking_id']}?{query(page, by)}",
        {"start_time": at(14, 30), "end_time": at(15)},
        format="json",
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["data"]["start_time"] == at(14, 30)
    assert Booking.objects.get().start == dt.datetime.fromtimestamp(at(14, 30), dt.UTC)


@pytest.mark.parametrize("by", ["id", "slug"])
def test_a_public_booking_is_cancelled_by_id_with_no_header(api, page, by):
    made = book(api, page, at(10))
    gone = api.delete(
        f"/v3/scheduling/bookings/{made['booking_id']}?{query(page, by)}",
        {"cancellation_reason": "Conflict"},
        format="json",
    )
    assert gone.status_code == 200, gone.content
    assert set(gone.json()) == {"request_id"}
    booking = Booking.objects.get()
    assert (booking.status, booking.cancellation_reason) == ("cancelled", "Conflict")


def test_the_web_components_cancel_body_is_accepted(api, page):
    made = book(api, page, at(10))
    gone = api.delete(
        f"/v3/scheduling/bookings/{made['booking_id']}?configuration_id={page.pk}",
        {"action": "cancel", "cancellation_reason": "Something came up"},
        format="json",
    )
    assert gone.status_code == 200, gone.content
    assert Booking.objects.get().cancellation_reason == "Something came up"


def test_another_action_in_a_delete_body_is_a_400_naming_action(api, page):
    made = book(api, page, at(10))
    refused = api.delete(
        f"/v3/scheduling/bookings/{made['booking_id']}?configuration_id={page.pk}",
        {"action": "explode"},
        format="json",
    )
    assert refused.status_code == 400
    assert "action" in refused.json()["error"]["message"]
    assert Booking.objects.get().status == "booked"


def test_the_booking_must_belong_to_the_configuration_in_the_query(api, page, other_page):
    made = book(api, page, at(10))
    url = f"/v3/scheduling/bookings/{made['booking_id']}?configuration_id={other_page.pk}"
    assert api.get(url).status_code == 404
    assert api.patch(url, {"start_time": at(11)}, format="json").status_code == 404
    assert api.delete(url).status_code == 404
    assert Booking.objects.get().status == "booked"


def test_an_unknown_configuration_or_booking_in_the_query_is_a_404(api, page):
    made = book(api, page, at(10))
    stranger = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
    assert api.get(f"/v3/scheduling/bookings/{made['booking_id']}?slug=nope").status_code == 404
    assert (
        api.get(f"/v3/scheduling/bookings/{stranger}?configuration_id={page.pk}").status_code == 404
    )
    bad = api.get(f"/v3/scheduling/bookings/{made['booking_id']}?configuration_id=nope")
    assert bad.status_code == 400
    assert "configuration_id" in bad.json()["error"]["message"]


def test_without_the_configuration_in_the_query_the_id_alone_is_still_401(api, page):
    made = book(api, page, at(10))
    assert api.get(f"/v3/scheduling/bookings/{made['booking_id']}").status_code == 401


def test_a_private_configurations_booking_still_needs_its_session_or_the_key(
    api, api_key, make_configuration
):
    private = make_configuration(duration_minutes=30, slug="private", requires_session_auth=True)
    made = book(api, private, at(10), headers={"HTTP_AUTHORIZATION": f"Bearer {api_key}"})
    url = f"/v3/scheduling/bookings/{made['booking_id']}?configuration_id={private.pk}"
    refused = api.get(url)
    assert refused.status_code == 401
    assert "session" in refused.json()["error"]["message"]
    assert api.patch(url, {"start_time": at(11)}, format="json").status_code == 401
    assert api.delete(url).status_code == 401
    assert Booking.objects.get().status == "booked"
    assert api.get(url, HTTP_AUTHORIZATION=f"Bearer {api_key}").status_code == 200


def test_put_keeps_its_rules_on_a_public_configuration(api, make_configuration):
    confirm = make_configuration(booking_type="organizer-confirmation", slug="confirm")
    made = book(api, confirm, at(10))
    url = f"/v3/scheduling/bookings/{made['booking_id']}?configuration_id={confirm.pk}"
    refused = api.put(url, {"status": "confirmed"}, format="json")
    assert refused.status_code == 401
    forged = api.put(url, {"status": "confirmed", "salt": made["booking_ref"]}, format="json")
    assert forged.status_code == 401
    assert Booking.objects.get().status == "pending"


def test_the_sdk_call_with_the_key_and_configuration_id_still_works(api, api_key, page):
    made = book(api, page, at(10))
    got = api.get(
        f"/v3/scheduling/bookings/{made['booking_id']}?configuration_id={page.pk}",
        HTTP_AUTHORIZATION=f"Bearer {api_key}",
    )
    assert got.status_code == 200


def test_the_schema_documents_the_public_query_on_get_patch_and_delete(client, db):
    schema = client.get("/v3/schema").json()
    operations = schema["paths"]["/v3/scheduling/bookings/{booking_id}"]
    for method in ("get", "patch", "delete"):
        names = {p["name"] for p in operations[method]["parameters"] if p["in"] == "query"}
        assert {"configuration_id", "slug"} <= names, method
    put_names = {p["name"] for p in operations["put"].get("parameters", []) if p["in"] == "query"}
    assert "configuration_id" not in put_names
