"""The stateless availability requests (v3 POST /v3/calendars/availability, v2 POST
/calendars/availability) read into the engine's plain data."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models.functions import Lower

from bookings.availability import (
    COLLECTIVE,
    MAX_AVAILABILITY,
    MAX_FAIRNESS,
    MAX_GROUPS,
    OpenHours,
    Participant,
    Query,
    grid_origin,
)
from bookings.sql import busy_by_grant
from pages.api import parsing as p
from pages.api.auth import Caller
from pages.api.errors import BadRequest
from pages.models import Calendar, Grant
from pages.unix_time import from_unix

MAX_PARTICIPANTS = 50
MAX_RANGE_SECONDS = 62 * 86400


def read_range(body: Mapping[str, Any], prefix: str = "") -> tuple[int, int]:
    if "start_time" not in body:
        raise BadRequest("is required", field=f"{prefix}start_time")
    if "end_time" not in body:
        raise BadRequest("is required", field=f"{prefix}end_time")
    start = p.unix_seconds(body["start_time"], f"{prefix}start_time")
    end = p.unix_seconds(body["end_time"], f"{prefix}end_time")
    if end <= start:
        raise BadRequest("must be after start_time", field=f"{prefix}end_time")
    if end - start > MAX_RANGE_SECONDS:
        raise BadRequest("the range may span at most 62 days", field=f"{prefix}end_time")
    return start, end


def read_open_hours(entry: Any, field: str, default_zone: str | None) -> OpenHours:
    entry = p.as_object(entry, field)
    if "days" not in entry:
        raise BadRequest("is required", field=f"{field}.days")
    days = p.weekdays(entry["days"], f"{field}.days")
    start = p.wall_clock(entry.get("start"), f"{field}.start", allow_24=False)
    end = p.wall_clock(entry.get("end"), f"{field}.end", allow_24=True)
    if end <= start:
        raise BadRequest("must be after start", field=f"{field}.end")
    zone = entry.get("timezone") or default_zone
    if zone is None:
        raise BadRequest("is required", field=f"{field}.timezone")
    zone = p.timezone_name(zone, f"{field}.timezone")
    exdates = frozenset(
        p.iso_date(d, f"{field}.exdates[{i}]")
        for i, d in enumerate(p.as_list(entry.get("exdates", []), f"{field}.exdates"))
    )
    return OpenHours(days=days, start=start, end=end, timezone=zone, exdates=exdates)


def read_meeting(body: Mapping[str, Any], *, interval_minimum: int = 5) -> tuple[int, int]:
    if "duration_minutes" not in body:
        raise BadRequest("is required", field="duration_minutes")
    duration = p.whole_number(body["duration_minutes"], "duration_minutes", minimum=5, maximum=1440)
    interval = duration
    if body.get("interval_minutes") is not None:
        interval = p.whole_number(
            body["interval_minutes"], "interval_minutes", minimum=interval_minimum, maximum=1440
        )
    return duration, interval


def grants_by_email(emails: list[str], caller: Caller) -> dict[str, Grant]:
    """The grants among ``emails`` whose busy time ``caller`` may read, keyed by lowercased
    email (one query). The API key reads every grant's; a grant token only its own grant's,
    so another grant's email is answered as an unknown one is (no busy time, no hint
    that it is a grant)."""
    lowered = sorted({e.lower() for e in emails})
    rows = Grant.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=lowered)
    if not caller.is_application:
        rows = rows.filter(pk=caller.grant.pk) if caller.grant is not None else rows.none()
    return {g.email_lower: g for g in rows}


def _busy_pairs_fast(slots: list) -> list[tuple[int, int]] | None:
    """The busy (start, end) pairs when every slot is a well-formed object with integer
    times; None when anything is off (then the careful reader names the problem). This
    is the path of 10,000-interval requests, so it avoids per-item Python calls."""
    try:
        rows = [(d["start_time"], d["end_time"], d.get("status", "busy")) for d in slots]
    except (TypeError, KeyError, AttributeError):
        return None
    for start, end, _status in rows:
        if type(start) is not int or type(end) is not int or not 0 <= start <= end <= p.MAX_UNIX:
            return None
    return [(start, end) for start, end, status in rows if status == "busy"]


def read_busy_slots(slots: list, field: str) -> list[tuple[int, int]]:
    """free_busy time slots: [{start_time, end_time, status}] → busy (start, end) pairs."""
    fast = _busy_pairs_fast(slots)
    if fast is not None:
        return fast
    pairs = []
    for j, slot in enumerate(slots):
        slot = p.as_object(slot, f"{field}[{j}]")
        start = p.unix_seconds(slot.get("start_time"), f"{field}[{j}].start_time")
        end = p.unix_seconds(slot.get("end_time"), f"{field}[{j}].end_time")
        if end < start:
            raise BadRequest("must not be before start_time", field=f"{field}[{j}].end_time")
        if slot.get("status", "busy") == "busy":
            pairs.append((start, end))
    return pairs


def v2_request(body: Mapping[str, Any], caller: Caller) -> tuple[Query, list[Participant]]:
    """POST /calendars/availability (seed 003)."""
    start, end = read_range(body)
    duration, interval = read_meeting(body)
    emails = [
        p.email_address(e, f"emails[{i}]")
        for i, e in enumerate(p.as_list(body.get("emails", []), "emails"))
    ]
    if not emails:
        raise BadRequest("must list at least one email", field="emails")
    if len(emails) > MAX_PARTICIPANTS:
        raise BadRequest(f"at most {MAX_PARTICIPANTS} emails", field="emails")
    buffer = 0
    if body.get("buffer") is not None:
        buffer = p.whole_number(body["buffer"], "buffer", minimum=0, maximum=1440) * 60
    round_start = p.boolean(body.get("round_start", False), "round_start")
    tentative_busy = p.boolean(body.get("tentative_busy", True), "tentative_busy")
    method = COLLECTIVE
    if body.get("round_robin") is not None:
        method = p.one_of(body["round_robin"], "round_robin", (MAX_AVAILABILITY, MAX_FAIRNESS))

    hours = _v2_open_hours(body)
    busy = _v2_free_busy(body, {e.lower() for e in emails})
    add_calendar_busy(
        busy, emails, start - buffer, end + buffer, tentative_busy, None, caller=caller
    )
    participants = [
        Participant(
            email=e, open_hours=tuple(hours.get(e.lower(), ())), busy=tuple(busy.get(e.lower(), ()))
        )
        for e in emails
    ]
    query = Query(
        start_time=start,
        end_time=end,
        duration=duration * 60,
        interval=interval * 60,
        # round_start: starts on the clock's multiples of the interval, not from start_time.
        origin=grid_origin(start, interval, "UTC") if round_start else None,
        buffer_before=buffer,
        buffer_after=buffer,
        method=method,
    )
    return query, participants


def v2_consecutive_request(
    body: Mapping[str, Any], caller: Caller
) -> tuple[Query, list[list[Participant]]]:
    """POST /calendars/availability/consecutive: ``emails`` is a list of groups (lists of
    emails), one meeting each; the rest reads as POST /calendars/availability does."""
    start, end = read_range(body)
    duration, interval = read_meeting(body)
    groups = p.as_list(body.get("emails", []), "emails")
    if not groups:
        raise BadRequest("must list at least one group of emails", field="emails")
    if len(groups) > MAX_GROUPS:
        raise BadRequest(f"at most {MAX_GROUPS} groups", field="emails")
    emails_of_groups = []
    for i, group in enumerate(groups):
        members = p.as_list(group, f"emails[{i}]")
        if not members:
            raise BadRequest("must list at least one email", field=f"emails[{i}]")
        emails_of_groups.append(
            [p.email_address(e, f"emails[{i}][{j}]") for j, e in enumerate(members)]
        )
    emails = list({e.lower(): e for group in emails_of_groups for e in group}.values())
    if len(emails) > MAX_PARTICIPANTS:
        raise BadRequest(f"at most {MAX_PARTICIPANTS} emails in all", field="emails")
    buffer = 0
    if body.get("buffer") is not None:
        buffer = p.whole_number(body["buffer"], "buffer", minimum=0, maximum=1440) * 60
    round_start = p.boolean(body.get("round_start", False), "round_start")
    tentative_busy = p.boolean(body.get("tentative_busy", True), "tentative_busy")
    hours = _v2_open_hours(body)
    busy = _v2_free_busy(body, {e.lower() for e in emails})
    add_calendar_busy(
        busy, emails, start - buffer, end + buffer, tentative_busy, None, caller=caller
    )

    def person(email: str) -> Participant:
        key = email.lower()
        return Participant(
            email=email, open_hours=tuple(hours.get(key, ())), busy=tuple(busy.get(key, ()))
        )

    query = Query(
        start_time=start,
        end_time=end,
        duration=duration * 60,
        interval=interval * 60,
        origin=grid_origin(start, interval, "UTC") if round_start else None,
        buffer_before=buffer,
        buffer_after=buffer,
    )
    return query, [[person(e) for e in group] for group in emails_of_groups]


def _v2_open_hours(body: Mapping[str, Any]) -> dict[str, list[OpenHours]]:
    """The open hours of each (lowercased) email: an entry applies to every email it lists."""
    hours: dict[str, list[OpenHours]] = defaultdict(list)
    for i, entry in enumerate(p.as_list(body.get("open_hours", []), "open_hours")):
        field = f"open_hours[{i}]"
        entry = p.as_object(entry, field)
        rule = read_open_hours(entry, field, default_zone=None)
        entry_emails = p.as_list(entry.get("emails", []), f"{field}.emails")
        for j, email in enumerate(entry_emails):
            hours[p.email_address(email, f"{field}.emails[{j}]").lower()].append(rule)
    return hours


def _v2_free_busy(body: Mapping[str, Any], wanted: set[str]) -> dict[str, list[tuple[int, int]]]:
    """The busy time the request itself supplies, for the emails asked about."""
    busy: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for i, item in enumerate(p.as_list(body.get("free_busy", []), "free_busy")):
        field = f"free_busy[{i}]"
        item = p.as_object(item, field)
        email = p.email_address(item.get("email"), f"{field}.email").lower()
        slots = p.as_list(item.get("time_slots", []), f"{field}.time_slots")
        # Read even when the email is not asked about: a malformed body is a 400 either way.
        pairs = read_busy_slots(slots, f"{field}.time_slots")
        if email in wanted:
            busy[email].extend(pairs)
    return busy


def add_calendar_busy(busy, emails, start, end, tentative_busy, calendar_ids, *, caller) -> None:
    """Grants among ``emails`` that ``caller`` may read contribute their calendars' busy
    time (all their calendars, or the ``calendar_ids`` given per lowercased email;
    "primary" names the primary) and the bookings they host."""
    grants = grants_by_email(emails, caller)
    if not grants:
        return
    wanted = {g.pk: (calendar_ids or {}).get(e) for e, g in grants.items()}
    calendars_by_grant: dict = defaultdict(set)
    rows = Calendar.objects.filter(grant__in=grants.values()).values_list(
        "id", "grant_id", "is_primary"
    )
    for calendar_id, grant_id, is_primary in rows:
        chosen = wanted.get(grant_id)
        if chosen is None or str(calendar_id) in chosen or ("primary" in chosen and is_primary):
            calendars_by_grant[grant_id].add(calendar_id)
    by_grant = busy_by_grant(
        [g.pk for g in grants.values()],
        calendars_by_grant,
        from_unix(start),
        from_unix(end),
        tentative_as_busy=tentative_busy,
    )
    for email, grant in grants.items():
        busy[email].extend(by_grant.get(grant.pk, ()))


def v3_request(body: Mapping[str, Any], caller: Caller) -> tuple[Query, list[Participant]]:
    """POST /v3/calendars/availability."""
    start, end = read_range(body)
    duration, interval = read_meeting(body)
    round_to = 15
    if body.get("round_to") is not None:
        round_to = p.whole_number(body["round_to"], "round_to", minimum=5, maximum=60)
        if round_to % 5:
            raise BadRequest("must be a multiple of 5", field="round_to")
    rules = _v3_rules(body)
    method, before, after, tentative = (
        rules.method,
        rules.before,
        rules.after,
        rules.tentative,
    )
    emails, hours, wanted_calendars = _v3_participants(body, rules.default_hours)
    busy: dict[str, list[tuple[int, int]]] = defaultdict(list)
    add_calendar_busy(
        busy,
        emails,
        start - before * 60,
        end + after * 60,
        tentative,
        wanted_calendars,
        caller=caller,
    )
    participants = [
        Participant(
            email=e, open_hours=tuple(hours[e.lower()]), busy=tuple(busy.get(e.lower(), ()))
        )
        for e in emails
    ]
    query = Query(
        start_time=start,
        end_time=end,
        duration=duration * 60,
        interval=interval * 60,
        # No configuration names a zone here: round in the first open hours' zone, as a
        # configuration rounds in its own (UTC when nobody has open hours).
        origin=grid_origin(start, round_to, _rounding_zone(participants)),
        buffer_before=before * 60,
        buffer_after=after * 60,
        method=method,
    )
    return query, participants


@dataclass(frozen=True)
class _V3Rules:
    method: str
    before: int  # minutes
    after: int
    tentative: bool
    default_hours: list[OpenHours]


def _v3_rules(body: Mapping[str, Any]) -> _V3Rules:
    rules = p.as_object(body.get("availability_rules") or {}, "availability_rules")
    method = p.one_of(
        rules.get("availability_method", COLLECTIVE),
        "availability_rules.availability_method",
        (COLLECTIVE, MAX_FAIRNESS, MAX_AVAILABILITY),
    )
    buffer = p.as_object(rules.get("buffer") or {}, "availability_rules.buffer")
    default_hours = [
        read_open_hours(h, f"availability_rules.default_open_hours[{i}]", default_zone="UTC")
        for i, h in enumerate(
            p.as_list(rules.get("default_open_hours", []), "availability_rules.default_open_hours")
        )
    ]
    return _V3Rules(
        method=method,
        before=read_buffer(buffer.get("before", 0), "availability_rules.buffer.before"),
        after=read_buffer(buffer.get("after", 0), "availability_rules.buffer.after"),
        tentative=p.boolean(
            rules.get("tentative_as_busy", True), "availability_rules.tentative_as_busy"
        ),
        default_hours=default_hours,
    )


def _v3_participants(
    body: Mapping[str, Any], default_hours: list[OpenHours]
) -> tuple[list[str], dict[str, list[OpenHours]], dict[str, set[str]]]:
    """(emails, open hours per lowercased email, chosen calendars per lowercased email)."""
    items = p.as_list(body.get("participants", []), "participants")
    if not items:
        raise BadRequest("must list at least one participant", field="participants")
    if len(items) > MAX_PARTICIPANTS:
        raise BadRequest(f"at most {MAX_PARTICIPANTS} participants", field="participants")
    emails, hours, wanted_calendars = [], {}, {}
    for i, item in enumerate(items):
        field = f"participants[{i}]"
        item = p.as_object(item, field)
        email = p.email_address(item.get("email"), f"{field}.email")
        emails.append(email)
        own = [
            read_open_hours(h, f"{field}.open_hours[{j}]", default_zone="UTC")
            for j, h in enumerate(p.as_list(item.get("open_hours", []), f"{field}.open_hours"))
        ]
        hours[email.lower()] = own or default_hours
        if item.get("calendar_ids") is not None:
            ids = p.as_list(item["calendar_ids"], f"{field}.calendar_ids")
            wanted_calendars[email.lower()] = {str(c) for c in ids}
    return emails, hours, wanted_calendars


def _rounding_zone(participants: list[Participant]) -> str:
    for person in participants:
        for rule in person.open_hours:
            return rule.timezone
    return "UTC"


def read_buffer(value: Any, field: str) -> int:
    minutes = p.whole_number(value, field, minimum=0, maximum=120)
    if minutes % 5:
        raise BadRequest("must be a multiple of 5", field=field)
    return minutes
