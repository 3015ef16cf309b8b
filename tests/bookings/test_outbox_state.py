"""bookings.notifications.outbox and sending: the rows' state machine. A row is claimed
by one worker at a time, sent once, retried on the schedule, given back when the broker
is down, and taken over when its worker died."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import time_machine
from django.db import transaction

from bookings import notifications
from bookings.models import OutboxMessage
from bookings.notifications import emails, outbox, sending
from pages.models import Reminder

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
START = dt.datetime(2026, 3, 3, 16, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def booking(clock, make_configuration, booking_for):
    page = make_configuration(title="Intro call")
    return booking_for(page, page.hosts, START, START + dt.timedelta(minutes=30))


@pytest.fixture
def row(booking):
    """One guest confirmation waiting in the outbox."""
    with transaction.atomic():
        notifications.booking_created(booking)
    OutboxMessage.objects.exclude(purpose="guest_confirmation").delete()
    return OutboxMessage.objects.get()


@pytest.fixture
def enqueued(monkeypatch):
    """What was handed to Celery, instead of a broker."""
    handed: list = []

    def record(items, *, countdown=None):
        handed.extend((message_id, ticket, countdown) for message_id, ticket, _kind in items)
        return len(items)

    monkeypatch.setattr(outbox, "enqueue_many", record)
    return handed


def state(row) -> tuple[str, int]:
    row.refresh_from_db()
    return row.status, row.attempts


def test_a_row_is_claimed_by_one_worker_only(row):
    first = outbox.claim(row.pk)
    assert first is not None
    assert outbox.claim(row.pk) is None
    assert state(row) == ("sending", 1)


def test_a_sweep_ticket_works_once(row, mailoutbox):
    [claim] = outbox.claim_due()
    assert outbox.claim_due() == []  # claimed rows are not due again
    # The task and a redelivered copy of the same task message:
    assert sending.deliver(claim.message_id, claim.token) == "sent"
    assert sending.deliver(claim.message_id, claim.token) == "skipped"
    assert len(mailoutbox) == 1
    assert state(row) == ("sent", 1)


def test_a_task_enqueued_after_commit_and_the_sweep_send_a_row_once(row, mailoutbox):
    [claim] = outbox.claim_due()
    assert sending.deliver(row.pk) == "skipped"  # the after-commit task came second
    assert sending.deliver(claim.message_id, claim.token) == "sent"
    assert sending.deliver(row.pk) == "skipped"  # and a late redelivery of it
    assert len(mailoutbox) == 1


def test_a_row_due_later_waits_for_its_time(clock, booking):
    Reminder.objects.create(configuration=booking.configuration, minutes_before_event=60)
    with transaction.atomic():
        notifications.booking_created(booking)
    OutboxMessage.objects.exclude(purpose="reminder").delete()
    reminders = set(OutboxMessage.objects.values_list("pk", flat=True))
    assert len(reminders) == 2  # the guest and the host
    assert outbox.claim_due() == []
    clock.move_to(START - dt.timedelta(minutes=60, seconds=1))
    assert outbox.claim_due() == []
    clock.move_to(START - dt.timedelta(minutes=60))
    assert {c.message_id for c in outbox.claim_due()} == reminders


def test_a_row_whose_worker_died_is_taken_over_after_the_lease(clock, row, mailoutbox, settings):
    assert outbox.claim(row.pk) is not None  # ... and the worker is killed here
    clock.shift(dt.timedelta(seconds=settings.SCHEDULER_OUTBOX_LEASE_SECONDS - 1))
    assert outbox.claim_due() == []
    clock.shift(dt.timedelta(seconds=2))
    [claim] = outbox.claim_due()
    assert sending.deliver(claim.message_id, claim.token) == "sent"
    assert state(row) == ("sent", 2)
    assert len(mailoutbox) == 1


def test_a_worker_that_outlived_its_lease_cannot_mark_the_row(clock, row, settings):
    late = outbox.claim(row.pk)
    clock.shift(dt.timedelta(seconds=settings.SCHEDULER_OUTBOX_LEASE_SECONDS + 1))
    current = outbox.claim(row.pk)
    assert not outbox.mark_sent(late)
    assert not outbox.mark_for_retry(late, "email", 1, "late")
    assert outbox.mark_sent(current)
    assert state(row) == ("sent", 2)


def test_a_stale_ticket_does_nothing_once_the_row_was_taken_over(clock, row, settings):
    [stale] = outbox.claim_due()  # handed to a task that waits in a long queue
    clock.shift(dt.timedelta(seconds=settings.SCHEDULER_OUTBOX_LEASE_SECONDS + 1))
    [fresh] = outbox.claim_due()
    assert fresh.token != stale.token
    assert outbox.begin(stale.message_id, stale.token) is None
    assert outbox.begin(fresh.message_id, fresh.token) is not None


def test_failures_are_retried_on_the_schedule_then_the_row_fails(clock, row, monkeypatch, enqueued):
    def refuse(message):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr(emails, "send", refuse)
    waits = []
    for _attempt in range(outbox.MAX_ATTEMPTS["email"]):
        [claim] = outbox.claim_due()
        outcome = sending.deliver(claim.message_id, claim.token)
        row.refresh_from_db()
        if outcome == "retry":
            waits.append(row.next_attempt_at - dt.datetime.now(dt.UTC))
            clock.move_to(row.next_attempt_at)
    assert len(waits) == len(outbox.RETRY_DELAYS["email"])
    for wait, planned in zip(waits, outbox.RETRY_DELAYS["email"], strict=True):
        assert planned * 0.8 <= wait <= planned * 1.2
    assert state(row) == ("failed", outbox.MAX_ATTEMPTS["email"])
    assert "no mail server" in row.last_error
    assert outbox.claim_due() == []
    # The first retry (about 5 s) comes sooner than the next sweep: a countdown task.
    assert enqueued[0][0] == row.pk and 5 <= enqueued[0][2] <= 7


def test_a_short_outage_costs_seconds_not_minutes():
    """About 5 s, 30 s, 2 min, 10 min, ... for emails; webhooks keep API.md's schedule
    (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h) with a 30 s step after the first."""
    minutes = {
        kind: [round(d.total_seconds() / 60, 2) for d in delays]
        for kind, delays in outbox.RETRY_DELAYS.items()
    }
    assert minutes["email"] == [0.08, 0.5, 2, 10, 30, 60, 120, 240, 480, 720]
    assert minutes["webhook"] == [0.08, 0.5, 5, 30, 120, 300, 600, 600]
    # Tried for more than a day before giving up, as before.
    for delays in outbox.RETRY_DELAYS.values():
        assert sum(delays, dt.timedelta()) > dt.timedelta(hours=27)


def test_retries_are_spread_by_jitter_within_a_fifth_of_the_step():
    waits = {outbox.retry_delay("email", 2).total_seconds() for _ in range(200)}
    assert min(waits) >= 24 and max(waits) <= 36
    assert len(waits) > 100  # not all at the same second: a returning server is not stampeded
    assert max(waits) - min(waits) > 6
    # Beyond the schedule's end the last step repeats (a row given attempts by a re-send).
    assert outbox.retry_delay("webhook", 99) >= dt.timedelta(hours=8)


def test_a_permanent_failure_is_not_retried(row, monkeypatch):
    def reject(message):
        raise outbox.PermanentFailure("550 no such user")

    monkeypatch.setattr(emails, "send", reject)
    assert sending.deliver(row.pk) == "failed"
    assert state(row) == ("failed", 1)
    assert row.last_error == "550 no such user"


def test_a_row_workers_keep_dying_on_is_given_up(clock, row, monkeypatch, settings, mailoutbox):
    for _death in range(outbox.MAX_ATTEMPTS["email"]):
        [claim] = outbox.claim_due()
        assert outbox.begin(claim.message_id, claim.token) is not None  # and dies
        clock.shift(dt.timedelta(seconds=settings.SCHEDULER_OUTBOX_LEASE_SECONDS + 1))
    [claim] = outbox.claim_due()
    assert sending.deliver(claim.message_id, claim.token) == "failed"
    assert row.__class__.objects.get(pk=row.pk).status == "failed"
    assert mailoutbox == []


def test_rows_go_to_celery_only_after_commit(booking, enqueued, django_capture_on_commit_callbacks):
    Reminder.objects.create(configuration=booking.configuration, minutes_before_event=60)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        notifications.booking_created(booking)
        assert enqueued == []
    assert len(callbacks) == 1  # one batch for the whole change
    due_now = set(OutboxMessage.objects.exclude(purpose="reminder").values_list("pk", flat=True))
    assert {message_id for message_id, _ticket, _countdown in enqueued} == due_now


def test_a_rolled_back_booking_owes_nothing(booking, enqueued, django_capture_on_commit_callbacks):
    captured = django_capture_on_commit_callbacks(execute=True)
    with captured, pytest.raises(RuntimeError), transaction.atomic():
        notifications.booking_created(booking)
        raise RuntimeError("the booking failed after all")
    assert not OutboxMessage.objects.exists()
    assert enqueued == []


@pytest.fixture
def unreachable_broker(settings):
    """The Celery app pointed at a closed port (nothing listens on port 1)."""
    from scheduler_site.celery import app

    saved = app.conf.broker_url, app.conf.broker_transport_options

    def reset_pools():
        app._pool = None
        app.amqp._producer_pool = None

    reset_pools()
    app.conf.broker_url, app.conf.broker_transport_options = "redis://127.0.0.1:1/0", {}
    yield app
    app.conf.broker_url, app.conf.broker_transport_options = saved
    reset_pools()


def test_an_unreachable_broker_fails_the_enqueue_fast_and_quietly(row, unreachable_broker):
    started = time.monotonic()
    assert outbox.enqueue(row.pk, kind=row.kind) is False
    assert time.monotonic() - started < 2


def test_the_sweep_gives_rows_back_when_the_broker_is_down(row, unreachable_broker):
    assert sending.sweep() == 0
    assert state(row) == ("pending", 0)
    assert outbox.claim_due() != []


def test_resend_retries_unsent_rows_and_copies_sent_ones(row, booking, enqueued):
    OutboxMessage.objects.filter(pk=row.pk).update(status="failed", attempts=8)
    sent = OutboxMessage.objects.create(
        kind="email",
        purpose="organizer_notice",
        booking=booking,
        audience="host",
        recipient="host@example.com",
        due_at=NOW,
        next_attempt_at=NOW,
        status="sent",
    )
    busy = OutboxMessage.objects.create(
        kind="email",
        purpose="organizer_notice",
        booking=booking,
        audience="host",
        recipient="other@example.com",
        due_at=NOW,
        next_attempt_at=NOW,
        status="sending",
        lease_until=NOW + dt.timedelta(minutes=5),
    )
    assert outbox.resend(OutboxMessage.objects.filter(pk__in=[row.pk, sent.pk, busy.pk])) == 2
    assert state(row) == ("pending", 0)
    copy = OutboxMessage.objects.get(resent_from=sent)
    assert copy.status == "pending" and copy.recipient == "host@example.com"
    assert state(sent) == ("sent", 0) and state(busy) == ("sending", 0)


def test_the_sweep_hands_due_rows_over_in_batches_with_tickets(booking, enqueued):
    for index in range(7):
        outbox.add(
            kind="email",
            purpose="organizer_notice",
            booking=booking,
            audience="host",
            recipient=f"host{index}@example.com",
        )
    assert sending.sweep(limit=2, most=5) == 5
    assert all(ticket for _id, ticket, _countdown in enqueued)
    assert sending.sweep(limit=2, most=5) == 2
    assert len({message_id for message_id, _ticket, _countdown in enqueued}) == 7
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sending"}


def test_the_celery_tasks_are_thin_wrappers(row, enqueued, mailoutbox):
    from bookings import tasks

    assert tasks.sweep_outbox() == 1
    [(message_id, ticket, _countdown)] = enqueued
    assert tasks.send_outbox_message(str(message_id), ticket) == "sent"
    assert tasks.send_outbox_message(str(message_id), None) == "skipped"
    assert len(mailoutbox) == 1
