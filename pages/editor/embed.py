"""The Schedule Editor as an embed: ``Scheduler.show({auth: {pageEditToken}, style})`` on
the customer's page (/embed.js), also called as ``nylas.scheduler.show`` by v2 apps.

The edit token never travels in a URL. /embed.js opens GET /editor/embed/ in a modal's
frame: a page with nothing of any scheduling page in it (so any site may frame it), whose
script tells the host page it is ready. The host page posts the token to that frame
(``postMessage`` to our origin only); the frame, which takes messages only from its
parent, posts it in a form's body to POST /editor/embed/open/ together with the parent's
origin as the browser reported it. That request must come from our own document
(Origin); the token must be a page's; the parent's origin must be one the page allows
its editor on (pages/embeds.py ``editor_origins``). The answer is the editor itself,
framable by exactly those origins, authorised by an embed token (no session cookie: the
frame has none) that its htmx requests carry in a header.
"""

from __future__ import annotations

import hmac
import re
import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from pages import embeds
from pages.editor.access import configuration_of_token
from pages.models import Configuration

SHELL_TEMPLATE = "pages/editor_embed.html"
COLOR = re.compile(r"^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20})$")


def scope(page_id: uuid.UUID | str) -> str:
    return f"editor:{page_id}"


def _color(value: object) -> str:
    return value if isinstance(value, str) and COLOR.match(value) else ""


def editor_embed(request: HttpRequest, configuration: Configuration) -> embeds.Embed | None:
    """The embed an editor request carries a token for (also ``request.embed``), if the
    token is this page's, for its current edit token, from an origin still allowed."""
    grant = getattr(request, "embed_grant", None) or embeds.read_form_token(
        embeds.token_of(request)
    )
    if grant is None or grant.scope != scope(configuration.pk):
        return None
    digest = str(grant.data.get("d", ""))
    if not configuration.edit_token_digest or not hmac.compare_digest(
        digest, configuration.edit_token_digest
    ):
        return None
    return _embed(request, configuration, grant.origin, grant.data)


def _embed(request, configuration, origin: str, data: dict) -> embeds.Embed | None:
    allowed = embeds.editor_origins(configuration)
    if origin not in allowed:
        return None
    token = embeds.issue_form_token(scope=scope(configuration.pk), origin=origin, data=data)
    request.embed = embeds.Embed(origin=origin, ancestors=allowed, token=token, data=data)
    return request.embed


@never_cache
@require_GET
def embed_shell(request: HttpRequest) -> HttpResponse:
    """The frame /embed.js opens: it waits for the token from its parent."""
    response = render(request, SHELL_TEMPLATE)
    # Not "no-referrer": with it the browser sends "Origin: null" on the form's POST,
    # and the exchange checks that the POST comes from this page's origin.
    response["Referrer-Policy"] = "same-origin"
    # It shows nothing of any page, so any site may frame it; the editor it opens may be
    # framed only where that page allows.
    return embeds.allow_framing(response, ["*"])


@never_cache
@csrf_exempt  # no cookie in a cross-site frame: checked by Origin, and the token is the key
@sensitive_post_parameters("edit_token")
@require_POST
def embed_open(request: HttpRequest) -> HttpResponse:
    from pages.editor.views import _page_context, _private, denied

    if not embeds.comes_from_our_pages(request):
        return _private(denied(request, "bad_token"), "no-referrer")
    configuration = configuration_of_token(request.POST.get("edit_token"))
    if configuration is None:
        return _private(denied(request, "bad_token"), "no-referrer")
    data = {
        "d": configuration.edit_token_digest,
        "tint": _color(request.POST.get("tint")),
        "background": _color(request.POST.get("background")),
    }
    origin = embeds.normalize_origin(request.POST.get("origin", ""))
    if _embed(request, configuration, origin, data) is None:
        # Not an origin this page allows its editor on: a page no frame shows.
        return _private(denied(request, "no_session"), "no-referrer")
    configuration = Configuration.objects.select_related("grant").get(pk=configuration.pk)
    return _private(render(request, "pages/editor.html", _page_context(configuration)))
