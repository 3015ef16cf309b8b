"""A claimed row is not stranded for long when its worker or its database fails, and a
slow send is not mistaken for a dead one: the lease is short and renewed while sending
(bookings/notifications/outbox.py, sending.lease_kept)."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import time_machine
from django.db import OperationalError, transaction

from bookings import notifications
from bookings.models import OutboxMessage
from bookings.notifications import outbox, sending
from tests.bookings.test_outbox_worker import (  # noqa: F401 (fixtures)
    Mailbox,
    booking,
    expected_ids,
    queue,
    wait_for,
    workers,
)

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


def test_the_lease_is_half_a_minute_by_default(settings):
    assert settings.SCHEDULER_OUTBOX_LEASE_SECONDS == 30
    assert settings.SCHEDULER_OUTBOX_SWEEP_SECONDS == 10


@pytest.mark.django_db
def test_a_row_whose_marking_failed_is_sent_again_after_the_lease_not_minutes(
    make_configuration, booking_for, monkeypatch, mailoutbox
):
    """The database went away between the mail server's 250 and our "sent" UPDATE: the
    row stays ``sending`` for one lease (30 s), then the sweep sends it again with the
    same Message-ID (at least once, the README's duplicate window)."""
    monkeypatch.setattr(outbox, "enqueue_many", lambda items, countdown=None: len(items))
    with time_machine.travel(NOW, tick=False) as clock:
        page = make_configuration(title="Intro call")
        start = NOW + dt.timedelta(days=2)
        made = booking_for(page, page.hosts, start, start + dt.timedelta(minutes=30))
        with transaction.atomic():
            notifications.booking_created(made)
        OutboxMessage.objects.exclude(purpose="guest_confirmation").delete()
        row = OutboxMessage.objects.get()

        def database_gone(claim):
            raise OperationalError("server closed the connection unexpectedly")

        with monkeypatch.context() as patched:
            patched.setattr(outbox, "mark_sent", database_gone)
            with pytest.raises(OperationalError):
                sending.deliver(row.pk)
        row.refresh_from_db()
        assert row.status == "sending" and len(mailoutbox) == 1

        clock.shift(dt.timedelta(seconds=29))
        assert outbox.claim_due() == []  # a live worker could still be marking it
        clock.shift(dt.timedelta(seconds=2))
        [claim] = outbox.claim_due()
        assert sending.deliver(claim.message_id, claim.token) == "sent"
    assert [m.extra_headers["Message-ID"] for m in mailoutbox] == [f"<{row.pk}@127.0.0.1>"] * 2


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_send_slower_than_the_lease_is_renewed_and_sent_once(workers, booking):  # noqa: F811
    """A mail server taking 5 s per message, a 3 s lease, a sweep every second and four
    sending threads: without renewal the sweep would take each row over at 3 s and send
    it a second time."""
    from aiosmtpd.controller import Controller

    from tests.bookings.test_outbox_worker import free_port

    mailbox = Mailbox(delay=5)
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        worker = workers(
            f"smtp://127.0.0.1:{controller.port}",
            lease=3,
            pool=("--pool=threads", "--concurrency=4"),
        )
        time.sleep(2)  # the worker is up: the sends start together
        with transaction.atomic():
            notifications.booking_created(booking)
        wait_for(
            lambda: not OutboxMessage.objects.exclude(status="sent").exists(),
            "every row to be sent",
            [worker],
        )
        time.sleep(4)  # sweeps keep running: nothing more may arrive
    finally:
        controller.stop()
    ids = mailbox.message_ids()
    assert sorted(ids) == sorted(expected_ids())
    assert len(ids) == len(set(ids)) == 3
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}
    assert "lease lost" not in worker.log.read_text()
