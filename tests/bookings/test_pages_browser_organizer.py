"""An organizer confirms a pending booking from the emailed link, in a real Chromium."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from bookings import links, services
from bookings.guest_input import Guest
from bookings.views.slot_picker import Offer, month_slots, next_month
from pages.models import Configuration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TIMEOUT_MS = 10_000


def first_offered(configuration) -> int:
    offer = Offer(configuration, timezone.now())
    month = timezone.now().date().replace(day=1)
    for first in (month, next_month(month)):
        days = month_slots(offer, first, "UTC")
        if days:
            return days[min(days)][0].start
    raise AssertionError("the demo page offers nothing")


def pending_booking(name: str, email: str):
    call_command("seed_demo", verbosity=0)
    Configuration.objects.filter(slug="demo").update(booking_type="organizer-confirmation")
    configuration = Configuration.objects.select_related("grant").get(slug="demo")
    return services.create_booking(
        configuration=configuration,
        start=first_offered(configuration),
        end=None,
        guest=Guest(name=name, email=email, timezone="Europe/Berlin"),
    ).booking


def test_an_organizer_confirms_a_pending_booking_from_the_link(live_server, browser, screenshot):
    booking = pending_booking("Paula Pending", "paula@example.com")
    assert booking.status == "pending"
    path = reverse("organizer-confirmation", args=[links.organizer_link_token(booking)])

    page = browser.new_page(timezone_id="America/Chicago")
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{live_server.url}{path}")
    assert page.locator("h1").inner_text() == "A booking is waiting for your confirmation"
    assert "Paula Pending" in page.locator(".facts").inner_text()
    assert "America/Chicago" in page.locator(".facts").inner_text()
    screenshot(page, "1-request")

    page.get_by_role("button", name="Confirm booking").click()
    page.get_by_role("heading", name="Booking confirmed").wait_for()
    screenshot(page, "2-confirmed")
    booking.refresh_from_db()
    assert booking.status == "booked"

    # The link worked once.
    page.goto(f"{live_server.url}{path}")
    assert page.locator("h1").inner_text() == "This link was already used"
    screenshot(page, "3-used")


def test_an_organizer_declines_with_a_reason(live_server, browser, screenshot):
    booking = pending_booking("Dora Declined", "dora@example.com")
    path = reverse("organizer-confirmation", args=[links.organizer_link_token(booking)])
    page = browser.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{live_server.url}{path}")
    page.fill("#id_reason", "I'm away that week.")
    page.get_by_role("button", name="Decline booking").click()
    page.get_by_role("heading", name="Booking declined").wait_for()
    screenshot(page, "declined")
    booking.refresh_from_db()
    assert (booking.status, booking.cancellation_reason) == ("cancelled", "I'm away that week.")
