"""GET /manage/pages/{id}/calendars (each organizer's calendars) and PUT
/manage/pages/{id}/upload-image (not offered here: a 400 that says what to do), as the v2
SDK's page.getAvailableCalendars() and page.uploadImage() call them."""

from __future__ import annotations

from pages.services import create_calendar
from tests.bookings.test_v2_pages import create


def test_the_organizers_calendars_primary_first(api, make_host):
    ada = make_host("ada@example.com", "Asia/Kathmandu", name="Ada")
    extra = create_calendar(grant=ada, name="Another", description="", timezone="UTC")
    page = create(api, ada).json()
    response = api.get(
        f"/manage/pages/{page['id']}/calendars", HTTP_AUTHORIZATION=f"Bearer {page['edit_token']}"
    )
    assert response.status_code == 200, response.content
    [account] = response.json()
    assert (account["id"], account["email"], account["name"]) == (str(ada.pk), ada.email, "Ada")
    primary = str(ada.calendars.get(is_primary=True).pk)
    assert [c["id"] for c in account["calendars"]] == [primary, str(extra.pk)]
    assert account["calendars"][0]["account_id"] == str(ada.pk)
    assert account["calendars"][0]["object"] == "calendar"


def test_calendars_of_a_page_out_of_reach_are_a_404(api, make_host):
    page = create(api, make_host("ada@example.com")).json()
    other = make_host("other@example.com")
    response = api.get(
        f"/manage/pages/{page['id']}/calendars", HTTP_AUTHORIZATION=f"Bearer {other.token}"
    )
    assert response.status_code == 404


def test_the_calendars_route_does_not_change_the_page(api, make_host):
    ada = make_host("ada@example.com")
    page = create(api, ada).json()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {ada.token}"}
    url = f"/manage/pages/{page['id']}/calendars"
    assert api.put(url, {"name": "x"}, format="json", **auth).status_code == 405
    assert api.delete(url, **auth).status_code == 405


def test_upload_image_says_images_are_not_stored_here(api, make_host):
    ada = make_host("ada@example.com")
    page = create(api, ada).json()
    response = api.put(
        f"/manage/pages/{page['id']}/upload-image",
        {"contentType": "image/png", "objectName": "logo.png"},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {ada.token}",
    )
    assert response.status_code == 400
    assert response.json()["type"] == "invalid_request_error"
    assert "config.appearance.logo" in response.json()["message"]
