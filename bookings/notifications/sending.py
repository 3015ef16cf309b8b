"""Sending outbox rows: the sweep that finds due rows, and the delivery of one row.

Both run in Celery workers (bookings/tasks.py) and hold no transaction open while they
talk to a mail server or a webhook receiver: every state change is its own
compare-and-set UPDATE (see outbox.py for the state machine and the reasoning).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection
from django.utils import timezone

from bookings.models import OutboxMessage
from bookings.notifications import emails, outbox, webhooks
from bookings.notifications.outbox import NotOwed, PermanentFailure

logger = logging.getLogger(__name__)


def sweep(limit: int = outbox.SWEEP_BATCH, most: int = outbox.SWEEP_MOST) -> int:
    """Claim the rows that are due (or whose worker died) and enqueue one send task
    each, batch after batch, up to ``most`` rows (the next sweep takes the rest).
    Returns how many were handed over."""
    total = 0
    while total < most:
        claims = outbox.claim_due(min(limit, most - total))
        handed_over = outbox.enqueue_many([(c.message_id, c.token, c.kind) for c in claims])
        for claim in claims[handed_over:]:
            # The broker went away: give these back untried, for the next sweep.
            outbox.release(claim)
        total += handed_over
        if handed_over < len(claims) or len(claims) < limit:
            break
    if total:
        logger.info("Outbox sweep handed %d message(s) to the workers.", total)
    return total


@contextmanager
def lease_kept(claim: outbox.Claim) -> Iterator[None]:
    """Renew the claim's lease every third of a lease while the block runs (a slow mail
    server or receiver), from a thread of its own with its own database connection. The
    lease can then be short: a row whose worker died is taken over within about a lease,
    and a live send is not taken for a dead one (unless the database missed its renewals)."""
    done = threading.Event()
    every = settings.SCHEDULER_OUTBOX_LEASE_SECONDS / 3

    def heartbeat() -> None:
        try:
            while not done.wait(every):
                try:
                    if not outbox.renew(claim):
                        logger.warning(
                            "Outbox message %s: lease lost while sending.", claim.message_id
                        )
                        return
                except Exception as exc:  # the database is away: try again next beat
                    logger.warning(
                        "Outbox message %s: lease not renewed (%s).", claim.message_id, exc
                    )
        finally:
            connection.close()  # this thread's own connection

    beating = threading.Thread(target=heartbeat, name=f"lease-{claim.message_id}", daemon=True)
    beating.start()
    try:
        yield
    finally:
        done.set()
        beating.join()


def deliver(message_id: uuid.UUID, ticket: str | None = None) -> str:
    """Send one row if this worker wins its claim. Returns what happened: "sent",
    "retry", "failed", "cancelled" or "skipped" (another worker has or had it)."""
    claim = outbox.begin(message_id, ticket) if ticket else outbox.claim(message_id)
    if claim is None:
        return "skipped"
    message = (
        OutboxMessage.objects.select_related("endpoint", "booking").filter(pk=message_id).first()
    )
    if message is None:  # deleted with its booking or endpoint meanwhile
        return "skipped"
    if message.attempts > outbox.MAX_ATTEMPTS[message.kind]:
        # Workers kept dying on this row (each claim counts): stop feeding it to them.
        outbox.mark_failed(claim, f"Gave up: {message.attempts - 1} attempts never finished.")
        return "failed"
    try:
        with lease_kept(claim):
            if message.kind == OutboxMessage.Kind.EMAIL:
                emails.send(message)
            else:
                webhooks.post(message)
    except NotOwed as exc:
        outbox.mark_cancelled(claim, str(exc))
        return "cancelled"
    except PermanentFailure as exc:
        logger.warning("Outbox message %s failed for good: %s", message_id, exc)
        outbox.mark_failed(claim, str(exc))
        return "failed"
    except Exception as exc:  # any other error is worth another try later
        error = f"{type(exc).__name__}: {exc}"
        logger.warning("Outbox message %s, attempt %d: %s", message_id, message.attempts, error)
        next_attempt = outbox.mark_for_retry(claim, message.kind, message.attempts, error)
        if next_attempt is None:
            return "failed"
        wait = (next_attempt - timezone.now()).total_seconds()
        if wait < settings.SCHEDULER_OUTBOX_SWEEP_SECONDS:
            # A retry sooner than the next sweep is worth a short countdown of its own.
            outbox.enqueue(message_id, kind=message.kind, countdown=max(1, int(wait) + 1))
        return "retry"
    if not outbox.mark_sent(claim):
        logger.error(
            "Outbox message %s was sent after its lease ran out; another worker may send "
            "a copy (same Message-ID / webhook-id).",
            message_id,
        )
    return "sent"
