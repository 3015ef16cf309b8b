"""The official Scheduling web component, installed from npm and pointed at our base URL
from a page on another origin, works in Chromium with no proxy and no patch: it loads,
a guest picks a time and books, reschedules, cancels, and an organizer confirms a
pending booking through the component's organizer-confirmation mode."""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from playwright.sync_api import expect

from bookings import links
from bookings.models import Booking, OutboxMessage
from bookings.notifications.emails import build
from pages.models import Configuration, OpenHours, Participant
from pages.services import create_api_key, create_grant
from tests.bookings import web_component

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
TIMEOUT_MS = 15_000
# The organizer works in a half-hour zone, the guest's browser is in a quarter-hour one.
ORGANIZER_ZONE = "Asia/Kolkata"
GUEST_ZONE = "Asia/Kathmandu"


@pytest.fixture(scope="session")
def component_package():
    try:
        return web_component.installed_package(Path(settings.VAR_DIR))
    except web_component.Unavailable as why:
        pytest.skip(str(why))


@pytest.fixture
def component_site(component_package):
    site = web_component.ComponentSite(component_package)
    yield site
    site.close()


def make_page(slug: str, **fields) -> Configuration:
    """Open every day, all day, in the organizer's zone: whatever the real clock says,
    there are times to pick today and in the days after."""
    grant, _ = create_grant(
        email=f"{slug}@example.com", name="Olive Organizer", timezone=ORGANIZER_ZONE
    )
    configuration = Configuration.objects.create(
        grant=grant,
        slug=slug,
        name="Intro call",
        title="Intro with Olive",
        duration_minutes=30,
        min_booking_notice=0,
        timezone=ORGANIZER_ZONE,
        **fields,
    )
    participant = Participant.objects.create(
        configuration=configuration,
        grant=grant,
        email=grant.email,
        name=grant.name,
        is_organizer=True,
        timezone=ORGANIZER_ZONE,
        booking_calendar=grant.calendars.get(is_primary=True),
    )
    OpenHours.objects.create(
        configuration=configuration,
        participant=participant,
        days=[0, 1, 2, 3, 4, 5, 6],
        start_minute=0,
        end_minute=24 * 60,
    )
    return configuration


