"""The admin at 1280 px: the bookings list and the configuration form fit the window,
with the bookings' status in view."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 1280


def _sign_in(page, base: str) -> None:
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "correct horse")
    page.click("input[type=submit]")
    page.wait_for_selector("#user-tools")


def _page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_the_bookings_list_and_the_configuration_form_fit_1280_pixels(
    live_server, browser, screenshot, django_user_model
):
    from django.core.management import call_command

    from bookings import services
    from bookings.guest_input import Guest
    from pages.models import Configuration

    call_command("seed_demo", verbosity=0)
    django_user_model.objects.create_superuser("admin", "admin@example.com", "correct horse")
    configuration = Configuration.objects.get(slug="demo")
    configuration.booking_type = "organizer-confirmation"
    configuration.save()
    today = dt.datetime.now(dt.UTC).date()
    next_monday = today + dt.timedelta(days=7 - today.weekday())
    # 12:00 UTC is 06:00 in Chicago: the first booking at 10:00 Chicago (winter or summer).
    monday = dt.datetime.combine(next_monday, dt.time(16), dt.UTC)
    made = []
    for hour, name in enumerate(["Grace Hopper", "Katherine Johnson", "Dorothy Vaughan"]):
        start = int((monday + dt.timedelta(hours=hour)).timestamp())
        guest = Guest(name=name, email=f"{name.split()[0].lower()}@a-rather-long-domain.example")
        made.append(
            services.create_booking(
                configuration=configuration, start=start, end=None, guest=guest
            ).booking
        )
    services.decline_booking(booking=made[1], reason="Not this week.")

    page = browser.new_page(viewport={"width": WIDTH, "height": 900})
    page.set_default_timeout(15_000)
    not_found = []
    page.on("response", lambda r: not_found.append(r.url) if r.status == 404 else None)
    _sign_in(page, live_server.url)

    page.goto(f"{live_server.url}/admin/bookings/booking/")
    screenshot(page, "1-bookings")
    assert _page_width(page) <= WIDTH
    status_header = page.locator("#result_list thead th", has_text="Status")
    assert status_header.is_visible()
    box = status_header.bounding_box()
    assert box is not None and box["x"] + box["width"] <= WIDTH
    # The list itself does not scroll sideways either (the admin wraps it in a scroller).
    assert page.evaluate(
        "(() => { const r = document.querySelector('.results');"
        " return r.scrollWidth <= r.clientWidth; })()"
    )
    assert page.locator("#result_list", has_text="Declined").is_visible()

    # The admin picks Kolkata (+05:30) from the header: the list follows, header and all.
    page.click("#user-tools a:has-text('Times in America/Chicago')")
    page.select_option("#id_timezone", "Asia/Kolkata")
    page.click("input[type=submit][value=Save]")
    page.wait_for_selector("#result_list")
    assert "Start (Asia/Kolkata)".upper() in page.locator("#result_list thead").inner_text().upper()
    local = dt.datetime.fromtimestamp(made[0].start.timestamp(), ZoneInfo("Asia/Kolkata"))
    assert f"{local:%H:%M}" in page.locator("#result_list").inner_text()
    assert local.minute == 30
    screenshot(page, "1b-bookings-in-kolkata")
    page.goto(f"{live_server.url}/admin/bookings/booking/{made[1].pk}/change/")
    assert page.locator(".field-state", has_text="Declined").is_visible()
    assert _page_width(page) <= WIDTH
    screenshot(page, "1b-declined-booking")
    page.goto(f"{live_server.url}/admin/bookings/outboxmessage/")
    screenshot(page, "1c-outbox", full_page=False)
    assert page.evaluate(
        "(() => { const r = document.querySelector('.results');"
        " return r.scrollWidth <= r.clientWidth; })()"
    ), "the outbox list shows its due times without scrolling sideways"
    page.goto(
        f"{live_server.url}/admin/pages/configuration/{configuration.pk}/why/"
        f"?date={local:%Y-%m-%d}&time={local:%H:%M}&timezone=Asia/Kolkata"
    )
    assert page.locator("tr.blocking-item").count() == 1
    screenshot(page, "1d-why", full_page=False)

    page.goto(f"{live_server.url}/admin/pages/configuration/{configuration.pk}/change/")
    screenshot(page, "2-configuration")
    page.locator("#open_hours-group").scroll_into_view_if_needed()
    screenshot(page, "3-open-hours", full_page=False)
    assert _page_width(page) <= WIDTH
    days = page.locator(".inline-related:not(.empty-form) .field-days input[type=checkbox]")
    boxes = [box.bounding_box() for box in days.all()]
    assert len(boxes) == 7
    assert len({round(b["y"]) for b in boxes}) == 1, "the day checkboxes sit in one row"
    assert max(b["x"] + b["width"] for b in boxes) <= WIDTH

    page.goto(f"{live_server.url}/admin/")
    page.click("#user-tools a:has-text('View site')")
    assert page.locator("a[href='/book/demo/']").is_visible()
    page.goto(f"{live_server.url}/favicon.ico")
    assert not not_found, f"these answered 404: {not_found}"
