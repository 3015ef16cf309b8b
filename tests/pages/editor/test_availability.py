"""The Availability section: hosts' hours, closed dates, the booking window."""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from pages.models import Configuration
from tests.pages.editor.helpers import (
    HTMX,
    availability_data,
    error_beside,
    page_body,
    text_of,
    url,
    v2_page,
)

# Availability


def hosts_hours(configuration) -> list[tuple]:
    return [
        (p.email, [(tuple(h.days), h.start_minute, h.end_minute, h.timezone) for h in hours])
        for p in configuration.participants.all()
        for hours in [list(p.open_hours.order_by("pk"))]
    ]


def test_saving_availability_gives_every_host_the_hours_and_keeps_their_calendars(
    editing, owner, teammate
):
    client, configuration, token = editing
    # Two hosts, round-robin, each with hours of their own.
    api = APIClient()
    body = page_body(owner)
    body["access_tokens"] = [owner.token, teammate.token]
    del body["slug"]
    response = api.put(
        f"/manage/pages/{configuration.pk}",
        {"access_tokens": body["access_tokens"]},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {owner.token}",
    )
    assert response.status_code == 200, response.content
    configuration.refresh_from_db()
    before = {
        p.email: (p.grant_id, p.booking_calendar_id, p.is_organizer, p.name)
        for p in configuration.participants.all()
    }
    assert len(before) == 2

    response = client.post(
        url(configuration, "availability"),
        availability_data(
            [
                {"days": ["M", "W"], "start": "10:00", "end": "16:00", "timezone": ""},
                {"days": ["S"], "start": "20:00", "end": "00:00", "timezone": "Europe/Berlin"},
            ],
            available_days_in_future="20",
            min_booking_notice="30",
            buffer_after="15",
        ),
        **HTMX,
    )
    assert response.status_code == 200, text_of(response)
    configuration.refresh_from_db()
    assert (
        configuration.available_days_in_future,
        configuration.min_booking_notice,
        configuration.buffer_after,
    ) == (20, 30, 15)
    expected = [((1, 3), 600, 960, ""), ((6,), 1200, 1440, "Europe/Berlin")]
    assert hosts_hours(configuration) == [(email, expected) for email in before]
    assert not configuration.open_hours.filter(participant=None).exists()
    after = {
        p.email: (p.grant_id, p.booking_calendar_id, p.is_organizer, p.name)
        for p in configuration.participants.all()
    }
    assert after == before
    hours = v2_page(configuration, token)["config"]["booking"]["opening_hours"]
    assert {h["account_id"] for h in hours} == {str(owner.pk), str(teammate.pk)}
    assert {(tuple(h["days"]), h["start"], h["end"]) for h in hours} == {
        (("M", "W"), "10:00", "16:00"),
        (("S",), "20:00", "24:00"),
    }
    assert v2_page(configuration, token)["config"]["booking"]["min_buffer"] == 15


def test_the_editor_shows_midnight_as_the_end_of_day_and_warns_when_hosts_differ(
    editing, owner, teammate
):
    client, configuration, _token = editing
    participant = configuration.participants.get()
    participant.open_hours.update(end_minute=1440)
    html = text_of(client.get(url(configuration)))
    assert 'name="hours-0-end" value="00:00"' in html
    assert "hosts have different opening hours" not in html

    configuration.participants.create(
        grant=teammate, email=teammate.email, has_availability=True, position=1
    )
    html = text_of(client.get(url(configuration)))
    assert "hosts have different opening hours" in html


def test_unchanged_hours_leave_the_participants_alone(editing):
    client, configuration, _token = editing
    participant_id = configuration.participants.get().pk
    response = client.post(
        url(configuration, "availability"),
        availability_data(
            [{"days": ["M", "T", "W", "R", "F"], "start": "09:00", "end": "17:00"}],
            available_days_in_future="21",
        ),
        **HTMX,
    )
    assert response.status_code == 200
    assert configuration.participants.get().pk == participant_id
    assert Configuration.objects.get(pk=configuration.pk).available_days_in_future == 21


def test_rows_are_removed_with_their_box_and_empty_extra_rows_are_ignored(editing):
    client, configuration, _token = editing
    data = availability_data(
        [
            {"days": ["M"], "start": "09:00", "end": "12:00", "DELETE": "on"},
            {"days": ["T"], "start": "13:00", "end": "15:00"},
            {"start": "09:00", "end": "17:00", "timezone": ""},  # the untouched extra row
        ]
    )
    data["hours-INITIAL_FORMS"] = "2"
    response = client.post(url(configuration, "availability"), data, **HTMX)
    assert response.status_code == 200, text_of(response)
    assert hosts_hours(configuration)[0][1] == [((2,), 780, 900, "")]


