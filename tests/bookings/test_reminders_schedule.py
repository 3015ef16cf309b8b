"""Reminders under time travel: each configured reminder is an outbox row due at the
start minus its minutes; the sweep sends it then and not before; a reschedule moves it,
a cancellation removes it, and one already past when the booking is made is skipped."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction

from bookings import notifications
from bookings.models import OutboxMessage
from bookings.notifications import outbox, reminders, sending
from pages.models import Reminder

# Webhook receivers here listen on 127.0.0.1 (or nothing listens there).
pytestmark = pytest.mark.usefixtures("loopback_destinations")

CHICAGO = ZoneInfo("America/Chicago")
BOOKED_AT = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
START = dt.datetime(2026, 3, 5, 10, 0, tzinfo=CHICAGO)
DAY, HOUR = dt.timedelta(days=1), dt.timedelta(hours=1)


@pytest.fixture
def clock():
    with time_machine.travel(BOOKED_AT, tick=False) as traveller:
        yield traveller


@pytest.fixture
def page(make_configuration):
    page = make_configuration(title="Intro call", timezone="America/Chicago")
    Reminder.objects.create(configuration=page, minutes_before_event=1440, recipient="all")
    Reminder.objects.create(
        configuration=page,
        minutes_before_event=60,
        recipient="guest",
        email_subject="See you in an hour",
    )
    return page


@pytest.fixture
def booking(clock, page, booking_for):
    booking = booking_for(page, page.hosts, START, START + dt.timedelta(minutes=30))
    with transaction.atomic():
        notifications.booking_created(booking)
    OutboxMessage.objects.exclude(purpose="reminder").delete()
    return booking


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    monkeypatch.setattr(outbox, "enqueue_many", lambda items, countdown=None: len(items))


def deliver_due() -> list[str]:
    return [sending.deliver(c.message_id, c.token) for c in outbox.claim_due()]


def schedule(booking) -> list[tuple[dt.datetime, str]]:
    return [(row.due_at, row.recipient) for row in reminders.upcoming(booking)]


def test_each_reminder_is_due_its_minutes_before_the_start(booking):
    assert schedule(booking) == [
        (START - DAY, "guest@example.com"),
        (START - DAY, "host@example.com"),
        (START - HOUR, "guest@example.com"),
    ]


def test_the_sweep_sends_a_reminder_at_its_time_and_not_before(clock, booking, mailoutbox):
    clock.move_to(START - DAY - dt.timedelta(seconds=1))
    assert deliver_due() == []
    clock.move_to(START - DAY)
    assert deliver_due() == ["sent", "sent"]
    assert sorted(m.to[0] for m in mailoutbox) == [
        "Guest <guest@example.com>",
        "host <host@example.com>",
    ]
    guest = next(m for m in mailoutbox if "guest@" in m.to[0])
    assert guest.subject == "Reminder: Intro call starts in 1 day"
    assert "Thursday, March 5, 2026, 10:00 AM" in guest.body
    clock.move_to(START - HOUR)
    assert deliver_due() == ["sent"]
    assert mailoutbox[-1].subject == "See you in an hour"
    assert deliver_due() == []


def test_a_reminder_speaks_the_bookings_language(clock, page, booking_for, mailoutbox):
    booking = booking_for(page, page.hosts, START, START + dt.timedelta(minutes=30), language="de")
    with transaction.atomic():
        notifications.booking_created(booking)
    OutboxMessage.objects.exclude(purpose="reminder").delete()
    clock.move_to(START - DAY)
    deliver_due()
    assert mailoutbox[0].subject == "Erinnerung: Intro call beginnt in 1 Tag"
    assert "Beginnt in 1 Tag" in mailoutbox[0].body


def test_a_reschedule_moves_the_reminders(clock, booking, mailoutbox):
    clock.move_to(START - 2 * DAY)
    old_start, old_end = booking.start, booking.end
    booking.start, booking.end = old_start + 2 * DAY, old_end + 2 * DAY
    booking.save()
    with transaction.atomic():
        notifications.booking_rescheduled(booking, old_start, old_end)
    OutboxMessage.objects.exclude(purpose="reminder").delete()
    new_start = booking.start
    assert schedule(booking) == [
        (new_start - DAY, "guest@example.com"),
        (new_start - DAY, "host@example.com"),
        (new_start - HOUR, "guest@example.com"),
    ]
    clock.move_to(old_start - HOUR)  # the old times pass in silence
    assert deliver_due() == []
    clock.move_to(new_start - DAY)
    assert deliver_due() == ["sent", "sent"]
    assert "Saturday, March 7, 2026, 10:00 AM" in mailoutbox[0].body


def test_a_reminder_sent_before_a_reschedule_is_sent_again_for_the_new_time(
    clock, booking, mailoutbox
):
    clock.move_to(START - DAY)
    assert deliver_due() == ["sent", "sent"]
    clock.move_to(START - 20 * HOUR)
    old_start, old_end = booking.start, booking.end
    booking.start, booking.end = old_start + 2 * DAY, old_end + 2 * DAY
    booking.save()
    with transaction.atomic():
        notifications.booking_rescheduled(booking, old_start, old_end)
    OutboxMessage.objects.exclude(purpose="reminder").delete()
    clock.move_to(booking.start - DAY)
    assert deliver_due() == ["sent", "sent"]
    assert len(mailoutbox) == 4


def test_a_cancellation_removes_the_reminders(clock, booking, mailoutbox):
    clock.move_to(START - 2 * DAY)
    booking.status = "cancelled"
    booking.save()
    with transaction.atomic():
        notifications.booking_cancelled(booking, "No longer needed")
    OutboxMessage.objects.exclude(purpose="reminder").delete()
    assert schedule(booking) == []
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"cancelled"}
    clock.move_to(START)
    assert deliver_due() == []
    assert mailoutbox == []


def test_a_reminder_already_past_when_the_booking_is_made_is_not_sent(clock, page, booking_for):
    soon = BOOKED_AT + 2 * HOUR
    booking = booking_for(page, page.hosts, soon, soon + dt.timedelta(minutes=30))
    with transaction.atomic():
        notifications.booking_created(booking)
    assert schedule(booking) == [(soon - HOUR, "guest@example.com")]


def test_a_pending_booking_gets_reminders_once_confirmed(clock, page, booking_for):
    booking = booking_for(
        page, page.hosts, START, START + dt.timedelta(minutes=30), status="pending"
    )
    with transaction.atomic():
        notifications.booking_created(booking)
    assert schedule(booking) == []
    booking.status = "booked"
    booking.save()
    with transaction.atomic():
        notifications.booking_confirmed(booking)
    assert len(schedule(booking)) == 3


def test_a_reminder_claimed_as_its_booking_moves_is_not_sent(clock, booking, mailoutbox):
    clock.move_to(START - DAY)
    claims = outbox.claim_due()  # a worker has them in hand...
    booking.start, booking.end = booking.start + DAY, booking.end + DAY
    booking.save()  # ... when the reschedule commits
    assert [sending.deliver(c.message_id, c.token) for c in claims] == ["cancelled"] * 2
    assert mailoutbox == []


def test_disable_emails_keeps_webhook_reminders_only(clock, page, booking_for):
    page.disable_emails = True
    page.save()
    from bookings.models import WebhookEndpoint

    endpoint = WebhookEndpoint(
        webhook_url="http://127.0.0.1:9/", trigger_types=["booking.reminder"]
    )
    endpoint.set_new_secret()
    endpoint.save()
    Reminder.objects.create(configuration=page, type="webhook", minutes_before_event=30)
    booking = booking_for(page, page.hosts, START, START + dt.timedelta(minutes=30))
    with transaction.atomic():
        notifications.booking_created(booking)
    assert list(OutboxMessage.objects.values_list("purpose", "due_at")) == [
        ("booking.reminder", START - dt.timedelta(minutes=30))
    ]
