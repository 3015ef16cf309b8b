"""The admin's view of the outbox and webhooks: failures are visible and can be sent again;
an endpoint made in the admin shows its secret once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from bookings import notifications
from bookings.models import OutboxMessage, WebhookEndpoint
from bookings.notifications import outbox


@pytest.fixture
def failed_row(make_configuration, booking_for, monkeypatch):
    monkeypatch.setattr(outbox, "enqueue_many", lambda items, countdown=None: len(items))
    page = make_configuration(title="Intro call")
    start = dt.datetime(2030, 3, 5, 16, 0, tzinfo=dt.UTC)
    booking = booking_for(page, page.hosts, start, start + dt.timedelta(minutes=30))
    with transaction.atomic():
        notifications.booking_created(booking)
    row = OutboxMessage.objects.get(purpose="guest_confirmation")
    OutboxMessage.objects.filter(pk=row.pk).update(
        status="failed", attempts=8, last_error="Gave up after 8 attempts. 451 mailbox busy"
    )
    return row


def test_failed_messages_are_listed_with_their_error(staff_client, failed_row):
    response = staff_client.get("/admin/bookings/outboxmessage/?status__exact=failed")
    page = response.content.decode()
    assert response.status_code == 200
    assert "guest@example.com" in page and "451 mailbox busy" in page
    assert [row.pk for row in response.context["cl"].result_list] == [failed_row.pk]
    detail = staff_client.get(f"/admin/bookings/outboxmessage/{failed_row.pk}/change/")
    assert detail.status_code == 200


def test_the_resend_action_queues_a_failed_message_again(staff_client, failed_row):
    response = staff_client.post(
        "/admin/bookings/outboxmessage/",
        {"action": "resend_selected", "_selected_action": [failed_row.pk]},
        follow=True,
    )
    assert "1 message(s) queued to be sent again." in response.content.decode()
    failed_row.refresh_from_db()
    assert (failed_row.status, failed_row.attempts) == ("pending", 0)


def test_outbox_rows_cannot_be_added_or_edited_in_the_admin(staff_client, failed_row):
    assert staff_client.get("/admin/bookings/outboxmessage/add/").status_code == 403
    detail = staff_client.get(f"/admin/bookings/outboxmessage/{failed_row.pk}/change/")
    assert 'name="_save"' not in detail.content.decode()


def test_an_endpoint_made_in_the_admin_shows_its_secret_once(staff_client, db):
    response = staff_client.post(
        "/admin/bookings/webhookendpoint/add/",
        {
            "description": "CRM",
            "webhook_url": "https://hooks.example.com/in",
            "trigger_types": ["booking.created", "booking.cancelled"],
            "status": "active",
        },
        follow=True,
    )
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.trigger_types == ["booking.created", "booking.cancelled"]
    assert endpoint.secret.startswith("whsec_")
    assert endpoint.secret in response.content.decode()
    detail = staff_client.get(f"/admin/bookings/webhookendpoint/{endpoint.pk}/change/")
    assert endpoint.secret not in detail.content.decode()


def test_an_endpoint_url_must_be_http(staff_client, db):
    response = staff_client.post(
        "/admin/bookings/webhookendpoint/add/",
        {"webhook_url": "ftp://example.com/in", "trigger_types": ["booking.created"]},
    )
    assert response.status_code == 200
    assert not WebhookEndpoint.objects.exists()
