"""The Schedule Editor's pages.

GET /editor/?edit_token=... or POST /editor/ (edit_token in the body): the one request
that carries the token. It becomes a grant in the session (pages/editor/access.py) and
the browser is sent on to /editor/<page id>/, which shows every section. Sent from a site
we do not trust, it first shows what would be edited, and POST /editor/confirm/ (CSRF
checked) makes the grant. Each section
posts to /editor/<page id>/<section>/: with htmx the section's form comes back in place
(422 with the errors beside the fields), without JavaScript the whole page does (a 303
back to the page once saved).
"""

from __future__ import annotations

import contextlib
import uuid
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh
from django_htmx.middleware import HtmxDetails

from pages import embeds
from pages.editor import embed as embedding
from pages.editor.access import (
    configuration_of_ticket,
    configuration_of_token,
    editable_configuration,
    editor_ticket,
    exchange_is_trusted,
    grant_editing,
)
from pages.editor.sections import SECTIONS, Section, SectionForms, open_hours_view
from pages.models import Configuration
from pages.validators import known_timezones

TEMPLATE = "pages/editor.html"
DENIED_TEMPLATE = "pages/editor_denied.html"
CONFIRM_TEMPLATE = "pages/editor_confirm.html"


class HtmxHttpRequest(HttpRequest):
    """A request as django-htmx's middleware leaves it (for type hints)."""

    htmx: HtmxDetails


@lru_cache(maxsize=1)
def zone_options() -> str:
    """The time-zone suggestions (a <datalist>'s options), built once per process."""
    return format_html_join("", '<option value="{}">', ((z,) for z in sorted(known_timezones())))


def _private(response: HttpResponse, referrer_policy: str = "same-origin") -> HttpResponse:
    # The editor shows a page's settings to whoever holds its token: never stored by a
    # cache, and its address never sent to another site.
    response["Referrer-Policy"] = referrer_policy
    response["X-Robots-Tag"] = "noindex"
    return response


def denied(request: HtmxHttpRequest, reason: str) -> HttpResponse:
    """The 403 page: a token that is not (or no longer) a page's, or no grant here."""
    if reason == "bad_token":
        title = _("This editor link isn't valid")
        message = _(
            "The link may be incomplete, or the page's edit token was replaced or the page "
            "deleted. Open the editor again from your app."
        )
    else:
        title = _("Open the editor from your app")
        message = _(
            "This browser isn't signed in to edit this page, or the editing session has "
            "ended. Open the editor again from the app where you manage your scheduling "
            "page."
        )
    context = {"title": title, "message": message}
    return render(request, DENIED_TEMPLATE, context, status=403)


@never_cache
@csrf_exempt
@sensitive_post_parameters("edit_token")
@require_http_methods(["GET", "POST"])
def open_editor(request: HtmxHttpRequest) -> HttpResponse:
    """Exchanges the edit token for a grant in the session.

    Exempt from CSRF on purpose: the POST comes from the page owner's own app, another
    site, with no CSRF token of ours. What a forged exchange could do is sign a victim's
    browser in to the forger's page (login CSRF), so a request from an origin we do not
    trust (pages/editor/access.py) is not exchanged: it gets a page naming what would be
    edited, whose button confirms through ``confirm_editor`` under Django's CSRF check.
    """
    source = request.POST if request.method == "POST" else request.GET
    configuration = configuration_of_token(source.get("edit_token"))
    if configuration is None:
        return _private(denied(request, "bad_token"), "no-referrer")
    if not exchange_is_trusted(request, configuration):
        context = {
            "configuration": configuration,
            "organizer": configuration.grant,
            "ticket": editor_ticket(configuration),
        }
        # Not "no-referrer": the confirming POST must carry our Origin for the CSRF check,
        # and "strict-origin" sends no more than that (not this URL's token).
        return _private(render(request, CONFIRM_TEMPLATE, context), "strict-origin")
    return _open(request, configuration)


