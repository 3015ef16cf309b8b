"""The Schedule Editor in a real Chromium: opened with the page's edit token, the owner
edits the title and the opening hours, sees an inline error, saves, and the hosted page
shows the change."""

from __future__ import annotations

import json
import re

import pytest
from rest_framework.test import APIClient

from pages.models import Configuration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TIMEOUT_MS = 10_000


@pytest.fixture
def v2_page(owner) -> tuple[Configuration, str]:
    """A page made as a backend makes it (seed 000, Smart Integration), and its token."""
    calendar_id = str(owner.calendars.get(is_primary=True).pk)
    body = {
        "access_tokens": [owner.token],
        "name": "Coffee with Olive",
        "slug": "coffee",
        "config": {
            "event": {"title": "30-min Coffee Meeting", "duration": 30, "location": "Cafe"},
            "timezone": "America/Chicago",
            "calendar_ids": {
                str(owner.pk): {"availability": [calendar_id], "booking": calendar_id}
            },
            "booking": {
                "opening_hours": [
                    {
                        "account_id": str(owner.pk),
                        "days": ["M", "T", "W", "R", "F"],
                        "start": "09:00",
                        "end": "17:00",
                    }
                ],
                "additional_fields": [{"name": "company", "label": "Company", "type": "text"}],
            },
            "reminders": [{"delivery_method": "email", "time_before_event": 30}],
        },
    }
    response = APIClient().post(
        "/manage/pages", body, format="json", HTTP_AUTHORIZATION=f"Bearer {owner.token}"
    )
    assert response.status_code == 200, response.content
    return Configuration.objects.get(pk=response.json()["configuration_id"]), response.json()[
        "edit_token"
    ]


def new_page(browser, **options):
    page = browser.new_page(**options)
    page.set_default_timeout(TIMEOUT_MS)
    return page


def test_the_owner_edits_title_and_hours_and_the_hosted_page_shows_them(
    live_server, browser, screenshot, v2_page
):
    configuration, token = v2_page
    page = new_page(browser, viewport={"width": 1100, "height": 900})
    page.goto(f"{live_server.url}/editor/?edit_token={token}")
    # Only the first request carried the token.
    assert page.url == f"{live_server.url}/editor/{configuration.pk}/"
    assert page.locator("h1").inner_text() == "Coffee with Olive"
    screenshot(page, "1-opened")

    event = page.locator("#event")
    event.get_by_label("Title").fill("Tea with Olive")
    event.get_by_role("button", name="Save event").click()
    page.locator("#event-status").get_by_text("Saved.").wait_for()
    assert event.get_by_label("Title").input_value() == "Tea with Olive"

    # Opening hours: an end before the start is refused beside the field.
    availability = page.locator("#availability")
    first = availability.locator(".row-card").first
    first.get_by_label("Until").fill("08:00")
    availability.get_by_role("button", name="Save availability").click()
    error = page.locator("#id_hours-0-end_error")
    error.wait_for()
    assert "The end must be after the start." in error.inner_text()
    assert page.locator("#id_hours-0-end").get_attribute("aria-invalid") == "true"
    assert "Not saved" in page.locator("#availability-status").inner_text()
    # Focus goes to the field that needs fixing.
    page.wait_for_function("() => document.activeElement.id === 'id_hours-0-end'")
    screenshot(page, "2-inline-error")
    configuration.refresh_from_db()
    assert configuration.participants.get().open_hours.get().end_minute == 17 * 60

    # Fixed, plus Saturday mornings in a row added with htmx.
    first = availability.locator(".row-card").first
    first.get_by_label("Until").fill("12:30")
    availability.get_by_role("button", name="Add opening hours").click()
    rows = availability.locator(".row-card")
    rows.nth(2).wait_for()  # the saved row, the empty extra row, the one just added
    added = rows.nth(2)
    # Focus moves into the new row once htmx has settled it.
    page.wait_for_function("() => document.activeElement.name === 'hours-2-days'")
    added.get_by_label("Sat").check()
    added.get_by_label("From").fill("10:00")
    added.get_by_label("Until").fill("14:00")
    availability.get_by_role("button", name="Save availability").click()
    page.locator("#availability-status").get_by_text("Saved.").wait_for()
    screenshot(page, "3-saved")
    hours = configuration.participants.get().open_hours.order_by("pk")
    assert [(h.days, h.start_minute, h.end_minute) for h in hours] == [
        ([1, 2, 3, 4, 5], 9 * 60, 12 * 60 + 30),
        ([6], 10 * 60, 14 * 60),
    ]

    # The preview link opens the hosted page, which shows the new title.
    with page.context.expect_page() as opened:
        page.get_by_role("link", name=re.compile("View the booking page")).click()
    hosted = opened.value
    hosted.set_default_timeout(TIMEOUT_MS)
    hosted.wait_for_load_state()
    assert hosted.url == f"{live_server.url}/book/coffee/"
    assert hosted.locator("h1").inner_text() == "Tea with Olive"
    screenshot(hosted, "4-hosted-page")
    page.close()


