from __future__ import annotations

from pages.models import Configuration


def test_the_demo_page_shows_title_duration_and_organizer(client, demo_page):
    response = client.get("/book/demo/")
    assert response.status_code == 200
    page = response.content.decode()
    assert demo_page.title in page
    assert "30 minutes" in page
    assert "Ada Lovelace" in page


def test_an_unknown_slug_gets_a_proper_404_page(client, db):
    response = client.get("/book/no-such-page/")
    assert response.status_code == 404
    assert "doesn" in response.content.decode()


def test_a_private_configuration_is_as_unknown_as_a_missing_one(client, demo_page):
    Configuration.objects.filter(pk=demo_page.pk).update(requires_session_auth=True)
    assert client.get("/book/demo/").status_code == 404


def test_guest_visible_text_is_escaped(client, demo_page):
    Configuration.objects.filter(pk=demo_page.pk).update(
        title="<script>alert(1)</script>", appearance={"color": "red;}</style><script>x()"}
    )
    page = client.get("/book/demo/").content.decode()
    assert "<script>alert(1)" not in page
    assert "</style><script>x()" not in page
