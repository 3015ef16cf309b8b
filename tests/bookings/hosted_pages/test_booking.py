"""/book/<slug>/: the shell, the month and day fragments, the form, and booking."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bookings.models import Booking
from bookings.views import slot_picker
from pages.models import AdditionalField, Configuration

CHICAGO = ZoneInfo("America/Chicago")
BERLIN = ZoneInfo("Europe/Berlin")
NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)  # a Tuesday, 06:00 in Chicago
MONDAY = dt.date(2026, 12, 7)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def page(make_configuration):
    return make_configuration(
        slug="intro",
        title="Intro call",
        timezone="America/Chicago",
        appearance={
            "color": "#0f766e",
            "company_name": "Acme",
            "logo": "https://example.com/logo.png",
            "submit_text": "Reserve",
            "thank_you_text": "See you soon!",
        },
    )


def chicago(day: dt.date, hour: int, minute: int = 0) -> int:
    return int(dt.datetime.combine(day, dt.time(hour, minute), tzinfo=CHICAGO).timestamp())


def fragment(client, url: str, target: str):
    return client.get(url, **HTMX, HTTP_HX_TARGET=target)


def slot_starts(html: str) -> list[int]:
    return [int(s) for s in re.findall(r'class="slot" href="[^"]*slot=(\d+)', html)]


def form_data(start: int, **fields) -> dict:
    return {
        "slot": str(start),
        "tz": "Europe/Berlin",
        "lang": "en",
        "name": "Grace Guest",
        "email": "grace@example.com",
        **fields,
    }


# The shell


def test_the_shell_shows_the_configuration_and_its_appearance(client, page):
    response = client.get("/book/intro/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Intro call" in html
    assert "30 minutes" in html
    assert "Acme" in html
    assert 'src="https://example.com/logo.png"' in html
    assert "--accent: #0f766e" in html
    assert 'hx-trigger="load"' in html, "the picker loads as a fragment"
    assert 'name="tz"' in html and "data-detect-zone" in html


def test_the_shell_computes_no_availability(client, page, monkeypatch, django_assert_num_queries):
    def refuse(*args, **kwargs):
        raise AssertionError("the shell must not run the engine")

    monkeypatch.setattr(slot_picker, "load_engine_input", refuse)
    assert client.get("/book/intro/").status_code == 200
    with django_assert_num_queries(1):  # what it shows, checked: nothing else
        assert client.get("/book/intro/").status_code == 200


def test_the_shell_shows_every_change_at_once(client, page):
    """The shell is rendered once per process, keyed by everything it shows."""
    assert "Intro call" in client.get("/book/intro/").content.decode()
    Configuration.objects.filter(pk=page.pk).update(title="Renamed call")  # no updated_at
    assert "Renamed call" in client.get("/book/intro/").content.decode()
    page.participants.update(name="Hanna Host")
    assert "Hanna Host" in client.get("/book/intro/").content.decode()
    Configuration.objects.filter(pk=page.pk).update(appearance={"company_name": "Globex"})
    html = client.get("/book/intro/").content.decode()
    assert "Globex" in html and "Acme" not in html
    Configuration.objects.filter(pk=page.pk).update(requires_session_auth=True)
    assert client.get("/book/intro/").status_code == 404


def test_the_shared_shell_carries_no_csrf_secret(page):
    """The shell is cached for everyone: no visitor's token may be in it."""
    from django.test import Client

    for visitor in (Client(), Client()):
        response = visitor.get("/book/intro/")
        assert "csrf" not in response.content.decode().lower()
        assert "csrftoken" not in response.cookies


def test_each_visitor_gets_their_own_token_with_the_form(page):
    from django.test import Client

    url = f"/book/intro/?slot={chicago(MONDAY, 10)}"
    tokens = set()
    for visitor in (Client(), Client()):
        html = visitor.get(url, **HTMX, HTTP_HX_TARGET="panel").content.decode()
        tokens.add(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1])
        assert "csrftoken" in visitor.cookies
    assert len(tokens) == 2


