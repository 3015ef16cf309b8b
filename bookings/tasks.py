"""Celery tasks: thin. They take ids, and the notifications package does the work."""

from __future__ import annotations

import uuid

from celery import shared_task

from bookings import idempotency
from bookings.notifications import outbox, sending


@shared_task(name=outbox.SEND_TASK, ignore_result=True)
def send_outbox_message(message_id: str, ticket: str | None = None) -> str:
    return sending.deliver(uuid.UUID(message_id), ticket)


@shared_task(name="bookings.sweep_outbox", ignore_result=True)
def sweep_outbox() -> int:
    return sending.sweep()


@shared_task(name="bookings.purge_idempotency_keys", ignore_result=True)
def purge_idempotency_keys() -> int:
    return idempotency.purge_expired_keys()
