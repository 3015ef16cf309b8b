"""Embeds: the booking page and the Schedule Editor in a frame on the customer's own site.

Framing. No page may be framed (settings: ``frame-ancestors 'none'`` and
``X-Frame-Options: DENY``) except an embeddable view rendered for an origin the
configuration allows: its own list (the v3 ``appearance`` key ``embed_origins``) and
the operator's default (SCHEDULER_EMBED_ORIGINS); the editor also takes
SCHEDULER_EDITOR_ORIGINS. Such a view sets ``request.embed`` (an :class:`Embed`) and
``EmbedFramingMiddleware`` answers with ``frame-ancestors`` naming exactly those origins
and no X-Frame-Options. The browser enforces it: a frame on any other site stays empty,
whatever origin the host page claimed.

Forms without cookies. In a cross-site frame the browser keeps no cookie (SameSite
cookies are not sent there, and third-party cookies are blocked in several browsers),
so Django's CSRF check, which compares a cookie with the form's token, cannot pass. The
embedded forms carry instead a signed, short-lived token issued with each render
(``issue_form_token``), bound to the page (its scope) and to the host origin, and a POST
that carries one is accepted only when the browser's ``Origin`` header is our own (the
frame's document is ours; a forged cross-site form would carry the forger's origin).
Every other form keeps Django's CSRF check (``csrf_or_embed``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt, csrf_protect

APPEARANCE_KEY = "embed_origins"
TOKEN_HEADER = "X-Scheduler-Embed"
TOKEN_FIELD = "embed_token"
ORIGIN_PARAM = "embed"
FORM_TOKEN_SALT = "pages.embed-form"
# Long enough for a guest who reads the page before choosing, short enough that a token
# copied out of a page is soon worthless. An expired one is "this form has expired".
FORM_TOKEN_MAX_AGE = 2 * 3600
MAX_ORIGINS = 20
MAX_TOKEN_LENGTH = 8000


def normalize_origin(text: str) -> str:
    """``scheme://host[:port]`` in lower case, or "" when ``text`` is not an http(s)
    origin (a path, a query, credentials or anything else after the port is not)."""
    text = text.strip().rstrip("/")
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 (raises on a port that is not a number)
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    if parts.path or parts.query or parts.fragment or parts.username or parts.password:
        return ""
    if any(c in text for c in " \t\n'\";,*"):
        return ""
    return f"{parts.scheme}://{parts.netloc}".lower()


def parse_origins(text: object) -> list[str]:
    """The origins of an ``embed_origins`` value (separated by spaces or commas).
    Raises ValueError naming the first item that is not an http(s) origin."""
    if not isinstance(text, str):
        raise ValueError("must be a string of origins separated by spaces or commas")
    origins: list[str] = []
    for item in text.replace(",", " ").split():
        origin = normalize_origin(item)
        if not origin:
            raise ValueError(f"{item!r} is not an origin such as https://www.example.com")
        if origin not in origins:
            origins.append(origin)
    if len(origins) > MAX_ORIGINS:
        raise ValueError(f"at most {MAX_ORIGINS} origins")
    return origins


def own_origins(configuration) -> list[str]:
    """The origins the configuration itself lists (what was stored was validated)."""
    try:
        return parse_origins((configuration.appearance or {}).get(APPEARANCE_KEY, ""))
    except ValueError:
        return []


def allowed_origins(configuration) -> list[str]:
    """Where the configuration's booking page may be embedded."""
    default = list(getattr(settings, "SCHEDULER_EMBED_ORIGINS", []))
    return list(dict.fromkeys([*own_origins(configuration), *default]))


def editor_origins(configuration) -> list[str]:
    """Where the configuration's Schedule Editor may be embedded: the page's own and the
    default embed origins, and the apps that open the editor (SCHEDULER_EDITOR_ORIGINS)."""
    editors = list(getattr(settings, "SCHEDULER_EDITOR_ORIGINS", []))
    return list(dict.fromkeys([*allowed_origins(configuration), *editors]))


@dataclass
class Embed:
    """A view rendered to be framed by ``origin`` (one of ``ancestors``)."""

    origin: str
    ancestors: list[str]
    token: str
    data: dict[str, Any] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)

    def event(self, kind: str, **detail: Any) -> None:
        """Something the host page is told about (static/js/embed_frame.js posts it)."""
        self.events.append({"type": kind, "data": detail})

    @property
    def events_json(self) -> str:
        return json.dumps(self.events)


