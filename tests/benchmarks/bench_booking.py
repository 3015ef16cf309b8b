"""Benchmark: bookings through gunicorn (4 workers) on PostgreSQL.

Run: ``python tests/benchmarks/bench_booking.py``. Creates and drops its own database
(BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/scheduler_bench_booking),
starts gunicorn on 127.0.0.1 (port BENCH_PORT, default 8771), and drives it from threads
with keep-alive connections; its Celery messages go to BENCH_REDIS_URL (default
redis://127.0.0.1:6379/14, emptied first). Two runs at once need their own of all three.
Bounded: a fixed number of requests and a time limit; it stops by itself.

1. Throughput for distinct slots (target: at least 300 bookings per second).
2. A 48-way race for one slot: exactly one wins; latency p99 (target under 1 s).

It books with the API key, as a backend would: anonymous guests are rate limited per
address, and every request here comes from 127.0.0.1.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
PORT = int(os.environ.get("BENCH_PORT", "8771"))
HOSTS = 40
BOOKINGS = 1200
CLIENTS = 16
TIME_LIMIT = 120


def database_url() -> str:
    import psycopg

    url = os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/scheduler_bench_booking"
    )
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url


SEED = """
import datetime as dt, json
from pages.models import Configuration, OpenHours, Participant
from pages.services import create_api_key, create_grant
pages = []
for i in range(%(hosts)d):
    grant, _ = create_grant(email=f"host{i}@example.com", timezone="UTC")
    c = Configuration.objects.create(grant=grant, slug=f"p{i}", duration_minutes=30,
        min_booking_notice=0, available_days_in_future=400, disable_emails=True)
    part = Participant.objects.create(configuration=c, grant=grant, email=grant.email,
        is_organizer=True, booking_calendar=grant.calendars.get())
    OpenHours.objects.create(configuration=c, participant=part, days=[0,1,2,3,4,5,6],
        start_minute=0, end_minute=1440)
    pages.append(str(c.pk))
_, key = create_api_key(name="bench")
print(json.dumps({"pages": pages, "key": key}))
"""


API_KEY = ""  # set by main() from the seed


def post(conn: http.client.HTTPConnection, path: str, body: dict) -> tuple[int, float]:
    payload = json.dumps(body)
    begin = time.perf_counter()
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {API_KEY}"}
    conn.request("POST", path, payload, headers)
    response = conn.getresponse()
    response.read()
    return response.status, time.perf_counter() - begin


def redis_broker() -> str | None:
    """A scratch Redis database for the benchmark's messages, emptied first; None
    without a Redis at 127.0.0.1:6379."""
    url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    try:
        import redis

        client = redis.Redis.from_url(url, socket_timeout=1)
        client.flushdb()
    except Exception:  # noqa: BLE001 - any failure means: no Redis to use
        return None
    return url


def main() -> None:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SCHEDULER_VAR_DIR": tempfile.mkdtemp(),
        "LOG_LEVEL": "ERROR",
    }
    # The broker a deployment at scale runs (README, "Running at scale"): Redis when one
    # answers here. The embedded filesystem transport lists its queue folder on every
    # publish, so its enqueue cost grows with the messages waiting (no worker runs here).
    broker = os.environ.get("CELERY_BROKER_URL") or redis_broker()
    if broker:
        env["CELERY_BROKER_URL"] = broker
    print(f"broker: {broker or 'the embedded filesystem transport'}")
    run = {"cwd": ROOT, "env": env, "check": True, "capture_output": True, "text": True}
    subprocess.run([PYTHON, "manage.py", "migrate", "-v", "0"], **run)
    seeded = subprocess.run([PYTHON, "manage.py", "shell", "-c", SEED % {"hosts": HOSTS}], **run)
    global API_KEY
    seed = json.loads(seeded.stdout.strip().splitlines()[-1])
    pages, API_KEY = seed["pages"], seed["key"]
    server = subprocess.Popen(
        [
            GUNICORN,
            "scheduler_site.wsgi:application",
            "--workers",
            "4",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", PORT), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        start_day = int(dt.datetime(2027, 6, 1, tzinfo=dt.UTC).timestamp())
        jobs = [(pages[i % HOSTS], start_day + (i // HOSTS) * 1800) for i in range(BOOKINGS)]
        results: list[tuple[int, float]] = []
        lock = threading.Lock()
        stop_at = time.monotonic() + TIME_LIMIT

        def worker(index: int) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
            for page, start in jobs[index::CLIENTS]:
                if time.monotonic() > stop_at:
                    break
                body = {
                    "start_time": start,
                    "end_time": start + 1800,
                    "guest": {"name": "Bench", "email": f"g{start}@example.com"},
                }
                outcome = post(conn, f"/v3/scheduling/bookings?configuration_id={page}", body)
                with lock:
                    results.append(outcome)
            conn.close()

        # Warm every worker up (imports, connections) before measuring.
        warm = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        for _ in range(20):
            warm.request("GET", "/book/none/")
            warm.getresponse().read()
        began = time.perf_counter()
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
        ok = sum(1 for code, _ in results if code == 200)
        latencies = sorted(t for _, t in results)
        print(
            f"distinct slots: {ok}/{len(results)} booked in {elapsed:.2f} s = "
            f"{ok / elapsed:.0f} bookings/s (target >= 300), median "
            f"{statistics.median(latencies) * 1000:.1f} ms, "
            f"p99 {latencies[int(len(latencies) * 0.99) - 1] * 1000:.1f} ms; other codes: "
            f"{sorted({code for code, _ in results if code != 200})}"
        )

        # 48-way race for one slot
        race_start = start_day + 100 * 86400
        barrier = threading.Barrier(48)
        race: list[tuple[int, float]] = []

        def racer(index: int) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
            body = {
                "start_time": race_start,
                "end_time": race_start + 1800,
                "guest": {"name": "Racer", "email": f"r{index}@example.com"},
            }
            barrier.wait()
            outcome = post(conn, f"/v3/scheduling/bookings?configuration_id={pages[0]}", body)
            with lock:
                race.append(outcome)
            conn.close()

        threads = [threading.Thread(target=racer, args=(i,)) for i in range(48)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        codes = sorted(code for code, _ in race)
        latencies = sorted(t for _, t in race)
        print(
            f"48-way race for one slot: {codes.count(200)} won, {codes.count(409)} got 409, "
            f"others {[c for c in codes if c not in (200, 409)]}; latency median "
            f"{statistics.median(latencies) * 1000:.0f} ms, p99 {latencies[-1] * 1000:.0f} ms "
            "(target < 1000 ms)"
        )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
