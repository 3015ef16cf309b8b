"""Connected calendars end to end with real parts: a Celery worker process (beat
embedded) reading only the calendars' queue on the real Redis broker, PostgreSQL shared
with this test process, and Radicale.

A guest books on a page whose organizer's booking calendar is a CalDAV calendar: the
booking's commit hands the write to the calendars' queue and the worker puts the event
in Radicale. The organizer then moves it in Radicale; a sync pass asked of the workers
(as after a connection) is run by the same worker, and the booking moves.

The emails those bookings owe wait on their own queue, which this worker does not read:
calendar work and notifications do not share workers unless told to (README, "Running
at scale")."""

from __future__ import annotations

import datetime as dt
import re
import time

import icalendar
import pytest

from bookings.models import Booking, OutboxMessage
from pages.models import OutgoingEvent
from pages.sync import queue as calendar_queue
from tests.bookings.test_outbox_worker import queue, workers  # noqa: F401 (fixtures)
from tests.pages.sync.hosting import KOLKATA, page_for, slot
from tests.pages.sync.test_write_back import (  # noqa: F401 (host is a fixture)
    book,
    edit_on_server,
    host,
    objects_on_server,
    uid_of,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.caldav,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

STEP_SECONDS = 20  # the longest one step may take before the test fails


@pytest.fixture
def calendars_queue(queue, settings):  # noqa: F811
    """The calendars' queue of this test (removed with the test's other queues), in this
    process: the booking's commit and ``sync_soon`` send there."""
    settings.SCHEDULER_CALENDARS_QUEUE = f"{queue}.calendars"
    return settings.SCHEDULER_CALENDARS_QUEUE


def wait_for(what: str, check, worker):
    deadline = time.monotonic() + STEP_SECONDS
    while time.monotonic() < deadline:
        if found := check():
            return found
        if worker.process.poll() is not None:
            break
        time.sleep(0.2)
    pytest.fail(f"{what}: not within {STEP_SECONDS} s; the worker's log:\n{worker.log.read_text()}")


def test_a_worker_on_the_calendars_queue_writes_the_booking_and_follows_a_move_in_the_calendar(
    calendars_queue,
    workers,  # noqa: F811
    host,  # noqa: F811
    api,
    settings,
    tmp_path,
):
    began = time.monotonic()
    worker = workers(
        f"file://{tmp_path / 'mail'}",
        queues=[calendars_queue],
        environ_extra={
            "SCHEDULER_CALENDARS_QUEUE": calendars_queue,
            # The worker opens the grant's sealed CalDAV password.
            "SCHEDULER_ENCRYPTION_KEY": ",".join(settings.SCHEDULER_ENCRYPTION_KEYS),
        },
    )
    configuration = page_for(host)
    start = slot(3, 10, 30)  # 10:30 in Kolkata (UTC+05:30)
    data = book(api, configuration, start)
    uid = uid_of(data["booking_id"])

    # The worker writes the event: one object, the booking's UID, confirmed, in the
    # host's zone.
    on_server = wait_for(
        "the event in Radicale",
        lambda: (
            OutgoingEvent.objects.filter(uid=uid, pending=False).exists()
            and objects_on_server(host)
        ),
        worker,
    )
    written = time.monotonic()
    assert list(on_server) == [uid]
    vevent = on_server[uid]
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert vevent.decoded("DTSTART") == start
    assert vevent["DTSTART"].params["TZID"] == KOLKATA

    # The organizer moves it in Radicale to 16:45 the next day; a pass is asked for.
    new_start = slot(4, 16, 45)

    def move(vevent):
        vevent["DTSTART"] = icalendar.vDDDTypes(new_start)
        vevent["DTEND"] = icalendar.vDDDTypes(new_start + dt.timedelta(minutes=30))

    edit_on_server(host, uid, move)
    assert calendar_queue.sync_soon(host.pk)
    booking = wait_for(
        "the booking moved",
        lambda: Booking.objects.filter(pk=data["booking_id"], start=new_start).first(),
        worker,
    )
    moved = time.monotonic()
    assert booking.end == new_start + dt.timedelta(minutes=30)
    rescheduled = OutboxMessage.objects.filter(
        kind="email", purpose="rescheduled", audience="guest", booking_id=booking.pk
    )
    assert rescheduled.count() == 1  # the guest is told once
    # Nothing to write back: the calendar already shows the move.
    assert not OutgoingEvent.objects.get(uid=uid).pending
    assert objects_on_server(host)[uid].decoded("DTSTART") == new_start

    def ran(task: str, answer: str = "") -> bool:
        pattern = rf"Task {re.escape(task)}\[[^\]]+\] succeeded in \S+ {re.escape(answer)}"
        return re.search(pattern, worker.log.read_text()) is not None

    assert ran(calendar_queue.DELIVER_TASK, "'written'")
    assert ran(calendar_queue.SYNC_GRANT_TASK)
    # Beat's calendar sweep (every second here) is on the same queue: this worker runs it.
    wait_for("beat's write sweep", lambda: ran(calendar_queue.SWEEP_WRITES_TASK), worker)
    # Emails are not this worker's work: they wait on their own queue.
    assert "Task bookings." not in worker.log.read_text()
    assert not OutboxMessage.objects.filter(kind="email", status="sent").exists()
    print(
        f"\nwritten {written - began:.1f} s after the worker was started, "
        f"moved {moved - written:.1f} s after the edit"
    )