def test_an_unknown_slug_and_a_private_configuration_are_404(client, page):
    assert client.get("/book/nope/").status_code == 404
    Configuration.objects.filter(pk=page.pk).update(requires_session_auth=True)
    response = client.get("/book/intro/")
    assert response.status_code == 404
    assert "doesn" in response.content.decode()


def test_a_page_without_hosts_says_it_has_nothing_to_offer(client, page):
    page.participants.all().delete()
    html = client.get("/book/intro/").content.decode()
    assert "no times to offer" in html
    assert 'hx-trigger="load"' not in html


def test_an_unsafe_logo_or_color_is_left_out(client, page):
    Configuration.objects.filter(pk=page.pk).update(
        appearance={"logo": "javascript:alert(1)", "color": "red;}</style><script>x()"}
    )
    html = client.get("/book/intro/").content.decode()
    assert "javascript:" not in html
    assert "<script>x()" not in html
    assert "--accent: #2563eb" in html


def test_a_light_color_gets_dark_text_for_contrast(client, page):
    Configuration.objects.filter(pk=page.pk).update(appearance={"color": "#ffeb3b"})
    html = client.get("/book/intro/").content.decode()
    assert "--on-accent: #111827" in html


def test_the_zone_list_is_hidden_unless_show_timezone_options(client, page):
    assert 'list="zone-list"' in client.get("/book/intro/").content.decode()
    Configuration.objects.filter(pk=page.pk).update(appearance={"show_timezone_options": False})
    html = client.get("/book/intro/").content.decode()
    assert 'list="zone-list"' not in html
    assert 'type="hidden" name="tz" value="America/Chicago"' in html


# The month and the day


def test_the_month_fragment_marks_the_days_with_free_slots(client, page):
    response = fragment(client, "/book/intro/?tz=Europe/Berlin", "picker")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and 'id="picker"' in html
    assert "December 2026" in html
    free = set(re.findall(r'class="day free[^"]*" href="[^"]*day=(\d{4}-\d\d-\d\d)', html))
    # Every weekday (09:00-17:00 in Chicago is 16:00-24:00 in Berlin) from today (06:00
    # in Chicago) until the 30 days ahead end on Dec 31 at noon UTC, before 09:00 there.
    weekdays = {
        (dt.date(2026, 12, 1) + dt.timedelta(days=i)).isoformat()
        for i in range(30)
        if (dt.date(2026, 12, 1) + dt.timedelta(days=i)).weekday() < 5
    }
    assert free == weekdays
    assert "HX-Request" in response.headers["Vary"]


def test_the_first_free_day_is_opened_with_its_local_times(client, page):
    html = fragment(client, "/book/intro/?tz=Europe/Berlin", "picker").content.decode()
    # Tuesday Dec 1, 09:00 Chicago = 16:00 Berlin.
    assert "Tuesday, December 1" in html
    assert slot_starts(html)[0] == chicago(dt.date(2026, 12, 1), 9)
    assert ">4:00 PM<" in html
    assert "Europe/Berlin (UTC+01:00)" in html


def test_the_picker_shows_exactly_what_the_availability_api_offers(client, make_configuration):
    """Guest in Kolkata (+05:30), 50-minute interval: a grid that does not divide a day."""
    make_configuration(slug="odd", duration_minutes=50, interval_minutes=50, round_to=5)
    zone = ZoneInfo("Asia/Kolkata")
    month_start = int(dt.datetime(2026, 12, 1, tzinfo=zone).timestamp())
    month_end = int(dt.datetime(2027, 1, 1, tzinfo=zone).timestamp())
    api = client.get(
        "/v3/scheduling/availability",
        {"slug": "odd", "start_time": month_start, "end_time": month_end + 50 * 60},
    ).json()["data"]["time_slots"]
    expected = defaultdict(list)
    for slot in api:
        if slot["start_time"] < month_end:
            day = dt.datetime.fromtimestamp(slot["start_time"], zone).date()
            expected[day].append(slot["start_time"])
    assert expected

    month = fragment(client, "/book/odd/?tz=Asia/Kolkata&month=2026-12", "picker").content.decode()
    free = {
        dt.date.fromisoformat(d)
        for d in re.findall(r'class="day free[^"]*" href="[^"]*day=([\d-]+)', month)
    }
    assert free == set(expected)
    for day in sorted(expected)[:6]:
        url = f"/book/odd/?tz=Asia/Kolkata&day={day.isoformat()}"
        assert slot_starts(fragment(client, url, "panel").content.decode()) == expected[day]


