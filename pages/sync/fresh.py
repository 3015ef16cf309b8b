"""Fresh where it counts: just before a booking is written, the hosts' CalDAV calendars
are asked about that one interval.

One time-range query per calendar (the server expands recurrences), all at once, within
a budget of about two seconds in total; an object new or changed since the last sync is
fetched and stored like a sync's find, so the booking's own check, which reads the
database under its row locks, refuses the slot like any other conflict (a 409), and
availability shows it from then on. A server that does not answer in time, or answers
an error, leaves the last sync in force (logged). Never called inside a transaction: no
lock is held while a server is asked. Feeds have no time-range query: they wait for the
next sync.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from concurrent.futures import ThreadPoolExecutor, wait

from django.utils import timezone

from pages.models import Calendar, Grant, Participant, RemoteEvent
from pages.sync import caldav_client as client
from pages.sync import providers, sealing, services
from pages.sync.passes import expand, window

logger = logging.getLogger(__name__)

BUDGET_SECONDS = 2.0
_pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="fresh-check")


def calendars_of(configuration) -> list[Calendar]:
    """The CalDAV calendars of the configuration's hosts with availability, whose grants
    are valid: one query."""
    hosts = Participant.objects.filter(
        configuration=configuration, has_availability=True, grant__isnull=False
    ).values("grant_id")
    return list(
        Calendar.objects.filter(grant_id__in=hosts, grant__grant_status=Grant.Status.VALID)
        .exclude(source="")
        .exclude(source__startswith=Calendar.FEED_PREFIX)
        .select_related("grant")
    )


def _ask(handle, start, end, stored: dict, deadline: float) -> list[client.Resource]:
    listed = client.etags_in_range(
        handle, start, end, timeout=max(deadline - time.monotonic(), 0.1)
    )
    changed = [item.href for item in listed if stored.get(item.href) != item.etag]
    if not changed:
        return []
    return client.fetch(handle, changed, timeout=max(deadline - time.monotonic(), 0.1))


def refresh_interval(
    calendars: list[Calendar],
    start: dt.datetime,
    end: dt.datetime,
    *,
    budget: float = BUDGET_SECONDS,
    now: dt.datetime | None = None,
) -> int:
    """Ask each calendar about [start, end) and store what is new; the number of objects
    stored. Within ``budget`` seconds whatever the servers do."""
    if not calendars:
        return 0
    deadline = time.monotonic() + budget
    now = now or timezone.now()
    values_of: dict = {}
    stored = {}
    for remote in RemoteEvent.objects.filter(calendar__in=calendars).values_list(
        "calendar_id", "href", "etag"
    ):
        stored.setdefault(remote[0], {})[remote[1]] = remote[2]
    futures = {}
    for calendar in calendars:
        grant = calendar.grant
        if grant.pk not in values_of:
            try:
                values_of[grant.pk] = sealing.open_sealed(grant.sealed_settings)
            except sealing.Unreadable:
                values_of[grant.pk] = None
        values = values_of[grant.pk]
        if not values:
            continue
        handle = providers.remote_calendar(grant.provider, values, calendar.source)
        futures[_pool.submit(_ask, handle, start, end, stored.get(calendar.pk, {}), deadline)] = (
            calendar
        )
    done, late = wait(futures, timeout=max(deadline - time.monotonic(), 0))
    for future in late:
        logger.warning(
            "fresh check of calendar %s did not answer within %.1f s: the last sync stands",
            futures[future].pk,
            budget,
        )
    found = 0
    for future in done:
        calendar = futures[future]
        try:
            resources = future.result()
        except client.SyncError as error:
            logger.warning(
                "fresh check of calendar %s failed, the last sync stands: %s", calendar.pk, error
            )
            continue
        if not resources:
            continue
        span = (
            (calendar.expanded_from, calendar.expanded_until)
            if calendar.expanded_until
            else window(now)
        )
        values = values_of[calendar.grant.pk]
        read = [
            expand(calendar.grant, calendar, values, r.href, r.etag, r.ical, span)
            for r in resources
        ]
        services.add_found_objects(calendar=calendar, read=read)
        found += len(read)
    return found
