"""/booking/<booking_ref>/: the guest's own booking. They see it (in their zone), download
it as .ics, move it to another offered slot, or cancel it with a reason.

The booking_ref in the URL is the guest's secret (links.py); anything that does not
parse as one this server issued is a 404, like a booking that does not exist. The
configuration's hide_rescheduling_options / hide_cancellation_options remove the
actions, and min_cancellation_notice closes cancelling online that long before the
start (cancel_booking enforces it again, under lock).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from functools import partial
from urllib.parse import urlencode

from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from bookings import calendar_file, calendar_links, links, rate_limits, services
from bookings.availability_loader import configuration_zone
from bookings.models import Booking
from bookings.problems import InvalidBooking, SlotUnavailable, TooLateToCancel, WrongState
from bookings.views import embed as embedding
from bookings.views.booking_page import fragment_target
from bookings.views.common import (
    HtmxHttpRequest,
    notice,
    now,
    organizers_of,
    page_clock,
    page_context,
    render_in,
    too_many_requests,
    zone_choices,
)
from bookings.views.language import (
    choose_language,
    format_span,
    local,
    zone_label,
)
from bookings.views.slot_picker import (
    Offer,
    Picker,
    PickerRequest,
    build_day,
    build_month,
    current_time_message,
    fresh_month,
    new_picker,
    read_picker_request,
)
from bookings.views.zone_list import resolve_zone
from pages.models import AdditionalField
from pages.sql import questions_of

MANAGE = "bookings/manage_booking.html"
RESCHEDULE = "bookings/reschedule_page.html"
MAX_REASON = 1000


def booking_from_ref(ref: str) -> Booking:
    parsed = links.parse_booking_ref(ref)
    if parsed is None:
        raise Http404("No booking with this reference.")
    configuration_id, booking_id = parsed
    booking = (
        Booking.objects.select_related("configuration__grant", "organizer")
        .filter(pk=booking_id, configuration_id=configuration_id)
        .first()
    )
    if booking is None:
        raise Http404("No booking with this reference.")
    return booking


def _embed_scope(request, ref: str) -> str | None:
    parsed = links.parse_booking_ref(ref)
    return embedding.scope(str(parsed[0])) if parsed else None


def _tell_host(request, booking: Booking, kind: str) -> None:
    """booking_created / booking_rescheduled / booking_cancelled, for an embed's host
    page: what a page may know of a booking (no reference, no guest details)."""
    embed = getattr(request, "embed", None)
    if embed is not None:
        embed.event(
            kind,
            booking_id=str(booking.pk),
            start=_iso(booking.start),
            end=_iso(booking.end),
            status=booking.status,
        )


def _iso(instant: dt.datetime) -> str:
    return instant.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def booking_zone(booking: Booking) -> str:
    """The zone the guest booked in (else the configuration's)."""
    return resolve_zone(booking.guest_timezone) or configuration_zone(booking.configuration)


def guest_zone(request, booking: Booking) -> str:
    return (
        resolve_zone(request.POST.get("tz"))
        or resolve_zone(request.GET.get("tz"))
        or booking_zone(booking)
    )


def guest_language(request, booking: Booking) -> str:
    return choose_language(
        request.POST.get("lang"),
        request.GET.get("lang"),
        booking.language,
        booking.configuration.locale,
    )


@dataclass(frozen=True)
class Actions:
    """What the guest may still do with the booking, and why not when they may not."""

    can_reschedule: bool
    can_cancel: bool
    too_late_to_cancel: bool
    started: bool


def actions_for(booking: Booking, at: dt.datetime) -> Actions:
    configuration = booking.configuration
    live = booking.status != Booking.Status.CANCELLED
    started = at >= booking.start
    notice_window = dt.timedelta(minutes=configuration.min_cancellation_notice)
    too_late = live and not started and at > booking.start - notice_window
    return Actions(
        can_reschedule=live and not started and not configuration.hide_rescheduling_options,
        can_cancel=live
        and not started
        and not too_late
        and not configuration.hide_cancellation_options,
        too_late_to_cancel=too_late and not configuration.hide_cancellation_options,
        started=started and live,
    )


def shown_answers(booking: Booking) -> list[tuple[str, str]]:
    """The guest's answers with their questions' labels (metadata stays hidden)."""
    answers = booking.additional_fields or {}
    if not answers:
        return []
    shown = []
    for definition in questions_of(booking.configuration):
        if definition.type == AdditionalField.Type.METADATA or definition.key not in answers:
            continue
        value = answers[definition.key]
        if isinstance(value, bool):
            value = _("Yes") if value else _("No")
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        shown.append((definition.label, str(value)))
    return shown


def manage_path(booking: Booking, **query) -> str:
    path = reverse("booking-manage", args=[links.booking_ref(booking)])
    query = {k: v for k, v in query.items() if v}
    return f"{path}?{urlencode(query)}" if query else path


def book_again_url(configuration, zone: str, language: str) -> str:
    """The page to book another time on, after a cancellation or a decline ("" when the
    configuration has no public page)."""
    if not configuration.slug or configuration.requires_session_auth:
        return ""
    path = reverse("booking-page", args=[configuration.slug])
    return f"{path}?{urlencode({'tz': zone, 'lang': language})}"


def _manage_context(request, booking: Booking, language: str, zone: str, **more) -> dict:
    configuration = booking.configuration
    hours, _explicit = page_clock(request, language)
    at = now()
    ref = links.booking_ref(booking)
    own = request.build_absolute_uri(reverse("booking-manage", args=[ref]))
    manage_url = links.custom_manage_url(booking) or own
    booked = booking.status == Booking.Status.BOOKED
    return {
        **page_context(request, configuration, language),
        "booking": booking,
        "pending": booking.status == Booking.Status.PENDING,
        "cancelled": booking.status == Booking.Status.CANCELLED,
        "when": format_span(booking.start, booking.end, zone, language, hours),
        "zone": zone,
        "zone_label": zone_label(zone, booking.start),
        "organizers": organizers_of(configuration),
        "answers": shown_answers(booking),
        "actions": actions_for(booking, at),
        "manage_url": manage_url,
        "calendar_url": reverse("booking-calendar-file", args=[ref]),
        # Web calendars cannot hold a tentative event: offered once the booking is booked.
        "web_calendar": calendar_links.for_booking(booking, link=manage_url) if booked else None,
        "reschedule_url": f"{reverse('booking-reschedule', args=[ref])}?"
        + urlencode({"tz": zone, "lang": language}),
        "cancel_url": reverse("booking-cancel", args=[ref]),
        # The configuration's own pages for these, when it has them: the guest's
        # "Reschedule" and "Cancel" lead there rather than to ours.
        "custom_reschedule_url": links.custom_reschedule_url(booking),
        "custom_cancel_url": links.custom_cancel_url(booking),
        "book_again_url": book_again_url(configuration, zone, language),
        "notice_minutes": configuration.min_cancellation_notice,
        **more,
    }


@require_GET
def manage_booking(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    booking = booking_from_ref(ref)
    embedding.embed_for(request, booking.configuration)
    if request.GET.get("booked") == "1":
        _tell_host(request, booking, "booking_created")
    elif request.GET.get("rescheduled") == "1":
        _tell_host(request, booking, "booking_rescheduled")
    elif request.GET.get("cancelled") == "1":
        _tell_host(request, booking, "booking_cancelled")
    language = guest_language(request, booking)
    zone = guest_zone(request, booking)
    with translation.override(language):
        context = _manage_context(
            request,
            booking,
            language,
            zone,
            just_booked=request.GET.get("booked") == "1",
            just_rescheduled=request.GET.get("rescheduled") == "1",
            just_cancelled=request.GET.get("cancelled") == "1",
        )
    return render_in(request, MANAGE, context, language)


@require_GET
def booking_calendar(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    booking = booking_from_ref(ref)
    if booking.status == Booking.Status.CANCELLED:
        language = guest_language(request, booking)
        with translation.override(language):
            return notice(
                request,
                language,
                title=_("This booking was cancelled"),
                message=_("There is nothing to add to your calendar."),
                status=410,
            )
    manage_url = request.build_absolute_uri(manage_path(booking))
    with translation.override(guest_language(request, booking)):
        ics = calendar_file.booking_calendar_file(booking, manage_url=manage_url)
    response = HttpResponse(ics, content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{calendar_file.file_name(booking)}"'
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def clean_reason(value: str) -> str:
    text = "".join(c for c in (value or "") if c in "\n\t" or c.isprintable())
    return text.strip()[:MAX_REASON]


def too_late_to_cancel(booking: Booking) -> str:
    if now() >= booking.start:
        return _("This booking has already started and can no longer be cancelled.")
    minutes = booking.configuration.min_cancellation_notice
    return ngettext(
        "It's too late to cancel online: this booking can be cancelled up to %(minutes)s "
        "minute before it starts. Please contact the organizer.",
        "It's too late to cancel online: this booking can be cancelled up to %(minutes)s "
        "minutes before it starts. Please contact the organizer.",
        minutes,
    ) % {"minutes": minutes}


@require_POST
@embedding.protect(_embed_scope)
def cancel_booking(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    booking = booking_from_ref(ref)
    embedding.embed_for(request, booking.configuration)
    language = guest_language(request, booking)
    zone = guest_zone(request, booking)
    verdict = rate_limits.check_booking_post(request)
    if not verdict.allowed:
        return too_many_requests(request, language, verdict)
    htmx = getattr(request, "htmx", False)
    with translation.override(language):
        problem, status = "", 200
        if booking.configuration.hide_cancellation_options:
            problem, status = _("This booking can't be cancelled online."), 403
        else:
            try:
                services.cancel_booking(
                    booking=booking, reason=clean_reason(request.POST.get("reason", ""))
                )
            except TooLateToCancel:
                problem, status = too_late_to_cancel(booking), 400
            except WrongState:
                problem, status = _("This booking is already cancelled."), 409
        if not problem and not htmx:
            destination = manage_path(booking, cancelled="1", tz=zone, lang=language)
            return HttpResponseRedirect(embedding.keep_embed(request, destination), status=303)
        booking.refresh_from_db()
        if not problem:
            _tell_host(request, booking, "booking_cancelled")
        context = _manage_context(
            request,
            booking,
            language,
            zone,
            problem=problem,
            just_cancelled=not problem,
            reason=request.POST.get("reason", "") if problem else "",
        )
    template = f"{MANAGE}#booking" if htmx else MANAGE
    return render_in(request, template, context, language, status=status)


def _refusal(request, booking: Booking, language: str) -> HttpResponse | None:
    """Why this booking cannot be moved (a plain page), or None when it can."""
    actions = actions_for(booking, now())
    if actions.can_reschedule:
        return None
    if booking.status == Booking.Status.CANCELLED:
        title, message, status = (
            _("This booking was cancelled"),
            _("A cancelled booking can't be moved. You can book a new time instead."),
            409,
        )
    elif booking.configuration.hide_rescheduling_options:
        title, message, status = (
            _("Rescheduling isn't available"),
            _("This booking can't be rescheduled online. Please contact the organizer."),
            403,
        )
    else:
        title, message, status = (
            _("This booking has already started"),
            _("It can no longer be moved."),
            409,
        )
    return notice(
        request,
        language,
        title=title,
        message=message,
        status=status,
        link=(manage_path(booking, lang=language), _("Back to your booking")),
    )


@require_http_methods(["GET", "HEAD", "POST"])
@embedding.protect(_embed_scope)
def reschedule_booking(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    booking = booking_from_ref(ref)
    embedding.embed_for(request, booking.configuration)
    language = guest_language(request, booking)
    with translation.override(language):
        refusal = _refusal(request, booking, language)
    if refusal is not None:
        return refusal
    if request.method == "POST":
        return _move(request, booking, language)
    asked = read_picker_request(request.GET, booking_zone(booking))
    zone = asked.zone
    if asked.month is None and asked.day is None:
        # Opens on the day of the booking: its time is marked there, the others around it.
        booked_day = local(booking.start, zone).date()
        asked = replace(asked, month=booked_day.replace(day=1), day=booked_day)
    target = fragment_target(request)
    offer = Offer(booking.configuration, now(), exclude_booking_id=booking.id)
    # Unlike /book/<slug>/, this page knows the guest's zone (their booking's) and is not
    # a hot path: the month is rendered inline from the start.
    with translation.override(language):
        picker = _new_picker(request, booking, zone, language, offer)
        if target == "panel":
            build_day(picker, offer, asked)
        else:
            build_month(picker, offer, asked)
        if target is None:
            picker.focus = ""  # a full page load moves no focus
        context = _reschedule_context(request, booking, language, zone, picker)
    template = RESCHEDULE if target is None else f"bookings/slot_picker.html#{target}"
    return render_in(request, template, context, language)


def _new_picker(request, booking: Booking, zone: str, language: str, offer: Offer) -> Picker:
    hours, explicit = page_clock(request, language)
    picker = new_picker(request.path, zone, language, offer.now, hours, clock=explicit)
    # Its own time is free for the booking (it does not block itself), but is no new time.
    picker.current_start = int(booking.start.timestamp())
    return picker


def _reschedule_context(request, booking, language, zone, picker, **more) -> dict:
    configuration = booking.configuration
    return {
        **page_context(request, configuration, language),
        "booking": booking,
        "current": format_span(booking.start, booking.end, zone, language, picker.hours),
        "page_path": request.path,
        "zone": zone,
        "zone_options": partial(zone_choices, language, picker.hours),
        "clock_param": picker.params.get("clock", ""),
        "picker": picker,
        "form_template": f"{RESCHEDULE}#reschedule-form",
        "back_url": manage_path(booking, tz=zone, lang=language),
        **more,
    }


def _move(request, booking: Booking, language: str) -> HttpResponse:
    verdict = rate_limits.check_booking_post(request)
    if not verdict.allowed:
        return too_many_requests(request, language, verdict)
    zone = guest_zone(request, booking)
    text = request.POST.get("slot", "")
    start = int(text) if text.isascii() and text.isdigit() and len(text) <= 11 else None
    htmx = fragment_target(request) is not None
    offer = Offer(booking.configuration, now(), exclude_booking_id=booking.id)
    with translation.override(language):
        picker = _new_picker(request, booking, zone, language, offer)
        problem, status = "", 200
        if start is None:
            problem, status = _("Please choose a new time first."), 400
        elif start == picker.current_start:
            # Nothing to move: no service call, so no "rescheduled" notices either.
            problem = current_time_message()
        else:
            try:
                services.reschedule_booking(booking=booking, start=start)
            except (SlotUnavailable, InvalidBooking):
                problem, status = (
                    _(
                        "Sorry, that time is no longer free. Here are the times that are still "
                        "free on this day."
                    ),
                    409,
                )
            except WrongState:
                return _refusal(request, Booking.objects.get(pk=booking.pk), language) or (
                    HttpResponseRedirect(manage_path(booking, lang=language), status=303)
                )
        if not problem:
            destination = manage_path(booking, rescheduled="1", tz=zone, lang=language)
            destination = embedding.keep_embed(request, destination)
            if getattr(request, "htmx", False):
                return HttpResponseClientRedirect(destination)
            return HttpResponseRedirect(destination, status=303)
        if start is not None:
            fresh_month(picker, offer, local(start, zone).date(), problem)
        else:
            build_month(picker, offer, PickerRequest(zone=zone))
            picker.problem = problem
        context = _reschedule_context(request, booking, language, zone, picker)
    # htmx: the day's times, and the month out of band (a day may have filled up).
    template = "bookings/slot_picker.html#refusal" if htmx else RESCHEDULE
    return render_in(request, template, context, language, status=status)


__all__ = [
    "booking_calendar",
    "cancel_booking",
    "manage_booking",
    "reschedule_booking",
]
