"""/confirm/<token>/: the organizer confirms or declines a pending booking from the link
in their email.

The token is signed and expires (links.read_organizer_token); it carries a nonce that
must equal the booking's current organizer_link_nonce, which confirm_booking and
decline_booking clear: the link works once, and it cannot be made from the guest's
booking_ref (it is signed with the server's key and carries a secret the guest never
sees). GET only shows; the decision is a POST (mail scanners that follow links must not
decide anything). A used, expired or forged link gets a page that says so, not an error;
once used, it leads to the organizer's own page for the booking (organizer_booking),
which works until the meeting is over.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from bookings import links, services
from bookings.availability_loader import configuration_zone
from bookings.models import Booking
from bookings.notifications import recipients
from bookings.problems import SlotUnavailable, WrongState
from bookings.views.common import HtmxHttpRequest, notice, now, page_context, render_in
from bookings.views.guest_booking import clean_reason
from bookings.views.language import choose_language, valid_zone
from bookings.views.organizer_booking import booking_facts, page_path

TEMPLATE = "bookings/organizer_confirmation.html"


def booking_of_link(token: str) -> tuple[Booking | None, str]:
    return links.organizer_link_booking(token)


def _language(request, booking: Booking | None) -> str:
    locale = booking.configuration.locale if booking else ""
    return choose_language(request.POST.get("lang"), request.GET.get("lang"), locale)


def organizer_page(booking: Booking) -> str:
    """The path of the organizer's own page for the booking, while it works ("" after
    the meeting, or with no organizer to address it to)."""
    organizer = recipients.organizer(booking)
    if organizer is None or now() >= booking.end:
        return ""
    return page_path(booking, organizer.email)


def link_problem(request, booking: Booking | None, problem: str, language: str) -> HttpResponse:
    link = None
    with translation.override(language):
        if problem == "expired":
            title = _("This link has expired")
            message = _(
                "Links to confirm a booking work for 7 days. The booking may still be "
                "waiting: you can confirm or decline it in the admin or through the API."
            )
            status = 410
        elif problem == "used" and booking is not None:
            title = _("This link was already used")
            page = organizer_page(booking)
            if booking.status == Booking.Status.BOOKED and page:
                message = _("This booking is confirmed. You can see it, or cancel it, here:")
                link = (page, _("Open the booking"))
            elif booking.status == Booking.Status.BOOKED:
                message = _("This booking is confirmed. There is nothing more to do.")
            elif booking.status == Booking.Status.CANCELLED and page:
                message = _("This booking was declined or cancelled.")
                link = (page, _("Open the booking"))
            elif booking.status == Booking.Status.CANCELLED:
                message = _("This booking was declined or cancelled. There is nothing more to do.")
            else:
                message = _("A newer link was sent for this booking. Please use that one.")
            status = 410
        else:
            title = _("This link isn't valid")
            message = _(
                "It may have been copied incompletely. Please open the link from the email again."
            )
            status = 404
        return notice(request, language, title=title, message=message, status=status, link=link)


def _context(request, booking: Booking, language: str, **more) -> dict:
    configuration = booking.configuration
    organizer = booking.organizer
    zone = valid_zone(organizer.timezone if organizer else "") or configuration_zone(configuration)
    return {
        **page_context(request, configuration, language),
        "booking": booking,
        **booking_facts(booking, zone, language),
        # The email links here with ?action=confirm or ?action=decline (the page decides
        # nothing on GET): the decline link opens on the decline form, its reason focused.
        "action": request.GET.get("action", ""),
        "organizer_page": organizer_page(booking),
        **more,
    }


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def organizer_confirmation(request: HtmxHttpRequest, token: str) -> HttpResponse:
    booking, problem = booking_of_link(token)
    language = _language(request, booking)
    if problem:
        return link_problem(request, booking, problem, language)
    assert booking is not None
    if request.method != "POST":
        with translation.override(language):
            context = _context(request, booking, language)
        return render_in(request, TEMPLATE, context, language)

    decision = request.POST.get("decision")
    with translation.override(language):
        if decision not in ("confirm", "decline"):
            context = _context(request, booking, language, problem=_("Please choose a button."))
            return render_in(request, TEMPLATE, context, language, status=400)
        try:
            if decision == "confirm":
                booking = services.confirm_booking(booking=booking)
            else:
                reason = clean_reason(request.POST.get("reason", ""))
                booking = services.decline_booking(booking=booking, reason=reason)
        except SlotUnavailable:
            context = _context(
                request,
                booking,
                language,
                problem=_(
                    "You're no longer free at this time: something else is in your calendar "
                    "now. You can decline the booking, or free the time and try again."
                ),
            )
            return render_in(request, TEMPLATE, context, language, status=409)
        except WrongState:
            booking.refresh_from_db()
            return link_problem(request, booking, "used", language)
        context = _context(request, booking, language, decided=decision)
    return render_in(request, TEMPLATE, context, language)
