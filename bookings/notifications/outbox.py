"""Outbox rows and their state machine.

A row is written in the booking's transaction, so it exists exactly when the booking
change does. After commit it is handed to Celery; if the broker is down then, the beat
sweep (every SCHEDULER_OUTBOX_SWEEP_SECONDS) finds it later. No task waits on an ETA for
a reminder: a reminder is a row whose due time is in the future, found by the sweep.

States::

    pending --claim--> sending --accepted--> sent
       ^                  |
       +---retry (backoff)+--permanent error / out of attempts--> failed
    pending --no longer owed (reschedule, cancellation)--> cancelled
    sending, lease expired (its worker died) --claim--> sending

Claims are compare-and-set UPDATEs, so of two workers (or a task and its redelivered
copy) reaching one row, one UPDATE matches and the other sees "0 rows": it got there
second and does nothing.

- The send task enqueued after commit claims its row itself:
  ``UPDATE ... SET status='sending', claim_token=<new>, lease_until=now+lease
  WHERE id=? AND (status='pending' AND next_attempt_at<=now
                  OR status='sending' AND lease_until<now)``.
- The sweep selects due rows with ``SELECT ... FOR UPDATE SKIP LOCKED`` (PostgreSQL; on
  SQLite the IMMEDIATE transaction serializes sweeps) and claims them with a *ticket*
  token. The send task exchanges the ticket for a private token in ``begin()``; a ticket
  works once, so a duplicate delivery of the same task message does nothing.
- Marking sent, failed or for retry is a second compare-and-set on the private token.

At most once, or at least once? Every transition above is exclusive, so two workers
never send one row at the same time, and a finished row is never picked up again. The
one window left is a worker dying after the mail server (or webhook receiver) accepted
the message and before the "sent" UPDATE committed. Nothing can tell that case from a
worker that died before sending: SMTP has no "did you get it?" query. We choose *at
least once* there: the row stays ``sending`` until its lease (SCHEDULER_OUTBOX_LEASE_SECONDS)
expires and is then sent again, because a lost confirmation or cancellation is worse than
a duplicate (DESIGN.md invariant 4, "nothing is lost"). The duplicate carries the same
Message-ID (``<row id@site>``) or ``webhook-id`` (the row id), so mail stores and
receivers that deduplicate drop it. A worker killed while it is still talking to the
server (the common case: SMTP DATA in flight) leaves no accepted message, so the
re-send after the lease is the only copy. The same holds when the worker lives but the
database went away before the "sent" (or "retry") UPDATE: the row waits for its lease.

The lease is short (30 s), so such a row is sent again within about a lease and a sweep,
and the worker renews it (``renew``, every third of a lease) for as long as the send
takes, so a slow mail server never makes a live send look abandoned. A worker whose
renewals failed (the database was away) and that outlives its lease finds its "sent"
UPDATE matching nothing and logs it, since a second worker may have sent a copy.

Retries back off with jitter (``retry_delay``): emails after about 5 s, 30 s, 2 min,
10 min, 30 min, 1 h, 2 h, 4 h, 8 h and 12 h (a day and more in all); webhooks after about
5 s, 30 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h (API.md's schedule, with a 30 s step
so a blip costs seconds). The jitter (+-20%) spreads the retries of many rows that failed
together, so a server coming back is not hit by all of them in the same second.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import secrets
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from celery import current_app
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from bookings.models import OutboxMessage

logger = logging.getLogger(__name__)

Status = OutboxMessage.Status

# The Celery task that sends one row (bookings/tasks.py registers it under this name).
SEND_TASK = "bookings.send_outbox_message"


def _seconds(*values: float) -> tuple[dt.timedelta, ...]:
    return tuple(dt.timedelta(seconds=value) for value in values)


MINUTE, HOUR = 60, 3600
# After attempt n fails, the next is about RETRY_DELAYS[kind][n - 1] later (give or take
# RETRY_JITTER); after the last, the row failed.
RETRY_DELAYS = {
    OutboxMessage.Kind.EMAIL: _seconds(
        5, 30, 2 * MINUTE, 10 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 4 * HOUR, 8 * HOUR, 12 * HOUR
    ),
    OutboxMessage.Kind.WEBHOOK: _seconds(
        5, 30, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR
    ),
}
RETRY_JITTER = 0.2
MAX_ATTEMPTS = {kind: len(delays) + 1 for kind, delays in RETRY_DELAYS.items()}
SWEEP_BATCH = 200
SWEEP_MOST = 5000


class PermanentFailure(Exception):
    """Sending cannot succeed by trying again (a 5xx refusal, a 410): the row failed."""


class NotOwed(Exception):
    """The message is no longer owed (its booking was cancelled, its endpoint paused)."""


@dataclass(frozen=True)
class Claim:
    message_id: uuid.UUID
    token: str
    kind: str = ""  # known to the sweep's claims, which it enqueues by kind


def _now() -> dt.datetime:
    return timezone.now()


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.SCHEDULER_OUTBOX_LEASE_SECONDS)


def retry_delay(kind: str, attempts: int) -> dt.timedelta:
    """How long to wait after ``attempts`` tries of a row of this kind, with jitter."""
    delays = RETRY_DELAYS[kind]
    base = delays[min(max(attempts, 1), len(delays)) - 1]
    return base * random.uniform(1 - RETRY_JITTER, 1 + RETRY_JITTER)


def queue_for(kind: str) -> str:
    """Emails and webhooks have queues of their own, so a slow mail server cannot hold
    webhooks back (nor a slow receiver emails)."""
    if kind == OutboxMessage.Kind.WEBHOOK:
        return settings.SCHEDULER_WEBHOOK_QUEUE
    return settings.SCHEDULER_EMAIL_QUEUE


def _new_token() -> str:
    return secrets.token_hex(16)


def instant(value: dt.datetime) -> str:
    """How a row's context records an instant: ISO 8601 in UTC."""
    return value.astimezone(dt.UTC).isoformat()


