"""Benchmark: connected calendars' sync against a real Radicale (tests/caldav_server.py,
started here on a loopback port with its own storage folder), measured in-process.

Run: ``python tests/benchmarks/bench_sync.py``. Uses PostgreSQL at BENCH_DATABASE_URL
(default postgres://postgres@127.0.0.1:5432/scheduler_bench, created if missing); falls
back to a temporary SQLite file when PostgreSQL is not reachable.

1. First sync of a calendar of 5,000 events of which 300 are recurring series (weekly,
   daily and monthly, in five zones, with EXDATEs and moved overrides): time, requests.
2. An incremental sync after one change, on calendars of 500 and of 5,000 events: the
   number of HTTP requests (it must not grow with the calendar's size) and time; and a
   pass with nothing changed.
3. GET /v3/scheduling/availability for 50 connected grants x 200 events (synced from
   Radicale) beside the same events stored locally in 50 other grants (target: within 10%).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_availability_api import timed, use_database  # noqa: E402

ZONES = ("America/New_York", "Europe/Berlin", "Australia/Sydney", "Asia/Kolkata", "Asia/Kathmandu")
DAYS = 60  # the availability window


def ical(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def big_calendar(count: int, series: int, today: dt.datetime, rng: random.Random) -> str:
    """``count`` objects: ``series`` recurring series, the rest one-off events over the next
    90 days."""
    from tests.caldav_server import document, vevent

    parts = []
    for n in range(count):
        start = today + dt.timedelta(minutes=15 * rng.randrange(0, 90 * 96))
        end = start + dt.timedelta(minutes=rng.choice((30, 60, 90)))
        if n >= series:
            parts.append(vevent(f"one-{n}", ical(start), ical(end), f"Event {n}"))
            continue
        zone = ZONES[n % len(ZONES)]
        began = (today - dt.timedelta(days=rng.randrange(0, 700))).replace(
            hour=rng.randrange(7, 19), minute=rng.choice((0, 15, 30, 45))
        )
        local = began.strftime("%Y%m%dT%H%M%S")
        finish = (began + (end - start)).strftime("%Y%m%dT%H%M%S")
        rule = rng.choice(
            (
                "FREQ=WEEKLY;BYDAY=MO,WE,FR",
                "FREQ=WEEKLY;INTERVAL=2",
                "FREQ=DAILY;INTERVAL=3",
                "FREQ=MONTHLY;BYDAY=2TU",
                "FREQ=WEEKLY;COUNT=200",
            )
        )
        first = (began + dt.timedelta(days=7 * rng.randrange(110, 130))).strftime("%Y%m%dT%H%M%S")
        moved = (began + dt.timedelta(days=7 * 105 + 1)).strftime("%Y%m%dT%H%M%S")
        moved_to = (began + dt.timedelta(days=7 * 105 + 2)).strftime("%Y%m%dT%H%M%S")
        parts.append(
            f"BEGIN:VEVENT\r\nUID:series-{n}\r\nDTSTAMP:20260101T000000Z\r\n"
            f"DTSTART;TZID={zone}:{local}\r\nDTEND;TZID={zone}:{finish}\r\n"
            f"RRULE:{rule}\r\nEXDATE;TZID={zone}:{first}\r\nSUMMARY:Series {n}\r\n"
            "END:VEVENT\r\n"
            f"BEGIN:VEVENT\r\nUID:series-{n}\r\nDTSTAMP:20260101T000000Z\r\n"
            f"RECURRENCE-ID;TZID={zone}:{moved}\r\n"
            f"DTSTART;TZID={zone}:{moved_to}\r\nDTEND;TZID={zone}:{moved_to[:9]}235900\r\n"
            f"SUMMARY:Series {n} (moved)\r\nEND:VEVENT\r\n"
        )
    return document(*parts)


class Requests:
    """Counts the HTTP requests the code sends (pages/outbound.py's send)."""

    def __init__(self):
        from pages import outbound

        self.counts: Counter = Counter()
        self.waited = 0.0  # seconds spent waiting for the server's answers
        real = outbound.send

        def send(method, url, **kw):
            self.counts[method] += 1
            began = time.perf_counter()
            try:
                return real(method, url, **kw)
            finally:
                self.waited += time.perf_counter() - began

        outbound.send = send

    def reset(self) -> None:
        self.counts.clear()
        self.waited = 0.0

    def __str__(self) -> str:
        total = sum(self.counts.values())
        return f"{total} ({', '.join(f'{m} {c}' for m, c in sorted(self.counts.items()))})"


def main() -> None:
    backend = use_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scheduler_site.settings")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["SCHEDULER_VAR_DIR"] = tempfile.mkdtemp()
    os.environ["SCHEDULER_PRIVATE_DESTINATIONS"] = "127.0.0.1/32"
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    from pages.models import Configuration, Event, OpenHours, Participant, RemoteEvent
    from pages.services import create_grant
    from pages.sync import passes, providers, services
    from tests.caldav_server import RadicaleServer, event

    print(f"database: {backend}")
    server = RadicaleServer(Path(tempfile.mkdtemp()))
    server.start()
    requests = Requests()
    rng = random.Random(18)
    today = dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)

    def connect(user, zone="UTC"):
        values = {"url": user.server_url, "username": user.username, "password": user.password}
        grant, _ = services.connect_grant(
            provider="caldav",
            values=values,
            found=providers.reach("caldav", values),
            email=f"{user.username}@example.com",
            timezone_name=zone,
        )
        return grant

    try:
        # 1. First sync of 5,000 events with 300 series
        big = {}
        for count, series in ((5000, 300), (500, 30)):
            user = server.new_user()
            began = time.perf_counter()
            url = user.put_calendar("big", big_calendar(count, series, today, rng))
            uploaded = time.perf_counter() - began
            grant = connect(user, "Europe/Berlin")
            requests.reset()
            began = time.perf_counter()
            outcome = passes.sync_grant(grant)
            took = time.perf_counter() - began
            assert outcome.errors == [] and outcome.fetched == count, outcome
            waited = requests.waited
            stored = Event.objects.filter(calendar__grant=grant).count()
            print(
                f"first sync, {count} events ({series} recurring series): {took:.2f} s "
                f"(of which {waited:.2f} s waiting on Radicale), "
                f"{requests} requests, {stored} busy occurrences stored "
                f"(upload to Radicale {uploaded:.1f} s)"
            )
            big[count] = (user, url, grant)

        # 2. Incremental sync after one change, 500 vs 5,000
        for count in (500, 5000):
            user, url, grant = big[count]
            requests.reset()
            passes.sync_grant(grant)  # the first sync's token is kept: nothing changed
            nothing = str(requests)
            start = today + dt.timedelta(days=3, hours=10)
            user.put_event(
                url, "added", event("added", ical(start), ical(start + dt.timedelta(hours=1)))
            )
            requests.reset()
            began = time.perf_counter()
            outcome = passes.sync_grant(grant)
            took = time.perf_counter() - began
            assert outcome.errors == [] and outcome.fetched == 1, outcome
            print(
                f"incremental sync of a {count}-event calendar after one change: "
                f"{took * 1000:.0f} ms (of which {requests.waited * 1000:.0f} ms waiting on "
                f"Radicale), {requests} requests; with nothing changed: "
                f"{nothing} requests"
            )

        # 3. Availability: 50 connected grants x 200 events vs the same stored locally
        RemoteEvent.objects.all().delete()
        Configuration.objects.all().delete()
        future = today + dt.timedelta(days=7 - today.weekday())
        shapes = [
            [
                (
                    future + dt.timedelta(minutes=5 * rng.randrange(0, DAYS * 24 * 12)),
                    rng.choice((30, 60, 90)),
                )
                for _ in range(200)
            ]
            for _ in range(50)
        ]

        def configuration(grants, slug):
            found = Configuration.objects.create(
                grant=grants[0],
                slug=slug,
                duration_minutes=30,
                interval_minutes=15,
                buffer_before=10,
                buffer_after=10,
                min_booking_notice=0,
                available_days_in_future=DAYS + 14,
            )
            for position, grant in enumerate(grants):
                participant = Participant.objects.create(
                    configuration=found,
                    grant=grant,
                    email=grant.email,
                    position=position,
                    is_organizer=position == 0,
                )
                OpenHours.objects.create(
                    configuration=found,
                    participant=participant,
                    days=[1, 2, 3, 4, 5],
                    start_minute=540,
                    end_minute=1020,
                    timezone=grant.timezone,
                )
            return found

        local = []
        rows = []
        for index, shape in enumerate(shapes):
            grant, _ = create_grant(
                email=f"local{index:02d}@example.com", timezone=ZONES[index % len(ZONES)]
            )
            local.append(grant)
            calendar = grant.calendars.get()
            for start, minutes in shape:
                rows.append(
                    Event(calendar=calendar, start=start, end=start + dt.timedelta(minutes=minutes))
                )
        Event.objects.bulk_create(rows, batch_size=2000)
        local_configuration = configuration(local, "local")

        connected = []
        began = time.perf_counter()
        from tests.caldav_server import document, vevent

        for index, shape in enumerate(shapes):
            user = server.new_user()
            user.put_calendar(
                "work",
                document(
                    *(
                        vevent(f"e{n}", ical(s), ical(s + dt.timedelta(minutes=m)))
                        for n, (s, m) in enumerate(shape)
                    )
                ),
            )
            connected.append(connect(user, ZONES[index % len(ZONES)]))
        remote_configuration = configuration(connected, "connected")
        for grant in connected:
            assert passes.sync_grant(grant).errors == []
        synced = Event.objects.filter(calendar__grant__in=connected).count()
        assert synced == 50 * 200, synced
        took = time.perf_counter() - began
        print(f"50 grants x 200 events put on Radicale and synced: {took:.1f} s")

        public = Client()
        end = future + dt.timedelta(days=DAYS)
        for method in ("collective", "max-availability"):
            Configuration.objects.update(availability_method=method)
            answers = {}
            for name, found in (
                ("local", local_configuration),
                ("connected", remote_configuration),
            ):
                params = {
                    "configuration_id": str(found.pk),
                    "start_time": int(future.timestamp()),
                    "end_time": int(end.timestamp()),
                }

                def get(params=params):
                    response = public.get("/v3/scheduling/availability", params)
                    assert response.status_code == 200, response.content[:300]
                    return response

                get()
                median, response = timed(get, 15)
                slots = json.loads(response.content)["data"]["time_slots"]
                answers[name] = (median, [(s["start_time"], s["end_time"]) for s in slots])
            assert answers["local"][1] == answers["connected"][1], "the two answers differ"
            local_time, connected_time = answers["local"][0], answers["connected"][0]
            print(
                f"GET /v3/scheduling/availability {method}, 50 grants x 200 events, "
                f"{DAYS} days, {len(answers['local'][1])} slots: connected "
                f"{connected_time * 1000:.1f} ms, local {local_time * 1000:.1f} ms, "
                f"ratio {connected_time / local_time:.2f} (target within 10%)"
            )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
