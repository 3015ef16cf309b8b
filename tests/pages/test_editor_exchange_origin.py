"""Login CSRF on the Schedule Editor (issue 14, item 11): an edit token sent from a site we
do not trust is not exchanged behind the person's back. The browser is shown which page it
would edit and must confirm with a form of ours (Django's CSRF check); our own origin, the
origins the operator lists, and requests with no browser origin headers exchange directly."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client, override_settings

from pages.editor.access import SESSION_KEY
from pages.models import Configuration
from pages.services import issue_edit_token

CUSTOMER = "https://app.customer.test"
ATTACKER = "https://attacker.test"


@pytest.fixture
def page(owner) -> tuple[Configuration, str]:
    """The attacker's page, say: its owner holds the token and may send it anywhere."""
    configuration = Configuration.objects.create(
        grant=owner, name="Mallory's consultations", slug="mallory"
    )
    return configuration, issue_edit_token(configuration=configuration)


def editor_url(configuration: Configuration) -> str:
    return f"/editor/{configuration.pk}/"


def can_edit(client: Client, configuration: Configuration) -> bool:
    return client.get(editor_url(configuration)).status_code == 200


def ticket_of(response) -> str:
    return re.search(r'name="ticket" value="([^"]+)"', response.content.decode()).group(1)


def test_a_cross_site_post_of_a_token_asks_before_opening_the_editor(page):
    configuration, token = page
    victim = Client(enforce_csrf_checks=True)
    response = victim.post(
        "/editor/",
        {"edit_token": token},
        HTTP_ORIGIN=ATTACKER,
        HTTP_SEC_FETCH_SITE="cross-site",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Open the editor?" in html
    assert "Mallory&#x27;s consultations" in html and "owner@example.com" in html
    assert token not in html
    assert response["Referrer-Policy"] == "strict-origin"
    assert "no-store" in response["Cache-Control"]
    assert SESSION_KEY not in victim.session
    assert not can_edit(victim, configuration)


def test_confirming_on_our_page_opens_the_editor(page):
    configuration, token = page
    person = Client(enforce_csrf_checks=True)
    asked = person.post(
        "/editor/", {"edit_token": token}, HTTP_ORIGIN=CUSTOMER, HTTP_SEC_FETCH_SITE="cross-site"
    )
    confirmed = person.post(
        "/editor/confirm/",
        {"ticket": ticket_of(asked), "csrfmiddlewaretoken": person.cookies["csrftoken"].value},
        HTTP_ORIGIN="http://testserver",
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    assert confirmed.status_code == 303
    assert confirmed["Location"] == editor_url(configuration)
    assert can_edit(person, configuration)


def test_the_confirmation_cannot_itself_be_forged_from_another_site(page):
    configuration, token = page
    attacker = Client()
    ticket = ticket_of(
        attacker.post("/editor/", {"edit_token": token}, HTTP_SEC_FETCH_SITE="cross-site")
    )
    victim = Client(enforce_csrf_checks=True)
    forged = victim.post(
        "/editor/confirm/",
        {"ticket": ticket},
        HTTP_ORIGIN=ATTACKER,
        HTTP_SEC_FETCH_SITE="cross-site",
    )
    assert forged.status_code == 403
    assert not can_edit(victim, configuration)


def test_a_cross_site_link_with_the_token_asks_too(page):
    configuration, token = page
    victim = Client()
    response = victim.get("/editor/", {"edit_token": token}, HTTP_SEC_FETCH_SITE="cross-site")
    assert response.status_code == 200
    assert "Open the editor?" in response.content.decode()
    assert not can_edit(victim, configuration)


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "null"},  # a sandboxed frame or a data: page, no fetch metadata
        {"HTTP_REFERER": f"{ATTACKER}/trap.html"},
        {"HTTP_SEC_FETCH_SITE": "same-site", "HTTP_ORIGIN": "http://other.testserver"},
    ],
)
def test_other_signs_of_another_site_ask_as_well(page, headers):
    configuration, token = page
    victim = Client()
    response = victim.post("/editor/", {"edit_token": token}, **headers)
    assert response.status_code == 200
    assert not can_edit(victim, configuration)


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "none"},  # typed into the address bar, or a bookmark
        {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "http://testserver"},
        {"HTTP_ORIGIN": "http://127.0.0.1:8000"},  # SITE_URL
        {},  # no browser origin headers: a script or an old browser
    ],
)
def test_our_own_origin_exchanges_directly(page, headers):
    configuration, token = page
    person = Client()
    response = person.post("/editor/", {"edit_token": token}, **headers)
    assert response.status_code == 303
    assert can_edit(person, configuration)


@override_settings(SCHEDULER_EDITOR_ORIGINS=[CUSTOMER])
def test_a_listed_customer_app_exchanges_directly_by_post_and_by_link(page):
    configuration, token = page
    by_post = Client()
    response = by_post.post(
        "/editor/", {"edit_token": token}, HTTP_ORIGIN=CUSTOMER, HTTP_SEC_FETCH_SITE="cross-site"
    )
    assert response.status_code == 303
    assert can_edit(by_post, configuration)
    by_link = Client()
    response = by_link.get(
        "/editor/",
        {"edit_token": token},
        HTTP_REFERER=f"{CUSTOMER}/settings/scheduling",
        HTTP_SEC_FETCH_SITE="cross-site",
    )
    assert response.status_code == 302
    assert can_edit(by_link, configuration)
    # Another site is still asked.
    other = Client()
    other.post(
        "/editor/", {"edit_token": token}, HTTP_ORIGIN=ATTACKER, HTTP_SEC_FETCH_SITE="cross-site"
    )
    assert not can_edit(other, configuration)


def test_a_ticket_expires_after_ten_minutes(page):
    configuration, token = page
    person = Client()
    ticket = ticket_of(
        person.post("/editor/", {"edit_token": token}, HTTP_SEC_FETCH_SITE="cross-site")
    )
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=11)):
        response = person.post("/editor/confirm/", {"ticket": ticket})
    assert response.status_code == 403
    assert "This editor link isn&#x27;t valid" in response.content.decode()
    assert not can_edit(person, configuration)


def test_a_ticket_dies_with_the_token_it_was_issued_for(page):
    configuration, token = page
    person = Client()
    ticket = ticket_of(
        person.post("/editor/", {"edit_token": token}, HTTP_SEC_FETCH_SITE="cross-site")
    )
    issue_edit_token(configuration=configuration)
    assert person.post("/editor/confirm/", {"ticket": ticket}).status_code == 403
    assert person.post("/editor/confirm/", {"ticket": "forged"}).status_code == 403
    assert not can_edit(person, configuration)
