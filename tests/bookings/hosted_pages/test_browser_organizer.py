"""An organizer confirms or declines a pending booking from the links in the email they
were sent, in a real Chromium."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone

from bookings import services
from bookings.guest_input import Guest
from bookings.notifications import outbox, sending
from bookings.views.slot_picker import Offer, month_slots, next_month
from pages.models import Configuration
from tests.accessibility import serious_accessibility_problems

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


def emailed_link(mailoutbox, button: str) -> str:
    """The path and query of the organizer's email's link named ``button`` ("Confirm" or
    "Decline"), once the outbox has sent what it owes (as a worker would: the tests'
    mailbox is Django's locmem one)."""
    for claim in outbox.claim_due():
        sending.deliver(claim.message_id, claim.token)
    [request] = [m for m in mailoutbox if m.subject.startswith("Please confirm:")]
    assert request.to == ["Ada Lovelace <ada@demo.example>"], "sent to the demo's organizer"
    url = next(
        line.split(": ", 1)[1]
        for line in request.body.splitlines()
        if line.startswith(f"{button}: ") and "://" in line
    )
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_an_organizer_confirms_a_pending_booking_from_the_link(
    live_server, browser, screenshot, mailoutbox
):
    booking = pending_booking("Paula Pending", "paula@example.com")
    assert booking.status == "pending"
    path = emailed_link(mailoutbox, "Confirm")
    assert path.startswith("/confirm/") and path.endswith("?action=confirm")

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

    assert serious_accessibility_problems(page) == []

    # The link worked once; now it leads to the organizer's page for the booking.
    page.goto(f"{live_server.url}{path}")
    assert page.locator("h1").inner_text() == "This link was already used"
    assert serious_accessibility_problems(page) == []
    screenshot(page, "3-used")
    page.get_by_role("link", name="Open the booking").click()
    page.get_by_role("heading", name="Your meeting with Paula Pending").wait_for()
    assert serious_accessibility_problems(page) == []
    screenshot(page, "4-organizer-page")


def test_an_organizer_declines_with_a_reason_from_the_decline_link(
    live_server, browser, screenshot, mailoutbox
):
    booking = pending_booking("Dora Declined", "dora@example.com")
    path = emailed_link(mailoutbox, "Decline")
    assert path.endswith("?action=decline")
    for width, name in ((1280, "desktop"), (375, "phone")):
        page = browser.new_page(viewport={"width": width, "height": 800})
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(f"{live_server.url}{path}")
        # The decline form comes first, its reason focused: the organizer types at once.
        assert page.evaluate("document.activeElement.id") == "id_reason"
        assert page.locator(".decision form").first.get_attribute("class") == "decline-form first"
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"1-decline-first-{name}")
    page.keyboard.type("I'm away that week.")
    page.get_by_role("button", name="Decline booking").click()
    page.get_by_role("heading", name="Booking declined").wait_for()
    screenshot(page, "2-declined")
    booking.refresh_from_db()
    assert (booking.status, booking.cancellation_reason) == ("cancelled", "I'm away that week.")


def test_an_organizer_cancels_from_the_link_in_the_new_booking_email_on_a_phone(
    live_server, browser, screenshot, mailoutbox
):
    call_command("seed_demo", verbosity=0)
    configuration = Configuration.objects.select_related("grant").get(slug="demo")
    booking = services.create_booking(
        configuration=configuration,
        start=first_offered(configuration),
        end=None,
        guest=Guest(name="Carl Cancelled", email="carl@example.com", timezone="Asia/Kathmandu"),
    ).booking
    for claim in outbox.claim_due():
        sending.deliver(claim.message_id, claim.token)
    [notice] = [m for m in mailoutbox if m.subject.startswith("New booking:")]
    url = next(
        line.split(": ", 1)[1]
        for line in notice.body.splitlines()
        if line.startswith("See or cancel this booking: ")
    )
    path = urlsplit(url).path
    assert path.startswith("/organizer/")
    mailoutbox.clear()

    page = browser.new_page(viewport={"width": 375, "height": 740})
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{live_server.url}{path}")
    assert page.locator("h1").inner_text() == "Your meeting with Carl Cancelled"
    assert "Asia/Kathmandu" in page.locator(".facts").inner_text(), "the guest's zone is shown"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert serious_accessibility_problems(page) == []
    screenshot(page, "1-booking")

    page.get_by_text("Cancel this booking").click()
    page.get_by_label("Reason (optional, sent to the guest)").fill("Something urgent came up.")
    screenshot(page, "2-reason")
    page.get_by_role("button", name="Cancel booking").click()
    page.get_by_role("heading", name="This booking is cancelled").wait_for()
    assert "Carl Cancelled will be told." in page.locator("[role=status]").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert serious_accessibility_problems(page) == []
    screenshot(page, "3-cancelled")
    booking.refresh_from_db()
    assert (booking.status, booking.cancellation_reason) == (
        "cancelled",
        "Something urgent came up.",
    )
    for claim in outbox.claim_due():
        sending.deliver(claim.message_id, claim.token)
    [told] = [m for m in mailoutbox if m.to == ["Carl Cancelled <carl@example.com>"]]
    assert told.subject.startswith("Cancelled:")
    assert "Something urgent came up." in told.body
