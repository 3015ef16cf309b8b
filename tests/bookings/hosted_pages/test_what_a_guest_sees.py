"""What a guest expects to see, and no dead ends: the organizer's name and picture, the
company's logo, the meeting link; answers under their (long) questions on every page and
email; a way to book another time after a cancellation or a decline."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bookings import links, services
from bookings.guest_input import Guest
from bookings.notifications import outbox, sending
from pages.models import AdditionalField, Configuration, Grant

CHICAGO = ZoneInfo("America/Chicago")
NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
MONDAY = dt.date(2026, 12, 7)
QUESTION = "What would you like to discuss in our first conversation together?"


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def page(make_configuration):
    configuration = make_configuration(
        slug="intro",
        title="Intro call",
        location="https://meet.example.com/ada-intro",
        description="A first call.",
        appearance={"company_logo_url": "https://cdn.example.com/logo.png"},
    )
    AdditionalField.objects.create(configuration=configuration, key="topic", label=QUESTION)
    return configuration


def book(page) -> object:
    start = int(dt.datetime.combine(MONDAY, dt.time(10), tzinfo=CHICAGO).timestamp())
    return services.create_booking(
        configuration=page,
        start=start,
        end=None,
        guest=Guest(
            name="Grace",
            email="grace@example.com",
            timezone="America/Chicago",
            language="en",
            additional_fields={"topic": "Pricing\nand the roadmap"},
        ),
    )


def deliver_due() -> None:
    for claim in outbox.claim_due():
        sending.deliver(claim.message_id, claim.token)


def test_the_page_shows_the_organizers_picture_the_logo_and_the_meeting_link(client, page):
    Grant.objects.filter(pk=page.hosts[0].pk).update(
        name="Ada Lovelace", picture_url="https://cdn.example.com/ada.jpg"
    )
    html = client.get("/book/intro/").content.decode()
    assert '<img class="avatar" src="https://cdn.example.com/ada.jpg"' in html
    assert "</span>" in html.split('class="avatar"')[1].split("</dd>")[0]
    assert '<img class="logo" src="https://cdn.example.com/logo.png"' in html
    assert '<a href="https://meet.example.com/ada-intro" rel="noopener noreferrer">' in html
    assert "30 minutes" in html
    assert "A first call." in html


def test_a_stored_script_picture_is_never_written_into_the_page(client, page):
    Grant.objects.filter(pk=page.hosts[0].pk).update(picture_url="javascript:alert(1)")
    html = client.get("/book/intro/").content.decode()
    assert "javascript:" not in html
    assert 'class="avatar"' not in html


def test_the_api_takes_an_https_picture_and_refuses_a_script(api, api_key):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_key}"}
    bad = api.post(
        "/v3/grants",
        {"email": "p@example.com", "picture_url": "javascript:alert(1)"},
        format="json",
        **auth,
    )
    assert bad.status_code == 400
    assert "picture_url" in bad.json()["error"]["message"]
    good = api.post(
        "/v3/grants",
        {"email": "p@example.com", "picture_url": "https://cdn.example.com/p.png"},
        format="json",
        **auth,
    )
    assert good.status_code == 200, good.content
    assert good.json()["data"]["picture_url"] == "https://cdn.example.com/p.png"


def test_long_questions_have_their_answers_below_them_on_the_manage_page(client, page):
    made = book(page)
    html = client.get(f"/booking/{made.booking_ref}/").content.decode()
    answers = re.search(r'<dl class="answers">(.*?)</dl>', html, re.S)
    assert answers, "the answers are a list of their own, not squeezed beside the facts"
    assert f"<dt>{QUESTION}</dt><dd>Pricing\nand the roadmap</dd>" in answers[1]


def test_the_organizers_email_puts_each_answer_under_its_question(page, mailoutbox):
    book(page)
    deliver_due()
    notice = next(m for m in mailoutbox if page.hosts[0].email in m.to[0])
    assert f"{QUESTION}\nPricing\nand the roadmap" in notice.body
    assert f"{QUESTION}:" not in notice.body
    html = notice.alternatives[0][0]
    assert re.search(rf"<td[^>]*>{re.escape(QUESTION)}</td></tr><tr><td>Pricing<br>", html)


def test_after_cancelling_the_guest_can_book_another_time(client, page, mailoutbox):
    made = book(page)
    client.post(f"/booking/{made.booking_ref}/cancel/", {"reason": "Clash"})
    html = client.get(f"/booking/{made.booking_ref}/?cancelled=1").content.decode()
    assert re.search(r'<a class="button" href="/book/intro/\?tz=[^"]+">Book another time</a>', html)
    deliver_due()
    to_guest = [m for m in mailoutbox if "grace@example.com" in m.to[0]]
    cancelled = to_guest[-1]
    assert f"Book another time: {links.booking_page_url(page)}" in cancelled.body


def test_a_declined_guest_is_offered_the_page_again(page, mailoutbox):
    Configuration.objects.filter(pk=page.pk).update(booking_type="organizer-confirmation")
    page.refresh_from_db()
    made = book(page)
    services.decline_booking(booking=made.booking, reason="Fully booked")
    deliver_due()
    declined = [m for m in mailoutbox if "grace@example.com" in m.to[0]][-1]
    assert "Book another time" in declined.body
    assert links.booking_page_url(page) in declined.body
