"""A database that is down or silent is a 503 with Retry-After, never Django's 500 page.

``OperationalError`` and ``InterfaceError`` are what the database layer raises when it
cannot be reached (connection refused, a connection lost, a deadline passed: see
scheduler_site/postgresql/base.py) or when the server gave up (statement timeout). The
API's exception handler answers them in the view's dialect (pages/api/errors.py); this
middleware answers everything else: the hosted pages with a translated "try again in a
moment" page, other API routes in the envelope of the dialect their path belongs to.
"""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

# What the database raises when it is out of reach or gave up on us.
OUTAGE_ERRORS = (OperationalError, InterfaceError)
# Seconds a client should wait: a restart or a failover takes about this long.
RETRY_AFTER_SECONDS = 5
SERVICE_UNAVAILABLE = "service_unavailable"
OUTAGE_MESSAGE = "The service cannot reach its database right now; try again in a moment."


def is_outage(exc: BaseException) -> bool:
    return isinstance(exc, OUTAGE_ERRORS)


def log_outage(request: HttpRequest, exc: BaseException) -> None:
    logger.warning("database unavailable for %s %s: %s", request.method, request.path, exc)


def api_dialect(request: HttpRequest) -> str | None:
    """The API dialect of the view this request reached, None for a page."""
    match = getattr(request, "resolver_match", None)
    view_class = getattr(getattr(match, "func", None), "view_class", None)
    if view_class is not None and hasattr(view_class, "dialect"):
        return view_class.dialect
    if request.path.startswith("/v3/"):
        return "v3"
    return None


def outage_page() -> HttpResponse:
    """The pages' 503: alone, without base.html, in the language LocaleMiddleware chose."""
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
