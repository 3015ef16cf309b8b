"""grant.* and event.* webhooks: pages' services announce grants and events changed
(pages.signals), bookings writes one outbox row per subscribed endpoint in the same
transaction, and the outbox delivers them like a booking's (the sweep's claim, then the
send task's delivery: what the beat and the workers run), signed, to receivers on
loopback. A change rolled back owes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from standardwebhooks import Webhook

from bookings.models import OutboxMessage, WebhookEndpoint
from bookings.models.webhooks import BOOKING_TRIGGERS, EVENT_TRIGGERS, GRANT_TRIGGERS
from bookings.notifications import outbox, sending
from pages import services
from pages.models import Grant
from pages.signals import announce_grant
from tests.bookings.webhook_receiver import Receiver

pytestmark = pytest.mark.usefixtures("loopback_destinations")

START = dt.datetime(2030, 3, 5, 16, 0, tzinfo=dt.UTC)


@pytest.fixture
def auth(api_key):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_key}"}


def subscribe(receiver: Receiver, triggers) -> str:
    endpoint = WebhookEndpoint(webhook_url=receiver.url, trigger_types=list(triggers))
    secret = endpoint.set_new_secret()
    endpoint.save()
    return secret


def deliver_due() -> list[str]:
    return [sending.deliver(c.message_id, c.token) for c in outbox.claim_due()]


def verified_payloads(receiver: Receiver, secret: str) -> list[dict]:
    return [Webhook(secret).verify(body, headers) for headers, body in receiver.posts()]


def test_grants_made_and_deleted_through_the_api_are_delivered(api, auth, receivers):
    receiver = receivers()
    secret = subscribe(receiver, GRANT_TRIGGERS)
    made = api.post(
        "/v3/grants",
        {"email": "ada@example.com", "name": "Ada", "timezone": "Asia/Kolkata"},
        format="json",
        **auth,
    )
    assert made.status_code == 200, made.content
    grant_id = made.json()["data"]["id"]
    assert api.delete(f"/v3/grants/{grant_id}", **auth).status_code == 200
    rows = OutboxMessage.objects.filter(kind="webhook").order_by("created_at")
    assert [r.purpose for r in rows] == ["grant.created", "grant.deleted"]
    assert all(r.booking_id is None for r in rows)
    assert deliver_due() == ["sent", "sent"]
    created, deleted = verified_payloads(receiver, secret)
    assert created["type"] == "grant.created"
    assert created["source"] == "/scheduler/grants"
    assert created["data"]["object"] == {
        "code": 25012,
        "grant_id": grant_id,
        "provider": "virtual-calendar",
        "email": "ada@example.com",
        "name": "Ada",
    }
    assert deleted["type"] == "grant.deleted"
    assert deleted["data"]["object"]["grant_id"] == grant_id
    assert deleted["data"]["object"]["code"] == 25013
    assert not Grant.objects.filter(pk=grant_id).exists()


def test_an_expired_grant_is_one_call_inside_the_transaction(receivers, make_host):
    receiver = receivers()
    secret = subscribe(receiver, ["grant.expired", "grant.updated"])
    grant = make_host("lin@example.com", "Asia/Kathmandu")
    with transaction.atomic():
        announce_grant(grant, "grant.expired")
        announce_grant(grant, "grant.updated", reauthenticated=True)
    assert deliver_due() == ["sent", "sent"]
    by_type = {p["type"]: p["data"]["object"] for p in verified_payloads(receiver, secret)}
    assert by_type["grant.expired"]["code"] == 25009
    assert by_type["grant.expired"]["grant_updated_at"] == int(grant.updated_at.timestamp())
    assert by_type["grant.updated"]["reauthentication_flag"] is True
    assert by_type["grant.updated"]["code"] == 25027


def test_a_change_rolled_back_owes_no_webhook(receivers, make_host):
    receiver = receivers()
    subscribe(receiver, GRANT_TRIGGERS)
    grant = make_host("rolled@example.com")
    OutboxMessage.objects.all().delete()  # the grant.created of the fixture
    with pytest.raises(RuntimeError), transaction.atomic():
        announce_grant(grant, "grant.expired")
        raise RuntimeError("the sync failed after all")
    assert not OutboxMessage.objects.exists()
    assert deliver_due() == []


def test_only_grant_triggers_may_be_announced(make_host):
    grant = make_host("x@example.com")
    with pytest.raises(ValueError):
        announce_grant(grant, "booking.created")


def test_events_changed_through_the_api_are_delivered(api, receivers, make_host):
    grant = make_host("host@example.com", "Asia/Kolkata")
    receiver = receivers()
    secret = subscribe(receiver, EVENT_TRIGGERS)
    others = receivers()
    subscribe(others, BOOKING_TRIGGERS + GRANT_TRIGGERS)
    token = {"HTTP_AUTHORIZATION": f"Bearer {grant.token}"}
    base = f"/v3/grants/{grant.pk}/events"
    when = {"start_time": int(START.timestamp()), "end_time": int(START.timestamp()) + 3600}
    made = api.post(
        f"{base}?calendar_id=primary",
        {"title": "Dentist", "when": when, "metadata": {"k": "v"}},
        format="json",
        **token,
    )
    assert made.status_code == 200, made.content
    event = made.json()["data"]
    moved = {"start_time": when["start_time"] + 1800, "end_time": when["end_time"] + 1800}
    updated = api.put(
        f"{base}/{event['id']}?calendar_id=primary", {"when": moved}, format="json", **token
    )
    assert updated.status_code == 200, updated.content
    gone = api.delete(f"{base}/{event['id']}?calendar_id=primary", **token)
    assert gone.status_code == 200
    refused = api.post(f"{base}?calendar_id=primary", {"title": "No time"}, format="json", **token)
    assert refused.status_code == 400
    assert deliver_due() == ["sent", "sent", "sent"]
    created, changed, deleted = sorted(
        verified_payloads(receiver, secret),
        key=lambda p: ["event.created", "event.updated", "event.deleted"].index(p["type"]),
    )
    assert created["source"] == "/scheduler/events"
    assert created["data"]["object"] == event  # as the events API answered
    assert changed["data"]["object"]["when"]["start_time"] == moved["start_time"]
    assert deleted["data"]["object"] == {
        "id": event["id"],
        "grant_id": str(grant.pk),
        "calendar_id": event["calendar_id"],
        "object": "event",
        "metadata": {"k": "v"},
    }
    assert others.posts() == []


def test_a_paused_endpoint_is_owed_no_grant_or_event_webhook(receivers, make_host):
    receiver = receivers()
    subscribe(receiver, GRANT_TRIGGERS + EVENT_TRIGGERS)
    WebhookEndpoint.objects.update(status="pause")
    grant = make_host("quiet@example.com")
    services.create_event(
        calendar=grant.calendars.get(), start=START, end=START + dt.timedelta(hours=1)
    )
    assert not OutboxMessage.objects.exists()


def test_a_grant_webhook_is_in_the_admin_and_can_be_sent_again(api, auth, receivers, staff_client):
    receiver = receivers(post_status=500)
    subscribe(receiver, ["grant.created"])
    api.post("/v3/grants", {"email": "again@example.com"}, format="json", **auth)
    assert deliver_due() == ["retry"]
    row = OutboxMessage.objects.get()
    page = staff_client.get(f"/admin/bookings/outboxmessage/{row.pk}/change/")
    assert page.status_code == 200 and "grant.created" in page.content.decode()
    receiver.post_status = 200
    response = staff_client.post(
        "/admin/bookings/outboxmessage/",
        {"action": "resend_selected", "_selected_action": [row.pk]},
    )
    assert response.status_code == 302
    assert deliver_due() == ["sent"]
    assert [p["type"] for p in receiver.payloads()] == ["grant.created", "grant.created"]
