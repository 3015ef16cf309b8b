"""bookings.notifications: which emails a booking change owes, and what they say.

Rows are written by the contract functions (inside the booking's transaction, as the
services call them) and rendered and sent by the outbox (here inline, into Django's
locmem mailbox)."""

from __future__ import annotations

import datetime as dt
import email
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine
from django.db import transaction

from bookings import links, notifications
from bookings.models import OutboxMessage
from bookings.notifications import outbox, sending
from pages.models import AdditionalField

# Webhook receivers here listen on 127.0.0.1 (or nothing listens there).
pytestmark = pytest.mark.usefixtures("loopback_destinations")

CHICAGO = ZoneInfo("America/Chicago")
NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
# Tuesday 3 March 2026, 10:00-10:30 in Chicago (16:00 UTC; 17:00 in Berlin).
START = dt.datetime(2026, 3, 3, 10, 0, tzinfo=CHICAGO)
END = START + dt.timedelta(minutes=30)


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def page(make_configuration):
    return make_configuration(
        title="Intro call",
        location="Room 1",
        description="Bring questions.",
        timezone="America/Chicago",
    )


@pytest.fixture
def booked(page, booking_for):
    return booking_for(
        page,
        page.hosts,
        START,
        END,
        organizer=page.hosts[0],
        guest_timezone="Europe/Berlin",
        additional_guests=[{"name": "Ada Extra", "email": "ada@example.com"}],
    )


def deliver_due() -> list[str]:
    return [sending.deliver(c.message_id, c.token) for c in outbox.claim_due()]


def mails_to(mailoutbox, address: str):
    return [m for m in mailoutbox if any(address in to for to in m.to)]


def parsed(mail) -> email.message.Message:
    return email.message_from_bytes(mail.message().as_bytes())


def invite_of(mail) -> tuple[str, icalendar.Event]:
    """(the Content-Type of the .ics part, its VEVENT)."""
    for part in parsed(mail).walk():
        if part.get_content_type() == "text/calendar":
            calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
            return part["Content-Type"], calendar.walk("VEVENT")[0]
    raise AssertionError("no text/calendar part")


def html_of(mail) -> str:
    return next(body for body, kind in mail.alternatives if kind == "text/html")


def test_a_booking_owes_the_guests_a_confirmation_and_the_host_a_notice(booked, mailoutbox):
    with transaction.atomic():
        notifications.booking_created(booked)
    purposes = sorted(
        OutboxMessage.objects.filter(kind="email").values_list("purpose", "recipient")
    )
    assert purposes == [
        ("guest_confirmation", "ada@example.com"),
        ("guest_confirmation", "guest@example.com"),
        ("organizer_notice", "host@example.com"),
    ]
    assert deliver_due() == ["sent"] * 3
    assert len(mailoutbox) == 3
    assert OutboxMessage.objects.filter(status="sent").count() == 3


def test_the_guest_confirmation_carries_an_invite_and_the_manage_link(booked, mailoutbox):
    with transaction.atomic():
        notifications.booking_created(booked)
    deliver_due()
    [mail] = mails_to(mailoutbox, "guest@example.com")
    assert mail.subject == "Confirmed: Intro call"
    # In the guest's zone (Berlin), not the host's.
    assert "Tuesday, March 3, 2026, 5:00 PM – 5:30 PM" in mail.body
    assert "Europe/Berlin" in mail.body
    manage = links.guest_manage_url(booked)
    assert manage in mail.body and manage in html_of(mail)
    content_type, event = invite_of(mail)
    assert "method=REQUEST" in content_type.replace('"', "")
    assert str(event["UID"]) == f"{booked.id}@127.0.0.1"
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTART") == START
    assert str(event["SUMMARY"]) == "Intro call"
    assert str(event["ORGANIZER"]) == "mailto:host@example.com"
    attendees = {str(a) for a in event.get("ATTENDEE")}
    assert {"mailto:guest@example.com", "mailto:ada@example.com"} <= attendees


