"""What pages/embeds.py decides on its own: which texts are origins a page may list, which
origins may frame a page, and the admin's Embed panel."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pages import embeds
from pages.models import Configuration


@pytest.mark.parametrize(
    ("text", "origins"),
    [
        ("https://www.example.com", ["https://www.example.com"]),
        (
            "https://A.example.com/, http://localhost:8080",
            ["https://a.example.com", "http://localhost:8080"],
        ),
        ("https://x.test  https://x.test", ["https://x.test"]),
        ("", []),
    ],
)
def test_origins_are_read_from_spaces_or_commas(text, origins):
    assert embeds.parse_origins(text) == origins


@pytest.mark.parametrize(
    "text",
    [
        "javascript:alert(1)",
        "https://example.com/path",
        "https://user:pw@example.com",
        "example.com",
        "https://*.example.com",
        "https://example.com?x=1",
        "ftp://example.com",
        "https://example.com:port",
        "'self'",
    ],
)
def test_anything_but_an_http_origin_is_refused(text):
    with pytest.raises(ValueError, match="is not an origin"):
        embeds.parse_origins(text)


def test_a_page_is_framed_by_its_own_and_the_default_origins(settings, demo_page):
    settings.SCHEDULER_EMBED_ORIGINS = ["https://all.example.org"]
    settings.SCHEDULER_EDITOR_ORIGINS = ["https://app.example.org"]
    Configuration.objects.filter(pk=demo_page.pk).update(
        appearance={**demo_page.appearance, "embed_origins": "https://www.example.com"}
    )
    demo_page.refresh_from_db()
    assert embeds.allowed_origins(demo_page) == [
        "https://www.example.com",
        "https://all.example.org",
    ]
    assert embeds.editor_origins(demo_page) == [
        "https://www.example.com",
        "https://all.example.org",
        "https://app.example.org",
    ]


def test_the_admin_shows_the_embed_panel_with_the_pages_snippets(staff_client, demo_page, settings):
    settings.SITE_URL = "https://cal.example.com"
    url = reverse("admin:pages_configuration_change", args=[demo_page.pk])
    page = staff_client.get(url).content.decode()
    assert "Sites that may embed this page" in page
    assert "&lt;script src=&quot;https://cal.example.com/embed.js&quot; defer&gt;" in page
    assert "data-scheduler-inline=&quot;demo&quot;" in page
    assert "data-scheduler-popup=&quot;demo&quot;" in page
    assert "scheduler.show" in page
