"""/book/<slug>/: the guest picks a day and a time, fills in the form, and books.

One URL serves the page and its fragments. The shell (no picker state in the URL) does
not compute availability, so it costs about what a trivial view costs; its picker loads
with htmx (``HX-Target: picker``), and each later step swaps one named partial:
``picker`` (month and panel), ``panel`` (a day's times, or the form). With JavaScript
off, a URL that names the state (tz, month, day, slot) renders it all inline, and the
zone form's button is how the guest gets there.
"""

from __future__ import annotations

import datetime as dt
from functools import cache, partial
from urllib.parse import urlencode

from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from bookings import rate_limits, services
from bookings.availability_loader import configuration_zone
from bookings.guest_input import clean_guest
from bookings.languages import date_and_time
from bookings.problems import InvalidBooking, SlotUnavailable
from bookings.sql import shell_rows
from bookings.views import embed as embedding
from bookings.views import shell_cache
from bookings.views.common import (
    HtmxHttpRequest,
    now,
    organizers_of,
    page_clock,
    page_context,
    public_configuration,
    render_in,
    too_many_requests,
    zone_choices,
)
from bookings.views.guest_form import (
    additional_guest_list,
    answers,
    attach_error,
    field_problems,
    guest_form,
    language_options,
)
from bookings.views.language import (
    choose_language,
    format_date,
    format_instant,
    local,
)
from bookings.views.slot_picker import (
    Offer,
    Picker,
    PickerRequest,
    SlotChoice,
    build_day,
    build_month,
    fresh_month,
    new_picker,
    read_picker_request,
)
from bookings.views.zone_list import resolve_zone
from pages import embeds, page_urls
from pages.models import Configuration
from pages.sql import configuration_by, questions_of

TEMPLATE = "bookings/booking_page.html"
PICKER_STATE = ("tz", "month", "day", "slot")


def fragment_target(request) -> str | None:
    """The partial an htmx request asks for (by its target's id), else None (the page)."""
    htmx = getattr(request, "htmx", None)
    if not htmx or htmx.history_restore_request:
        return None
    return htmx.target if htmx.target in ("picker", "panel") else None


def page_language(request, configuration: Configuration) -> str:
    return choose_language(request.POST.get("lang"), request.GET.get("lang"), configuration.locale)


def _embed_scope(request, slug: str) -> str | None:
    configuration = configuration_by(slug=slug)
    return embedding.scope(configuration) if configuration is not None else None


