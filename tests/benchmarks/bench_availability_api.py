"""Benchmark: the availability endpoints, measured in-process (server time, no network).

Run: ``python tests/benchmarks/bench_availability_api.py``. Uses PostgreSQL at
BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/scheduler_bench, created if
missing); falls back to a temporary SQLite file when PostgreSQL is not reachable.

1. POST /calendars/availability with bench_engine's workload as free_busy (50 people x 200
   busy intervals, 60 days, four zones): server time beside the naive sweep's in-process
   time on the same data (target: at most 1.5x).
2. GET /v3/scheduling/availability for a configuration of 50 grants with 200 events each
   over 60 days (target: median 40 ms or less on PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_engine import DAYS, START, ZONES, naive_slots, workload  # noqa: E402


def use_database() -> str:
    url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/scheduler_bench")
    try:
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = url
        return "PostgreSQL"
    except Exception as exc:  # no server: measure on SQLite, and say so
        folder = tempfile.mkdtemp()
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
        return f"SQLite (PostgreSQL unreachable: {exc.__class__.__name__})"


def timed(function, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        begin = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - begin)
    return statistics.median(times), result


def main() -> None:
    backend = use_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scheduler_site.settings")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["SCHEDULER_VAR_DIR"] = tempfile.mkdtemp()
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from bookings.availability import Query

    call_command("migrate", verbosity=0)
    from pages.models import Configuration, Event, OpenHours, Participant
    from pages.services import create_api_key, create_grant

    _, key = create_api_key(name="bench")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    print(f"database: {backend}")

    # 1. v2 POST with 10,000 free_busy intervals
    people = workload()
    end = START + DAYS * 86400
    body = {
        "duration_minutes": 30,
        "interval_minutes": 15,
        "start_time": START,
        "end_time": end,
        "buffer": 10,
        "emails": [p.email for p in people],
        "open_hours": [
            {
                "emails": [p.email for p in people if p.open_hours[0].timezone == zone],
                "days": [1, 2, 3, 4, 5],
                "timezone": zone,
                "start": "9:00",
                "end": "17:00",
            }
            for zone in ZONES
        ],
        "free_busy": [
            {
                "email": p.email,
                "object": "free_busy",
                "time_slots": [
                    {"start_time": s, "end_time": e, "object": "time_slot", "status": "busy"}
                    for s, e in p.busy
                ],
            }
            for p in people
        ],
    }
    raw = json.dumps(body)
    intervals = sum(len(p.busy) for p in people)

    # Collective over four zones from Chicago to Sydney has no common hours, so it is
    # measured, and so is max-availability, which offers thousands of slots.
    for method in ("collective", "max-availability"):
        payload = raw if method == "collective" else json.dumps({**body, "round_robin": method})

        def post(payload=payload):
            response = client.post(
                "/calendars/availability", payload, content_type="application/json"
            )
            assert response.status_code == 200, response.content[:300]
            return response

        query = Query(
            START, end, 30 * 60, 15 * 60, buffer_before=600, buffer_after=600, method=method
        )
        # v2 requests carry no booking history: every person is eligible.
        plain = [p.__class__(p.email, p.open_hours, p.busy, None) for p in people]
        naive_time, naive = timed(lambda q=query, pl=plain: naive_slots(q, pl), 3)
        post()  # warm up
        server_time, response = timed(post, 9)
        served = json.loads(response.content)["time_slots"]
        assert [(s["start_time"], s["end_time"], tuple(s["emails"])) for s in served] == [
            (s.start, s.end, s.emails) for s in naive
        ], "the endpoint and the naive sweep disagree"
        print(
            f"POST /calendars/availability {method}, {intervals} busy intervals, "
            f"{len(served)} slots: server {server_time * 1000:.1f} ms, naive sweep in-process "
            f"{naive_time * 1000:.1f} ms, ratio {server_time / naive_time:.2f}x (target <= 1.5x)"
        )

    # 2. v3 GET for a configuration of 50 grants with 200 events each
    # The GET is about the future (notice and days-ahead are measured from now): a
    # window starting next Monday.
    today = dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    future = int((today + dt.timedelta(days=7 - today.weekday())).timestamp())
    end = future + DAYS * 86400
    rng = random.Random(11)
    grants = []
    for index in range(50):
        grant, _ = create_grant(
            email=f"host{index:02d}@example.com", timezone=ZONES[index % len(ZONES)]
        )
        grants.append(grant)
    configuration = Configuration.objects.create(
        grant=grants[0],
        slug="bench",
        duration_minutes=30,
        interval_minutes=15,
        buffer_before=10,
        buffer_after=10,
        min_booking_notice=0,
        available_days_in_future=400,
    )
    events = []
    for position, grant in enumerate(grants):
        participant = Participant.objects.create(
            configuration=configuration,
            grant=grant,
            email=grant.email,
            position=position,
            is_organizer=position == 0,
        )
        OpenHours.objects.create(
            configuration=configuration,
            participant=participant,
            days=[1, 2, 3, 4, 5],
            start_minute=540,
            end_minute=1020,
            timezone=grant.timezone,
        )
        calendar = grant.calendars.get()
        for _ in range(200):
            begin = future + rng.randrange(0, DAYS * 24 * 12) * 300
            events.append(
                Event(
                    calendar=calendar,
                    start=dt.datetime.fromtimestamp(begin, dt.UTC),
                    end=dt.datetime.fromtimestamp(begin + rng.choice((30, 60, 90)) * 60, dt.UTC),
                )
            )
    Event.objects.bulk_create(events, batch_size=2000)
    public = Client()
    params = {"configuration_id": str(configuration.pk), "start_time": future, "end_time": end}

    def get():
        response = public.get("/v3/scheduling/availability", params)
        assert response.status_code == 200, response.content[:300]
        return response

    # The engine's own share, for context.
    from bookings.availability import find_slots
    from bookings.availability_loader import load_engine_input

    for method in ("collective", "max-availability"):
        Configuration.objects.filter(pk=configuration.pk).update(availability_method=method)
        configuration.refresh_from_db()
        get()
        get_time, response = timed(get, 15)
        load_time, data = timed(lambda: load_engine_input(configuration, future, end), 9)
        engine_time, _ = timed(lambda d=data: find_slots(d.query, d.participants), 9)
        slots = len(json.loads(response.content)["data"]["time_slots"])
        print(
            f"GET /v3/scheduling/availability {method}, 50 grants x 200 events, 60 days, "
            f"{slots} slots: median {get_time * 1000:.1f} ms (target <= 40 ms on PostgreSQL); "
            f"of which loading {load_time * 1000:.1f} ms, engine {engine_time * 1000:.1f} ms"
        )


if __name__ == "__main__":
    main()