def same_instant(recorded: str | None, value: dt.datetime) -> bool:
    try:
        return dt.datetime.fromisoformat(recorded or "") == value
    except ValueError:
        return False


def claimable(now: dt.datetime) -> Q:
    """Rows a worker may take: due pending rows, and claimed rows whose worker died."""
    return Q(status=Status.PENDING, next_attempt_at__lte=now) | Q(
        status=Status.SENDING, lease_until__lt=now
    )


# Writing rows (inside the booking's transaction)


def new(
    *,
    kind: str,
    purpose: str,
    booking,
    audience: str,
    recipient: str,
    recipient_name: str = "",
    endpoint=None,
    due_at: dt.datetime | None = None,
    context: dict | None = None,
) -> OutboxMessage:
    """A row, not yet saved (``save_all`` writes a change's rows in one INSERT)."""
    due_at = due_at or _now()
    return OutboxMessage(
        kind=kind,
        purpose=purpose,
        booking=booking,
        audience=audience,
        recipient=recipient,
        recipient_name=recipient_name[:200],
        endpoint=endpoint,
        due_at=due_at,
        next_attempt_at=due_at,
        context=context or {},
    )


def add(**fields) -> OutboxMessage:
    """One row, saved."""
    message = new(**fields)
    message.save()
    return message


def save_all(messages: list[OutboxMessage]) -> None:
    OutboxMessage.objects.bulk_create(messages)


def send_after_commit(messages: Iterable[OutboxMessage]) -> None:
    """Hand the rows that are due now to Celery once the transaction that wrote them has
    committed (a task must never run before its row exists). Rows due later wait for
    the sweep."""
    now = _now()
    items = [(m.pk, None, m.kind) for m in messages if m.next_attempt_at <= now]
    if items:
        transaction.on_commit(lambda: enqueue_many(items))


def enqueue(
    message_id: uuid.UUID, ticket: str | None = None, *, kind: str, countdown: int | None = None
):
    return enqueue_many([(message_id, ticket, kind)], countdown=countdown) == 1


def enqueue_many(
    items: Sequence[tuple[uuid.UUID, str | None, str]], *, countdown: int | None = None
) -> int:
    """Ask the workers to send these rows (id, the sweep's ticket if any, kind), each on
    its kind's queue. Returns
    how many were handed over: all, or those before the broker failed. Never raises: a
    row not handed over stays in the outbox and the next sweep sends it."""
    if not items:
        return 0
    handed_over = 0
    app = current_app
    try:
        # One connection per batch, trying once: kombu would otherwise retry a refused
        # connection for seconds, and a booking's answer must not wait on a broker
        # that is down (the sweep is the fallback).
        with app.connection_for_write(transport_options={"max_retries": 0}) as connection:
            for message_id, ticket, kind in items:
                # By name: the task module imports this one, not the other way round.
                app.send_task(
                    SEND_TASK,
                    args=[str(message_id), ticket],
                    queue=queue_for(kind),
                    countdown=countdown,
                    retry=False,
                    connection=connection,
                )
                handed_over += 1
    except Exception as exc:  # any broker or connection error: the sweep is the fallback
        logger.warning(
            "Could not reach the broker (%s): %d outbox message(s) wait for the sweep.",
            exc,
            len(items) - handed_over,
        )
    return handed_over


def cancel_pending(queryset, reason: str) -> int:
    """Rows that are no longer owed (moved or removed reminders). A row a worker holds
    right now is left to finish: it checks the booking again before sending."""
    return queryset.filter(status=Status.PENDING).update(
        status=Status.CANCELLED, last_error=reason[:500], updated_at=_now()
    )


# Claiming and finishing (in the workers, autocommit: each UPDATE commits on its own)


def claim(message_id: uuid.UUID) -> Claim | None:
    """The send task's own claim of one row (enqueued after commit, or a retry)."""
    now, token = _now(), _new_token()
    claimed = (
        OutboxMessage.objects.filter(claimable(now), pk=message_id).update(
            status=Status.SENDING,
            claim_token=token,
            lease_until=now + _lease(),
            attempts=F("attempts") + 1,
            updated_at=now,
        )
        == 1
    )
    return Claim(message_id, token) if claimed else None