def test_a_day_fragment_lists_that_days_times(client, page):
    response = fragment(client, f"/book/intro/?tz=Europe/Berlin&day={MONDAY}", "panel")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="panel"')
    starts = slot_starts(html)
    assert starts[0] == chicago(MONDAY, 9)
    assert starts[-1] == chicago(MONDAY, 16, 30)
    assert len(starts) == 16
    assert "data-focus" in html


def test_a_busy_time_is_not_offered(client, page, busy_event):
    start = dt.datetime.combine(MONDAY, dt.time(10), tzinfo=CHICAGO)
    busy_event(page.hosts[0], start, start + dt.timedelta(hours=1))
    html = fragment(client, f"/book/intro/?tz=America/Chicago&day={MONDAY}", "panel").content
    starts = slot_starts(html.decode())
    assert chicago(MONDAY, 10) not in starts and chicago(MONDAY, 10, 30) not in starts
    assert chicago(MONDAY, 11) in starts


def test_a_month_with_nothing_says_so_and_offers_the_next(client, page):
    html = fragment(client, "/book/intro/?tz=UTC&month=2026-12", "picker").content.decode()
    assert "There are no free times" not in html
    Configuration.objects.filter(pk=page.pk).update(available_days_in_future=1)
    page.open_hours.update(days=[0])  # Sundays only, and only one day ahead
    html = fragment(client, "/book/intro/?tz=UTC", "picker").content.decode()
    assert "There are no free times to book right now" in html


def test_the_page_renders_the_picker_inline_when_the_url_asks(client, page):
    """With JavaScript off the zone form's button leads here: everything in one page."""
    response = client.get("/book/intro/?tz=Europe/Berlin&lang=en")
    html = response.content.decode()
    assert "<html" in html and 'id="picker"' in html and 'hx-trigger="load"' not in html
    assert slot_starts(html)


def test_an_unknown_zone_falls_back_to_the_configurations(client, page):
    html = fragment(client, "/book/intro/?tz=Mars/Olympus", "picker").content.decode()
    assert "America/Chicago" in html
    assert "We don't know the time zone “Mars/Olympus”; showing times in America/Chicago" in html


def test_the_chosen_day_is_the_current_one_and_today_the_current_date(client, page):
    html = fragment(client, f"/book/intro/?tz=America/Chicago&day={MONDAY}", "picker").text
    [chosen] = re.findall(r'<a class="day free[^>]*aria-current="true"[^>]*>', html)
    assert f"day={MONDAY}" in chosen
    [today] = re.findall(r'<a class="day free today"[^>]*>', html)
    assert 'aria-current="date"' in today and "day=2026-12-01" in today
    assert 'aria-current="date"' not in chosen


# The form


@pytest.fixture
def questions(page):
    def add(key, type, **fields):
        return AdditionalField.objects.create(
            configuration=page, key=key, label=fields.pop("label", key.title()), type=type, **fields
        )

    add("company", "text", required=True, pattern="[A-Za-z ]+", order=1)
    add("notes", "multi_line_text", order=2)
    add("work_email", "email", order=3)
    add("phone", "phone_number", order=4)
    add("size", "dropdown", options=["1-10", "11-50"], order=5)
    add("when", "date", order=6)
    add("terms", "checkbox", required=True, label="I accept the terms", order=7)
    add("channel", "radio_button", options=["Email", "Phone"], order=8)
    add("topics", "multi_select", options=["Pricing", "Support"], order=9)
    add("source", "metadata", default="web", order=10)
    return page


