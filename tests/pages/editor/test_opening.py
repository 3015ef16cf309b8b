"""Opening the editor: the edit token exchanged once for a session grant; CSRF on
every save."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from pages.editor.access import SESSION_KEY
from pages.models import Configuration
from pages.services import issue_edit_token
from tests.pages.editor.helpers import HTMX, create_page, text_of, url

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
