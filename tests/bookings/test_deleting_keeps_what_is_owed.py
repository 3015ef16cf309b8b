"""Deleting a configuration or a grant (API or admin) deletes its bookings' rows: their
upcoming bookings are cancelled first, with the guest's email and the webhook, and those
are still sent after the rows are gone (DESIGN.md invariant 4: nothing is lost)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from bookings.models import Booking, OutboxMessage, WebhookEndpoint
from bookings.notifications import outbox, sending
from pages.models import Configuration, Event
from tests.bookings.test_api_bookings import MONDAY, NOW, frozen_now  # noqa: F401

# Webhook receivers here listen on 127.0.0.1 (or nothing listens there).
pytestmark = pytest.mark.usefixtures("loopback_destinations")


@pytest.fixture
def page(make_configuration):
    return make_configuration(duration_minutes=30, slug="doomed", title="Intro call")


@pytest.fixture
def endpoint(db):
    return WebhookEndpoint.objects.create(
        webhook_url="http://127.0.0.1:9/hook",
        trigger_types=["booking.created", "booking.cancelled"],
        secret="whsec_" + "A" * 43 + "=",
    )


def book(api, page, hour: int) -> dict:
    start = int(MONDAY.replace(hour=hour).timestamp())
    response = api.post(
        f"/v3/scheduling/bookings?configuration_id={page.pk}",
        {
            "start_time": start,
            "end_time": start + 1800,
            "guest": {"name": "Grace <b>Guest</b>", "email": "grace@example.com"},
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    return response.json()["data"]


def send_everything_due() -> None:
    mail.outbox.clear()
    for claim in outbox.claim_due():
        sending.deliver(claim.message_id, claim.token)


def cancellation_emails() -> list:
    return [m for m in mail.outbox if "cancel" in m.subject.lower()]


def test_deleting_a_configuration_tells_the_guest_after_the_rows_are_gone(
    api, api_key, page, endpoint
):
    made = book(api, page, 10)
    send_everything_due()  # the confirmation and booking.created go out first
    response = api.delete(
        f"/v3/grants/{page.grant_id}/scheduling/configurations/{page.pk}",
        HTTP_AUTHORIZATION=f"Bearer {api_key}",
    )
    assert response.status_code == 200, response.content
    assert not Configuration.objects.filter(pk=page.pk).exists()
    assert not Booking.objects.exists()

    owed = OutboxMessage.objects.filter(booking=None, status="pending")
    assert {m.purpose for m in owed} >= {"cancelled", "booking.cancelled"}
    guest_row = owed.get(purpose="cancelled", audience="guest")
    send_everything_due()
    [guest_email] = [m for m in cancellation_emails() if m.to[0].endswith("grace@example.com>")]
    assert "Intro call" in guest_email.subject
    html = guest_email.alternatives[0][0]
    assert "&lt;b&gt;Guest&lt;/b&gt;" in html or "Grace" not in html
    assert any(a.get_param("method") == "CANCEL" for a in guest_email.attachments)
    assert guest_email.extra_headers["Message-ID"].startswith(f"<{guest_row.pk}@")
    # The webhook was tried (nothing listens on port 9: it waits for a retry, not lost).
    hook = OutboxMessage.objects.get(purpose="booking.cancelled")
    assert hook.status == "pending" and hook.attempts == 1
    assert hook.context["payload"]["data"]["object"]["booking_id"] == made["booking_id"]
    # The event in the host's calendar no longer blocks the time.
    assert Event.objects.get(pk=made["event_id"]).status == "cancelled"


def test_deleting_a_grant_keeps_the_notices_of_its_bookings(api, api_key, page):
    book(api, page, 10)
    send_everything_due()
    response = api.delete(f"/v3/grants/{page.grant_id}", HTTP_AUTHORIZATION=f"Bearer {api_key}")
    assert response.status_code == 200, response.content
    assert not Booking.objects.exists()
    send_everything_due()
    assert [m.to for m in cancellation_emails() if "grace@example.com" in m.to[0]]


def test_past_bookings_are_deleted_without_new_notices(api, api_key, page, booking_for):
    earlier = NOW - dt.timedelta(days=2)
    booking_for(page, page.hosts, earlier, earlier + dt.timedelta(minutes=30))
    api.delete(
        f"/v3/grants/{page.grant_id}/scheduling/configurations/{page.pk}",
        HTTP_AUTHORIZATION=f"Bearer {api_key}",
    )
    assert not OutboxMessage.objects.filter(status="pending").exists()


def test_a_reminder_owed_by_a_deleted_booking_is_dropped(api, api_key, page):
    page.reminders.create(type="email", minutes_before_event=60, recipient="guest")
    book(api, page, 10)
    assert OutboxMessage.objects.filter(purpose="reminder", status="pending").exists()
    api.delete(
        f"/v3/grants/{page.grant_id}/scheduling/configurations/{page.pk}",
        HTTP_AUTHORIZATION=f"Bearer {api_key}",
    )
    assert not OutboxMessage.objects.filter(purpose="reminder", status="pending").exists()


def test_the_admin_deletes_a_configuration_through_the_services(staff_client, api, page):
    book(api, page, 10)
    send_everything_due()
    response = staff_client.post(
        f"/admin/pages/configuration/{page.pk}/delete/", {"post": "yes"}, follow=True
    )
    assert response.status_code == 200
    assert not Configuration.objects.filter(pk=page.pk).exists()
    send_everything_due()
    assert [m for m in cancellation_emails() if "grace@example.com" in m.to[0]]


def test_the_admin_cannot_delete_a_booking(staff_client, api, page):
    made = book(api, page, 10)
    response = staff_client.get(f"/admin/bookings/booking/{made['booking_id']}/delete/")
    assert response.status_code == 403
    assert Booking.objects.filter(pk=made["booking_id"]).exists()
