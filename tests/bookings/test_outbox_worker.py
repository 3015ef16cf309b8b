"""The outbox end to end with real parts: a Celery worker process (beat embedded) on the
real Redis broker, PostgreSQL shared with this test process, and an SMTP server on
loopback (aiosmtpd) that the worker reaches through EMAIL_URL.

- a booking's emails are delivered by the worker;
- a booking made while the broker is unreachable succeeds, and its emails go out once a
  worker runs on a broker that is up;
- a worker killed in the middle of sending leaves no email unsent and none sent twice.

Each test gets its own Celery queue, so other runs on the same Redis do not interfere.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.utils import timezone

from bookings import notifications
from bookings.models import OutboxMessage

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

TEST_REDIS_URL = os.environ.get("SCHEDULER_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")
WAIT = 45  # seconds: the longest any step may take before the test fails


class Mailbox:
    """Keeps what it accepted. With ``hold_next``, the next message's DATA is held
    unanswered (the sender is "in the middle of sending") until the sender goes away;
    a message whose sender vanished before the 250 reply was not accepted."""

    def __init__(self, delay: float = 0):
        self.received: list[email.message.EmailMessage] = []
        self.arrivals: list[float] = []  # time.monotonic() of each accepted message
        self.delay = delay  # seconds the server takes over each message (a slow server)
        self.hold_next = False
        # With ``pause_next``, the next message's DATA waits for ``resume`` and is then
        # accepted (the server was slow to answer while something else broke).
        self.pause_next = False
        self.resume = threading.Event()
        self.holding = threading.Event()
        self.held_message_id: str | None = None
        self.dropped: list[str] = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        if self.pause_next:
            self.pause_next = False
            self.held_message_id = message["Message-ID"]
            self.holding.set()
            while not self.resume.is_set():
                await asyncio.sleep(0.05)
        elif self.hold_next:
            self.hold_next = False
            self.held_message_id = message["Message-ID"]
            self.holding.set()
            try:
                for _ in range(WAIT * 20):
                    if server.transport is None or server.transport.is_closing():
                        break
                    await asyncio.sleep(0.05)
            except asyncio.CancelledError:
                self.dropped.append(message["Message-ID"])
                raise
            self.dropped.append(message["Message-ID"])
            return "451 The sender went away"
        if self.delay:
            await asyncio.sleep(self.delay)
        self.received.append(message)
        self.arrivals.append(time.monotonic())
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        return [m["Message-ID"] for m in self.received]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp():
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield mailbox, f"smtp://127.0.0.1:{controller.port}"
    finally:
        controller.stop()


def point_celery_at(url: str) -> None:
    """The Celery app of this process publishes to ``url`` from now on."""
    from scheduler_site.celery import app

    app.conf.broker_url = url
    app.conf.broker_transport_options = {"visibility_timeout": 3600}
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def queue(settings):
    """A Celery queue of this test's own on the test Redis, removed afterwards."""
    import redis

    from scheduler_site.celery import app

    name = f"notify-test-{uuid.uuid4().hex[:12]}"
    # One queue for everything here (tests/bookings/test_outbox_queues.py and
    # tests/pages/sync/test_calendar_worker.py split them).
    settings.SCHEDULER_NOTIFICATIONS_QUEUE = name
    settings.SCHEDULER_EMAIL_QUEUE = settings.SCHEDULER_WEBHOOK_QUEUE = name
    settings.SCHEDULER_CALENDARS_QUEUE = name
    saved = app.conf.broker_url, app.conf.broker_transport_options
    point_celery_at(TEST_REDIS_URL)
    yield name
    point_celery_at(saved[0])
    app.conf.broker_transport_options = saved[1]
    client = redis.Redis.from_url(TEST_REDIS_URL)
    names = [name, f"{name}.email", f"{name}.webhook", f"{name}.calendars"]  # split ones too
    for each in names:
        client.delete(each, f"_kombu.binding.{each}", f"_kombu.binding_permanent.{each}")
    # A killed worker's reserved message stays in kombu's "unacked" hash (it would come
    # back to this queue in an hour): remove this queue's, and only this queue's.
    for tag, raw in client.hgetall("unacked").items():
        if json.loads(raw)[-1] in names:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)


