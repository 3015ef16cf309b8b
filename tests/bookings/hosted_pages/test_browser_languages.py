"""The language switcher on a phone: nine languages in one small disclosure that opens
a list of links, by their own names; choosing one reloads the page in it."""

from __future__ import annotations

import pytest

from tests.accessibility import serious_accessibility_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TIMEOUT_MS = 10_000


def test_the_language_switcher_fits_a_phone_and_switches_the_page(
    live_server, browser, screenshot, demo_page
):
    context = browser.new_context(
        timezone_id="Asia/Seoul", locale="ko-KR", viewport={"width": 375, "height": 812}
    )
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{live_server.url}/book/demo/?lang=ko")
    page.locator("a.day.free").first.wait_for()
    switcher = page.locator("nav.languages")
    assert switcher.locator("summary").inner_text().strip().endswith("한국어")
    assert switcher.bounding_box()["height"] < 48, "closed, it takes one short line"
    assert not switcher.locator("ul").is_visible()
    screenshot(page, "1-closed")

    switcher.locator("summary").click()
    names = [n.strip() for n in switcher.locator("li").all_inner_texts()]
    assert names == [
        "English", "Français", "Deutsch", "Español", "Nederlands", "Svenska", "日本語", "中文",
        "한국어",
    ]  # fmt: skip
    box = switcher.locator("ul").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375, "the open list stays on screen"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert serious_accessibility_problems(page) == []
    screenshot(page, "2-open")

    switcher.get_by_role("link", name="Français").click()
    page.wait_for_url("**lang=fr**")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.locator("a.day.free").first.wait_for()
    assert "Choisissez un horaire" in page.content()
    context.close()
