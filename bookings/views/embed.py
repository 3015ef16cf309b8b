"""The booking pages as an embed (pages/embeds.py has the framing and token rules).

The host page's script (/embed.js) opens ``/book/<slug>/?embed=<its origin>``, with the
guest's prefill (``prefill``: a JSON object with name, email, answers and metadata; and
the usual ``tz`` and ``lang``). When the origin is one the configuration allows, the page
is rendered as an embed: framable by the allowed origins only, its htmx requests and
forms carrying a token issued with this render (which also carries the prefill, so each
step knows it without the URL), and the events the host page is told about marked in
the page (static/js/embed_frame.js posts them). Links the guest follows inside the frame
keep ``embed`` in their address (the frame's script adds it; redirects here do).
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from bookings.guest_input import clean_metadata
from bookings.views.csrf import csrf_failure
from pages import embeds
from pages.models import Configuration

MAX_PREFILL_LENGTH = 4000
MAX_ANSWERS = 50
SCRIPT = Path(settings.BASE_DIR) / "static" / "embed.js"


def scope(configuration: Configuration | str) -> str:
    pk = configuration.pk if isinstance(configuration, Configuration) else configuration
    return f"booking:{pk}"


def _text(value: object, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def read_prefill(text: str) -> dict:
    """The ``prefill`` parameter: {"name", "email", "answers": {key: value},
    "metadata": {key: value}}, kept to what the form and the booking can take."""
    if not text or len(text) > MAX_PREFILL_LENGTH:
        return {}
    try:
        given = json.loads(text)
    except ValueError:
        return {}
    if not isinstance(given, dict):
        return {}
    answers = given.get("answers") if isinstance(given.get("answers"), dict) else {}
    return {
        "name": _text(given.get("name"), 200),
        "email": _text(given.get("email"), 254),
        "answers": {
            k: v if isinstance(v, list) else str(v)
            for k, v in list(answers.items())[:MAX_ANSWERS]
            if isinstance(k, str) and isinstance(v, str | int | float | bool | list)
        },
        "metadata": clean_metadata(given.get("metadata")),
    }


def embed_for(request: HttpRequest, configuration: Configuration) -> embeds.Embed | None:
    """The embed this request renders (also set as ``request.embed``), or None for the
    ordinary page: from the token of an earlier render of this page (htmx steps, posts)
    or from ``?embed=<origin>`` when the configuration allows that origin."""
    allowed = embeds.allowed_origins(configuration)
    data = None
    origin = ""
    grant = getattr(request, "embed_grant", None) or embeds.read_form_token(
        embeds.token_of(request)
    )
    if grant is not None and grant.scope == scope(configuration) and grant.origin in allowed:
        origin, data = grant.origin, grant.data
    elif (asked := embeds.normalize_origin(request.GET.get(embeds.ORIGIN_PARAM, ""))) in allowed:
        origin, data = asked, read_prefill(request.GET.get("prefill", ""))
    if not origin:
        return None
    token = embeds.issue_form_token(scope=scope(configuration), origin=origin, data=data)
    request.embed = embeds.Embed(origin=origin, ancestors=allowed, token=token, data=data or {})
    return request.embed


def prefill_of(request: HttpRequest) -> dict:
    """What the form starts with: the URL's name, email and hidden fields, and an
    embed's name and email."""
    prefill = dict(request.GET.items())
    embed = getattr(request, "embed", None)
    if embed is not None:
        prefill.update({k: embed.data[k] for k in ("name", "email") if embed.data.get(k)})
    return prefill


def answers_of(request: HttpRequest) -> dict:
    """An embed's answers to the page's questions, by question key."""
    embed = getattr(request, "embed", None)
    return dict(embed.data.get("answers") or {}) if embed is not None else {}


def metadata_of(request: HttpRequest) -> dict:
    embed = getattr(request, "embed", None)
    return dict(embed.data.get("metadata") or {}) if embed is not None else {}


def keep_embed(request: HttpRequest, url: str) -> str:
    """``url`` (one of ours) with the embed's origin, so the page it leads to is an
    embed too."""
    embed = getattr(request, "embed", None)
    if embed is None or "://" in url:
        return url
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}{urlencode({embeds.ORIGIN_PARAM: embed.origin})}"


def refuse(request: HttpRequest, reason: str) -> HttpResponse:
    return csrf_failure(request, reason)


def protect(scope_of):
    """csrf_or_embed for a guest page: ``scope_of(request, **kwargs)`` names the
    configuration the embed token must have been issued for."""
    return embeds.csrf_or_embed(scope_of, refuse)


@require_GET
def embed_script(request: HttpRequest) -> HttpResponse:
    """/embed.js: the drop-in script. The same for everyone (it finds our address from
    its own), so caches may keep it for an hour."""
    response = HttpResponse(SCRIPT.read_bytes(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response
