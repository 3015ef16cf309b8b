"""/organizer/<token>/: a host sees a booking from their email, in their zone with the
guest's answers, and cancels it with a reason, as often as they like until the meeting
is over. The host works in Kolkata (UTC+05:30)."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import signing
from django.test import Client

from bookings import links, services
from bookings.guest_input import Guest
from bookings.models import Booking
from bookings.notifications import outbox, sending
from pages.models import AdditionalField

KOLKATA = ZoneInfo("Asia/Kolkata")
NOW = dt.datetime(2026, 12, 1, 6, 0, tzinfo=dt.UTC)
MONDAY = dt.date(2026, 12, 7)
HOST = "host@example.com"


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


def kolkata(day: dt.date, hour: int, minute: int = 0) -> int:
    return int(dt.datetime.combine(day, dt.time(hour, minute), tzinfo=KOLKATA).timestamp())


@pytest.fixture
def page(make_configuration):
    configuration = make_configuration(
        zones=["Asia/Kolkata"], slug="review", title="Tax review", timezone="Asia/Kolkata"
    )
    AdditionalField.objects.create(
        configuration=configuration, key="topic", label="What would you like to discuss?"
    )
    AdditionalField.objects.create(
        configuration=configuration, key="campaign", label="Campaign", type="metadata"
    )
    return configuration


def book(configuration, **guest) -> Booking:
    return services.create_booking(
        configuration=configuration,
        start=kolkata(MONDAY, 10),
        end=None,
        guest=Guest(
            name=guest.pop("name", "Grace <b>Guest</b>"),
            email="grace@example.com",
            timezone="America/New_York",
            additional_fields={"topic": "Capital gains", "campaign": "winter"},
            **guest,
        ),
    ).booking


@pytest.fixture
def booking(page) -> Booking:
    return book(page)


def deliver_due(mailoutbox) -> list:
    for claim in outbox.claim_due():
        sending.deliver(claim.message_id, claim.token)
    return mailoutbox


def page_links(mail) -> list[str]:
    """The organizer-page links in an email (text and HTML parts)."""
    html = next(body for body, kind in mail.alternatives if kind == "text/html")
    found = re.findall(r"https?://[^\s\"<]+/organizer/[^\s\"<]+", mail.body + html)
    return sorted(set(found))


def path_of(url: str) -> str:
    return urlsplit(url).path


def own_page(booking: Booking, email: str = HOST) -> str:
    return path_of(links.organizer_page_url(booking, email))


def test_every_email_to_a_host_links_to_their_page_and_no_guest_email_does(booking, mailoutbox):
    deliver_due(mailoutbox)
    services.reschedule_booking(booking=booking, start=kolkata(MONDAY, 14))
    deliver_due(mailoutbox)
    services.cancel_booking(booking=booking, reason="", enforce_notice=False)
    deliver_due(mailoutbox)
    to_host = [m for m in mailoutbox if HOST in m.to[0]]
    to_guest = [m for m in mailoutbox if HOST not in m.to[0]]
    assert [m.subject for m in to_host] == [
        "New booking: Tax review with Grace <b>Guest</b>",
        "Rescheduled: Tax review",
        "Cancelled: Tax review",
    ]
    for mail in to_host:
        [url] = page_links(mail)
        assert url.startswith("http://127.0.0.1:8000/organizer/")
        assert links.read_organizer_page_token(path_of(url).split("/")[2]) == (booking.id, HOST)
    assert to_guest and not any(page_links(m) for m in to_guest)
    assert "See or cancel this booking: http" in to_host[0].body
    assert "See this booking: http" in to_host[-1].body, "nothing left to cancel"


def test_the_organizers_request_and_reminders_link_there_too(make_configuration, mailoutbox):
    from pages.models import Reminder

    configuration = make_configuration(
        zones=["Asia/Kolkata"], slug="asks", booking_type="organizer-confirmation"
    )
    Reminder.objects.create(
        configuration=configuration, type="email", recipient="host", minutes_before_event=60
    )
    pending = book(configuration)
    deliver_due(mailoutbox)
    [request] = [m for m in mailoutbox if m.subject.startswith("Please confirm")]
    assert page_links(request) == [links.organizer_page_url(pending, HOST)]
    services.confirm_booking(booking=pending)
    with time_machine.travel(pending.start - dt.timedelta(minutes=59), tick=False):
        deliver_due(mailoutbox)
    [reminder] = [m for m in mailoutbox if m.subject.startswith("Reminder")]
    assert page_links(reminder) == [links.organizer_page_url(pending, HOST)]


def test_the_page_shows_the_booking_in_the_hosts_zone_with_the_guests_answers(client, booking):
    response = client.get(own_page(booking))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your meeting with Grace &lt;b&gt;Guest&lt;/b&gt;" in html
    assert "Monday, December 7, 2026, 10:00 AM – 10:30 AM" in html
    assert "Asia/Kolkata" in html and "America/New_York" in html
    assert "What would you like to discuss?" in html and "Capital gains" in html
    assert "winter" in html, "the organizer sees the metadata the guest never saw"
    assert 'name="csrfmiddlewaretoken"' in html
    assert response.headers["Cache-Control"].startswith("max-age=0")
    booking.refresh_from_db()
    assert booking.status == "booked", "looking changes nothing"


def test_the_link_works_again_and_again_until_the_meeting_is_over(client, booking):
    url = own_page(booking)
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    with time_machine.travel(booking.start + dt.timedelta(minutes=10), tick=False):
        during = client.get(url)
        assert during.status_code == 200
        assert "This meeting has started." in during.content.decode()
        assert 'name="reason"' not in during.content.decode()
    with time_machine.travel(booking.end, tick=False):
        over = client.get(url)
        assert over.status_code == 410
        assert "This meeting is over" in over.content.decode()


def test_a_rescheduled_meeting_keeps_the_link_working_until_its_new_end(client, booking):
    url = own_page(booking)
    old_end = booking.end
    services.reschedule_booking(booking=booking, start=kolkata(MONDAY + dt.timedelta(days=1), 10))
    with time_machine.travel(old_end + dt.timedelta(hours=1), tick=False):
        response = client.get(url)
        assert response.status_code == 200
        assert "Tuesday, December 8, 2026, 10:00 AM" in response.content.decode()


def test_the_organizer_cancels_with_a_reason_and_the_guest_is_told(client, booking, mailoutbox):
    deliver_due(mailoutbox).clear()
    url = own_page(booking)
    response = client.post(url, {"reason": "I'm ill, sorry.", "lang": "en"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"{url}?cancelled=1&lang=en"
    booking.refresh_from_db()
    assert (booking.status, booking.cancellation_reason) == ("cancelled", "I'm ill, sorry.")
    shown = client.get(response.headers["Location"]).content.decode()
    assert "This booking is cancelled" in shown
    assert "Grace &lt;b&gt;Guest&lt;/b&gt; will be told." in shown
    assert "I&#x27;m ill, sorry." in shown
    assert 'name="reason"' not in shown
    deliver_due(mailoutbox)
    [told] = [m for m in mailoutbox if "grace@example.com" in m.to[0]]
    assert told.subject == "Cancelled: Tax review"
    assert "I'm ill, sorry." in told.body
    # Cancelling again (a second tab) says so instead of failing.
    again = client.post(url, {"reason": ""})
    assert again.status_code == 409
    assert "already cancelled" in again.content.decode()


def test_the_organizer_may_cancel_inside_the_guests_notice_window(make_configuration):
    configuration = make_configuration(
        zones=["Asia/Kolkata"], slug="late", min_cancellation_notice=24 * 60
    )
    booking = book(configuration)
    with time_machine.travel(booking.start - dt.timedelta(hours=1), tick=False):
        assert Client().post(own_page(booking), {"reason": ""}).status_code == 303
    booking.refresh_from_db()
    assert booking.status == "cancelled"


def test_a_started_meeting_cannot_be_cancelled(client, booking):
    with time_machine.travel(booking.start + dt.timedelta(minutes=1), tick=False):
        response = client.post(own_page(booking), {"reason": ""})
    assert response.status_code == 409
    booking.refresh_from_db()
    assert booking.status == "booked"


def test_cancelling_needs_the_csrf_token(booking):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(own_page(booking), {"reason": ""}).status_code == 403
    booking.refresh_from_db()
    assert booking.status == "booked"


def test_other_secrets_do_not_open_the_page(client, booking):
    confirm_salted = signing.dumps(
        {"b": str(booking.id), "h": HOST}, salt=links.ORGANIZER_LINK_SALT
    )
    for token in (confirm_salted, links.booking_ref(booking), "garbage", "x" * 600):
        response = client.get(f"/organizer/{token}/")
        assert response.status_code == 404
        assert "This link isn" in response.content.decode()
        assert client.post(f"/organizer/{token}/", {"reason": ""}).status_code == 404
    booking.refresh_from_db()
    assert booking.status == "booked"


def test_someone_who_does_not_host_the_booking_is_told_so(client, booking):
    response = client.get(own_page(booking, "someone@example.com"))
    assert response.status_code == 410
    assert "You no longer host this booking" in response.content.decode()
    assert client.post(own_page(booking, "someone@example.com")).status_code == 410


def test_the_page_speaks_german(client, page):
    booking = book(page, language="de")
    html = client.get(own_page(booking)).content.decode()
    assert 'lang="de"' in html
    assert "Ihr Termin mit" in html
    assert "Montag, 7. Dezember 2026" in html
    assert "Buchung stornieren" in html


def test_a_pending_booking_leads_its_organizer_to_confirm_or_decline(client, make_configuration):
    pending = book(
        make_configuration(
            zones=["Asia/Kolkata"], slug="asks", booking_type="organizer-confirmation"
        )
    )
    html = client.get(own_page(pending)).content.decode()
    assert "A booking is waiting for your confirmation" in html
    assert f'href="/confirm/{links.organizer_link_token(pending)}/"' in html


# The confirmation link, once used, leads here.


def test_a_used_confirmation_link_leads_to_the_organizers_page(client, make_configuration):
    pending = book(
        make_configuration(
            zones=["Asia/Kolkata"], slug="asks", booking_type="organizer-confirmation"
        )
    )
    confirm = f"/confirm/{links.organizer_link_token(pending)}/"
    decided = client.post(confirm, {"decision": "confirm"}).content.decode()
    assert f'href="{own_page(pending)}"' in decided
    used = client.get(confirm)
    assert used.status_code == 410
    html = used.content.decode()
    assert "There is nothing more to do" not in html
    assert f'href="{own_page(pending)}"' in html
    assert client.get(own_page(pending)).status_code == 200
    with time_machine.travel(pending.end, tick=False):
        after = client.get(confirm).content.decode()
        assert "There is nothing more to do" in after and "/organizer/" not in after


def test_the_german_email_names_the_link_in_german(page, mailoutbox):
    book(page, language="de")
    deliver_due(mailoutbox)
    [notice] = [m for m in mailoutbox if HOST in m.to[0]]
    assert "Buchung ansehen oder stornieren: http://127.0.0.1:8000/organizer/" in notice.body
    assert "Zu Google Kalender hinzufügen: https://calendar.google.com/" in notice.body
