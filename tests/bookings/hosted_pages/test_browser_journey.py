"""A guest's whole journey in Chromium at phone and desktop widths, with axe-core
looking at every page on the way: the month, the day, the form, the confirmation, the
manage page, the reschedule page, the cancelled page. On a phone, picking a time brings
the form into view with its button within reach."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command

from pages.models import AdditionalField, Configuration, Grant
from tests.accessibility import serious_accessibility_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TIMEOUT_MS = 10_000
WIDTHS = {"phone": (375, 812), "desktop": (1280, 800)}


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0)
    configuration = Configuration.objects.get(slug="demo")
    AdditionalField.objects.create(
        configuration=configuration,
        key="topic",
        label="What would you like to discuss in our first conversation together?",
        type="multi_line_text",
    )
    Grant.objects.filter(pk=configuration.grant_id).update(
        picture_url="https://cdn.example.invalid/ada.png"
    )


def check(page, screenshot, name: str) -> None:
    screenshot(page, name)
    assert serious_accessibility_problems(page) == [], name
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{name}: nothing overflows sideways"


@pytest.mark.parametrize("size", sorted(WIDTHS))
def test_the_guests_journey_is_accessible_at_phone_and_desktop_width(
    live_server, browser, screenshot, demo, size
):
    width, height = WIDTHS[size]
    context = browser.new_context(
        timezone_id="Asia/Kolkata", locale="en-GB", viewport={"width": width, "height": height}
    )
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{live_server.url}/book/demo/")
    page.locator("a.day.free").first.wait_for()
    check(page, screenshot, f"{size}-1-month")

    page.locator("a.day.free").nth(1).click()
    page.wait_for_function("() => document.activeElement?.id === 'panel-title'")
    assert re.fullmatch(r"\d\d:\d\d", page.locator("a.slot").first.inner_text().strip()), "en-GB"
    check(page, screenshot, f"{size}-2-day")

    page.locator("a.slot").first.click()
    page.wait_for_function("() => document.activeElement?.id === 'form-title'")
    # The form is in view, and its button no more than a screen and a half below its top.
    title = page.locator("#form-title").bounding_box()
    button = page.get_by_role("button", name="Book it").bounding_box()
    assert 0 <= title["y"] < height, "the form is scrolled into view"
    assert button["y"] + button["height"] - title["y"] < 1.5 * height, "the button is near"
    check(page, screenshot, f"{size}-3-form")

    page.fill("#id_name", "Priya Guest")
    page.fill("#id_email", "priya@example.com")
    page.get_by_role("button", name="Book it").click()
    page.wait_for_url(re.compile(r"/booking/[^/]+/\?booked=1"))
    check(page, screenshot, f"{size}-4-confirmation")

    manage = page.url.split("?")[0]
    page.goto(manage)
    check(page, screenshot, f"{size}-5-manage")

    page.get_by_role("link", name="Reschedule").click()
    page.locator("span.slot.current").wait_for()
    check(page, screenshot, f"{size}-6-reschedule")

    page.goto(manage)
    page.get_by_text("Cancel this booking").click()
    page.get_by_role("button", name="Cancel booking").click()
    page.get_by_role("link", name="Book another time").wait_for()
    check(page, screenshot, f"{size}-7-cancelled")
    context.close()
