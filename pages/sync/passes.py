"""One sync pass: ask each remote calendar what changed, fetch that, expand it, store it.

CalDAV, cheapest first: a PROPFIND of the calendar (its ctag and sync-token: nothing
changed, nothing more is asked); then RFC 6578's sync-collection from the stored token,
or, where the server has no token or rejects ours, a time-range query of the window's
etags compared with the stored ones (a full resync that fetches only what differs and
duplicates nothing); then a calendar-multiget of the changed objects. A feed is one
conditional GET. The requests of a pass do not grow with the calendar's size when one
thing changed.

Each calendar is synced under a lease (two workers never sync it at once); everything a
pass stores goes in one transaction at its end (services.store_changes), so a pass that
fails half-way stores nothing and the last sync stays in force. A server that refuses
the credentials makes the grant invalid (``grant.expired``); any other failure is
recorded on the calendar and the grant and retried by the next pass.

The window: busy time is kept from a day ago to as far as any configuration books ahead
(``available_days_in_future``), plus a margin; when it has rolled a day, the stored
objects are expanded again from their stored text, with no request.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

import icalendar
from django.db.models import Max
from django.utils import timezone

from pages.models import Calendar, Configuration, Event, Grant, OutgoingEvent, RemoteEvent
from pages.sync import caldav_client as client
from pages.sync import providers, sealing, services
from pages.sync.expansion import busy_intervals

logger = logging.getLogger(__name__)

PAST = dt.timedelta(days=1)
MARGIN = dt.timedelta(days=14)
ROLL = dt.timedelta(days=1)  # re-expand once the window has moved this far
LEASE_SECONDS = 600


@dataclass
class Outcome:
    """What a pass did, for the command's output and the tests."""

    calendars: int = 0
    fetched: int = 0
    removed: int = 0
    skipped: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    busy_elsewhere: int = 0  # calendars another pass held


