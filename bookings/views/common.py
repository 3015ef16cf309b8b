"""What every hosted page shares: finding a public configuration, the page's language,
its appearance, and rendering in that language."""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext as _
from django_htmx.middleware import HtmxDetails

from bookings.languages import LANGUAGE_NAMES, LANGUAGES
from bookings.rate_limits import Verdict
from bookings.views.appearance import appearance_of
from bookings.views.language import preferred_hours
from bookings.views.zone_list import zone_options
from pages.models import Configuration
from pages.sql import configuration_by


class HtmxHttpRequest(HttpRequest):
    """A request as django-htmx's middleware leaves it (for type hints)."""

    htmx: HtmxDetails


def public_configuration(slug: str) -> Configuration:
    """The configuration behind a public page; private ones are as unknown as missing."""
    configuration = configuration_by(slug=slug)
    if configuration is None or configuration.requires_session_auth:
        raise Http404("No booking page with this address.")
    return configuration


def page_clock(request: HttpRequest, language: str) -> tuple[int, str]:
    """(12 or 24, the ``clock`` the guest chose or ""): the toggle's choice, kept in the
    page's links and forms, wins over what the browser's language implies."""
    explicit = request.POST.get("clock") or request.GET.get("clock") or ""
    explicit = explicit if explicit in ("12", "24") else ""
    accept = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    return preferred_hours(explicit, accept, language), explicit


def zone_choices(language: str, hours: int) -> str:
    """The zone list's <option>s, in the page's language and clock, with the time now."""
    return zone_options(timezone.now(), language, hours)


def organizers_of(configuration: Configuration) -> list:
    """Who the guest meets: the organizer (collective) or the possible hosts (round-robin)."""
    return [
        p
        for p in configuration.participants.select_related("grant")
        if p.is_organizer or configuration.is_round_robin
    ]


def language_links(request: HttpRequest, current: str) -> list[dict]:
    """Links to this page in each language, keeping the rest of the query."""
    links = []
    for code in LANGUAGES:
        query = request.GET.copy()
        query["lang"] = code
        links.append(
            {
                "code": code,
                "name": LANGUAGE_NAMES[code],
                "url": f"{request.path}?{query.urlencode()}",
                "current": code == current,
            }
        )
    return links


def page_context(request: HttpRequest, configuration: Configuration, language: str) -> dict:
    return {
        "configuration": configuration,
        "appearance": appearance_of(configuration),
        "lang": language,
        # A callable: templates call it where they show the links (the page header), so
        # a fragment without one does not build them.
        "language_links": partial(language_links, request, language),
    }


def render_in(
    request: HttpRequest,
    template: str,
    context: dict,
    language: str,
    *,
    status: int = 200,
    private: bool = True,
) -> HttpResponse:
    """Render ``template`` in ``language``. Responses vary by HX-Request (a fragment and
    its page share a URL) and are not cached: they show live availability or a booking."""
    with translation.override(language):
        response = render(request, template, context, status=status)
    response.headers["Content-Language"] = language
    patch_vary_headers(response, ("HX-Request", "HX-Target", "Accept-Language"))
    if private:
        add_never_cache_headers(response)
    return response


def notice(
    request: HttpRequest,
    language: str,
    *,
    title: str,
    message: str,
    status: int,
    link: tuple[str, str] | None = None,
    extra: dict | None = None,
) -> HttpResponse:
    """A page (or, for htmx, the fragment) that says one thing plainly."""
    template = "bookings/notice.html"
    if getattr(request, "htmx", False):
        template += "#message"
    context = {"title": title, "message": message, "link": link, "lang": language, **(extra or {})}
    return render_in(request, template, context, language, status=status)


def too_many_requests(request: HttpRequest, language: str, verdict: Verdict) -> HttpResponse:
    minutes = max(1, round(verdict.retry_after / 60))
    with translation.override(language):
        title = _("Too many attempts")
        message = translation.ngettext(
            "We've received a lot of booking attempts from you in a short time. Please wait "
            "%(minutes)s minute and try again.",
            "We've received a lot of booking attempts from you in a short time. Please wait "
            "%(minutes)s minutes and try again.",
            minutes,
        ) % {"minutes": minutes}
    response = notice(request, language, title=title, message=message, status=429)
    response.headers["Retry-After"] = str(verdict.retry_after)
    return response


def now() -> dt.datetime:
    return timezone.now()