def claim_due(limit: int = SWEEP_BATCH) -> list[Claim]:
    """The sweep's claim of due rows, each with a ticket for ``begin()``."""
    now, ticket = _now(), "t" + _new_token()
    with transaction.atomic():
        due = OutboxMessage.objects.filter(claimable(now)).order_by("next_attempt_at")
        if connection.features.has_select_for_update_skip_locked:
            # Two sweeps (two beats by mistake, or a slow one overlapping the next) take
            # disjoint rows instead of waiting on each other's locks.
            due = due.select_for_update(skip_locked=True)
        rows = list(due.values_list("pk", "kind")[:limit])
        if not rows:
            return []
        OutboxMessage.objects.filter(claimable(now), pk__in=[pk for pk, _ in rows]).update(
            status=Status.SENDING, claim_token=ticket, lease_until=now + _lease(), updated_at=now
        )
    return [Claim(pk, ticket, kind) for pk, kind in rows]


def begin(message_id: uuid.UUID, ticket: str) -> Claim | None:
    """Exchange a sweep's ticket for a private claim with a fresh lease. A ticket works
    once: a redelivered or duplicated task message finds it gone and does nothing."""
    now, token = _now(), _new_token()
    begun = (
        OutboxMessage.objects.filter(
            pk=message_id, status=Status.SENDING, claim_token=ticket, lease_until__gte=now
        ).update(
            claim_token=token,
            lease_until=now + _lease(),
            attempts=F("attempts") + 1,
            updated_at=now,
        )
        == 1
    )
    return Claim(message_id, token) if begun else None


def _held(claim: Claim):
    return OutboxMessage.objects.filter(
        pk=claim.message_id, status=Status.SENDING, claim_token=claim.token
    )


def renew(claim: Claim) -> bool:
    """Extend the lease of a row this worker is still sending. False when the claim was
    lost (the lease ran out and another worker took the row)."""
    now = _now()
    return _held(claim).update(lease_until=now + _lease(), updated_at=now) == 1


def release(claim: Claim) -> bool:
    """Give a claimed row back untried (the sweep could not enqueue it)."""
    return (
        _held(claim).update(
            status=Status.PENDING, claim_token="", lease_until=None, updated_at=_now()
        )
        == 1
    )


def mark_sent(claim: Claim) -> bool:
    now = _now()
    return (
        _held(claim).update(
            status=Status.SENT,
            sent_at=now,
            claim_token="",
            lease_until=None,
            last_error="",
            updated_at=now,
        )
        == 1
    )


def mark_failed(claim: Claim, error: str) -> bool:
    return (
        _held(claim).update(
            status=Status.FAILED,
            claim_token="",
            lease_until=None,
            last_error=error[:2000],
            updated_at=_now(),
        )
        == 1
    )


def mark_cancelled(claim: Claim, reason: str) -> bool:
    return (
        _held(claim).update(
            status=Status.CANCELLED,
            claim_token="",
            lease_until=None,
            last_error=reason[:2000],
            updated_at=_now(),
        )
        == 1
    )


def mark_for_retry(claim: Claim, kind: str, attempts: int, error: str) -> dt.datetime | None:
    """Schedule the next attempt after ``attempts`` tries. None when that was the last
    (the row failed), or when the claim was lost meanwhile."""
    if attempts >= MAX_ATTEMPTS[kind]:
        mark_failed(claim, f"Gave up after {attempts} attempts. Last error: {error}")
        return None
    now = _now()
    next_attempt = now + retry_delay(kind, attempts)
    scheduled = _held(claim).update(
        status=Status.PENDING,
        next_attempt_at=next_attempt,
        claim_token="",
        lease_until=None,
        last_error=error[:2000],
        updated_at=now,
    )
    return next_attempt if scheduled else None


# The admin's re-send


def resend(messages: Iterable[OutboxMessage]) -> int:
    """Send again. A row that never went out (failed, cancelled, waiting) is retried now
    with fresh attempts; a sent row is copied into a new row, so the copy gets its own
    Message-ID / webhook-id and is not dropped as a duplicate. Rows a worker holds are
    left alone."""
    now, items = _now(), []
    with transaction.atomic():
        for message in messages:
            if message.status == Status.SENDING:
                continue
            if message.status == Status.SENT:
                copy = OutboxMessage.objects.create(
                    kind=message.kind,
                    purpose=message.purpose,
                    booking_id=message.booking_id,
                    audience=message.audience,
                    recipient=message.recipient,
                    recipient_name=message.recipient_name,
                    endpoint_id=message.endpoint_id,
                    due_at=now,
                    next_attempt_at=now,
                    context=message.context,
                    resent_from=message,
                )
                items.append((copy.pk, None, copy.kind))
            elif (
                OutboxMessage.objects.filter(pk=message.pk)
                .exclude(status__in=[Status.SENDING, Status.SENT])
                .update(
                    status=Status.PENDING,
                    attempts=0,
                    next_attempt_at=now,
                    claim_token="",
                    lease_until=None,
                    updated_at=now,
                )
            ):
                items.append((message.pk, None, message.kind))
        transaction.on_commit(lambda: enqueue_many(items))
    return len(items)