def test_the_host_notice_is_in_the_hosts_zone_and_lists_the_answers(page, booked, mailoutbox):
    AdditionalField.objects.create(configuration=page, key="topic", label="Topic")
    booked.additional_fields = {"topic": "Pricing"}
    booked.save()
    with transaction.atomic():
        notifications.booking_created(booked)
    deliver_due()
    [mail] = mails_to(mailoutbox, "host@example.com")
    assert mail.subject == "New booking: Intro call with Guest"
    assert "10:00 AM – 10:30 AM" in mail.body and "America/Chicago" in mail.body
    assert "Topic\nPricing" in mail.body, "each answer under its question"
    assert "ada@example.com" in mail.body
    # The host's calendar gets the same event as the guests'.
    content_type, event = invite_of(mail)
    assert "method=REQUEST" in content_type.replace('"', "")
    assert str(event["UID"]) == f"{booked.id}@127.0.0.1"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert mail.reply_to == ["Guest <guest@example.com>"]


def test_emails_speak_the_bookings_language(booked, mailoutbox):
    booked.language = "de"
    booked.save()
    with transaction.atomic():
        notifications.booking_created(booked)
    deliver_due()
    [mail] = mails_to(mailoutbox, "guest@example.com")
    assert mail.subject == "Bestätigt: Intro call"
    assert "Dienstag, 3. März 2026, 17:00 – 17:30" in mail.body
    assert "Ihre Buchung ist bestätigt" in html_of(mail)


def test_the_language_falls_back_to_the_configurations_locale(page, booked, mailoutbox):
    page.locale = "de"
    page.save()
    booked.language = "pt"  # a language the site does not speak, stored before it was read
    booked.save()
    with transaction.atomic():
        notifications.booking_created(booked)
    deliver_due()
    assert mails_to(mailoutbox, "guest@example.com")[0].subject.startswith("Bestätigt")


def test_a_pending_booking_asks_the_organizer_with_signed_links(page, booking_for, mailoutbox):
    booking = booking_for(page, page.hosts, START, END, status="pending", organizer=page.hosts[0])
    booking.organizer_link_nonce = links.new_organizer_nonce()
    booking.save()
    with transaction.atomic():
        notifications.booking_created(booking)
    assert sorted(OutboxMessage.objects.values_list("purpose", flat=True)) == [
        "guest_pending",
        "organizer_request",
    ]
    deliver_due()
    [request] = mails_to(mailoutbox, "host@example.com")
    assert request.subject == "Please confirm: Intro call with Guest"
    lines = [line for line in request.body.splitlines() if "://" in line]
    confirm = next(line.split(": ", 1)[1] for line in lines if line.startswith("Confirm"))
    decline = next(line.split(": ", 1)[1] for line in lines if line.startswith("Decline"))
    assert confirm.endswith("?action=confirm") and decline.endswith("?action=decline")
    token = confirm.rsplit("/confirm/", 1)[1].split("/")[0]
    assert links.read_organizer_token(token) == (booking.id, booking.organizer_link_nonce)
    [pending] = mails_to(mailoutbox, "guest@example.com")
    assert pending.subject == "Awaiting confirmation: Intro call"
    # Both calendars hold the time, marked tentative (test_calendar_invites_lifecycle.py).
    assert str(invite_of(pending)[1]["STATUS"]) == "TENTATIVE"
    assert str(invite_of(request)[1]["STATUS"]) == "TENTATIVE"


def test_a_confirmed_booking_then_gets_the_confirmation(page, booking_for, mailoutbox):
    booking = booking_for(page, page.hosts, START, END, status="pending", organizer=page.hosts[0])
    booking.status = "booked"
    booking.save()
    with transaction.atomic():
        notifications.booking_confirmed(booking)
    deliver_due()
    [mail] = mails_to(mailoutbox, "guest@example.com")
    assert mail.subject == "Confirmed: Intro call"
    # Higher than the tentative invite the request carried (SEQUENCE 0).
    assert invite_of(mail)[1]["SEQUENCE"] == 1


def test_a_request_answered_before_its_email_went_out_is_not_sent(page, booking_for, mailoutbox):
    booking = booking_for(page, page.hosts, START, END, status="pending", organizer=page.hosts[0])
    booking.organizer_link_nonce = links.new_organizer_nonce()
    booking.save()
    with transaction.atomic():
        notifications.booking_created(booking)
    booking.status, booking.organizer_link_nonce = "booked", ""
    booking.save()
    deliver_due()
    assert not mails_to(mailoutbox, "host@example.com")
    request = OutboxMessage.objects.get(purpose="organizer_request")
    assert request.status == "cancelled"


