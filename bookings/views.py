"""The public pages guests use."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from pages.models import Configuration


def public_configuration(slug: str) -> Configuration:
    """The configuration behind a public page; private ones are as unknown as missing."""
    configuration = (
        Configuration.objects.filter(slug=slug, requires_session_auth=False)
        .select_related("grant")
        .first()
    )
    if configuration is None:
        raise Http404("No booking page with this address.")
    return configuration


@require_GET
def booking_page(request: HttpRequest, slug: str) -> HttpResponse:
    configuration = public_configuration(slug)
    organizers = [
        p
        for p in configuration.participants.all()
        if p.is_organizer or configuration.is_round_robin
    ]
    return render(
        request,
        "bookings/booking_page.html",
        {
            "configuration": configuration,
            "organizers": organizers,
            "appearance": configuration.appearance or {},
        },
    )


@require_GET
def manage_booking(request: HttpRequest, ref: str) -> HttpResponse:
    """The guest's booking: reschedule and cancel (the hosted-pages issue builds it)."""
    raise Http404("Not built yet.")


@require_GET
def organizer_confirmation(request: HttpRequest, token: str) -> HttpResponse:
    """The organizer's confirm/decline page (the hosted-pages issue builds it)."""
    raise Http404("Not built yet.")
