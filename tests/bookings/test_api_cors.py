"""CORS on the scheduling routes a guest's browser calls (the Scheduling web component on
another site), and only on those: the organizer's routes stay server-to-server."""

from __future__ import annotations

import importlib

import pytest
from django.core.exceptions import ImproperlyConfigured

from scheduler_site import environment

ORIGIN = "https://shop.example.com"
COMPONENT_HEADERS = "authorization, content-type, x-source, x-nylas-web-elements-version"


def preflight(client, path: str, method: str = "POST", origin: str = ORIGIN):
    return client.options(
        path,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD=method,
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS=COMPONENT_HEADERS,
    )


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/v3/scheduling/availability?configuration_id=x", "GET"),
        ("/v3/scheduling/bookings?configuration_id=x", "POST"),
        ("/v3/scheduling/bookings/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", "PATCH"),
        ("/v3/scheduling/bookings/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", "DELETE"),
        ("/v3/scheduling/bookings/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", "PUT"),
        ("/v3/scheduling/sessions", "POST"),
        ("/v3/scheduling/ui-settings?configuration_id=x", "GET"),
    ],
)
def test_a_preflight_from_another_site_is_answered_with_the_component_headers(
    client, db, path, method
):
    response = preflight(client, path, method)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert method in response["Access-Control-Allow-Methods"]
    allowed = {h.strip() for h in response["Access-Control-Allow-Headers"].split(",")}
    assert {h.strip() for h in COMPONENT_HEADERS.split(",")} <= allowed
    assert "Access-Control-Allow-Credentials" not in response


def test_an_answer_to_the_browser_carries_the_origin_header_and_no_cookie_permission(client, db):
    response = client.get("/v3/scheduling/availability", HTTP_ORIGIN=ORIGIN)
    assert response.status_code == 400  # no configuration_id: still readable by the page
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response


@pytest.mark.parametrize(
    "path",
    [
        "/v3/grants",
        "/v3/grants/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/scheduling/configurations",
        "/v3/webhooks",
        "/v3/calendars/availability",
        "/manage/pages",
        "/v3/scheduling/bookingsx",
    ],
)
def test_the_organizer_routes_answer_no_browser_from_another_site(client, db, path):
    response = preflight(client, path, "POST")
    assert "Access-Control-Allow-Origin" not in response
    got = client.get(path, HTTP_ORIGIN=ORIGIN)
    assert "Access-Control-Allow-Origin" not in got


def test_with_scheduler_cors_origins_only_those_sites_are_allowed(client, db, settings):
    settings.CORS_ALLOW_ALL_ORIGINS = False
    settings.CORS_ALLOWED_ORIGINS = ["https://shop.example.com"]
    allowed = preflight(client, "/v3/scheduling/bookings", "POST")
    assert allowed["Access-Control-Allow-Origin"] == ORIGIN
    other = preflight(client, "/v3/scheduling/bookings", "POST", origin="https://evil.example")
    assert "Access-Control-Allow-Origin" not in other


def test_scheduler_cors_origins_is_read_from_the_environment(monkeypatch):
    from scheduler_site import settings as site_settings

    monkeypatch.setenv("SCHEDULER_CORS_ORIGINS", "https://shop.example.com, http://127.0.0.1:9000/")
    try:
        reloaded = importlib.reload(site_settings)
        assert reloaded.CORS_ALLOWED_ORIGINS == [
            "https://shop.example.com",
            "http://127.0.0.1:9000",
        ]
        assert reloaded.CORS_ALLOW_ALL_ORIGINS is False
        monkeypatch.delenv("SCHEDULER_CORS_ORIGINS")
        reloaded = importlib.reload(site_settings)
        assert reloaded.CORS_ALLOW_ALL_ORIGINS is True
    finally:
        monkeypatch.delenv("SCHEDULER_CORS_ORIGINS", raising=False)
        importlib.reload(site_settings)


def test_a_malformed_scheduler_cors_origin_fails_loudly():
    with pytest.raises(ImproperlyConfigured, match="SCHEDULER_CORS_ORIGINS"):
        name = "SCHEDULER_CORS_ORIGINS"
        environment.env_origins({name: "shop.example.com"}, name)
