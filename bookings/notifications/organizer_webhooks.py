"""Webhooks about the organizer side: grants (``grant.*``) and events (``event.*``).

pages announces the changes (pages.signals.grant_changed and event_changed, sent by its
services inside their transaction); bookings.receivers hands them here, and each becomes
one outbox row per subscribed endpoint, written in that same transaction and delivered
like a booking's webhooks (signed, retried, logged: webhooks.py, sending.py). So a
change that committed owes its notifications, and one rolled back owes none.

The payloads are the hosted service's ``data.object`` shapes:
- ``grant.*``: ``{grant_id, provider, email, name, code}`` with the hosted notification
  codes, plus ``reauthentication_flag`` on ``grant.updated`` and ``grant_updated_at`` on
  ``grant.expired``; ``integration_id`` and ``login_id`` (hosted connectors and logins)
  do not exist here.
- ``event.created`` / ``event.updated``: the event as the events API returns it (its
  ``grant_id`` included); ``event.deleted``: ``{id, grant_id, calendar_id, object,
  metadata}`` as it was just before the delete.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from bookings.models.webhooks import EVENT_TRIGGERS, GRANT_TRIGGERS
from bookings.notifications import outbox, webhooks
from pages.api.events import event_json
from pages.unix_time import to_unix

GRANT_SOURCE = "/scheduler/grants"
EVENT_SOURCE = "/scheduler/events"
# The hosted service's notification codes (its notification reference).
GRANT_CODES = {
    "grant.created": 25012,
    "grant.updated": 25014,
    "grant.deleted": 25013,
    "grant.expired": 25009,
}
REAUTHENTICATED_CODE = 25027


def grant_object(
    *,
    trigger: str,
    grant_id,
    provider: str,
    email: str,
    name: str = "",
    reauthenticated: bool = False,
    grant_updated_at: dt.datetime | None = None,
) -> dict:
    obj = {
        "code": GRANT_CODES[trigger],
        "grant_id": str(grant_id),
        "provider": provider,
        "email": email,
    }
    if name:
        obj["name"] = name
    if trigger == "grant.updated":
        obj["reauthentication_flag"] = reauthenticated
        if reauthenticated:
            obj["code"] = REAUTHENTICATED_CODE
    if trigger == "grant.expired" and grant_updated_at is not None:
        obj["grant_updated_at"] = to_unix(grant_updated_at)
    return obj


def event_object(event, trigger: str) -> dict:
    if trigger == "event.deleted":
        return {
            "id": str(event.pk),
            "grant_id": str(event.calendar.grant_id),
            "calendar_id": str(event.calendar_id),
            "object": "event",
            "metadata": event.metadata,
        }
    return event_json(event)


def _owe(trigger: str, source: str, build) -> int:
    """Write the rows (in the caller's transaction) and hand them to Celery after commit.
    The payload is built only when someone subscribed."""
    endpoints = webhooks.subscribed(trigger)
    if not endpoints:
        return 0
    body = webhooks.notification(trigger, build(), source=source, at=timezone.now())
    rows = webhooks.rows_for(endpoints, trigger, body)
    outbox.save_all(rows)
    outbox.send_after_commit(rows)
    return len(rows)


def grant_changed(*, trigger: str, **grant) -> int:
    """A grant was created, updated, deleted or expired: ``grant`` holds grant_object's
    keywords. Returns how many deliveries are owed."""
    if trigger not in GRANT_TRIGGERS:
        raise ValueError(f"{trigger!r} is not one of {', '.join(GRANT_TRIGGERS)}")
    return _owe(trigger, GRANT_SOURCE, lambda: grant_object(trigger=trigger, **grant))


def event_changed(*, event, trigger: str) -> int:
    """An event was created, updated or (about to be) deleted through the events API."""
    if trigger not in EVENT_TRIGGERS:
        raise ValueError(f"{trigger!r} is not one of {', '.join(EVENT_TRIGGERS)}")
    return _owe(trigger, EVENT_SOURCE, lambda: event_object(event, trigger))
