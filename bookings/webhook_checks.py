"""Checking a webhook receiver the way the hosted service does: the verification of a new
subscription's URL, test events, and example payloads.

- ``verify(url)``: a GET of ``url`` with a random ``challenge`` query parameter; the
  receiver must answer 200 with exactly that value as its body (surrounding whitespace
  aside) within SCHEDULER_WEBHOOK_VERIFY_TIMEOUT_SECONDS (10 s). Anything else raises
  NotVerified saying what came back.
- ``send_test_event(trigger, url)``: POSTs ``mock_payload(trigger)`` to ``url``, signed
  with the hosted service's documented test secret ``mock-webhook-secret``
  (``X-Nylas-Signature`` only: that secret is no Standard Webhooks key).
- ``mock_payload(trigger)``: an example notification of any trigger type, in the shape
  this server sends (booking, grant and event payloads carry the same keys as real
  ones; the triggers only kept, never sent, get a minimal object).

Every request goes through pages/outbound.py's policy, like every request we make.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.utils import timezone

from bookings.models.webhooks import BOOKING_TRIGGERS, EVENT_TRIGGERS, GRANT_TRIGGERS
from bookings.notifications import organizer_webhooks, webhooks
from pages import outbound

TEST_SECRET = "mock-webhook-secret"
MOST_ANSWER_BYTES = 4096
EXAMPLE_START = 1_900_000_000  # 2030-03-17T17:46:40Z


class NotVerified(Exception):
    """The receiver did not pass; the message says what came back (for a 400)."""


def _with_challenge(url: str, value: str) -> str:
    parts = urlsplit(url)
    query = f"{parts.query}&" if parts.query else ""
    return urlunsplit(parts._replace(query=query + urlencode({"challenge": value})))


def verify(url: str) -> None:
    """The receiver echoes a fresh challenge, or NotVerified says what it did instead."""
    value = secrets.token_urlsafe(24)
    timeout = settings.SCHEDULER_WEBHOOK_VERIFY_TIMEOUT_SECONDS
    try:
        answer = outbound.send(
            "GET",
            _with_challenge(url, value),
            headers={"User-Agent": webhooks.USER_AGENT, "Accept": "text/plain, */*"},
            timeout=timeout,
            max_bytes=MOST_ANSWER_BYTES,
        )
    except outbound.RefusedDestination as exc:
        raise NotVerified(str(exc)) from None
    except outbound.AnswerTooLarge:
        raise NotVerified(
            "answered the verification request with more than "
            f"{MOST_ANSWER_BYTES} bytes; it must answer with the challenge value alone"
        ) from None
    except OSError as exc:  # refused, unreachable, or no whole answer in time
        raise NotVerified(
            f"did not answer the verification request (GET with ?challenge=) within "
            f"{timeout} s: {exc or type(exc).__name__}"
        ) from None
    if answer.status != 200:
        raise NotVerified(
            f"answered the verification request with HTTP {answer.status}; it must answer "
            "200 with the challenge query parameter's value as the body"
        )
    echoed = answer.body.decode("utf-8", "replace").strip()
    if not hmac.compare_digest(echoed.encode(), value.encode()):
        seen = outbound.excerpt(echoed) or "an empty body"
        raise NotVerified(
            f"answered the verification request with {seen!r} instead of the challenge "
            "query parameter's value (the body must be that value alone, not JSON)"
        )


def send_test_event(trigger: str, url: str) -> None:
    """POST an example of ``trigger`` to ``url``; NotVerified unless it answers 2xx."""
    body = json.dumps(mock_payload(trigger), separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": webhooks.USER_AGENT,
        "X-Nylas-Signature": hmac.new(TEST_SECRET.encode(), body, hashlib.sha256).hexdigest(),
    }
    try:
        answer = outbound.post(
            url, body, headers, timeout=settings.SCHEDULER_WEBHOOK_TIMEOUT_SECONDS
        )
    except outbound.RefusedDestination as exc:
        raise NotVerified(str(exc)) from None
    except OSError as exc:
        raise NotVerified(f"the test event got no answer: {exc or type(exc).__name__}") from None
    if not 200 <= answer.status < 300:
        said = f": {answer.excerpt!r}" if answer.excerpt else ""
        raise NotVerified(f"the receiver answered the test event with HTTP {answer.status}{said}")


# Example payloads


def _example_booking_info(trigger: str) -> dict:
    info = {
        "event_id": "mock-event-id",
        "start_time": EXAMPLE_START,
        "end_time": EXAMPLE_START + 1800,
        "participants": [
            {"email": "host@example.com", "name": "Host"},
            {"email": "guest@example.com", "name": "Guest"},
        ],
        "additional_fields": None,
        "hide_cancellation_options": False,
        "hide_rescheduling_options": False,
        "participant_rescheduling_url": "https://scheduler.example.com/booking/mock-ref/",
        "participant_cancellation_url": "https://scheduler.example.com/booking/mock-ref/",
        "title": "Intro call",
        "description": "",
        "duration": 30,
        "location": "",
        "organizer_timezone": "America/Chicago",
        "guest_timezone": "Europe/Berlin",
        "is_group_event": False,
        "organizer_calendar_id": "mock-calendar-id",
        "status": "pending" if trigger == "booking.pending" else "booked",
        "ical_uid": "mock-booking-id@scheduler.example.com",
        "event_description": "",
        "guest_language": "en",
        "host_language": "en",
        # What an embedding page passed with the booking (embed.js), else null.
        "metadata": None,
    }
    if trigger == "booking.pending":
        info["host_confirmation_url"] = "https://scheduler.example.com/organizer/mock-token/"
    return info


def _example_booking(trigger: str) -> dict:
    extra: dict = {}
    if trigger == "booking.cancelled":
        extra = {"cancellation_reason": "Something came up"}
    elif trigger == "booking.rescheduled":
        extra = {"old_start_time": EXAMPLE_START - 3600, "old_end_time": EXAMPLE_START - 1800}
    elif trigger == "booking.reminder":
        extra = {"time_until_event": 3600}
    return {
        "booking_id": "mock-booking-id",
        "booking_ref": "mock-ref",
        "configuration_id": "mock-configuration-id",
        "booking_type": "organizer-confirmation" if trigger == "booking.pending" else "booking",
        "object": "booking",
        "booking_info": {**_example_booking_info(trigger), **extra},
        **extra,
    }


def _example_event(trigger: str) -> dict:
    event = {
        "id": "mock-event-id",
        "grant_id": "mock-grant-id",
        "calendar_id": "mock-calendar-id",
        "object": "event",
        "metadata": {},
    }
    if trigger == "event.deleted":
        return event
    return {
        **event,
        "title": "One-on-one",
        "description": "",
        "location": "",
        "busy": True,
        "status": "confirmed",
        "when": {
            "start_time": EXAMPLE_START,
            "end_time": EXAMPLE_START + 1800,
            "object": "timespan",
        },
        "participants": [{"email": "guest@example.com", "name": "Guest"}],
        "created_at": EXAMPLE_START - 86400,
        "updated_at": EXAMPLE_START - 3600,
    }


def mock_object(trigger: str) -> dict:
    if trigger in BOOKING_TRIGGERS:
        return _example_booking(trigger)
    if trigger in GRANT_TRIGGERS:
        return organizer_webhooks.grant_object(
            trigger=trigger,
            grant_id="mock-grant-id",
            provider="virtual-calendar",
            email="host@example.com",
            name="Host",
            grant_updated_at=timezone.now(),
        )
    if trigger in EVENT_TRIGGERS:
        return _example_event(trigger)
    # A trigger this server never sends: a minimal object of its kind.
    return {"id": "mock-id", "grant_id": "mock-grant-id", "object": trigger.split(".")[0]}


def mock_payload(trigger: str) -> dict:
    """The notification of ``trigger`` as it would be POSTed."""
    if trigger in BOOKING_TRIGGERS:
        source = webhooks.SOURCE
    elif trigger in GRANT_TRIGGERS:
        source = organizer_webhooks.GRANT_SOURCE
    elif trigger in EVENT_TRIGGERS:
        source = organizer_webhooks.EVENT_SOURCE
    else:
        source = "/scheduler/mock"
    return webhooks.notification(trigger, mock_object(trigger), source=source, at=timezone.now())