@never_cache
@require_POST
def confirm_editor(request: HtmxHttpRequest) -> HttpResponse:
    """The confirmation of an exchange that came from another site: a form of ours, so
    Django's CSRF check applies, carrying a signed ticket rather than the token."""
    configuration = configuration_of_ticket(request.POST.get("ticket"))
    if configuration is None:
        return _private(denied(request, "bad_token"), "no-referrer")
    return _open(request, configuration)


def _open(request: HtmxHttpRequest, configuration: Configuration) -> HttpResponse:
    grant_editing(request, configuration)
    response = redirect("editor", page_id=configuration.pk)
    if request.method == "POST":
        response.status_code = 303
    # The URL that carried the token is not sent on as a Referer by anything that follows.
    return _private(response, "no-referrer")


def preview_url(configuration: Configuration) -> str:
    if not configuration.is_public:
        return ""
    try:
        return reverse("booking-page", args=[configuration.slug])
    except NoReverseMatch:
        return ""


def _section_context(
    configuration: Configuration,
    section: Section,
    state: SectionForms,
    status: str = "",
    status_kind: str = "ok",
) -> dict:
    context = {
        "state": state,
        "section": section,
        "status": status,
        "status_kind": status_kind,
        "action": reverse("editor-section", args=[configuration.pk, section.name]),
        "row_url": reverse("editor-row", args=[configuration.pk, section.name]),
    }
    if section.name == "availability":
        context["hosts_differ"] = open_hours_view(configuration).hosts_differ
    return context


def _page_context(
    configuration: Configuration,
    *,
    saved: str = "",
    bound: tuple[Section, SectionForms, str, str] | None = None,
) -> dict:
    sections = {}
    for name, section in SECTIONS.items():
        if bound is not None and bound[0] is section:
            sections[name] = _section_context(configuration, section, *bound[1:])
        else:
            status = _("Saved.") if name == saved else ""
            sections[name] = _section_context(
                configuration, section, section.bind(configuration), status
            )
    return {
        "configuration": configuration,
        "preview_url": preview_url(configuration),
        "sections": sections,
        "zone_options": zone_options(),
        "page_zone": configuration.timezone or configuration.grant.timezone,
        **sections,
    }


def _allowed(request: HtmxHttpRequest, page_id: uuid.UUID):
    """(the configuration, or the response to give instead): this browser's session was
    granted the page, or (the editor in a frame on the customer's site) the request
    carries an embed token for it (pages/editor/embed.py)."""
    if embeds.token_of(request):
        configuration = Configuration.objects.select_related("grant").filter(pk=page_id).first()
        if configuration is not None and embedding.editor_embed(request, configuration):
            return configuration, None
    else:
        configuration = editable_configuration(request, page_id)
        if configuration is not None:
            return configuration, None
    if request.htmx:
        # The page reloads and says why (a swap would leave half a page behind).
        return None, HttpResponseClientRefresh()
    return None, _private(denied(request, "no_session"))


def _section(name: str) -> Section:
    section = SECTIONS.get(name)
    if section is None:
        raise Http404("No such section.")
    return section


@never_cache
@require_GET
def editor(request: HtmxHttpRequest, page_id: uuid.UUID) -> HttpResponse:
    configuration, refusal = _allowed(request, page_id)
    if refusal:
        return refusal
    saved = request.GET.get("saved", "")
    context = _page_context(configuration, saved=saved if saved in SECTIONS else "")
    return _private(render(request, TEMPLATE, context))


def _section_response(
    request: HtmxHttpRequest,
    configuration: Configuration,
    section: Section,
    state: SectionForms,
    status_text: str,
    status: int,
    status_kind: str = "ok",
) -> HttpResponse:
    """The section's form, and its status line swapped out of band (the live region
    itself stays, so screen readers announce the new text)."""
    context = {
        "configuration": configuration,
        "page_zone": configuration.timezone or configuration.grant.timezone,
        "oob": True,
        "s": _section_context(configuration, section, state, status_text, status_kind),
    }
    body = render_to_string(f"{TEMPLATE}#{section.name}-form", context, request)
    body += render_to_string(f"{TEMPLATE}#status", context, request)
    if section.name == "event":  # a page without a name is headed by its title
        body += render_to_string(f"{TEMPLATE}#page-title", context, request)
    return _private(HttpResponse(body, status=status))


