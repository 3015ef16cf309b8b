"""A guest reschedules and then cancels their booking in a real Chromium."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from bookings import links, services
from bookings.guest_input import Guest
from bookings.models import Booking
from bookings.views.slot_picker import Offer, month_slots, next_month
from pages.models import Configuration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TIMEOUT_MS = 10_000


def offered_starts(configuration, zone: str) -> list[int]:
    """What the page offers now, this month and the next, in order."""
    offer = Offer(configuration, timezone.now())
    month = timezone.now().astimezone(dt.UTC).date().replace(day=1)
    starts = []
    for first in (month, next_month(month)):
        for slots in month_slots(offer, first, zone).values():
            starts += [slot.start for slot in slots]
    return sorted(starts)


def test_a_guest_reschedules_then_cancels(live_server, browser, screenshot):
    call_command("seed_demo", verbosity=0)
    configuration = Configuration.objects.select_related("grant").get(slug="demo")
    Configuration.objects.filter(pk=configuration.pk).update(
        cancellation_policy="Please cancel at least an hour ahead."
    )
    first = offered_starts(configuration, "Europe/Berlin")[0]
    booking = services.create_booking(
        configuration=configuration,
        start=first,
        end=None,
        guest=Guest(name="Rita Resched", email="rita@example.com", timezone="Europe/Berlin"),
    ).booking

    context = browser.new_context(timezone_id="Europe/Berlin")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{live_server.url}/booking/{links.booking_ref(booking)}/")
    assert page.locator("h2").first.inner_text() == "Your booking"
    screenshot(page, "1-booking")

    page.get_by_role("link", name="Reschedule").click()
    page.locator("a.day.free").first.wait_for()
    screenshot(page, "2-reschedule")
    # Another day than the booking's own: the second free day.
    page.locator("a.day.free").nth(1).click()
    page.wait_for_function("() => document.activeElement?.id === 'panel-title'")
    href = page.locator("a.slot").nth(2).get_attribute("href")
    new_start = int(re.search(r"slot=(\d+)", href)[1])
    page.locator("a.slot").nth(2).click()
    page.get_by_role("button", name="Move my booking").wait_for()
    screenshot(page, "3-confirm-move")
    page.get_by_role("button", name="Move my booking").click()

    page.wait_for_url(re.compile(r"rescheduled=1"))
    assert "moved to the new time" in page.locator("[role=status]").inner_text()
    screenshot(page, "4-moved")
    booking.refresh_from_db()
    assert int(booking.start.timestamp()) == new_start

    page.get_by_text("Cancel this booking").click()
    assert "Please cancel at least an hour ahead." in page.locator(".policy").inner_text()
    page.fill("#id_reason", "Plans changed")
    screenshot(page, "5-cancel-form")
    page.get_by_role("button", name="Cancel booking").click()
    page.get_by_role("heading", name="This booking is cancelled").wait_for()
    assert "Plans changed" in page.locator(".facts").inner_text()
    screenshot(page, "6-cancelled")
    booking.refresh_from_db()
    assert (booking.status, booking.cancellation_reason) == ("cancelled", "Plans changed")
    assert Booking.objects.count() == 1
    context.close()


def test_a_guest_reschedules_then_cancels_with_javascript_disabled(
    live_server, browser, screenshot
):
    call_command("seed_demo", verbosity=0)
    configuration = Configuration.objects.select_related("grant").get(slug="demo")
    first = offered_starts(configuration, "Europe/Berlin")[0]
    booking = services.create_booking(
        configuration=configuration,
        start=first,
        end=None,
        guest=Guest(name="Nora Noscript", email="nora@example.com", timezone="Europe/Berlin"),
    ).booking

    context = browser.new_context(
        java_script_enabled=False,
        timezone_id="Europe/Berlin",
        viewport={"width": 375, "height": 812},
    )
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{live_server.url}/booking/{links.booking_ref(booking)}/")
    screenshot(page, "1-booking-phone")

    page.get_by_role("link", name="Reschedule").click()
    page.wait_for_url(re.compile(r"/reschedule/"))
    # Rendered inline: the booking's day is open, its own time marked and not a link.
    current = page.locator(".slot.current")
    assert "Your current time" in current.inner_text()
    assert page.locator(f'a.slot[href*="slot={first}"]').count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "2-reschedule-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "2-reschedule-desktop")
    page.set_viewport_size({"width": 375, "height": 812})

    page.locator("a.day.free").nth(1).click()
    page.wait_for_url(re.compile(r"day=\d{4}-\d\d-\d\d"))
    href = page.locator("a.slot").nth(1).get_attribute("href")
    new_start = int(re.search(r"slot=(\d+)", href)[1])
    page.locator("a.slot").nth(1).click()
    page.wait_for_url(re.compile(r"slot=\d+"))
    screenshot(page, "3-confirm-move-phone")
    page.get_by_role("button", name="Move my booking").click()

    page.wait_for_url(re.compile(r"rescheduled=1"))
    assert "moved to the new time" in page.locator("[role=status]").inner_text()
    booking.refresh_from_db()
    assert int(booking.start.timestamp()) == new_start

    # <details> opens without JavaScript.
    page.get_by_text("Cancel this booking").click()
    page.fill("#id_reason", "No longer needed")
    screenshot(page, "4-cancel-form-phone")
    page.get_by_role("button", name="Cancel booking").click()
    page.wait_for_url(re.compile(r"cancelled=1"))
    assert page.locator("h2").first.inner_text() == "This booking is cancelled"
    assert "No longer needed" in page.locator(".facts").inner_text()
    screenshot(page, "5-cancelled-phone")
    booking.refresh_from_db()
    assert (booking.status, booking.cancellation_reason) == ("cancelled", "No longer needed")
    context.close()