@require_http_methods(["GET", "HEAD", "POST"])
@embedding.protect(_embed_scope)
def booking_page(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    if request.GET.get(embeds.ORIGIN_PARAM) or embeds.token_of(request):
        # An origin this page does not allow gets the ordinary page, which no frame shows.
        embedding.embed_for(request, public_configuration(slug))
    if request.method != "POST" and is_shell_request(request):
        return shell(request, slug)
    configuration = public_configuration(slug)
    language = page_language(request, configuration)
    if request.method == "POST":
        return book(request, configuration, language)
    return show(request, configuration, language)


def is_shell_request(request) -> bool:
    """The page with no picker state asked for: the shell, which computes no
    availability (its picker loads as a fragment)."""
    return fragment_target(request) is None and not any(
        request.GET.get(name) for name in PICKER_STATE
    )


def shell(request, slug: str) -> HttpResponse:
    rows = shell_rows(slug)
    language = choose_language(request.GET.get("lang"), shell_cache.locale_of(rows) if rows else "")
    hours, explicit = page_clock(request, language)

    def render() -> HttpResponse:
        configuration = public_configuration(slug)
        with translation.override(language):
            context = _context(request, configuration, language, None)
        context["shell"] = True
        if embed is not None:
            embed.event("page_viewed", slug=configuration.slug)
        state = {"tz": context["organizer_zone"], "lang": language}
        if explicit:
            state["clock"] = explicit
        context["noscript_query"] = urlencode(state)
        return render_in(request, TEMPLATE, context, language)

    embed = getattr(request, "embed", None)
    if embed is not None:
        return render()  # its embed token is this render's own: never shared
    return shell_cache.serve(request, slug, language, render, rows, hours=hours)


def _context(request, configuration: Configuration, language: str, picker: Picker | None, **more):
    # Callables, which templates call when they use them: a fragment that shows no page
    # header costs no participants query.
    hosts = cache(partial(organizers_of, configuration))
    hours, explicit = page_clock(request, language)
    return {
        **page_context(request, configuration, language),
        "organizers": hosts,
        "has_hosts": lambda: any(p.grant_id for p in hosts()) or configuration.is_round_robin,
        "page_path": request.path,
        "zone": picker.zone if picker else configuration_zone(configuration),
        # A callable: only full pages show the list; an htmx fragment never builds it.
        "zone_options": partial(zone_choices, language, hours),
        "clock_param": explicit,
        "organizer_zone": configuration_zone(configuration),
        "picker": picker,
        "form_template": f"{TEMPLATE}#guest-form",
        **more,
    }


def _form_for(configuration: Configuration, language: str, data=None, prefill=None, given=None):
    definitions = questions_of(configuration)
    return guest_form(configuration, definitions, language, data=data, prefill=prefill, given=given)


def show(request, configuration: Configuration, language: str) -> HttpResponse:
    zone = configuration_zone(configuration)
    asked = read_picker_request(request.GET, zone)
    target = fragment_target(request)
    hours, explicit = page_clock(request, language)
    with translation.override(language):
        picker = new_picker(request.path, asked.zone, language, now(), hours, clock=explicit)
        offer = Offer(configuration, now())
        if target == "panel":
            build_day(picker, offer, asked)
        else:
            build_month(picker, offer, asked)
        more = {}
        if picker.panel == "form":
            more["form"] = _form_for(
                configuration,
                language,
                prefill=embedding.prefill_of(request),
                given=embedding.answers_of(request),
            )
            more["language_options"] = language_options()
        if target is None:
            picker.focus = ""  # a full page load moves no focus
        context = _context(request, configuration, language, picker, **more)
    _tell_host(request, configuration, picker, target)
    template = TEMPLATE if target is None else f"bookings/slot_picker.html#{target}"
    return render_in(request, template, context, language)


def _tell_host(request, configuration: Configuration, picker: Picker, target) -> None:
    """The events an embed's host page is told about for this step."""
    embed = getattr(request, "embed", None)
    if embed is None:
        return
    if target is None:
        embed.event("page_viewed", slug=configuration.slug)
    elif target == "panel" and picker.panel == "slots" and picker.day:
        embed.event("day_chosen", date=picker.day.isoformat())
    elif target == "panel" and picker.panel == "form" and picker.chosen:
        embed.event(
            "time_chosen",
            start=_iso(picker.chosen.start),
            end=_iso(picker.chosen.end),
        )


def _iso(instant: int) -> str:
    return dt.datetime.fromtimestamp(instant, dt.UTC).isoformat().replace("+00:00", "Z")


def chosen_slot(picker: Picker, configuration: Configuration, start: int) -> SlotChoice:
    """The slot the form was for, described without asking the engine again."""
    day = local(start, picker.zone).date()
    time = format_instant(start, picker.zone, "time", picker.language, picker.hours)
    return SlotChoice(
        start=start,
        end=start + configuration.duration_minutes * 60,
        time=time,
        label=date_and_time(format_date(day, "day", picker.language), time, picker.language),
        url=picker.url(month=day.strftime("%Y-%m"), day=day.isoformat(), slot=str(start)),
        seats=None,
    )


def _posted_start(text: str) -> int | None:
    """The chosen slot's start as sent, or None when it is no plausible Unix time."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 11 else None


def book(request, configuration: Configuration, language: str) -> HttpResponse:
    """The form's POST: refused politely (rate limit, no time chosen, a field to correct,
    the time taken meanwhile) or booked and sent on to the booking's page."""
    data = request.POST
    verdict = rate_limits.check_booking_post(request, data.get("email", ""))
    if not verdict.allowed:
        return too_many_requests(request, language, verdict)
    zone = resolve_zone(data.get("tz")) or configuration_zone(configuration)
    start = _posted_start(data.get("slot", ""))
    htmx = fragment_target(request) is not None
    offer = Offer(configuration, now())
    hours, explicit = page_clock(request, language)
    with translation.override(language):
        picker = new_picker(request.path, zone, language, offer.now, hours, clock=explicit)
        if start is None:
            build_month(picker, offer, PickerRequest(zone=zone))
            picker.problem = _("Please choose a time first.")
            return _answer(request, configuration, language, picker, status=400, htmx=htmx)
        definitions = questions_of(configuration)
        form = guest_form(configuration, definitions, language, data=data)
        try:
            made = _book_from_form(
                configuration,
                form,
                definitions,
                data,
                start=start,
                zone=zone,
                language=language,
                metadata=embedding.metadata_of(request),
            )
        except InvalidBooking as problem:
            attach_error(form, problem, data.get("additional_guests", ""))
            _show_form_again(picker, offer, configuration, start, htmx=htmx)
            return _answer(
                request, configuration, language, picker, status=422, htmx=htmx, form=form
            )
        except SlotUnavailable:
            _offer_the_days_free_times(picker, offer, local(start, zone).date())
            return _answer(
                request, configuration, language, picker, status=409, htmx=htmx, form=form
            )
    language = made.booking.language or language
    embedded = getattr(request, "embed", None) is not None
    destination = _after_booking(configuration, made, zone, language, explicit, embedded)
    destination = embedding.keep_embed(request, destination)
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(destination)
    return HttpResponseRedirect(destination, status=303)


