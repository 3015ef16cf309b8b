"""Unmatched /v3/ paths answer a JSON 404 in the v3 envelope (pages.api.fallback_urls,
the root URLconf's last include)."""

from __future__ import annotations

import json

from django.test import RequestFactory
from django.urls import resolve

from pages.api import fallback_urls


def test_any_v3_path_resolves_to_the_json_404():
    match = resolve("/v3/no/such/route", urlconf="pages.api.fallback_urls")
    response = match.func(RequestFactory().post("/v3/no/such/route"), **match.kwargs)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert set(body) == {"request_id", "error"}
    assert body["error"]["type"] == "not_found_error"
    assert "POST /v3/no/such/route" in body["error"]["message"]


def test_it_claims_nothing_outside_v3():
    assert [p.pattern.regex.pattern for p in fallback_urls.urlpatterns] == [r"^v3/(?P<rest>.*)$"]