def test_a_declined_booking_tells_the_guest_why(page, booking_for, mailoutbox):
    booking = booking_for(page, page.hosts, START, END, status="cancelled", organizer=page.hosts[0])
    with transaction.atomic():
        notifications.booking_declined(booking, "Out of office that week")
    deliver_due()
    [mail] = mails_to(mailoutbox, "guest@example.com")
    assert mail.to == ["Guest <guest@example.com>"]
    assert mail.subject == "Declined: Intro call"
    assert "Out of office that week" in mail.body


def test_reschedule_and_cancel_update_the_same_calendar_event(booked, mailoutbox):
    with transaction.atomic():
        notifications.booking_created(booked)
    old_start, old_end = booked.start, booked.end
    booked.start, booked.end = START + dt.timedelta(days=1), END + dt.timedelta(days=1)
    booked.save()
    with transaction.atomic():
        notifications.booking_rescheduled(booked, old_start, old_end)
    booked.status, booked.cancellation_reason = "cancelled", "Something came up"
    booked.save()
    with transaction.atomic():
        notifications.booking_cancelled(booked, "Something came up")
    deliver_due()

    confirmation, moved, cancelled = sorted(
        mails_to(mailoutbox, "guest@example.com"), key=lambda m: invite_of(m)[1]["SEQUENCE"]
    )
    uids = {str(invite_of(m)[1]["UID"]) for m in (confirmation, moved, cancelled)}
    assert len(uids) == 1
    assert [invite_of(m)[1]["SEQUENCE"] for m in (confirmation, moved, cancelled)] == [0, 1, 2]

    assert moved.subject == "Rescheduled: Intro call"
    assert "method=REQUEST" in invite_of(moved)[0].replace('"', "")
    assert invite_of(moved)[1].decoded("DTSTART") == booked.start
    assert "Previously: Tuesday, March 3, 2026, 5:00 PM" in moved.body
    assert "Wednesday, March 4, 2026, 5:00 PM" in moved.body

    assert cancelled.subject == "Cancelled: Intro call"
    content_type, event = invite_of(cancelled)
    assert "method=CANCEL" in content_type.replace('"', "")
    assert str(event["STATUS"]) == "CANCELLED"
    assert "Something came up" in cancelled.body
    assert links.guest_manage_url(booked) not in cancelled.body
    # The additional guest and the host hear of both changes too.
    assert len(mails_to(mailoutbox, "ada@example.com")) == 3
    host_subjects = sorted(m.subject for m in mails_to(mailoutbox, "host@example.com"))
    assert host_subjects == [
        "Cancelled: Intro call",
        "New booking: Intro call with Guest",
        "Rescheduled: Intro call",
    ]


def test_disable_emails_sends_no_email_but_keeps_webhooks(page, booked):
    from bookings.models import WebhookEndpoint

    endpoint = WebhookEndpoint(webhook_url="http://127.0.0.1:9/", trigger_types=["booking.created"])
    endpoint.set_new_secret()
    endpoint.save()
    page.disable_emails = True
    page.save()
    booked.configuration.refresh_from_db()
    with transaction.atomic():
        notifications.booking_created(booked)
    assert list(OutboxMessage.objects.values_list("kind", "purpose")) == [
        ("webhook", "booking.created")
    ]


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ({"confirmation_emails_to_guests": False}, {"organizer_notice"}),
        ({"confirmation_emails_to_host": False}, {"guest_confirmation"}),
        ({"booking": {"confirmation_emails_to_host": False}}, {"guest_confirmation"}),
    ],
)
def test_the_v2_flags_switch_off_one_side(page, booked, flags, expected):
    page.extra = flags
    page.save()
    booked.configuration.refresh_from_db()
    with transaction.atomic():
        notifications.booking_created(booked)
    assert set(OutboxMessage.objects.values_list("purpose", flat=True)) == expected


