"""The Reminders and Appearance sections."""

from __future__ import annotations

import pytest

from tests.pages.editor.helpers import HTMX, error_beside, formset, text_of, url, v2_page

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
