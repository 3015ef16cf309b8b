"""The Schedule Editor (pages/editor/): the edit token exchanged once for a session grant,
each section saved with htmx and without JavaScript, inline errors, CSRF."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from pages.editor.access import SESSION_KEY
from pages.models import Configuration
from pages.services import issue_edit_token

HTMX = {"HTTP_HX_REQUEST": "true"}


def page_body(grant, slug: str = "coffee", **config) -> dict:
    """A v2 page (seed 000) as a backend makes it: one host with opening hours."""
    calendar_id = str(grant.calendars.get(is_primary=True).pk)
    body = {
        "access_tokens": [grant.token],
        "name": "Coffee with Olive",
        "slug": slug,
        "config": {
            "event": {"title": "30-min Coffee Meeting", "duration": 30, "location": "Cafe"},
            "timezone": "America/Chicago",
            "calendar_ids": {
                str(grant.pk): {"availability": [calendar_id], "booking": calendar_id}
            },
            "booking": {
                "available_days_in_future": 14,
                "min_booking_notice": 60,
                "min_buffer": 10,
                "opening_hours": [
                    {
                        "account_id": str(grant.pk),
                        "days": ["M", "T", "W", "R", "F"],
                        "start": "09:00",
                        "end": "17:00",
                    }
                ],
                "additional_fields": [
                    {
                        "name": "company",
                        "label": "Company",
                        "type": "text",
                        "required": True,
                        "order": 1,
                    },
                    {
                        "name": "food",
                        "label": "Favorite food",
                        "type": "multi-select list",
                        "multi_select_options": ["Ice Cream", "Chips"],
                        "order": 2,
                    },
                ],
            },
            "reminders": [
                {
                    "delivery_method": "email",
                    "delivery_recipient": "customer",
                    "email_subject": "Soon!",
                    "time_before_event": 30,
                }
            ],
            "appearance": {
                "color": "#82c0e7",
                "company_name": "Sample Solutions",
                "show_timezone_options": False,
                "submit_text": "Book it!",
            },
            **config,
        },
    }
    return body


def create_page(grant, slug: str = "coffee", **config) -> tuple[Configuration, str]:
    api = APIClient()
    response = api.post(
        "/manage/pages",
        page_body(grant, slug, **config),
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {grant.token}",
    )
    assert response.status_code == 200, response.content
    return Configuration.objects.get(pk=response.json()["id"]), response.json()["edit_token"]


def v2_page(configuration: Configuration, token: str) -> dict:
    response = APIClient().get(
        f"/manage/pages/{configuration.pk}", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def page(owner):
    return create_page(owner)


@pytest.fixture
def editing(client, page):
    """A client whose session may edit ``page``; returns (client, configuration, token)."""
    configuration, token = page
    response = client.get("/editor/", {"edit_token": token})
    assert response.status_code == 302
    return client, configuration, token


def url(configuration, section: str = "") -> str:
    return f"/editor/{configuration.pk}/" + (f"{section}/" if section else "")


def formset(prefix: str, rows: list[dict], *, initial: int | None = None) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(len(rows) if initial is None else initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data


def availability_data(rows: list[dict], **fields) -> dict:
    return {
        "available_days_in_future": "14",
        "min_booking_notice": "60",
        "buffer_after": "10",
        **fields,
        **formset("hours", rows),
    }


def text_of(response) -> str:
    return response.content.decode()


def error_beside(html: str, field_id: str) -> str:
    """The error shown for a field, after checking the field points at it."""
    match = re.search(rf'<p class="error" id="{field_id}_error">(.*?)</p>', html, re.S)
    assert match, f"no error shown for {field_id}"
    assert re.search(rf'id="{field_id}"[^>]*aria-invalid="true"', html) or re.search(
        rf'aria-invalid="true"[^>]*id="{field_id}"', html
    ), f"{field_id} is not marked invalid"
    return match.group(1)


# Opening the editor: the token, once


def test_the_token_in_the_url_is_exchanged_for_a_session_and_dropped(client, page):
    configuration, token = page
    response = client.get("/editor/", {"edit_token": token})
    assert response.status_code == 302
    assert response["Location"] == f"/editor/{configuration.pk}/"
    assert token not in response["Location"]
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    grants = client.session[SESSION_KEY]
    assert list(grants) == [str(configuration.pk)]
    assert token not in str(dict(client.session))  # the digest is kept, never the token

    editor = client.get(response["Location"])
    assert editor.status_code == 200
    html = text_of(editor)
    assert "30-min Coffee Meeting" in html
    assert token not in html
    assert "no-store" in editor["Cache-Control"]
    assert editor["Referrer-Policy"] == "same-origin"


def test_a_backend_can_post_the_token_from_its_own_site_without_a_url(page):
    configuration, token = page
    # A form on the backend's own site: it has no CSRF token of ours.
    client = Client(enforce_csrf_checks=True)
    response = client.post("/editor/", {"edit_token": token})
    assert response.status_code == 303
    assert response["Location"] == f"/editor/{configuration.pk}/"
    assert response["Referrer-Policy"] == "no-referrer"
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize(
    ("method", "data"),
    [
        ("get", {"edit_token": "et_not-a-real-token"}),
        ("post", {"edit_token": "et_not-a-real-token"}),
        ("get", {}),
        ("get", {"edit_token": "x" * 5000}),
    ],
)
def test_a_bad_token_gets_a_clear_403_page(client, page, method, data):
    response = getattr(client, method)("/editor/", data)
    assert response.status_code == 403
    assert "This editor link isn&#x27;t valid" in text_of(response)
    assert response["Referrer-Policy"] == "no-referrer"
    assert SESSION_KEY not in client.session


def test_the_editor_without_the_session_grant_says_to_reopen_it_from_the_app(client, page):
    configuration, _token = page
    response = client.get(url(configuration))
    assert response.status_code == 403
    assert "Open the editor from your app" in text_of(response)
    assert "30-min Coffee Meeting" not in text_of(response)


def test_a_grant_for_one_page_does_not_open_another(editing, owner):
    client, _configuration, _token = editing
    other, _other_token = create_page(owner, "other", event={"title": "Other"})
    assert client.get(url(other)).status_code == 403
    assert client.post(url(other, "event"), {"title": "Hijacked"}).status_code == 403
    assert Configuration.objects.get(pk=other.pk).title == "Other"


def test_one_browser_can_edit_several_pages(editing, owner):
    client, configuration, _token = editing
    other, other_token = create_page(owner, "second")
    assert client.get("/editor/", {"edit_token": other_token}).status_code == 302
    assert client.get(url(configuration)).status_code == 200
    assert client.get(url(other)).status_code == 200


def test_exchanging_the_token_gives_a_new_session_id(client, page):
    _configuration, token = page
    client.get("/")  # any earlier session
    client.session.save()
    before = client.session.session_key
    client.get("/editor/", {"edit_token": token})
    assert client.session.session_key != before


def test_a_new_edit_token_ends_the_sessions_opened_with_the_old_one(editing):
    client, configuration, _token = editing
    issue_edit_token(configuration=configuration)
    assert client.get(url(configuration)).status_code == 403


def test_a_deleted_page_ends_the_editor(editing):
    client, configuration, _token = editing
    address = url(configuration)
    configuration.delete()
    assert client.get(address).status_code == 403


def test_an_htmx_save_without_the_grant_reloads_the_page_to_say_why(client, page):
    configuration, _token = page
    response = client.post(url(configuration, "event"), {"title": "x"}, **HTMX)
    assert response.status_code == 200
    assert response["HX-Refresh"] == "true"
    assert Configuration.objects.get(pk=configuration.pk).title == "30-min Coffee Meeting"


def test_an_unknown_section_is_not_found(editing):
    client, configuration, _token = editing
    assert client.post(url(configuration, "billing"), {}).status_code == 404
    assert client.get(url(configuration, "event") + "row/").status_code == 404


def test_the_editor_pages_refuse_other_methods(editing):
    client, configuration, _token = editing
    assert client.post(url(configuration)).status_code == 405
    assert client.get(url(configuration, "event")).status_code == 405
    assert client.put("/editor/").status_code == 405


# The page


def test_the_page_shows_every_section_filled_in_and_links_to_the_booking_page(editing):
    client, configuration, _token = editing
    html = text_of(client.get(url(configuration)))
    for heading in ("Event", "Availability", "Questions", "Reminders", "Appearance"):
        assert f">{heading}</h2>" in html
    assert 'href="/book/coffee/"' in html and "View the booking page" in html
    assert 'value="30-min Coffee Meeting"' in html
    assert 'name="hours-0-days" value="M"' in html and 'value="09:00"' in html
    assert 'name="questions-1-options"' in html and 'value="Ice Cream, Chips"' in html
    assert 'name="reminders-0-email_subject"' in html and 'value="Soon!"' in html
    assert 'value="#82c0e7"' in html
    assert 'id="id_show_timezone_options" checked' not in html  # v2 sent false
    # Every section posts with htmx and as a plain form.
    for section in ("event", "availability", "questions", "reminders", "appearance"):
        action = url(configuration, section)
        assert f'action="{action}" hx-post="{action}"' in html
    assert "hx-headers" in html and "x-csrftoken" in html


def test_a_private_page_has_no_preview_link(editing):
    client, configuration, _token = editing
    Configuration.objects.filter(pk=configuration.pk).update(requires_session_auth=True)
    html = text_of(client.get(url(configuration)))
    assert "View the booking page" not in html
    assert "no public address" in html


def test_text_from_the_page_is_escaped(editing):
    client, configuration, _token = editing
    Configuration.objects.filter(pk=configuration.pk).update(
        name="<script>alert(1)</script>", title="<b>x</b>"
    )
    html = text_of(client.get(url(configuration)))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'value="&lt;b&gt;x&lt;/b&gt;"' in html


# Event


def test_saving_the_event_with_htmx_returns_the_form_and_announces_saved(editing):
    client, configuration, token = editing
    response = client.post(
        url(configuration, "event"),
        {"title": "  Tea instead  ", "duration_minutes": "45", "location": "The tea room"},
        **HTMX,
    )
    assert response.status_code == 200
    html = text_of(response)
    assert html.lstrip().startswith('<form id="event-form"')
    assert 'id="event-status"' in html and 'hx-swap-oob="innerHTML"' in html
    assert "Saved." in html
    configuration.refresh_from_db()
    assert (configuration.title, configuration.duration_minutes, configuration.location) == (
        "Tea instead",
        45,
        "The tea room",
    )
    assert v2_page(configuration, token)["config"]["event"]["title"] == "Tea instead"


def test_the_event_sets_the_pages_language_from_the_nine(editing):
    client, configuration, token = editing
    html = client.get(url(configuration)).content.decode()
    assert 'name="locale"' in html and '<option value="zh">中文</option>' in html
    Configuration.objects.filter(pk=configuration.pk).update(locale="fr-CA")
    keep = {"title": "Tea", "duration_minutes": "30", "locale": "fr"}
    assert client.post(url(configuration, "event"), keep, **HTMX).status_code == 200
    configuration.refresh_from_db()
    assert configuration.locale == "fr-CA", "the same language keeps the API's region"
    change = {**keep, "locale": "ja"}
    assert client.post(url(configuration, "event"), change, **HTMX).status_code == 200
    configuration.refresh_from_db()
    assert configuration.locale == "ja"
    assert v2_page(configuration, token)["config"]["locale"] == "ja"
    assert "時間を選ぶ" in client.get(f"/book/{configuration.slug}/").content.decode()
    refused = client.post(url(configuration, "event"), {**keep, "locale": "pt"}, **HTMX)
    assert "pt" not in Configuration.objects.get(pk=configuration.pk).locale
    assert "Select a valid choice" in refused.content.decode()


def test_an_invalid_event_is_shown_with_errors_beside_the_fields_and_not_saved(editing):
    client, configuration, _token = editing
    response = client.post(
        url(configuration, "event"),
        {"title": "   ", "duration_minutes": "3", "location": "x" * 501},
        **HTMX,
    )
    assert response.status_code == 422
    html = text_of(response)
    assert "Give the meeting a title." in error_beside(html, "id_title")
    assert "greater than or equal to 5" in error_beside(html, "id_duration_minutes")
    assert "at most 500 characters" in error_beside(html, "id_location")
    assert "Not saved" in html
    assert 'value="3"' in html  # what was typed stays
    configuration.refresh_from_db()
    assert configuration.title == "30-min Coffee Meeting"


def test_a_page_without_a_name_is_headed_by_its_title_which_follows_the_save(editing):
    client, configuration, _token = editing
    Configuration.objects.filter(pk=configuration.pk).update(name="")
    data = {"title": "Renamed", "duration_minutes": "30", "location": ""}
    html = text_of(client.post(url(configuration, "event"), data, **HTMX))
    assert '<h1 id="page-title" hx-swap-oob="true">Renamed</h1>' in html


def test_a_problem_no_field_of_the_section_owns_is_shown_above_it_and_nothing_is_saved(
    editing,
):
    client, configuration, _token = editing
    # Broken outside the editor: the service's full check of the page refuses it.
    Configuration.objects.filter(pk=configuration.pk).update(timezone="Nowhere/Land")
    data = {"title": "New", "duration_minutes": "30", "location": ""}
    response = client.post(url(configuration, "event"), data, **HTMX)
    assert response.status_code == 422
    notice = re.search(
        r'<div class="notice notice-error" role="alert">(.*?)</div>', text_of(response), re.S
    )
    assert notice and "Nowhere/Land is not an IANA time zone name" in notice.group(1)
    assert Configuration.objects.get(pk=configuration.pk).title == "30-min Coffee Meeting"


# Without JavaScript


def test_without_javascript_a_save_redirects_to_the_page_which_says_saved(editing):
    client, configuration, _token = editing
    response = client.post(
        url(configuration, "event"),
        {"title": "No JS", "duration_minutes": "30", "location": ""},
    )
    assert response.status_code == 303
    assert response["Location"] == f"/editor/{configuration.pk}/?saved=event#event"
    page = text_of(client.get(response["Location"]))
    status = re.search(r'<p id="event-status"[^>]*>(.*?)</p>', page, re.S).group(1)
    assert "Saved." in status
    assert Configuration.objects.get(pk=configuration.pk).title == "No JS"


def test_without_javascript_errors_come_back_on_the_whole_page(editing):
    client, configuration, _token = editing
    response = client.post(
        url(configuration, "availability"),
        availability_data(
            [{"days": ["M"], "start": "17:00", "end": "09:00", "timezone": ""}],
            buffer_after="7",
        ),
    )
    assert response.status_code == 422
    html = text_of(response)
    assert "<!doctype html>" in html
    assert ">Event</h2>" in html and ">Appearance</h2>" in html
    assert "The end must be after the start." in error_beside(html, "id_hours-0-end")
    assert "multiple of 5" in error_beside(html, "id_buffer_after")
    assert Configuration.objects.get(pk=configuration.pk).buffer_after == 10


def test_without_javascript_add_row_shows_one_more_empty_row_and_saves_nothing(editing):
    client, configuration, _token = editing
    data = availability_data(
        [{"days": ["M"], "start": "08:00", "end": "12:00", "timezone": ""}],
        available_days_in_future="30",
    )
    response = client.post(url(configuration, "availability"), {**data, "add_row": "hours"})
    assert response.status_code == 200
    html = text_of(response)
    assert 'name="hours-TOTAL_FORMS" value="2"' in html
    assert 'name="hours-1-start"' in html
    assert 'value="08:00"' in html  # the rows typed so far stay
    assert Configuration.objects.get(pk=configuration.pk).available_days_in_future == 14


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


# Questions


def question(label, key="", type="text", required="", options="", pattern="") -> dict:
    row = {"label": label, "key": key, "type": type, "options": options, "pattern": pattern}
    if required:
        row["required"] = "on"
    return row


def test_saving_questions_replaces_the_list_and_keeps_the_v2_shape(editing):
    client, configuration, token = editing
    data = formset(
        "questions",
        [
            {**question("Company", "company", required="on"), "DELETE": "on"},
            question("Favorite food", "food", "multi_select", options="Ice Cream, Chips, Tea"),
            question("Team size?", type="dropdown", options="1-10, 11-50", pattern=r"^\d"),
        ],
        initial=2,
    )
    response = client.post(url(configuration, "questions"), data, **HTMX)
    assert response.status_code == 200, text_of(response)
    rows = list(configuration.additional_fields.values_list("key", "type", "options", "order"))
    assert rows == [
        ("food", "multi_select", ["Ice Cream", "Chips", "Tea"], 1),
        ("team_size", "dropdown", ["1-10", "11-50"], 2),
    ]
    fields = v2_page(configuration, token)["config"]["booking"]["additional_fields"]
    assert [(f["name"], f["type"]) for f in fields] == [
        ("food", "multi-select list"),
        ("team_size", "dropdown"),
    ]
    assert fields[0]["multi_select_options"] == ["Ice Cream", "Chips", "Tea"]
    assert fields[1]["dropdown_options"] == ["1-10", "11-50"]


def test_a_question_changed_to_a_type_without_options_drops_them(editing):
    client, configuration, token = editing
    data = formset(
        "questions",
        [
            question("Company", "company", required="on"),
            question("Favorite food", "food", "text", options="Ice Cream, Chips"),
        ],
    )
    response = client.post(url(configuration, "questions"), data, **HTMX)
    assert response.status_code == 200, text_of(response)
    assert configuration.additional_fields.get(key="food").options == []
    food = v2_page(configuration, token)["config"]["booking"]["additional_fields"][1]
    assert food["type"] == "text"
    assert "multi_select_options" not in food and "dropdown_options" not in food


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        (question("Size", type="dropdown"), "options", "needs at least one option"),
        (question("Code", pattern="(unclosed"), "pattern", "not a regular expression"),
        (question("Code", pattern=r"^(a+)\1$"), "pattern", "RE2 can match in linear time"),
        (question("Code", pattern="a" * 201), "pattern", "at most 200 characters"),
        (question("Code", key="has space"), "key", "letters, digits, _ and -"),
        ({**question(""), "type": "dropdown"}, "label", "Enter the question."),
        (question("Kind", type="poll"), "type", "Select a valid choice"),
    ],
)
def test_an_invalid_question_is_refused_beside_the_field(editing, row, field, message):
    client, configuration, _token = editing
    response = client.post(
        url(configuration, "questions"), formset("questions", [row], initial=0), **HTMX
    )
    assert response.status_code == 422
    assert message in error_beside(text_of(response), f"id_questions-0-{field}")
    assert configuration.additional_fields.count() == 2


def test_two_questions_cannot_share_a_key(editing):
    client, configuration, _token = editing
    data = formset("questions", [question("Company", "company"), question("Company")], initial=0)
    response = client.post(url(configuration, "questions"), data, **HTMX)
    assert response.status_code == 422
    assert "Another question has the key company" in error_beside(
        text_of(response), "id_questions-1-label"
    )


# Reminders


def test_saving_reminders(editing, owner):
    client, configuration, token = editing
    data = formset(
        "reminders",
        [
            {
                "type": "email",
                "minutes_before_event": "1440",
                "recipient": "all",
                "email_subject": "Tomorrow",
            },
            {"type": "webhook", "minutes_before_event": "15", "recipient": "host"},
        ],
    )
    response = client.post(url(configuration, "reminders"), data, **HTMX)
    assert response.status_code == 200, text_of(response)
    reminders = v2_page(configuration, token)["config"]["reminders"]
    assert [
        (r["delivery_method"], r["time_before_event"], r["delivery_recipient"]) for r in reminders
    ] == [("email", 1440, "both"), ("webhook", 15, "owner")]


def reminder(**fields) -> dict:
    return {"type": "email", "minutes_before_event": "5", "recipient": "guest", **fields}


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        (reminder(minutes_before_event="0"), "minutes_before_event", "greater than or equal"),
        (
            reminder(minutes_before_event="", email_subject="x"),
            "minutes_before_event",
            "how many minutes",
        ),
        (reminder(type="sms"), "type", "Select a valid choice"),
        (reminder(recipient="boss"), "recipient", "Select a valid choice"),
    ],
)
def test_an_invalid_reminder_is_refused_beside_the_field(editing, row, field, message):
    client, configuration, _token = editing
    response = client.post(
        url(configuration, "reminders"), formset("reminders", [row], initial=0), **HTMX
    )
    assert response.status_code == 422
    assert message in error_beside(text_of(response), f"id_reminders-0-{field}")
    assert configuration.reminders.count() == 1


# Appearance


def test_saving_the_appearance_reaches_the_hosted_page_and_the_v2_shape(editing):
    client, configuration, token = editing
    data = {
        "color": "#1E3A8A",
        "company_name": "Tea & Co",
        "logo": "https://example.com/logo.png",
        "submit_text": "",
        "thank_you_text": "See you soon",
        "show_timezone_options": "on",
    }
    response = client.post(url(configuration, "appearance"), data, **HTMX)
    assert response.status_code == 200, text_of(response)
    configuration.refresh_from_db()
    assert configuration.appearance == {
        "color": "#1e3a8a",
        "company_name": "Tea & Co",
        "logo": "https://example.com/logo.png",
        "thank_you_text": "See you soon",
        "show_timezone_options": "true",
    }
    appearance = v2_page(configuration, token)["config"]["appearance"]
    assert appearance["show_timezone_options"] is True
    assert appearance["submit_text"] == ""  # not the old "Book it!"
    assert appearance["company_name"] == "Tea & Co"
    hosted = text_of(client.get("/book/coffee/"))
    assert "Tea &amp; Co" in hosted and "https://example.com/logo.png" in hosted


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("logo", "javascript:alert(1)", "Enter a valid URL."),
        ("logo", "ftp://example.com/logo.png", "http:// or https://"),
        ("logo", "https://user:secret@example.com/logo.png", "http:// or https://"),
        ("color", "red", "Use a color such as"),
        ("company_name", "x" * 201, "at most 200 characters"),
    ],
)
def test_an_invalid_appearance_is_refused_beside_the_field(editing, field, value, message):
    client, configuration, _token = editing
    data = {"color": "#123456", "company_name": "", "logo": "", "submit_text": "", field: value}
    response = client.post(url(configuration, "appearance"), data, **HTMX)
    assert response.status_code == 422
    assert message in error_beside(text_of(response), f"id_{field}")
    configuration.refresh_from_db()
    assert configuration.appearance["color"] == "#82c0e7"


def test_an_http_logo_is_refused_once_the_site_is_https(editing, settings):
    settings.SITE_URL = "https://scheduler.example.com"
    client, configuration, _token = editing
    data = {"color": "#123456", "logo": "http://example.com/logo.png"}
    response = client.post(url(configuration, "appearance"), data, **HTMX)
    assert response.status_code == 422
    assert "Use an https:// address." in error_beside(text_of(response), "id_logo")
    configuration.refresh_from_db()
    assert "logo" not in configuration.appearance


# CSRF


def test_saving_needs_the_csrf_token(page):
    configuration, token = page
    client = Client(enforce_csrf_checks=True)
    client.get("/editor/", {"edit_token": token})
    data = {"title": "Forged", "duration_minutes": "30", "location": ""}
    assert client.post(url(configuration, "event"), data).status_code == 403
    assert Configuration.objects.get(pk=configuration.pk).title == "30-min Coffee Meeting"

    html = text_of(client.get(url(configuration)))
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    assert re.search(r'hx-headers=\'\{"x-csrftoken": "[^"]+"\}\'', html)
    response = client.post(
        url(configuration, "event"), {**data, "title": "Mine"}, HTTP_X_CSRFTOKEN=csrf, **HTMX
    )
    assert response.status_code == 200
    assert Configuration.objects.get(pk=configuration.pk).title == "Mine"
