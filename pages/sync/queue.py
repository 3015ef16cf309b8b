"""Asking the workers for a sync pass now (after a connection or new credentials), or
for a write to a calendar.

Both go to SCHEDULER_CALENDARS_QUEUE, so a slow CalDAV server occupies the calendar
workers only (and a backlog of emails or webhooks does not delay the calendars).

Never raises: when the broker is down, the beat sweep's next round finds the grant due
(it has never synced, or its last pass is older than SCHEDULER_SYNC_SECONDS)."""

from __future__ import annotations

import logging

from celery import current_app
from django.conf import settings

SYNC_GRANT_TASK = "pages.sync_grant"
SWEEP_TASK = "pages.sync_due_calendars"

logger = logging.getLogger(__name__)


def sync_soon(grant_id) -> bool:
    try:
        with current_app.connection_for_write(transport_options={"max_retries": 0}) as conn:
            current_app.send_task(
                SYNC_GRANT_TASK,
                args=[str(grant_id)],
                queue=settings.SCHEDULER_CALENDARS_QUEUE,
                retry=False,
                connection=conn,
            )
        return True
    except Exception as error:  # noqa: BLE001 - the sweep is the fallback
        logger.warning("sync of grant %s not queued (the sweep will run it): %s", grant_id, error)
        return False


DELIVER_TASK = "pages.deliver_calendar_write"
SWEEP_WRITES_TASK = "pages.sweep_calendar_writes"


def deliver_soon(outgoing_ids) -> int:
    """Ask the workers to deliver these writes; how many were handed over. Never
    raises: the sweep delivers what was not."""
    handed = 0
    try:
        with current_app.connection_for_write(transport_options={"max_retries": 0}) as conn:
            for outgoing_id in outgoing_ids:
                current_app.send_task(
                    DELIVER_TASK,
                    args=[outgoing_id],
                    queue=settings.SCHEDULER_CALENDARS_QUEUE,
                    retry=False,
                    connection=conn,
                )
                handed += 1
    except Exception as error:  # noqa: BLE001 - the sweep is the fallback
        logger.warning("calendar writes not queued (the sweep will send them): %s", error)
    return handed
