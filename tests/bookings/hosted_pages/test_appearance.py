"""The appearance map as the pages use it: colors that keep contrast, safe URLs."""

from __future__ import annotations

import pytest

from bookings.views.appearance import AA, SOFT, WHITE, contrast, flag, palette, safe_url


@pytest.mark.parametrize(
    "color", ["#2563eb", "#ffeb3b", "#82c0e7", "#000", "#ffffff", "#0f766e", "#808080", "#e11d48"]
)
def test_every_color_gets_readable_text_and_ink(color):
    colors = palette(color)
    assert contrast(colors.accent, colors.on_accent) >= AA
    assert contrast(colors.accent_ink, WHITE) >= AA
    assert contrast(colors.accent_ink, SOFT) >= AA


def test_a_color_that_is_not_hex_is_ignored():
    assert palette("red; background: url(x)").accent == "#2563eb"
    assert palette(None).accent == "#2563eb"


def test_only_http_urls_are_kept():
    assert safe_url("https://example.com/logo.png") == "https://example.com/logo.png"
    assert safe_url("javascript:alert(1)") == ""
    assert safe_url("data:image/png;base64,xx") == ""
    assert safe_url("//evil.example/x.png") == ""


def test_flags_accept_strings_and_booleans():
    assert flag("false", True) is False
    assert flag(True, False) is True
    assert flag(None, True) is True
    assert flag("TRUE", False) is True
