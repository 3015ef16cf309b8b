"""Celery tasks of the organizer side: connected calendars' sync. Thin: load, call."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from pages.models import Grant
from pages.sync import passes, queue, writes


@shared_task(name=queue.SWEEP_TASK, ignore_result=True)
def sync_due_calendars() -> int:
    """Beat: a pass for every connected grant whose last one is older than
    SCHEDULER_SYNC_SECONDS (each grant's on its own task, so workers share them)."""
    every = dt.timedelta(seconds=settings.SCHEDULER_SYNC_SECONDS)
    due = [grant.pk for grant in passes.due_grants(timezone.now(), every)]
    for grant_id in due:
        if not queue.sync_soon(grant_id):
            break
    return len(due)


@shared_task(name=queue.SYNC_GRANT_TASK, ignore_result=True)
def sync_grant(grant_id: str) -> int:
    grant = Grant.objects.filter(pk=grant_id).first()
    if grant is None:
        return 0
    return passes.sync_grant(grant).fetched


@shared_task(name=queue.DELIVER_TASK, ignore_result=True)
def deliver_calendar_write(outgoing_id: int) -> str:
    return writes.deliver(outgoing_id)


@shared_task(name=queue.SWEEP_WRITES_TASK, ignore_result=True)
def sweep_calendar_writes() -> int:
    """Beat: the writes that are due (a lost task, a server that was down)."""
    ids = writes.due(timezone.now())
    queue.deliver_soon(ids)
    return len(ids)
