"""/organizer/<token>/: a host's own page for one booking, linked from every email sent
to a host. It shows the booking in that host's zone with the guest's answers, and lets
them cancel it with a reason (the guest is told by the usual cancellation email).

The token (links.organizer_page_token) is signed with its own salt and names the booking
and the host it was sent to. Unlike the confirm/decline link it works as often as
needed, until the meeting is over: the booking's current end, so a reschedule moves that
moment along. A host who no longer hosts the booking (round-robin handed it to someone
else) is told so. GET only shows; cancelling is a POST with a CSRF token, and works
without JavaScript (the answer is a redirect back to the page: reloading it re-sends
nothing).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from bookings import links, services
from bookings.availability_loader import configuration_zone
from bookings.models import Booking
from bookings.notifications import recipients
from bookings.problems import WrongState
from bookings.views.common import HtmxHttpRequest, notice, now, page_context, render_in
from bookings.views.guest_booking import clean_reason, shown_answers
from bookings.views.language import choose_language, format_span, valid_zone, zone_label
from pages.models import Grant
from pages.sql import questions_of

TEMPLATE = "bookings/organizer_booking.html"


def page_path(booking: Booking, email: str) -> str:
    """This site's path of ``email``'s page for ``booking``."""
    return reverse("organizer-booking", args=[links.organizer_page_token(booking, email)])


def host_of(booking: Booking, email: str) -> Grant | None:
    """The grant behind ``email`` among the booking's hosts (cancelled bookings keep
    their host rows) or its organizer; None when that person has no part in it."""
    email = email.lower()
    grants = [row.grant for row in booking.host_rows.select_related("grant")]
    if booking.organizer is not None:
        grants.append(booking.organizer)
    return next((g for g in grants if g.email.lower() == email), None)


def booking_of_page(token: str) -> tuple[Booking | None, Grant | None, str]:
    """(booking, host, problem): problem is "" when the page can be shown, else
    "invalid" (not a token we signed, or no such booking), "not_host" or "over"."""
    parsed = links.read_organizer_page_token(token)
    if parsed is None:
        return None, None, "invalid"
    booking_id, email = parsed
    booking = (
        Booking.objects.select_related("configuration__grant", "organizer")
        .filter(pk=booking_id)
        .first()
    )
    if booking is None:
        return None, None, "invalid"
    host = host_of(booking, email)
    if host is None:
        return booking, None, "not_host"
    if now() >= booking.end:
        return booking, host, "over"
    return booking, host, ""


def _language(request, booking: Booking | None) -> str:
    # The language of the emails that link here (recipients.language_of), unless the
    # page is asked for another.
    default = recipients.language_of(booking) if booking is not None else ""
    return choose_language(request.POST.get("lang"), request.GET.get("lang"), default)


def page_problem(request, problem: str, language: str) -> HttpResponse:
    with translation.override(language):
        if problem == "over":
            title = _("This meeting is over")
            message = _("The link to a booking works until the meeting ends.")
            status = 410
        elif problem == "not_host":
            title = _("You no longer host this booking")
            message = _("It was given to another host. They have their own link to it.")
            status = 410
        else:
            title = _("This link isn't valid")
            message = _(
                "It may have been copied incompletely. Please open the link from the email again."
            )
            status = 404
        return notice(request, language, title=title, message=message, status=status)


def booking_facts(booking: Booking, zone: str, language: str) -> dict:
    """What an organizer's pages show of a booking, in the organizer's ``zone``: when,
    the guest's answers and the page's hidden (metadata) fields, the guest's zone."""
    metadata = {d.key: d.label for d in questions_of(booking.configuration) if d.type == "metadata"}
    return {
        "when": format_span(booking.start, booking.end, zone, language),
        "zone_label": zone_label(zone, booking.start),
        "answers": shown_answers(booking),
        "metadata": [
            (label, booking.additional_fields.get(key))
            for key, label in metadata.items()
            if key in (booking.additional_fields or {})
        ],
        "guest_zone": booking.guest_timezone,
    }


def _context(request, booking: Booking, host: Grant, language: str, **more) -> dict:
    configuration = booking.configuration
    zone = valid_zone(host.timezone) or configuration_zone(configuration)
    at = now()
    live = booking.status != Booking.Status.CANCELLED
    # A pending booking's organizer answers on the confirm/decline page (its link is
    # derived from the booking's current nonce, as the request email's was).
    answers_it = booking.organizer is not None and booking.organizer.pk == host.pk
    confirm_url = ""
    if booking.status == Booking.Status.PENDING and booking.organizer_link_nonce and answers_it:
        confirm_url = reverse("organizer-confirmation", args=[links.organizer_link_token(booking)])
    return {
        **page_context(request, configuration, language),
        "booking": booking,
        "host": host,
        "pending": booking.status == Booking.Status.PENDING,
        "cancelled": not live,
        "started": at >= booking.start,
        "can_cancel": live and at < booking.start,
        "confirm_url": confirm_url,
        **booking_facts(booking, zone, language),
        "just_cancelled": request.GET.get("cancelled") == "1" and not live,
        **more,
    }


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def organizer_booking(request: HtmxHttpRequest, token: str) -> HttpResponse:
    booking, host, problem = booking_of_page(token)
    language = _language(request, booking)
    if problem:
        return page_problem(request, problem, language)
    assert booking is not None and host is not None
    if request.method != "POST":
        with translation.override(language):
            context = _context(request, booking, host, language)
        return render_in(request, TEMPLATE, context, language)

    with translation.override(language):
        refusal = ""
        if now() >= booking.start:
            refusal = _("This meeting has started: it can no longer be cancelled.")
        else:
            try:
                services.cancel_booking(
                    booking=booking,
                    reason=clean_reason(request.POST.get("reason", "")),
                    enforce_notice=False,
                )
            except WrongState:
                refusal = _("This booking is already cancelled.")
        if refusal:
            booking.refresh_from_db()
            context = _context(request, booking, host, language, problem=refusal)
            return render_in(request, TEMPLATE, context, language, status=409)
    query = urlencode({"cancelled": "1", "lang": language})
    return HttpResponseRedirect(f"{request.path}?{query}", status=303)