def test_calendar_invite_to_guests_false_leaves_the_ics_out(page, booked, mailoutbox):
    page.extra = {"calendar_invite_to_guests": False}
    page.save()
    booked.configuration.refresh_from_db()
    with transaction.atomic():
        notifications.booking_created(booked)
    deliver_due()
    [mail] = mails_to(mailoutbox, "guest@example.com")
    assert not [p for p in parsed(mail).walk() if p.get_content_type() == "text/calendar"]


def test_the_email_template_sets_logo_title_and_body(page, booked, mailoutbox):
    page.email_template = {
        "logo": "https://example.com/logo.png",
        "booking_confirmed": {"title": "See you soon!", "body": "Parking is behind the shop."},
    }
    page.save()
    with transaction.atomic():
        notifications.booking_created(booked)
    deliver_due()
    [mail] = mails_to(mailoutbox, "guest@example.com")
    html = html_of(mail)
    assert 'src="https://example.com/logo.png"' in html
    assert "See you soon!" in html and "See you soon!" in mail.body
    assert "Parking is behind the shop." in html


def test_a_logo_that_is_not_http_is_left_out(page, booked, mailoutbox):
    page.email_template = {"logo": "javascript:alert(1)"}
    page.save()
    with transaction.atomic():
        notifications.booking_created(booked)
    deliver_due()
    assert "javascript:" not in html_of(mails_to(mailoutbox, "guest@example.com")[0])


def test_guest_text_is_escaped_in_html(booked, mailoutbox):
    booked.guest_name = "<script>alert(1)</script>"
    booked.additional_fields = {"notes": "<img src=x onerror=alert(1)>"}
    booked.save()
    with transaction.atomic():
        notifications.booking_created(booked)
    deliver_due()
    [notice] = mails_to(mailoutbox, "host@example.com")
    html = html_of(notice)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<img src=x" not in html
    # The plain-text part is not HTML: it shows the text as typed.
    assert "<script>alert(1)</script>" in notice.body


def test_a_guest_name_cannot_add_headers(booked, mailoutbox):
    booked.guest_name = "Eve\r\nBcc: evil@example.com"
    booked.save()
    with transaction.atomic():
        notifications.booking_created(booked)
    deliver_due()
    [mail] = mails_to(mailoutbox, "guest@example.com")
    message = parsed(mail)
    assert message["Bcc"] is None
    assert email.utils.getaddresses(message.get_all("To")) == [
        ("Eve Bcc: evil@example.com", "guest@example.com")
    ]
    assert mail.recipients() == ['"Eve Bcc: evil@example.com" <guest@example.com>']
    [notice] = mails_to(mailoutbox, "host@example.com")
    assert "\n" not in notice.subject and "Bcc" not in str(parsed(notice).keys())


def test_each_row_has_its_own_stable_message_id(booked, mailoutbox):
    with transaction.atomic():
        notifications.booking_created(booked)
    deliver_due()
    ids = {parsed(m)["Message-ID"] for m in mailoutbox}
    rows = {f"<{pk}@127.0.0.1>" for pk in OutboxMessage.objects.values_list("pk", flat=True)}
    assert ids == rows


def test_a_booking_made_through_the_api_owes_its_emails_after_commit(
    api, page, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    handed: list = []
    monkeypatch.setattr(
        outbox, "enqueue_many", lambda items, countdown=None: handed.extend(items) or len(items)
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"/v3/scheduling/bookings?configuration_id={page.pk}",
            {
                "start_time": int(START.timestamp()),
                "end_time": int(END.timestamp()),
                "guest": {"name": "Grete Gast", "email": "grete@example.com"},
                "timezone": "Europe/Berlin",
                "email_language": "de",
            },
            format="json",
        )
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    rows = OutboxMessage.objects.filter(booking_id=data["booking_id"])
    assert {pk for pk, _ticket, _kind in handed} == set(rows.values_list("pk", flat=True))
    assert [sending.deliver(pk) for pk, _ticket, _kind in handed] == ["sent", "sent"]
    [mail] = mails_to(mailoutbox, "grete@example.com")
    assert mail.subject == "Bestätigt: Intro call"
    assert data["booking_ref"] in mail.body
