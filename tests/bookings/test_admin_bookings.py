"""Booking actions in the admin call the same services as everything else."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse

from bookings import services
from bookings.guest_input import Guest
from bookings.models import Booking, OutboxMessage

NOW = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)
TEN = int(dt.datetime(2026, 12, 7, 16, tzinfo=dt.UTC).timestamp())  # Monday 10:00 Chicago
CHANGELIST = reverse("admin:bookings_booking_changelist")


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


def book(configuration, start=TEN) -> Booking:
    guest = Guest(name="Grace", email="grace@example.com")
    return services.create_booking(
        configuration=configuration, start=start, end=None, guest=guest
    ).booking


def act(client, action, *bookings):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [str(b.pk) for b in bookings]},
        follow=True,
    )


def test_confirm_and_decline_pending_bookings(staff_client, make_configuration):
    configuration = make_configuration(booking_type="organizer-confirmation")
    first, second = book(configuration), book(configuration, TEN + 3600)
    owed = {b.pk: OutboxMessage.objects.filter(booking=b).count() for b in (first, second)}
    act(staff_client, "confirm", first)
    act(staff_client, "decline", second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("booked", "cancelled")
    # The same services, so the same notices: each decision owes new messages.
    assert OutboxMessage.objects.filter(booking=first).count() > owed[first.pk]
    assert OutboxMessage.objects.filter(booking=second).count() > owed[second.pk]


def test_confirming_a_booked_booking_is_reported_not_crashed(staff_client, make_configuration):
    booking = book(make_configuration())
    page = act(staff_client, "confirm", booking).content.decode()
    assert "not pending" in page


def test_cancel_frees_the_time_and_owes_notices(staff_client, make_configuration):
    configuration = make_configuration()
    booking = book(configuration)
    before = OutboxMessage.objects.filter(booking=booking).count()
    act(staff_client, "cancel", booking)
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    assert OutboxMessage.objects.filter(booking=booking).count() > before
    assert book(configuration).status == "booked"  # the time is free again


def test_resend_copies_sent_emails(staff_client, make_configuration):
    booking = book(make_configuration())
    OutboxMessage.objects.filter(booking=booking, kind="email").update(status="sent")
    sent = OutboxMessage.objects.filter(booking=booking, kind="email").count()
    act(staff_client, "resend_emails", booking)
    assert OutboxMessage.objects.filter(booking=booking, kind="email").count() == 2 * sent


def test_the_booking_page_shows_its_messages_and_hosts(staff_client, make_configuration):
    booking = book(make_configuration())
    page = staff_client.get(reverse("admin:bookings_booking_change", args=[booking.pk]))
    html = page.content.decode()
    assert "Messages (emails, reminders, webhooks)" in html
    assert "grace@example.com" in html and "host@example.com" in html


def test_view_only_staff_see_bookings_but_cannot_act(client, django_user_model, make_configuration):
    user = django_user_model.objects.create_user(username="viewer", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_booking"))
    client.force_login(user)
    booking = book(make_configuration())
    assert client.get(CHANGELIST).status_code == 200
    act(client, "cancel", booking)
    booking.refresh_from_db()
    assert booking.status == "booked"
