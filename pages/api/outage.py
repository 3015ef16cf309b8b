"""The middleware that answers a database outage raised outside DRF (the pages, and any
view): a 503 in the API's dialect or the pages' own 503 page (pages/database_outage.py
says what an outage is and how it is worded)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse

from pages.api.errors import error_body
from pages.database_outage import (
    OUTAGE_MESSAGE,
    RETRY_AFTER_SECONDS,
    SERVICE_UNAVAILABLE,
    api_dialect,
    is_outage,
    log_outage,
    outage_page,
)


class DatabaseOutageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not is_outage(exception):
            return None
        log_outage(request, exception)
        dialect = api_dialect(request)
        if dialect is None:
            return outage_page()
        response = JsonResponse(
            error_body(dialect, SERVICE_UNAVAILABLE, OUTAGE_MESSAGE), status=503
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
