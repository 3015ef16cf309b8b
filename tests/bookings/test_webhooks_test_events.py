"""POST /v3/webhooks/send-test-event and /v3/webhooks/mock-payload (the hosted service's
shapes): an example of any trigger type, POSTed to a receiver on loopback signed with
the documented test secret, or returned; the examples of what we deliver carry the same
keys as real deliveries."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import pytest

from bookings.models import OutboxMessage, WebhookEndpoint
from bookings.models.webhooks import (
    BOOKING_TRIGGERS,
    DELIVERED_TRIGGERS,
    EVENT_TRIGGERS,
    GRANT_TRIGGERS,
    TRIGGER_TYPES,
)
from bookings.notifications import organizer_webhooks, webhooks
from pages import services

pytestmark = pytest.mark.usefixtures("loopback_destinations")

START = dt.datetime(2030, 3, 5, 16, 0, tzinfo=dt.UTC)


@pytest.fixture
def auth(api_key):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_key}"}


def mock(api, auth, trigger: str) -> dict:
    response = api.post(
        "/v3/webhooks/mock-payload",
        {"trigger_type": trigger, "webhook_url": "https://hooks.example.com/in"},
        format="json",
        **auth,
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"request_id", "data"}
    return body["data"]


def keys(value):
    """The nested keys of a payload, as a set of paths."""
    if isinstance(value, dict):
        return {f"{k}.{sub}" if sub else k for k, v in value.items() for sub in keys(v) | {""}}
    return set()


@pytest.mark.parametrize("trigger", BOOKING_TRIGGERS)
def test_a_booking_example_has_the_keys_of_a_real_delivery(
    api, auth, trigger, make_configuration, booking_for
):
    page = make_configuration()
    status = "pending" if trigger == "booking.pending" else "booked"
    booking = booking_for(
        page,
        page.hosts,
        START,
        START + dt.timedelta(minutes=30),
        status=status,
        organizer_link_nonce="nonce" if status == "pending" else "",
    )
    extra = {
        "booking.cancelled": {"cancellation_reason": ""},
        "booking.rescheduled": {"old_start_time": 1, "old_end_time": 2},
        "booking.reminder": {"time_until_event": 60},
    }.get(trigger, {})
    real = webhooks.payload(booking, trigger, at=START, **extra)
    example = mock(api, auth, trigger)
    assert example["type"] == trigger and example["source"] == real["source"]
    assert keys(example) - {"data.object.booking_info.additional_fields"} == keys(real) - {
        "data.object.booking_info.additional_fields"
    }


@pytest.mark.parametrize("trigger", GRANT_TRIGGERS + EVENT_TRIGGERS)
def test_grant_and_event_examples_have_the_keys_of_real_deliveries(api, auth, trigger, make_host):
    grant = make_host("host@example.com", "Asia/Kolkata")
    if trigger in GRANT_TRIGGERS:
        real = organizer_webhooks.grant_object(
            trigger=trigger,
            grant_id=grant.pk,
            provider="virtual-calendar",
            email=grant.email,
            name=grant.name,
            grant_updated_at=grant.updated_at,
        )
    else:
        event = services.create_event(
            calendar=grant.calendars.get(), start=START, end=START + dt.timedelta(hours=1)
        )
        real = organizer_webhooks.event_object(event, trigger)
    example = mock(api, auth, trigger)
    assert keys(example["data"]["object"]) == keys(real)


def test_every_hosted_trigger_has_an_example(api, auth):
    for trigger in TRIGGER_TYPES:
        example = mock(api, auth, trigger)
        assert example["specversion"] == "1.0" and example["type"] == trigger
        assert isinstance(example["data"]["object"], dict)
    assert mock(api, auth, "message.created")["data"]["object"]["object"] == "message"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "trigger_type: is required"),
        ({"trigger_type": "booking.exploded"}, "trigger_type: 'booking.exploded' is not"),
        ({"trigger_type": 5}, "trigger_type: 5 is not"),
    ],
)
def test_a_mock_payload_of_nothing_known_is_a_400(api, auth, body, message):
    response = api.post("/v3/webhooks/mock-payload", body, format="json", **auth)
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith(message)


def test_a_test_event_is_posted_signed_with_the_test_secret(api, auth, receivers):
    receiver = receivers()
    response = api.post(
        "/v3/webhooks/send-test-event",
        {"trigger_type": "booking.created", "webhook_url": receiver.url},
        format="json",
        **auth,
    )
    assert response.status_code == 200, response.content
    assert response.json()["data"] == "success"
    [(headers, body)] = receiver.posts()
    expected = hmac.new(b"mock-webhook-secret", body, hashlib.sha256).hexdigest()
    assert headers["x-nylas-signature"] == expected
    [payload] = receiver.payloads()
    assert payload["type"] == "booking.created"
    assert payload["data"]["object"]["object"] == "booking"
    # A test is not a subscription and owes nothing afterwards.
    assert not WebhookEndpoint.objects.exists() and not OutboxMessage.objects.exists()


def test_a_test_event_the_receiver_refuses_is_a_400_saying_what_it_answered(api, auth, receivers):
    receiver = receivers(post_status=500)
    response = api.post(
        "/v3/webhooks/send-test-event",
        {"trigger_type": "grant.expired", "webhook_url": receiver.url},
        format="json",
        **auth,
    )
    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert message.startswith("webhook_url: the receiver answered the test event with HTTP 500")


def test_a_test_event_goes_through_the_outbound_policy(api, auth, receivers, settings):
    settings.SCHEDULER_PRIVATE_DESTINATIONS = []
    receiver = receivers()
    response = api.post(
        "/v3/webhooks/send-test-event",
        {"trigger_type": "event.created", "webhook_url": receiver.url},
        format="json",
        **auth,
    )
    assert response.status_code == 400
    assert "loopback" in response.json()["error"]["message"]
    assert receiver.requests == []


@pytest.mark.parametrize("missing", ["trigger_type", "webhook_url"])
def test_a_test_event_needs_both_fields(api, auth, missing):
    body = {"trigger_type": "event.created", "webhook_url": "https://hooks.example.com/in"}
    del body[missing]
    response = api.post("/v3/webhooks/send-test-event", body, format="json", **auth)
    assert response.status_code == 400
    assert response.json()["error"]["message"] == f"{missing}: is required"


@pytest.mark.parametrize("path", ["send-test-event", "mock-payload"])
def test_only_the_api_key_may_ask(api, make_host, path):
    grant = make_host("someone@example.com")
    body = {"trigger_type": "booking.created", "webhook_url": "https://hooks.example.com/in"}
    as_grant = api.post(
        f"/v3/webhooks/{path}", body, format="json", HTTP_AUTHORIZATION=f"Bearer {grant.token}"
    )
    assert as_grant.status_code == 403
    assert api.post(f"/v3/webhooks/{path}", body, format="json").status_code == 401


def test_the_schema_describes_the_new_routes(api, db):
    paths = api.get("/v3/schema").json()["paths"]
    assert "post" in paths["/v3/webhooks/send-test-event"]
    assert "post" in paths["/v3/webhooks/mock-payload"]
    assert set(DELIVERED_TRIGGERS) <= set(TRIGGER_TYPES)