def test_the_editor_fits_a_phone(live_server, browser, screenshot, v2_page):
    _configuration, token = v2_page
    page = new_page(browser, viewport={"width": 390, "height": 844}, is_mobile=True)
    page.goto(f"{live_server.url}/editor/?edit_token={token}")
    availability = page.locator("#availability")
    availability.locator(".row-card").first.get_by_label("Until").fill("08:00")
    availability.get_by_role("button", name="Save availability").click()
    page.locator("#id_hours-0-end_error").wait_for()
    # Nothing is wider than the screen.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    screenshot(page, "phone")
    page.close()


CUSTOMER_APP = "http://app.customer.test"


def token_form(action: str, token: str) -> str:
    return (
        f'<form method="post" action="{action}">'
        f'<input type="hidden" name="edit_token" value={json.dumps(token)}>'
        "<button>Edit my scheduling page</button></form>"
    )


def test_a_listed_customer_app_posts_the_token_straight_into_the_editor(
    live_server, browser, settings, v2_page
):
    """The POST exchange from the page owner's app, a listed origin (served here by the
    browser itself): the session cookie set by the answer is sent with the redirect that
    follows (SameSite=Lax)."""
    settings.SCHEDULER_EDITOR_ORIGINS = [CUSTOMER_APP]
    configuration, token = v2_page
    page = new_page(browser)
    page.route(
        f"{CUSTOMER_APP}/**",
        lambda route: route.fulfill(
            content_type="text/html", body=token_form(f"{live_server.url}/editor/", token)
        ),
    )
    page.goto(f"{CUSTOMER_APP}/settings")
    page.get_by_role("button").click()
    page.wait_for_url(f"{live_server.url}/editor/{configuration.pk}/")
    assert page.locator("h1").inner_text() == "Coffee with Olive"
    page.close()


def test_a_token_posted_from_another_site_opens_the_editor_once_the_person_confirms(
    live_server, browser, screenshot, v2_page
):
    """Login CSRF: the same form on a site nobody listed (here a page with no origin at
    all) lands on a page of ours that names the page to be edited."""
    configuration, token = v2_page
    page = new_page(browser)
    page.set_content(token_form(f"{live_server.url}/editor/", token))
    page.get_by_role("button").click()
    page.get_by_role("heading", name="Open the editor?").wait_for()
    assert "Coffee with Olive" in page.locator("main").inner_text()
    assert token not in page.content()
    screenshot(page, "confirm-exchange")
    page.get_by_role("button", name="Open the editor").click()
    page.wait_for_url(f"{live_server.url}/editor/{configuration.pk}/")
    assert page.locator("h1").inner_text() == "Coffee with Olive"
    page.close()


def test_the_editor_works_with_javascript_off(live_server, browser, screenshot, v2_page):
    configuration, token = v2_page
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{live_server.url}/editor/?edit_token={token}")
    reminders = page.locator("#reminders")
    reminders.locator(".row-card").nth(1).get_by_label("Minutes before").fill("1440")
    reminders.get_by_role("button", name="Save reminders").click()
    page.wait_for_url(re.compile(r"\?saved=reminders#reminders$"))
    assert "Saved." in page.locator("#reminders-status").inner_text()
    assert sorted(configuration.reminders.values_list("minutes_before_event", flat=True)) == [
        30,
        1440,
    ]

    questions = page.locator("#questions")
    questions.locator(".row-card").nth(1).get_by_label("Question").fill("Team size")
    questions.locator(".row-card").nth(1).get_by_label("Type").select_option("dropdown")
    questions.get_by_role("button", name="Save questions").click()
    error = page.locator("#id_questions-1-options_error")
    assert "needs at least one option" in error.inner_text()
    screenshot(page, "error")
    context.close()