@pytest.fixture
def guest_browser(browser, live_server):
    """A guest's Chromium in a quarter-hour zone; every request it makes is kept."""
    context = browser.new_context(timezone_id=GUEST_ZONE, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.requests, page.responses = [], []
    page.on("request", lambda request: page.requests.append(request))
    page.on("response", lambda response: page.responses.append(response))
    page.on(
        "response", lambda r: print("RESP", r.request.method, r.url, r.status, r.request.post_data)
    )
    page.on("console", lambda m: print("CONSOLE", m.type, m.text[:300]))
    yield page
    context.close()


def api_calls(page, live_server) -> list[tuple[str, str]]:
    """(method, path) of each request the page sent to our API, preflights included."""
    origin = live_server.url
    return [(r.method, urlsplit(r.url).path) for r in page.requests if r.url.startswith(origin)]


def open_loaded(page, url: str) -> None:
    """Open ``url`` and wait until the component has its availability (before that it
    ignores clicks on its buttons)."""
    with page.expect_response(lambda r: "/v3/scheduling/availability" in r.url):
        page.goto(url)
    page.wait_for_timeout(300)  # the render that follows the answer


def answer_to(page, method: str, click) -> int:
    """Click, and the status of the ``method`` request to our API that the click sent."""
    with page.expect_response(
        lambda r: r.request.method == method and "/v3/scheduling/bookings" in r.url
    ) as response:
        click()
    return response.value.status


def pick_a_time(page, index: int = 0) -> None:
    page.locator("nylas-timeslot-picker button.time").nth(index).click()
    page.locator("nylas-timeslot-picker button-component").click()


def booked_through_the_api(configuration: Configuration, client) -> dict:
    """A booking made as any client would, at the first time offered."""
    now = int(time.time())
    offered = client.get(
        "/v3/scheduling/availability",
        {
            "configuration_id": str(configuration.pk),
            "start_time": now,
            "end_time": now + 2 * 86400,
        },
    ).json()["data"]["time_slots"]
    made = client.post(
        f"/v3/scheduling/bookings?configuration_id={configuration.pk}",
        {
            "start_time": offered[2]["start_time"],
            "guest": {"name": "Grace Guest", "email": "grace@example.com"},
        },
        content_type="application/json",
    )
    assert made.status_code == 200, made.content
    return made.json()["data"]


def test_a_guest_on_another_site_books_and_reschedules_with_the_component(
    component_site, guest_browser, live_server, screenshot
):
    configuration = make_page("intro")
    page = guest_browser
    open_loaded(
        page,
        component_site.page(
            "book", scheduler_api_url=live_server.url, configuration_id=str(configuration.pk)
        ),
    )
    # It read our ui-settings (the name and duration are ours) and our availability,
    # shown in the guest's zone (+05:45) on the organizer's grid (+05:30: hh:15, hh:45).
    page.get_by_text("Intro call").wait_for()
    page.get_by_text("30 minutes").wait_for()
    first_label = page.locator("nylas-timeslot-picker button.time").first.inner_text()
    assert first_label.strip()[3:5] in ("15", "45"), first_label
    screenshot(page, "1-loaded")

    pick_a_time(page, 0)
    page.locator("#name input").fill("Grace Guest")
    page.locator("#email input").fill("grace@example.com")
    screenshot(page, "2-form")
    assert answer_to(page, "POST", page.get_by_role("button", name="Book now").click) == 200
    page.get_by_text("Booking confirmed!").wait_for()
    screenshot(page, "3-booked")
    booking = Booking.objects.get()
    assert (booking.status, booking.guest_name, booking.guest_email) == (
        "booked",
        "Grace Guest",
        "grace@example.com",
    )
    local = booking.start.astimezone(ZoneInfo(GUEST_ZONE))
    page.get_by_text(local.strftime("%I:%M %p"), exact=False).first.wait_for()

    # Reschedule from the confirmation: the component asks ui-settings for the booking
    # (its form comes back filled in) and moves it with a PATCH by id, no header.
    page.get_by_role("button", name="Reschedule").click()
    pick_a_time(page, 3)
    # The form is filled from ui-settings after the picker: wait for it, as a guest would.
    expect(page.locator("#email input")).to_have_value("grace@example.com")
    screenshot(page, "4-reschedule-form")
    assert answer_to(page, "PATCH", page.get_by_role("button", name="Book now").click) == 200
    page.get_by_text("Booking rescheduled").wait_for()
    screenshot(page, "5-rescheduled")
    moved = Booking.objects.get()
    assert moved.status == "booked"
    assert moved.start > booking.start

    calls = api_calls(page, live_server)
    assert ("GET", "/v3/scheduling/ui-settings") in calls
    assert ("POST", "/v3/scheduling/bookings") in calls
    # Cross-origin answers the browser let the page read (its JSON POST and PATCH went
    # through a preflight, which Chromium does not report as a request of the page).
    ours = [r for r in page.responses if r.url.startswith(live_server.url)]
    assert ours and all(r.headers["access-control-allow-origin"] == "*" for r in ours)
    assert ("PATCH", f"/v3/scheduling/bookings/{booking.pk}") in calls


def test_a_guest_cancels_with_the_component_from_the_link_in_their_email(
    component_site, guest_browser, live_server, screenshot, client
):
    configuration = make_page("intro")
    address = component_site.page(
        "cancel", scheduler_api_url=live_server.url, cancel_booking_ref="{booking_ref}"
    )
    Configuration.objects.filter(pk=configuration.pk).update(
        cancellation_url=address + "?booking_ref=:booking_ref"
    )
    made = booked_through_the_api(configuration, client)
    booking = Booking.objects.get(pk=made["booking_id"])
    link = links.guest_manage_url(booking)
    assert link.startswith(component_site.url)

    page = guest_browser
    open_loaded(page, link)
    page.locator("nylas-cancel-booking-form textarea").fill("Something came up")
    screenshot(page, "1-cancel-form")
    button = page.locator("nylas-cancel-booking-form").get_by_role("button", name="Cancel booking")
    assert answer_to(page, "DELETE", button.click) == 200
    page.get_by_text("Your booking has been cancelled successfully!").wait_for()
    screenshot(page, "2-cancelled")
    booking.refresh_from_db()
    assert (booking.status, booking.cancellation_reason) == ("cancelled", "Something came up")
    assert ("DELETE", f"/v3/scheduling/bookings/{booking.pk}") in api_calls(page, live_server)


def test_a_guest_reschedules_with_the_component_from_the_link_in_their_email(
    component_site, guest_browser, live_server, screenshot, client
):
    configuration = make_page("intro")
    address = component_site.page(
        "reschedule", scheduler_api_url=live_server.url, reschedule_booking_ref="{booking_ref}"
    )
    Configuration.objects.filter(pk=configuration.pk).update(
        rescheduling_url=address + "?booking_ref=:booking_ref"
    )
    made = booked_through_the_api(configuration, client)
    booking = Booking.objects.get(pk=made["booking_id"])

    page = guest_browser
    open_loaded(page, links.guest_manage_url(booking))
    page.get_by_text("Choose another time slot to reschedule your meeting").wait_for()
    pick_a_time(page, 5)
    screenshot(page, "1-form")
    assert answer_to(page, "PATCH", page.get_by_role("button", name="Book now").click) == 200
    page.get_by_text("Booking rescheduled").wait_for()
    moved = Booking.objects.get()
    assert moved.start != booking.start and moved.status == "booked"


def test_an_organizer_confirms_a_pending_booking_in_the_components_confirmation_mode(
    component_site, guest_browser, live_server, screenshot, client
):
    configuration = make_page("confirm", booking_type="organizer-confirmation")
    address = component_site.page(
        "organizer",
        scheduler_api_url=live_server.url,
        organizer_confirmation_booking_ref="{booking_ref}",
    )
    Configuration.objects.filter(pk=configuration.pk).update(
        organizer_confirmation_url=address + "?booking_ref=:booking_ref"
    )
    made = booked_through_the_api(configuration, client)
    assert made["status"] == "pending"
    request = OutboxMessage.objects.get(purpose="organizer_request")
    link = re.search(re.escape(address) + r"\?booking_ref=[A-Za-z0-9_-]+", build(request).body)
    assert link, build(request).body

    # The guest's own reference in the organizer's mode decides nothing.
    page = guest_browser
    open_loaded(page, f"{address}?booking_ref={made['booking_ref']}")
    confirm = page.get_by_role("button", name="Confirm booking")
    assert answer_to(page, "PUT", confirm.click) == 401
    assert Booking.objects.get().status == "pending"

    open_loaded(page, link.group(0))
    page.get_by_text("Booking pending!").wait_for()
    screenshot(page, "1-pending")
    assert answer_to(page, "PUT", confirm.click) == 200
    page.get_by_text("Your booking has been confirmed successfully!").wait_for()
    screenshot(page, "2-confirmed")
    assert Booking.objects.get().status == "booked"


def test_a_private_configuration_books_through_the_component_with_its_session(
    component_site, guest_browser, live_server, screenshot, client
):
    configuration = make_page("private", requires_session_auth=True)
    _, key = create_api_key(name="site backend")
    session = client.post(
        "/v3/scheduling/sessions",
        {"configuration_id": str(configuration.pk), "time_to_live": 10},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    ).json()["data"]["session_id"]
    page = guest_browser
    # The site's backend made the session; the page gives it to the component alone.
    open_loaded(
        page, component_site.page("private", scheduler_api_url=live_server.url, session_id=session)
    )
    pick_a_time(page, 1)
    page.locator("#name input").fill("Grace Guest")
    page.locator("#email input").fill("grace@example.com")
    assert answer_to(page, "POST", page.get_by_role("button", name="Book now").click) == 200
    page.get_by_text("Booking confirmed!").wait_for()
    screenshot(page, "1-booked")
    assert Booking.objects.get().configuration_id == configuration.pk
    # Every call carried the session in Authorization, which the preflights allowed.
    ours = [r for r in page.requests if r.url.startswith(live_server.url)]
    assert ours and all(r.headers.get("authorization") == f"Bearer {session}" for r in ours)


def test_a_public_configuration_by_slug_books_through_the_component(
    component_site, guest_browser, live_server
):
    make_page("by-slug")
    page = guest_browser
    open_loaded(
        page,
        component_site.page(
            "slug", scheduler_api_url=live_server.url, slug="by-slug", client_id="any-client"
        ),
    )
    pick_a_time(page, 0)
    page.locator("#name input").fill("Grace Guest")
    page.locator("#email input").fill("grace@example.com")
    assert answer_to(page, "POST", page.get_by_role("button", name="Book now").click) == 200
    page.get_by_text("Booking confirmed!").wait_for()
    assert Booking.objects.get().configuration.slug == "by-slug"