@dataclass(frozen=True)
class FormGrant:
    scope: str
    origin: str
    data: dict[str, Any]


def issue_form_token(*, scope: str, origin: str, data: dict | None = None) -> str:
    return signing.dumps(
        {"s": scope, "o": origin, "d": data or {}}, salt=FORM_TOKEN_SALT, compress=True
    )


def read_form_token(token: object) -> FormGrant | None:
    """The grant an unexpired token of ours carries, else None."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        payload = signing.loads(token, salt=FORM_TOKEN_SALT, max_age=FORM_TOKEN_MAX_AGE)
        grant = FormGrant(str(payload["s"]), str(payload["o"]), dict(payload["d"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    return grant


def token_of(request: HttpRequest) -> str:
    """The embed token a request carries: htmx sends it as a header, a plain form post
    as a field."""
    return request.headers.get(TOKEN_HEADER) or (
        request.POST.get(TOKEN_FIELD, "") if request.method == "POST" else ""
    )


def site_origins(request: HttpRequest) -> set[str]:
    return {
        normalize_origin(settings.SITE_URL),
        normalize_origin(request.build_absolute_uri("/")),
    } - {""}


def comes_from_our_pages(request: HttpRequest) -> bool:
    """Whether the browser says this request was sent by a document of ours: Origin is
    ours (every browser sends it on a POST), and Sec-Fetch-Site, when sent, agrees."""
    origin = request.headers.get("Origin", "")
    if normalize_origin(origin) not in site_origins(request):
        return False
    fetch_site = request.headers.get("Sec-Fetch-Site", "").lower()
    return fetch_site in ("", "same-origin")


def csrf_or_embed(scope_of: Callable[..., str | None], refuse: Callable[..., HttpResponse]):
    """A view decorator: a request that carries an embed token is checked by the token
    (signature, age, the page it was issued for: ``scope_of(request, **kwargs)``) and by
    its Origin; any other request by Django's CSRF check. ``refuse(request, reason)`` is
    the answer to a failed check (the CSRF failure page)."""

    def decorate(view):
        protected = csrf_protect(view)

        @wraps(view)
        def checked(request: HttpRequest, *args, **kwargs):
            token = token_of(request)
            if request.method in ("GET", "HEAD", "OPTIONS", "TRACE") or not token:
                return protected(request, *args, **kwargs)
            grant = read_form_token(token)
            if grant is None:
                return refuse(request, "embed token missing, expired or not ours")
            if not comes_from_our_pages(request):
                return refuse(request, "embedded form posted from another origin")
            if grant.scope != scope_of(request, *args, **kwargs):
                return refuse(request, "embed token issued for another page")
            request.embed_grant = grant
            return view(request, *args, **kwargs)

        return csrf_exempt(checked)

    return decorate


def allow_framing(response: HttpResponse, ancestors: list[str]) -> HttpResponse:
    """Let exactly ``ancestors`` frame this response."""
    response._csp_replace = {  # read by django-csp's middleware
        **(getattr(response, "_csp_replace", None) or {}),
        "frame-ancestors": list(ancestors),
    }
    response.xframe_options_exempt = True
    return response


class EmbedFramingMiddleware:
    """Sits inside XFrameOptionsMiddleware and django-csp's middleware: a response to a
    request a view rendered as an embed (``request.embed``) may be framed by that
    embed's ancestors; every other response keeps the settings' policy ('none')."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        embed = getattr(request, "embed", None)
        if isinstance(embed, Embed) and embed.ancestors:
            allow_framing(response, embed.ancestors)
            response["Referrer-Policy"] = response.get("Referrer-Policy", "same-origin")
        return response


def snippets(configuration, site_url: str) -> dict[str, str]:
    """Copy-paste HTML for the configuration's embeds (the admin's "Embed" panel)."""
    base = site_url.rstrip("/")
    script = f'<script src="{base}/embed.js" defer></script>'
    slug = configuration.slug or "<slug>"
    return {
        "inline": f'{script}\n<div data-scheduler-inline="{slug}"></div>',
        "popup": (
            f'{script}\n<button type="button" data-scheduler-popup="{slug}">Book a time</button>'
        ),
        "editor": (
            f"{script}\n<script>\n"
            "  // pageEditToken: this page's edit token, from your backend (never in a URL)\n"
            "  scheduler.show({auth: {pageEditToken: editToken},\n"
            "                  style: {tintColor: '#32325d', backgroundColor: 'white'}});\n"
            "</script>"
        ),
    }
