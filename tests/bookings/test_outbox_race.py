"""Workers racing for outbox rows on PostgreSQL: real threads, each with its own database
connection, sweeping and sending at once. Every row is sent exactly once, and a sweep
skips the rows another holds locked instead of waiting for them."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from bookings.models import OutboxMessage
from bookings.notifications import outbox, sending

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROWS = 24


@pytest.fixture
def rows(make_configuration, booking_for, monkeypatch):
    monkeypatch.setattr(outbox, "enqueue_many", lambda items, countdown=None: len(items))
    page = make_configuration(title="Intro call")
    start = timezone.now() + dt.timedelta(days=2)
    booking = booking_for(page, page.hosts, start, start + dt.timedelta(minutes=30))
    made = []
    for index in range(ROWS):
        made.append(
            outbox.add(
                kind="email",
                purpose="guest_confirmation",
                booking=booking,
                audience="guest",
                recipient=f"guest{index}@example.com",
                context={
                    "start": outbox.instant(booking.start),
                    "end": outbox.instant(booking.end),
                    "timezone": "UTC",
                    "language": "en",
                },
            )
        )
    return made


def in_thread(function):
    def run(*args):
        try:
            return function(*args)
        finally:
            connection.close()

    return run


def test_racing_sweeps_and_tasks_send_each_row_once(rows, mailoutbox):
    barrier = threading.Barrier(8)

    @in_thread
    def sweeper(_):
        barrier.wait(timeout=30)
        outcomes = []
        while claims := outbox.claim_due(limit=3):
            outcomes += [sending.deliver(c.message_id, c.token) for c in claims]
        return outcomes

    @in_thread
    def after_commit_task(_):
        barrier.wait(timeout=30)
        # The task enqueued after commit, for every row, and a redelivered copy of it.
        return [sending.deliver(row.pk) for row in rows for _copy in range(2)]

    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(sweeper, n) for n in range(4)]
        futures += [pool.submit(after_commit_task, n) for n in range(4)]
        outcomes = [outcome for future in futures for outcome in future.result(timeout=60)]
    assert outcomes.count("sent") == ROWS
    assert set(outcomes) <= {"sent", "skipped"}
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted(f"guest{i}@example.com" for i in range(ROWS))
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}


def test_a_sweep_skips_rows_another_sweep_holds(rows):
    locked, release = threading.Event(), threading.Event()
    first_ten = [row.pk for row in sorted(rows, key=lambda r: r.next_attempt_at)][:10]

    @in_thread
    def hold_rows():
        with transaction.atomic():
            list(OutboxMessage.objects.select_for_update().filter(pk__in=first_ten))
            locked.set()
            release.wait(30)

    holder = threading.Thread(target=hold_rows)
    holder.start()
    try:
        assert locked.wait(30)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")  # waiting would fail the test
        claimed = {claim.message_id for claim in outbox.claim_due()}
    finally:
        release.set()
        holder.join(30)
    assert claimed == {row.pk for row in rows} - set(first_ten)
