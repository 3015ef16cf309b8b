"""The booking page as an embed (pages/embeds.py, bookings/views/embed.py): framed only by
the origins its configuration (or SCHEDULER_EMBED_ORIGINS) allows, with exactly those in
frame-ancestors; its forms work with no cookie, by a signed per-render token checked with
the request's Origin; every other page and form keeps 'none' and Django's CSRF check."""

from __future__ import annotations

import datetime as dt
import json
import re
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from bookings.models import Booking, OutboxMessage
from bookings.notifications.webhooks import booking_info
from pages import embeds
from pages.models import AdditionalField

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
# A Monday, 10:30 for the organizer in Kolkata (UTC+05:30, open 09:00-17:00): 05:00 UTC,
# 10:45 for the guest in Kathmandu's quarter-hour zone.
START = int(dt.datetime(2026, 12, 7, 10, 30, tzinfo=ZoneInfo("Asia/Kolkata")).timestamp())
HOST = "https://www.customer.test"
OTHER = "https://attacker.test"
OURS = "http://testserver"


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def page(make_configuration):
    configuration = make_configuration(
        slug="intro",
        title="Intro call",
        zones=["Asia/Kolkata"],
        appearance={"embed_origins": f"{HOST}, https://shop.customer.test"},
    )
    AdditionalField.objects.create(
        configuration=configuration, key="company", label="Company", type="text"
    )
    return configuration


@pytest.fixture
def strict():
    """A browser with no cookie for us (third-party cookies blocked): CSRF enforced."""
    return Client(enforce_csrf_checks=True)


def frame_ancestors(response) -> str:
    policy = response["Content-Security-Policy"]
    return re.search(r"frame-ancestors ([^;]*)", policy)[1].strip()


def embed_token(response) -> str:
    return re.search(r'"x-scheduler-embed": "([^"]+)"', response.content.decode())[1]


def embedded(client, path="/book/intro/", origin=HOST, **query):
    params = "&".join(f"{k}={quote(v)}" for k, v in {"embed": origin, **query}.items())
    return client.get(f"{path}?{params}")


def booking_form(**fields) -> dict:
    return {
        "slot": str(START),
        "tz": "Asia/Kathmandu",
        "lang": "en",
        "name": "Grace Guest",
        "email": "grace@example.com",
        **fields,
    }


def test_pages_are_not_framed_by_default(client, page):
    response = client.get("/book/intro/")
    assert response["X-Frame-Options"] == "DENY"
    assert frame_ancestors(response) == "'none'"
    assert "x-scheduler-embed" not in response.content.decode()


def test_an_allowed_origin_may_frame_the_page_and_only_the_allowed_ones(client, page):
    response = embedded(client)
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert frame_ancestors(response) == f"{HOST} https://shop.customer.test"
    html = response.content.decode()
    assert f'<meta name="scheduler-embed-origin" content="{HOST}">' in html
    assert "js/embed_frame.js" in html
    assert "page_viewed" in html


def test_an_origin_the_page_does_not_list_gets_the_unframeable_page(client, page):
    response = embedded(client, origin=OTHER)
    assert response["X-Frame-Options"] == "DENY"
    assert frame_ancestors(response) == "'none'"
    assert "scheduler-embed-origin" not in response.content.decode()


def test_the_operators_default_origins_apply_to_every_page(client, page, settings):
    settings.SCHEDULER_EMBED_ORIGINS = ["https://intranet.example.org"]
    response = embedded(client, origin="https://intranet.example.org")
    assert frame_ancestors(response) == (
        f"{HOST} https://shop.customer.test https://intranet.example.org"
    )


def test_the_admin_and_the_api_docs_stay_unframeable(client, page):
    for path in ("/admin/login/", f"/admin/login/?embed={HOST}"):
        response = client.get(path)
        assert response["X-Frame-Options"] == "DENY"
        assert frame_ancestors(response) == "'none'"