def _book_from_form(
    configuration: Configuration,
    form,
    definitions,
    data,
    *,
    start: int,
    zone: str,
    language: str,
    metadata: dict | None = None,
):
    """The guest from the form, booked; InvalidBooking names the first field to correct
    (the others are attached to the form), SlotUnavailable says the time went."""
    guests_text = data.get("additional_guests", "")
    problems = field_problems(form, definitions)
    if problems:
        for problem in problems[1:]:
            attach_error(form, problem, guests_text)
        raise problems[0]
    guest = clean_guest(
        configuration,
        name=data.get("name", ""),
        email=data.get("email", ""),
        timezone=zone,
        language=data.get("email_language") or language,
        additional_guests=additional_guest_list(guests_text)
        if not configuration.hide_additional_guests
        else [],
        additional_fields=answers(form),
        metadata=metadata,
    )
    return services.create_booking(configuration=configuration, start=start, end=None, guest=guest)


def _show_form_again(picker: Picker, offer: Offer, configuration, start: int, *, htmx: bool):
    """The form with its errors: in place (htmx), or the whole page again, which says so
    should the slot have gone meanwhile."""
    if htmx:
        picker.chosen = chosen_slot(picker, configuration, start)
        picker.panel = "form"
        picker.month = local(start, picker.zone).date().replace(day=1)
    else:
        build_month(picker, offer, read_picker_request({"slot": str(start)}, picker.zone))
    picker.focus = "errors"


def _offer_the_days_free_times(picker: Picker, offer: Offer, day) -> None:
    """The time went meanwhile: the form again, with what the guest typed, and the day's
    free times to choose from in place of the one that went."""
    message = _(
        "Sorry, that time was just booked by someone else. Here are the times that "
        "are still free on this day."
    )
    fresh_month(picker, offer, day, message)
    if picker.slots:
        picker.panel = "form"


def _after_booking(
    configuration, made, zone: str, language: str, clock: str, embedded: bool = False
) -> str:
    """Where the guest goes once booked: the page's own confirmation address, else the
    booking's page (in their zone, language and clock). In an embed, always the
    booking's page: the host page is told (booking_created) and goes on from there."""
    redirect_to = page_urls.renderable(configuration.confirmation_redirect_url)
    if redirect_to and not embedded:
        return redirect_to
    state = {"booked": "1", "tz": zone, "lang": language}
    if clock:
        state["clock"] = clock
    return f"{reverse('booking-manage', args=[made.booking_ref])}?{urlencode(state)}"


def _answer(request, configuration, language, picker, *, status, htmx, form=None):
    """The panel (htmx) or the whole page (JavaScript off) after a refused POST. An htmx
    answer that shows the month again (a slot taken meanwhile) sends it out of band."""
    more = {}
    if picker.panel == "form":
        more["form"] = form or _form_for(configuration, language)
        more["language_options"] = language_options()
    with translation.override(language):
        context = _context(request, configuration, language, picker, **more)
    template = TEMPLATE
    if htmx:
        template = f"bookings/slot_picker.html#{'refusal' if picker.weeks else 'panel'}"
    return render_in(request, template, context, language, status=status)
