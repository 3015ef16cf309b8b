"""The admin shows times in the zone the admin chose, named in the column headers."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from bookings import services
from bookings.guest_input import Guest
from bookings.models import Booking, OutboxMessage
from pages.admin_times import AdminTimezoneMiddleware

NOW = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)
TEN = dt.datetime(2026, 12, 7, 16, tzinfo=dt.UTC)  # Monday 10:00 Chicago, 21:30 Kolkata
CHANGELIST = reverse("admin:bookings_booking_changelist")
PICKER = reverse("admin-timezone")


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


def book(configuration, start: dt.datetime = TEN, name: str = "Grace") -> Booking:
    guest = Guest(name=name, email=f"{name.lower()}@example.com")
    return services.create_booking(
        configuration=configuration, start=int(start.timestamp()), end=None, guest=guest
    ).booking


def choose(client, zone: str, back: str = CHANGELIST):
    return client.post(PICKER, {"timezone": zone, "next": back})


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_until_one_is_chosen_times_are_in_the_organizers_zone(staff_client, make_configuration):
    book(make_configuration())
    page = text(staff_client.get(CHANGELIST))
    assert "Start (America/Chicago)" in page
    assert "Mon 7 Dec 2026 10:00" in page
    assert "16:00" not in page  # never the bare UTC time
    assert "Times in America/Chicago" in page  # the header link to the picker


def test_a_chosen_half_hour_zone_moves_the_times_and_the_header(staff_client, make_configuration):
    booking = book(make_configuration())
    response = choose(staff_client, "Asia/Kolkata")
    assert response.status_code == 302 and response["Location"] == CHANGELIST
    page = text(staff_client.get(CHANGELIST))
    assert "Start (Asia/Kolkata)" in page and "Mon 7 Dec 2026 21:30" in page
    detail = text(staff_client.get(reverse("admin:bookings_booking_change", args=[booking.pk])))
    assert "Start (Asia/Kolkata)" in detail and "Mon 7 Dec 2026, 21:30:00" in detail
    assert "End (Asia/Kolkata)" in detail and "Mon 7 Dec 2026, 22:00:00" in detail
    assert "Created (Asia/Kolkata)" in detail
    assert "None" not in detail  # a time not set yet (sent, declined) reads as empty


def test_a_quarter_hour_zone_and_the_day_a_us_clock_changes(staff_client, make_configuration):
    configuration = make_configuration(days=(0, 1, 2, 3, 4, 5, 6))
    with time_machine.travel(dt.datetime(2027, 3, 1, tzinfo=dt.UTC), tick=False):
        # Sunday 14 March 2027, 10:00 in Chicago is CDT (UTC-5) since 02:00 that morning.
        book(configuration, dt.datetime(2027, 3, 14, 15, tzinfo=dt.UTC))
    page = text(staff_client.get(CHANGELIST))
    assert "Sun 14 Mar 2027 10:00" in page
    choose(staff_client, "Asia/Kathmandu")
    page = text(staff_client.get(CHANGELIST))
    assert "Start (Asia/Kathmandu)" in page and "Sun 14 Mar 2027 20:45" in page


def test_outbox_and_events_lists_name_the_zone_too(staff_client, make_configuration):
    book(make_configuration())
    choose(staff_client, "Asia/Kolkata")
    outbox = text(staff_client.get(reverse("admin:bookings_outboxmessage_changelist")))
    assert "Due (Asia/Kolkata)" in outbox
    message = OutboxMessage.objects.order_by("due_at").first()
    detail = text(
        staff_client.get(reverse("admin:bookings_outboxmessage_change", args=[message.pk]))
    )
    assert "Due (Asia/Kolkata)" in detail
    due = timezone.localtime(message.due_at, dt.timezone(dt.timedelta(hours=5, minutes=30)))
    assert f"{due:%H:%M}" in detail
    events = text(staff_client.get(reverse("admin:pages_event_changelist")))
    assert "Start (Asia/Kolkata)" in events and "21:30" in events


def test_an_editable_time_says_its_zone_and_is_read_in_it(staff_client, make_configuration):
    booking = book(make_configuration())
    choose(staff_client, "Asia/Kolkata")
    page = text(staff_client.get(reverse("admin:pages_event_change", args=[booking.event_id])))
    assert "Date and time in the admin's zone (Asia/Kolkata)" in page
    assert 'value="21:30:00"' in page


def test_the_picker_refuses_an_unknown_zone_and_a_foreign_return_address(staff_client, db):
    refused = staff_client.post(PICKER, {"timezone": "Mars/Olympus", "next": CHANGELIST})
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    elsewhere = choose(staff_client, "Europe/Berlin", back="https://evil.example/")
    assert elsewhere["Location"] == reverse("admin:index")
    assert "Times in Europe/Berlin" in text(staff_client.get(reverse("admin:index")))


def test_the_picker_is_for_staff_only(client, db):
    response = client.get(PICKER)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_guests_pages_keep_their_own_zone():
    seen = {}

    def view(request):
        seen[request.path] = timezone.get_current_timezone_name()
        return HttpResponse()

    middleware = AdminTimezoneMiddleware(view)
    request = RequestFactory().get("/book/page/")
    request.session = {"admin_timezone": "Asia/Kolkata"}
    middleware(request)
    assert seen == {"/book/page/": "UTC"}


def test_a_declined_booking_reads_declined_and_is_filtered_apart(staff_client, make_configuration):
    configuration = make_configuration(booking_type="organizer-confirmation")
    declined = book(configuration, name="Dora")
    cancelled = book(configuration, TEN + dt.timedelta(hours=1), name="Carl")
    pending = book(configuration, TEN + dt.timedelta(hours=2), name="Pat")
    services.decline_booking(booking=declined, reason="Not this week.")
    services.cancel_booking(booking=cancelled, reason="Ill.")
    page = text(staff_client.get(CHANGELIST))
    assert '<span class="booking-status declined">Declined</span>' in page
    assert '<span class="booking-status cancelled">Cancelled</span>' in page
    assert '<span class="booking-status pending">Pending</span>' in page
    only_declined = text(staff_client.get(CHANGELIST, {"status": "declined"}))
    assert "Dora" in only_declined and "Carl" not in only_declined
    only_cancelled = text(staff_client.get(CHANGELIST, {"status": "cancelled"}))
    assert "Carl" in only_cancelled and "Dora" not in only_cancelled
    assert pending.guest_name not in only_cancelled
    detail = text(staff_client.get(reverse("admin:bookings_booking_change", args=[declined.pk])))
    assert "Declined" in detail and "Not this week." in detail
    # The API keeps the hosted service's word for it.
    declined.refresh_from_db()
    assert declined.status == "cancelled" and declined.declined_at is not None


def test_the_outbox_list_says_when_a_message_was_sent_in_the_chosen_zone(
    staff_client, make_configuration
):
    booking = book(make_configuration())
    message = OutboxMessage.objects.filter(booking=booking).first()
    sent_at = dt.datetime(2026, 12, 1, 12, 5, tzinfo=dt.UTC)
    OutboxMessage.objects.filter(pk=message.pk).update(status="sent", sent_at=sent_at, attempts=2)
    choose(staff_client, "Asia/Kolkata")
    page = text(staff_client.get(reverse("admin:bookings_outboxmessage_changelist")))
    assert "at Tue 1 Dec 2026 17:35 · 2 attempts" in page