def test_an_embedded_guest_books_with_no_cookie_and_the_metadata_is_kept(strict, page):
    prefill = json.dumps(
        {
            "name": "Grace Guest",
            "answers": {"company": "Acme"},
            "metadata": {"utm_source": "newsletter", "plan": 3},
        }
    )
    shown = embedded(strict, prefill=prefill, tz="Asia/Kathmandu", slot=str(START))
    html = shown.content.decode()
    assert 'value="Grace Guest"' in html and 'value="Acme"' in html
    token = embed_token(shown)
    response = strict.post(
        "/book/intro/",
        booking_form(),
        HTTP_X_SCHEDULER_EMBED=token,
        HTTP_ORIGIN=OURS,
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    assert response.status_code == 303, response.content.decode()[:300]
    assert f"embed={quote(HOST, safe='')}" in response["Location"]
    booking = Booking.objects.get()
    assert booking.metadata == {"utm_source": "newsletter", "plan": "3"}
    assert booking_info(booking)["metadata"] == {"utm_source": "newsletter", "plan": "3"}

    confirmation = strict.get(response["Location"])
    assert frame_ancestors(confirmation) == f"{HOST} https://shop.customer.test"
    events = re.search(r'data-embed-events="([^"]+)"', confirmation.content.decode())[1]
    event = json.loads(events.replace("&quot;", '"'))[0]
    assert event == {
        "type": "booking_created",
        "data": {
            "booking_id": str(booking.pk),
            "start": "2026-12-07T05:00:00Z",
            "end": "2026-12-07T05:30:00Z",
            "status": "booked",
        },
    }


def test_a_plain_form_post_carries_the_token_as_a_field(strict, page):
    token = embed_token(embedded(strict, tz="Asia/Kathmandu", slot=str(START)))
    response = strict.post("/book/intro/", booking_form(embed_token=token), HTTP_ORIGIN=OURS)
    assert response.status_code == 303
    assert Booking.objects.count() == 1


def test_a_token_posted_from_another_origin_is_refused(strict, page):
    token = embed_token(embedded(strict))
    response = strict.post(
        "/book/intro/",
        booking_form(),
        HTTP_X_SCHEDULER_EMBED=token,
        HTTP_ORIGIN=OTHER,
        HTTP_SEC_FETCH_SITE="cross-site",
    )
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()
    assert not Booking.objects.exists()


def test_a_token_posted_with_no_origin_is_refused(strict, page):
    token = embed_token(embedded(strict))
    response = strict.post("/book/intro/", booking_form(), HTTP_X_SCHEDULER_EMBED=token)
    assert response.status_code == 403
    assert not Booking.objects.exists()


def test_a_token_of_another_page_is_refused(strict, page, make_configuration):
    make_configuration(
        ("other-host@example.com",), slug="other", appearance={"embed_origins": HOST}
    )
    token = embed_token(embedded(strict, path="/book/other/"))
    response = strict.post(
        "/book/intro/", booking_form(), HTTP_X_SCHEDULER_EMBED=token, HTTP_ORIGIN=OURS
    )
    assert response.status_code == 403
    assert not Booking.objects.exists()


def test_a_forged_or_expired_token_is_refused(strict, page):
    token = embed_token(embedded(strict))
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for sent in (forged, "not-a-token"):
        response = strict.post(
            "/book/intro/", booking_form(), HTTP_X_SCHEDULER_EMBED=sent, HTTP_ORIGIN=OURS
        )
        assert response.status_code == 403
    with time_machine.travel(NOW + dt.timedelta(seconds=embeds.FORM_TOKEN_MAX_AGE + 60)):
        response = strict.post(
            "/book/intro/", booking_form(), HTTP_X_SCHEDULER_EMBED=token, HTTP_ORIGIN=OURS
        )
    assert response.status_code == 403
    assert not Booking.objects.exists()


def test_without_a_token_the_form_keeps_djangos_csrf_check(strict, page):
    response = strict.post("/book/intro/", booking_form(), HTTP_ORIGIN=OURS)
    assert response.status_code == 403
    assert not Booking.objects.exists()


def test_the_rate_limit_counts_embedded_posts_too(strict, page, settings):
    settings.SCHEDULER_PAGE_RATE_LIMITS = {"ip": (3, 600)}
    token = embed_token(embedded(strict))
    statuses = []
    for attempt in range(4):
        response = strict.post(
            "/book/intro/",
            booking_form(slot="", email=f"g{attempt}@example.com"),
            HTTP_X_SCHEDULER_EMBED=token,
            HTTP_ORIGIN=OURS,
        )
        statuses.append(response.status_code)
    assert statuses[-1] == 429
    assert set(statuses[:-1]) == {400}


def test_an_embedded_guest_cancels_with_no_cookie(strict, page):
    token = embed_token(embedded(strict, tz="Asia/Kathmandu", slot=str(START)))
    booked = strict.post(
        "/book/intro/", booking_form(), HTTP_X_SCHEDULER_EMBED=token, HTTP_ORIGIN=OURS
    )
    manage = strict.get(booked["Location"])
    token = embed_token(manage)
    path = booked["Location"].split("?")[0]
    response = strict.post(
        f"{path}cancel/",
        {"reason": "", "lang": "en"},
        HTTP_X_SCHEDULER_EMBED=token,
        HTTP_ORIGIN=OURS,
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="booking",
    )
    assert response.status_code == 200
    assert Booking.objects.get().status == Booking.Status.CANCELLED
    assert "booking_cancelled" in response.content.decode()
    assert OutboxMessage.objects.filter(purpose="cancelled").exists()


def test_the_drop_in_script_is_served_cacheable(client):
    response = client.get("/embed.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "public, max-age=3600"
    body = response.content.decode()
    assert "data-scheduler-inline" in body and "nylas.scheduler" in body


def test_an_embedded_guest_reschedules_with_no_cookie_and_the_host_hears_it(strict, page):
    token = embed_token(embedded(strict, tz="Asia/Kathmandu", slot=str(START)))
    booked = strict.post(
        "/book/intro/", booking_form(), HTTP_X_SCHEDULER_EMBED=token, HTTP_ORIGIN=OURS
    )
    path = booked["Location"].split("?")[0]
    page_token = embed_token(embedded(strict, path=f"{path}reschedule/"))
    later = START + 3600
    moved = strict.post(
        f"{path}reschedule/",
        {"slot": str(later), "tz": "Asia/Kathmandu", "lang": "en"},
        HTTP_X_SCHEDULER_EMBED=page_token,
        HTTP_ORIGIN=OURS,
    )
    assert moved.status_code == 303, moved.content.decode()[:300]
    assert "rescheduled=1" in moved["Location"] and "embed=" in moved["Location"]
    booking = Booking.objects.get()
    assert int(booking.start.timestamp()) == later
    shown = strict.get(moved["Location"])
    assert frame_ancestors(shown) == f"{HOST} https://shop.customer.test"
    assert "booking_rescheduled" in shown.content.decode()


def test_a_reschedule_without_a_token_keeps_djangos_csrf_check(strict, page):
    token = embed_token(embedded(strict, tz="Asia/Kathmandu", slot=str(START)))
    booked = strict.post(
        "/book/intro/", booking_form(), HTTP_X_SCHEDULER_EMBED=token, HTTP_ORIGIN=OURS
    )
    path = booked["Location"].split("?")[0]
    refused = strict.post(
        f"{path}reschedule/", {"slot": str(START + 3600), "tz": "Asia/Kathmandu"}, HTTP_ORIGIN=OURS
    )
    assert refused.status_code == 403
    assert int(Booking.objects.get().start.timestamp()) == START
