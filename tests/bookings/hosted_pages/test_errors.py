"""The error pages (404, 500) in the visitor's language, and the hosted pages' German
catalog: every string of their templates extracted, translated and compiled."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

from django.test import RequestFactory
from django.utils import translation
from django.views.defaults import server_error

ROOT = Path(__file__).resolve().parents[3]
CATALOG = ROOT / "bookings" / "locale" / "de" / "LC_MESSAGES"
# The templates whose strings bookings/locale/update_messages.sh extracts (the emails'
# are locale/'s; the Schedule Editor has no German yet).
PAGE_TEMPLATES = sorted([*ROOT.glob("templates/*.html"), *ROOT.glob("templates/bookings/*.html")])


def test_the_404_page_speaks_the_visitors_language(client, db):
    response = client.get("/book/no-such-page/", HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="de">' in html
    assert "Diese Seite gibt es nicht" in html
    assert "Seite nicht gefunden" in html
    english = client.get("/book/no-such-page/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "This page doesn't exist" in english


def test_the_500_page_speaks_the_visitors_language():
    request = RequestFactory().get("/")
    with translation.override("de"):
        html = server_error(request).content.decode()
    assert '<html lang="de">' in html
    assert "Bei uns ist etwas schiefgegangen" in html
    assert "Something went wrong" not in html
    with translation.override("en"):
        assert "Something went wrong on our side" in server_error(request).content.decode()


def test_every_string_of_the_page_templates_has_a_german_translation():
    with open(CATALOG / "django.mo", "rb") as compiled:
        german = gettext.GNUTranslations(compiled)
    missing = []
    for template in PAGE_TEMPLATES:
        for text in re.findall(r'{% translate "([^"]+)" %}', template.read_text()):
            if german.gettext(text) == text:
                missing.append(f"{template.name}: {text}")
    assert not missing, "not extracted, translated or compiled (update_messages.sh)"


def test_the_german_catalog_has_no_entry_left_untranslated_or_fuzzy():
    source = (CATALOG / "django.po").read_text()
    entries = source.split("\n\n")[1:]  # the first is the header
    assert not [e for e in entries if "#, fuzzy" in e]
    assert not [e for e in entries if re.search(r'^msgstr(\[\d\])? ""\Z', e.strip(), re.M)]
