"""Emails and webhooks travel on queues of their own, so a slow mail server holds back
emails only: a worker on the webhook queue delivers each booking's webhook in about a
second while a mail server taking 5 s per message works through the emails. The control
run puts one worker on both queues (what `make run` starts, and what the site had before
the split): there the webhooks wait behind the emails."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from aiosmtpd.controller import Controller
from django.db import transaction
from django.utils import timezone

from bookings import notifications
from bookings.models import OutboxMessage
from tests.bookings.test_outbox_worker import (  # noqa: F401 (fixtures)
    Mailbox,
    free_port,
    queue,  # noqa: F811
    workers,
)
from tests.bookings.test_webhooks_delivery import Receiver, endpoint_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

BOOKINGS = 3  # one a second, as in the load run that found the problem
SLOW_SMTP_SECONDS = 5


@pytest.fixture
def slow_smtp():
    mailbox = Mailbox(delay=SLOW_SMTP_SECONDS)
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield mailbox, f"smtp://127.0.0.1:{controller.port}"
    finally:
        controller.stop()


class Arrivals(list):
    """A receiver's list of requests that also notes when each arrived."""

    def __init__(self):
        super().__init__()
        self.times: list[float] = []

    def append(self, request) -> None:
        self.times.append(time.monotonic())
        super().append(request)


@pytest.fixture
def receiver():
    made = Receiver()
    made.requests = Arrivals()
    endpoint_for(made, triggers=["booking.created"])
    yield made
    made.stop()


@pytest.fixture
def split(queue, settings):  # noqa: F811
    """The test's email and webhook queues, in this process and for the workers."""
    settings.SCHEDULER_EMAIL_QUEUE = f"{queue}.email"
    settings.SCHEDULER_WEBHOOK_QUEUE = f"{queue}.webhook"
    return {
        "SCHEDULER_EMAIL_QUEUE": settings.SCHEDULER_EMAIL_QUEUE,
        "SCHEDULER_WEBHOOK_QUEUE": settings.SCHEDULER_WEBHOOK_QUEUE,
    }


def book_one_a_second(make_configuration, booking_for) -> list[float]:
    """BOOKINGS bookings, a second apart; when each committed (time.monotonic())."""
    page = make_configuration(title="Intro call", timezone="America/Chicago")
    committed = []
    for n in range(BOOKINGS):
        start = timezone.now().replace(microsecond=0) + dt.timedelta(days=3, hours=n)
        made = booking_for(page, page.hosts, start, start + dt.timedelta(minutes=30))
        with transaction.atomic():
            notifications.booking_created(made)
        committed.append(time.monotonic())
        time.sleep(1)
    return committed


def webhook_delays(receiver: Receiver, committed: list[float], most: float) -> list[float]:
    """Seconds from each booking's commit to its webhook's arrival (in order: the
    receiver answers at once and the bookings are a second apart)."""
    deadline = committed[0] + most
    while len(receiver.requests) < len(committed) and time.monotonic() < deadline:
        time.sleep(0.05)
    arrivals = receiver.requests.times
    assert len(arrivals) == len(committed), f"{len(arrivals)} of {len(committed)} webhooks"
    return [arrived - made for arrived, made in zip(arrivals, committed, strict=True)]


def test_webhooks_arrive_promptly_while_the_mail_server_crawls(
    slow_smtp,
    receiver,
    split,
    queue,  # noqa: F811
    workers,  # noqa: F811
    make_configuration,
    booking_for,
):
    mailbox, email_url = slow_smtp
    workers(email_url, queues=[queue, split["SCHEDULER_EMAIL_QUEUE"]], environ_extra=split)
    workers(email_url, queues=[split["SCHEDULER_WEBHOOK_QUEUE"]], beat=False, environ_extra=split)
    time.sleep(3)  # both workers are listening
    committed = book_one_a_second(make_configuration, booking_for)
    delays = webhook_delays(receiver, committed, most=30)
    print(f"\nwebhook delays with a queue each: {', '.join(f'{d:.2f}' for d in delays)} s")
    assert max(delays) < 3
    # Meanwhile the mail server has taken at most one message every 5 s.
    assert len(mailbox.received) < 3 * BOOKINGS
    assert OutboxMessage.objects.filter(kind="email").exclude(status="sent").exists()


def test_control_one_worker_on_both_queues_delivers_everything_but_webhooks_wait(
    slow_smtp,
    receiver,
    split,
    workers,  # noqa: F811
    make_configuration,
    booking_for,
):
    mailbox, email_url = slow_smtp
    workers(email_url, queues=None, environ_extra=split)  # no -Q: every queue, as `make run`
    time.sleep(3)
    committed = book_one_a_second(make_configuration, booking_for)
    delays = webhook_delays(receiver, committed, most=60)
    print(f"\nwebhook delays sharing one worker: {', '.join(f'{d:.2f}' for d in delays)} s")
    assert max(delays) > SLOW_SMTP_SECONDS  # the later webhooks waited behind emails
