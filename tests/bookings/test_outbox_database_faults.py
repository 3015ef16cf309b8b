"""The database stops while a worker is sending: the mail server accepts the message,
the worker cannot mark it sent, and the row waits only for what is left of its short
lease once the database is back, never for minutes. A PostgreSQL of the test's own
(tests/postgres_server.py), a real worker on Redis, an SMTP server on loopback.

The measured delay is printed (run with -s)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

import pytest
from aiosmtpd.controller import Controller

from tests.bookings.test_outbox_worker import (
    CELERY,
    ROOT,
    TEST_REDIS_URL,
    WAIT,
    Mailbox,
    Worker,
    free_port,
)
from tests.postgres_server import PostgresServer, postgres_bin

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

LEASE = 6  # seconds; the default is 30, and the delay scales with it
BOOK = """
import datetime as dt
from django.db import transaction
from django.utils import timezone
from bookings import notifications
from pages.models import Configuration
from tests.bookings.conftest import make_booking
page = Configuration.objects.get(slug="demo")
start = timezone.now().replace(microsecond=0) + dt.timedelta(days=3)
booking = make_booking(page, [page.grant], start, start + dt.timedelta(minutes=30))
with transaction.atomic():
    notifications.booking_created(booking)
"""
ROWS = (
    "from bookings.models import OutboxMessage as M;"
    "print(M.objects.count(), M.objects.exclude(status='sent').count())"
)


@pytest.fixture
def parts(tmp_path):
    if postgres_bin() is None:
        pytest.skip("no PostgreSQL server binaries under /usr/lib/postgresql")
    import redis

    server = PostgresServer()
    mailbox = Mailbox()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    queue = f"notify-test-{uuid.uuid4().hex[:12]}"
    environ = {
        **os.environ,
        "DATABASE_URL": server.url,
        "CELERY_BROKER_URL": TEST_REDIS_URL,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
        "SECRET_KEY": "x" * 50,
        "SCHEDULER_VAR_DIR": str(tmp_path / "var"),
        "SCHEDULER_NOTIFICATIONS_QUEUE": queue,
        "SCHEDULER_OUTBOX_SWEEP_SECONDS": "1",
        "SCHEDULER_OUTBOX_LEASE_SECONDS": str(LEASE),
    }
    environ.pop("REDIS_URL", None)
    worker = None
    try:
        server.create()
        smtp.start()
        manage(environ, "migrate", "--noinput", "-v", "0")
        manage(environ, "seed_demo")
        log = tmp_path / "worker.log"
        with log.open("w") as out:
            process = subprocess.Popen(
                [str(CELERY), "-A", "scheduler_site", "worker", "--beat", "--pool=solo",
                 f"--queues={queue}", "--without-mingle", "--without-gossip",
                 "--loglevel=INFO"],
                cwd=ROOT, env=environ, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        worker = Worker(process, log)
        yield server, mailbox, environ, worker
    finally:
        mailbox.resume.set()
        if worker is not None:
            worker.stop()
        smtp.stop()
        server.destroy()
        redis.Redis.from_url(TEST_REDIS_URL).delete(queue)


def manage(environ: dict, *args: str) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env=environ, check=True, capture_output=True, text=True, timeout=120,
    ).stdout  # fmt: skip


def test_a_message_whose_marking_failed_with_the_database_is_sent_again_within_the_lease(parts):
    server, mailbox, environ, worker = parts
    mailbox.pause_next = True
    manage(environ, "shell", "-c", BOOK)
    assert mailbox.holding.wait(WAIT), worker.log.read_text()[-4000:]
    server.stop()  # while the mail server sits on the message
    mailbox.resume.set()  # ...which it now accepts; the worker cannot say so
    time.sleep(3)
    server.start()
    back = time.monotonic()
    deadline = back + WAIT
    while time.monotonic() < deadline:
        if mailbox.message_ids().count(mailbox.held_message_id) >= 2:
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"not sent again:\n{worker.log.read_text()[-6000:]}")
    resent_after = time.monotonic() - back
    while time.monotonic() < deadline:
        total, unsent = map(int, manage(environ, "shell", "-c", ROWS).split()[-2:])
        if unsent == 0:
            break
        time.sleep(0.5)
    everything_after = time.monotonic() - back
    print(
        f"\nlease {LEASE} s: the message the database failed to mark sent again "
        f"{resent_after:.1f} s after the database was back; all {total} sent after "
        f"{everything_after:.1f} s"
    )
    assert unsent == 0
    assert resent_after < LEASE + 2
    ids = mailbox.message_ids()
    # Each message once, except the one in the duplicate window (same Message-ID).
    assert len(set(ids)) == total and len(ids) == total + 1
