"""Webhook URLs go through pages/outbound.py: private, loopback, link-local, metadata and
odd-number destinations and URLs with credentials are a 400 naming webhook_url when
saved (API and admin), and refused again when sent (a row written straight into the
database, or a name that resolves to such an address); an answer is kept as its status
and a short, redacted excerpt."""

from __future__ import annotations

import datetime as dt
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction
from django.urls import reverse

from bookings import notifications
from bookings.models import OutboxMessage, WebhookAttempt, WebhookEndpoint
from bookings.notifications import outbox, sending

START = dt.datetime(2030, 3, 5, 16, 0, tzinfo=dt.UTC)
REFUSED = [
    "http://169.254.169.254/latest/meta-data/",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://localhost/hook",
    "http://[::1]/hook",
    "http://0x7f000001/hook",
    "http://2130706433/hook",
    "http://127.1/hook",
    "http://127.0.0.1:5432/",
    "http://user:pass@hooks.example.com/hook",
    "http://10.0.0.8/hook",
]


@pytest.fixture(autouse=True)
def nothing_allowed(settings):
    settings.SCHEDULER_PRIVATE_DESTINATIONS = []


class Receiver:
    """Answers every POST with ``answer``; counts the requests."""

    def __init__(self, answer: bytes = b"thanks"):
        self.count = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers["Content-Length"]))
                receiver.count += 1
                self.send_response(200)
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made = Receiver()
    yield made
    made.stop()


@pytest.fixture
def auth(api_key):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_key}"}


@pytest.fixture
def booking(make_configuration, booking_for):
    page = make_configuration(title="Intro call", timezone="America/Chicago")
    return booking_for(
        page, page.hosts, START, START + dt.timedelta(minutes=30), organizer=page.hosts[0]
    )


def deliver_due() -> list[str]:
    return [sending.deliver(c.message_id, c.token) for c in outbox.claim_due()]


def owed_to(url: str, booking) -> WebhookEndpoint:
    endpoint = WebhookEndpoint(webhook_url=url, trigger_types=["booking.created"])
    endpoint.set_new_secret()
    endpoint.save()
    with transaction.atomic():
        notifications.booking_created(booking)
    OutboxMessage.objects.filter(kind="email").delete()
    return endpoint


@pytest.mark.parametrize("url", REFUSED)
def test_creating_a_webhook_to_a_private_destination_is_a_400_naming_webhook_url(api, auth, url):
    response = api.post(
        "/v3/webhooks",
        {"trigger_types": ["booking.created"], "webhook_url": url},
        format="json",
        **auth,
    )
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["message"].startswith("webhook_url: "), error["message"]
    assert not WebhookEndpoint.objects.exists()


def test_updating_a_webhook_to_a_private_destination_is_refused(api, auth):
    body = {"trigger_types": ["booking.created"], "webhook_url": "https://hooks.example.com/in"}
    webhook_id = api.post("/v3/webhooks", body, format="json", **auth).json()["data"]["id"]
    response = api.put(
        f"/v3/webhooks/{webhook_id}",
        {"webhook_url": "http://169.254.169.254/latest/"},
        format="json",
        **auth,
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("webhook_url: ")
    assert WebhookEndpoint.objects.get().webhook_url == "https://hooks.example.com/in"


def test_the_admin_refuses_a_private_destination(staff_client):
    data = {
        "description": "metadata",
        "webhook_url": "http://169.254.169.254/latest/",
        "trigger_types": ["booking.created"],
        "status": "active",
    }
    response = staff_client.post(reverse("admin:bookings_webhookendpoint_add"), data)
    assert response.status_code == 200
    assert "webhook_url" in response.context["adminform"].form.errors
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("url", REFUSED)
def test_a_stored_private_destination_is_refused_at_send_time(url, booking, receiver):
    owed_to(url.replace(":5432", f":{receiver.port}"), booking)
    assert deliver_due() == ["failed"]
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code is None
    assert attempt.error.startswith("Refused destination: ")
    assert OutboxMessage.objects.get().status == "failed"
    assert receiver.count == 0


def test_a_loopback_receiver_is_refused_unless_the_operator_lists_it(booking, receiver, settings):
    owed_to(f"http://127.0.0.1:{receiver.port}/hook", booking)
    assert deliver_due() == ["failed"]
    assert receiver.count == 0
    settings.SCHEDULER_PRIVATE_DESTINATIONS = ["127.0.0.1/32"]
    OutboxMessage.objects.all().delete()
    with transaction.atomic():
        notifications.booking_created(booking)
    OutboxMessage.objects.filter(kind="email").delete()
    assert deliver_due() == ["sent"]
    assert receiver.count == 1


def test_only_the_status_and_a_short_redacted_excerpt_of_an_answer_are_kept(booking, settings):
    settings.SCHEDULER_PRIVATE_DESTINATIONS = ["127.0.0.1/32"]
    chatty = Receiver(
        b'{"received": true, "session_token": "tok_9f8e7d6c5b4a39281706f5e4d3c2b1a0", '
        + b'"log": "'
        + b"x" * 600
        + b'"}'
    )
    try:
        owed_to(f"http://127.0.0.1:{chatty.port}/hook", booking)
        assert deliver_due() == ["sent"]
    finally:
        chatty.stop()
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code == 200
    assert len(attempt.response_excerpt) <= 200
    assert "tok_9f8e7d6c5b4a39281706f5e4d3c2b1a0" not in attempt.response_excerpt
    assert attempt.response_excerpt.startswith('{"received": true, "session_token": "[redacted]"')


def test_the_admin_shows_an_older_long_answer_cut_and_redacted(staff_client, booking):
    endpoint = owed_to("https://hooks.example.com/in", booking)
    attempt = WebhookAttempt.objects.create(
        message=OutboxMessage.objects.get(),
        endpoint=endpoint,
        attempted_at=START,
        webhook_url=endpoint.webhook_url,
        status_code=500,
        response_excerpt="password=hunter2 " + "y" * 480,  # as kept before the policy
    )
    url = reverse("admin:bookings_webhookattempt_change", args=[attempt.pk])
    html = staff_client.get(url).content.decode()
    assert "hunter2" not in html and "password=[redacted]" in html
    assert "y" * 201 not in html
