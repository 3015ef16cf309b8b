"""Every task the site sends lands on a queue that a worker started without -Q reads
(`make run`, bin/run_site.py), and each kind of work on its own: emails, webhooks and
connected calendars. Each task is sent the way the site sends it (the booking's
on-commit hand-over, the beat schedule) through Kombu's in-memory transport, and read
back from the queue it landed on."""

from __future__ import annotations

import uuid

import pytest
from celery import beat
from django.conf import settings
from kombu.transport import memory

from bookings.notifications import outbox
from pages.sync import queue as calendar_queue
from scheduler_site.celery import app

CALENDAR_TASKS = {
    calendar_queue.SYNC_GRANT_TASK,
    calendar_queue.SWEEP_TASK,
    calendar_queue.DELIVER_TASK,
    calendar_queue.SWEEP_WRITES_TASK,
}


@pytest.fixture
def memory_broker():
    """The app publishes to the in-memory transport while the test runs; ``landed()``
    takes every message published since, as (task name, queue) pairs."""
    saved = app.conf.broker_url, app.conf.broker_transport_options
    app.conf.broker_url = "memory://"
    app.conf.broker_transport_options = {}
    app._pool = None
    app.amqp._producer_pool = None
    memory.Channel.queues.clear()

    def landed() -> list[tuple[str, str]]:
        found = []
        for name, held in list(memory.Channel.queues.items()):
            while not held.empty():
                message = held.get_nowait()
                found.append((message["headers"]["task"], name))
        return found

    yield landed
    memory.Channel.queues.clear()
    app.conf.broker_url, app.conf.broker_transport_options = saved
    app._pool = None
    app.amqp._producer_pool = None


def send_everything() -> None:
    """Each task once, sent as the site sends it."""
    outbox.enqueue_many([(uuid.uuid4(), None, "email"), (uuid.uuid4(), None, "webhook")])
    assert calendar_queue.sync_soon(uuid.uuid4())
    assert calendar_queue.deliver_soon([1]) == 1
    scheduler = beat.Scheduler(app, lazy=True)
    scheduler.setup_schedule()
    for entry in scheduler.schedule.values():
        scheduler.apply_async(entry, advance=False)


def read_without_q() -> set[str]:
    """The queues a worker started without -Q consumes: every one the settings name
    (its app.amqp.queues starts as these; this process's own grows as it sends to a
    queue not among them, so it cannot be asked)."""
    return {queue.name for queue in app.conf.task_queues}


def test_every_task_the_site_has_is_sent_somewhere_here(memory_broker):
    """A new task must be added to send_everything, and so to the checks below."""
    app.loader.import_default_modules()
    sent = {task for task, _queue in (send_everything(), memory_broker())[1]}
    ours = {name for name in app.tasks if not name.startswith("celery.")}
    assert ours, "no task registered"
    assert ours <= sent, f"never sent here: {sorted(ours - sent)}"


def test_a_worker_without_q_reads_every_queue_a_task_lands_on(memory_broker):
    send_everything()
    landed = memory_broker()
    unread = sorted({(task, queue) for task, queue in landed if queue not in read_without_q()})
    assert not unread, f"sent where a worker without -Q does not read: {unread}"


def test_calendar_work_has_a_queue_of_its_own(memory_broker):
    send_everything()
    landed = memory_broker()
    by_task: dict[str, set[str]] = {}
    for task, queue in landed:
        by_task.setdefault(task, set()).add(queue)
    assert {task: by_task.get(task) for task in CALENDAR_TASKS} == {
        task: {settings.SCHEDULER_CALENDARS_QUEUE} for task in CALENDAR_TASKS
    }
    assert by_task[outbox.SEND_TASK] == {
        settings.SCHEDULER_EMAIL_QUEUE,
        settings.SCHEDULER_WEBHOOK_QUEUE,
    }
    others = {
        settings.SCHEDULER_NOTIFICATIONS_QUEUE,
        settings.SCHEDULER_EMAIL_QUEUE,
        settings.SCHEDULER_WEBHOOK_QUEUE,
    }
    assert settings.SCHEDULER_CALENDARS_QUEUE not in others
    assert settings.SCHEDULER_CALENDARS_QUEUE in read_without_q()


def test_the_calendar_queue_is_read_when_sending_so_a_changed_setting_is_followed(
    memory_broker, settings
):
    settings.SCHEDULER_CALENDARS_QUEUE = "calendars-elsewhere"
    calendar_queue.sync_soon(uuid.uuid4())
    calendar_queue.deliver_soon([7])
    assert sorted(memory_broker()) == [
        (calendar_queue.DELIVER_TASK, "calendars-elsewhere"),
        (calendar_queue.SYNC_GRANT_TASK, "calendars-elsewhere"),
    ]
