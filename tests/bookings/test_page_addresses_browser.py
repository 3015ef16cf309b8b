"""The audit's reproduction in Chromium: a ``javascript:`` rescheduling address stored
past every check becomes no link that runs script on /booking/<ref>/."""

from __future__ import annotations

import pytest

from bookings import links

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_stored_script_address_does_not_run_when_the_guest_clicks_their_link(
    live_server, browser
):
    from django.core.management import call_command

    from bookings.models import Booking
    from pages.models import Configuration

    call_command("seed_demo", verbosity=0)
    Configuration.objects.filter(slug="demo").update(
        rescheduling_url="javascript:alert(document.domain)//:booking_ref"
    )
    booking = Booking.objects.create(
        configuration=Configuration.objects.get(slug="demo"),
        start="2030-01-07T15:00:00Z",
        end="2030-01-07T15:30:00Z",
        guest_name="Grace",
        guest_email="grace@example.com",
        salt_digest="not used here",
    )
    ref = links.booking_ref(booking)
    page = browser.new_page()
    page.set_default_timeout(15_000)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{live_server.url}/booking/{ref}/?booked=1")
    link = page.locator(".manage-link a")
    assert link.get_attribute("href").endswith(f"/booking/{ref}/")
    link.click()
    page.wait_for_load_state()
    assert dialogs == []
    assert page.url.startswith(f"{live_server.url}/booking/{ref}/")