def test_removing_every_row_leaves_the_page_open_at_any_time(editing):
    client, configuration, _token = editing
    data = availability_data([{"days": ["M"], "start": "09:00", "end": "17:00", "DELETE": "on"}])
    response = client.post(url(configuration, "availability"), data, **HTMX)
    assert response.status_code == 200
    assert not configuration.open_hours.exists()
    html = text_of(client.get(url(configuration)))
    assert 'name="hours-TOTAL_FORMS" value="1"' in html  # just the empty row


def test_a_page_whose_participants_have_no_calendars_keeps_its_hours_as_the_default(editing):
    client, configuration, _token = editing
    configuration.participants.update(has_availability=False)
    data = availability_data([{"days": ["U"], "start": "10:00", "end": "11:00"}])
    assert client.post(url(configuration, "availability"), data, **HTMX).status_code == 200
    default = configuration.open_hours.get(participant=None)
    assert (default.days, default.start_minute, default.end_minute) == ([0], 600, 660)
    assert 'name="hours-0-days" value="U" ' in text_of(client.get(url(configuration)))


def test_closed_dates_set_through_the_api_are_kept(editing):
    client, configuration, _token = editing
    configuration.open_hours.update(exdates=["2026-12-24"])
    html = text_of(client.get(url(configuration)))
    assert "Also closed on: 2026-12-24" in html
    data = availability_data(
        [{"days": ["M"], "start": "09:00", "end": "17:00", "exdates": "2026-12-24"}]
    )
    assert client.post(url(configuration, "availability"), data, **HTMX).status_code == 200
    assert configuration.open_hours.get().exdates == ["2026-12-24"]


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ({"start": "09:00", "end": "17:00"}, "days", "Tick at least one day."),
        ({"days": ["M"], "start": "9", "end": "17:00"}, "start", "Use H:MM"),
        ({"days": ["M"], "start": "25:00", "end": "17:00"}, "start", "Not a time of day."),
        ({"days": ["M"], "start": "10:00", "end": "10:00"}, "end", "after the start"),
        (
            {"days": ["M"], "start": "09:00", "end": "17:00", "timezone": "Mars/Olympus"},
            "timezone",
            "not a time zone name",
        ),
        ({"days": ["X"], "start": "09:00", "end": "17:00"}, "days", "Select a valid choice"),
    ],
)
def test_an_invalid_row_of_hours_is_refused_beside_the_field(editing, row, field, message):
    client, configuration, _token = editing
    response = client.post(url(configuration, "availability"), availability_data([row]), **HTMX)
    assert response.status_code == 422
    html = text_of(response)
    if field == "days":
        error = re.search(r'<p class="error" id="id_hours-0-days_error">(.*?)</p>', html, re.S)
        assert error and message in error.group(1)
    else:
        assert message in error_beside(html, f"id_hours-0-{field}")
    assert hosts_hours(configuration)[0][1] == [((1, 2, 3, 4, 5), 540, 1020, "")]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("available_days_in_future", "0", "greater than or equal to 1"),
        ("min_booking_notice", "-5", "greater than or equal to 0"),
        ("buffer_after", "125", "less than or equal to 120"),
        ("buffer_after", "12", "multiple of 5"),
        ("buffer_after", "", "This field is required."),
    ],
)
def test_invalid_booking_window_values_are_refused(editing, field, value, message):
    client, configuration, _token = editing
    data = availability_data([{"days": ["M"], "start": "09:00", "end": "17:00"}], **{field: value})
    response = client.post(url(configuration, "availability"), data, **HTMX)
    assert response.status_code == 422
    assert message in error_beside(text_of(response), f"id_{field}")


def test_add_row_with_htmx_returns_the_next_row_and_the_new_count(editing):
    client, configuration, _token = editing
    response = client.get(url(configuration, "availability") + "row/", {"hours-TOTAL_FORMS": "2"})
    assert response.status_code == 200
    html = text_of(response)
    assert 'name="hours-2-start"' in html and "Opening hours 3" in html
    assert 'name="hours-2-DELETE"' not in html  # a new row is not removed, just left empty
    assert re.search(r'name="hours-TOTAL_FORMS" value="3"[^>]*hx-swap-oob="true"', html)

    at_most = client.get(url(configuration, "reminders") + "row/", {"reminders-TOTAL_FORMS": "20"})
    assert at_most.status_code == 204
    questions = client.get(url(configuration, "questions") + "row/", {"questions-TOTAL_FORMS": "0"})
    assert 'name="questions-0-label"' in text_of(questions)


def test_add_row_needs_the_grant_too(client, page):
    configuration, _token = page
    response = client.get(url(configuration, "availability") + "row/", {"hours-TOTAL_FORMS": "1"})
    assert response.status_code == 403
