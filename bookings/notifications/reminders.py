"""Reminders: each of a configuration's reminders becomes outbox rows due at the
booking's start minus its minutes. A reschedule replaces them, a cancellation removes
them, and one whose time has already passed is not written at all."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from bookings.models import Booking, OutboxMessage
from bookings.notifications import outbox, recipients, webhooks
from pages.models import Reminder
from pages.sql import reminders_of

REMINDER_PURPOSES = ("reminder", "booking.reminder")


def schedule(booking, *, language: str, guests=None, hosts=None) -> list[OutboxMessage]:
    """Rows (unsaved) for every reminder still ahead, only for a booked booking.
    ``guests`` and ``hosts``: the people, if the caller has them already."""
    if booking.status != Booking.Status.BOOKED:
        return []
    now = timezone.now()
    switches = recipients.switches(booking.configuration)
    guests = recipients.guests(booking) if guests is None else guests
    hosts = recipients.hosts(booking) if hosts is None else hosts
    rows: list[OutboxMessage] = []
    for reminder in reminders_of(booking.configuration):
        due_at = booking.start - dt.timedelta(minutes=reminder.minutes_before_event)
        if due_at <= now:
            continue
        if reminder.type == Reminder.Type.WEBHOOK:
            rows += webhooks.owe(
                booking,
                "booking.reminder",
                due_at=due_at,
                people=hosts + guests,
                time_until_event=reminder.minutes_before_event * 60,
            )
            continue
        if not switches.any:
            continue
        people = []
        if reminder.recipient in (Reminder.Recipient.ALL, Reminder.Recipient.GUEST):
            people += guests
        if reminder.recipient in (Reminder.Recipient.ALL, Reminder.Recipient.HOST):
            people += hosts
        for person in people:
            rows.append(
                outbox.new(
                    kind=OutboxMessage.Kind.EMAIL,
                    purpose="reminder",
                    booking=booking,
                    audience=person.audience,
                    recipient=person.email,
                    recipient_name=person.name,
                    due_at=due_at,
                    context={
                        "start": outbox.instant(booking.start),
                        "end": outbox.instant(booking.end),
                        "timezone": person.timezone,
                        "language": language,
                        "minutes_before": reminder.minutes_before_event,
                        "email_subject": reminder.email_subject,
                        "reminder_id": reminder.pk,
                    },
                )
            )
    return rows


def remove(booking, reason: str) -> int:
    """Cancel the reminders that have not gone out."""
    return outbox.cancel_pending(
        OutboxMessage.objects.filter(booking=booking, purpose__in=REMINDER_PURPOSES), reason
    )


def upcoming(booking):
    """The reminder rows still waiting (for tests and the admin)."""
    return OutboxMessage.objects.filter(
        Q(booking=booking, purpose__in=REMINDER_PURPOSES, status=OutboxMessage.Status.PENDING)
    ).order_by("due_at")