def _with_new_row(data, prefix: str):
    """The posted rows with one more, empty (the "Add row" button without JavaScript)."""
    data = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    with contextlib.suppress(ValueError):  # a broken count: the formset reports it
        data[key] = str(int(data.get(key, "0")) + 1)
    return data


def _refuse(request, reason: str) -> HttpResponse:
    # The project's CSRF failure page (settings.CSRF_FAILURE_VIEW), as a failed check gets.
    from django.middleware.csrf import _get_failure_view

    return _get_failure_view()(request, reason=reason)


@never_cache
@require_POST
@embeds.csrf_or_embed(lambda request, page_id, section: embedding.scope(page_id), _refuse)
def save_section(request: HtmxHttpRequest, page_id: uuid.UUID, section: str) -> HttpResponse:
    part = _section(section)
    configuration, refusal = _allowed(request, page_id)
    if refusal:
        return refusal

    if part.formset_class is not None and request.POST.get("add_row") == part.prefix:
        state = part.bind(configuration, _with_new_row(request.POST, part.prefix))
        note = _("A row was added. Nothing is saved until you press Save.")
        if request.htmx:
            return _section_response(request, configuration, part, state, note, 200, "info")
        context = _page_context(configuration, bound=(part, state, note, "info"))
        return _private(render(request, TEMPLATE, context))

    state = part.bind(configuration, request.POST)
    if state.is_valid():
        try:
            configuration = part.save(configuration, state)
        except ValidationError as error:
            state.add_service_errors(error)
        else:
            if not request.htmx:
                url = reverse("editor", args=[configuration.pk])
                response = redirect(f"{url}?saved={part.name}#{part.name}")
                response.status_code = 303  # after a POST, the page is fetched with GET
                return _private(response)
            configuration = Configuration.objects.select_related("grant").get(pk=configuration.pk)
            fresh = part.bind(configuration)
            return _section_response(request, configuration, part, fresh, _("Saved."), 200)

    problem = _("Not saved: please correct the fields marked below.")
    if request.htmx:
        return _section_response(request, configuration, part, state, problem, 422, "error")
    context = _page_context(configuration, bound=(part, state, problem, "error"))
    return _private(render(request, TEMPLATE, context, status=422))


@never_cache
@require_GET
def new_row(request: HtmxHttpRequest, page_id: uuid.UUID, section: str) -> HttpResponse:
    """One more empty row for a section's list (htmx), and the formset's new row count
    swapped out of band."""
    part = _section(section)
    if part.formset_class is None:
        raise Http404("This section has no rows.")
    configuration, refusal = _allowed(request, page_id)
    if refusal:
        return refusal
    try:
        index = int(request.GET.get(f"{part.prefix}-TOTAL_FORMS", ""))
    except ValueError:
        index = -1
    if not 0 <= index < part.formset_class.max_num:
        return HttpResponse(status=204)
    formset = part.formset_class(prefix=part.prefix)
    # As formset.empty_form is made, with the row's real index for "__prefix__".
    row = formset.form(
        auto_id=formset.auto_id,
        prefix=formset.add_prefix(index),
        empty_permitted=True,
        use_required_attribute=False,
        renderer=formset.renderer,
    )
    formset.add_fields(row, index)
    context = {
        "configuration": configuration,
        "page_zone": configuration.timezone or configuration.grant.timezone,
        "row": row,
        "index": index,
        "can_remove": False,
        "prefix": part.prefix,
        "total": index + 1,
        "focus": True,
    }
    body = render_to_string(f"{TEMPLATE}#{part.name}-row", context, request)
    body += render_to_string(f"{TEMPLATE}#total-forms", context, request)
    return _private(HttpResponse(body))
