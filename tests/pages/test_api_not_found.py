"""Every wrong turn answers in the dialect: an API path no route matches is a JSON 404 in
its dialect's envelope, for any method (pages.api.fallback_urls, the root URLconf's last
include), never Django's HTML 404 page or its HTML CSRF refusal."""

from __future__ import annotations

import pytest
from django.test import Client

METHODS = ["get", "post", "put", "patch", "delete", "head", "options"]


def call(client, method: str, path: str):
    if method in ("get", "head", "options"):
        return getattr(client, method)(path)
    return getattr(client, method)(path, "{}", content_type="application/json")


@pytest.fixture
def browserlike():
    """A client that enforces CSRF as a real request would meet it."""
    return Client(enforce_csrf_checks=True)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    "path",
    [
        "/v3/connect/nonexistent",
        "/v3/no/such/route",
        "/v3",
        "/v3/",
        "/v3/scheduling/bookings/x/y",
        "/v3/grants/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/nothing",
    ],
)
def test_an_unknown_v3_path_is_a_json_404_in_the_v3_envelope(browserlike, db, method, path):
    response = call(browserlike, method, path)
    assert response.status_code == 404, response.content[:200]
    assert response["Content-Type"] == "application/json"
    if method == "head":
        return
    body = response.json()
    assert set(body) == {"request_id", "error"}
    assert body["error"]["type"] == "not_found_error"
    assert f"{method.upper()} {path}" in body["error"]["message"]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    "path",
    [
        "/manage/pages/1/2",
        "/manage/other",
        "/schedule/demo",
        "/schedule/demo/nothing",
        "/schedule/not a slug/info",
        "/schedule/line%0Abreak/timeslots",
        "/calendars/somewhere",
        "/calendars",
    ],
)
def test_an_unknown_v2_path_is_a_json_404_in_the_v2_envelope(browserlike, db, method, path):
    response = call(browserlike, method, path)
    assert response.status_code == 404, response.content[:200]
    assert response["Content-Type"] == "application/json"
    if method == "head":
        return
    body = response.json()
    assert set(body) == {"type", "message"}
    assert body["type"] == "not_found_error"


@pytest.mark.parametrize("method", METHODS)
def test_a_path_with_a_newline_is_a_json_404_too(browserlike, db, method):
    """A regex's "." misses a newline (%0A): such a path once fell through to the HTML page."""
    response = call(browserlike, method, "/v3/line%0Abreak/calendars")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_the_known_routes_and_the_pages_are_untouched(client, db):
    assert client.get("/v3/schema").status_code == 200
    assert client.get("/healthz").status_code == 200
    # A page that is not an API path keeps Django's HTML 404.
    page = client.get("/no-such-page/")
    assert page.status_code == 404
    assert "application/json" not in page["Content-Type"]
    assert client.get("/scheduled/x").status_code == 404
    assert "application/json" not in client.get("/scheduled/x")["Content-Type"]