def window(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    days = Configuration.objects.aggregate(days=Max("available_days_in_future"))["days"] or 30
    return now - PAST, now + dt.timedelta(days=days) + MARGIN


def _own_emails(grant: Grant, values: dict) -> list[str]:
    emails = [grant.email]
    if "@" in values.get("username", ""):
        emails.append(values["username"])
    return emails


def expand(
    grant: Grant, calendar: Calendar, values: dict, href: str, etag: str, ical: str, span
) -> services.ReadObject:
    expanded = busy_intervals(
        ical,
        window_start=span[0],
        window_end=span[1],
        calendar_zone=calendar.timezone or grant.timezone,
        own_emails=_own_emails(grant, values),
        tentative_as_busy=True,
    )
    problem = "; ".join(f"{s.uid}: {s.reason}" if s.uid else s.reason for s in expanded.skipped)
    return services.ReadObject(href, etag, ical, expanded.busy, problem)


def sync_grant(grant: Grant, *, now: dt.datetime | None = None) -> Outcome:
    """One pass over the grant: its calendars as the server lists them now, then each
    calendar's changes."""
    now = now or timezone.now()
    outcome = Outcome()
    if not grant.is_connected or grant.grant_status != Grant.Status.VALID:
        return outcome
    try:
        values = sealing.open_sealed(grant.sealed_settings)
    except sealing.Unreadable as error:
        outcome.errors.append(str(error))
        services.record_grant_sync(grant=grant, at=now, error=str(error))
        return outcome
    listed: dict[str, providers.RemoteCalendar] = {}
    if grant.provider in providers.CALDAV:
        try:
            found, home_url = providers.caldav_account(
                grant.provider, values, home_url=grant.calendar_home_url
            )
        except providers.Unconnectable as error:
            return _failed(grant, error.message, error.credentials_refused, now, outcome)
        services.update_calendars(grant=grant, found=found, home_url=home_url)
        listed = {remote.source: remote for remote in found}
    for calendar in grant.calendars.exclude(source="").order_by("pk"):
        sync_calendar(
            calendar,
            grant=grant,
            values=values,
            now=now,
            outcome=outcome,
            listed=listed.get(calendar.source),
        )
        if grant.grant_status != Grant.Status.VALID:
            break
    if not outcome.errors:
        services.record_grant_sync(grant=grant, at=now)
    return outcome


def _failed(grant, message, credentials_refused, now, outcome) -> Outcome:
    outcome.errors.append(message)
    logger.warning("sync of grant %s failed: %s", grant.pk, message)
    if credentials_refused:
        services.invalidate_grant(grant=grant, error=message, at=now)
    else:
        services.record_grant_sync(grant=grant, at=now, error=message)
    return outcome


def sync_calendar(
    calendar: Calendar,
    *,
    grant: Grant,
    values: dict,
    now: dt.datetime,
    outcome: Outcome,
    listed: providers.RemoteCalendar | None = None,
) -> None:
    """One calendar's changes. ``listed``: the calendar as the account's listing just
    showed it (its ctag and sync-token), so nothing needs asking again."""
    if not services.take_lease(calendar_id=calendar.pk, seconds=LEASE_SECONDS, now=now):
        outcome.busy_elsewhere += 1
        return
    try:
        outcome.calendars += 1
        span = window(now)
        if calendar.source.startswith(Calendar.FEED_PREFIX):
            _sync_feed(calendar, grant, values, span, now, outcome)
        else:
            _sync_caldav(calendar, grant, values, span, now, outcome, listed)
    except client.CredentialsRefused as error:
        services.record_calendar_failure(calendar=calendar, error=str(error))
        _failed(grant, str(error), True, now, outcome)
    except client.SyncError as error:
        services.record_calendar_failure(calendar=calendar, error=str(error))
        _failed(grant, f"{calendar.name}: {error}", False, now, outcome)
    finally:
        services.release_lease(calendar_id=calendar.pk)


def _rolled(calendar: Calendar, span) -> bool:
    return calendar.expanded_until is None or calendar.expanded_until < span[1] - ROLL


def _re_expanded(calendar, grant, values, span, skip_hrefs=()) -> list[services.ReadObject]:
    return [
        expand(grant, calendar, values, remote.href, remote.etag, remote.ical, span)
        for remote in calendar.remote_events.exclude(href__in=list(skip_hrefs)).iterator()
    ]


def _sync_feed(calendar, grant, values, span, now, outcome) -> None:
    url = next(
        (u for u in values.get("urls", ()) if providers.feed_source(u) == calendar.source), None
    )
    if url is None:
        raise client.ServerError("the feed is no longer in the grant's settings")
    feed = client.fetch_feed(url, calendar.feed_etag or None, calendar.feed_last_modified or None)
    if feed.unchanged:
        read = _re_expanded(calendar, grant, values, span) if _rolled(calendar, span) else []
        services.store_changes(calendar=calendar, read=read, window=span if read else None, at=now)
        return
    item = expand(grant, calendar, values, "", feed.etag or "", feed.ical or "", span)
    if item.problem:
        outcome.skipped.append(item.problem)
    outcome.fetched += 1
    services.store_changes(
        calendar=calendar,
        read=[item],
        state={
            "feed_etag": (feed.etag or "")[:500],
            "feed_last_modified": (feed.last_modified or "")[:100],
        },
        window=span,
        at=now,
    )


def _sync_caldav(calendar, grant, values, span, now, outcome, listed=None) -> None:
    handle = providers.remote_calendar(grant.provider, values, calendar.source)
    if listed is not None and listed.ctag is not None:
        fresh = replace(
            handle,
            name=listed.name,
            ctag=listed.ctag,
            sync_token=listed.sync_token,
            read_only=listed.read_only,
            color=listed.color,
        )
    else:
        fresh = client.refresh(handle)
    unchanged = (
        fresh.ctag is not None
        and fresh.ctag == calendar.ctag
        and (fresh.sync_token or "") == calendar.sync_token
    )
    if unchanged and not _rolled(calendar, span):
        services.store_changes(calendar=calendar, read=[], at=now)
        return
    stored = dict(calendar.remote_events.values_list("href", "etag"))
    if unchanged and calendar.sync_token:
        # Only the window rolled, and the stored objects are the whole collection.
        changed, removed, token = [], [], calendar.sync_token
    else:
        changed, removed, token = _what_changed(handle, calendar, fresh, stored, span)
    resources = client.fetch(handle, [item.href for item in changed]) if changed else []
    read = [expand(grant, calendar, values, r.href, r.etag, r.ical, span) for r in resources]
    outcome.skipped.extend(r.problem for r in read if r.problem)
    outcome.fetched += len(read)
    outcome.removed += len(removed)
    fetched = list(read)
    rolled = _rolled(calendar, span)
    if rolled:
        read += _re_expanded(
            calendar, grant, values, span, skip_hrefs=[r.href for r in read] + list(removed)
        )
    services.store_changes(
        calendar=calendar,
        read=read,
        removed=removed,
        state={
            "ctag": (fresh.ctag or "")[:500],
            "sync_token": (token or "")[:2000],
            "name": (fresh.name or calendar.name)[:200],
            "read_only": fresh.read_only,
        },
        window=span if (rolled or calendar.expanded_until is None) else None,
        at=now,
    )
    _follow_ours(calendar, fetched, removed)


def _follow_ours(calendar: Calendar, fetched, removed) -> None:
    """Our bookings' objects changed or deleted in the organizer's calendar app: the
    booking follows (a move, a cancellation); an edit of the title or description alone
    changes nothing. While a write of ours is pending, ours wins (it is applied over
    theirs), so a guest's reschedule racing the organizer's move ends in one state."""
    hrefs = [item.href for item in fetched] + list(removed)
    if not hrefs:
        return
    ours = {
        outgoing.href: outgoing
        for outgoing in OutgoingEvent.objects.filter(
            calendar=calendar, href__in=hrefs
        ).select_related("event")
    }
    zone = calendar.timezone or calendar.grant.timezone
    for item in fetched:
        outgoing = ours.get(item.href)
        if outgoing is None or outgoing.event is None or outgoing.pending:
            continue
        if item.etag == outgoing.etag:
            continue  # what we wrote
        found = main_times(item.ical, zone)
        if found is None:
            continue
        start, end, status = found
        services.follow_remote_change(
            outgoing=outgoing,
            etag=item.etag,
            start=start,
            end=end,
            cancelled=status == "CANCELLED",
        )
    for href in removed:
        outgoing = ours.get(href)
        if (
            outgoing is not None
            and outgoing.event is not None
            and not outgoing.pending
            and outgoing.event.status != Event.Status.CANCELLED
        ):
            services.follow_remote_change(outgoing=outgoing, etag="", cancelled=True)


def main_times(text: str, zone: str):
    """(start, end, STATUS) of a single event's text, in UTC; None when it has none
    that can be read (an all-day event, no DTSTART)."""
    try:
        document = icalendar.Calendar.from_ical(text)
    except ValueError:
        return None
    for component in document.walk("VEVENT"):
        if "RECURRENCE-ID" in component or "DTSTART" not in component:
            continue
        try:
            start = component.decoded("DTSTART")
            if "DTEND" in component:
                end = component.decoded("DTEND")
            else:
                end = start + component.decoded("DURATION", dt.timedelta(0))
        except (KeyError, ValueError):
            return None
        if not isinstance(start, dt.datetime) or not isinstance(end, dt.datetime):
            return None
        if start.tzinfo is None:
            start = start.replace(tzinfo=ZoneInfo(zone))
        if end.tzinfo is None:
            end = end.replace(tzinfo=ZoneInfo(zone))
        status = str(component.get("STATUS", "")).upper()
        return start.astimezone(dt.UTC), end.astimezone(dt.UTC), status
    return None


def _what_changed(handle, calendar, fresh, stored, span):
    """(items to fetch, hrefs removed, the token to keep). By sync-collection from the
    stored token; from none (the whole collection, compared with what is stored) when
    there is none yet or the server rejected it; where the server has no sync-collection,
    by comparing the window's etags with the stored ones."""
    for token in dict.fromkeys([calendar.sync_token or None, None]):
        if token is None and not (fresh.sync_token or calendar.sync_token):
            break
        try:
            found = client.changes(handle, token)
        except client.SyncTokenRejected:
            continue
        except client.NoSyncToken:
            break
        changed = [item for item in found.changed if stored.get(item.href) != item.etag]
        if token is None:
            listed = {item.href for item in found.changed}
            removed = [href for href in stored if href not in listed]
        else:
            removed = list(found.removed)
        return changed, removed, found.sync_token
    listed = client.etags_in_range(handle, span[0], span[1])
    hrefs = {item.href for item in listed}
    changed = [item for item in listed if stored.get(item.href) != item.etag]
    removed = [href for href in stored if href not in hrefs]
    return changed, removed, ""


def due_grants(now: dt.datetime, every: dt.timedelta):
    """Connected, valid grants whose last pass (success or failure) is older than
    ``every``."""
    cutoff = now - every
    for grant in Grant.objects.exclude(provider=Grant.Provider.VIRTUAL_CALENDAR).filter(
        grant_status=Grant.Status.VALID
    ):
        last = max(
            (t for t in (grant.last_sync_at, grant.last_sync_error_at) if t is not None),
            default=None,
        )
        if last is None or last <= cutoff:
            yield grant


def object_count(grant: Grant) -> int:
    return RemoteEvent.objects.filter(calendar__grant=grant).count()
