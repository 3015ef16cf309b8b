"""The Schedule Editor as an embed (pages/editor/embed.py): the token comes in a form's
body from our own frame, the editor is framed only by the origins the page allows, and
its saves work with no cookie, by the embed token and our Origin."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from pages.editor.access import SESSION_KEY
from pages.models import Configuration
from tests.pages.editor.helpers import HTMX, url

HOST = "https://app.customer.test"
OURS = "http://testserver"


@pytest.fixture
def strict():
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def allowed(page):
    configuration, token = page
    Configuration.objects.filter(pk=configuration.pk).update(appearance={"embed_origins": HOST})
    return Configuration.objects.get(pk=configuration.pk), token


def frame_ancestors(response) -> str:
    return re.search(r"frame-ancestors ([^;]*)", response["Content-Security-Policy"])[1].strip()


def open_embedded(client, token, origin=HOST, **more):
    return client.post(
        "/editor/embed/open/",
        {"edit_token": token, "origin": origin, **more},
        HTTP_ORIGIN=OURS,
        HTTP_SEC_FETCH_SITE="same-origin",
    )


def embed_token(response) -> str:
    return re.search(r'"x-scheduler-embed": "([^"]+)"', response.content.decode())[1]


def test_the_frame_before_the_token_shows_nothing_of_a_page(strict):
    response = strict.get("/editor/embed/")
    assert response.status_code == 200
    assert frame_ancestors(response) == "*"
    assert "X-Frame-Options" not in response
    html = response.content.decode()
    assert 'action="/editor/embed/open/"' in html and "js/editor_embed.js" in html


def test_the_token_opens_the_editor_framed_by_the_pages_origins_only(strict, allowed):
    configuration, token = allowed
    response = open_embedded(strict, token, tint="#32325d", background="white")
    assert response.status_code == 200
    html = response.content.decode()
    assert configuration.name in html
    assert token not in html
    assert frame_ancestors(response) == HOST
    assert "X-Frame-Options" not in response
    assert "--accent: #32325d" in html and "--bg: white" in html
    assert SESSION_KEY not in strict.session, "no session: the frame has no cookie"


def test_editor_origins_from_the_settings_are_allowed_too(strict, page, settings):
    configuration, token = page
    settings.SCHEDULER_EDITOR_ORIGINS = [HOST]
    response = open_embedded(strict, token)
    assert response.status_code == 200
    assert frame_ancestors(response) == HOST


def test_an_origin_the_page_does_not_allow_gets_no_editor(strict, allowed):
    _configuration, token = allowed
    response = open_embedded(strict, token, origin="https://attacker.test")
    assert response.status_code == 403
    assert frame_ancestors(response) == "'none'"
    assert response["X-Frame-Options"] == "DENY"


def test_the_exchange_must_come_from_our_own_frame(strict, allowed):
    _configuration, token = allowed
    response = strict.post(
        "/editor/embed/open/",
        {"edit_token": token, "origin": HOST},
        HTTP_ORIGIN=HOST,
        HTTP_SEC_FETCH_SITE="cross-site",
    )
    assert response.status_code == 403


def test_a_bad_token_opens_nothing(strict, allowed):
    response = open_embedded(strict, "not-the-token")
    assert response.status_code == 403


def test_the_embedded_editor_saves_with_no_cookie(strict, allowed):
    configuration, _token = allowed
    grant = embed_token(open_embedded(strict, _token))
    response = strict.post(
        url(configuration, "event"),
        {"title": "Tea instead", "duration_minutes": "45", "location": ""},
        HTTP_X_SCHEDULER_EMBED=grant,
        HTTP_ORIGIN=OURS,
        **HTMX,
    )
    assert response.status_code == 200, response.content.decode()[:300]
    assert "Saved." in response.content.decode()
    assert frame_ancestors(response) == HOST
    configuration.refresh_from_db()
    assert configuration.title == "Tea instead"


def test_embedded_saves_are_refused_from_another_origin_or_after_a_new_edit_token(strict, allowed):
    from pages.services import issue_edit_token

    configuration, token = allowed
    grant = embed_token(open_embedded(strict, token))
    data = {"title": "Hijacked", "duration_minutes": "45", "location": ""}
    forged = strict.post(
        url(configuration, "event"),
        data,
        HTTP_X_SCHEDULER_EMBED=grant,
        HTTP_ORIGIN="https://attacker.test",
        **HTMX,
    )
    assert forged.status_code == 403
    issue_edit_token(configuration=configuration)
    stale = strict.post(
        url(configuration, "event"), data, HTTP_X_SCHEDULER_EMBED=grant, HTTP_ORIGIN=OURS, **HTMX
    )
    assert stale["HX-Refresh"] == "true", "the editor reloads and says why, as for a session"
    configuration.refresh_from_db()
    assert configuration.title != "Hijacked"


def test_a_grant_for_one_page_does_not_open_another(strict, allowed, owner):
    from tests.pages.editor.helpers import create_page

    configuration, token = allowed
    other, _other_token = create_page(owner, slug="other-page")
    grant = embed_token(open_embedded(strict, token))
    response = strict.post(
        url(other, "event"),
        {"title": "Hijacked", "duration_minutes": "45", "location": ""},
        HTTP_X_SCHEDULER_EMBED=grant,
        HTTP_ORIGIN=OURS,
        **HTMX,
    )
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.title != "Hijacked"


def test_the_v3_api_refuses_an_embed_origin_that_is_not_one(api, api_key, allowed):
    configuration, _token = allowed
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key}")
    response = api.put(
        f"/v3/grants/{configuration.grant_id}/scheduling/configurations/{configuration.pk}",
        {"appearance": {"embed_origins": "https://ok.example.com javascript:alert(1)"}},
        format="json",
    )
    assert response.status_code == 400
    assert "appearance.embed_origins" in response.content.decode()


def test_the_owner_lists_the_sites_that_may_embed_the_page_in_the_editor(editing):
    from tests.pages.editor.helpers import error_beside, text_of

    client, configuration, _token = editing
    data = {"color": "#123456", "company_name": "", "logo": "", "submit_text": ""}
    given = {**data, "embed_origins": "https://www.example.com/, https://shop.example.com"}
    response = client.post(url(configuration, "appearance"), given, **HTMX)
    assert response.status_code == 200, text_of(response)
    configuration.refresh_from_db()
    assert configuration.appearance["embed_origins"] == (
        "https://www.example.com https://shop.example.com"
    )
    bad = {**data, "embed_origins": "https://www.example.com/booking"}
    refused = client.post(url(configuration, "appearance"), bad, **HTMX)
    assert refused.status_code == 422
    assert "is not an origin" in error_beside(text_of(refused), "id_embed_origins")


def test_the_edit_token_is_in_no_log_line_even_when_refused(strict, allowed, caplog):
    _configuration, token = allowed
    caplog.set_level("DEBUG")
    refused = open_embedded(strict, token, origin="https://attacker.test")
    assert refused.status_code == 403
    assert any("/editor/embed/open/" in r.getMessage() for r in caplog.records)
    assert token not in caplog.text
