"""/ is a real page (where the admin's "View site" leads), and the site has an icon."""

from __future__ import annotations

import pytest
from django.urls import reverse


def test_the_home_page_greets_visitors_without_listing_anything(client, demo_page):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "open the booking link your organizer shared" in html
    assert "/book/demo/" not in html  # a page's link is its organizer's to share
    assert 'href="/admin/"' in html


def test_staff_find_the_public_booking_pages_there(staff_client, demo_page, make_configuration):
    make_configuration(slug="private-page", requires_session_auth=True, title="Board only")
    html = staff_client.get("/").content.decode()
    assert 'href="/book/demo/"' in html
    assert "private-page" not in html and "Board only" not in html


def test_view_site_in_the_admin_leads_to_a_real_page(staff_client, db):
    admin = staff_client.get(reverse("admin:index")).content.decode()
    assert '<a href="/">View site</a>' in admin
    assert "Scheduler administration" in admin
    assert staff_client.get("/").status_code == 200


@pytest.mark.parametrize("path", ["/", "/admin/login/", "/book/demo/"])
def test_every_page_links_the_icon(client, demo_page, path):
    html = client.get(path).content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html


def test_favicon_ico_is_an_icon_not_a_404(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/favicon.ico"
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    body = b"".join(icon.streaming_content) if icon.streaming else icon.content
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO header
    svg = client.get("/static/favicon.svg")
    assert svg.status_code == 200 and svg["Content-Type"].startswith("image/svg+xml")
