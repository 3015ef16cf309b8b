"""Every response carries a Content-Security-Policy: scripts from our own origin (or with
the request's nonce) only, no framing. Our templates hold no inline script, so the
pages work under it (the browser tests of the pages, the editor and the admin run with
it); and in Chromium a script injected into a page does not run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bookings import links

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def reports_of(page) -> list[str]:
    """What Chromium says on the console about the policy, as it happens."""
    reports: list[str] = []

    def keep(message):
        if "Content Security Policy" in message.text:
            reports.append(message.text)

    page.on("console", keep)
    return reports


def make_booking(configuration):
    from bookings.models import Booking

    booking = Booking.objects.create(
        configuration=configuration,
        start="2030-01-07T15:00:00Z",
        end="2030-01-07T15:30:00Z",
        guest_name="Grace",
        guest_email="grace@example.com",
        salt_digest="not used here",
    )
    return links.booking_ref(booking)


@pytest.fixture
def booking_ref(demo_page):
    return make_booking(demo_page)


@pytest.mark.parametrize(
    "path",
    [
        "/book/demo/",
        "/editor/",
        "/admin/login/",
        "/v3/docs",
        "/v3/schema",
        "/healthz",
        "/book/no-such-page/",
        "/v3/grants",
    ],
)
def test_every_page_carries_the_policy(client, demo_page, path):
    response = client.get(path)
    policy = directives(response)
    assert policy["script-src"][0] == "'self'"
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]


def test_the_guests_booking_page_carries_the_policy(client, booking_ref):
    response = client.get(f"/booking/{booking_ref}/")
    assert response.status_code == 200
    assert directives(response)["script-src"][0] == "'self'"


def test_no_template_has_an_inline_script_or_event_handler():
    found = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and "nonce=" not in tag:
                found.append(f"{template}: {tag}")
        for handler in re.findall(r"<[^>]*\son[a-z]+\s*=", text):
            found.append(f"{template}: {handler}")
        if "javascript:" in text:
            found.append(f"{template}: javascript:")
    assert found == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_script_injected_into_a_page_does_not_run(live_server, browser):
    """The server's real answer, with a script added to it on the way (as a stored
    injection would); the policy in its header stops it, and the page's own scripts
    still run."""
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    page = browser.new_page()
    page.set_default_timeout(15_000)
    violations = reports_of(page)

    def inject(route):
        response = route.fetch()
        html = response.text().replace(
            "</body>",
            "<script>window.injected = 'ran'</script>"
            '<img src="x" onerror="window.injectedHandler = \'ran\'"></body>',
        )
        route.fulfill(response=response, body=html)

    page.route(f"{live_server.url}/book/demo/", inject)
    page.goto(f"{live_server.url}/book/demo/")
    page.wait_for_function("() => window.htmx !== undefined")
    page.wait_for_selector("#picker .day.free, #picker .notice")  # htmx loaded the month
    assert page.evaluate("() => window.injected") is None
    assert page.evaluate("() => window.injectedHandler") is None
    assert violations, "Chromium reports the refused script"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_our_pages_run_under_the_policy_without_a_violation(
    live_server, browser, django_user_model
):
    from django.core.management import call_command

    from pages.models import Configuration
    from pages.services import issue_edit_token

    call_command("seed_demo", verbosity=0)
    configuration = Configuration.objects.get(slug="demo")
    ref = make_booking(configuration)
    edit_token = issue_edit_token(configuration=configuration)
    django_user_model.objects.create_superuser("admin", "admin@example.com", "correct horse")
    page = browser.new_page()
    page.set_default_timeout(15_000)
    violations = reports_of(page)
    page.goto(f"{live_server.url}/book/demo/")
    page.wait_for_selector("#picker .day.free, #picker .notice")
    page.goto(f"{live_server.url}/booking/{ref}/?booked=1")
    page.goto(f"{live_server.url}/booking/{ref}/reschedule/")
    page.goto(f"{live_server.url}/editor/?edit_token={edit_token}")
    page.wait_for_selector("form")
    page.goto(f"{live_server.url}/v3/docs")
    page.wait_for_selector(".swagger-ui .info")
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "correct horse")
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/pages/configuration/{configuration.pk}/change/")
    page.wait_for_selector("#configuration_form")
    assert violations == []
