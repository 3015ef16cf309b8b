"""Every message is translated in every language the site speaks, in both catalogs (the
hosted pages' bookings/locale and the emails' locale), and what is committed compiled
(the .mo files) says what the .po files say. Fails on a new string until someone runs
bookings/locale/update_messages.sh and translates it."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.utils.translation import to_locale

from bookings.languages import LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = [ROOT / "bookings" / "locale", ROOT / "locale"]
TRANSLATED = [to_locale(code) for code in LANGUAGES if code != "en"]  # "zh_Hans", ...
TEMPLATES = ROOT / "templates"

CASES = [
    pytest.param(catalog / locale / "LC_MESSAGES", id=f"{catalog.relative_to(ROOT)}-{locale}")
    for catalog in CATALOGS
    for locale in TRANSLATED
]


def entries(folder: Path):
    with open(folder / "django.po", "rb") as source:
        catalog = read_po(source)
    return catalog, [message for message in catalog if message.id]


def test_each_catalog_holds_the_eight_languages_beside_english():
    for catalog in CATALOGS:
        found = sorted(p.name for p in catalog.iterdir() if (p / "LC_MESSAGES").is_dir())
        assert found == sorted(TRANSLATED), catalog


@pytest.mark.parametrize("folder", CASES)
def test_every_message_has_a_translation(folder):
    catalog, messages = entries(folder)
    assert not catalog.fuzzy, "the header is marked fuzzy: msgfmt would drop Plural-Forms"
    missing = []
    for message in messages:
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(form and form.strip() for form in forms):
            missing.append(message.id)
        elif len(forms) != catalog.num_plurals and isinstance(message.id, tuple):
            missing.append(f"{message.id}: {len(forms)} forms, not {catalog.num_plurals}")
    assert not missing, f"untranslated in {folder}: {missing}"


@pytest.mark.parametrize("folder", CASES)
def test_every_translation_keeps_its_placeholders(folder):
    _, messages = entries(folder)
    placeholder = re.compile(r"%\(\w+\)[sd]|</?strong>")
    wrong = []
    for message in messages:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        allowed = {p for text in ids for p in placeholder.findall(text)}
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        # Every form keeps what the source says; a singular may leave out the count
        # ("Please correct the field marked below.").
        needed = set(placeholder.findall(ids[-1])) - {"%(errors)s"}
        for form in forms:
            used = set(placeholder.findall(form))
            if not used <= allowed or not needed <= used:
                wrong.append((message.id, form))
    assert not wrong


@pytest.mark.parametrize("folder", CASES)
def test_the_committed_mo_is_compiled_from_the_po(folder):
    _, messages = entries(folder)
    with open(folder / "django.mo", "rb") as compiled:
        mo = gettext.GNUTranslations(compiled)
    stale = []
    for message in messages:
        context = f"{message.context}\x04" if message.context else ""
        if isinstance(message.id, tuple):
            key = (context + message.id[0], 0)
            expected = message.string[0]
        else:
            key = context + message.id
            expected = message.string
        if mo._catalog.get(key) != expected:
            stale.append(message.id)
    assert not stale, f"run msgfmt (bookings/locale/update_messages.sh): {stale}"


def test_every_template_string_is_in_a_catalog():
    """A {% translate %} added to a template but never extracted shows English."""
    known = set()
    for catalog in CATALOGS:
        _, messages = entries(catalog / "fr" / "LC_MESSAGES")
        known |= {m.id for m in messages if isinstance(m.id, str)}
    missing = []
    for template in TEMPLATES.rglob("*.html"):
        if "admin" in template.parts or "pages" in template.relative_to(TEMPLATES).parts:
            continue  # Django's admin and the v2 editor are English-only
        for text in re.findall(r'{% translate "([^"]+)" %}', template.read_text()):
            if text not in known:
                missing.append(f"{template.relative_to(TEMPLATES)}: {text}")
    assert not missing
