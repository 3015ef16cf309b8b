"""The editor's page: every section filled in, escaped, with its preview link."""

from __future__ import annotations

from pages.models import Configuration
from tests.pages.editor.helpers import text_of, url

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
