"""/healthz: the web process is up, its database answers and the schema is there (for
load balancers and uptime checks; also the benchmark's baseline of a trivial one-query
view). The check is a tiny model read, ``SELECT 1 ... LIMIT 1`` on a table of ours: a
database that answers but was never migrated fails it."""

from __future__ import annotations

import logging

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from bookings.models import Booking

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        Booking.objects.exists()
    except DatabaseError:
        logger.exception("health check: the database did not answer")
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
