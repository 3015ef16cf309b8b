"""The Event section, with htmx and without JavaScript."""

from __future__ import annotations

import re

from pages.models import Configuration
from tests.pages.editor.helpers import HTMX, availability_data, error_beside, text_of, url, v2_page

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