def database_url() -> str:
    """The test database (test_<name>), as the worker must see it."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or "5432"
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


class Worker:
    def __init__(self, process: subprocess.Popen, log: Path):
        self.process = process
        self.log = log

    def kill(self) -> None:
        """SIGKILL to the worker and its beat child: no shutdown, no goodbye."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=WAIT)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def workers(transactional_db, tmp_path, queue):
    """start(email_url, lease=...) runs `celery worker --beat` in its own process group,
    reading the test's queue (or ``queues``; None: no -Q, every queue of the settings)."""
    started: list[Worker] = []

    def start(
        email_url: str,
        *,
        lease: int = 300,
        queues: list[str] | None = [queue],  # noqa: B006 (read only)
        beat: bool = True,
        pool: tuple[str, ...] = ("--pool=solo",),
        environ_extra: dict[str, str] | None = None,
    ) -> Worker:
        log = tmp_path / f"worker-{len(started)}.log"
        environ = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": TEST_REDIS_URL,
            "EMAIL_URL": email_url,
            "SECRET_KEY": django_settings.SECRET_KEY,
            "SITE_URL": django_settings.SITE_URL,
            "SCHEDULER_VAR_DIR": str(tmp_path / f"var-{len(started)}"),
            "SCHEDULER_NOTIFICATIONS_QUEUE": queue,
            "SCHEDULER_OUTBOX_SWEEP_SECONDS": "1",
            "SCHEDULER_OUTBOX_LEASE_SECONDS": str(lease),
            # The tests' webhook receivers listen on loopback, which the outbound policy
            # refuses unless listed (pages/outbound.py).
            "SCHEDULER_PRIVATE_DESTINATIONS": "127.0.0.1/32",
            **(environ_extra or {}),
        }
        environ.pop("REDIS_URL", None)
        with log.open("w") as out:
            process = subprocess.Popen(
                [
                    str(CELERY),
                    "-A",
                    "scheduler_site",
                    "worker",
                    *(["--beat"] if beat else []),
                    *pool,
                    *([f"--queues={','.join(queues)}"] if queues else []),
                    "--without-mingle",
                    "--without-gossip",
                    "--loglevel=INFO",
                ],
                cwd=ROOT,
                env=environ,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        worker = Worker(process, log)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def booking(make_configuration, booking_for):
    page = make_configuration(title="Intro call", timezone="America/Chicago")
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=3)
    return booking_for(
        page,
        page.hosts,
        start,
        start + dt.timedelta(minutes=30),
        organizer=page.hosts[0],
        additional_guests=[{"name": "Ada", "email": "ada@example.com"}],
    )


def wait_for(condition, what: str, workers_seen: list[Worker]) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    logs = "\n\n".join(w.log.read_text()[-6000:] for w in workers_seen)
    pytest.fail(f"timed out waiting for {what}; worker logs:\n{logs}")


def expected_ids() -> set[str]:
    return {f"<{pk}@127.0.0.1>" for pk in OutboxMessage.objects.values_list("pk", flat=True)}


def test_a_worker_on_redis_delivers_a_bookings_emails(smtp, workers, booking):
    mailbox, email_url = smtp
    worker = workers(email_url)
    with transaction.atomic():
        notifications.booking_created(booking)
    wait_for(lambda: len(mailbox.received) >= 3, "three emails", [worker])
    time.sleep(1.5)  # one more sweep: nothing else may arrive
    assert sorted(mailbox.message_ids()) == sorted(expected_ids())
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}
    subjects = sorted(m["Subject"] for m in mailbox.received)
    assert subjects == [
        "Confirmed: Intro call",
        "Confirmed: Intro call",
        "New booking: Intro call with Guest",
    ]


def test_a_booking_made_while_the_broker_is_down_is_emailed_once_it_is_back(smtp, workers, booking):
    mailbox, email_url = smtp
    point_celery_at("redis://127.0.0.1:1/0")  # nothing listens there
    started = time.monotonic()
    with transaction.atomic():
        notifications.booking_created(booking)
    assert time.monotonic() - started < 3  # the enqueue failed fast, and quietly
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"pending"}
    point_celery_at(TEST_REDIS_URL)

    worker = workers(email_url)  # the broker is back, and so is a worker: its sweep finds them
    wait_for(lambda: len(mailbox.received) >= 3, "three emails", [worker])
    time.sleep(1.5)
    assert sorted(mailbox.message_ids()) == sorted(expected_ids())
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}


def test_a_worker_killed_while_sending_leaves_nothing_unsent_and_nothing_twice(
    smtp, workers, booking
):
    mailbox, email_url = smtp
    mailbox.hold_next = True
    first = workers(email_url, lease=3)
    with transaction.atomic():
        notifications.booking_created(booking)
    assert mailbox.holding.wait(WAIT), first.log.read_text()
    first.kill()  # in the middle of SMTP DATA, before the server's answer
    wait_for(lambda: mailbox.dropped, "the server to see the sender vanish", [first])
    held = OutboxMessage.objects.get(pk=mailbox.held_message_id.strip("<>").split("@")[0])
    assert held.status == "sending"

    second = workers(email_url, lease=3)  # takes the held row over once its lease ends
    wait_for(
        lambda: not OutboxMessage.objects.exclude(status="sent").exists(),
        "every row to be sent",
        [first, second],
    )
    time.sleep(1.5)
    ids = mailbox.message_ids()
    assert sorted(ids) == sorted(expected_ids())  # each row once: none missing, none twice
    assert len(ids) == len(set(ids)) == 3
    held.refresh_from_db()
    assert held.attempts == 2
