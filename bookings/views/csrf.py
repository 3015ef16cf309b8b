"""A refused CSRF check (settings.CSRF_FAILURE_VIEW), said the way a guest understands it.

The usual cause on the hosted pages is a form older than its cookie (cookies cleared,
or a page left open in another browser): the page says the form expired and links to
a fresh copy of it. With htmx the answer must not land where the form's answer would
(the panel, whose loss leaves the day links nothing to swap into): it is put at the top
of the page instead, and what the guest typed stays where it was.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django_htmx.http import reswap, retarget

from bookings.views.common import render_in
from bookings.views.language import choose_language

TEMPLATE = "403_csrf.html"
# What the forms post that names the page they were on (the picker's zone, the language
# and the chosen time): the reload link keeps it, so the guest lands on the same step.
KEPT = ("tz", "lang", "slot")


def reload_url(request: HttpRequest) -> str:
    """A GET of the page the refused form was on."""
    path = request.path
    try:
        match = resolve(path)
    except Resolver404:
        return path
    if match.url_name == "booking-cancel":  # posts only: its form is on the booking's page
        path = reverse("booking-manage", args=[match.kwargs["ref"]])
    query = {name: request.POST.get(name) for name in KEPT if request.POST.get(name)}
    slot = query.get("slot", "")
    if slot and not (slot.isascii() and slot.isdigit() and len(slot) <= 11):
        del query["slot"]
    return f"{path}?{urlencode(query)}" if query else path


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    language = choose_language(
        request.POST.get("lang"),
        request.GET.get("lang"),
        getattr(request, "LANGUAGE_CODE", "") or translation.get_language(),
    )
    context = {"lang": language, "reload_url": reload_url(request)}
    if getattr(request, "htmx", False):
        response = render_in(request, f"{TEMPLATE}#expired", context, language, status=403)
        return retarget(reswap(response, "afterbegin"), "#main")
    return render_in(request, TEMPLATE, context, language, status=403)
