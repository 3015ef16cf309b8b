"""A configuration's conferencing reaches every place a guest or host looks: the booking
page, the booking's page, the organizer's pages, every email (over real SMTP), the .ics
(LOCATION and URL), the web calendars' links, the API and the webhook's ``location``.
Autocreate gives each booking a room of its own; a reschedule keeps it, a cancelled
booking's room is never handed out again."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse
from icalendar import Calendar

from bookings import links, services
from bookings.guest_input import Guest
from bookings.models import Booking
from bookings.notifications import outbox, sending
from pages import conferencing
from tests.bookings.test_notifications_smtp import Mailbox, free_port, smtp  # noqa: F401
from tests.bookings.test_webhooks_delivery import Receiver, endpoint_for, receivers  # noqa: F401

KOLKATA = ZoneInfo("Asia/Kolkata")
NOW = dt.datetime(2026, 12, 1, 6, 0, tzinfo=dt.UTC)  # 11:30 in Kolkata
MONDAY = dt.date(2026, 12, 7)
JITSI_ROOM = re.compile(r"https://meet\.jit\.si/[a-z2-7]{24}")
JITSI = {"provider": "Jitsi Meet", "autocreate": {}}
ZOOM = {
    "provider": "Zoom Meeting",
    "details": {
        "url": "https://zoom.us/j/987654321",
        "meeting_code": "987 654 321",
        "password": "tea-time",
        "phone": ["+1 646 558 8656"],
    },
}


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


def kolkata(hour: int, minute: int = 0, day: dt.date = MONDAY) -> int:
    return int(dt.datetime.combine(day, dt.time(hour, minute), tzinfo=KOLKATA).timestamp())


def with_conferencing(chosen: dict) -> dict:
    return {"event_booking": {"conferencing": chosen}}


@pytest.fixture
def page(make_configuration):
    """A page whose host works 09:00-17:00 in Kolkata, with a Jitsi room per booking."""
    return make_configuration(
        slug="intro",
        title="Intro call",
        zones=["Asia/Kolkata"],
        timezone="Asia/Kolkata",
        extra=with_conferencing(JITSI),
    )


def book(page, hour: int = 10, minute: int = 0, email: str = "grace@example.com"):
    guest = Guest(name="Grace", email=email, timezone="Asia/Kathmandu")
    return services.create_booking(
        configuration=page, start=kolkata(hour, minute), end=None, guest=guest
    )


def deliver_due() -> list[str]:
    return [sending.deliver(c.message_id, c.token) for c in outbox.claim_due()]


def link_of(booking: Booking) -> str:
    return booking.conferencing["details"]["url"]


def test_each_booking_gets_a_jitsi_room_of_its_own(page):
    first = book(page, 10).booking
    second = book(page, 11, email="ada@example.com").booking
    for booking in (first, second):
        assert JITSI_ROOM.fullmatch(link_of(booking))
        assert booking.conferencing["provider"] == "Jitsi Meet"
        # Stored: a reload sees the same link, and its calendar event's location is it.
        fresh = Booking.objects.select_related("event").get(pk=booking.pk)
        assert fresh.conferencing == booking.conferencing
        assert fresh.event.location == link_of(booking)
    assert link_of(first) != link_of(second)
    rooms = {conferencing.new_room() for _ in range(200)}
    assert len(rooms) == 200


def test_the_jitsi_server_is_the_one_configured(page, settings):
    settings.SCHEDULER_JITSI_URL = "https://jitsi.example.org/team"
    link = link_of(book(page).booking)
    assert re.fullmatch(r"https://jitsi\.example\.org/team/[a-z2-7]{24}", link)


def test_an_organizers_url_template_gets_a_room_in_its_place(page):
    template = {
        "provider": "url-template",
        "autocreate": {"url_template": "https://video.acme.test/rooms/{room}?lobby=1"},
    }
    page.extra = with_conferencing(template)
    page.save()
    link = link_of(book(page).booking)
    assert re.fullmatch(r"https://video\.acme\.test/rooms/[a-z2-7]{24}\?lobby=1", link)


def test_a_reschedule_keeps_the_link_and_a_cancelled_bookings_room_is_not_reused(page):
    made = book(page, 10)
    link = link_of(made.booking)
    moved = services.reschedule_booking(booking=made.booking, start=kolkata(14, 30))
    assert link_of(Booking.objects.get(pk=moved.pk)) == link
    assert Booking.objects.get(pk=moved.pk).event.location == link
    services.cancel_booking(booking=moved)
    again = book(page, 14, 30).booking  # the same time, free again
    assert JITSI_ROOM.fullmatch(link_of(again)) and link_of(again) != link


def test_the_booking_page_says_the_link_comes_with_the_booking(client, page):
    html = client.get("/book/intro/").content.decode()
    assert "Online meeting" in html
    said = 'The link to join comes with your booking. <span class="muted">(Jitsi Meet)</span>'
    assert said in html
    assert "meet.jit.si/" not in html


def test_a_fixed_link_is_on_the_booking_page_with_its_codes_and_the_shell_follows_a_change(
    client, page
):
    assert "zoom.us" not in client.get("/book/intro/").content.decode()
    page.extra = with_conferencing(ZOOM)
    page.save()
    html = client.get("/book/intro/").content.decode()  # the cached shell is not served
    assert 'href="https://zoom.us/j/987654321"' in html and "(Zoom Meeting)" in html
    assert "Meeting code: 987 654 321" in html and "Password: tea-time" in html
    assert "Phone: +1 646 558 8656" in html


def test_a_guest_who_books_on_the_page_sees_the_link_on_the_booking_page(client, page):
    response = client.post(
        "/book/intro/",
        {
            "slot": str(kolkata(10)),
            "tz": "Asia/Kathmandu",
            "lang": "en",
            "name": "Grace Guest",
            "email": "grace@example.com",
        },
    )
    assert response.status_code == 303
    booking = Booking.objects.get()
    html = client.get(response["Location"]).content.decode()
    assert f'class="conference-link" href="{link_of(booking)}"' in html
    assert "(Jitsi Meet)" in html
    # Cancelled, the page no longer offers the room.
    services.cancel_booking(booking=booking)
    html = client.get(response["Location"]).content.decode()
    assert link_of(booking) not in html


def test_the_organizers_pages_show_the_link(client, page):
    page.booking_type = "organizer-confirmation"
    page.save()
    booking = book(page).booking
    link = link_of(booking)
    confirm = client.get(
        links.organizer_confirmation_url(booking).removeprefix("http://127.0.0.1:8000")
    )
    assert link in confirm.content.decode()
    own = links.organizer_page_url(booking, page.hosts[0].email)
    assert link in client.get(own.removeprefix("http://127.0.0.1:8000")).content.decode()


def test_every_email_carries_the_link_and_the_invite_has_it_as_location_and_url(smtp, page):  # noqa: F811
    made = book(page)
    link = link_of(made.booking)
    assert deliver_due() == ["sent", "sent"]
    for address in ("grace@example.com", "host@example.com"):
        [message] = smtp.to(address)
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert f"Online meeting: {link} (Jitsi Meet)" in text
        assert f'href="{link}"' in html
        [invite] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
        event = Calendar.from_ical(invite.get_payload(decode=True)).walk("VEVENT")[0]
        assert str(event["LOCATION"]) == link
        assert str(event["URL"]) == link
        assert f"Online meeting: {link}" in str(event["DESCRIPTION"])
    # A reschedule's emails carry the same link; a cancellation's none.
    smtp.received.clear()
    services.reschedule_booking(booking=made.booking, start=kolkata(15))
    deliver_due()
    [moved] = smtp.to("grace@example.com")
    assert f"Online meeting: {link}" in moved.get_body(("plain",)).get_content()
    smtp.received.clear()
    services.cancel_booking(booking=Booking.objects.get(pk=made.booking.pk))
    deliver_due()
    [cancelled] = smtp.to("grace@example.com")
    assert link not in cancelled.get_body(("plain",)).get_content()
    assert link not in cancelled.get_body(("html",)).get_content()


def test_fixed_details_are_in_the_emails_with_their_codes(smtp, page):  # noqa: F811
    page.extra = with_conferencing(ZOOM)
    page.save()
    book(page)
    deliver_due()
    [message] = smtp.to("grace@example.com")
    text = message.get_body(("plain",)).get_content()
    assert "Online meeting: https://zoom.us/j/987654321 (Zoom Meeting)" in text
    assert "Meeting code: 987 654 321" in text and "Password: tea-time" in text
    assert "Phone: +1 646 558 8656" in text


def test_the_downloaded_ics_has_the_link_as_location_and_url(client, page):
    made = book(page)
    response = client.get(reverse("booking-calendar-file", args=[made.booking_ref]))
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert str(event["LOCATION"]) == link_of(made.booking)
    assert str(event["URL"]) == link_of(made.booking)


def test_a_physical_location_stays_on_the_pages_beside_the_link(client, page):
    page.location = "Room 4, Bengaluru office"
    page.save()
    made = book(page)
    html = client.get(reverse("booking-manage", args=[made.booking_ref])).content.decode()
    assert "Room 4, Bengaluru office" in html and link_of(made.booking) in html


def test_the_webhook_location_is_the_link(receivers, page, loopback_destinations):  # noqa: F811
    receiver = receivers()
    endpoint_for(receiver)
    with transaction.atomic():
        made = book(page)
    deliver_due()
    [payload] = receiver.payloads()
    assert payload["data"]["object"]["booking_info"]["location"] == link_of(made.booking)


def test_the_api_gives_the_link_as_the_bookings_location(page, api_key):
    from rest_framework.test import APIClient

    made = book(page)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key}")
    response = client.get(f"/v3/scheduling/bookings/{made.booking.pk}?configuration_id={page.pk}")
    assert response.status_code == 200, response.content
    assert response.json()["data"]["location"] == link_of(made.booking)


def test_without_conferencing_nothing_changes(page, client):
    page.extra = {}
    page.location = "Room 1"
    page.save()
    made = book(page)
    assert made.booking.conferencing == {}
    assert made.booking.event.location == "Room 1"
    html = client.get(reverse("booking-manage", args=[made.booking_ref])).content.decode()
    assert "Online meeting" not in html


def test_the_words_around_the_link_are_in_the_pages_language(client, page):
    page.extra = with_conferencing(ZOOM)
    page.save()
    html = client.get("/book/intro/?lang=de").content.decode()
    assert "Online-Besprechung" in html and "Meeting-Code: 987 654 321" in html
    page.extra = with_conferencing(JITSI)
    page.save()
    html = client.get("/book/intro/?lang=fr").content.decode()
    assert "Le lien pour rejoindre la réunion accompagne votre réservation." in html


def test_scheduler_jitsi_url_is_read_as_a_web_base_and_bad_values_stop_start_up():
    from django.core.exceptions import ImproperlyConfigured

    from scheduler_site import environment as env

    name, default = "SCHEDULER_JITSI_URL", "https://meet.jit.si"
    assert env.web_base({}, name, default) == "https://meet.jit.si"
    assert env.web_base({name: " https://meet.example.com/team/ "}, name, default) == (
        "https://meet.example.com/team"
    )
    for bad in (
        "meet.example.com",
        "javascript:alert(1)",
        "https://u:p@meet.example.com",
        "https://meet.example.com/?room=1",
    ):
        with pytest.raises(ImproperlyConfigured, match=rf"^{name}="):
            env.web_base({name: bad}, name, default)
