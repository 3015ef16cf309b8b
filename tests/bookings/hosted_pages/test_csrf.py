"""A form refused by the CSRF check: a page a guest understands (and, with htmx, a notice
that leaves the page as it was), in the page's language, with a way back to a fresh form."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from bookings import links, services
from bookings.guest_input import Guest
from bookings.models import Booking

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
START = int(dt.datetime(2026, 12, 7, 10, tzinfo=ZoneInfo("America/Chicago")).timestamp())


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def page(make_configuration):
    return make_configuration(slug="intro", title="Intro call")


@pytest.fixture
def strict():
    return Client(enforce_csrf_checks=True)


def booking_form(**fields) -> dict:
    return {
        "slot": str(START),
        "tz": "Europe/Berlin",
        "lang": "en",
        "name": "Grace Guest",
        "email": "grace@example.com",
        **fields,
    }


def test_a_form_refused_by_the_csrf_check_says_it_expired(strict, page):
    response = strict.post("/book/intro/", booking_form())
    assert response.status_code == 403
    html = response.content.decode()
    assert "This form has expired" in html
    assert "Nothing was booked or changed." in html
    assert "CSRF verification failed" not in html
    # Back to the same step: the form for the same time, in the same zone and language.
    assert (
        f'href="/book/intro/?tz=Europe%2FBerlin&amp;lang=en&amp;slot={START}">Reload the page'
        in html
    )
    assert 'href="/static/css/site.css"' in html, "the site's own page"
    assert not Booking.objects.exists()


def test_the_expired_form_page_speaks_the_pages_language(strict, page):
    response = strict.post("/book/intro/", booking_form(lang="de"))
    html = response.content.decode()
    assert '<html lang="de">' in html
    assert "Dieses Formular ist abgelaufen" in html and "Seite neu laden" in html
    html = strict.post("/book/intro/", {}, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Dieses Formular ist abgelaufen" in html


def test_an_htmx_post_refused_by_the_csrf_check_leaves_the_page_usable(strict, page):
    response = strict.post(
        "/book/intro/", booking_form(), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="panel"
    )
    assert response.status_code == 403
    # Not into #panel (the day links would have nothing left to swap into): at the top of
    # the page, which keeps the form and what the guest typed.
    assert response["HX-Retarget"] == "#main"
    assert response["HX-Reswap"] == "afterbegin"
    html = response.content.decode()
    assert 'id="panel"' not in html and "<html" not in html
    assert 'role="alert"' in html and "data-focus" in html
    assert "This form has expired" in html and "Reload the page" in html


def test_a_refused_cancel_links_back_to_the_bookings_page(strict, page):
    booking = services.create_booking(
        configuration=page,
        start=START,
        end=None,
        guest=Guest(name="Grace", email="grace@example.com"),
    ).booking
    ref = links.booking_ref(booking)
    response = strict.post(f"/booking/{ref}/cancel/", {"reason": "x", "lang": "en"})
    assert response.status_code == 403
    assert f'href="/booking/{ref}/?lang=en"' in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == "booked"


def test_a_form_with_its_token_is_still_accepted(strict, page):
    strict.get(f"/book/intro/?slot={START}", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="panel")
    token = strict.cookies["csrftoken"].value
    response = strict.post("/book/intro/", booking_form(csrfmiddlewaretoken=token))
    assert response.status_code == 303
