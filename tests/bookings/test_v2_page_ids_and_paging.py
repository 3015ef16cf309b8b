"""v2 pages have integer IDs (seed 000: ``"id": 1111111``) and /manage/pages/{id} takes
them as well as the v3 UUID; GET /manage/pages pages with offset and limit, as the v2
SDKs ask (100 at a time, until a shorter page)."""

from __future__ import annotations

import pytest

from pages import services
from pages.models import Configuration
from tests.bookings.test_v2_pages import create, seed_body


@pytest.fixture
def ada(make_host):
    return make_host("ada@example.com", "America/Los_Angeles", name="Ada")


def body_with_slug(grant, slug):
    body = seed_body(grant, str(grant.calendars.get(is_primary=True).pk))
    body["slug"] = slug
    return body


def test_pages_have_integer_ids_in_order_of_creation(api, ada):
    first = create(api, ada, body_with_slug(ada, "first")).json()
    second = create(api, ada, body_with_slug(ada, "second")).json()
    assert type(first["id"]) is int and type(second["id"]) is int
    assert second["id"] == first["id"] + 1
    stored = Configuration.objects.get(pk=first["configuration_id"])
    assert stored.v2_page_id == first["id"]


def test_a_page_is_reached_by_its_integer_id_and_by_its_uuid(api, ada):
    page = create(api, ada).json()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {ada.token}"}
    by_number = api.get(f"/manage/pages/{page['id']}", **auth)
    by_uuid = api.get(f"/manage/pages/{page['configuration_id']}", **auth)
    assert by_number.status_code == by_uuid.status_code == 200
    assert by_number.json() == by_uuid.json()
    assert by_number.json()["id"] == page["id"]
    changed = api.put(
        f"/manage/pages/{page['id']}", {"name": "Renamed"}, format="json", **auth
    ).json()
    assert changed["name"] == "Renamed" and changed["id"] == page["id"]


@pytest.mark.parametrize("page_id", ["0", "999999", "99999999999999999999999", "-1", "1.0"])
def test_an_unknown_or_malformed_id_is_a_404(api, ada, page_id):
    create(api, ada)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {ada.token}"}
    response = api.get(f"/manage/pages/{page_id}", **auth)
    assert response.status_code == 404
    assert response.json()["type"] == "not_found_error"


def test_another_organizers_page_is_not_reached_by_its_number(api, ada, make_host):
    page = create(api, ada).json()
    other = make_host("other@example.com")
    response = api.get(f"/manage/pages/{page['id']}", HTTP_AUTHORIZATION=f"Bearer {other.token}")
    assert response.status_code == 404


def test_a_configuration_made_in_v3_has_a_v2_id_too(api, api_key, ada):
    response = api.post(
        f"/v3/grants/{ada.pk}/scheduling/configurations",
        {"participants": [{"email": ada.email, "is_organizer": True}], "slug": "made-in-v3"},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {api_key}",
    )
    assert response.status_code == 200, response.content
    configuration = Configuration.objects.get(pk=response.json()["data"]["id"])
    assert configuration.v2_page_id is not None
    page = api.get(
        f"/manage/pages/{configuration.v2_page_id}", HTTP_AUTHORIZATION=f"Bearer {api_key}"
    )
    assert page.json()["slug"] == "made-in-v3"


def test_an_id_is_never_given_twice_even_after_the_highest_page_is_deleted(api, ada):
    first = create(api, ada, body_with_slug(ada, "first")).json()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {ada.token}"}
    assert api.delete(f"/manage/pages/{first['id']}", **auth).status_code == 200
    second = create(api, ada, body_with_slug(ada, "second")).json()
    assert second["id"] == first["id"] + 1
    assert api.get(f"/manage/pages/{first['id']}", **auth).status_code == 404


def test_ids_given_otherwise_are_not_given_again(ada):
    """A configuration numbered outside the counter (an import, say): the next ID is past
    it."""
    from pages.api.v2_pages import read_page

    first = services.create_configuration(
        grant=ada, changes=read_page(body_with_slug(ada, "one"), [ada])
    )
    Configuration.objects.filter(pk=first.pk).update(v2_page_id=first.v2_page_id + 40)
    second = services.create_configuration(
        grant=ada, changes=read_page(body_with_slug(ada, "two"), [ada])
    )
    assert second.v2_page_id == first.v2_page_id + 41


def list_pages(api, token, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return api.get(f"/manage/pages?{query}", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_the_list_pages_with_offset_and_limit(api, ada):
    made = [create(api, ada, body_with_slug(ada, f"p{i}")).json()["id"] for i in range(5)]
    assert [p["id"] for p in list_pages(api, ada.token).json()] == made
    assert [p["id"] for p in list_pages(api, ada.token, limit=2).json()] == made[:2]
    assert [p["id"] for p in list_pages(api, ada.token, offset=2, limit=2).json()] == made[2:4]
    assert [p["id"] for p in list_pages(api, ada.token, offset=4, limit=2).json()] == made[4:]
    assert list_pages(api, ada.token, offset=5).json() == []


def test_the_list_defaults_to_100_so_the_sdk_loop_ends(api, api_key, ada):
    from pages.api.v2_pages import read_page

    for i in range(101):
        services.create_configuration(
            grant=ada, changes=read_page(body_with_slug(ada, f"bulk{i}"), [ada])
        )
    # The SDK's loop: offset 0, limit 100; then offset 100: a short page ends it.
    assert len(list_pages(api, api_key, offset=0, limit=100).json()) == 100
    assert len(list_pages(api, api_key, offset=100, limit=100).json()) == 1
    assert len(list_pages(api, api_key).json()) == 100


@pytest.mark.parametrize(
    "params, field",
    [
        ({"limit": 0}, "limit"),
        ({"limit": 1001}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": "1e3"}, "offset"),
    ],
)
def test_bad_paging_is_a_400_naming_the_parameter(api, ada, params, field):
    response = list_pages(api, ada.token, **params)
    assert response.status_code == 400
    assert field in response.json()["message"]


def test_timeslots_page_when_asked_and_list_all_otherwise(api, ada):
    body = seed_body(ada, str(ada.calendars.get(is_primary=True).pk))
    body["config"]["booking"]["additional_fields"] = []
    create(api, ada, body)
    url = "/schedule/sample-solutions-meet-01/timeslots"
    everything = [s["start"] for s in api.get(url).json()]
    assert len(everything) > 100  # 16 half hours a day for 14 days: no default limit
    assert [s["start"] for s in api.get(url, {"limit": 3}).json()] == everything[:3]
    paged = api.get(url, {"offset": 5, "limit": 2}).json()
    assert [s["start"] for s in paged] == everything[5:7]
    assert [s["start"] for s in api.get(url, {"offset": 7}).json()] == everything[7:]
    assert api.get(url, {"limit": 0}).status_code == 400
