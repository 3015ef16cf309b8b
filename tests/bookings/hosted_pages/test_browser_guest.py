"""A guest books the demo page in a real Chromium: in another zone than the organizer's,
with htmx; and with JavaScript switched off."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from bookings.models import Booking
from bookings.views.language import format_instant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TIMEOUT_MS = 10_000


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0)


def first_slot_start(page) -> int:
    href = page.locator("a.slot").first.get_attribute("href")
    return int(re.search(r"slot=(\d+)", href)[1])


def test_a_guest_in_tokyo_books_the_demo_page_in_local_time(live_server, browser, screenshot, demo):
    context = browser.new_context(timezone_id="Asia/Tokyo", locale="en-US")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{live_server.url}/book/demo/")

    # The browser's zone was detected and the month loaded as a fragment.
    page.locator("a.day.free").first.wait_for()
    assert page.locator("#id_tz").input_value() == "Asia/Tokyo"
    assert "Times are shown in Asia/Tokyo (UTC+09:00)." in page.locator(".zone-note").inner_text()
    screenshot(page, "1-month")

    # Choose the second free day (the first is open already), then its first time.
    page.locator("a.day.free").nth(1).click()
    page.wait_for_function("() => document.activeElement?.id === 'panel-title'")
    start = first_slot_start(page)
    expected = format_instant(start, "Asia/Tokyo", "time", "en")
    assert page.locator("a.slot").first.inner_text().strip() == expected
    # The organizer works 09:00-17:00 in Chicago: after midnight in Tokyo.
    chicago_hour = dt.datetime.fromtimestamp(start, ZoneInfo("America/Chicago")).hour
    tokyo_hour = dt.datetime.fromtimestamp(start, ZoneInfo("Asia/Tokyo")).hour
    assert chicago_hour == 9 and tokyo_hour in (0, 23)
    assert "slot=" not in page.url and "day=" in page.url, "the chosen day is in the address"
    screenshot(page, "2-day")

    page.locator("a.slot").first.click()
    page.wait_for_function("() => document.activeElement?.id === 'form-title'")
    page.fill("#id_name", "Kenji <Guest>")
    page.fill("#id_email", "kenji@example.com")
    screenshot(page, "3-form")
    page.get_by_role("button", name="Book it").click()

    page.wait_for_url(re.compile(r"/booking/[^/]+/\?booked=1"))
    assert page.locator("h2").first.inner_text() == "You're booked"
    when = page.locator(".facts dd").first.inner_text()
    assert expected in when and "Asia/Tokyo" in when
    assert "Kenji <Guest>" in page.locator(".facts").inner_text()
    screenshot(page, "4-confirmation")

    booking = Booking.objects.get()
    assert int(booking.start.timestamp()) == start
    assert booking.guest_timezone == "Asia/Tokyo"

    with page.expect_download() as download:
        page.get_by_role("link", name="Add to calendar (.ics)").click()
    assert download.value.suggested_filename.endswith(".ics")
    context.close()


def test_the_page_is_usable_at_phone_width(live_server, browser, screenshot, demo):
    context = browser.new_context(
        timezone_id="Europe/Berlin", viewport={"width": 390, "height": 844}, locale="de-DE"
    )
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{live_server.url}/book/demo/?lang=de")
    page.locator("a.day.free").first.wait_for()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "nothing overflows sideways"
    assert "Die Zeiten sind in Europe/Berlin" in page.locator(".zone-note").inner_text()
    screenshot(page, "phone-month")
    page.locator("a.slot").first.click()
    page.locator("#id_name").wait_for()
    screenshot(page, "phone-form")
    context.close()


def test_a_keyboard_user_can_book(live_server, browser, demo):
    context = browser.new_context(timezone_id="America/Chicago")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{live_server.url}/book/demo/")
    page.locator("a.day.free").first.wait_for()
    page.locator("a.day.free").nth(1).focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement?.id === 'panel-title'")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "slot"
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement?.id === 'form-title'")
    page.keyboard.press("Tab")  # from the heading to the "choose another time" link
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_name"
    page.keyboard.type("Keyboard Guest")
    page.keyboard.press("Tab")
    page.keyboard.type("keys@example.com")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/booking/"))
    assert Booking.objects.get().guest_name == "Keyboard Guest"
    context.close()


def test_errors_are_shown_inline_and_focused(live_server, browser, screenshot, demo):
    context = browser.new_context(timezone_id="America/Chicago")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{live_server.url}/book/demo/")
    page.locator("a.slot").first.click()
    page.locator("#id_name").wait_for()
    page.fill("#id_name", "Guest")
    # Browser validation lets this through (it has an @ and a dot-free domain is allowed
    # there); clean_guest does not.
    page.fill("#id_email", "guest@localhost")
    page.get_by_role("button", name="Book it").click()
    page.locator("#id_email_error").wait_for()
    assert "email address" in page.locator("#id_email_error").inner_text()
    page.wait_for_function("() => document.activeElement.getAttribute('role') === 'alert'")
    screenshot(page, "error")
    assert not Booking.objects.exists()
    context.close()


def test_the_booking_works_with_javascript_disabled(live_server, browser, screenshot, demo):
    context = browser.new_context(java_script_enabled=False, timezone_id="Europe/Berlin")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{live_server.url}/book/demo/")
    # No button to press: the calendar comes at once, in the organizer's zone.
    page.locator("a.day.free").first.wait_for()
    assert "tz=America%2FChicago" in page.url
    screenshot(page, "1-organizers-zone")
    page.fill("#id_tz", "Europe/Berlin")
    page.get_by_role("button", name="Show times").click()
    page.wait_for_url(re.compile(r"tz=Europe%2FBerlin"))
    page.locator("a.day.free").first.wait_for()
    screenshot(page, "2-month")

    page.locator("a.day.free").nth(1).click()
    page.wait_for_url(re.compile(r"day=\d{4}-\d\d-\d\d"))
    start = first_slot_start(page)
    assert page.locator("a.slot").first.inner_text().strip() == format_instant(
        start, "Europe/Berlin", "time", "en"
    )
    page.locator("a.slot").first.click()
    page.wait_for_url(re.compile(r"slot=\d+"))
    page.fill("#id_name", "No Script")
    page.fill("#id_email", "noscript@example.com")
    screenshot(page, "3-form")
    page.get_by_role("button", name="Book it").click()
    page.wait_for_url(re.compile(r"/booking/[^/]+/\?booked=1"))
    assert page.locator("h2").first.inner_text() == "You're booked"
    screenshot(page, "4-confirmation")
    booking = Booking.objects.get()
    assert (booking.guest_name, int(booking.start.timestamp())) == ("No Script", start)
    context.close()


def test_the_guest_can_pick_another_zone_from_the_list(live_server, browser, demo):
    context = browser.new_context(timezone_id="America/New_York")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{live_server.url}/book/demo/")
    page.locator("a.day.free").first.wait_for()
    assert "America/New York (UTC-05:00)" in page.locator(".zone-note").inner_text()
    assert page.locator("#zone-list option[value='Asia/Kolkata']").count() == 1
    page.fill("#id_tz", "Asia/Kolkata")
    page.press("#id_tz", "Enter")
    page.wait_for_function(
        "() => document.querySelector('.zone-note').textContent.includes('Asia/Kolkata')"
    )
    assert "UTC+05:30" in page.locator(".zone-note").inner_text()
    assert "tz=Asia%2FKolkata" in page.url
    start = first_slot_start(page)
    assert page.locator("a.slot").first.inner_text().strip() == format_instant(
        start, "Asia/Kolkata", "time", "en"
    )
    context.close()


def test_a_city_typed_in_the_zone_field_finds_its_zone(live_server, browser, screenshot, demo):
    context = browser.new_context(timezone_id="America/New_York")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{live_server.url}/book/demo/")
    page.locator("a.day.free").first.wait_for()
    assert page.get_by_role("button", name="Show times").count() == 0, "for JavaScript off only"
    label = page.locator("#zone-list option[value='America/New_York']").inner_text()
    assert label.startswith("Eastern Time - New York, United States (E")

    page.fill("#id_tz", "berlin")
    page.press("#id_tz", "Enter")
    page.wait_for_function(
        "() => document.querySelector('.zone-note').textContent.includes('Europe/Berlin')"
    )
    # The field says it too.
    page.wait_for_function("() => document.getElementById('id_tz').value === 'Europe/Berlin'")
    assert "tz=Europe%2FBerlin" in page.url or "tz=berlin" in page.url
    screenshot(page, "1-berlin")

    page.fill("#id_tz", "Atlantis")
    page.press("#id_tz", "Enter")
    problem = page.locator(".zone-problem")
    problem.wait_for()
    assert "We don't know the time zone “Atlantis”; showing times in America/Chicago" in (
        problem.inner_text()
    )
    page.wait_for_function("() => document.getElementById('id_tz').value === 'America/Chicago'")
    screenshot(page, "2-unknown-desktop")
    page.set_viewport_size({"width": 375, "height": 812})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "2-unknown-phone")
    context.close()


def test_an_expired_form_says_so_and_the_page_keeps_working(live_server, browser, screenshot, demo):
    context = browser.new_context(timezone_id="America/Chicago")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{live_server.url}/book/demo/")
    page.locator("a.slot").first.click()
    page.fill("#id_name", "Stale Form")
    page.fill("#id_email", "stale@example.com")
    context.clear_cookies()  # the form's token no longer matches any cookie
    page.get_by_role("button", name="Book it").click()

    notice = page.locator(".form-expired")
    notice.wait_for()
    assert "This form has expired" in notice.inner_text()
    page.wait_for_function("() => document.activeElement.classList.contains('form-expired')")
    assert page.locator("#id_name").input_value() == "Stale Form", "what was typed stays"
    assert not page.locator("#request-error").is_visible()
    screenshot(page, "1-expired")
    assert not Booking.objects.exists()

    # The page still works: a day's times load into the panel, and a fresh form books.
    page.locator("a.day.free").nth(1).click()
    page.wait_for_function("() => document.activeElement?.id === 'panel-title'")
    page.locator("a.slot").first.click()
    page.fill("#id_name", "Fresh Form")
    page.fill("#id_email", "fresh@example.com")
    page.get_by_role("button", name="Book it").click()
    page.wait_for_url(re.compile(r"/booking/[^/]+/\?booked=1"))
    assert Booking.objects.get().guest_name == "Fresh Form"
    context.close()


def test_a_time_taken_meanwhile_keeps_the_form_and_offers_the_days_free_times(
    live_server, browser, screenshot, demo
):
    from bookings import services
    from bookings.guest_input import Guest
    from pages.models import Configuration

    context = browser.new_context(timezone_id="Europe/Berlin")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{live_server.url}/book/demo/")
    page.locator("a.day.free").nth(1).click()
    page.wait_for_function("() => document.activeElement?.id === 'panel-title'")
    start = first_slot_start(page)
    page.locator("a.slot").first.click()
    page.fill("#id_name", "Late Guest")
    page.fill("#id_email", "late@example.com")
    page.fill("#id_additional_guests", "ann@example.com")
    # Someone else books that time meanwhile.
    services.create_booking(
        configuration=Configuration.objects.get(slug="demo"),
        start=start,
        end=None,
        guest=Guest(name="Quick", email="quick@example.com"),
    )
    page.get_by_role("button", name="Book it").click()

    page.get_by_text("just booked by someone else").wait_for()
    assert page.locator("#id_name").input_value() == "Late Guest"
    assert page.locator("#id_additional_guests").input_value() == "ann@example.com"
    assert page.locator(f'input[name="slot"][value="{start}"]').count() == 0
    assert page.locator(".month").count() == 1, "the month swapped in place, not doubled"
    screenshot(page, "1-fresh-times-desktop")
    page.set_viewport_size({"width": 375, "height": 812})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "1-fresh-times-phone")

    page.locator('input[name="slot"]').first.check()
    page.get_by_role("button", name="Book it").click()
    page.wait_for_url(re.compile(r"/booking/[^/]+/\?booked=1"))
    booking = Booking.objects.get(guest_email="late@example.com")
    assert booking.guest_name == "Late Guest" and booking.start.timestamp() > start
    context.close()


def test_a_guest_in_kolkata_sees_the_organizers_45_minute_grid(
    live_server, browser, screenshot, make_configuration
):
    """+05:30 is where a grid anchored in the guest's zone went wrong: the page's times are
    09:00, 09:45, 10:30 ... in Chicago, shown as 8:30 PM, 9:15 PM ... in Kolkata."""
    make_configuration(slug="consult", duration_minutes=45, timezone="America/Chicago")
    context = browser.new_context(timezone_id="Asia/Kolkata", locale="en-US")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{live_server.url}/book/consult/")
    page.locator("a.day.free").first.wait_for()
    assert page.locator("#id_tz").input_value() in ("Asia/Kolkata", "Asia/Calcutta")
    page.locator("a.day.free").nth(1).click()
    page.wait_for_function("() => document.activeElement?.id === 'panel-title'")
    screenshot(page, "kolkata-day")
    chicago = ZoneInfo("America/Chicago")
    shown = []
    for link in page.locator("a.slot").all():
        start = int(re.search(r"slot=(\d+)", link.get_attribute("href"))[1])
        local = dt.datetime.fromtimestamp(start, chicago)
        minutes_after_nine = local.hour * 60 + local.minute - 9 * 60
        assert minutes_after_nine % 45 == 0, f"{local:%H:%M} in Chicago is off the page's grid"
        assert link.inner_text().strip() == format_instant(start, "Asia/Kolkata", "time", "en")
        shown.append(local.strftime("%H:%M"))
    assert shown and set(shown) <= {f"{9 + m // 60:02d}:{m % 60:02d}" for m in range(0, 420, 45)}
    assert "09:00" in shown
    context.close()


def test_the_demo_page_renders_in_a_real_browser(live_server, browser, screenshot):
    call_command("seed_demo", verbosity=0)
    page = browser.new_page(timezone_id="Europe/Berlin")
    page.goto(f"{live_server.url}/book/demo/")
    assert page.locator("h1").inner_text() == "30-minute intro call"
    assert page.evaluate("typeof htmx") == "object", "vendored htmx must load from /static/"
    screenshot(page, "demo")
