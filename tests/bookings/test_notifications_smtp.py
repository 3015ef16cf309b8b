"""Emails over real SMTP: an aiosmtpd server on loopback receives what the outbox sends
through Django's SMTP backend, configured from EMAIL_URL as in production."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import socket
from zoneinfo import ZoneInfo

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.db import transaction

from bookings import notifications
from bookings.models import OutboxMessage
from bookings.notifications import outbox, sending
from scheduler_site import environment

CHICAGO = ZoneInfo("America/Chicago")
NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
START = dt.datetime(2026, 3, 3, 10, 0, tzinfo=CHICAGO)


class Mailbox:
    """An SMTP server's handler: keeps what it accepted; refuses whom it is told to."""

    def __init__(self):
        self.received: list[tuple[list[str], email.message.EmailMessage]] = []
        self.refuse: dict[str, str] = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [message for rcpts, message in self.received if address in rcpts]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings, tmp_path):
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    url = f"smtp://127.0.0.1:{port}"
    for name, value in environment.email({"EMAIL_URL": url}, "EMAIL_URL", tmp_path).items():
        setattr(settings, name, value)
    try:
        yield mailbox
    finally:
        controller.stop()


@pytest.fixture
def booking(make_configuration, booking_for):
    page = make_configuration(title="Intro call", timezone="America/Chicago")
    with time_machine.travel(NOW, tick=False):
        yield booking_for(
            page,
            page.hosts,
            START,
            START + dt.timedelta(minutes=30),
            organizer=page.hosts[0],
            additional_guests=[{"name": "Ada", "email": "ada@example.com"}],
        )


def deliver_due() -> list[str]:
    return [sending.deliver(c.message_id, c.token) for c in outbox.claim_due()]


def test_a_bookings_emails_arrive_over_smtp(smtp, booking):
    with transaction.atomic():
        notifications.booking_created(booking)
    assert deliver_due() == ["sent"] * 3
    assert sorted(rcpt for rcpts, _message in smtp.received for rcpt in rcpts) == [
        "ada@example.com",
        "guest@example.com",
        "host@example.com",
    ]
    [confirmation] = smtp.to("guest@example.com")
    kinds = [part.get_content_type() for part in confirmation.walk()]
    assert {"text/plain", "text/html", "text/calendar"} <= set(kinds)
    assert confirmation["Subject"] == "Confirmed: Intro call"
    assert confirmation["Auto-Submitted"] == "auto-generated"
    row = OutboxMessage.objects.get(recipient="guest@example.com")
    assert confirmation["Message-ID"] == f"<{row.pk}@127.0.0.1>"
    assert row.status == "sent" and row.sent_at is not None


def test_a_guest_name_cannot_add_a_recipient_or_a_header(smtp, booking):
    booking.guest_name = "Eve\r\nBcc: evil@example.com\r\nX-Injected: yes"
    booking.save()
    with transaction.atomic():
        notifications.booking_created(booking)
    deliver_due()
    everyone = {rcpt for rcpts, _message in smtp.received for rcpt in rcpts}
    assert "evil@example.com" not in everyone
    for _rcpts, message in smtp.received:
        assert message["Bcc"] is None and message["X-Injected"] is None
    [confirmation] = smtp.to("guest@example.com")
    assert confirmation["To"].addresses[0].addr_spec == "guest@example.com"
    assert confirmation["To"].addresses[0].display_name.startswith("Eve Bcc: evil@example.com")


def test_a_recipient_the_server_refuses_for_good_fails_without_retrying(smtp, booking):
    smtp.refuse["ada@example.com"] = "550 No such user"
    with transaction.atomic():
        notifications.booking_created(booking)
    outcomes = deliver_due()
    assert sorted(outcomes) == ["failed", "sent", "sent"]
    refused = OutboxMessage.objects.get(recipient="ada@example.com")
    assert refused.status == "failed" and "550" in refused.last_error


def test_a_temporary_refusal_is_retried_and_then_delivered(smtp, booking, monkeypatch):
    monkeypatch.setattr(outbox, "enqueue_many", lambda items, countdown=None: len(items))
    smtp.refuse["guest@example.com"] = "451 Try again later"
    with time_machine.travel(NOW, tick=False) as clock:
        with transaction.atomic():
            notifications.booking_created(booking)
        deliver_due()
        row = OutboxMessage.objects.get(recipient="guest@example.com")
        assert (row.status, row.attempts) == ("pending", 1)
        assert "451" in row.last_error
        del smtp.refuse["guest@example.com"]
        clock.shift(outbox.RETRY_DELAYS["email"][0] * (1 + outbox.RETRY_JITTER))
        assert deliver_due() == ["sent"]
    assert len(smtp.to("guest@example.com")) == 1


ODD_BUT_LEGAL = "o'hara+meet/ing=1@mail.example.com"


def test_an_odd_but_legal_guest_address_is_one_recipient_over_smtp(smtp, booking):
    from bookings.guest_input import clean_email

    booking.guest_email = clean_email(ODD_BUT_LEGAL, "guest.email")
    booking.guest_name = 'O"Hara, Jr. <boss@example.com>'
    booking.save()
    with transaction.atomic():
        notifications.booking_created(booking)
    assert deliver_due() == ["sent"] * 3
    [(rcpts, confirmation)] = [(r, m) for r, m in smtp.received if ODD_BUT_LEGAL in r]
    assert rcpts == [ODD_BUT_LEGAL]
    assert [a.addr_spec for a in confirmation["To"].addresses] == [ODD_BUT_LEGAL]
    [notice] = smtp.to("host@example.com")
    assert [a.addr_spec for a in notice["Reply-To"].addresses] == [ODD_BUT_LEGAL]
    everyone = {rcpt for rcpts, _message in smtp.received for rcpt in rcpts}
    assert everyone == {ODD_BUT_LEGAL, "ada@example.com", "host@example.com"}


def test_a_stored_address_that_is_two_never_reaches_two_inboxes(smtp, booking):
    """A row written before the check (or straight into the database)."""
    booking.guest_email = "victim@example.com>,<attacker@example.com"
    booking.save()
    with transaction.atomic():
        notifications.booking_created(booking)
    deliver_due()
    everyone = {rcpt for rcpts, _message in smtp.received for rcpt in rcpts}
    assert everyone == {"ada@example.com", "host@example.com"}
    [notice] = smtp.to("host@example.com")
    assert notice["Reply-To"] is None


def test_a_short_refusal_delays_mail_by_seconds_not_minutes(smtp, booking, monkeypatch):
    """The mail server refuses (451) for 25 s. Retries come about 5 s and 30 s apart (give
    or take a fifth): the email is out within 45 s of its booking (it waited over five
    minutes when the second retry came 5 minutes after the first)."""
    monkeypatch.setattr(outbox, "enqueue_many", lambda items, countdown=None: len(items))
    smtp.refuse["guest@example.com"] = "451 Try again later"
    with time_machine.travel(NOW, tick=False) as clock:
        with transaction.atomic():
            notifications.booking_created(booking)
        row = OutboxMessage.objects.get(recipient="guest@example.com")
        while not smtp.to("guest@example.com"):
            waited = dt.datetime.now(dt.UTC) - NOW
            assert waited < dt.timedelta(minutes=1), "still not sent"
            if waited >= dt.timedelta(seconds=25):
                smtp.refuse.clear()  # the server is back
            deliver_due()
            row.refresh_from_db()
            if row.status == "pending":
                clock.move_to(row.next_attempt_at)
        row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 3)
    assert row.sent_at - NOW < dt.timedelta(seconds=45)