def test_choosing_a_slot_opens_the_form_with_every_question(client, questions):
    start = chicago(MONDAY, 10)
    html = fragment(client, f"/book/intro/?tz=Europe/Berlin&slot={start}", "panel").content.decode()
    assert "Monday, December 7, 5:00 PM" in html
    assert 'name="name"' in html and 'name="email"' in html
    assert 'id="id_field_company" name="field_company" type="text"' in html
    assert 'pattern="[A-Za-z ]+"' in html
    assert '<textarea id="id_field_notes"' in html
    assert 'type="email"' in html and 'type="tel"' in html and 'type="date"' in html
    assert '<select id="id_field_size"' in html
    assert 'type="radio" name="field_channel" value="Email"' in html
    assert 'type="checkbox" name="field_topics" value="Pricing"' in html
    assert 'type="checkbox" id="id_field_terms"' in html
    assert '<input type="hidden" name="field_source" value="web">' in html
    assert 'name="additional_guests"' in html
    assert ">Reserve</button>" in html


def test_additional_guests_are_not_asked_when_hidden(client, page):
    Configuration.objects.filter(pk=page.pk).update(hide_additional_guests=True)
    start = chicago(MONDAY, 10)
    html = fragment(client, f"/book/intro/?slot={start}", "panel").content.decode()
    assert 'name="additional_guests"' not in html


def test_a_slot_no_longer_offered_says_so_instead_of_a_form(client, page):
    start = chicago(MONDAY, 3)  # outside open hours
    html = fragment(client, f"/book/intro/?tz=America/Chicago&slot={start}", "panel").content
    assert b"no longer available" in html
    assert b'name="email"' not in html


# Booking


def test_a_guest_books_and_is_sent_to_the_confirmation(client, questions):
    start = chicago(MONDAY, 10)
    data = form_data(
        start,
        field_company="Acme Inc",
        field_notes="Hello\nthere",
        field_work_email="g@acme.example",
        field_phone="+49 30 123456",
        field_size="11-50",
        field_when="2026-12-24",
        field_terms="on",
        field_channel="Phone",
        field_topics=["Pricing", "Support"],
        field_source="newsletter",
        additional_guests="ann@example.com, bob@example.com",
        email_language="de",
    )
    response = client.post("/book/intro/", data)
    assert response.status_code == 303
    booking = Booking.objects.get()
    assert response["Location"].startswith("/booking/")
    assert "booked=1" in response["Location"] and "lang=de" in response["Location"]
    assert int(booking.start.timestamp()) == start
    assert booking.guest_timezone == "Europe/Berlin"
    assert booking.language == "de"
    assert booking.additional_guests == [
        {"name": "", "email": "ann@example.com"},
        {"name": "", "email": "bob@example.com"},
    ]
    assert booking.additional_fields == {
        "company": "Acme Inc",
        "notes": "Hello\nthere",
        "work_email": "g@acme.example",
        "phone": "+49 30 123456",
        "size": "11-50",
        "when": "2026-12-24",
        "terms": True,
        "channel": "Phone",
        "topics": ["Pricing", "Support"],
        "source": "newsletter",
    }
    confirmation = client.get(response["Location"]).content.decode()
    assert "Ihr Termin ist gebucht" in confirmation


def test_an_htmx_booking_redirects_the_browser(client, page):
    response = client.post(
        "/book/intro/", form_data(chicago(MONDAY, 10)), **HTMX, HTTP_HX_TARGET="panel"
    )
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith("/booking/")


def test_the_confirmation_redirect_url_is_where_the_guest_goes(client, page):
    Configuration.objects.filter(pk=page.pk).update(
        confirmation_redirect_url="https://example.com/thanks"
    )
    response = client.post("/book/intro/", form_data(chicago(MONDAY, 10)))
    assert (response.status_code, response["Location"]) == (303, "https://example.com/thanks")
    response = client.post(
        "/book/intro/", form_data(chicago(MONDAY, 11)), **HTMX, HTTP_HX_TARGET="panel"
    )
    assert response["HX-Redirect"] == "https://example.com/thanks"


def test_a_stored_script_redirect_sends_the_guest_to_their_own_page(client, page):
    # Written straight into the database, past the API's checks.
    Configuration.objects.filter(pk=page.pk).update(
        confirmation_redirect_url="javascript:alert(document.domain)"
    )
    response = client.post("/book/intro/", form_data(chicago(MONDAY, 10)))
    assert response.status_code == 303
    assert response["Location"].startswith("/booking/")
    response = client.post(
        "/book/intro/", form_data(chicago(MONDAY, 11)), **HTMX, HTTP_HX_TARGET="panel"
    )
    assert response["HX-Redirect"].startswith("/booking/")


