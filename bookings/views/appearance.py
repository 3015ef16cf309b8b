"""A configuration's ``appearance`` map as the hosted pages use it.

The map is free-form (the API stores whatever strings it is given). Both dialects' names
are read: v2's ``logo``, ``submit_text`` and ``thank_you_text``, and the v3 hosted page's
``company_logo_url``, ``submit_button_label`` and ``thank_you_message`` (``color`` is
both's); where a map has both, the v2 name wins. Nothing in it reaches a page unchecked:
the color must be a hex color and is given a text color that keeps WCAG AA contrast, the
logo must be an http(s) URL, flags accept true/"true".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pages import page_urls

HEX_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
DEFAULT_ACCENT = "#2563eb"
DARK_TEXT = "#111827"
WHITE = "#ffffff"
SOFT = "#eef2f7"  # --soft in site.css
AA = 4.5  # WCAG AA contrast for normal text


def _channels(color: str) -> tuple[int, int, int]:
    digits = color[1:]
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def _luminance(rgb: tuple[int, int, int]) -> float:
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    a, b = _luminance(_channels(first)), _luminance(_channels(second))
    lighter, darker = max(a, b), min(a, b)
    return (lighter + 0.05) / (darker + 0.05)


def _darken(color: str, factor: float) -> str:
    r, g, b = (round(c * factor) for c in _channels(color))
    return f"#{r:02x}{g:02x}{b:02x}"


@dataclass(frozen=True)
class Palette:
    accent: str  # buttons, the chosen day, focus rings
    on_accent: str  # text on the accent
    accent_ink: str  # the accent as text or a border on white (links)


def palette(color: object) -> Palette:
    accent = color.lower() if isinstance(color, str) and HEX_COLOR.match(color) else DEFAULT_ACCENT
    on_accent = WHITE if contrast(accent, WHITE) >= contrast(accent, DARK_TEXT) else DARK_TEXT
    if contrast(accent, on_accent) < AA:
        # A mid-tone neither white nor dark text can be read on: darken it a little.
        on_accent, base, factor = WHITE, accent, 1.0
        while contrast(accent, WHITE) < AA and factor > 0:
            factor -= 0.05
            accent = _darken(base, factor)
    # The ink is read on white and on the light tint of free days (SOFT): checked on the
    # tint, the darker of the two, it passes on both.
    ink, factor = accent, 1.0
    while contrast(ink, SOFT) < AA and factor > 0:
        factor -= 0.05
        ink = _darken(accent, factor)
    return Palette(accent, on_accent, ink)


def safe_url(value: object) -> str:
    """``value`` when it is an absolute http(s) URL (never javascript: or data:); the
    rule lives in pages/page_urls.py."""
    return page_urls.renderable(value)


def flag(value: object, default: bool) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip():
        return value.strip().lower() in ("true", "1", "yes", "on")
    return default


def text(value: object, limit: int = 500) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


@dataclass(frozen=True)
class Appearance:
    palette: Palette
    custom_color: bool
    logo: str
    company_name: str
    submit_text: str
    thank_you_text: str
    show_timezone_options: bool


def appearance_of(configuration) -> Appearance:
    raw = configuration.appearance if isinstance(configuration.appearance, dict) else {}
    color = raw.get("color")
    return Appearance(
        palette=palette(color),
        custom_color=isinstance(color, str) and bool(HEX_COLOR.match(color)),
        logo=page_urls.renderable(raw.get("logo"))
        or page_urls.renderable(raw.get("company_logo_url")),
        company_name=text(raw.get("company_name"), 200),
        # The v2 name, else the v3 one (the hosted v3 page's submit_button_label and
        # thank_you_message).
        submit_text=text(raw.get("submit_text"), 100) or text(raw.get("submit_button_label"), 100),
        thank_you_text=text(raw.get("thank_you_text"), 2000)
        or text(raw.get("thank_you_message"), 2000),
        show_timezone_options=flag(raw.get("show_timezone_options"), True),
    )
