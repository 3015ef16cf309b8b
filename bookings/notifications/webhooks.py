"""Webhook deliveries: what a booking event's payload is, how it is signed, and the POST.

A delivery is an outbox row per subscribed endpoint, its payload fixed when the row is
written (it describes the booking, grant or event at that moment; bookings' payloads are
built here, grants' and events' in organizer_webhooks.py, all in the envelope made by
``notification``). Each attempt is signed afresh, twice:

- ``X-Nylas-Signature``: hex HMAC-SHA256 of the raw body, keyed with the secret string
  as given to the client (what Nylas clients verify);
- Standard Webhooks: ``webhook-id`` (the row id, the same on every attempt, for
  deduplication), ``webhook-timestamp`` (this attempt's Unix seconds) and
  ``webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">``, keyed
  with the base64-decoded part of the ``whsec_`` secret, as the spec says.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import time
import uuid

from django.conf import settings
from django.utils import timezone

from bookings import links
from bookings.languages import supported_language
from bookings.models import OutboxMessage, WebhookAttempt, WebhookEndpoint
from bookings.models.webhooks import SECRET_PREFIX
from bookings.notifications import calendar_invites, outbox, recipients
from bookings.notifications.outbox import NotOwed, PermanentFailure
from pages import conferencing, outbound
from pages.unix_time import to_unix

USER_AGENT = "Scheduler-Webhooks/1.0"
SOURCE = "/scheduler"


# Payloads


def booking_info(booking, *, people=None, **extra) -> dict:
    """``people``: the hosts then the guests, if the caller has them already."""
    configuration = booking.configuration
    organizer = recipients.organizer(booking)
    if people is None:
        people = recipients.hosts(booking) + recipients.guests(booking)
    participants = [{"email": p.email, "name": p.name} for p in people]
    event = booking.event if booking.event_id else None
    info = {
        "event_id": str(booking.event_id) if booking.event_id else None,
        "start_time": to_unix(booking.start),
        "end_time": to_unix(booking.end),
        "participants": participants,
        "additional_fields": booking.additional_fields or None,
        "metadata": booking.metadata or None,
        "hide_cancellation_options": configuration.hide_cancellation_options,
        "hide_rescheduling_options": configuration.hide_rescheduling_options,
        "participant_rescheduling_url": links.guest_reschedule_url(booking),
        "participant_cancellation_url": links.guest_cancel_url(booking),
        "title": configuration.title,
        "description": configuration.description,
        "duration": int((booking.end - booking.start).total_seconds() // 60),
        "location": conferencing.booking_location(configuration.location, booking.conferencing),
        "organizer_timezone": organizer.timezone if organizer else None,
        "guest_timezone": booking.guest_timezone or None,
        "is_group_event": configuration.capacity > 1,
        "organizer_calendar_id": str(event.calendar_id) if event else None,
        "status": booking.status,
        # The UID of the booking's invites (.ics) and of its event in a CalDAV calendar.
        "ical_uid": calendar_invites.uid(booking),
        "event_description": event.description if event else configuration.description,
        "guest_language": recipients.language_of(booking),
        # Hosts read what the configuration's locale says (emails to hosts speak it).
        "host_language": supported_language(configuration.locale) or "en",
    }
    if booking.status == booking.Status.PENDING and booking.organizer_link_nonce:
        # Only while the organizer still has to decide, as the hosted service sends it.
        info["host_confirmation_url"] = links.organizer_confirmation_url(booking)
    info.update(extra)
    return info


def payload(booking, trigger: str, *, at: dt.datetime, people=None, **extra) -> dict:
    """The notification for one event. The event-specific fields (cancellation_reason;
    old_start_time and old_end_time; time_until_event) sit in ``booking_info`` as Nylas
    sends them and beside it, where API.md lists them."""
    obj = {
        "booking_id": str(booking.id),
        "booking_ref": links.booking_ref(booking),
        "configuration_id": str(booking.configuration_id),
        "booking_type": booking.configuration.booking_type,
        "object": "booking",
        "booking_info": booking_info(booking, people=people, **extra),
        **extra,
    }
    return notification(trigger, obj, source=SOURCE, at=at)


def notification(trigger: str, obj: dict, *, source: str, at: dt.datetime) -> dict:
    """The CloudEvents envelope every notification shares, around its ``data.object``."""
    return {
        "specversion": "1.0",
        "type": trigger,
        "source": source,
        "id": str(uuid.uuid4()),
        "time": to_unix(at),
        "data": {"object": obj},
    }


def subscribed(trigger: str) -> list[WebhookEndpoint]:
    """The active endpoints whose subscription lists ``trigger``, newest first."""
    active = WebhookEndpoint.objects.filter(status=WebhookEndpoint.Status.ACTIVE).order_by(
        "-created_at"
    )
    return [e for e in active if trigger in (e.trigger_types or [])]


def rows_for(
    endpoints: list[WebhookEndpoint],
    trigger: str,
    body: dict,
    *,
    booking=None,
    due_at: dt.datetime | None = None,
    context: dict | None = None,
) -> list[OutboxMessage]:
    """One outbox row (unsaved) per endpoint, each carrying ``body``."""
    return [
        outbox.new(
            kind=OutboxMessage.Kind.WEBHOOK,
            purpose=trigger,
            booking=booking,
            audience=OutboxMessage.Audience.ENDPOINT,
            recipient=endpoint.webhook_url,
            endpoint=endpoint,
            due_at=due_at,
            context={"payload": body, **(context or {})},
        )
        for endpoint in endpoints
    ]


def owe(
    booking, trigger: str, *, due_at: dt.datetime | None = None, people=None, **extra
) -> list[OutboxMessage]:
    """One outbox row (unsaved) per active endpoint subscribed to ``trigger``."""
    endpoints = subscribed(trigger)
    if not endpoints:
        return []
    body = payload(booking, trigger, at=due_at or timezone.now(), people=people, **extra)
    start = {"start": outbox.instant(booking.start)}
    return rows_for(endpoints, trigger, body, booking=booking, due_at=due_at, context=start)


# Signing


def body_bytes(message: OutboxMessage) -> bytes:
    return json.dumps(message.context["payload"], separators=(",", ":")).encode()


def sign(secret: str, webhook_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    nylas = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX) + "==")
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    standard = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return {
        "X-Nylas-Signature": nylas,
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": f"v1,{standard}",
    }


# Delivery


def post(message: OutboxMessage) -> None:
    """One attempt; logged as a WebhookAttempt whatever happens. Returns on a 2xx."""
    endpoint = message.endpoint
    if endpoint is None:
        raise NotOwed("The webhook endpoint was deleted.")
    if endpoint.status != WebhookEndpoint.Status.ACTIVE:
        raise NotOwed(f"The webhook endpoint is {endpoint.status}.")
    if message.purpose == "booking.reminder":
        _check_reminder_still_owed(message)

    body = body_bytes(message)
    attempted_at = timezone.now()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        **sign(endpoint.secret, str(message.pk), to_unix(attempted_at), body),
    }
    status_code, error, excerpt = None, "", ""
    refused = None
    started = time.monotonic()
    try:
        # pages/outbound.py: public addresses only (checked on every send, every address
        # the name resolves to), redirects not followed, a short redacted excerpt kept.
        answer = outbound.post(
            endpoint.webhook_url,
            body,
            headers,
            timeout=settings.SCHEDULER_WEBHOOK_TIMEOUT_SECONDS,
        )
        status_code, excerpt = answer.status, answer.excerpt
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}"
    except outbound.RefusedDestination as exc:
        refused = error = f"Refused destination: {exc}"
    except (OSError, ValueError) as exc:
        error = f"{type(exc).__name__}: {exc}"
    duration_ms = int((time.monotonic() - started) * 1000)
    WebhookAttempt.objects.create(
        message=message,
        endpoint=endpoint,
        attempted_at=attempted_at,
        webhook_url=endpoint.webhook_url,
        status_code=status_code,
        duration_ms=duration_ms,
        error=error[:2000],
        response_excerpt=excerpt,
    )
    if refused:
        # Policy, not an outage: retrying would ask the same question. An operator who
        # lists the destination in SCHEDULER_PRIVATE_DESTINATIONS can resend it.
        raise PermanentFailure(refused)
    if status_code is not None and 200 <= status_code < 300:
        return
    if status_code == 410:
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            status=WebhookEndpoint.Status.FAILED, status_updated_at=timezone.now()
        )
        raise PermanentFailure("410 Gone: the receiver asked to stop; the endpoint is disabled.")
    raise RuntimeError(error or f"HTTP {status_code}")


def _check_reminder_still_owed(message: OutboxMessage) -> None:
    booking = message.booking
    if booking is None:
        raise NotOwed("The booking no longer exists.")
    if booking.status != booking.Status.BOOKED:
        raise NotOwed(f"The booking is {booking.status}.")
    if not outbox.same_instant(message.context.get("start"), booking.start):
        raise NotOwed("The booking has moved since this reminder was scheduled.")