def test_a_pending_booking_says_it_waits_for_the_organizer(client, page):
    Configuration.objects.filter(pk=page.pk).update(booking_type="organizer-confirmation")
    response = client.post("/book/intro/", form_data(chicago(MONDAY, 10)))
    html = client.get(response["Location"]).content.decode()
    assert "Waiting for the organizer to confirm" in html
    assert Booking.objects.get().status == "pending"


def test_errors_are_shown_beside_their_fields(client, questions):
    data = form_data(chicago(MONDAY, 10), email="not-an-email", field_company="Acme 42")
    response = client.post("/book/intro/", data)
    assert response.status_code == 422
    html = response.content.decode()
    assert re.search(r'id="id_email"[^>]*aria-invalid="true"', html)
    assert 'id="id_email_error">Please enter an email address' in html
    assert 'id="id_field_company_error">This doesn&#x27;t have the form' in html
    assert 'id="id_field_terms_error">Please fill in this field.' in html or (
        'id="id_field_terms_error">Please tick this box' in html
    )
    assert 'value="Grace Guest"' in html, "answers are kept"
    assert "<html" in html, "without JavaScript the whole page comes back"
    assert not Booking.objects.exists()


def test_htmx_errors_come_back_as_the_panel(client, page):
    response = client.post(
        "/book/intro/",
        form_data(chicago(MONDAY, 10), name=""),
        **HTMX,
        HTTP_HX_TARGET="panel",
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="panel"')
    assert 'id="id_name_error">Please fill in this field.' in html
    assert "data-focus" in html


def test_a_bad_additional_guest_is_named(client, page):
    response = client.post(
        "/book/intro/", form_data(chicago(MONDAY, 10), additional_guests="ok@example.com, nope")
    )
    assert response.status_code == 422
    assert "“nope” is not an email address." in response.content.decode()


def radio_starts(html: str) -> list[int]:
    return [int(s) for s in re.findall(r'type="radio" name="slot" value="(\d+)"', html)]


def test_a_slot_taken_meanwhile_is_explained_with_fresh_times(client, page):
    start = chicago(MONDAY, 10)
    assert client.post("/book/intro/", form_data(start)).status_code == 303
    response = client.post(
        "/book/intro/",
        form_data(start, email="late@example.com"),
        **HTMX,
        HTTP_HX_TARGET="panel",
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "just booked by someone else" in html
    starts = radio_starts(html)
    assert start not in starts and chicago(MONDAY, 11) in starts
    # Without JavaScript: the whole page, the month included.
    response = client.post("/book/intro/", form_data(start, email="later@example.com"))
    assert response.status_code == 409
    assert 'class="calendar"' in response.content.decode()
    assert start not in radio_starts(response.content.decode())
    assert Booking.objects.count() == 1


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-js"])
def test_a_slot_taken_meanwhile_keeps_what_the_guest_typed(client, questions, htmx):
    start = chicago(MONDAY, 10)
    first = form_data(start, field_company="Early", field_terms="on")
    assert client.post("/book/intro/", first).status_code == 303
    typed = form_data(
        start,
        name="Late Guest",
        email="late@example.com",
        field_company="Acme Inc",
        field_notes="Hello\nthere",
        field_size="11-50",
        field_terms="on",
        field_channel="Phone",
        field_topics=["Pricing", "Support"],
        additional_guests="ann@example.com",
        email_language="de",
    )
    headers = {**HTMX, "HTTP_HX_TARGET": "panel"} if htmx else {}
    response = client.post("/book/intro/", typed, **headers)
    assert response.status_code == 409
    html = response.content.decode()
    assert "just booked by someone else" in html
    assert 'value="Late Guest"' in html and 'value="late@example.com"' in html
    assert 'value="Acme Inc"' in html
    assert ">Hello\nthere</textarea>" in html and ">ann@example.com</textarea>" in html
    assert '<option value="11-50" selected>' in html and '<option value="de" selected>' in html
    assert 'value="Phone" checked' in html
    assert 'value="Pricing" checked' in html and 'value="Support" checked' in html
    assert re.search(r'id="id_field_terms"[^>]*checked', html)
    assert f'name="slot" value="{start}"' not in html, "the time that went is not offered"

    # The guest picks one of the fresh times: the same form, sent again, books it.
    fresh = radio_starts(html)[0]
    response = client.post("/book/intro/", {**typed, "slot": str(fresh)})
    assert response.status_code == 303
    booking = Booking.objects.get(guest_email="late@example.com")
    assert int(booking.start.timestamp()) == fresh
    assert booking.guest_name == "Late Guest" and booking.language == "de"
    assert booking.additional_fields["company"] == "Acme Inc"
    assert booking.additional_fields["topics"] == ["Pricing", "Support"]


def test_a_day_that_filled_up_meanwhile_is_no_longer_marked_free(client, page, busy_event):
    """Only 10:00 was left on Monday; someone took it: the month comes back (out of band
    for htmx) without Monday among the free days."""
    day = dt.datetime.combine(MONDAY, dt.time(9), tzinfo=CHICAGO)
    busy_event(page.hosts[0], day, day + dt.timedelta(hours=1))
    busy_event(page.hosts[0], day + dt.timedelta(hours=1, minutes=30), day + dt.timedelta(hours=8))
    start = chicago(MONDAY, 10)
    assert client.post("/book/intro/", form_data(start)).status_code == 303
    response = client.post(
        "/book/intro/", form_data(start, email="late@example.com"), **HTMX, HTTP_HX_TARGET="panel"
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="panel"')
    assert '<div id="month" class="month" hx-swap-oob="true">' in html
    free = set(re.findall(r'class="day free[^"]*" href="[^"]*day=([\d-]+)', html))
    assert MONDAY.isoformat() not in free and (MONDAY + dt.timedelta(days=1)).isoformat() in free
    assert "There are no free times on this day" in html


def test_a_post_without_a_slot_asks_for_one(client, page):
    data = form_data(0)
    del data["slot"]
    response = client.post("/book/intro/", data)
    assert response.status_code == 400
    assert "Please choose a time first." in response.content.decode()


def test_guest_text_is_escaped(client, page):
    AdditionalField.objects.create(
        configuration=page, key="q", label="<b>Question</b>", type="text"
    )
    data = form_data(chicago(MONDAY, 10), name="<script>alert(1)</script>", field_q="<img src=x>")
    location = client.post("/book/intro/", data)["Location"]
    html = client.get(location).content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    assert "<img src=x>" not in html
    assert "<b>Question</b>" not in html


def test_every_post_needs_the_csrf_token(page):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    start = chicago(MONDAY, 10)
    form_html = strict.get(f"/book/intro/?tz=UTC&slot={start}").content.decode()
    assert strict.post("/book/intro/", form_data(start)).status_code == 403
    # htmx sends the form's own field, or the header from <body> on full pages.
    field = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form_html)[1]
    header = re.search(r'"x-csrftoken": "([^"]+)"', form_html)[1]
    response = strict.post(
        "/book/intro/",
        {**form_data(start), "csrfmiddlewaretoken": field},
        **HTMX,
        HTTP_HX_TARGET="panel",
    )
    assert response.status_code == 200 and response["HX-Redirect"]
    later = chicago(MONDAY, 11)
    response = strict.post(
        "/book/intro/", form_data(later, email="b@example.com"), HTTP_X_CSRFTOKEN=header
    )
    assert response.status_code == 303


# Language


def test_the_page_speaks_german_with_german_dates(client, page):
    html = fragment(client, "/book/intro/?tz=Europe/Berlin&lang=de", "picker").content.decode()
    assert "Dezember 2026" in html
    assert "Dienstag, 1. Dezember" in html
    assert ">16:00<" in html
    assert "Die Zeiten sind in Europe/Berlin (UTC+01:00) angegeben." in html


def test_the_configuration_locale_chooses_the_language(client, page):
    Configuration.objects.filter(pk=page.pk).update(locale="de")
    response = client.get("/book/intro/")
    html = response.content.decode()
    assert '<html lang="de">' in html
    assert "Wählen Sie einen Termin" in html
    assert "30 Minuten" in html
    assert response["Content-Language"] == "de"
    assert "Choose a time" in client.get("/book/intro/?lang=en").content.decode()


def test_german_errors_are_german(client, page):
    response = client.post("/book/intro/", form_data(chicago(MONDAY, 10), email="x", lang="de"))
    assert "Bitte geben Sie eine E-Mail-Adresse" in response.content.decode()


def test_a_group_event_shows_the_seats_left(client, page):
    Configuration.objects.filter(pk=page.pk).update(capacity=3)
    start = chicago(MONDAY, 10)
    assert client.post("/book/intro/", form_data(start)).status_code == 303
    html = fragment(client, f"/book/intro/?tz=America/Chicago&day={MONDAY}", "panel").content
    html = html.decode()
    assert re.search(rf"slot={start}[^>]*aria-label=\"[^\"]*2 seats left\"", html)
    assert "3 seats left" in html, "the other slots are all free"
    assert '<span class="seats">3 seats left</span>' in html
    german = fragment(client, f"/book/intro/?tz=America/Chicago&day={MONDAY}&lang=de", "panel")
    assert re.search(rf"slot={start}[^>]*aria-label=\"[^\"]*noch 2 Plätze frei\"", german.text)


def test_participants_are_hidden_when_asked(client, page):
    assert "With" in client.get("/book/intro/").content.decode()
    Configuration.objects.filter(pk=page.pk).update(hide_participants=True)
    assert "<dt>With</dt>" not in client.get("/book/intro/").content.decode()


def test_the_month_links_stop_at_today_and_at_the_horizon(client, page):
    Configuration.objects.filter(pk=page.pk).update(available_days_in_future=45)
    html = fragment(client, "/book/intro/?tz=UTC", "picker").content.decode()
    assert 'aria-label="Previous month"' not in html
    assert "month=2027-01" in html and 'aria-label="Next month"' in html
    html = fragment(client, "/book/intro/?tz=UTC&month=2027-01", "picker").content.decode()
    assert "January 2027" in html
    assert 'aria-label="Next month"' not in html, "45 days ahead end in January"
    assert 'aria-label="Previous month"' in html
    html = fragment(client, "/book/intro/?tz=UTC&month=2030-05", "picker").content.decode()
    assert "January 2027" in html, "a month beyond the horizon shows the last one"


def test_the_form_can_be_prefilled_from_the_address(client, questions):
    start = chicago(MONDAY, 10)
    url = f"/book/intro/?slot={start}&name=Ada&email=ada@example.com&source=newsletter"
    html = fragment(client, url, "panel").content.decode()
    assert 'id="id_name" name="name" type="text" value="Ada"' in html
    assert 'value="ada@example.com"' in html
    assert '<input type="hidden" name="field_source" value="newsletter">' in html


def test_head_is_answered_and_other_methods_are_not(client, page):
    assert client.head("/book/intro/").status_code == 200
    assert client.put("/book/intro/").status_code == 405


# The demo page (seed_demo), read as a guest first sees it.
def test_the_demo_page_shows_title_duration_and_organizer(client, demo_page):
    response = client.get("/book/demo/")
    assert response.status_code == 200
    page = response.content.decode()
    assert demo_page.title in page
    assert "30 minutes" in page
    assert "Ada Lovelace" in page


def test_an_unknown_slug_gets_a_proper_404_page(client, db):
    response = client.get("/book/no-such-page/")
    assert response.status_code == 404
    assert "doesn" in response.content.decode()


def test_a_private_configuration_is_as_unknown_as_a_missing_one(client, demo_page):
    Configuration.objects.filter(pk=demo_page.pk).update(requires_session_auth=True)
    assert client.get("/book/demo/").status_code == 404


def test_guest_visible_text_is_escaped(client, demo_page):
    Configuration.objects.filter(pk=demo_page.pk).update(
        title="<script>alert(1)</script>", appearance={"color": "red;}</style><script>x()"}
    )
    page = client.get("/book/demo/").content.decode()
    assert "<script>alert(1)" not in page
    assert "</style><script>x()" not in page
