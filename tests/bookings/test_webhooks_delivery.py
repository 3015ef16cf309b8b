"""Webhook deliveries to receivers on loopback: the payloads, both signatures (checked
with the `standardwebhooks` package and with an HMAC computed here), retries after a
500, the endpoint disabled by a 410, and every attempt logged."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.db import transaction
from standardwebhooks import Webhook

from bookings import links, notifications
from bookings.models import OutboxMessage, WebhookAttempt, WebhookEndpoint
from bookings.models.webhooks import BOOKING_TRIGGERS
from bookings.notifications import outbox, sending
from pages.models import Reminder

# Webhook receivers here listen on 127.0.0.1 (or nothing listens there).
pytestmark = pytest.mark.usefixtures("loopback_destinations")

START = dt.datetime(2030, 3, 5, 16, 0, tzinfo=dt.UTC)


class Receiver:
    """An HTTP server on loopback answering POSTs with the statuses it is given (the last
    one repeats), keeping each request's headers (names in lower case) and raw body."""

    def __init__(self, statuses=(200,), delay: float = 0):
        self.statuses = list(statuses)
        self.delay = delay
        self.requests: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {name.lower(): value for name, value in self.headers.items()}
                receiver.requests.append((headers, body))
                time.sleep(receiver.delay)
                status = (
                    receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                )
                self.send_response(status)
                if status == 302:
                    self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                self.end_headers()
                self.wfile.write(b"thanks" if status < 300 else b"no")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def payloads(self) -> list[dict]:
        return [json.loads(body) for _headers, body in self.requests]


@pytest.fixture
def receivers():
    made: list[Receiver] = []

    def make(statuses=(200,), delay: float = 0) -> Receiver:
        receiver = Receiver(statuses, delay)
        made.append(receiver)
        return receiver

    yield make
    for receiver in made:
        receiver.stop()


def endpoint_for(receiver: Receiver, triggers=BOOKING_TRIGGERS) -> tuple[WebhookEndpoint, str]:
    endpoint = WebhookEndpoint(webhook_url=receiver.url, trigger_types=list(triggers))
    secret = endpoint.set_new_secret()
    endpoint.save()
    return endpoint, secret


@pytest.fixture
def page(make_configuration):
    return make_configuration(title="Intro call", location="Room 1", timezone="America/Chicago")


@pytest.fixture
def booking(page, booking_for):
    return booking_for(
        page,
        page.hosts,
        START,
        START + dt.timedelta(minutes=30),
        organizer=page.hosts[0],
        guest_timezone="Europe/Berlin",
        additional_fields={"topic": "Pricing"},
    )


def deliver_due() -> list[str]:
    return [sending.deliver(c.message_id, c.token) for c in outbox.claim_due()]


def independent_checks(secret: str, headers: dict[str, str], body: bytes) -> None:
    """Both signatures, recomputed here without the code under test."""
    nylas = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert headers["x-nylas-signature"] == nylas
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert headers["webhook-signature"] == f"v1,{expected}"


def test_a_delivery_is_signed_both_ways_and_carries_the_booking(receivers, booking, settings):
    settings.SITE_URL = "https://testserver.example"
    page = booking.configuration
    page.locale, page.description = "de-AT", "Bring the numbers"
    page.save()
    booking.language = "fr"
    booking.save()
    receiver = receivers()
    endpoint, secret = endpoint_for(receiver)
    with transaction.atomic():
        notifications.booking_created(booking)
    assert deliver_due().count("sent") == 3  # two emails and the webhook
    [(headers, body)] = receiver.requests
    payload = Webhook(secret).verify(body, headers)
    independent_checks(secret, headers, body)
    row = OutboxMessage.objects.get(kind="webhook")
    assert headers["webhook-id"] == str(row.pk)
    assert headers["content-type"] == "application/json"

    assert payload["specversion"] == "1.0"
    assert payload["type"] == "booking.created"
    assert payload["source"] == "/scheduler"
    obj = payload["data"]["object"]
    assert obj["object"] == "booking"
    assert obj["booking_id"] == str(booking.id)
    assert obj["configuration_id"] == str(booking.configuration_id)
    assert obj["booking_ref"] == links.booking_ref(booking)
    info = obj["booking_info"]
    assert (info["start_time"], info["end_time"]) == (
        int(START.timestamp()),
        int(START.timestamp()) + 1800,
    )
    assert info["title"] == "Intro call" and info["location"] == "Room 1"
    assert info["duration"] == 30
    assert info["organizer_timezone"] == "America/Chicago"
    assert info["guest_timezone"] == "Europe/Berlin"
    assert info["additional_fields"] == {"topic": "Pricing"}
    assert {"email": "guest@example.com", "name": "Guest"} in info["participants"]
    assert {"email": "host@example.com", "name": "host"} in info["participants"]
    assert info["ical_uid"] == f"{booking.id}@testserver.example"
    assert (info["guest_language"], info["host_language"]) == ("fr", "de")
    assert info["event_description"] == "Bring the numbers"
    assert "host_confirmation_url" not in info  # only while the organizer must decide
    [attempt] = WebhookAttempt.objects.all()
    assert attempt.status_code == 200 and attempt.endpoint == endpoint


