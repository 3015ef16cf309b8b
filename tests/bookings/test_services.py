"""bookings/services.py, called directly as every entry point calls it: each service's
effect, its refusals, and what it leaves behind (host rows, the calendar event, the
outbox), in a half-hour zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction

from bookings import services
from bookings.guest_input import Guest
from bookings.models import Booking, BookingHost, OutboxMessage, Session
from bookings.problems import InvalidBooking, SlotUnavailable, TooLateToCancel, WrongState
from bookings.sql import lock_hosts
from pages import services as organizer_services
from pages.models import Configuration, Event

KOLKATA = ZoneInfo("Asia/Kolkata")
NOW = dt.datetime(2026, 12, 1, 6, 0, tzinfo=dt.UTC)  # 11:30 in Kolkata
MONDAY = dt.date(2026, 12, 7)


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def page(make_configuration):
    return make_configuration(
        zones=["Asia/Kolkata"], slug="svc", duration_minutes=30, timezone="Asia/Kolkata"
    )


def kolkata(hour: int, minute: int = 0, day: dt.date = MONDAY) -> int:
    return int(dt.datetime.combine(day, dt.time(hour, minute), tzinfo=KOLKATA).timestamp())


def guest(**fields) -> Guest:
    return Guest(name="Grace", email="grace@example.com", timezone="Asia/Kathmandu", **fields)


def book(page, hour=10, minute=0):
    return services.create_booking(
        configuration=page, start=kolkata(hour, minute), end=None, guest=guest()
    ).booking


def test_create_booking_writes_the_booking_its_host_rows_event_and_notices(page):
    made = services.create_booking(
        configuration=page, start=kolkata(10), end=kolkata(10, 30), guest=guest()
    )
    booking = made.booking
    assert booking.status == Booking.Status.BOOKED and made.booking_ref
    assert booking.start == dt.datetime(2026, 12, 7, 4, 30, tzinfo=dt.UTC)
    host = BookingHost.objects.get(booking=booking)
    assert (host.grant_id, host.active) == (page.hosts[0].pk, True)
    assert booking.event.calendar.grant_id == page.hosts[0].pk
    assert OutboxMessage.objects.filter(booking=booking).exists()


def test_create_booking_refuses_a_taken_slot_an_off_grid_start_and_a_wrong_end(page):
    book(page, 10)
    with pytest.raises(SlotUnavailable):
        services.create_booking(configuration=page, start=kolkata(10), end=None, guest=guest())
    with pytest.raises(SlotUnavailable):
        services.create_booking(configuration=page, start=kolkata(10, 15), end=None, guest=guest())
    with pytest.raises(InvalidBooking):
        services.create_booking(
            configuration=page, start=kolkata(11), end=kolkata(12), guest=guest()
        )
    assert Booking.objects.count() == 1


def test_a_pending_booking_is_confirmed_once_and_declined_never_after(page):
    Configuration.objects.filter(pk=page.pk).update(booking_type="organizer-confirmation")
    page.refresh_from_db()
    booking = book(page)
    assert booking.status == Booking.Status.PENDING
    confirmed = services.confirm_booking(booking=booking)
    assert confirmed.status == Booking.Status.BOOKED
    with pytest.raises(WrongState):
        services.confirm_booking(booking=confirmed)
    with pytest.raises(WrongState):
        services.decline_booking(booking=confirmed, reason="late")


def test_declining_frees_the_time_and_says_declined(page):
    Configuration.objects.filter(pk=page.pk).update(booking_type="organizer-confirmation")
    page.refresh_from_db()
    booking = book(page)
    services.decline_booking(booking=booking, reason="Fully booked")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED and booking.declined_at is not None
    assert not BookingHost.objects.filter(booking=booking, active=True).exists()
    assert book(page).status == Booking.Status.PENDING, "the time is free again"


def test_cancelling_frees_the_time_and_respects_the_notice(page):
    booking = book(page)
    Configuration.objects.filter(pk=page.pk).update(min_cancellation_notice=60 * 24 * 10)
    booking.refresh_from_db()
    with pytest.raises(TooLateToCancel):
        services.cancel_booking(booking=booking, reason="clash")
    services.cancel_booking(booking=booking, reason="clash", enforce_notice=False)
    booking.refresh_from_db()
    assert (booking.status, booking.cancellation_reason) == ("cancelled", "clash")
    assert booking.event.status == Event.Status.CANCELLED
    with pytest.raises(WrongState):
        services.cancel_booking(booking=booking, enforce_notice=False)


def test_rescheduling_moves_the_booking_its_rows_and_its_event_to_an_offered_slot(page):
    booking = book(page, 10)
    book(page, 11)
    with pytest.raises(SlotUnavailable):
        services.reschedule_booking(booking=booking, start=kolkata(11))
    moved = services.reschedule_booking(booking=booking, start=kolkata(14, 30))
    assert moved.start == dt.datetime.fromtimestamp(kolkata(14, 30), dt.UTC)
    host = BookingHost.objects.get(booking=booking, active=True)
    assert host.blocked_start == moved.start
    moved.event.refresh_from_db()
    assert moved.event.start == moved.start


def test_an_event_moved_or_deleted_by_the_organizer_moves_or_cancels_its_booking(page):
    booking = book(page)
    event = booking.event
    organizer_services.update_event(
        event=event,
        start=event.start + dt.timedelta(hours=2),
        end=event.end + dt.timedelta(hours=2),
    )
    booking.refresh_from_db()
    assert booking.start == event.start + dt.timedelta(hours=2)
    organizer_services.delete_event(event=Event.objects.get(pk=event.pk))
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED


def test_a_session_starts_for_its_minutes_and_ends(page):
    session, secret = services.start_session(configuration=page, minutes=10)
    assert secret and session.expires_at == NOW + dt.timedelta(minutes=10)
    assert session.token_digest != secret, "stored hashed"
    services.end_session(session=session)
    assert not Session.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_hosts_locks_are_refused_outside_a_transaction(page):
    with pytest.raises(RuntimeError, match="transaction"):
        lock_hosts([page.hosts[0].pk])
    with transaction.atomic():
        lock_hosts([page.hosts[0].pk])
