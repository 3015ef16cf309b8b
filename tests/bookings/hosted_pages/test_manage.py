"""/booking/<booking_ref>/: the guest sees, downloads, reschedules and cancels."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from icalendar import Calendar

from bookings import links, services
from bookings.guest_input import Guest
from bookings.models import Booking, OutboxMessage
from pages.models import AdditionalField, Configuration

CHICAGO = ZoneInfo("America/Chicago")
NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
MONDAY = dt.date(2026, 12, 7)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


def chicago(day: dt.date, hour: int, minute: int = 0) -> int:
    return int(dt.datetime.combine(day, dt.time(hour, minute), tzinfo=CHICAGO).timestamp())


@pytest.fixture
def page(make_configuration):
    configuration = make_configuration(
        slug="intro", title="Intro call", cancellation_policy="Cancel a day ahead, please."
    )
    AdditionalField.objects.create(configuration=configuration, key="company", label="Company")
    AdditionalField.objects.create(
        configuration=configuration, key="source", label="Source", type="metadata"
    )
    return configuration


@pytest.fixture
def booking(page) -> Booking:
    made = services.create_booking(
        configuration=page,
        start=chicago(MONDAY, 10),
        end=None,
        guest=Guest(
            name="Grace <Guest>",
            email="grace@example.com",
            timezone="Asia/Tokyo",
            language="en",
            additional_fields={"company": "Acme", "source": "ads"},
        ),
    )
    return made.booking


def manage(booking, suffix: str = "") -> str:
    return f"/booking/{links.booking_ref(booking)}/{suffix}"


def test_the_guest_sees_their_booking_in_their_zone(client, booking):
    html = client.get(manage(booking)).content.decode()
    # 10:00 in Chicago is 01:00 the next day in Tokyo.
    assert "Tuesday, December 8, 2026, 1:00 AM – 1:30 AM" in html
    assert "Asia/Tokyo (UTC+09:00)" in html
    assert "Grace &lt;Guest&gt;" in html
    assert "Company" in html and "Acme" in html
    assert "ads" not in html, "metadata stays hidden from the guest"
    assert 'name="robots" content="noindex"' in html
    assert "no-store" in client.get(manage(booking))["Cache-Control"]


def test_the_zone_can_be_changed_in_the_url(client, booking):
    html = client.get(manage(booking) + "?tz=America/Chicago").content.decode()
    assert "Monday, December 7, 2026, 10:00 AM – 10:30 AM" in html


def test_a_forged_or_unknown_reference_is_404(client, booking):
    ref = links.booking_ref(booking)
    assert client.get(f"/booking/{ref[:-2]}AA/").status_code == 404
    assert client.get("/booking/not-a-reference/").status_code == 404
    other = Booking.objects.filter(pk=booking.pk)
    other.delete()
    assert client.get(f"/booking/{ref}/").status_code == 404


def test_the_confirmation_has_the_manage_link_and_the_ics(client, booking, page):
    Configuration.objects.filter(pk=page.pk).update(appearance={"thank_you_text": "Thanks!"})
    html = client.get(manage(booking) + "?booked=1").content.decode()
    assert "You're booked" in html
    assert "Thanks!" in html
    assert f"http://testserver/booking/{links.booking_ref(booking)}/" in html
    assert manage(booking, "calendar.ics") in html


def test_the_ics_describes_the_booking(client, booking):
    response = client.get(manage(booking, "calendar.ics"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert str(event["UID"]).startswith(f"{booking.id}@")
    assert event.decoded("DTSTART") == booking.start
    assert str(event["SUMMARY"]) == "Intro call"
    assert links.booking_ref(booking) in str(event["URL"])
    # Stable: the same UID every time.
    again = Calendar.from_ical(client.get(manage(booking, "calendar.ics")).content)
    assert again.walk("VEVENT")[0]["UID"] == event["UID"]


def test_the_guest_cancels_with_a_reason(client, booking):
    html = client.get(manage(booking)).content.decode()
    assert "Cancel a day ahead, please." in html
    response = client.post(manage(booking, "cancel/"), {"reason": "Something came up"})
    assert response.status_code == 303
    assert "cancelled=1" in response["Location"]
    booking.refresh_from_db()
    assert (booking.status, booking.cancellation_reason) == ("cancelled", "Something came up")
    html = client.get(response["Location"]).content.decode()
    assert "This booking is cancelled" in html
    assert "Cancel booking" not in html
    assert client.get(manage(booking, "calendar.ics")).status_code == 410


def test_an_htmx_cancel_swaps_the_summary(client, booking):
    response = client.post(
        manage(booking, "cancel/"), {"reason": ""}, **HTMX, HTTP_HX_TARGET="booking"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="booking"')
    assert "Your booking was cancelled." in html


def test_cancelling_twice_is_explained(client, booking):
    client.post(manage(booking, "cancel/"))
    response = client.post(manage(booking, "cancel/"))
    assert response.status_code == 409
    assert "already cancelled" in response.content.decode()


def test_too_late_to_cancel_is_said_kindly(client, booking, page):
    Configuration.objects.filter(pk=page.pk).update(min_cancellation_notice=60 * 24 * 7)
    html = client.get(manage(booking)).content.decode()
    assert "too late to cancel online" in html
    assert "Cancel booking" not in html
    assert "Cancel a day ahead, please." in html, "the policy is still shown"
    response = client.post(manage(booking, "cancel/"))
    assert response.status_code == 400
    assert "too late to cancel online" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == "booked"


def test_hidden_options_remove_the_actions(client, booking, page):
    Configuration.objects.filter(pk=page.pk).update(
        hide_cancellation_options=True, hide_rescheduling_options=True
    )
    html = client.get(manage(booking)).content.decode()
    assert "Cancel booking" not in html and "Reschedule" not in html
    assert client.post(manage(booking, "cancel/")).status_code == 403
    assert client.get(manage(booking, "reschedule/")).status_code == 403
    booking.refresh_from_db()
    assert booking.status == "booked"


def test_the_reschedule_page_marks_the_bookings_own_time_as_current(client, booking):
    response = client.get(manage(booking, "reschedule/") + f"?tz=America/Chicago&day={MONDAY}")
    assert response.status_code == 200
    html = response.content.decode()
    starts = [int(s) for s in re.findall(r'class="slot" href="[^"]*slot=(\d+)', html)]
    assert chicago(MONDAY, 10) not in starts, "its own time is no new time"
    assert chicago(MONDAY, 9, 30) in starts and chicago(MONDAY, 10, 30) in starts
    assert (
        '<span class="slot current">10:00 AM<span class="seats">Your current time</span></span>'
        in html
    )
    assert "Your booking is now on" in html


def test_a_link_to_the_bookings_own_time_offers_no_move(client, booking):
    own = chicago(MONDAY, 10)
    url = manage(booking, "reschedule/") + f"?tz=America/Chicago&slot={own}"
    html = client.get(url, **HTMX, HTTP_HX_TARGET="panel").content.decode()
    assert "Move my booking" not in html
    assert "This is your booking&#x27;s current time" in html


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-js"])
def test_moving_a_booking_to_its_own_time_changes_nothing(client, booking, monkeypatch, htmx):
    def refuse(**kwargs):
        raise AssertionError("the reschedule service must not be called")

    monkeypatch.setattr(services, "reschedule_booking", refuse)
    sent_before = OutboxMessage.objects.count()
    headers = {**HTMX, "HTTP_HX_TARGET": "panel"} if htmx else {}
    response = client.post(
        manage(booking, "reschedule/"),
        {"slot": str(chicago(MONDAY, 10)), "tz": "America/Chicago"},
        **headers,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "current time. Please choose another one to move it to." in html
    assert "Your current time" in html, "the day's times are shown again"
    booking.refresh_from_db()
    assert int(booking.start.timestamp()) == chicago(MONDAY, 10)
    assert OutboxMessage.objects.count() == sent_before, "no rescheduled notices"


def test_the_guest_reschedules(client, booking):
    new_start = chicago(MONDAY, 14)
    form = client.get(manage(booking, "reschedule/") + f"?tz=America/Chicago&slot={new_start}")
    assert "Move to Monday, December 7, 2:00 PM?" in form.content.decode()
    response = client.post(
        manage(booking, "reschedule/"), {"slot": str(new_start), "tz": "America/Chicago"}
    )
    assert response.status_code == 303
    assert "rescheduled=1" in response["Location"]
    booking.refresh_from_db()
    assert int(booking.start.timestamp()) == new_start
    assert "moved to the new time" in client.get(response["Location"]).content.decode()


def test_rescheduling_into_a_taken_slot_shows_fresh_times(client, booking, page):
    taken = chicago(MONDAY, 15)
    services.create_booking(
        configuration=page,
        start=taken,
        end=None,
        guest=Guest(name="Other", email="other@example.com"),
    )
    response = client.post(
        manage(booking, "reschedule/"),
        {"slot": str(taken), "tz": "America/Chicago"},
        **HTMX,
        HTTP_HX_TARGET="panel",
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "no longer free" in html
    assert f"slot={taken}" not in html
    assert '<div id="month" class="month" hx-swap-oob="true">' in html, "the month, refreshed"
    booking.refresh_from_db()
    assert int(booking.start.timestamp()) == chicago(MONDAY, 10)


def test_a_cancelled_booking_cannot_be_rescheduled(client, booking):
    services.cancel_booking(booking=booking)
    response = client.get(manage(booking, "reschedule/"))
    assert response.status_code == 409
    assert "cancelled booking can" in response.content.decode()
    response = client.post(manage(booking, "reschedule/"), {"slot": str(chicago(MONDAY, 14))})
    assert response.status_code == 409


def test_the_manage_page_speaks_the_guests_email_language(client, booking):
    Booking.objects.filter(pk=booking.pk).update(language="de")
    html = client.get(manage(booking)).content.decode()
    assert "Ihre Buchung" in html
    assert "Dienstag, 8. Dezember 2026, 01:00 – 01:30" in html


def test_cancel_posts_are_rate_limited(client, booking, settings):
    settings.SCHEDULER_PAGE_RATE_LIMITS = {"ip": (1, 600)}
    assert client.post(manage(booking, "cancel/")).status_code == 303
    response = client.post(manage(booking, "cancel/"))
    assert response.status_code == 429


def test_a_booking_that_has_started_can_no_longer_be_changed(client, booking):
    with time_machine.travel(booking.start + dt.timedelta(minutes=5), tick=False):
        html = client.get(manage(booking)).content.decode()
        assert "This booking has started or is over." in html
        assert "Cancel booking" not in html and ">Reschedule<" not in html
        response = client.get(manage(booking, "reschedule/"))
        assert response.status_code == 409
        assert "already started" in response.content.decode()
        assert client.post(manage(booking, "cancel/")).status_code == 400


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-js"])
def test_cancelling_after_the_start_says_it_has_started(client, booking, htmx):
    headers = {**HTMX, "HTTP_HX_TARGET": "booking"} if htmx else {}
    with time_machine.travel(booking.start + dt.timedelta(minutes=5), tick=False):
        response = client.post(manage(booking, "cancel/"), **headers)
    assert response.status_code == 400
    html = response.content.decode()
    assert "This booking has already started and can no longer be cancelled." in html
    assert "0 minutes" not in html
    booking.refresh_from_db()
    assert booking.status == "booked"


def test_too_late_to_cancel_counts_its_minutes(client, booking, page):
    Configuration.objects.filter(pk=page.pk).update(min_cancellation_notice=1)

    def refusal(data=None) -> str:
        html = client.post(manage(booking, "cancel/"), data or {}).content.decode()
        return re.search(r'role="alert"[^>]*>([^<]*)<', html)[1]

    with time_machine.travel(booking.start - dt.timedelta(seconds=30), tick=False):
        assert "this booking can be cancelled up to 1 minute before it starts" in refusal()
        Configuration.objects.filter(pk=page.pk).update(min_cancellation_notice=90)
        assert "this booking can be cancelled up to 90 minutes before it starts" in refusal()
        assert "Diese Buchung kann bis 90 Minuten vor Beginn" in refusal({"lang": "de"})


def test_a_pending_booking_can_be_moved_and_stays_pending(client, page):
    Configuration.objects.filter(pk=page.pk).update(booking_type="organizer-confirmation")
    page.refresh_from_db()
    pending = services.create_booking(
        configuration=page,
        start=chicago(MONDAY, 10),
        end=None,
        guest=Guest(name="Pat", email="pat@example.com"),
    ).booking
    html = client.get(manage(pending)).content.decode()
    assert "Waiting for the organizer to confirm" in html
    response = client.post(manage(pending, "reschedule/"), {"slot": str(chicago(MONDAY, 13))})
    assert response.status_code == 303
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_the_reschedule_page_opens_on_the_booked_day_with_its_time_marked(client, booking):
    # The booking is on Monday the 7th; the first free day (Tuesday the 1st) is not shown.
    html = client.get(manage(booking, "reschedule/") + "?tz=America/Chicago").content.decode()
    assert "Monday, December 7" in html
    assert '<span class="slot current">10:00 AM' in html