def test_a_receiver_answering_500_then_200_gets_a_retry_signed_afresh(receivers, booking):
    receiver = receivers(statuses=(500, 200))
    _endpoint, secret = endpoint_for(receiver, ["booking.created"])
    with time_machine.travel(dt.datetime.now(dt.UTC), tick=False) as clock:
        with transaction.atomic():
            notifications.booking_created(booking)
        OutboxMessage.objects.filter(kind="email").delete()
        assert deliver_due() == ["retry"]
        row = OutboxMessage.objects.get()
        assert (row.status, row.attempts) == ("pending", 1)
        assert "500" in row.last_error
        clock.shift(dt.timedelta(seconds=3.9))
        assert deliver_due() == []  # not before the schedule's 5 s (less a fifth of jitter)
        clock.move_to(row.next_attempt_at)
        assert deliver_due() == ["sent"]
        (first_headers, first_body), (second_headers, second_body) = receiver.requests
        for headers, body in receiver.requests:
            Webhook(secret).verify(body, headers)
            independent_checks(secret, headers, body)
    assert first_body == second_body
    assert first_headers["webhook-id"] == second_headers["webhook-id"] == str(row.pk)
    waited = int(second_headers["webhook-timestamp"]) - int(first_headers["webhook-timestamp"])
    assert 3 <= waited <= 6  # about 5 s
    assert first_headers["webhook-signature"] != second_headers["webhook-signature"]
    codes = list(
        WebhookAttempt.objects.order_by("attempted_at").values_list("status_code", flat=True)
    )
    assert codes == [500, 200]
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 2)


def test_a_410_disables_the_endpoint(receivers, booking, booking_for, page):
    gone = receivers(statuses=(410,))
    endpoint, _secret = endpoint_for(gone, ["booking.created", "booking.cancelled"])
    with transaction.atomic():
        notifications.booking_created(booking)
    OutboxMessage.objects.filter(kind="email").delete()
    assert deliver_due() == ["failed"]
    endpoint.refresh_from_db()
    assert endpoint.status == "failed"
    row = OutboxMessage.objects.get()
    assert row.status == "failed" and "410" in row.last_error
    # A disabled endpoint is owed nothing more.
    with transaction.atomic():
        notifications.booking_cancelled(booking, "No longer needed")
    assert not OutboxMessage.objects.filter(kind="webhook", purpose="booking.cancelled").exists()
    assert len(gone.requests) == 1


def test_deliveries_already_owed_to_an_endpoint_stop_when_it_is_paused(receivers, booking):
    receiver = receivers()
    endpoint, _secret = endpoint_for(receiver, ["booking.created"])
    with transaction.atomic():
        notifications.booking_created(booking)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(status="pause")
    deliver_due()
    assert OutboxMessage.objects.get(kind="webhook").status == "cancelled"
    assert receiver.requests == []


def test_only_endpoints_subscribed_to_the_trigger_get_it(receivers, booking):
    created, cancelled = receivers(), receivers()
    endpoint_for(created, ["booking.created"])
    endpoint_for(cancelled, ["booking.cancelled"])
    with transaction.atomic():
        notifications.booking_created(booking)
        notifications.booking_cancelled(booking, "Changed my mind")
    deliver_due()
    assert [p["type"] for p in created.payloads()] == ["booking.created"]
    [payload] = cancelled.payloads()
    assert payload["type"] == "booking.cancelled"
    assert payload["data"]["object"]["cancellation_reason"] == "Changed my mind"
    assert payload["data"]["object"]["booking_info"]["cancellation_reason"] == "Changed my mind"


