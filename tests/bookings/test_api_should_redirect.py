"""GET /v3/scheduling/should-redirect/{slug}: pages made in v2 answer as pages made in v3
(one configuration, one hosted page)."""

from __future__ import annotations

from pages.models import Configuration
from tests.bookings.test_v2_pages import create, seed_body


def test_a_page_made_in_v2_should_redirect_to_its_hosted_page(api, make_host, settings):
    settings.SITE_URL = "https://book.example.com"
    ada = make_host("ada@example.com", "Asia/Kathmandu")
    page = create(api, ada).json()
    response = api.get("/v3/scheduling/should-redirect/sample-solutions-meet-01")
    assert response.status_code == 200, response.content
    assert response.json()["data"] == {
        "should_redirect": True,
        "slug": "sample-solutions-meet-01",
        "configuration_id": page["configuration_id"],
        "url": "https://book.example.com/book/sample-solutions-meet-01/",
    }
    # The hosted page it names serves it.
    assert api.get("/book/sample-solutions-meet-01/").status_code == 200


def test_a_page_made_in_v3_answers_the_same_way(api, make_configuration):
    configuration = make_configuration(slug="made-in-v3")
    data = api.get("/v3/scheduling/should-redirect/made-in-v3").json()["data"]
    assert data["should_redirect"] is True
    assert data["configuration_id"] == str(configuration.pk)


def test_an_unknown_or_private_slug_should_not_redirect(api, make_host):
    ada = make_host("ada@example.com")
    body = seed_body(ada, str(ada.calendars.get(is_primary=True).pk))
    page = create(api, ada, body).json()
    Configuration.objects.filter(pk=page["configuration_id"]).update(requires_session_auth=True)
    for slug in ("sample-solutions-meet-01", "nobody-has-this"):
        data = api.get(f"/v3/scheduling/should-redirect/{slug}").json()["data"]
        assert data == {
            "should_redirect": False,
            "slug": slug,
            "configuration_id": None,
            "url": None,
        }


def test_a_slug_that_cannot_be_one_is_a_v3_404(api, db):
    response = api.get("/v3/scheduling/should-redirect/not%20a%20slug")
    assert response.status_code == 404
    assert response.json()["error"]["type"] == "not_found_error"
