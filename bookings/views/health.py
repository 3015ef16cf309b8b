"""/healthz: the web process is up, its database answers and the schema is there (for
load balancers and uptime checks; also the benchmark's baseline of a trivial one-query
view). The check is a tiny model read, ``SELECT 1 ... LIMIT 1`` on a table of ours: a
database that answers but was never migrated fails it.

A load balancer needs the answer fast, also when the database hangs: on PostgreSQL the
check runs inside ``connection.answer_within(HEALTH_SECONDS)`` (our backend,
scheduler_site/postgresql), so a silent server is a 503 within a second on a kept
connection, two on a new one (psycopg's shortest connect timeout)."""

from __future__ import annotations

import logging
from contextlib import nullcontext

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from bookings.models import Booking

logger = logging.getLogger(__name__)

HEALTH_SECONDS = 1.0


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    answer_within = getattr(connection, "answer_within", None)  # SQLite does not hang
    try:
        with answer_within(HEALTH_SECONDS) if answer_within else nullcontext():
            Booking.objects.exists()
    except DatabaseError as exc:
        logger.warning("health check: the database did not answer (%s)", exc)
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