def test_pending_and_rescheduled_payloads(receivers, page, booking_for):
    receiver = receivers()
    endpoint_for(receiver)
    booking = booking_for(
        page,
        page.hosts,
        START,
        START + dt.timedelta(minutes=30),
        status="pending",
        organizer_link_nonce=links.new_organizer_nonce(),
    )
    with transaction.atomic():
        notifications.booking_created(booking)
    old_start, old_end = booking.start, booking.end
    booking.start, booking.end = old_start + dt.timedelta(hours=1), old_end + dt.timedelta(hours=1)
    booking.save()
    with transaction.atomic():
        notifications.booking_rescheduled(booking, old_start, old_end)
    deliver_due()
    pending, moved = sorted(receiver.payloads(), key=lambda p: p["type"] != "booking.pending")
    assert pending["type"] == "booking.pending"
    # The organizer's confirm/decline page, the one their email links to.
    confirm = pending["data"]["object"]["booking_info"]["host_confirmation_url"]
    assert confirm.startswith(f"{links.absolute('/')}")
    token = confirm.rstrip("/").rsplit("/", 1)[1]
    assert links.organizer_link_booking(token) == (booking, "")
    assert moved["type"] == "booking.rescheduled"
    obj = moved["data"]["object"]
    assert obj["old_start_time"] == int(old_start.timestamp())
    assert obj["old_end_time"] == int(old_end.timestamp())
    assert obj["booking_info"]["start_time"] == int(booking.start.timestamp())


def test_a_webhook_reminder_is_due_before_the_event(receivers, page, booking):
    receiver = receivers()
    endpoint_for(receiver, ["booking.reminder"])
    Reminder.objects.create(configuration=page, type="webhook", minutes_before_event=120)
    with transaction.atomic():
        notifications.booking_created(booking)
    row = OutboxMessage.objects.get(kind="webhook")
    assert row.purpose == "booking.reminder"
    assert row.due_at == START - dt.timedelta(minutes=120)
    OutboxMessage.objects.filter(kind="email").delete()
    with time_machine.travel(row.due_at - dt.timedelta(seconds=1), tick=False):
        assert deliver_due() == []
    with time_machine.travel(row.due_at, tick=False):
        assert deliver_due() == ["sent"]
    [payload] = receiver.payloads()
    assert payload["type"] == "booking.reminder"
    assert payload["data"]["object"]["booking_info"]["time_until_event"] == 7200


def test_a_redirect_is_not_followed(receivers, booking):
    receiver = receivers(statuses=(302,))
    endpoint_for(receiver, ["booking.created"])
    with transaction.atomic():
        notifications.booking_created(booking)
    OutboxMessage.objects.filter(kind="email").delete()
    assert deliver_due() == ["retry"]
    assert WebhookAttempt.objects.get().status_code == 302


def test_a_receiver_that_does_not_answer_in_time_is_retried(receivers, booking, settings):
    settings.SCHEDULER_WEBHOOK_TIMEOUT_SECONDS = 1
    receiver = receivers(delay=2)
    endpoint_for(receiver, ["booking.created"])
    with transaction.atomic():
        notifications.booking_created(booking)
    OutboxMessage.objects.filter(kind="email").delete()
    assert deliver_due() == ["retry"]
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code is None and "timed out" in attempt.error
    assert 900 <= attempt.duration_ms < 2000


def test_every_attempt_is_in_the_admin_with_a_resend(receivers, booking, staff_client):
    receiver = receivers(statuses=(500,))
    endpoint, secret = endpoint_for(receiver, ["booking.created"])
    with transaction.atomic():
        notifications.booking_created(booking)
    OutboxMessage.objects.filter(kind="email").delete()
    deliver_due()
    attempt = WebhookAttempt.objects.get()
    listing = staff_client.get("/admin/bookings/webhookattempt/")
    assert listing.status_code == 200 and receiver.url in listing.content.decode()
    receiver.statuses = [200]
    response = staff_client.post(
        "/admin/bookings/webhookattempt/",
        {"action": "resend_deliveries", "_selected_action": [attempt.pk]},
    )
    assert response.status_code == 302
    row = OutboxMessage.objects.get()
    assert (row.status, row.attempts) == ("pending", 0)
    deliver_due()
    row.refresh_from_db()
    assert row.status == "sent"
    assert len(receiver.requests) == 2
    Webhook(secret).verify(receiver.requests[1][1], receiver.requests[1][0])
