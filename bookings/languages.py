"""The languages the site speaks, and how a language tag someone sends becomes one of them.

Clients send what a browser or the hosted API uses: "fr", "fr-CA", "zh-Hans", "pt-BR".
Each is read by its primary subtag; one the site does not speak is English. Chinese is
spoken as Simplified Chinese: Django's catalogs and formats know it as "zh-hans", which is
the code the pages use; the API answers with the plain "zh" it was sent.
"""

from __future__ import annotations

# Django's codes, in the order the language switcher lists them.
LANGUAGES = ("en", "fr", "de", "es", "nl", "sv", "ja", "zh-hans", "ko")

# Each language by its own name.
LANGUAGE_NAMES = {
    "en": "English",
    "fr": "Français",
    "de": "Deutsch",
    "es": "Español",
    "nl": "Nederlands",
    "sv": "Svenska",
    "ja": "日本語",
    "zh-hans": "中文",
    "ko": "한국어",
}

# The API's code for each Django code (what email_language and locale read back as).
API_CODES = {code: code.split("-")[0] for code in LANGUAGES}

_BY_PRIMARY_SUBTAG = {code.split("-")[0]: code for code in LANGUAGES}


# How a date and a time stand together: "Monday, December 7, 4:30 PM", but
# "12月7日 月曜日 16:30" (Chinese, Japanese and Korean write no comma there).
_DATE_AND_TIME = {"ja": "{date} {time}", "zh-hans": "{date} {time}", "ko": "{date} {time}"}


def date_and_time(date: str, time: str, language: str | None) -> str:
    return _DATE_AND_TIME.get(language or "", "{date}, {time}").format(date=date, time=time)


def supported_language(value: object) -> str | None:
    """``value`` as one of LANGUAGES ("de-AT" → "de", "zh-TW" → "zh-hans"), or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    primary = value.strip().lower().replace("_", "-").split("-")[0]
    return _BY_PRIMARY_SUBTAG.get(primary)


def api_language(value: str) -> str:
    """The code a booking keeps for a language tag a client sent: "fr-CA" → "fr",
    "zh-Hans" → "zh"; a language the site does not speak ("pt-BR", "xx") → "en"."""
    return API_CODES[supported_language(value) or "en"]
